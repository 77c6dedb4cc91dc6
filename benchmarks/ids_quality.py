"""Downstream IDS quality of the over-samplers on real CICIoT2023 rows.

Protocol (the core issue's, and ``../shared/reference/measured.md``):

1. Take the CICIoT2023 sample and form the Benign-vs-<attack> task.
2. Make a stratified 70/30 split (seeded).
3. Subsample the attack rows of the training split to ``ratio`` x the benign count.
4. Balance the training split with each sampler (``fit_resample`` on the whole
   training split, so conditional models see both classes).
5. Train ``RandomForestClassifier(n_estimators=200)`` and report the test F1 of
   the attack class, with fit and sampling time, as mean ± std over seeds.

Samplers: ``none``, ``random`` (imblearn's RandomOverSampler), the package's
``smote``, ``ctgan``, ``ddpm`` and ``ldm`` at their defaults, and the ``ctgan``
package's ``CTGAN`` and ``TVAE`` (``ctgan_ref``, ``tvae_ref``; the ``bench``
extra) fitted on the attack rows alone, 300 epochs.

Usage::

    python benchmarks/ids_quality.py     # the defaults; writes ids_quality.md
    python benchmarks/ids_quality.py --seeds 3 --samplers ldm \\
        --ldm-params '{"eta": 0.5}' --out /tmp/probe.md  # a design probe
    # runs split across processes, then merged into one report:
    python benchmarks/ids_quality.py --attacks DDoS --first-seed 2 --seeds 1 \\
        --out /tmp/part.md
    python benchmarks/ids_quality.py --summarise /tmp/part*.csv
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from common import generated_by
from imblearn.over_sampling import RandomOverSampler
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

import ldm_oversample

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "ciciot2023_sample.csv.gz"
)
LABELS = ("label_multiclass", "label_binary")


def load_task(path: Path, attack: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Benign-vs-attack rows of the sample: features and a 0/1 target."""
    frame = pd.read_csv(path)
    frame = frame[frame["label_multiclass"].isin(["Benign", attack])]
    y = (frame["label_multiclass"] == attack).to_numpy().astype(int)
    return frame.drop(columns=list(LABELS)).reset_index(drop=True), y


def make_split(X, y, ratio: float, seed: int):
    """Stratified 70/30 split; training attack rows cut to ratio x benign rows."""
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    rng = np.random.default_rng(seed)
    benign = np.flatnonzero(y_tr == 0)
    attack = np.flatnonzero(y_tr == 1)
    n_keep = max(2, round(ratio * len(benign)))
    keep = np.sort(np.concatenate([benign, rng.choice(attack, n_keep, replace=False)]))
    return X_tr.iloc[keep], y_tr[keep], X_te, y_te


class ExternalGenerator:
    """A ``ctgan``-package model as a sampler: fitted on the kept attack rows only
    (as in ``shared/reference/measured.md``), then sampled up to the benign count.
    """

    def __init__(self, kind: str, seed: int, epochs: int = 300, device="auto"):
        self.kind, self.seed, self.epochs, self.device = kind, seed, epochs, device

    def fit_resample(self, X, y):
        import ctgan  # the `bench` extra

        model_cls = ctgan.CTGAN if self.kind == "ctgan_ref" else ctgan.TVAE
        use_gpu = self.device != "cpu" and torch.cuda.is_available()
        model = model_cls(epochs=self.epochs, enable_gpu=use_gpu)
        model.set_random_state(self.seed)
        model.fit(X[y == 1].reset_index(drop=True))
        self.device_ = "cuda" if use_gpu else "cpu"
        n_new = int((y == 0).sum() - (y == 1).sum())
        synthetic = model.sample(n_new)[list(X.columns)].astype(X.dtypes)
        X_bal = pd.concat([X, synthetic], ignore_index=True)
        return X_bal, np.r_[y, np.ones(n_new, dtype=y.dtype)]


def _ours(cls_name: str):
    def factory(seed, device="auto", **kw):
        return getattr(ldm_oversample, cls_name)(random_state=seed, device=device, **kw)

    return factory


