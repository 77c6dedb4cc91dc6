"""The default numeric encoding: a quantile transform to a standard normal.

One encoded dimension per numeric column. Heavy tails (rates, byte counts,
inter-arrival times) become Gaussian, which suits a diffusion model; ties
(point masses such as the zeros of a counter) are spread over the quantiles
their rows occupy, so that the inverse maps them back exactly (see
``TabularEncoder(spread_ties=True)``).

Like :mod:`.mode_specific`, it implements the :class:`NumericCodec` interface
that :class:`~ldm_oversample.tabular.TabularEncoder` picks by name; the fitted
state lives on the encoder (``quantile_transformer_``), which is what model
files store.
"""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from scipy import stats
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils import check_random_state

from ..utils import private_seed

if TYPE_CHECKING:
    from .columns import ColumnSpan
    from .encoder import TabularEncoder

__all__ = ["NumericCodec", "QuantileNormal", "balance_labels", "mean_class_quantiles"]

# Where the quantile transform clips the CDF, as scikit-learn does.
_BOUND = 1e-7


class NumericCodec(Protocol):
    """How a :class:`~ldm_oversample.tabular.TabularEncoder` encodes its
    numeric columns. ``values`` are the numeric columns in encoded order
    (float64, original units); the fitted state is set on ``encoder``."""

    def fit(
        self,
        encoder: TabularEncoder,
        values: np.ndarray,
        labels: np.ndarray | None = None,
    ) -> list[int]:
        """Fit to ``values`` (with the rows' class ``labels`` where the
        encoder balances classes); return the encoded width of each column."""
        ...

    def encode(
        self,
        encoder: TabularEncoder,
        values: np.ndarray,
        spans: list[ColumnSpan],
        Z: np.ndarray,
    ) -> None:
        """Write the encoding of ``values`` into the ``spans`` of ``Z``."""
        ...

    def decode(
        self, encoder: TabularEncoder, X_encoded: np.ndarray, spans: list[ColumnSpan]
    ) -> np.ndarray:
        """The numeric values (original units) of the ``spans`` of ``X_encoded``."""
        ...


class QuantileNormal:
    """Quantile-normal numeric encoding (one dimension per column)."""

    def fit(
        self,
        encoder: TabularEncoder,
        values: np.ndarray,
        labels: np.ndarray | None = None,
    ) -> list[int]:
        transformer = QuantileTransformer(
            n_quantiles=max(1, min(encoder.n_quantiles, len(values))),
            output_distribution="normal",
            subsample=100_000,
            random_state=encoder.random_state,
        ).fit(values)
        if labels is not None:
            transformer.quantiles_ = mean_class_quantiles(
                values, labels, transformer.references_, encoder.quantile_balance
            )
        encoder.quantile_transformer_ = transformer
        return [1] * values.shape[1]

    def encode(self, encoder, values, spans, Z) -> None:
        # Quantile spans are the first columns of Z, one each.
        Z[:, : len(spans)] = self._transform(encoder, values)

    def decode(self, encoder, X_encoded, spans) -> np.ndarray:
        z = np.asarray(X_encoded[:, : len(spans)], dtype=np.float64)
        transformer = encoder.quantile_transformer_
        assert transformer is not None  # fitted as quantile
        return transformer.inverse_transform(z) if len(z) else z

    @staticmethod
    def _transform(encoder: TabularEncoder, values: np.ndarray) -> np.ndarray:
        """The quantile-normal transform, ties spread (see ``spread_ties``)."""
        transformer = encoder.quantile_transformer_
        assert transformer is not None  # fitted as quantile
        if not getattr(encoder, "spread_ties", False):  # absent from old files
            return transformer.transform(values)
        seed: Any = encoder.random_state
        if not isinstance(seed, Integral):
            seed = check_random_state(private_seed(seed)).randint(2**31 - 1)
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


def _cdf(points: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The empirical CDF of ``points`` just before and just after each ``x``:
    linear between the sorted points (as the quantile transform's is), with a
    jump at a value that several points share, or at the point of a class of
    one row."""
    xp = np.sort(points)
    if len(xp) == 1:
        return (x > xp[0]).astype(float), (x >= xp[0]).astype(float)
    fp = np.linspace(0.0, 1.0, len(xp))
    after = np.interp(x, xp, fp)
    before = -np.interp(-x, -xp[::-1], -fp[::-1])
    return before, after


def mean_class_quantiles(
    values: np.ndarray,
    labels: np.ndarray,
    references: np.ndarray,
    balance: float = 1.0,
) -> np.ndarray:
    """Quantiles, at the CDF levels ``references``, of a weighted mean of the
    classes' empirical CDFs.

    Class ``c`` of ``n_c`` rows weighs ``n_c ** (1 - balance)``: the rows as
    they are at 0 (the plain quantiles), every class the same at 1. Each
    class's CDF is the quantile transform's (linear between its sorted
    values, with jumps only at values its rows share), so a scarce class's
    values do not become point masses, as they would if its rows were
    repeated to balance the classes.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_columns)
        Numeric columns.
    labels : ndarray of shape (n_samples,)
        Class of each row.
    references : ndarray of shape (n_quantiles,)
        Increasing CDF levels in [0, 1].
    balance : float in [0, 1], default=1.0
        How far the classes' weights move from their row counts to equal.

    Returns
    -------
    quantiles : ndarray of shape (n_quantiles, n_columns)
        Non-decreasing in each column.
    """
    classes, counts = np.unique(labels, return_counts=True)
    groups = [values[labels == c] for c in classes]
    weights = counts ** (1.0 - balance)
    weights = weights / weights.sum()
    out = np.empty((len(references), values.shape[1]))
    for k in range(values.shape[1]):
        knots = np.unique(values[:, k])
        cdfs = [_cdf(group[:, k], knots) for group in groups]
        before = weights @ np.array([b for b, _ in cdfs])
        after = weights @ np.array([a for _, a in cdfs])
        # The mixture CDF through (knot, before) and (knot, after): a jump is
        # a vertical step, which the inverse turns into a flat quantile run.
        levels = np.column_stack([before, after]).ravel()
        out[:, k] = np.interp(references, levels, np.repeat(knots, 2))
    return out


def balance_labels(
    encoder: TabularEncoder, y: Any, n_samples: int
) -> np.ndarray | None:
    """The class labels that ``quantile_balance`` fits with, or None where
    it is 0; a clear error where they are missing or cannot be used."""
    balance = encoder.quantile_balance
    if not 0 <= balance <= 1:
        raise ValueError(f"quantile_balance must be in [0, 1]; got {balance!r}.")
    if balance == 0:
        return None
    if encoder.numeric_transform != "quantile":
        raise ValueError(
            f"quantile_balance={balance} needs numeric_transform='quantile'; got "
            f"{encoder.numeric_transform!r}."
        )
    if y is None:
        raise ValueError(f"quantile_balance={balance} needs the class labels y in fit.")
    labels = np.asarray(y)
    if labels.shape != (n_samples,):
        raise ValueError(
            f"y must hold one label per row: shape ({n_samples},); got {labels.shape}."
        )
    return labels
