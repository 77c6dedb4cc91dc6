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

__all__ = ["NumericCodec", "QuantileNormal"]

# Where the quantile transform clips the CDF, as scikit-learn does.
_BOUND = 1e-7


class NumericCodec(Protocol):
    """How a :class:`~ldm_oversample.tabular.TabularEncoder` encodes its
    numeric columns. ``values`` are the numeric columns in encoded order
    (float64, original units); the fitted state is set on ``encoder``."""

    def fit(self, encoder: TabularEncoder, values: np.ndarray) -> list[int]:
        """Fit to ``values``; return the encoded width of each column."""
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

    def fit(self, encoder: TabularEncoder, values: np.ndarray) -> list[int]:
        encoder.quantile_transformer_ = QuantileTransformer(
            n_quantiles=max(1, min(encoder.n_quantiles, len(values))),
            output_distribution="normal",
            subsample=100_000,
            random_state=encoder.random_state,
        ).fit(values)
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
