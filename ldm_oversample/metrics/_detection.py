"""Classifier two-sample test: can a model tell synthetic rows from real ones?"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.utils import check_random_state

from ._common import (
    _as_float,
    _as_strings,
    _check_frames,
    _row_hashes,
    _split_columns,
)

__all__ = ["detection_auc"]

#: Most categories a column may have to use the native categorical splits of
#: HistGradientBoostingClassifier (its ``max_bins``); beyond, ordinal codes.
_MAX_NATIVE_CATEGORIES = 255


def _encode_for_trees(
    real: pd.DataFrame, synthetic: pd.DataFrame, numeric: list, categorical: list
) -> tuple[np.ndarray, np.ndarray]:
    """Stack both tables: raw numerics, categoricals as shared ordinal codes."""
    blocks = [np.vstack([_as_float(real, numeric), _as_float(synthetic, numeric)])]
    native = [False] * len(numeric)
    for col in categorical:
        values = np.concatenate([_as_strings(real[col]), _as_strings(synthetic[col])])
        _, codes = np.unique(values.astype(str), return_inverse=True)
        blocks.append(codes.astype(float)[:, None])
        native.append(int(codes.max()) + 1 <= _MAX_NATIVE_CATEGORIES)
    return np.hstack(blocks), np.asarray(native, dtype=bool)


def _twin_groups(
    hashes: np.ndarray, y: np.ndarray, rng: np.random.RandomState
) -> np.ndarray:
    """Group ids pairing each synthetic row with at most one identical real row.

    Rows with the same value hash are matched one to one across the labels
    (in random order); a matched pair forms a group of two, every other row a
    group of its own.
    """
    order = rng.permutation(len(y))
    rank = np.empty(len(y), dtype=np.int64)
    rank[order] = (
        pd.DataFrame({"h": hashes[order], "y": y[order]})
        .groupby(["h", "y"], sort=False)
        .cumcount()
        .to_numpy()
    )
    return (
        pd.DataFrame({"h": hashes, "r": rank})
        .groupby(["h", "r"], sort=False)
        .ngroup()
        .to_numpy()
    )


def _grouped_folds(
    y: np.ndarray, groups: np.ndarray, n_folds: int, rng: np.random.RandomState
) -> np.ndarray:
    """Fold of every row: whole groups, dealt round-robin within each stratum.

    A group's stratum is its label mix (only real, only synthetic, or a real
    and a synthetic twin), so the folds stay stratified by label.
    """
    n_groups = int(groups.max()) + 1
    has_real = np.bincount(groups, weights=(y == 0), minlength=n_groups) > 0
    has_syn = np.bincount(groups, weights=(y == 1), minlength=n_groups) > 0
    stratum = has_real.astype(int) + 2 * has_syn.astype(int)
    group_fold = np.empty(n_groups, dtype=int)
    offset = 0
    for value in np.unique(stratum):
        members = rng.permutation(np.flatnonzero(stratum == value))
        group_fold[members] = (np.arange(len(members)) + offset) % n_folds
        offset += len(members)
    return group_fold[groups]


def detection_auc(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_features: Any = "auto",
    cv: int = 5,
    random_state: Any = None,
) -> float:
    """Cross-validated ROC-AUC of a classifier told to separate real from synthetic.

    Real rows are labelled 0 and synthetic rows 1; the larger table is first
    subsampled to the size of the smaller one, so chance level is 0.5. A
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
    (``max_iter=50``, ``max_leaf_nodes=15``, no early stopping: quick, and as
    sensitive as the defaults on tables of a few thousand rows; leaves of at
    least ``min(20, n // 10)`` rows, ``n`` rows per table, so small tables
    still get splits) gets numeric
    columns as they are (missing values allowed) and categorical columns as
    ordinal codes over the union of both tables' categories, split natively as
    categories (ordinal splits for a column with more than 255 categories).
    The score is the mean ROC-AUC over ``cv`` folds, stratified by label,
    that keep twins together: each synthetic row that exactly equals a real
    row is paired with one such real row (one to one), and a pair always
    lands in one fold. Otherwise a synthetic copy would be scored by a model
    trained on its real twin with the opposite label, and copies of the real
    rows would score far below 0.5. A fold whose training or test part lacks a
    label is skipped.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.
    cv : int, default=5
        Number of folds (lowered to the size of the smaller table if needed).
    random_state : int, RandomState instance or None, default=None
        Seed of the subsampling, the folds and the classifier.

    Returns
    -------
    auc : float
        About 0.5 when the classifier cannot tell the tables apart (ideal, and
        what identical tables score), 1 when it separates them perfectly; NaN
        when the smaller table has fewer than 2 rows. Two independent samples
        of one distribution can score slightly below 0.5, as cross-validated
        AUCs of a flexible model do.
    """
    _check_frames(real, ("synthetic", synthetic))
    if int(cv) < 2:
        raise ValueError(f"cv must be at least 2; got {cv!r}.")
    n = min(len(real), len(synthetic))
    if n < 2:
        return float("nan")
    rng = check_random_state(random_state)
    real = real.iloc[np.sort(rng.choice(len(real), size=n, replace=False))]
    synthetic = synthetic.iloc[
        np.sort(rng.choice(len(synthetic), size=n, replace=False))
    ]
    numeric, categorical = _split_columns(real, categorical_features)
    X, native = _encode_for_trees(real, synthetic, numeric, categorical)
    y = np.repeat([0, 1], n)
    hashes = np.concatenate(
        [
            _row_hashes(real, numeric, categorical),
            _row_hashes(synthetic, numeric, categorical),
        ]
    )
    groups = _twin_groups(hashes, y, rng)
    fold = _grouped_folds(y, groups, min(int(cv), n), rng)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    clf = HistGradientBoostingClassifier(
        max_iter=50,
        max_leaf_nodes=15,
        min_samples_leaf=max(1, min(20, n // 10)),
        categorical_features=native if native.any() else None,
        early_stopping=False,
        random_state=seed,
    )
    scores = []
    for k in np.unique(fold):
        test = fold == k
        if np.unique(y[test]).size < 2 or np.unique(y[~test]).size < 2:
            continue
        model = clone(clf).fit(X[~test], y[~test])
        scores.append(roc_auc_score(y[test], model.predict_proba(X[test])[:, 1]))
    return float(np.mean(scores)) if scores else float("nan")
