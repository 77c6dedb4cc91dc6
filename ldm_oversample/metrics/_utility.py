"""Downstream utility: does oversampling the training set help a classifier?"""

from __future__ import annotations

from typing import Any

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.metrics import f1_score, precision_score, recall_score

__all__ = ["utility_scores"]


def utility_scores(
    sampler: Any,
    classifier: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    pos_label: Any,
) -> dict[str, float]:
    """Test-set scores of a classifier trained on (re)sampled training data.

    With a ``sampler``, clones of the sampler and the classifier are chained
    in an :class:`imblearn.pipeline.Pipeline` (``"sampler"``, then
    ``"classifier"``) and fitted on ``X_train, y_train``: the sampler resamples
    the training data only, the test data are just predicted, so nothing
    leaks from the test set. Without a sampler, a clone of the classifier
    alone is fitted (the no-oversampling baseline). The caller's estimators
    are left unfitted.

    Parameters
    ----------
    sampler : imbalanced-learn sampler or None
        Oversampler applied to the training data, or None for no resampling.
    classifier : scikit-learn classifier
        Classifier trained on the (resampled) training data.
    X_train, y_train : array-like or DataFrame, and array-like
        Training data.
    X_test, y_test : array-like or DataFrame, and array-like
        Untouched test data.
    pos_label : object
        Class scored by ``f1``, ``precision`` and ``recall`` (the minority
        class); it must occur in ``y_train`` or ``y_test``.

    Returns
    -------
    scores : dict
        ``"f1"``, ``"precision"`` and ``"recall"`` of ``pos_label`` (0 where
        undefined, as for a class never predicted) and ``"macro_f1"``, the
        unweighted mean F1 over the classes of ``y_test`` and the predictions.
    """
    y_train_arr, y_test_arr = np.asarray(y_train), np.asarray(y_test)
    if len(y_test_arr) == 0 or len(y_train_arr) == 0:
        raise ValueError("The training and test sets must not be empty.")
    # A set of Python labels: NumPy < 2 warns comparing a string array to a number.
    labels = set(np.unique(y_train_arr).tolist()) | set(np.unique(y_test_arr).tolist())
    if pos_label not in labels:
        raise ValueError(
            f"pos_label={pos_label!r} occurs in neither y_train nor y_test."
        )
    if sampler is None:
        model = clone(classifier)
    else:
        model = Pipeline(
            [("sampler", clone(sampler)), ("classifier", clone(classifier))]
        )
    model.fit(X_train, y_train)
    y_pred = model.predict(X_test)
    one = dict(labels=[pos_label], average="macro", zero_division=0)
    return {
        "f1": float(f1_score(y_test, y_pred, **one)),
        "precision": float(precision_score(y_test, y_pred, **one)),
        "recall": float(recall_score(y_test, y_pred, **one)),
        "macro_f1": float(f1_score(y_test, y_pred, average="macro", zero_division=0)),
    }
