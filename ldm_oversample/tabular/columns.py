"""Column typing and the column-level helpers the tabular encoder shares.

:class:`ColumnSpan` says where one original column lives in an encoded matrix;
:func:`resolve_categorical_features` decides which columns are categorical;
the rest read columns out of a table and check them, with messages that name
the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["ColumnSpan", "resolve_categorical_features"]


@dataclass(frozen=True)
class ColumnSpan:
    """One original column and where it lives in the encoded matrix.

    Parameters
    ----------
    name : object
        Column name (DataFrame input) or positional index (array input).
    kind : {"numeric", "categorical"}
        How the column is encoded.
    start, stop : int
        Slice ``[start, stop)`` of the encoded matrix holding this column. A
        numeric span has width 1, except under mode-specific normalisation,
        where it holds the scalar ``alpha`` at ``start`` followed by a one-hot
        of the mode (see :attr:`n_modes`).
    position : int
        Position of the column in the original table.
    categories : ndarray or None
        Observed categories, in one-hot order (categorical spans only).
    """

    name: Any
    kind: Literal["numeric", "categorical"]
    start: int
    stop: int
    position: int
    categories: np.ndarray | None = None

    @property
    def width(self) -> int:
        """Number of encoded dimensions of this column."""
        return self.stop - self.start

    @property
    def n_modes(self) -> int:
        """Width of the mode one-hot of a mode-specific numeric span, else 0."""
        return self.width - 1 if self.kind == "numeric" else 0


def _is_categorical_dtype(dtype: Any) -> bool:
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _column_names(X: Any) -> list[Any]:
    if isinstance(X, pd.DataFrame):
        return list(X.columns)
    return list(range(X.shape[1]))


def resolve_categorical_features(X: Any, categorical_features: Any) -> np.ndarray:
    """Turn a ``categorical_features`` specification into a boolean mask.

    Parameters
    ----------
    X : DataFrame or ndarray of shape (n_samples, n_features)
        The table whose columns are classified.
    categorical_features : "auto", None, array-like of int, str or bool
        ``"auto"`` marks ``category``, ``object``, ``string`` and ``bool`` dtypes
        of a DataFrame as categorical; for an array it marks every column of a
        ``bool`` array, and object-array columns holding non-numeric values.
        ``None`` (or an empty list) marks no column. Otherwise a boolean mask of
        length ``n_features``, integer indices, or column names (DataFrame only).

    Returns
    -------
    mask : ndarray of bool of shape (n_features,)
        True where the column is categorical.
    """
    names = _column_names(X)
    n_features = len(names)
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str):
        if categorical_features != "auto":
            raise ValueError(
                "categorical_features must be 'auto', None, a boolean mask, indices "
                f"or column names; got the string {categorical_features!r}."
            )
        if isinstance(X, pd.DataFrame):
            return np.array([_is_categorical_dtype(dt) for dt in X.dtypes], dtype=bool)
        if X.dtype == bool:
            return np.ones(n_features, dtype=bool)
        if X.dtype == object:
            return np.array(
                [not all(_is_number(v) for v in X[:, j]) for j in range(n_features)],
                dtype=bool,
            )
        return np.zeros(n_features, dtype=bool)

    spec = np.asarray(categorical_features)
    if spec.ndim != 1:
        raise ValueError(
            "categorical_features must be one-dimensional; got an array of shape "
            f"{spec.shape}."
        )
    mask = np.zeros(n_features, dtype=bool)
    if spec.size == 0:
        return mask
    if spec.dtype == bool:
        if spec.size != n_features:
            raise ValueError(
                f"categorical_features as a boolean mask must have length "
                f"{n_features} (the number of features); got {spec.size}."
            )
        return spec.copy()
    if all(isinstance(v, (Integral, np.integer)) for v in spec.tolist()):
        bad = [int(i) for i in spec if not -n_features <= int(i) < n_features]
        if bad:
            raise ValueError(
                f"categorical_features indices {bad} are out of range for "
                f"{n_features} features; use indices from {-n_features} to "
                f"{n_features - 1}."
            )
        mask[spec.astype(int)] = True
        return mask
    if not isinstance(X, pd.DataFrame):
        raise ValueError(
            "categorical_features given as column names requires a DataFrame X; "
            "pass integer indices or a boolean mask for arrays."
        )
    lookup = {name: j for j, name in enumerate(names)}
    unknown = [v for v in spec.tolist() if v not in lookup]
    if unknown:
        raise ValueError(
            f"categorical_features names {unknown} are not columns of X "
            f"(columns: {names[:20]}{' ...' if len(names) > 20 else ''}); name only "
            "columns of X, or use 'auto'."
        )
    for v in spec.tolist():
        mask[lookup[v]] = True
    return mask


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    uniques = np.asarray(pd.unique(np.asarray(values)))
    try:
        return np.sort(uniques)
    except TypeError:  # mixed types that cannot be ordered
        return uniques


def _as_table(X: Any) -> Any:
    """Return X as a DataFrame or a 2-D ndarray (sparse input is densified)."""
    if isinstance(X, pd.DataFrame):
        return X
    if sp.issparse(X):
        return X.toarray()
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D table; got an array of shape {X.shape}.")
    return X


def column_values(X: Any, j: int) -> np.ndarray:
    """Column ``j`` of a DataFrame or a 2-D array, as an array."""
    return X.iloc[:, j].to_numpy() if isinstance(X, pd.DataFrame) else X[:, j]


def numeric_block(X: Any, positions: Sequence[int], names: Sequence[Any]) -> np.ndarray:
    """Columns ``positions`` of ``X`` as one float64 block; ``names`` are the
    table's column names, for the messages."""
    if not positions:
        return np.empty((X.shape[0], 0))
    if isinstance(X, pd.DataFrame):
        block = np.empty((X.shape[0], len(positions)), dtype=np.float64)
        for k, j in enumerate(positions):
            block[:, k] = _numeric_column(X.iloc[:, j], [names[j]])
    else:
        block = _numeric_column(X[:, positions], [names[j] for j in positions])
    if not np.isfinite(block).all():
        bad = [
            names[positions[int(k)]]
            for k in np.flatnonzero(~np.isfinite(block).all(axis=0))
        ]
        raise ValueError(
            f"Numeric columns {bad} contain NaN or infinite values; impute or "
            "drop them before resampling."
        )
    return block