#: Every sampler the benchmark knows, as ``factory(seed, device, **params)``.
SAMPLERS = {
    "none": None,
    "random": lambda seed, device="auto", **kw: RandomOverSampler(
        random_state=seed, **kw
    ),
    "smote": _ours("SMOTEOverSampler"),
    "ctgan": _ours("CTGANOverSampler"),
    "ddpm": _ours("DDPMOverSampler"),
    "ldm": _ours("LDMOverSampler"),
    "ctgan_ref": lambda seed, **kw: ExternalGenerator("ctgan_ref", seed, **kw),
    "tvae_ref": lambda seed, **kw: ExternalGenerator("tvae_ref", seed, **kw),
}


def make_sampler(name: str, seed: int, params: dict, device: str = "auto"):
    if name not in SAMPLERS:
        raise ValueError(f"unknown sampler {name!r}; choose from {sorted(SAMPLERS)}")
    factory = SAMPLERS[name]
    if factory is None:
        return None
    return factory(seed, device=device, **params.get(name, {}))


def device_name(device: str) -> str:
    """Readable name of the device a sampler ran on."""
    if device.startswith("cuda") and torch.cuda.is_available():
        return torch.cuda.get_device_name(torch.device(device))
    return "cpu"


def run(args) -> pd.DataFrame:
    params = json.loads(args.sampler_params)
    params.setdefault("ldm", {}).update(json.loads(args.ldm_params))
    records = []
    for attack in args.attacks:
        X, y = load_task(args.data, attack)
        for ratio in args.ratios:
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                X_tr, y_tr, X_te, y_te = make_split(X, y, ratio, seed)
                for name in args.samplers:
                    sampler = make_sampler(name, seed, params, args.device)
                    t0 = time.perf_counter()
                    X_bal, y_bal = (
                        (X_tr, y_tr)
                        if sampler is None
                        else sampler.fit_resample(X_tr, y_tr)
                    )
                    fit_s = time.perf_counter() - t0
                    sample_s = np.nan
                    if hasattr(sampler, "sample"):  # generation alone, same row count
                        n_new = int((y_bal == 1).sum() - (y_tr == 1).sum())
                        t0 = time.perf_counter()
                        sampler.sample(n_new, class_label=1)
                        sample_s = time.perf_counter() - t0
                    clf = RandomForestClassifier(
                        n_estimators=200, random_state=seed, n_jobs=args.n_jobs
                    )
                    clf.fit(X_bal, y_bal)
                    f1 = f1_score(y_te, clf.predict(X_te))
                    records.append(
                        dict(
                            attack=attack,
                            ratio=ratio,
                            seed=seed,
                            sampler=name,
                            n_attack_train=int((y_tr == 1).sum()),
                            f1=f1,
                            fit_resample_s=fit_s,
                            sample_s=sample_s,
                            device=device_name(getattr(sampler, "device_", "cpu")),
                        )
                    )
                    # Written as it goes, so an interrupted run keeps its rows.
                    pd.DataFrame(records).to_csv(args.csv, index=False)
                    print(
                        f"{attack} @ {ratio:g} seed {seed} {name:9s} F1={f1:.3f} "
                        f"fit_resample={fit_s:.1f}s",
                        file=sys.stderr,
                        flush=True,
                    )
    return pd.DataFrame(records)


def report_header(
    title: str, seeds: str, note: str, command: str | None = None
) -> list[str]:
    """Markdown title, the exact command that produced the report, and settings."""
    return [
        *generated_by(title, command),
        f"torch {torch.__version__}, seeds {seeds}. {note}",
        "",
    ]


def _task(row) -> str:
    return f"{row.attack} @ {row.ratio:g}"


