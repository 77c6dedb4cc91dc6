"""Mixed-type tabular encoding shared by every generative sampler.

:class:`TabularEncoder` maps a table (DataFrame or array) to a dense float matrix:
numeric columns go through a quantile transform to a standard normal (or, as in
CTGAN, a mode-specific normalisation), categorical columns are one-hot encoded.
It records a *layout*, an ordered tuple of :class:`ColumnSpan`, which the
networks, their losses and the decoding all read.
:meth:`TabularEncoder.inverse_transform` restores the original column order,
dtypes and categories.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from numpy.typing import ArrayLike
from scipy import stats
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .discrete import MAX_LEVELS, decode_discrete, fit_discrete

# Where the quantile transform clips the CDF, as scikit-learn does.
_BOUND = 1e-7

__all__ = [
    "ColumnSpan",
    "TabularEncoder",
    "draw_categorical",
    "resolve_categorical_features",
]


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


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Encode mixed-type tables for neural generators, and decode them back.

    By default numeric columns are mapped to a standard normal with
    :class:`~sklearn.preprocessing.QuantileTransformer`, which tames the heavy tails
    of flow statistics (rates, byte counts, inter-arrival times). With
    ``numeric_transform="mode_specific"`` they get CTGAN's mode-specific
    normalisation instead (Xu et al., 2019): a variational Gaussian mixture
    (:class:`~sklearn.mixture.BayesianGaussianMixture` with a Dirichlet-process
    prior) is fitted to each column, modes whose weight is at most
    ``mode_weight_threshold`` are dropped, and a value ``x`` is encoded as a scalar
    ``alpha = (x - mean_k) / (4 std_k)``, clipped to [-0.99, 0.99], followed by a
    one-hot of its mode ``k``; ``k`` is drawn from the mixture's posterior.
    Categorical columns are one-hot encoded over the categories observed in
    ``fit``. The encoded matrix holds the numeric spans first, then one block per
    categorical column; :attr:`layout_` records where each column lives.

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

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: None = None) -> TabularEncoder:
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
        if self.numeric_transform not in ("quantile", "mode_specific"):
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
        num_values = self._numeric_block(X, numeric)
        self.numeric_min_ = num_values.min(axis=0) if numeric else np.empty(0)
        self.numeric_max_ = num_values.max(axis=0) if numeric else np.empty(0)
        self.numeric_is_integer_ = np.array(
            [self._is_integer_column(X, j) for j in numeric], dtype=bool
        )
        self.numeric_levels_, self.numeric_integral_ = fit_discrete(
            num_values,
            self.discrete_features,
            self.columns_,
            numeric,
            self.max_discrete_values,
        )
        widths = [1] * len(numeric)
        self.quantile_transformer_ = None
        if numeric and self.numeric_transform == "mode_specific":
            self._fit_modes(num_values)
            widths = [1 + len(m) for m in self.mode_means_]
        elif numeric:
            self.quantile_transformer_ = QuantileTransformer(
                n_quantiles=max(1, min(self.n_quantiles, n_samples)),
                output_distribution="normal",
                subsample=100_000,
                random_state=self.random_state,
            ).fit(num_values)

        spans: list[ColumnSpan] = []
        offset = 0
        for j, width in zip(numeric, widths, strict=True):
            spans.append(
                ColumnSpan(self.columns_[j], "numeric", offset, offset + width, j)
            )
            offset += width
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

    def _fit_modes(self, values: np.ndarray) -> None:
        """Fit one variational Gaussian mixture per numeric column."""
        for name, value, low in (
            ("max_modes", self.max_modes, 1),
            ("mode_fit_max_rows", self.mode_fit_max_rows, 1),
        ):
            if value is None and name == "mode_fit_max_rows":
                continue
            if (
                not isinstance(value, Integral)
                or isinstance(value, bool)
                or value < low
            ):
                raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
        if not 0 <= self.mode_weight_threshold < 1:
            raise ValueError(
                "mode_weight_threshold must be in [0, 1); got "
                f"{self.mode_weight_threshold!r}."
            )
        rng = check_random_state(_own_seed(self.random_state))
        seeds = rng.randint(0, np.iinfo(np.int32).max, size=values.shape[1])
        rows = np.arange(values.shape[0])
        cap = self.mode_fit_max_rows
        if cap is not None and len(rows) > cap:
            rows = np.sort(rng.choice(len(rows), size=cap, replace=False))
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_column_modes)(
                values[rows, k],
                int(seeds[k]),
                self.max_modes,
                self.mode_weight_threshold,
            )
            for k in range(values.shape[1])
        )
        self.mode_mixtures_ = [f[0] for f in fitted]
        self.mode_keep_ = [f[1] for f in fitted]
        self.mode_means_ = [f[2] for f in fitted]
        self.mode_stds_ = [f[3] for f in fitted]
        self.mode_centers_ = np.array([f[4] for f in fitted])
        self.mode_scales_ = np.array([f[5] for f in fitted])

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
            values = self._numeric_block(X, [s.position for s in num])
            if self.numeric_transform == "mode_specific":
                self._encode_modes(values, num, Z)
            else:
                Z[:, : len(num)] = self._quantile_normal(values)
        for span in self.categorical_spans:
            assert span.categories is not None  # set on every categorical span
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

    def _quantile_normal(self, values: np.ndarray) -> np.ndarray:
        """The quantile-normal transform, ties spread (see ``spread_ties``)."""
        transformer = self.quantile_transformer_
        assert transformer is not None  # fitted as quantile
        if not getattr(self, "spread_ties", False):  # absent from old files
            return transformer.transform(values)
        seed = self.random_state
        if not isinstance(seed, Integral):
            seed = check_random_state(_own_seed(seed)).randint(2**31 - 1)
        rng = np.random.default_rng(seed)
        references = transformer.references_
        out = np.empty(values.shape, dtype=np.float64)
        for k in range(values.shape[1]):
            quantiles = transformer.quantiles_[:, k]
            x = values[:, k]
            # CDF just after and just before x: equal unless x is a tie.
            high = np.interp(x, quantiles, references)
            low = -np.interp(-x, -quantiles[::-1], -references[::-1])
            u = low + rng.random(len(x)) * (high - low)
            out[:, k] = stats.norm.ppf(np.clip(u, _BOUND, 1 - _BOUND))
        return out

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
        out = []
        for k, mixture in enumerate(self.mode_mixtures_):
            if mixture is None or len(values) == 0:
                out.append(np.ones((len(values), 1)))
                continue
            z = (values[:, k] - self.mode_centers_[k]) / self.mode_scales_[k]
            probs = mixture.predict_proba(z[:, None])[:, self.mode_keep_[k]] + 1e-6
            out.append(probs / probs.sum(axis=1, keepdims=True))
        return out

    def _encode_modes(self, values: np.ndarray, spans, Z: np.ndarray) -> None:
        """Fill the numeric spans of ``Z``: alpha, then the one-hot of a drawn mode."""
        rng = check_random_state(_own_seed(self.random_state))
        uniforms = rng.random_sample(values.shape)
        rows = np.arange(len(values))
        posteriors = self.mode_posterior(values)
        for k, (span, probs) in enumerate(zip(spans, posteriors, strict=True)):
            mode = draw_categorical(probs, uniforms[:, k])
            alpha = (values[:, k] - self.mode_means_[k][mode]) / (
                4.0 * self.mode_stds_[k][mode]
            )
            Z[:, span.start] = np.clip(alpha, -0.99, 0.99)
            Z[rows, span.start + 1 + mode] = 1.0

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
        columns: list[np.ndarray | None] = [None] * self.n_features_in_
        num = self.numeric_spans
        if num:
            if self.numeric_transform == "mode_specific":
                values = self._decode_modes(X_encoded, num)
            else:
                z = np.asarray(X_encoded[:, : len(num)], dtype=np.float64)
                assert self.quantile_transformer_ is not None  # fitted as quantile
                values = (
                    self.quantile_transformer_.inverse_transform(z) if len(z) else z
                )
            if hasattr(self, "numeric_levels_"):  # absent from 0.1 model files
                decode_discrete(values, self.numeric_levels_, self.numeric_integral_)
            for k, span in enumerate(num):
                columns[span.position] = values[:, k]
        codes = self.category_codes(X_encoded)
        for k, span in enumerate(self.categorical_spans):
            columns[span.position] = self._decode_categories(span, codes[:, k])
        # Every position is filled: each column is numeric or categorical.
        return self.from_columns(cast("list[np.ndarray]", columns))

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
            high = self.numeric_max_.copy()
            for k, span in enumerate(num):
                if not self.numeric_is_integer_[k]:
                    continue
                # float64 rounds the int64 (uint64) maximum up to 2**63 (2**64),
                # which the integer dtype cannot hold: clip just below it.
                dtype = self.dtypes_[span.position]
                top = np.iinfo(np.dtype(getattr(dtype, "numpy_dtype", dtype))).max
                if int(high[k]) > top:
                    high[k] = np.nextafter(float(top), 0.0)
            np.clip(values, self.numeric_min_, high, out=values)
            values[:, self.numeric_is_integer_] = np.rint(
                values[:, self.numeric_is_integer_]
            )
            for k, span in enumerate(num):
                columns[span.position] = values[:, k]
        return self._assemble(columns, n_rows)

    def _decode_modes(self, X_encoded: np.ndarray, spans) -> np.ndarray:
        """Invert the mode-specific normalisation, with the argmax mode."""
        values = np.empty((X_encoded.shape[0], len(spans)), dtype=np.float64)
        for k, span in enumerate(spans):
            alpha = np.clip(np.asarray(X_encoded[:, span.start], np.float64), -1, 1)
            mode = np.asarray(X_encoded[:, span.start + 1 : span.stop]).argmax(axis=1)
            values[:, k] = (
                alpha * 4.0 * self.mode_stds_[k][mode] + self.mode_means_[k][mode]
            )
        return values

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
                self.columns_[positions[int(k)]]
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
        names = (
            [self.columns_[where]]
            if isinstance(where, Integral)
            else [self.columns_[j] for j in where]
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
        assert span.categories is not None  # set on every categorical span
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


def draw_categorical(probs: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Draw one category per row by inverting the cumulative probabilities.

    Vectorised replacement of a per-row ``rng.choice(len(p), p=p)`` loop.

    Parameters
    ----------
    probs : ndarray of shape (n_samples, n_categories)
        Row-wise probabilities (each row sums to 1).
    uniforms : ndarray of shape (n_samples,)
        Uniform draws in [0, 1).

    Returns
    -------
    index : ndarray of int64 of shape (n_samples,)
        ``index[i]`` is the first ``k`` with ``cumsum(probs[i])[k] > uniforms[i]``.
    """
    cumulative = np.cumsum(probs, axis=1)
    index = (cumulative <= np.asarray(uniforms)[:, None]).sum(axis=1)
    return np.minimum(index, probs.shape[1] - 1).astype(np.int64)


