"""Privacy: how close synthetic rows come to the training rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ._common import (
    NumericScaling,
    _check_frames,
    _embed,
    _nearest,
    _row_hashes,
    _split_columns,
)

__all__ = [
    "distance_to_closest_record",
    "exact_duplicate_rate",
    "nearest_neighbour_distance_ratio",
]


def _privacy_metrics(
    synthetic: np.ndarray,
    train: np.ndarray,
    holdout: np.ndarray | None = None,
    random_state: Any = None,
) -> dict[str, float]:
    """DCR medians, the closer-to-train share and NNDR on embedded matrices."""
    nan = float("nan")
    k = min(2, len(train))
    d_train, _ = _nearest(synthetic, train, k)
    out = dict(
        dcr_train=float(np.median(d_train[:, 0])),
        dcr_holdout=nan,
        share_closer_to_train=nan,
        nndr=nan,
    )
    if k == 2:
        d1, d2 = d_train[:, 0], d_train[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(d2 > 0, d1 / d2, 0.0)
        out["nndr"] = float(np.median(ratio))
    if holdout is not None:
        d_hold, _ = _nearest(synthetic, holdout, 1)
        out["dcr_holdout"] = float(np.median(d_hold[:, 0]))
        size = min(len(train), len(holdout))
        rng = check_random_state(random_state)
        near_train, near_hold = d_train[:, 0], d_hold[:, 0]
        if len(train) > size:
            rows = rng.choice(len(train), size=size, replace=False)
            near_train = _nearest(synthetic, train[rows], 1)[0][:, 0]
        if len(holdout) > size:
            rows = rng.choice(len(holdout), size=size, replace=False)
            near_hold = _nearest(synthetic, holdout[rows], 1)[0][:, 0]
        closer = np.where(near_train < near_hold, 1.0, 0.0)
        closer[near_train == near_hold] = 0.5
        out["share_closer_to_train"] = float(closer.mean())
    return out


def distance_to_closest_record(
    synthetic: pd.DataFrame,
    train: pd.DataFrame,
    holdout: pd.DataFrame | None = None,
    categorical_features: Any = "auto",
    numeric_scaling: NumericScaling = "quantile_normal",
    random_state: Any = None,
) -> dict[str, float]:
    """Distance of each synthetic row to its closest training (and holdout) row.

    Rows are embedded in one space fitted on ``train`` (numeric columns
    quantile-normal, categorical columns one-hot scaled by ``1/sqrt(2)``, so
    one differing category is at distance 1) and compared with exact
    Euclidean distances.

    ``share_closer_to_train`` is the share of synthetic rows whose nearest
    training row is closer than their nearest holdout row (a tie counts one
    half). To make 0.5 the ideal value whatever the sizes, the larger of
    ``train`` and ``holdout`` is subsampled to the size of the smaller one for
    this share (seeded by ``random_state``). A generator that memorises its
    training rows pushes it towards 1; if ``train`` and ``holdout`` are iid
    samples of the same population, a generator that does not pushes it
    towards 0.5.

    Parameters
    ----------
    synthetic : DataFrame
        Generated rows.
    train : DataFrame
        Rows the generator was fitted on, with the same columns in the same
        order.
    holdout : DataFrame or None, default=None
        Real rows the generator never saw, from the same population.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical (resolved on ``train``).
    numeric_scaling : {"quantile_normal", "none"}, default="quantile_normal"
        Scaling of the numeric columns in the embedding (``"none"``: raw).
    random_state : int, RandomState instance or None, default=None
        Seed of the train/holdout subsampling.

    Returns
    -------
    scores : dict
        ``"dcr_train"``: median distance to the closest training row (0 when
        the synthetic rows copy training rows); ``"dcr_holdout"``: the same
        for ``holdout``; ``"share_closer_to_train"`` in [0, 1]. The last two
        are NaN without ``holdout``.
    """
    frames = [("synthetic", synthetic)]
    if holdout is not None:
        frames.append(("holdout", holdout))
    _check_frames(train, *frames, reference_name="train")
    mats = _embed(
        train,
        synthetic,
        *([] if holdout is None else [holdout]),
        categorical_features=categorical_features,
        numeric_scaling=numeric_scaling,
    )
    out = _privacy_metrics(
        mats[1], mats[0], mats[2] if holdout is not None else None, random_state
    )
    return {
        key: out[key] for key in ("dcr_train", "dcr_holdout", "share_closer_to_train")
    }


def nearest_neighbour_distance_ratio(
    synthetic: pd.DataFrame,
    train: pd.DataFrame,
    categorical_features: Any = "auto",
    numeric_scaling: NumericScaling = "quantile_normal",
) -> float:
    """Median nearest-neighbour distance ratio of synthetic to training rows.

    For each synthetic row, ``d1 / d2`` with ``d1`` and ``d2`` its distances
    to its nearest and second-nearest training rows, on the embedding of
    :func:`distance_to_closest_record`; ``0 / 0`` (a copy of a duplicated
    training row) counts as 0.

    Parameters
    ----------
    synthetic : DataFrame
        Generated rows.
    train : DataFrame
        Rows the generator was fitted on, with the same columns in the same
        order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical (resolved on ``train``).
    numeric_scaling : {"quantile_normal", "none"}, default="quantile_normal"
        Scaling of the numeric columns in the embedding (``"none"``: raw).

    Returns
    -------
    nndr : float
        In [0, 1]: near 0 when synthetic rows sit on training rows (copies),
        closer to 1 when they are about as far from their nearest training row
        as from the next one. NaN when ``train`` has fewer than 2 rows.
    """
    _check_frames(train, ("synthetic", synthetic), reference_name="train")
    et, es = _embed(
        train,
        synthetic,
        categorical_features=categorical_features,
        numeric_scaling=numeric_scaling,
    )
    return _privacy_metrics(es, et)["nndr"]


def exact_duplicate_rate(
    synthetic: pd.DataFrame, train: pd.DataFrame, categorical_features: Any = "auto"
) -> float:
    """Share of synthetic rows that exactly equal some training row.

    Rows are compared through a 64-bit hash of their values (numeric columns
    as float64, so ``1`` and ``1.0`` match; categorical columns as strings;
    missing values match missing values); a hash collision between distinct
    rows is negligibly unlikely.

    Parameters
    ----------
    synthetic : DataFrame
        Generated rows.
    train : DataFrame
        Rows the generator was fitted on, with the same columns in the same
        order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical (resolved on ``train``).

    Returns
    -------
    rate : float
        In [0, 1]: 1 when every synthetic row copies a training row, 0 when
        none does.
    """
    _check_frames(train, ("synthetic", synthetic), reference_name="train")
    numeric, categorical = _split_columns(train, categorical_features)
    seen = _row_hashes(train, numeric, categorical)
    return float(np.isin(_row_hashes(synthetic, numeric, categorical), seen).mean())