def summarise(results: pd.DataFrame, args) -> str:
    order = list(dict.fromkeys(results["sampler"]))
    grouped = results.groupby(["attack", "ratio", "sampler"], sort=False)
    table = grouped.agg(
        n_attack_train=("n_attack_train", "mean"),
        f1_mean=("f1", "mean"),
        f1_std=("f1", "std"),
        n_seeds=("seed", "nunique"),
        fit_resample_s=("fit_resample_s", "mean"),
        sample_s=("sample_s", "mean"),
    ).reset_index()
    seeds = sorted(results["seed"].unique())
    devices = ", ".join(sorted(results.get("device", pd.Series(["cpu"])).unique()))
    lines = [
        *report_header(
            "Downstream IDS quality on CICIoT2023 (RandomForest-200, attack-class F1)",
            f"{seeds[0]}..{seeds[-1]}",
            f"Devices: {devices}. LDM parameters: `{args.ldm_params}`, other "
            f"sampler parameters: `{args.sampler_params}` (on top of the defaults).",
            args.command,
        ),
        "## Attack-class F1, mean ± std over seeds (best mean in bold)",
        "",
        "| task (attack @ ratio) | " + " | ".join(order) + " |",
        "|---|" + "---|" * len(order),
    ]
    for (attack, ratio), part in table.groupby(["attack", "ratio"], sort=False):
        part = part.set_index("sampler")
        best = part["f1_mean"].max()
        cells = []
        for name in order:
            if name not in part.index:
                cells.append("")
                continue
            row = part.loc[name]
            cell = f"{row.f1_mean:.3f} ± {row.f1_std:.3f}"
            cells.append(f"**{cell}**" if row.f1_mean == best else cell)
        lines.append(f"| {attack} @ {ratio:g} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Detail and time",
        "",
        "`fit_resample s` is the whole balancing call (training and generation); "
        "`sample s` times `sample()` of the same number of rows again on the "
        "fitted model.",
        "",
        "| task | attack rows (train) | sampler | seeds | F1 (mean ± std) "
        "| fit_resample s | sample s |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        sample = "" if np.isnan(row.sample_s) else f"{row.sample_s:.2f}"
        lines.append(
            f"| {_task(row)} | {row.n_attack_train:.0f} | {row.sampler} "
            f"| {row.n_seeds} | {row.f1_mean:.3f} ± {row.f1_std:.3f} "
            f"| {row.fit_resample_s:.2f} | {sample} |"
        )
    lines += ["", "## LDM paired by seed (same split, same forest seed)", ""]
    for (attack, ratio), part in results.groupby(["attack", "ratio"], sort=False):
        f1 = part.pivot_table(index="seed", columns="sampler", values="f1")
        if "ldm" not in f1:
            continue
        for other in [c for c in order if c in f1.columns and c != "ldm"]:
            diff = (f1["ldm"] - f1[other]).dropna()
            lines.append(
                f"- {attack} @ {ratio:g}: LDM minus {other} = {diff.mean():+.3f} "
                f"(LDM higher on {int((diff > 0).sum())} of {len(diff)} seeds)"
            )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--attacks", nargs="+", default=["Spoofing", "DDoS", "Mirai"])
    parser.add_argument("--ratios", nargs="+", type=float, default=[0.1, 0.02])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--samplers", nargs="+", default=list(SAMPLERS))
    parser.add_argument("--device", default="auto", help="device of every sampler")
    parser.add_argument(
        "--n-jobs", type=int, default=-1, help="random-forest jobs (default all)"
    )
    parser.add_argument(
        "--ldm-params", default="{}", help="JSON dict of LDMOverSampler parameters"
    )
    parser.add_argument(
        "--sampler-params",
        default="{}",
        help="JSON dict of parameters per sampler name, e.g. "
        '\'{"ddpm": {"n_sampling_steps": 50}}\'',
    )
    parser.add_argument(
        "--summarise",
        nargs="+",
        type=Path,
        metavar="CSV",
        help="merge the CSVs of earlier runs into the report instead of running",
    )
    parser.add_argument(
        "--command", help="command shown as the report's origin (default: this one)"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    args = parser.parse_args(argv)
    args.csv = args.out.with_suffix(".csv")
    if args.summarise:
        results = pd.concat([pd.read_csv(p) for p in args.summarise])
        # Tasks in the order of --attacks, larger ratios first, then seeds.
        rank = {a: k for k, a in enumerate(args.attacks)}
        results = results.sort_values(
            ["attack", "ratio", "seed"],
            key=lambda c: (
                c.map(rank).fillna(len(rank))
                if c.name == "attack"
                else -c
                if c.name == "ratio"
                else c
            ),
            kind="stable",
        )
        results.to_csv(args.csv, index=False)
    else:
        results = run(args)
    report = summarise(results, args)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
