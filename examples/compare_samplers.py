"""Compare SMOTE, CTGAN, DDPM and LDM over-sampling on one split.

The four over-samplers of this package balance the same training split of a
mixed-type table (:func:`ldm_oversample.datasets.make_imbalanced_mixed`, float,
integer, categorical and boolean columns, 3% "attack" rows). For each:

- **fidelity** of its synthetic attack rows against the *held-out* real attack
  rows of the test split, with :func:`ldm_oversample.metrics.fidelity_summary`
  (every metric of :mod:`ldm_oversample.metrics` in one dict; a selection is
  printed, the full set is saved as CSV);
- **downstream F1**: a gradient-boosting classifier trained on the balanced
  training split, scored (attack-class F1) on the untouched test split, as in
  :func:`ldm_oversample.metrics.utility_scores`;
- the time of ``fit_resample``.

It prints a table, and saves it (``compare_samplers.csv``) with a plot
(``compare_samplers.png``) into ``$LDM_EXAMPLE_OUT``.

The settings are small so that it runs in about a minute; one split and one
seed, so differences of a few hundredths are noise. ``benchmarks/`` and
:mod:`ldm_oversample.benchmark` hold the multi-seed protocol.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=100
    Training epochs of CTGAN, DDPM and LDM (the test suite uses 2).
LDM_EXAMPLE_OUT : path, default=examples/output
    Folder the CSV and the plot are written to (created if missing).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; must precede pyplot

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from ldm_oversample import (
    CTGANOverSampler,
    DDPMOverSampler,
    LDMOverSampler,
    SMOTEOverSampler,
)
from ldm_oversample.datasets import make_imbalanced_mixed
from ldm_oversample.metrics import fidelity_summary

EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
OUT = Path(os.environ.get("LDM_EXAMPLE_OUT", Path(__file__).parent / "output"))
SEED = 0

#: The samplers, at small settings (each ``random_state=0``).
SAMPLERS = {
    "SMOTE": SMOTEOverSampler(random_state=SEED),
    "CTGAN": CTGANOverSampler(
        embedding_dim=32,
        generator_dims=(128, 128),
        discriminator_dims=(128, 128),
        batch_size=200,
        max_epochs=EPOCHS,
        random_state=SEED,
    ),
    "DDPM": DDPMOverSampler(
        denoiser_width=128,
        n_sampling_steps=50,
        max_epochs=EPOCHS,
        random_state=SEED,
    ),
    "LDM": LDMOverSampler(
        latent_dim=8,
        ae_hidden_dims=(128, 128),
        max_epochs=EPOCHS,
        random_state=SEED,
    ),
}

#: Printed metrics, and which way is better.
COLUMNS = {
    "f1": "attack F1 on the test split (higher is better)",
    "marginal_fidelity": "1 - mean KS / total variation distance (higher)",
    "ks_mean": "mean KS statistic, numeric columns (lower is better)",
    "js_mean": "mean Jensen-Shannon distance, all columns (lower is better)",
    "pearson_mean_abs": "mean |Pearson correlation difference| (lower is better)",
    "alpha_precision": "synthetic rows typical of the real ones (higher)",
    "beta_recall": "real distribution covered by synthetic rows (higher)",
    "coverage": "real rows with a synthetic neighbour (higher is better)",
    "detection_auc": "classifier telling real from synthetic (0.5 is best)",
    "dcr_share_closer_to_train": "closer to train than holdout (0.5 is best)",
    "fit_resample_s": "seconds to fit and resample",
}


def make_split(random_state=SEED):
    """A mixed-type imbalanced table split 50/50, stratified.

    Parameters
    ----------
    random_state : int, default=0

    Returns
    -------
    X_train, X_test : DataFrame
    y_train, y_test : Series
    """
    X, y = make_imbalanced_mixed(
        n_samples=4000, minority_fraction=0.03, random_state=random_state
    )
    X = X.drop(columns="n_packets")  # nearly separates the classes on its own
    return train_test_split(X, y, test_size=0.5, stratify=y, random_state=random_state)


def evaluate(name, sampler, X_train, y_train, X_test, y_test):
    """Balance the training split with ``sampler``; score fidelity and F1.

    Parameters
    ----------
    name : str
        Printed while it runs.
    sampler : over-sampler or None
        None trains on the training split as it is.
    X_train, y_train, X_test, y_test : the split

    Returns
    -------
    dict
        ``f1``, ``fit_resample_s`` and, with a sampler, the keys of
        :data:`ldm_oversample.metrics.SUMMARY_KEYS`.
    """
    print(f"  {name} ...", flush=True)
    row = {}
    X_bal, y_bal = X_train, y_train
    if sampler is not None:
        start = time.perf_counter()
        X_bal, y_bal = sampler.fit_resample(X_train, y_train)
        row["fit_resample_s"] = time.perf_counter() - start
        # The new rows follow the original ones; all are "attack" here.
        synthetic = X_bal.iloc[len(X_train) :].reset_index(drop=True)
        real_attack = X_test[y_test == "attack"]
        row.update(
            fidelity_summary(
                real_attack,
                synthetic,
                train=X_train[y_train == "attack"],
                holdout=real_attack,
                random_state=SEED,
            )
        )
    clf = HistGradientBoostingClassifier(random_state=SEED).fit(X_bal, y_bal)
    row["f1"] = f1_score(y_test, clf.predict(X_test), pos_label="attack")
    return row


def plot(table, path):
    """Bar charts of the printed metrics, one panel per metric.

    Parameters
    ----------
    table : DataFrame
        One row per sampler, the columns of :data:`COLUMNS`.
    path : Path
        PNG file to write.
    """
    metrics = list(COLUMNS)
    fig, axes = plt.subplots(3, 4, figsize=(14, 9))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        values = table[metric].dropna()
        ax.bar(values.index, values.to_numpy(), color="tab:blue")
        ax.set_title(metric, fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
    for ax in axes.flat[len(metrics) :]:
        ax.axis("off")
    fig.suptitle(f"Over-samplers on one split ({EPOCHS} epochs)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    """Run every sampler, print the table, save the CSV and the plot."""
    X_train, X_test, y_train, y_test = make_split()
    print(
        f"training rows {y_train.value_counts().to_dict()}, "
        f"test rows {y_test.value_counts().to_dict()}, epochs {EPOCHS}"
    )
    rows = {"none": evaluate("none", None, X_train, y_train, X_test, y_test)}
    for name, sampler in SAMPLERS.items():
        rows[name] = evaluate(name, sampler, X_train, y_train, X_test, y_test)
    table = pd.DataFrame.from_dict(rows, orient="index")

    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\n" + table[list(COLUMNS)].round(3).to_string())
    print("\ncolumns:")
    for key, meaning in COLUMNS.items():
        print(f"  {key}: {meaning}")

    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "compare_samplers.csv")
    plot(table, OUT / "compare_samplers.png")
    print(f"\nwrote {OUT / 'compare_samplers.csv'} and {OUT / 'compare_samplers.png'}")


if __name__ == "__main__":
    main()
