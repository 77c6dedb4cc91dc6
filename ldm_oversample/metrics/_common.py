"""Input checks, column typing and the shared embedding of the metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils import check_random_state

from ..tabular import resolve_categorical_features

NumericScaling = Literal["quantile_normal", "none"]

#: Label of a missing categorical value (it counts as a category of its own).
_MISSING = "<NA>"

#: Most distances held in memory at once by the chunked nearest-neighbour passes.
_CHUNK_ENTRIES = 4_000_000


def _check_frames(
    reference: Any,
    *others: tuple[str, Any],
    reference_name: str = "real",
) -> None:
    """Check DataFrames: non-empty, with the columns of ``reference`` in order."""
    named = [(reference_name, reference), *others]
    for name, frame in named:
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"{name} must be a pandas DataFrame; got {type(frame).__name__}."
            )
    for name, frame in named[1:]:
        if list(frame.columns) != list(reference.columns):
            raise ValueError(
                f"{reference_name} and {name} must have the same columns in the "
                "same order."
            )
    if reference.shape[1] == 0:
        raise ValueError(f"{reference_name} has no columns.")
    for name, frame in named:
        if len(frame) == 0:
            raise ValueError(f"{name} is empty; at least one row is needed.")


def _split_columns(frame: pd.DataFrame, categorical_features: Any) -> tuple[list, list]:
    """Numeric and categorical column names, in table order."""
    mask = resolve_categorical_features(frame, categorical_features)
    columns = list(frame.columns)
    numeric = [c for c, m in zip(columns, mask, strict=True) if not m]
    categorical = [c for c, m in zip(columns, mask, strict=True) if m]
    return numeric, categorical


def _as_float(frame: pd.DataFrame, columns: list) -> np.ndarray:
    """The given columns as a float matrix (missing values become NaN)."""
    if not columns:
        return np.empty((len(frame), 0))
    return frame[columns].to_numpy(dtype=float, na_value=np.nan)


def _as_strings(column: pd.Series) -> np.ndarray:
    """A categorical column as strings, a missing value as its own category."""
    values = column.astype(object).to_numpy()
    missing = pd.isna(values)
    out = np.array([str(v) for v in values], dtype=object)
    out[missing] = _MISSING
    return out


def _row_hashes(frame: pd.DataFrame, numeric: list, categorical: list) -> np.ndarray:
    """A 64-bit hash per row: numbers as float64, categories as strings."""
    parts = {}
    values = _as_float(frame, numeric) + 0.0  # -0.0 and 0.0 hash alike
    for j in range(len(numeric)):
        parts[f"n{j}"] = np.where(np.isnan(values[:, j]), np.nan, values[:, j])
    for j, col in enumerate(categorical):
        parts[f"c{j}"] = _as_strings(frame[col])
    normalised = pd.DataFrame(parts, index=pd.RangeIndex(len(frame)))
    return pd.util.hash_pandas_object(normalised, index=False).to_numpy()


def _quantile_normal(reference: np.ndarray) -> QuantileTransformer:
    """A quantile transform to a standard normal, fitted on ``reference``."""
    return QuantileTransformer(
        output_distribution="normal",
        n_quantiles=max(1, min(1000, len(reference))),
        subsample=100_000,
        random_state=0,
    ).fit(reference)


def _check_scaling(numeric_scaling: str) -> None:
    if numeric_scaling not in ("quantile_normal", "none"):
        raise ValueError(
            "numeric_scaling must be 'quantile_normal' or 'none'; got "
            f"{numeric_scaling!r}."
        )


def _embed(
    reference: pd.DataFrame,
    *others: pd.DataFrame,
    categorical_features: Any = "auto",
    numeric_scaling: NumericScaling = "quantile_normal",
) -> list[np.ndarray]:
    """Embed tables in one shared Euclidean space, fitted on ``reference``.

    Numeric columns: a missing value is replaced by the median of
    ``reference``; then, with ``numeric_scaling="quantile_normal"``, a quantile
    transform to a standard normal fitted on ``reference`` (scale-free, values
    outside the reference range are clipped to about +-5.2); with ``"none"``
    the raw values are used. Categorical columns: a one-hot encoding over the
    union of the categories seen in all tables, scaled by ``1/sqrt(2)`` so that
    two rows that differ in one category are at distance 1 (one standard
    deviation of a quantile-normal numeric column).

    Returns one float matrix per table, ``reference`` first.
    """
    _check_scaling(numeric_scaling)
    numeric, categorical = _split_columns(reference, categorical_features)
    frames = [reference, *others]
    blocks: list[list[np.ndarray]] = [[] for _ in frames]
    if numeric:
        ref = _as_float(reference, numeric)
        with np.errstate(all="ignore"):
            fill = np.asarray(pd.DataFrame(ref).median(), dtype=float)
        fill = np.where(np.isnan(fill), 0.0, fill)
        mats = [_as_float(f, numeric) for f in frames]
        mats = [np.where(np.isnan(m), fill, m) for m in mats]
        if numeric_scaling == "quantile_normal":
            qt = _quantile_normal(mats[0])
            mats = [qt.transform(m) for m in mats]
        for block, m in zip(blocks, mats, strict=True):
            block.append(m)
    scale = 1.0 / np.sqrt(2.0)
    for col in categorical:
        values = [_as_strings(f[col]) for f in frames]
        categories = np.unique(np.concatenate(values).astype(str))
        for block, v in zip(blocks, values, strict=True):
            codes = np.searchsorted(categories, v.astype(str))
            onehot = np.zeros((len(v), len(categories)))
            onehot[np.arange(len(v)), codes] = scale
            block.append(onehot)
    return [np.hstack(block) if block else np.empty((0, 0)) for block in blocks]


def _chunks(n_rows: int, n_cols: int) -> Iterator[slice]:
    """Row slices of a distance matrix that keep each chunk small."""
    step = max(1, _CHUNK_ENTRIES // max(1, n_cols))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


def _nearest(
    query: np.ndarray, ref: np.ndarray, k: int, exclude_self: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Euclidean distances and indices of the ``k`` nearest ``ref`` rows.

    Distances come from :func:`scipy.spatial.distance.cdist`, so a copy of a
    row is at distance exactly 0. With ``exclude_self`` (``query is ref``) a
    row is not its own neighbour, though an identical duplicate row is.
    Returns two arrays of shape ``(len(query), k)``, sorted by distance.
    """
    dist = np.empty((len(query), k))
    index = np.empty((len(query), k), dtype=np.intp)
    for rows in _chunks(len(query), len(ref)):
        d = cdist(query[rows], ref)
        if exclude_self:
            d[np.arange(d.shape[0]), np.arange(rows.start, rows.stop)] = np.inf
        if k < d.shape[1]:
            idx = np.argpartition(d, k - 1, axis=1)[:, :k]
        else:
            idx = np.tile(np.arange(d.shape[1]), (d.shape[0], 1))
        part = np.take_along_axis(d, idx, axis=1)
        order = np.argsort(part, axis=1, kind="stable")
        dist[rows] = np.take_along_axis(part, order, axis=1)
        index[rows] = np.take_along_axis(idx, order, axis=1)
    return dist, index


def _subsample(
    frame: pd.DataFrame, max_rows: int | None, random_state: Any
) -> pd.DataFrame:
    """At most ``max_rows`` rows of ``frame``, drawn without replacement."""
    if max_rows is None or len(frame) <= max_rows:
        return frame
    rng = check_random_state(random_state)
    rows = np.sort(rng.choice(len(frame), size=max_rows, replace=False))
    return frame.iloc[rows]
