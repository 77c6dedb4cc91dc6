"""Pairwise dependency structure: correlations and categorical associations."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ._common import _as_float, _as_strings, _check_frames, _split_columns

__all__ = ["association_difference", "correlation_difference"]


def _matrix_difference(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Mean absolute off-diagonal difference and Frobenius norm of ``a - b``."""
    diff = a - b
    off = ~np.eye(len(a), dtype=bool)
    return {
        "mean_abs": float(np.abs(diff[off]).mean()),
        "frobenius": float(np.linalg.norm(diff, ord="fro")),
    }


_NAN_RESULT = {"mean_abs": float("nan"), "frobenius": float("nan")}


def _correlation_matrix(
    values: np.ndarray, method: Literal["pearson", "spearman"]
) -> np.ndarray:
    """Correlation matrix with undefined entries (constant columns) set to 0.

    The diagonal is set to 1, so a constant column adds nothing to the
    difference of two matrices through its diagonal entry.
    """
    with np.errstate(all="ignore"):
        corr = pd.DataFrame(values).corr(method=method).to_numpy(dtype=float)
    corr = np.nan_to_num(corr, nan=0.0)
    np.fill_diagonal(corr, 1.0)
    return corr


def correlation_difference(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    method: Literal["pearson", "spearman"] = "pearson",
    categorical_features: Any = "auto",
) -> dict[str, float]:
    """How far the correlation matrix of the numeric columns moved.

    Both correlation matrices are computed with :meth:`pandas.DataFrame.corr`
    (pairwise-complete observations). A correlation involving a constant
    column is undefined (NaN); it is set to 0 on both sides, and the diagonal
    to 1, so constant columns are treated the same way in both tables.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    method : {"pearson", "spearman"}, default="pearson"
        Linear (Pearson) or rank (Spearman) correlation.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical; those are skipped.

    Returns
    -------
    difference : dict
        ``"mean_abs"``: mean absolute difference of the off-diagonal entries,
        in [0, 2]; ``"frobenius"``: Frobenius norm of the difference of the
        matrices. Both are 0 for identical tables and NaN with fewer than two
        numeric columns.
    """
    _check_frames(real, ("synthetic", synthetic))
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method must be 'pearson' or 'spearman'; got {method!r}.")
    numeric, _ = _split_columns(real, categorical_features)
    if len(numeric) < 2:
        return dict(_NAN_RESULT)
    return _matrix_difference(
        _correlation_matrix(_as_float(real, numeric), method),
        _correlation_matrix(_as_float(synthetic, numeric), method),
    )


def _contingency(x: np.ndarray, y: np.ndarray, kx: int, ky: int) -> np.ndarray:
    """Contingency table of two integer-coded columns."""
    return np.bincount(x * ky + y, minlength=kx * ky).reshape(kx, ky).astype(float)


def _cramers_v(table: np.ndarray) -> float:
    """Bias-corrected Cramér's V (Bergsma 2013) of a contingency table.

    ``phi2 = chi2 / n``, ``phi2c = max(0, phi2 - (k-1)(r-1)/(n-1))``,
    ``kc = k - (k-1)^2/(n-1)``, ``rc = r - (r-1)^2/(n-1)`` and
    ``V = sqrt(phi2c / min(kc-1, rc-1))``; 0 when a column has a single level.
    """
    n = table.sum()
    r, k = table.shape
    if n < 2 or r < 2 or k < 2:
        return 0.0
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    nz = table > 0
    expected = np.outer(rows, cols)
    phi2 = float((table[nz] ** 2 / expected[nz]).sum() - 1.0)
    phi2c = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    rc = r - (r - 1) ** 2 / (n - 1)
    kc = k - (k - 1) ** 2 / (n - 1)
    denom = min(kc - 1.0, rc - 1.0)
    if denom <= 0:
        return 0.0
    return float(np.clip(np.sqrt(phi2c / denom), 0.0, 1.0))


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _theils_u(table: np.ndarray) -> float:
    """Theil's uncertainty coefficient ``U(x | y)`` of a table (rows = x).

    ``U(x | y) = (H(x) - H(x | y)) / H(x)``: the share of the entropy of ``x``
    that knowing ``y`` removes; 1 when ``x`` is constant.
    """
    p = table / table.sum()
    h_x = _entropy(p.sum(axis=1))
    if h_x <= 0:
        return 1.0
    h_x_given_y = _entropy(p.ravel()) - _entropy(p.sum(axis=0))
    return float(np.clip((h_x - h_x_given_y) / h_x, 0.0, 1.0))


def _association_matrix(frame: pd.DataFrame, columns: list, measure: str) -> np.ndarray:
    """Pairwise association matrix of categorical columns (diagonal 1)."""
    coded = [pd.factorize(_as_strings(frame[c]))[0] for c in columns]
    levels = [int(c.max()) + 1 for c in coded]
    m = len(columns)
    out = np.eye(m)
    for i in range(m):
        for j in range(m if measure == "theils_u" else i):
            if i == j:
                continue
            table = _contingency(coded[i], coded[j], levels[i], levels[j])
            if measure == "theils_u":
                out[i, j] = _theils_u(table)
            else:
                out[i, j] = out[j, i] = _cramers_v(table)
    return out


def association_difference(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    measure: Literal["cramers_v", "theils_u"] = "cramers_v",
    categorical_features: Any = "auto",
) -> dict[str, float]:
    """How far the pairwise association of the categorical columns moved.

    For every pair of categorical columns (a missing value counts as a
    category) the association is measured in each table, and the two
    association matrices are compared like correlation matrices.

    ``"cramers_v"`` is the bias-corrected Cramér's V of Bergsma (2013),
    symmetric, in [0, 1]: 1 for columns that determine each other, 0 for
    independent ones (and for a pair involving a constant column). ``"theils_u"``
    is Theil's uncertainty coefficient ``U(a | b)``, entry ``[a, b]`` of an
    asymmetric matrix, in [0, 1]: the share of the entropy of ``a`` explained
    by ``b`` (1 when ``a`` is constant).

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    measure : {"cramers_v", "theils_u"}, default="cramers_v"
        Association measure.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.

    Returns
    -------
    difference : dict
        ``"mean_abs"``: mean absolute difference of the off-diagonal entries,
        in [0, 1]; ``"frobenius"``: Frobenius norm of the difference of the
        matrices. Both are 0 for identical tables and NaN with fewer than two
        categorical columns.
    """
    _check_frames(real, ("synthetic", synthetic))
    if measure not in ("cramers_v", "theils_u"):
        raise ValueError(f"measure must be 'cramers_v' or 'theils_u'; got {measure!r}.")
    _, categorical = _split_columns(real, categorical_features)
    if len(categorical) < 2:
        return dict(_NAN_RESULT)
    return _matrix_difference(
        _association_matrix(real, categorical, measure),
        _association_matrix(synthetic, categorical, measure),
    )