def _fit_column_modes(
    values: np.ndarray, seed: int, max_modes: int, weight_threshold: float
) -> tuple:
    """Fit CTGAN's mixture to one column.

    Returns (mixture, kept-mode mask, kept means, kept stds, center, scale). The
    mixture is fitted on the standardised column, which makes it independent of
    the column's units (its ``reg_covar`` would otherwise floor the std of a
    column of tiny values at 1e-3); means and stds are returned in the original
    units. A constant column gets one mode of unit std and no mixture.
    """
    center, scale, z = _standardize(values)
    if z is None:
        return None, np.ones(1, dtype=bool), np.array([center]), np.ones(1), center, 1.0
    # Same prior as CTGAN's rdt.ClusterBasedNormalizer. For one dimension the
    # "spherical" covariance is the same model as "full", only cheaper.
    mixture = BayesianGaussianMixture(
        n_components=min(max_modes, len(values)),
        covariance_type="spherical",
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=0.001,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mixture.fit(z[:, None])
    keep = mixture.weights_ > weight_threshold
    if not keep.any():
        keep = mixture.weights_ == mixture.weights_.max()
    means = center + scale * mixture.means_[keep, 0]
    stds = scale * np.sqrt(mixture.covariances_[keep])
    return mixture, keep, means, stds, center, scale


def _own_seed(random_state: Any) -> Any:
    """``random_state`` for private use: None becomes fresh OS entropy.

    ``check_random_state(None)`` would return NumPy's global generator; drawing
    from it would change the caller's global random state.
    """
    if random_state is None:
        return np.random.RandomState(np.random.default_rng().integers(2**31 - 1))
    return random_state


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


def _standardize(values: np.ndarray) -> tuple[float, float, np.ndarray | None]:
    """Mean, standard deviation and standardised values of a numeric column.

    Columns whose squares would overflow (values near 1e300) or underflow to
    zero (values near 1e-300) are divided by their largest magnitude first;
    other columns are standardised directly, as before. A column is constant
    (``None`` is returned for the standardised values) when its standard
    deviation is at most ``1e-12`` times its largest magnitude.
    """
    peak = float(np.max(np.abs(values))) if len(values) else 0.0
    if peak == 0.0:
        return 0.0, 1.0, None
    if 1e-150 < peak < 1e150:
        center, scale = float(values.mean()), float(values.std())
        unit, unit_center, unit_scale = values, center, scale
    else:
        unit = values / peak
        unit_center, unit_scale = float(unit.mean()), float(unit.std())
        center, scale = unit_center * peak, unit_scale * peak
    if not np.isfinite(scale) or scale <= 1e-12 * peak:
        return center, 1.0, None
    return center, scale, (unit - unit_center) / unit_scale
