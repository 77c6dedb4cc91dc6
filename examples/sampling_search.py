"""Choose the LDM's sampling parameters by cross-validation, fitting it once per fold.

``n_sampling_steps``, ``solver``, ``eta``, ``noise_temperature``,
``guidance_scale`` and ``lambda_min_clipped`` are read only when rows are
generated. :class:`ldm_oversample.model_selection.SamplingSearchCV` uses that:
per fold it fits the LDM once, then generates, trains the classifier and
scores it for every grid point, with the seeds a fresh fit would use. Its
``cv_results_`` and ``best_params_`` equal ``GridSearchCV``'s on the same
grid (``tests/test_model_selection.py``; ``benchmarks/sampling_search.md``
measures the time), at one generator fit per fold instead of one per grid
point and fold.

Here: Benign vs Spoofing of CICIoT2023 with the training attack rows cut to
10% (:func:`~ldm_oversample.benchmark.scarce_split`), an
``imblearn.pipeline.Pipeline([LDMOverSampler(), RandomForest])``, 8 grid points
and 3 folds, scored by F1; then the chosen pipeline on the untouched test
split, next to the LDM at its defaults.

Reads CICIoT2023 rows with ``--data`` or ``$LDM_EXAMPLE_DATA``; without either
it runs on generated data and says so.

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
import time

import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from ldm_oversample import LDMOverSampler
from ldm_oversample.benchmark import load_ciciot2023, make_task, scarce_split
from ldm_oversample.model_selection import SamplingSearchCV

EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
SEED = 0
GRID = {
    "ldm__noise_temperature": [0.8, 1.0, 1.2, 1.4],
    "ldm__n_sampling_steps": [10, 25],
}


def pipeline():
    """The LDM at its defaults, then a random forest."""
    return Pipeline(
        [
            ("ldm", LDMOverSampler(random_state=SEED, max_epochs=EPOCHS)),
            ("model", RandomForestClassifier(200, random_state=SEED, n_jobs=-1)),
        ]
    )


def main(argv=None):
    """Search, print the grid's scores, and score the choice on the test split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("LDM_EXAMPLE_DATA"))
    args = parser.parse_args(argv)
    if args.data:
        X, y, name = make_task(load_ciciot2023(args.data), "Spoofing")
        print(f"CICIoT2023 rows, Benign vs {name}: {len(y)} rows")
    else:
        print("NOTE: no --data given, so this run uses GENERATED data, not CICIoT2023.")
        X, y = make_classification(
            n_samples=2400, n_features=10, flip_y=0.05, random_state=SEED
        )
        X = pd.DataFrame(X, columns=[f"f{i}" for i in range(10)])
    X_tr, y_tr, X_te, y_te = scarce_split(X, y, 0.1, seed=SEED)

    search = SamplingSearchCV(
        pipeline(),
        GRID,
        cv=StratifiedKFold(3, shuffle=True, random_state=SEED),
        scoring="f1",
    )
    start = time.perf_counter()
    search.fit(X_tr, y_tr)
    seconds = time.perf_counter() - start
    n_points = len(search.cv_results_["params"])
    print(
        f"{n_points} grid points x {search.n_splits_} folds in {seconds:.0f} s with "
        f"{search.n_generator_fits_} LDM fits (GridSearchCV: "
        f"{n_points * search.n_splits_ + 1})\n"
    )
    results = pd.DataFrame(search.cv_results_["params"])
    results["mean CV F1"] = search.cv_results_["mean_test_score"].round(3)
    results["rank"] = search.cv_results_["rank_test_score"]
    print(results.to_string(index=False))
    print(f"\nbest params: {search.best_params_}")

    default = pipeline().fit(X_tr, y_tr)
    print(
        "test-split attack F1: LDM defaults "
        f"{f1_score(y_te, default.predict(X_te)):.3f}, chosen by SamplingSearchCV "
        f"{f1_score(y_te, search.predict(X_te)):.3f} (one seed)"
    )


if __name__ == "__main__":
    main()
