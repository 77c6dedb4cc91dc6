"""Downstream IDS quality of the over-samplers on real CICIoT2023 rows.

Protocol (the core issue's, and ``../shared/reference/measured.md``):

1. Take the CICIoT2023 sample and form the Benign-vs-<attack> task.
2. Make a stratified 70/30 split (seeded).
3. Subsample the attack rows of the training split to ``ratio`` x the benign count.
4. Balance the training split with each sampler (``fit_resample`` on the whole
   training split, so conditional models see both classes).
5. Train ``RandomForestClassifier(n_estimators=200)`` and report the test F1 of
   the attack class, with fit and sampling time, as mean ± std over seeds.

Usage::

    python benchmarks/ids_quality.py     # the defaults; writes ids_quality.md
    python benchmarks/ids_quality.py --seeds 3 --samplers ldm \\
        --ldm-params '{"eta": 0.5}' --out /tmp/probe.md  # a design probe
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
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from ldm_oversample import LDMOverSampler

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


def make_sampler(name: str, seed: int, ldm_params: dict):
    if name == "none":
        return None
    if name == "smote":
        return SMOTE(random_state=seed)
    if name == "ldm":
        return LDMOverSampler(random_state=seed, **ldm_params)
    raise ValueError(f"unknown sampler {name!r}")


def run(args) -> pd.DataFrame:
    ldm_params = json.loads(args.ldm_params)
    records = []
    for attack in args.attacks:
        X, y = load_task(args.data, attack)
        for ratio in args.ratios:
            for seed in range(args.seeds):
                X_tr, y_tr, X_te, y_te = make_split(X, y, ratio, seed)
                for name in args.samplers:
                    sampler = make_sampler(name, seed, ldm_params)
                    t0 = time.perf_counter()
                    X_bal, y_bal = (
                        (X_tr, y_tr)
                        if sampler is None
                        else sampler.fit_resample(X_tr, y_tr)
                    )
                    fit_s = time.perf_counter() - t0
                    sample_s = np.nan
                    if name == "ldm":  # time generation alone, same row count
                        n_new = int((y_bal == 1).sum() - (y_tr == 1).sum())
                        t0 = time.perf_counter()
                        sampler.sample(n_new, class_label=1)
                        sample_s = time.perf_counter() - t0
                    clf = RandomForestClassifier(
                        n_estimators=200, random_state=seed, n_jobs=-1
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
                        )
                    )
                    print(
                        f"{attack} @ {ratio:g} seed {seed} {name:6s} F1={f1:.3f} "
                        f"fit_resample={fit_s:.1f}s",
                        file=sys.stderr,
                        flush=True,
                    )
    return pd.DataFrame(records)


def report_header(title: str, seeds: int, note: str) -> list[str]:
    """Markdown title, the exact command that produced the report, and settings."""
    return [
        f"# {title}",
        "",
        "Generated by:",
        "",
        "```",
        "python " + " ".join(sys.argv),
        "```",
        "",
        f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, "
        f"seeds 0..{seeds - 1}. {note}",
        "",
    ]


def summarise(results: pd.DataFrame, args) -> str:
    grouped = results.groupby(["attack", "ratio", "sampler"], sort=False)
    table = grouped.agg(
        n_attack_train=("n_attack_train", "mean"),
        f1_mean=("f1", "mean"),
        f1_std=("f1", "std"),
        fit_resample_s=("fit_resample_s", "mean"),
        sample_s=("sample_s", "mean"),
    ).reset_index()
    lines = [
        *report_header(
            "Downstream IDS quality on CICIoT2023 (RandomForest-200, attack-class F1)",
            args.seeds,
            f"LDM parameters: `{args.ldm_params}` (on top of the defaults). "
            "`sample s` times `sample()` of the same number of rows on the fitted LDM.",
        ),
        "| attack | ratio | attack rows (train) | sampler | F1 (mean ± std) "
        "| fit_resample s | sample s |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        sample = "" if np.isnan(row.sample_s) else f"{row.sample_s:.2f}"
        lines.append(
            f"| {row.attack} | {row.ratio:g} | {row.n_attack_train:.0f} "
            f"| {row.sampler} | {row.f1_mean:.3f} ± {row.f1_std:.3f} "
            f"| {row.fit_resample_s:.2f} | {sample} |"
        )
    lines += ["", "Paired by seed (same split, same forest seed):", ""]
    for (attack, ratio), part in results.groupby(["attack", "ratio"], sort=False):
        f1 = part.pivot_table(index="seed", columns="sampler", values="f1")
        for other in [c for c in f1.columns if c not in ("ldm", "none")]:
            if "ldm" not in f1:
                continue
            diff = f1["ldm"] - f1[other]
            lines.append(
                f"- {attack} @ {ratio:g}: LDM minus {other} = {diff.mean():+.3f} "
                f"(LDM higher on {int((diff > 0).sum())} of {len(diff)} seeds)"
            )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--attacks", nargs="+", default=["Spoofing"])
    parser.add_argument("--ratios", nargs="+", type=float, default=[0.1, 0.02])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--samplers", nargs="+", default=["none", "smote", "ldm"])
    parser.add_argument(
        "--ldm-params", default="{}", help="JSON dict of LDMOverSampler parameters"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    args = parser.parse_args(argv)
    results = run(args)
    report = summarise(results, args)
    args.out.write_text(report)
    results.to_csv(args.out.with_suffix(".csv"), index=False)
    print(report)


if __name__ == "__main__":
    main()
