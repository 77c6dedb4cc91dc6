"""The tabular encoder: mixed-type tables to dense float matrices and back.

:class:`TabularEncoder` encodes numeric columns with one of two codecs, each
in its own module behind the :class:`~.quantile.NumericCodec` interface
(:mod:`.quantile`, the default, and CTGAN's :mod:`.mode_specific`), one-hot
encodes categorical columns, and records a *layout*, an ordered tuple of
:class:`~.columns.ColumnSpan`, which the networks, their losses and the
decoding all read. :meth:`TabularEncoder.inverse_transform` restores the
original column order, dtypes and categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..discrete import MAX_LEVELS, fit_discrete
from .columns import (
    ColumnSpan,
    _as_table,
    _column_names,
    assemble_table,
    build_layout,
    check_no_missing,
    clip_to_fitted,
    column_values,
    is_integer_dtype,
    numeric_block,
    resolve_categorical_features,
)
from .decoding import assemble, decode_numpy
from .mode_specific import ModeSpecific, mode_posterior
from .quantile import NumericCodec, QuantileNormal, balance_labels

__all__ = ["NUMERIC_CODECS", "TabularEncoder"]

#: The numeric encodings by their ``numeric_transform`` name. A new one
#: implements :class:`~.quantile.NumericCodec` and is added here.
NUMERIC_CODECS: dict[str, NumericCodec] = {
    "quantile": QuantileNormal(),
    "mode_specific": ModeSpecific(),
}


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Encode mixed-type tables for neural generators, and decode them back.

    By default numeric columns are mapped to a standard normal with
    :class:`~sklearn.preprocessing.QuantileTransformer`, which tames the heavy
    tails of flow statistics (rates, byte counts, inter-arrival times)
    (:mod:`.quantile`). With ``numeric_transform="mode_specific"`` they get
    CTGAN's mode-specific normalisation instead (:mod:`.mode_specific`): a
    scalar and the one-hot of a mixture mode per column. Categorical columns
    are one-hot encoded over the categories observed in ``fit``. The encoded
    matrix holds the numeric spans first, then one block per categorical
    column; :attr:`layout_` records where each column lives.

    Parameters
    ----------
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical; see :func:`resolve_categorical_features`.
    n_quantiles : int, default=1000
        Number of quantiles of the numeric transform (capped at the number of
        rows). Quantile transform only.
    random_state : int, RandomState instance or None, default=None
        Seed of the quantile transformer's row subsampling (used above 100k
        rows), and of the mixture fits and the mode draws of the mode-specific
        normalisation. With an integer, :meth:`transform` is a deterministic
        function of its input. The global NumPy random state is never used.
    numeric_transform : {"quantile", "mode_specific"}, default="quantile"
        How numeric columns are encoded: one quantile-normal dimension each, or
        CTGAN's mode-specific normalisation (``1 + n_modes`` dimensions each).
    max_modes : int, default=10
        Mixture components fitted per numeric column (mode-specific only).
    mode_weight_threshold : float, default=0.005
        Components with a weight at most this are dropped (mode-specific only).
    mode_fit_max_rows : int or None, default=5000
        The mixtures are fitted on at most this many rows, drawn at random
        (every row is still encoded). None fits on every row. Mode-specific only.
    n_jobs : int or None, default=None
        Parallel jobs (joblib) for the per-column mixture fits. None is 1.
    discrete_features : "auto", None or array-like, default="auto"
        Numeric columns decoded onto the values observed in ``fit`` (nearest
        observed value) by :meth:`inverse_transform`. ``"auto"`` takes those
        with at most ``max_discrete_values`` distinct values, and rounds the
        other integer-valued ones; ``None`` decodes every numeric column
        continuously; names, positions or a boolean mask choose the columns
        (other integer-valued columns are still rounded). :meth:`from_columns`
        (used by SMOTE) does not snap.
    max_discrete_values : int, default=32
        The ``"auto"`` threshold of ``discrete_features``.
    spread_ties : bool, default=True
        Quantile transform only. A value that many rows share (a point mass,
        such as the zeros of a mostly-zero counter, or each level of a flag)
        is spread at random over the normal quantiles its rows occupy: its
        share ``p`` of rows at CDF position ``F`` maps to ``Phi^-1(U)`` with
        ``U`` uniform on ``(F - p, F)`` (a randomised probability integral
        transform), and the inverse maps that whole interval back to the
        value. Without it, every row at the column's minimum lands on the
        single extreme value ``Phi^-1(1e-7) = -5.2`` and each other tie on one
        point, spikes that a generator smears out (the zero rate of the
        generated rows then drifts). The spread is seeded by
        ``random_state``.
    quantile_balance : float in [0, 1], default=0.0
        Quantile transform only. Above 0, fit the quantiles of a mean of the
        classes' CDFs (``fit(X, y)``) in which class ``c`` of ``n_c`` rows
        weighs ``n_c ** (1 - quantile_balance)``: 1 weighs every class the
        same, so a value typical of a scarce class gets the share of the
        normal scale it has within that class
        (:func:`~.quantile.mean_class_quantiles`).

    Attributes
    ----------
    layout_ : tuple of ColumnSpan
        Encoded layout, numeric spans first.
    n_encoded_ : int
        Width of the encoded matrix.
    categorical_mask_ : ndarray of bool
        True for categorical columns, in original column order.
    quantile_transformer_ : QuantileTransformer or None
        The fitted numeric transform (None without numeric columns, or with the
        mode-specific normalisation).
    mode_means_, mode_stds_ : list of ndarray
        Mean and standard deviation of the kept modes of each numeric column, in
        encoded order (mode-specific only).
    numeric_levels_ : list of ndarray
        Observed values of each discrete numeric column (empty for the others),
        in encoded order.
    numeric_integral_ : ndarray of bool
        Non-discrete numeric columns that are rounded (integer-valued in
        ``fit``), in encoded order.
    mode_mixtures_ : list of BayesianGaussianMixture or None
        The fitted mixture of each numeric column, on the standardised column
        (None for a constant column). Mode-specific only.
    """

    def __init__(
        self,
        *,
        categorical_features: str | ArrayLike | None = "auto",
        n_quantiles: int = 1000,
        random_state: int | np.random.RandomState | None = None,
        numeric_transform: str = "quantile",
        max_modes: int = 10,
        mode_weight_threshold: float = 0.005,
        mode_fit_max_rows: int | None = 5000,
        n_jobs: int | None = None,
        discrete_features: str | ArrayLike | None = "auto",
        max_discrete_values: int = MAX_LEVELS,
        spread_ties: bool = True,
        quantile_balance: float = 0.0,
    ) -> None:
        self.categorical_features = categorical_features
        self.n_quantiles = n_quantiles
        self.random_state = random_state
        self.numeric_transform = numeric_transform
        self.max_modes = max_modes
        self.mode_weight_threshold = mode_weight_threshold
        self.mode_fit_max_rows = mode_fit_max_rows
        self.n_jobs = n_jobs
        self.discrete_features = discrete_features
        self.max_discrete_values = max_discrete_values
        self.spread_ties = spread_ties
        self.quantile_balance = quantile_balance

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any = None) -> TabularEncoder:
        """Learn the per-column transforms and the layout.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Training table.
        y : array-like of shape (n_samples,) or None, default=None
            Class of each row; needed with ``quantile_balance`` above 0 (and
            otherwise ignored).

        Returns
        -------
        self : TabularEncoder
        """
        X = _as_table(X)
        n_samples = X.shape[0]
        if n_samples == 0:
            raise ValueError("Cannot fit TabularEncoder on an empty table (0 rows).")
        if self.numeric_transform not in NUMERIC_CODECS:
            raise ValueError(
                "numeric_transform must be 'quantile' or 'mode_specific'; got "
                f"{self.numeric_transform!r}."
            )
        self.is_dataframe_ = isinstance(X, pd.DataFrame)
        self.columns_ = _column_names(X)
        self.n_features_in_ = len(self.columns_)
        self.dtypes_ = list(X.dtypes) if self.is_dataframe_ else [X.dtype] * X.shape[1]
        self.array_dtype_ = None if self.is_dataframe_ else X.dtype
        mask = resolve_categorical_features(X, self.categorical_features)
        self.categorical_mask_ = mask

        numeric = [j for j in range(self.n_features_in_) if not mask[j]]
        categorical = [j for j in range(self.n_features_in_) if mask[j]]
        num_values = numeric_block(X, numeric, self.columns_)
        self.numeric_min_ = num_values.min(axis=0) if numeric else np.empty(0)
        self.numeric_max_ = num_values.max(axis=0) if numeric else np.empty(0)
        self.numeric_is_integer_ = np.array(
            [is_integer_dtype(self.dtypes_[j]) for j in numeric], dtype=bool
        )
        self.numeric_levels_, self.numeric_integral_ = fit_discrete(
            num_values,
            self.discrete_features,
            self.columns_,
            numeric,
            self.max_discrete_values,
        )
        self.quantile_transformer_ = None
        labels = balance_labels(self, y, n_samples)
        widths = self._codec().fit(self, num_values, labels) if numeric else []

        self.layout_ = build_layout(X, self.columns_, numeric, widths, categorical)
        self.n_encoded_ = self.layout_[-1].stop if self.layout_ else 0
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
    def transform(self, X: Any) -> np.ndarray:
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
            values = numeric_block(X, [s.position for s in num], self.columns_)
            self._codec().encode(self, values, num, Z)
        for span in self.categorical_spans:
            assert span.categories is not None  # set on every categorical span
            values = column_values(X, span.position)
            check_no_missing(values, span.name)
            codes = pd.Index(span.categories).get_indexer(values)
            unseen = codes < 0
            if unseen.any():
                raise ValueError(
                    f"Column {span.name!r} holds categories not seen in fit: "
                    f"{list(pd.unique(np.asarray(values, dtype=object)[unseen]))[:5]}."
                )
            Z[np.arange(len(codes)), span.start + codes] = 1.0
        return Z

    def mode_posterior(self, values: np.ndarray) -> list[np.ndarray]:
        """Posterior probabilities of the kept modes of each numeric column.

        As in CTGAN, ``1e-6`` is added to every probability before normalising,
        so that every mode keeps a tiny chance.

        Parameters
        ----------
        values : ndarray of shape (n_samples, n_numeric)
            Numeric columns, in encoded order.

        Returns
        -------
        probs : list of ndarray of shape (n_samples, n_modes)
        """
        check_is_fitted(self, "mode_means_")
        return mode_posterior(self, values)

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

    def inverse_transform(self, X_encoded: ArrayLike) -> Any:
        """Decode an encoded matrix back to a table in the fitted format.

        Numeric values go through the inverse quantile transform; discrete
        columns are snapped to their nearest observed value and integer-valued
        ones rounded (see ``discrete_features``); all are clipped to the range
        observed in ``fit`` and rounded for integer columns.
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
        return assemble(self, *decode_numpy(self, X_encoded))

    def from_columns(self, columns: Sequence[np.ndarray]) -> Any:
        """Assemble decoded columns into a table in the fitted format.

        The shared last step of decoding, also used by samplers that generate in
        data space (SMOTE): numeric values are clipped to the range observed in
        ``fit`` and rounded for integer columns; every column gets its fitted
        dtype, and the table its fitted container and column names.

        Parameters
        ----------
        columns : sequence of array-like of shape (n_samples,)
            One array per original column, in the original order: numbers for
            numeric columns (in original units), category values for categorical
            ones.

        Returns
        -------
        X : DataFrame or ndarray
            As :meth:`inverse_transform`.
        """
        check_is_fitted(self, "layout_")
        if len(columns) != self.n_features_in_:
            raise ValueError(
                f"Expected {self.n_features_in_} columns; got {len(columns)}."
            )
        columns = list(columns)
        n_rows = len(columns[0]) if columns else 0
        num = self.numeric_spans
        if num:
            values = np.empty((n_rows, len(num)), dtype=np.float64)
            for k, span in enumerate(num):
                values[:, k] = np.asarray(columns[span.position], dtype=np.float64)
            clip_to_fitted(
                values,
                self.numeric_min_,
                self.numeric_max_,
                [self.dtypes_[span.position] for span in num],
                self.numeric_is_integer_,
            )
            for k, span in enumerate(num):
                columns[span.position] = values[:, k]
        return assemble_table(
            columns,
            n_rows,
            self.columns_ if self.is_dataframe_ else None,
            self.dtypes_,
            self.array_dtype_,
        )

    # ---------------------------------------------------------------- helpers
    def _codec(self) -> NumericCodec:
        """The numeric encoding named by ``numeric_transform``."""
        return NUMERIC_CODECS[self.numeric_transform]
