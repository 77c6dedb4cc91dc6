"""Marginal and pairwise fidelity of synthetic rows against real rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.preprocessing import QuantileTransformer

from ._common import (
    NumericScaling,
    _as_float,
    _as_strings,
    _check_frames,
    _check_scaling,
    _quantile_normal,
    _split_columns,
)

__all__ = [
    "jensen_shannon_distances",
    "ks_statistics",
    "marginal_distances",
    "marginal_fidelity",
    "quick_quality_summary",
    "wasserstein_distances",
]


def marginal_distances(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical_features: Any = "auto"
) -> pd.DataFrame:
    """Per-column distance between the real and the synthetic marginals.

    Numeric columns get the Kolmogorov-Smirnov statistic and the Wasserstein-1
    distance after a quantile-normal transform fitted on ``real`` (scale-free).
    Categorical columns get the total variation distance of category
    frequencies. Every distance is 0 for identical marginals.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical (see
        :func:`~ldm_oversample.tabular.resolve_categorical_features`).

    Returns
    -------
    distances : DataFrame
        One row per column with ``kind``, ``ks``, ``wasserstein_qn`` (numeric)
        and ``tvd`` (categorical); NaN where a distance does not apply.
    """
    _check_frames(real, ("synthetic", synthetic))
    numeric, categorical = _split_columns(real, categorical_features)
    rows = []
    if numeric:
        qt = QuantileTransformer(
            output_distribution="normal", n_quantiles=max(1, min(1000, len(real)))
        ).fit(real[numeric].to_numpy(dtype=float))
        r = qt.transform(real[numeric].to_numpy(dtype=float))
        s = qt.transform(synthetic[numeric].to_numpy(dtype=float))
        for j, col in enumerate(numeric):
            rows.append(
                dict(
                    column=col,
                    kind="numeric",
                    ks=ks_2samp(
                        real[col].to_numpy(float), synthetic[col].to_numpy(float)
                    ).statistic,
                    wasserstein_qn=wasserstein_distance(r[:, j], s[:, j]),
                    tvd=np.nan,
                )
            )
    for col in categorical:
        p = real[col].astype(object).value_counts(normalize=True)
        q = synthetic[col].astype(object).value_counts(normalize=True)
        p, q = p.align(q, fill_value=0.0)
        rows.append(
            dict(
                column=col,
                kind="categorical",
                ks=np.nan,
                wasserstein_qn=np.nan,
                tvd=0.5 * float(np.abs(p - q).sum()),
            )
        )
    return pd.DataFrame(rows).set_index("column")


def quick_quality_summary(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical_features: Any = "auto"
) -> pd.Series:
    """A handful of averaged fidelity numbers (lower is closer to real).

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.

    Returns
    -------
    summary : Series
        Mean KS statistic and mean quantile-normal Wasserstein-1 over numeric
        columns, mean total variation distance over categorical columns, and the
        mean absolute difference of the Spearman correlation matrices of the
        numeric columns.
    """
    dist = marginal_distances(real, synthetic, categorical_features)
    numeric = list(dist.index[dist["kind"] == "numeric"])
    corr_diff = np.nan
    if len(numeric) > 1:
        cr = real[numeric].corr(method="spearman").fillna(0).to_numpy()
        cs = synthetic[numeric].corr(method="spearman").fillna(0).to_numpy()
        off = ~np.eye(len(numeric), dtype=bool)
        corr_diff = float(np.abs(cr - cs)[off].mean())
    return pd.Series(
        {
            "numeric KS (mean)": dist["ks"].mean(),
            "numeric Wasserstein, quantile-normal (mean)": dist[
                "wasserstein_qn"
            ].mean(),
            "categorical TVD (mean)": dist["tvd"].mean(),
            "Spearman correlation difference (mean abs)": corr_diff,
        }
    )


def _finite_pair(r: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Both columns without missing values, or None when one side is empty."""
    r, s = r[~np.isnan(r)], s[~np.isnan(s)]
    if r.size == 0 or s.size == 0:
        return None
    return r, s


def wasserstein_distances(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_features: Any = "auto",
    numeric_scaling: NumericScaling = "quantile_normal",
) -> pd.Series:
    """Wasserstein-1 distance of every numeric column, on a common scale.

    Each numeric column of both tables goes through a quantile transform to a
    standard normal fitted on ``real``, so the distance is scale-free and reads
    in standard deviations of a normal; then
    :func:`scipy.stats.wasserstein_distance` compares the two samples. Missing
    values are dropped per column.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical (see
        :func:`~ldm_oversample.tabular.resolve_categorical_features`); those
        are skipped.
    numeric_scaling : {"quantile_normal", "none"}, default="quantile_normal"
        ``"none"`` compares the raw values instead (a distance in the units of
        the column).

    Returns
    -------
    distances : Series of float
        One value per numeric column, indexed by column name, named
        ``"wasserstein"``; 0 for identical columns, NaN for a column without
        values on one side.
    """
    _check_frames(real, ("synthetic", synthetic))
    _check_scaling(numeric_scaling)
    numeric, _ = _split_columns(real, categorical_features)
    r, s = _as_float(real, numeric), _as_float(synthetic, numeric)
    if numeric and numeric_scaling == "quantile_normal":
        qt = _quantile_normal(r)
        r, s = qt.transform(r), qt.transform(s)
    values = []
    for j in range(len(numeric)):
        pair = _finite_pair(r[:, j], s[:, j])
        values.append(np.nan if pair is None else wasserstein_distance(*pair))
    return pd.Series(values, index=pd.Index(numeric), name="wasserstein", dtype=float)


