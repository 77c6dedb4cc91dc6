"""Quality/speed curve of LDMOverSampler: how the defaults were chosen.

Training budget (``max_epochs``), denoiser width, solver and number of solver
steps trade downstream F1 and fidelity against fit and sampling time. For every
training setting the LDM is fitted once per split; every sampling setting is
then read from the same fitted model (sampling parameters need no refit).

Protocol (``ids_quality.py``'s): Benign vs Spoofing on the shared CICIoT2023
sample, stratified 70/30 split, training attack rows cut to ``--ratios`` of the
benign count, attack rows generated up to the benign count, RandomForest-200,
attack-class F1 on the untouched test split; W1 (quantile-normal scale) of the
synthetic attack rows against the held-out real ones. Sampling rows/s is timed
afterwards, on the last fitted model of each denoiser width (best of 3
``sample(20000)`` calls, 2 CPU threads), so it is not disturbed by the fits.

Usage::

    python benchmarks/ldm_speed_quality.py    # writes ldm_speed_quality.{md,csv,png}
    python benchmarks/ldm_speed_quality.py --seeds 1 --ratios 0.1 --out /tmp/c
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from common import best_time, generated_by
from ids_quality import DEFAULT_DATA
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score

from ldm_oversample import LDMOverSampler, SMOTEOverSampler
from ldm_oversample.benchmark import (
    load_ciciot2023,
    make_task,
    markdown_table,
    scarce_split,
)
from ldm_oversample.metrics import wasserstein_distances

TRAINING = [
    {"max_epochs": epochs, "denoiser_width": width}
    for epochs, width in itertools.product((100, 300), (128, 256))
]
SAMPLING = [
    ("ddim", 50),
    ("ddim", 20),
    ("ddim", 10),
    ("dpm++", 20),
    ("dpm++", 10),
    ("dpm++", 5),
]


def forest_f1(X_tr, y_tr, X_te, y_te, seed: int) -> float:
    clf = RandomForestClassifier(n_estimators=200, random_state=seed, n_jobs=-1)
    return float(f1_score(y_te, clf.fit(X_tr, y_tr).predict(X_te)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--ratios", nargs="+", type=float, default=[0.1, 0.02])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("ldm_speed_quality")
    )
    parser.add_argument(
        "--training", type=json.loads, default=TRAINING, help="JSON list of dicts"
    )
    parser.add_argument(
        "--sampling", type=json.loads, default=SAMPLING, help="JSON [[solver, steps]]"
    )
    args = parser.parse_args(argv)
    X, y, _ = make_task(load_ciciot2023(args.data), "Spoofing")
    records, fitted = [], {}
    for ratio, seed in itertools.product(args.ratios, range(args.seeds)):
        X_tr, y_tr, X_te, y_te = scarce_split(X, y, ratio, seed=seed)
        real_attack = X_te[y_te == 1]
        n_new = int((y_tr == 0).sum() - (y_tr == 1).sum())
        base = dict(ratio=ratio, seed=seed)
        records.append(
            {**base, "setting": "none", "f1": forest_f1(X_tr, y_tr, X_te, y_te, seed)}
        )
        X_sm, y_sm = SMOTEOverSampler(random_state=seed).fit_resample(X_tr, y_tr)
        records.append(
            {**base, "setting": "smote", "f1": forest_f1(X_sm, y_sm, X_te, y_te, seed)}
        )
        for train in args.training:
            ldm = LDMOverSampler(random_state=seed, device="cpu", **train)
            start = time.perf_counter()
            ldm.fit(X_tr, y_tr)
            fit_s = time.perf_counter() - start
            fitted[ldm.denoiser_width] = ldm
            for solver, steps in args.sampling:
                ldm.set_params(solver=solver, n_sampling_steps=steps)
                X_new = ldm.sample(n_new, class_label=1)
                X_res = pd.concat([X_tr, X_new], ignore_index=True)
                y_res = np.concatenate([y_tr, np.ones(n_new, dtype=y_tr.dtype)])
                records.append(
                    {
                        **base,
                        "setting": "ldm",
                        **train,
                        "solver": solver,
                        "steps": steps,
                        "epochs_run": max(len(h) for h in ldm.history_.values()),
                        "fit_s": fit_s,
                        "f1": forest_f1(X_res, y_res, X_te, y_te, seed),
                        "w1": float(wasserstein_distances(real_attack, X_new).mean()),
                    }
                )
            print(records[-1], flush=True)
    speed = []
    for width, ldm in fitted.items():  # speed does not depend on the epochs
        for solver, steps in args.sampling:
            ldm.set_params(solver=solver, n_sampling_steps=steps)
            seconds = best_time(lambda ldm=ldm: ldm.sample(20_000, class_label=1))
            speed.append(
                {
                    "denoiser_width": width,
                    "solver": solver,
                    "steps": steps,
                    "rows_per_s": 20_000 / seconds,
                }
            )
    frame = pd.DataFrame(records)
    frame.to_csv(args.out.with_suffix(".csv"), index=False)
    keys = [*args.training[0], "solver", "steps"]
    ldm = frame[frame.setting == "ldm"]
    table = (
        ldm.pivot_table(index=keys, columns="ratio", values="f1", aggfunc="mean")
        .rename(columns=lambda r: f"F1 @{r:g}")
        .join(ldm[ldm.ratio == max(args.ratios)].groupby(keys)[["w1", "fit_s"]].mean())
        .reset_index()
        .merge(pd.DataFrame(speed), on=["denoiser_width", "solver", "steps"])
    )
    for key in ("max_epochs", "denoiser_width", "steps"):  # NaN for the baselines
        table[key] = table[key].astype(int)
    baselines = frame[frame.setting != "ldm"].pivot_table(
        index="setting", columns="ratio", values="f1", aggfunc="mean"
    )
    lines = [
        *generated_by("LDM quality/speed curve"),
        f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads. "
        f"Spoofing, {args.seeds} seeds; F1 = RF-200 attack F1 (mean over seeds), "
        f"W1 and fit seconds at ratio {max(args.ratios):g}; rows/s = best of 3 "
        "`sample(20000)` on one fitted model.",
        "",
        "Baselines on the same splits: "
        + "; ".join(
            f"{name} " + ", ".join(f"F1 @{r:g} = {v:.3f}" for r, v in row.items())
            for name, row in baselines.iterrows()
        ),
        "",
        markdown_table(table),
        "",
    ]
    args.out.with_suffix(".md").write_text("\n".join(lines))
    print("\n".join(lines))
    plot(table, baselines, args.out.with_suffix(".png"))


def plot(table: pd.DataFrame, baselines: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = [c for c in table.columns if c.startswith("F1 @")]
    fig, axes = plt.subplots(1, len(columns), figsize=(6 * len(columns), 4.5))
    for ax, column in zip(np.atleast_1d(axes), columns, strict=True):
        for (epochs, width), part in table.groupby(["max_epochs", "denoiser_width"]):
            ax.scatter(
                part.rows_per_s, part[column], label=f"{int(epochs)} ep, w{int(width)}"
            )
            for _, row in part.iterrows():
                ax.annotate(
                    f"{row.solver} {int(row.steps)}",
                    (row.rows_per_s, row[column]),
                    fontsize=6,
                )
        ratio = float(column.split("@")[1])
        for name, style in (("smote", "--"), ("none", ":")):
            ax.axhline(baselines.loc[name, ratio], ls=style, c="grey", label=name)
        ax.set_xscale("log")
        ax.set_xlabel("sampling rows/s (2 CPU threads)")
        ax.set_ylabel(f"attack F1, Spoofing {column.split('@')[1]}")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
