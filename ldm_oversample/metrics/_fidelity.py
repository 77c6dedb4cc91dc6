"""Marginal and pairwise fidelity of synthetic rows against real rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.preprocessing import QuantileTransformer

from ..tabular import resolve_categorical_features

__all__ = ["marginal_distances", "quick_quality_summary"]


def _split_columns(real: pd.DataFrame, categorical_features) -> tuple[list, list]:
    mask = resolve_categorical_features(real, categorical_features)
    columns = list(real.columns)
    numeric = [c for c, m in zip(columns, mask, strict=True) if not m]
    categorical = [c for c, m in zip(columns, mask, strict=True) if m]
    return numeric, categorical


def marginal_distances(
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical_features="auto"
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
    if list(real.columns) != list(synthetic.columns):
        raise ValueError(
            "real and synthetic must have the same columns in the same order."
        )
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
    real: pd.DataFrame, synthetic: pd.DataFrame, categorical_features="auto"
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
