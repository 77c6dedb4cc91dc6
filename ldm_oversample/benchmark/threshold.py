"""Decision thresholds tuned by cross-validation inside the training split.

A classifier trained on imbalanced rows predicts the rare class too seldom at
the default threshold of 0.5; moving the threshold is the cheapest fix there
is, so every sampler is also scored with a tuned one. As in
:class:`sklearn.model_selection.TunedThresholdClassifierCV`, the threshold
maximises the F1 averaged over validation folds on a common grid; unlike it,
the sampler runs inside each fold (on the fold's training rows only, so no
synthetic row reaches a validation fold), and the classifier fitted on the whole
training split is reused rather than refitted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["THRESHOLDS", "best_threshold", "f1_curve"]

#: The candidate thresholds: P(attack) >= threshold predicts an attack.
THRESHOLDS = np.linspace(0.005, 0.995, 199)


def f1_curve(
    y_true: np.ndarray, proba: np.ndarray, thresholds: np.ndarray = THRESHOLDS
) -> np.ndarray:
    """F1 of the positive class (1) at each threshold.

    Parameters
    ----------
    y_true : ndarray of {0, 1}
    proba : ndarray of float
        P(class 1) per row.
    thresholds : ndarray, default=THRESHOLDS

    Returns
    -------
    f1 : ndarray of shape (len(thresholds),)
        0 where nothing is predicted positive and nothing is positive.
    """
    y_true = np.asarray(y_true).astype(bool)
    predicted = np.asarray(proba)[None, :] >= np.asarray(thresholds)[:, None]
    tp = (predicted & y_true).sum(axis=1)
    fp = (predicted & ~y_true).sum(axis=1)
    fn = (~predicted & y_true).sum(axis=1)
    denominator = 2 * tp + fp + fn
    return np.divide(
        2.0 * tp, denominator, out=np.zeros(len(tp)), where=denominator > 0
    )


def best_threshold(
    curves: Sequence[np.ndarray], thresholds: np.ndarray = THRESHOLDS
) -> float:
    """The threshold of the highest mean F1 over folds.

    Parameters
    ----------
    curves : sequence of ndarray
        One :func:`f1_curve` per validation fold, on ``thresholds``.
    thresholds : ndarray, default=THRESHOLDS

    Returns
    -------
    threshold : float
        Where the mean is flat at its maximum (common with a forest's coarse
        probabilities), the middle of that stretch, which is the choice least
        sensitive to the folds.
    """
    if not len(curves):
        raise ValueError("best_threshold needs at least one fold's curve")
    mean = np.mean(np.stack(curves), axis=0)
    best = np.flatnonzero(np.isclose(mean, mean.max(), rtol=0, atol=1e-12))
    # The longest run of consecutive best thresholds, then its middle.
    runs = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
    run = max(runs, key=len)
    return float(thresholds[run[len(run) // 2]])
