"""Tune LDMOverSampler in a GridSearchCV; show it resamples the training folds only.

An ``imblearn.pipeline.Pipeline([("resample", LDMOverSampler(...)), ("clf", ...)])``
is searched by ``sklearn.model_selection.GridSearchCV`` over two LDM parameters
(``latent_dim`` and ``n_sampling_steps``) with stratified 3-fold
cross-validation, scored by the attack-class F1.

An imbalanced-learn pipeline calls the sampler's ``fit_resample`` in ``fit``
only; in ``predict`` (and so in scoring) the sampler is skipped, and the test
fold reaches the classifier untouched. This example makes that visible:

- the classifier step, :class:`RowRecorder`, is a
  ``HistGradientBoostingClassifier`` that records a hash of every row it is
  fitted on and every row it predicts;
- the scorer, :class:`FoldCheckScorer`, compares those hashes with the rows of
  the original table and reports, per fold, the rows of the training fold,
  the rows the classifier was fitted on (original plus synthetic), and the
  rows it predicted (all original, none synthetic). These counts land in
  ``cv_results_`` next to the F1 (``split0_test_n_fit_rows`` and so on), so
  the check works wherever the folds run, in worker processes too
  (``scale_out_dask.py`` reuses this module).

The script asserts that every test fold held only original rows and prints
``fold check: OK``.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=30
    Training epochs of each LDM (the grid fits 13 of them: 4 candidates x 3
    folds, plus the refit; the test suite uses 2).

Runs in about a minute on a laptop CPU.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from ldm_oversample import LDMOverSampler
from ldm_oversample.datasets import make_imbalanced_mixed

#: Training epochs of each LDM; the tests shrink it through the environment.
EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "30"))
SEED = 0
#: The LDM parameters searched.
PARAM_GRID = {
    "resample__latent_dim": [4, 8],
    "resample__n_sampling_steps": [5, 20],
}


def make_data(random_state=SEED):
    """A small mixed-type imbalanced table (about 3% attack rows).

    Parameters
    ----------
    random_state : int, default=0
        Seed of the generator.

    Returns
    -------
    X : DataFrame of shape (1200, 5)
        Float, categorical and boolean columns (``n_packets``, which nearly
        separates the classes alone, is left out).
    y : Series of shape (1200,)
        ``"benign"`` or ``"attack"``.
    """
    X, y = make_imbalanced_mixed(
        n_samples=1200, minority_fraction=0.03, random_state=random_state
    )
    return X.drop(columns="n_packets"), y


def row_hashes(X):
    """One 64-bit hash per row of ``X`` (its values, not its index).

    Parameters
    ----------
    X : DataFrame

    Returns
    -------
    hashes : ndarray of uint64, shape (n_rows,)
    """
    return pd.util.hash_pandas_object(X, index=False).to_numpy()


class RowRecorder(ClassifierMixin, BaseEstimator):
    """A ``HistGradientBoostingClassifier`` that remembers which rows it saw.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the gradient boosting.

    Attributes
    ----------
    fit_hashes_ : ndarray of uint64
        Row hashes of the (resampled) training rows given to ``fit``.
    predict_hashes_ : ndarray of uint64
        Row hashes of the rows given to the last ``predict`` call.
    classes_ : ndarray
        Class labels.
    """

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, X, y):
        """Record the rows, then fit the gradient boosting on them."""
        self.fit_hashes_ = row_hashes(X)
        self.model_ = HistGradientBoostingClassifier(random_state=self.random_state)
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        """Record the rows, then predict them."""
        self.predict_hashes_ = row_hashes(X)
        return self.model_.predict(X)


class FoldCheckScorer:
    """Scorer: attack F1, plus where the rows of the fold came from.

    Parameters
    ----------
    X : DataFrame
        The original table given to ``GridSearchCV.fit``: any row not in it
        is synthetic.
    pos_label : str, default="attack"
        The class whose F1 is the score.

    Notes
    -----
    Called as ``scorer(fitted_pipeline, X_test, y_test)`` on each test fold,
    it returns a dict, so ``GridSearchCV`` records every entry in
    ``cv_results_`` (``mean_test_f1``, ``split0_test_n_fit_rows``, ...).
    """

    def __init__(self, X, pos_label="attack"):
        self.n_rows = len(X)
        self.original = set(row_hashes(X).tolist())
        self.pos_label = pos_label

    def _n_synthetic(self, hashes):
        return int(sum(h not in self.original for h in hashes.tolist()))

    def __call__(self, estimator, X_test, y_test):
        clf = estimator[-1]
        y_pred = estimator.predict(X_test)  # records the rows clf predicts
        return {
            "f1": f1_score(y_test, y_pred, pos_label=self.pos_label),
            "n_train_fold_rows": self.n_rows - len(X_test),
            "n_fit_rows": len(clf.fit_hashes_),
            "n_fit_synthetic": self._n_synthetic(clf.fit_hashes_),
            "n_test_fold_rows": len(X_test),
            "n_predicted_rows": len(clf.predict_hashes_),
            "n_predicted_synthetic": self._n_synthetic(clf.predict_hashes_),
        }


def make_search(X, epochs=EPOCHS, n_jobs=None):
    """The grid search: LDM then classifier, 3 stratified folds.

    Parameters
    ----------
    X : DataFrame
        The table to be searched on (for the scorer's row check).
    epochs : int, default=EPOCHS
        Training epochs of each LDM.
    n_jobs : int or None, default=None
        Parallel fits (``-1`` uses every worker of the joblib backend).

    Returns
    -------
    GridSearchCV
        Unfitted; ``refit="f1"`` refits the best candidate on all rows.
    """
    pipe = Pipeline(
        [
            (
                "resample",
                LDMOverSampler(
                    ae_hidden_dims=(64, 64),
                    denoiser_width=64,
                    denoiser_depth=2,
                    max_epochs=epochs,
                    random_state=SEED,
                ),
            ),
            ("clf", RowRecorder(random_state=SEED)),
        ]
    )
    return GridSearchCV(
        pipe,
        PARAM_GRID,
        scoring=FoldCheckScorer(X),
        refit="f1",
        cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED),
        n_jobs=n_jobs,
        error_score="raise",
    )


def fold_table(search):
    """Per candidate and fold, the row counts the scorer recorded.

    Parameters
    ----------
    search : fitted GridSearchCV from :func:`make_search`

    Returns
    -------
    DataFrame
        One row per candidate and fold.
    """
    res = search.cv_results_
    keys = [
        "n_train_fold_rows",
        "n_fit_rows",
        "n_fit_synthetic",
        "n_test_fold_rows",
        "n_predicted_rows",
        "n_predicted_synthetic",
    ]
    rows = []
    for i, params in enumerate(res["params"]):
        for fold in range(search.n_splits_):
            row = {
                "latent_dim": params["resample__latent_dim"],
                "n_sampling_steps": params["resample__n_sampling_steps"],
                "fold": fold,
            }
            row.update({k: int(res[f"split{fold}_test_{k}"][i]) for k in keys})
            rows.append(row)
    return pd.DataFrame(rows)


def check_folds(table):
    """Assert that resampling touched the training folds only.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`fold_table`.

    Raises
    ------
    AssertionError
        If a test fold held a synthetic row or was not predicted whole, or if
        a classifier was fitted without synthetic rows.
    """
    assert (table["n_predicted_synthetic"] == 0).all(), "synthetic rows in a test fold"
    assert (table["n_predicted_rows"] == table["n_test_fold_rows"]).all()
    assert (table["n_fit_synthetic"] > 0).all(), "a training fold was not resampled"
    assert (
        table["n_fit_rows"] == table["n_train_fold_rows"] + table["n_fit_synthetic"]
    ).all()


def main():
    """Run the search, print the scores and the fold check."""
    X, y = make_data()
    print(f"{len(X)} rows: {y.value_counts().to_dict()}; LDM epochs: {EPOCHS}")
    search = make_search(X).fit(X, y)

    scores = pd.DataFrame(search.cv_results_["params"]).rename(
        columns=lambda c: c.removeprefix("resample__")
    )
    scores["mean_test_f1"] = search.cv_results_["mean_test_f1"]
    scores["std_test_f1"] = search.cv_results_["std_test_f1"]
    print("\nattack-class F1 per candidate (3-fold CV):")
    print(scores.round(3).to_string(index=False))
    print("best params:", search.best_params_, f"F1={search.best_score_:.3f}")

    table = fold_table(search)
    print("\nrows per fold (the classifier step recorded them):")
    print(table.to_string(index=False))
    check_folds(table)
    n_synth = sorted(set(table["n_fit_synthetic"]))
    print(
        f"fold check: OK - {len(table)} fits; every classifier was fitted on its "
        f"training fold plus {'/'.join(map(str, n_synth))} synthetic rows, and "
        "every test fold was predicted whole, with 0 synthetic rows"
    )
    assert np.isfinite(search.best_score_)


if __name__ == "__main__":
    main()
