"""Clean the LDM's rows as SMOTEENN does, and weigh synthetic rows in the fit.

Two additions to plain over-sampling, each a drop-in for an imbalanced-learn
pipeline:

1. :class:`ldm_oversample.CleanedOverSampler` runs any over-sampler, then an
   imbalanced-learn cleaner on the result: edited nearest neighbours, as in
   ``SMOTEENN``, or Tomek links, as in ``SMOTETomek``. imbalanced-learn's own
   classes accept only SMOTE.
2. :class:`ldm_oversample.SyntheticWeightClassifier` fits the classifier with
   the synthetic rows at a weight of their own (here 0.5, real rows 1), which
   an imbalanced-learn ``Pipeline`` cannot pass from a sampler to the next step.

On the Benign-vs-Spoofing task of CICIoT2023 (the hard family: it holds
MITM-ArpSpoofing), with the benchmark's split (:func:`~ldm_oversample.benchmark.
scarce_split`: 70/30, then the training attack rows cut to 10% of the benign
ones; the test split untouched), each variant trains the same random forest
and is scored by attack F1 on the test split. One seed, so small differences
are within what a seed changes; the benchmark's ``ldm_enn`` and ``smoteenn``
rows give several. ENN here measures distances on raw values, as
imbalanced-learn does, so the large-valued flow columns decide which rows it
removes, real ones included.

Reads CICIoT2023 rows from your own file with ``--data`` (any file, directory
or glob :func:`~ldm_oversample.benchmark.load_ciciot2023` takes), or from the
environment variable ``LDM_EXAMPLE_DATA``. Without either it runs on generated
stand-in data and says so.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=100
    Training epochs of the LDM (the test suite uses 2).
LDM_EXAMPLE_DATA : str, optional
    Default of ``--data``.

Runs in about a minute on a laptop CPU.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pandas as pd
from imblearn.combine import SMOTEENN
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score

from ldm_oversample import (
    CleanedOverSampler,
    LDMOverSampler,
    SyntheticWeightClassifier,
)
from ldm_oversample.benchmark import load_ciciot2023, make_task, scarce_split

EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
SEED = 0
RATIO = 0.1


def forest():
    """The classifier every variant trains."""
    return RandomForestClassifier(n_estimators=200, random_state=SEED, n_jobs=-1)


def ldm():
    """The over-sampler every variant uses, at its defaults."""
    return LDMOverSampler(random_state=SEED, max_epochs=EPOCHS)


def stand_in():
    """Overlapping generated classes, when no CICIoT2023 file is given."""
    X, y = make_classification(
        n_samples=3000,
        n_features=12,
        n_informative=6,
        weights=[0.5],
        class_sep=0.8,
        flip_y=0.03,
        random_state=SEED,
    )
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(12)]), y


def main(argv=None):
    """Split, balance four ways, train and print the rows kept and the F1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=os.environ.get("LDM_EXAMPLE_DATA"),
        help="CICIoT2023 CSV file, directory or glob (default: generated data)",
    )
    args = parser.parse_args(argv)
    if args.data:
        X, y, name = make_task(load_ciciot2023(args.data), "Spoofing")
        print(
            f"CICIoT2023 rows, Benign vs {name}: {len(y)} rows, {X.shape[1]} features"
        )
    else:
        print("NOTE: no --data given, so this run uses GENERATED data, not CICIoT2023.")
        X, y = stand_in()
    X_tr, y_tr, X_te, y_te = scarce_split(X, y, RATIO, seed=SEED)
    print(
        f"training split: {(y_tr == 0).sum()} benign, {(y_tr == 1).sum()} attack rows "
        f"(attack cut to {RATIO:.0%}); test split: {len(y_te)} rows, untouched\n"
    )

    variants = {
        "no over-sampling": forest(),
        "LDM": Pipeline([("balance", ldm()), ("model", forest())]),
        "LDM, then ENN (as SMOTEENN)": Pipeline(
            [("balance", CleanedOverSampler(ldm(), cleaner="enn")), ("model", forest())]
        ),
        "LDM, then Tomek links (as SMOTETomek)": Pipeline(
            [
                ("balance", CleanedOverSampler(ldm(), cleaner="tomek")),
                ("model", forest()),
            ]
        ),
        "LDM, synthetic rows weigh 0.5": SyntheticWeightClassifier(
            ldm(), forest(), synthetic_weight=0.5
        ),
        "imblearn SMOTEENN": Pipeline(
            [("balance", SMOTEENN(random_state=SEED)), ("model", forest())]
        ),
    }
    rows = []
    for label, model in variants.items():
        model.fit(X_tr, y_tr)
        step = model[0] if isinstance(model, Pipeline) else model
        kept = synthetic = "-"
        if isinstance(step, SyntheticWeightClassifier):
            mask = step.sampler_.synthetic_mask_
            kept, synthetic = len(mask), int(mask.sum())
        elif hasattr(step, "synthetic_mask_"):
            kept, synthetic = len(step.synthetic_mask_), int(step.synthetic_mask_.sum())
        elif isinstance(step, SMOTEENN):
            # Its SMOTE puts the originals first, so later positions are new.
            kept = len(step.enn_.sample_indices_)
            synthetic = int((step.enn_.sample_indices_ >= len(y_tr)).sum())
        rows.append(
            {
                "variant": label,
                "training rows": kept if kept != "-" else len(y_tr),
                "synthetic rows": synthetic,
                "attack F1 (test)": round(f1_score(y_te, model.predict(X_te)), 3),
            }
        )
    table = pd.DataFrame(rows).set_index("variant")
    print(table.to_string())

    cleaned = variants["LDM, then ENN (as SMOTEENN)"][0]
    over = cleaned.sampler_.synthetic_mask_
    removed = np.setdiff1d(np.arange(len(over)), cleaned.sample_indices_)
    print(
        f"\nENN removed {len(removed)} of the LDM's {len(over)} rows: "
        f"{int(over[removed].sum())} synthetic and {int((~over[removed]).sum())} real"
    )
    weighted = variants["LDM, synthetic rows weigh 0.5"]
    weights, counts = np.unique(weighted.sample_weight_, return_counts=True)
    print(
        "weights the forest got (weight: rows):",
        {float(w): int(n) for w, n in zip(weights, counts, strict=True)},
    )


if __name__ == "__main__":
    main()
