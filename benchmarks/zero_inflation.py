"""Point masses: do the generated rows keep each class's share of zeros?

Mostly-zero counters and 0/1 flags are the shape of most IDS features. This
script fits the LDM and the data-space DDPM with ``spread_ties`` off (every
zero at the column minimum maps to the one extreme value -5.2 of the quantile
transform) and on (ties spread over the quantiles they occupy), and reports:

1. a table made to show it: two classes whose counters are zero in 80%
   (majority) and 52% (minority) of rows, with non-zero parts of different
   medians; per counter, the minority's synthetic zero rate and non-zero
   median against the real ones;
2. the CICIoT2023 counters: for Benign vs each of two attacks at 10%, the
   largest and mean gap between the zero rate of the synthetic attack rows
   and that of the held-out real attack rows (a validation part of the
   training split: the test split is never used), over the columns that are
   zero in 5-95% of those rows; the training attack rows' own gap is the
   sampling noise floor. Also the detection AUC and class faithfulness.

Usage::

    python benchmarks/zero_inflation.py [--seeds 3] [--out benchmarks/zero_inflation.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from common import generated_by

from ldm_oversample import DDPMOverSampler, LDMOverSampler
from ldm_oversample.benchmark import (
    load_ciciot2023,
    make_task,
    markdown_table,
    scarce_split,
)
from ldm_oversample.datasets import make_zero_inflated_counters
from ldm_oversample.metrics import ClassFaithfulness, detection_auc

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    / "ciciot2023_sample.csv.gz"
)  # fmt: skip
SAMPLERS = {"ldm": LDMOverSampler, "ddpm": DDPMOverSampler}


def toy_table(seed: int):
    """Three zero-inflated counters; the minority has fewer, larger non-zeros."""
    return make_zero_inflated_counters(random_state=seed)


def zero_gaps(real: pd.DataFrame, synthetic: pd.DataFrame) -> pd.Series:
    share = (real == 0).mean()
    columns = share[(share >= 0.05) & (share <= 0.95)].index
    return ((synthetic[columns] == 0).mean() - share[columns]).abs()


def run_toy(seeds: int, sampler_names) -> pd.DataFrame:
    records = []
    for seed in range(seeds):
        X, y = toy_table(seed)
        holdout, y_holdout = toy_table(seed + 100)
        real = holdout[y_holdout == 1]
        for name in sampler_names:
            for spread in (False, True):
                sampler = SAMPLERS[name](random_state=seed, spread_ties=spread)
                synthetic = sampler.fit(X, y).sample(2000, class_label=1)
                for column in [c for c in X if c.startswith("count")]:
                    nonzero_s = synthetic.loc[synthetic[column] != 0, column]
                    nonzero_r = real.loc[real[column] != 0, column]
                    records.append(
                        dict(
                            sampler=name,
                            spread_ties=spread,
                            seed=seed,
                            column=column,
                            zero_real=(real[column] == 0).mean(),
                            zero_synthetic=(synthetic[column] == 0).mean(),
                            median_ratio=nonzero_s.median() / nonzero_r.median(),
                        )
                    )
                print(f"toy seed {seed} {name} spread={spread}", file=sys.stderr)
    return pd.DataFrame(records)


def run_ciciot(data: Path, attacks, seeds: int, sampler_names) -> pd.DataFrame:
    frame = load_ciciot2023(data)
    records = []
    for attack in attacks:
        X, y, _ = make_task(frame, attack)
        for seed in range(seeds):
            # The validation part of the training split: the test split stays unseen.
            X_tr, y_tr, X_te, y_te = scarce_split(X, y, 0.1, seed, holdout="validation")
            real, train = X_te[y_te == 1], X_tr[y_tr == 1]
            faith = ClassFaithfulness(random_state=seed).fit(X_te, y_te)
            noise = zero_gaps(real, train)
            for name in sampler_names:
                for spread in (False, True):
                    sampler = SAMPLERS[name](random_state=seed, spread_ties=spread)
                    start = time.perf_counter()
                    sampler.fit(X_tr, y_tr)
                    fit_s = time.perf_counter() - start
                    synthetic = sampler.sample(int((y_tr == 0).sum()), class_label=1)
                    gaps = zero_gaps(real, synthetic)
                    records.append(
                        dict(
                            attack=attack,
                            sampler=name,
                            spread_ties=spread,
                            seed=seed,
                            gap_max=gaps.max(),
                            gap_mean=gaps.mean(),
                            noise_max=noise.max(),
                            noise_mean=noise.mean(),
                            detection_auc=detection_auc(
                                real, synthetic, random_state=seed
                            ),
                            faithfulness=faith.score(synthetic, 1),
                            faithfulness_real=faith.real_[1],
                            fit_s=fit_s,
                        )
                    )
                    print(
                        f"{attack} seed {seed} {name} spread={spread}: "
                        f"max gap {gaps.max():.3f}",
                        file=sys.stderr,
                    )
    return pd.DataFrame(records)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--attacks", nargs="+", default=["Spoofing", "Recon"])
    parser.add_argument("--samplers", nargs="+", default=list(SAMPLERS))
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    args = parser.parse_args(argv)
    toy = run_toy(args.seeds, args.samplers)
    toy.to_csv(args.out.with_name(args.out.stem + "_toy.csv"), index=False)
    real = run_ciciot(args.data, args.attacks, args.seeds, args.samplers)
    real.to_csv(args.out.with_suffix(".csv"), index=False)
    toy_table_ = (
        toy.groupby(["sampler", "spread_ties", "column"])[
            ["zero_real", "zero_synthetic", "median_ratio"]
        ]
        .mean()
        .round(3)
        .reset_index()
    )
    real_table = (
        real.groupby(["attack", "sampler", "spread_ties"])[
            ["gap_max", "gap_mean", "noise_max", "noise_mean", "detection_auc",
             "faithfulness", "faithfulness_real", "fit_s"]
        ]
        .mean()
        .round(3)
        .reset_index()
    )  # fmt: skip
    lines = [
        *generated_by("Point masses: zero rates of the generated rows"),
        f"Means over seeds 0..{args.seeds - 1}; every sampler at its defaults "
        "but `spread_ties`.",
        "",
        "## 1. A table made to show it (minority class, 200 training rows)",
        "",
        "`zero_real`: share of zeros of the minority's real rows (a fresh draw); "
        "`zero_synthetic`: of 2000 generated minority rows; `median_ratio`: "
        "median of the generated non-zero values over the real one (1 is right).",
        "",
        markdown_table(toy_table_),
        "",
        "## 2. CICIoT2023 counters (Benign vs attack, attack rows cut to 10%)",
        "",
        "`gap_max`/`gap_mean`: largest/mean absolute difference between the "
        "zero rate of the generated attack rows and that of the held-out real "
        "attack rows (validation part of the training split), over columns "
        "zero in 5-95% of those rows; `noise_*`: the "
        "same for the real training attack rows (sampling noise). "
        "`faithfulness`: mean P(attack) of the generated rows by forests "
        "cross-fitted on the held-out rows (`faithfulness_real`: of real "
        "attack rows, out of fold).",
        "",
        markdown_table(real_table),
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