def ks_statistics(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical_features: Any = "auto"
) -> pd.Series:
    """Two-sample Kolmogorov-Smirnov statistic of every numeric column.

    The statistic is the largest gap between the two empirical distribution
    functions, in [0, 1]; it is invariant to monotone rescaling. Missing values
    are dropped per column.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical; those are skipped.

    Returns
    -------
    statistics : Series of float
        One value per numeric column, indexed by column name, named ``"ks"``;
        0 for identical columns, 1 for disjoint ranges, NaN for a column
        without values on one side.
    """
    _check_frames(real, ("synthetic", synthetic))
    numeric, _ = _split_columns(real, categorical_features)
    r, s = _as_float(real, numeric), _as_float(synthetic, numeric)
    values = []
    for j in range(len(numeric)):
        pair = _finite_pair(r[:, j], s[:, j])
        values.append(np.nan if pair is None else ks_2samp(*pair).statistic)
    return pd.Series(values, index=pd.Index(numeric), name="ks", dtype=float)


def _category_frequencies(
    r: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Category counts of two string columns over the union of categories."""
    categories, codes = np.unique(
        np.concatenate([r, s]).astype(str), return_inverse=True
    )
    k = len(categories)
    return (
        np.bincount(codes[: len(r)], minlength=k).astype(float),
        np.bincount(codes[len(r) :], minlength=k).astype(float),
    )


def _numeric_histograms(
    r: np.ndarray, s: np.ndarray, n_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counts of two numeric samples on the quantile bins of ``r``.

    The cut points are the distinct ``n_bins``-quantiles of ``r`` (ties merge
    bins, so a discrete column gets one bin per value) plus one just above the
    maximum of ``r``: values below the minimum and above the maximum of ``r``
    land in two bins of their own, where ``r`` has no mass.
    """
    q = np.quantile(r, np.linspace(0.0, 1.0, n_bins + 1))
    cuts = np.unique(np.append(q, np.nextafter(q[-1], np.inf)))
    k = len(cuts) + 1
    return (
        np.bincount(np.searchsorted(cuts, r, side="right"), minlength=k).astype(float),
        np.bincount(np.searchsorted(cuts, s, side="right"), minlength=k).astype(float),
    )


def jensen_shannon_distances(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_features: Any = "auto",
    n_bins: int = 20,
) -> pd.Series:
    """Jensen-Shannon distance of every column's marginal distribution.

    The distance is :func:`scipy.spatial.distance.jensenshannon` with
    ``base=2``: the square root of the Jensen-Shannon divergence in bits, in
    [0, 1] (0 for equal distributions, 1 for disjoint supports). Categorical
    columns compare category frequencies over the union of the categories of
    both tables, a missing value counting as a category of its own. Numeric
    columns compare histograms on the ``n_bins`` quantile bins of ``real``
    (tied quantiles merge, so a discrete column gets one bin per value), with
    one extra bin below and one above the range of ``real``; their missing
    values are dropped.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.
    n_bins : int, default=20
        Number of quantile bins of a numeric column.

    Returns
    -------
    distances : Series of float
        One value per column, in table order, named ``"jensen_shannon"``; NaN
        for a numeric column without values on one side.
    """
    _check_frames(real, ("synthetic", synthetic))
    if int(n_bins) < 1:
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}.")
    numeric, categorical = _split_columns(real, categorical_features)
    values = {}
    r_num, s_num = _as_float(real, numeric), _as_float(synthetic, numeric)
    for j, col in enumerate(numeric):
        pair = _finite_pair(r_num[:, j], s_num[:, j])
        if pair is None:
            values[col] = np.nan
            continue
        values[col] = float(
            jensenshannon(*_numeric_histograms(*pair, int(n_bins)), base=2)
        )
    for col in categorical:
        p, q = _category_frequencies(
            _as_strings(real[col]), _as_strings(synthetic[col])
        )
        values[col] = float(jensenshannon(p, q, base=2))
    return pd.Series(
        [values[c] for c in real.columns],
        index=real.columns,
        name="jensen_shannon",
        dtype=float,
    )


def _tvd_series(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical: list
) -> pd.Series:
    values = []
    for col in categorical:
        p, q = _category_frequencies(
            _as_strings(real[col]), _as_strings(synthetic[col])
        )
        values.append(0.5 * float(np.abs(p / p.sum() - q / q.sum()).sum()))
    return pd.Series(values, index=pd.Index(categorical), name="tvd", dtype=float)


def marginal_fidelity(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical_features: Any = "auto"
) -> float:
    """Overall agreement of the column marginals, in [0, 1] (1 = identical).

    ``1 - mean(d_c)`` over all columns ``c``, where ``d_c`` is the
    Kolmogorov-Smirnov statistic of a numeric column (see
    :func:`ks_statistics`) and the total variation distance of the category
    frequencies of a categorical column (a missing value counts as a
    category). Both distances are the largest difference in probability that
    the two marginals give to one event, so they share a scale; this is the
    "column shapes" score of SDMetrics. Columns whose distance is undefined
    (no values on one side) are left out of the mean.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.

    Returns
    -------
    fidelity : float
        1 for identical marginals, 0 when every column is as far as it can be
        (disjoint numeric ranges, disjoint category sets); NaN when no column
        has a defined distance.
    """
    _check_frames(real, ("synthetic", synthetic))
    _, categorical = _split_columns(real, categorical_features)
    distances = np.concatenate(
        [
            ks_statistics(real, synthetic, categorical_features).to_numpy(),
            _tvd_series(real, synthetic, categorical).to_numpy(),
        ]
    )
    distances = distances[~np.isnan(distances)]
    if distances.size == 0:
        return float("nan")
    return float(1.0 - distances.mean())
