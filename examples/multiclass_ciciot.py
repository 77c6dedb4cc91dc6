"""Over-sample chosen CICIoT2023 attack families with a ``sampling_strategy`` dict.

Reads CICIoT2023 rows from your own CSV files with
:func:`ldm_oversample.benchmark.load_ciciot2023` (a ``.csv`` or ``.csv.gz``
file, a directory of them or a glob; the 46-feature ``part-*.csv`` layout and
the 39-feature merged layout are both understood, and fine labels such as
``DDoS-ICMP_Flood`` are mapped to their family):

    python examples/multiclass_ciciot.py --data path/to/ciciot2023.csv.gz

Nothing is downloaded: without ``--data`` the script runs on generated data
(scikit-learn's ``make_classification`` with the family names as labels) and
says so in its output.

What it does:

1. keeps five families and cuts them to an imbalance typical of intrusion
   data (Benign 1200 rows, DDoS 600, Recon 120, WebAttack 40, BruteForce 20;
   fewer where the file has fewer);
2. splits 70/30, stratified; the test split is never resampled;
3. over-samples only the three scarce families to 400 training rows each,
   with ``LDMOverSampler(sampling_strategy={"Recon": 400, "WebAttack": 400,
   "BruteForce": 400})``; the other classes get no new rows (a dict names the
   *total* number of rows wanted per class);
4. trains a random forest with and without the new rows and prints the
   per-class F1 and recall on the test split, and the imbalanced-learn
   classification report of the over-sampled model.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=100
    Training epochs of the LDM (the test suite uses 2).

Runs in about a minute on a laptop CPU.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pandas as pd
from imblearn.metrics import classification_report_imbalanced
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import train_test_split

from ldm_oversample import LDMOverSampler
from ldm_oversample.benchmark import load_ciciot2023

EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
SEED = 0
#: Rows kept per family (at most): an imbalanced multiclass task.
ROWS_PER_FAMILY = {
    "Benign": 1200,
    "DDoS": 600,
    "Recon": 120,
    "WebAttack": 40,
    "BruteForce": 20,
}
#: Training rows wanted for the scarce families after over-sampling.
TARGET_ROWS = 400


def load_families(path, rows_per_family=ROWS_PER_FAMILY, random_state=SEED):
    """Read CICIoT2023 files and draw an imbalanced subset of families.

    Parameters
    ----------
    path : str
        A CSV file, a directory or a glob, as :func:`load_ciciot2023` takes.
    rows_per_family : dict of str to int
        Most rows drawn per family; families missing from the data are left
        out.
    random_state : int, default=0
        Seed of the draw.

    Returns
    -------
    X : DataFrame
        The feature columns (all float).
    y : Series
        The family of each row.
    """
    frame = load_ciciot2023(path)
    print(
        f"loaded {len(frame)} CICIoT2023 rows ({frame.attrs['layout']} layout) "
        f"from {path}"
    )
    counts = frame["label_family"].value_counts()
    parts = [
        frame[frame["label_family"] == family].sample(
            min(n, counts[family]), random_state=random_state
        )
        for family, n in rows_per_family.items()
        if family in counts.index
    ]
    if len(parts) < 2:
        raise SystemExit(
            f"{path} holds fewer than two of the families {list(rows_per_family)}"
        )
    subset = pd.concat(parts, ignore_index=True)
    y = subset.pop("label_family").rename("family")
    X = subset.drop(columns="label_fine")
    return X, y


def generated_families(rows_per_family=ROWS_PER_FAMILY, random_state=SEED):
    """Generated stand-in data with the same families and imbalance.

    Parameters
    ----------
    rows_per_family : dict of str to int
        Rows per family.
    random_state : int, default=0
        Seed of ``make_classification``.

    Returns
    -------
    X : DataFrame
        12 float columns ``f0`` .. ``f11``.
    y : Series
        Family names.
    """
    names = list(rows_per_family)
    sizes = np.array(list(rows_per_family.values()))
    X, codes = make_classification(
        n_samples=int(sizes.sum()),
        n_features=12,
        n_informative=8,
        n_classes=len(names),
        n_clusters_per_class=2,
        weights=sizes / sizes.sum(),
        class_sep=1.5,
        random_state=random_state,
    )
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    return X, pd.Series(np.array(names)[codes], name="family")


def per_class_scores(y_true, y_pred, labels):
    """F1 and recall per class.

    Parameters
    ----------
    y_true, y_pred : array-like
    labels : list
        Classes, in the order of the rows returned.

    Returns
    -------
    DataFrame
        Columns ``f1`` and ``recall``, indexed by class.
    """
    return pd.DataFrame(
        {
            "f1": f1_score(y_true, y_pred, labels=labels, average=None),
            "recall": recall_score(y_true, y_pred, labels=labels, average=None),
        },
        index=labels,
    )


def main(argv=None):
    """Load or generate the data, over-sample, train and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        help="CICIoT2023 CSV file, directory or glob (default: generated data)",
    )
    args = parser.parse_args(argv)

    if args.data:
        X, y = load_families(args.data)
    else:
        print(
            "NOTE: no --data given, so this run uses GENERATED data "
            "(make_classification with CICIoT2023 family names), not CICIoT2023. "
            "Pass --data path/to/ciciot2023.csv.gz for real rows."
        )
        X, y = generated_families()

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=SEED
    )
    before = y_train.value_counts()
    # Only the scarce families, each raised to TARGET_ROWS training rows.
    strategy = {c: TARGET_ROWS for c, n in before.items() if n < TARGET_ROWS}
    print(f"{X.shape[1]} features; sampling_strategy={strategy}")

    forest = RandomForestClassifier(n_estimators=100, random_state=SEED, n_jobs=1)
    baseline = forest.fit(X_train, y_train)
    y_base = baseline.predict(X_test)

    sampler = LDMOverSampler(
        sampling_strategy=strategy,
        latent_dim=8,
        ae_hidden_dims=(128, 128),
        denoiser_width=128,
        max_epochs=EPOCHS,
        random_state=SEED,
    )
    model = Pipeline([("resample", sampler), ("clf", forest)]).fit(X_train, y_train)
    y_ldm = model.predict(X_test)

    # The rows the LDM added, per class (the fitted sampler records them).
    added = pd.Series(sampler.sampling_strategy_, dtype=int)
    counts = pd.DataFrame(
        {"train_before": before, "added": added, "test": y_test.value_counts()}
    ).fillna(0)
    counts["train_after"] = counts["train_before"] + counts["added"]
    counts = counts.astype(int).loc[before.index]
    print("\nrows per family:")
    print(counts.to_string())

    labels = list(before.index)
    table = pd.concat(
        {
            "no resampling": per_class_scores(y_test, y_base, labels),
            "LDM": per_class_scores(y_test, y_ldm, labels),
        },
        axis=1,
    )
    print("\ntest-split scores per family:")
    print(table.round(3).to_string())
    for name, pred in (("no resampling", y_base), ("LDM", y_ldm)):
        print(f"macro-F1 {name}: {f1_score(y_test, pred, average='macro'):.3f}")

    print("\nclassification_report_imbalanced (LDM):")
    print(classification_report_imbalanced(y_test, y_ldm, digits=3))


if __name__ == "__main__":
    main()