def _numeric_column(values: Any, names: list[Any]) -> np.ndarray:
    if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values):
        raise TypeError(
            f"Column {names[0]!r} has datetime dtype {values.dtype}; "
            "convert it to numbers (e.g. seconds) before resampling."
        )
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        raise TypeError(
            f"Columns {names} have datetime dtype {values.dtype}; convert them "
            "to numbers (e.g. seconds) before resampling."
        )
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Numeric columns {names} hold non-numeric values; list them in "
            "categorical_features or convert them to numbers."
        ) from exc


def is_integer_dtype(dtype: Any) -> bool:
    """Whether a column of ``dtype`` holds integers (NumPy or pandas dtype)."""
    return (
        bool(np.dtype(dtype).kind in "iu")
        if not isinstance(dtype, pd.api.extensions.ExtensionDtype)
        else pd.api.types.is_integer_dtype(dtype)
    )


def integer_ceiling(high: float, dtype: Any) -> float:
    """``high``, or the largest float64 an integer ``dtype`` holds if less.

    float64 rounds the int64 (uint64) maximum up to 2**63 (2**64), which the
    integer dtype cannot hold: values are clipped just below it.
    """
    top = np.iinfo(np.dtype(getattr(dtype, "numpy_dtype", dtype))).max
    return float(np.nextafter(float(top), 0.0)) if int(high) > top else high


def check_no_missing(values: np.ndarray, name: Any) -> None:
    """Refuse missing values in the categorical column ``name``."""
    if pd.isna(values).any():
        raise ValueError(
            f"Categorical column {name!r} contains missing values; "
            "fill them (for example with a 'missing' category) before resampling."
        )


def build_layout(
    X: Any,
    names: Sequence[Any],
    numeric: Sequence[int],
    widths: Sequence[int],
    categorical: Sequence[int],
) -> tuple[ColumnSpan, ...]:
    """The encoded layout: the ``numeric`` positions first (``widths`` wide
    each), then a one-hot block per ``categorical`` position over its sorted
    observed categories."""
    spans: list[ColumnSpan] = []
    offset = 0
    for j, width in zip(numeric, widths, strict=True):
        spans.append(ColumnSpan(names[j], "numeric", offset, offset + width, j))
        offset += width
    for j in categorical:
        values = column_values(X, j)
        check_no_missing(values, names[j])
        cats = _sorted_unique(values)
        spans.append(
            ColumnSpan(names[j], "categorical", offset, offset + len(cats), j, cats)
        )
        offset += len(cats)
    return tuple(spans)


def clip_to_fitted(
    values: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    dtypes: Sequence[Any],
    integer: np.ndarray,
) -> None:
    """Clip numeric ``values`` (rows x columns) in place to the fitted range,
    and round the integer-typed columns (whose ceiling their dtype can hold)."""
    np.clip(values, low, fitted_ceiling(high, dtypes, integer), out=values)
    values[:, integer] = np.rint(values[:, integer])


def fitted_ceiling(
    high: np.ndarray, dtypes: Sequence[Any], integer: np.ndarray
) -> np.ndarray:
    """The fitted maxima of numeric columns, lowered to what an integer dtype
    holds (see :func:`integer_ceiling`)."""
    return np.array(
        [
            integer_ceiling(h, dtype) if is_int else h
            for h, dtype, is_int in zip(high, dtypes, integer, strict=True)
        ],
        dtype=np.float64,
    )


def assemble_table(
    columns: Sequence[Any],
    n_rows: int,
    names: Sequence[Any] | None,
    dtypes: Sequence[Any],
    array_dtype: Any,
) -> Any:
    """Decoded columns as a DataFrame with ``names`` and ``dtypes``, or, when
    ``names`` is None, one array of ``array_dtype``."""
    if names is None:
        out = np.empty((n_rows, len(columns)), dtype=array_dtype)
        for j, col in enumerate(columns):
            out[:, j] = col
        return out
    data = {}
    for j, (col, dtype) in enumerate(zip(columns, dtypes, strict=True)):
        if isinstance(dtype, pd.CategoricalDtype):
            col = pd.Categorical(col, dtype=dtype)
        # An explicit Series dtype stops pandas from re-inferring (object -> str).
        data[j] = pd.Series(col, dtype=dtype)
    frame = pd.DataFrame(data)
    frame.columns = pd.Index(names)
    return frame
