"""Mixed-type tabular encoding shared by every generative sampler.

:class:`TabularEncoder` maps a table (DataFrame or array) to a dense float matrix:
numeric columns go through a quantile transform to a standard normal, categorical
columns are one-hot encoded. It records a *layout*, an ordered tuple of
:class:`ColumnSpan`, which the networks, their losses and the decoding all read.
:meth:`TabularEncoder.inverse_transform` restores the original column order,
dtypes and categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils.validation import check_is_fitted

__all__ = ["ColumnSpan", "TabularEncoder", "resolve_categorical_features"]


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
        Slice ``[start, stop)`` of the encoded matrix holding this column.
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
                f"{n_features} features."
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
            f"(columns: {names[:20]}{' ...' if len(names) > 20 else ''})."
        )
    for v in spec.tolist():
        mask[lookup[v]] = True
    return mask


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Encode mixed-type tables for neural generators, and decode them back.

    Numeric columns are mapped to a standard normal with
    :class:`~sklearn.preprocessing.QuantileTransformer`, which tames the heavy tails
    of flow statistics (rates, byte counts, inter-arrival times). Categorical
    columns are one-hot encoded over the categories observed in ``fit``. The
    encoded matrix holds the numeric block first, then one block per categorical
    column; :attr:`layout_` records where each column lives.

    Parameters
    ----------
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical; see :func:`resolve_categorical_features`.
    n_quantiles : int, default=1000
        Number of quantiles of the numeric transform (capped at the number of
        rows).
    random_state : int, RandomState instance or None, default=None
        Seed of the quantile transformer's row subsampling (used above 100k rows).

    Attributes
    ----------
    layout_ : tuple of ColumnSpan
        Encoded layout, numeric spans first.
    n_encoded_ : int
        Width of the encoded matrix.
    categorical_mask_ : ndarray of bool
        True for categorical columns, in original column order.
    quantile_transformer_ : QuantileTransformer or None
        The fitted numeric transform (None without numeric columns).
    """

    def __init__(
        self, *, categorical_features="auto", n_quantiles=1000, random_state=None
    ):
        self.categorical_features = categorical_features
        self.n_quantiles = n_quantiles
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Learn the per-column transforms and the layout.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training table.
        y : None
            Ignored.

        Returns
        -------
        self : TabularEncoder
        """
        X = _as_table(X)
        n_samples = X.shape[0]
        if n_samples == 0:
            raise ValueError("Cannot fit TabularEncoder on an empty table (0 rows).")
        self.is_dataframe_ = isinstance(X, pd.DataFrame)
        self.columns_ = _column_names(X)
        self.n_features_in_ = len(self.columns_)
        self.dtypes_ = list(X.dtypes) if self.is_dataframe_ else [X.dtype] * X.shape[1]
        self.array_dtype_ = None if self.is_dataframe_ else X.dtype
        mask = resolve_categorical_features(X, self.categorical_features)
        self.categorical_mask_ = mask

        numeric = [j for j in range(self.n_features_in_) if not mask[j]]
        categorical = [j for j in range(self.n_features_in_) if mask[j]]
        num_values = self._numeric_block(X, numeric)
        self.numeric_min_ = num_values.min(axis=0) if numeric else np.empty(0)
        self.numeric_max_ = num_values.max(axis=0) if numeric else np.empty(0)
        self.numeric_is_integer_ = np.array(
            [self._is_integer_column(X, j) for j in numeric], dtype=bool
        )
        if numeric:
            self.quantile_transformer_ = QuantileTransformer(
                n_quantiles=max(1, min(self.n_quantiles, n_samples)),
                output_distribution="normal",
                subsample=100_000,
                random_state=self.random_state,
            ).fit(num_values)
        else:
            self.quantile_transformer_ = None

        spans: list[ColumnSpan] = []
        for k, j in enumerate(numeric):
            spans.append(ColumnSpan(self.columns_[j], "numeric", k, k + 1, j))
        offset = len(numeric)
        for j in categorical:
            values = self._column(X, j)
            self._check_no_missing(values, j)
            cats = _sorted_unique(values)
            spans.append(
                ColumnSpan(
                    self.columns_[j], "categorical", offset, offset + len(cats), j, cats
                )
            )
            offset += len(cats)
        self.layout_ = tuple(spans)
        self.n_encoded_ = offset
        return self

    @property
    def numeric_spans(self) -> list[ColumnSpan]:
        """Numeric spans, in encoded order."""
        return [s for s in self.layout_ if s.kind == "numeric"]

    @property
    def categorical_spans(self) -> list[ColumnSpan]:
        """Categorical spans, in encoded order."""
        return [s for s in self.layout_ if s.kind == "categorical"]

    # ----------------------------------------------------------- transforming
    def transform(self, X):
        """Encode a table.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Table with the columns seen in ``fit``.

        Returns
        -------
        Z : ndarray of float32 of shape (n_samples, n_encoded_)
        """
        check_is_fitted(self, "layout_")
        X = _as_table(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features but TabularEncoder was fitted with "
                f"{self.n_features_in_}."
            )
        Z = np.zeros((X.shape[0], self.n_encoded_), dtype=np.float32)
        num = self.numeric_spans
        if num:
            values = self._numeric_block(X, [s.position for s in num])
            Z[:, : len(num)] = self.quantile_transformer_.transform(values)
        for span in self.categorical_spans:
            values = self._column(X, span.position)
            self._check_no_missing(values, span.position)
            codes = pd.Index(span.categories).get_indexer(values)
            unseen = codes < 0
            if unseen.any():
                raise ValueError(
                    f"Column {span.name!r} holds categories not seen in fit: "
                    f"{list(pd.unique(np.asarray(values, dtype=object)[unseen]))[:5]}."
                )
            Z[np.arange(len(codes)), span.start + codes] = 1.0
        return Z

    def category_codes(self, X_encoded: np.ndarray) -> np.ndarray:
        """Categorical codes (argmax per categorical span) of an encoded matrix.

        Parameters
        ----------
        X_encoded : ndarray of shape (n_samples, n_encoded_)

        Returns
        -------
        codes : ndarray of int64 of shape (n_samples, n_categorical)
        """
        spans = self.categorical_spans
        codes = np.empty((X_encoded.shape[0], len(spans)), dtype=np.int64)
        for k, span in enumerate(spans):
            codes[:, k] = X_encoded[:, span.start : span.stop].argmax(axis=1)
        return codes

    def inverse_transform(self, X_encoded):
        """Decode an encoded matrix back to a table in the fitted format.

        Numeric values go through the inverse quantile transform; they are clipped
        to the range observed in ``fit`` and rounded for integer columns.
        Categorical spans take the argmax of their block (one-hot or logits).

        Parameters
        ----------
        X_encoded : ndarray of shape (n_samples, n_encoded_)

        Returns
        -------
        X : DataFrame or ndarray
            A DataFrame with the fitted columns and dtypes if ``fit`` saw a
            DataFrame, otherwise an array of the fitted dtype.
        """
        check_is_fitted(self, "layout_")
        X_encoded = np.asarray(X_encoded)
        if X_encoded.ndim != 2 or X_encoded.shape[1] != self.n_encoded_:
            raise ValueError(
                f"Expected an encoded matrix with {self.n_encoded_} columns; got shape "
                f"{X_encoded.shape}."
            )
        columns: list[np.ndarray | None] = [None] * self.n_features_in_
        num = self.numeric_spans
        if num:
            z = np.asarray(X_encoded[:, : len(num)], dtype=np.float64)
            values = self.quantile_transformer_.inverse_transform(z) if len(z) else z
            np.clip(values, self.numeric_min_, self.numeric_max_, out=values)
            values[:, self.numeric_is_integer_] = np.rint(
                values[:, self.numeric_is_integer_]
            )
            for k, span in enumerate(num):
                columns[span.position] = values[:, k]
        codes = self.category_codes(X_encoded)
        for k, span in enumerate(self.categorical_spans):
            columns[span.position] = self._decode_categories(span, codes[:, k])
        return self._assemble(columns, X_encoded.shape[0])

    # ---------------------------------------------------------------- helpers
    def _column(self, X, j):
        return X.iloc[:, j].to_numpy() if isinstance(X, pd.DataFrame) else X[:, j]

    def _numeric_block(self, X, positions: Sequence[int]) -> np.ndarray:
        if not positions:
            return np.empty((X.shape[0], 0))
        if isinstance(X, pd.DataFrame):
            block = np.empty((X.shape[0], len(positions)), dtype=np.float64)
            for k, j in enumerate(positions):
                block[:, k] = self._numeric_column(X.iloc[:, j], j)
        else:
            block = self._numeric_column(X[:, positions], positions)
        if not np.isfinite(block).all():
            bad = [
                self.columns_[positions[k]]
                for k in np.flatnonzero(~np.isfinite(block).all(axis=0))
            ]
            raise ValueError(
                f"Numeric columns {bad} contain NaN or infinite values; impute or "
                "drop them before resampling."
            )
        return block

    def _numeric_column(self, values, where) -> np.ndarray:
        if isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(
            values
        ):
            raise TypeError(
                f"Column {self.columns_[where]!r} has datetime dtype {values.dtype}; "
                "convert it to numbers (e.g. seconds) before resampling."
            )
        try:
            return np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            names = (
                [self.columns_[where]]
                if isinstance(where, Integral)
                else [self.columns_[j] for j in where]
            )
            raise ValueError(
                f"Numeric columns {names} hold non-numeric values; list them in "
                "categorical_features or convert them to numbers."
            ) from exc

    def _is_integer_column(self, X, j) -> bool:
        dtype = self.dtypes_[j]
        return (
            bool(np.dtype(dtype).kind in "iu")
            if not isinstance(dtype, pd.api.extensions.ExtensionDtype)
            else pd.api.types.is_integer_dtype(dtype)
        )

    def _check_no_missing(self, values, j) -> None:
        if pd.isna(values).any():
            raise ValueError(
                f"Categorical column {self.columns_[j]!r} contains missing values; "
                "fill them (for example with a 'missing' category) before resampling."
            )

    def _decode_categories(self, span: ColumnSpan, codes: np.ndarray) -> np.ndarray:
        return span.categories[codes]

    def _assemble(self, columns: list, n_rows: int):
        if not self.is_dataframe_:
            out = np.empty((n_rows, self.n_features_in_), dtype=self.array_dtype_)
            for j, col in enumerate(columns):
                out[:, j] = col
            return out
        data = {}
        for j, (col, dtype) in enumerate(zip(columns, self.dtypes_, strict=True)):
            if isinstance(dtype, pd.CategoricalDtype):
                col = pd.Categorical(col, dtype=dtype)
            # An explicit Series dtype stops pandas from re-inferring (object -> str).
            data[j] = pd.Series(col, dtype=dtype)
        frame = pd.DataFrame(data)
        frame.columns = pd.Index(self.columns_)
        return frame


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    uniques = np.asarray(pd.unique(np.asarray(values)))
    try:
        return np.sort(uniques)
    except TypeError:  # mixed types that cannot be ordered
        return uniques


def _as_table(X: Any):
    """Return X as a DataFrame or a 2-D ndarray (sparse input is densified)."""
    if isinstance(X, pd.DataFrame):
        return X
    if sp.issparse(X):
        return X.toarray()
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D table; got an array of shape {X.shape}.")
    return X
