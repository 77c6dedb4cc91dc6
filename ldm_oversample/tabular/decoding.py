"""Decoding encoded rows: with NumPy, or with torch where the rows were made.

Both decoders turn an encoded matrix into the same two arrays, which
:func:`assemble` then builds into a table in the fitted format:

- the numeric columns in original units: the inverse of the numeric codec,
  discrete columns snapped to their nearest observed value and integer-valued
  ones rounded (:mod:`ldm_oversample.discrete`), then clipped to the fitted
  range and rounded for integer dtypes;
- the categorical codes: the argmax of each categorical block.

:func:`decode_numpy` is the reference, built on scikit-learn's
``QuantileTransformer.inverse_transform`` (a Python loop over columns);
:meth:`TabularEncoder.inverse_transform` uses it. :class:`TensorDecoder` does
the same arithmetic in float64 torch on the rows' own device, all columns at
once, so that a sampler's rows leave the GPU (or the CPU's torch threads)
decoded. The quantile transform's references are evenly spaced
(``linspace(0, 1, n_quantiles)``), so the interval of a value is found by
arithmetic instead of a search; a discrete column skips the transform and
finds its value by one search of the latent among steps computed at
construction (CICIoT2023 has 28 discrete columns of 39). It equals
the reference to float64 rounding (a latent within rounding of a step can fall
on its other side; ``tests/test_decoding.py``); CTGAN's mode-specific codec has
only the NumPy decoder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..discrete import decode_discrete
from .columns import assemble_table, clip_to_fitted, fitted_ceiling

if TYPE_CHECKING:
    from .encoder import TabularEncoder

__all__ = ["TensorDecoder", "assemble", "decode_numpy", "row_decoder"]

# scikit-learn's QuantileTransformer: CDF values this close to 0 or 1 decode
# to the first or last quantile.
_BOUNDS_THRESHOLD = 1e-7


def decode_numpy(
    encoder: TabularEncoder, X_encoded: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The numeric values and categorical codes of an encoded matrix (NumPy).

    Parameters
    ----------
    encoder : TabularEncoder
        Fitted.
    X_encoded : ndarray of shape (n_samples, n_encoded_)

    Returns
    -------
    values : ndarray of float64 of shape (n_samples, n_numeric)
        In original units, snapped, rounded and clipped as described above.
    codes : ndarray of int64 of shape (n_samples, n_categorical)
    """
    num = encoder.numeric_spans
    values = np.empty((len(X_encoded), 0))
    if num:
        values = encoder._codec().decode(encoder, X_encoded, num)
        if hasattr(encoder, "numeric_levels_"):  # absent from 0.1 model files
            decode_discrete(values, encoder.numeric_levels_, encoder.numeric_integral_)
        clip_to_fitted(
            values,
            encoder.numeric_min_,
            encoder.numeric_max_,
            [encoder.dtypes_[span.position] for span in num],
            encoder.numeric_is_integer_,
        )
    return values, encoder.category_codes(X_encoded)


def assemble(encoder: TabularEncoder, values: np.ndarray, codes: np.ndarray) -> Any:
    """Build decoded ``values`` and ``codes`` into a table in the fitted format
    (the container, column names and dtypes seen in ``fit``).

    Parameters
    ----------
    encoder : TabularEncoder
        Fitted.
    values : ndarray of float64 of shape (n_samples, n_numeric)
        Decoded numeric columns, in encoded order (as :func:`decode_numpy`
        returns them).
    codes : ndarray of int64 of shape (n_samples, n_categorical)
        Category codes, in encoded order.

    Returns
    -------
    X : DataFrame or ndarray
        As :meth:`TabularEncoder.inverse_transform`.
    """
    columns: list[Any] = [None] * encoder.n_features_in_
    for k, span in enumerate(encoder.numeric_spans):
        columns[span.position] = values[:, k]
    for k, span in enumerate(encoder.categorical_spans):
        assert span.categories is not None  # set on every categorical span
        columns[span.position] = span.categories[codes[:, k]]
    return assemble_table(
        columns,
        len(values),
        encoder.columns_ if encoder.is_dataframe_ else None,
        encoder.dtypes_,
        encoder.array_dtype_,
    )


class TensorDecoder:
    """:func:`decode_numpy` in torch, on ``device``, for the quantile codec.

    The fitted state (quantiles, discrete value sets, ranges) is copied to the
    device once; each call decodes a chunk and brings back only the decoded
    arrays.

    Parameters
    ----------
    encoder : TabularEncoder
        Fitted with ``numeric_transform="quantile"``.
    device : torch.device or str
        Where the rows to decode live.
    """

    quantiles: torch.Tensor
    levels: torch.Tensor
    z_edges: torch.Tensor
    low: torch.Tensor
    high: torch.Tensor
    discrete: list[int]
    continuous: list[int]
    rounded: list[int]

    def __init__(self, encoder: TabularEncoder, device: torch.device | str):
        if encoder.numeric_transform != "quantile":
            raise ValueError(
                "TensorDecoder decodes the quantile codec only; got "
                f"numeric_transform={encoder.numeric_transform!r}."
            )
        num = encoder.numeric_spans
        n = len(num)
        as_f64: dict[str, Any] = {"dtype": torch.float64, "device": device}
        self.n_numeric = n
        self.category_blocks = [(s.start, s.stop) for s in encoder.categorical_spans]
        if not n:
            return
        qt = encoder.quantile_transformer_
        assert qt is not None  # fitted as quantile
        self.quantiles = torch.as_tensor(qt.quantiles_, **as_f64)  # (Q, n)
        empty = [np.empty(0)] * n  # 0.1 model files have no discrete state
        levels = getattr(encoder, "numeric_levels_", empty)
        integral = getattr(encoder, "numeric_integral_", np.zeros(n, dtype=bool))
        # Rounding before or after the clip is the same: the bounds of these
        # columns are integers.
        self.rounded = np.flatnonzero(integral | encoder.numeric_is_integer_).tolist()
        self.discrete = [k for k in range(n) if len(levels[k])]
        self.continuous = [k for k in range(n) if not len(levels[k])]
        if self.discrete:
            # A discrete column's value is a step function of its latent z:
            # inverse quantile, then the nearest observed value. So its steps
            # are found once, as the z where the inverse quantile crosses the
            # midpoint between neighbouring values, and a row needs one batched
            # search in z (padded with +inf) instead of the inverse transform.
            width = max(len(levels[k]) for k in self.discrete)
            values = np.empty((len(self.discrete), width))
            edges = np.full((len(self.discrete), width), np.inf)
            for i, k in enumerate(self.discrete):
                level = levels[k]
                values[i] = level[-1]
                values[i, : len(level)] = level
                mids = level[:-1] + (level[1:] - level[:-1]) / 2
                edges[i, : len(level) - 1] = _z_steps(qt.quantiles_[:, k], mids)
            self.levels = torch.as_tensor(values, **as_f64)
            self.z_edges = torch.as_tensor(edges, **as_f64)
        dtypes = [encoder.dtypes_[span.position] for span in num]
        high = fitted_ceiling(encoder.numeric_max_, dtypes, encoder.numeric_is_integer_)
        self.low = torch.as_tensor(encoder.numeric_min_, **as_f64)
        self.high = torch.as_tensor(high, **as_f64)

    def __call__(self, X_encoded: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Decode a chunk of encoded rows; returns ``values, codes`` as in
        :func:`decode_numpy`, on the CPU."""
        codes = torch.empty(
            (len(X_encoded), len(self.category_blocks)),
            dtype=torch.int64,
            device=X_encoded.device,
        )
        for k, (start, stop) in enumerate(self.category_blocks):
            codes[:, k] = X_encoded[:, start:stop].argmax(dim=1)
        if not self.n_numeric:
            return np.empty((len(X_encoded), 0)), codes.cpu().numpy()
        z = X_encoded[:, : self.n_numeric].double()
        if not self.discrete:
            values = self._inverse_quantile(z)
        else:
            values = torch.empty_like(z)
            values[:, self.discrete] = self._snap(z[:, self.discrete])
            if self.continuous:
                cont = self.continuous
                values[:, cont] = self._inverse_quantile(z[:, cont], cont)
        if self.rounded:
            values[:, self.rounded] = values[:, self.rounded].round()
        values.clamp_(self.low, self.high)
        return values.cpu().numpy(), codes.cpu().numpy()

    def _inverse_quantile(
        self, z: torch.Tensor, columns: list[int] | None = None
    ) -> torch.Tensor:
        """scikit-learn's inverse transform: interpolate ``Phi(z)`` over the
        evenly spaced references and the stored quantiles of each column (of
        the numeric ``columns``, all by default)."""
        q = self.quantiles if columns is None else self.quantiles[:, columns]
        u = torch.special.ndtr(z)
        missing = bool(u.isnan().any())
        if missing:  # rare (a diverged network); NaN stays NaN, as in sklearn
            where_missing = u.isnan()
            u.nan_to_num_()
        # The bounds of sklearn's inverse: u = 0 and u = 1 interpolate to the
        # first and last quantile exactly.
        u.masked_fill_(u - _BOUNDS_THRESHOLD < 0, 0.0)
        u.masked_fill_(u + _BOUNDS_THRESHOLD > 1, 1.0)
        if len(q) == 1:
            out = q[0].expand_as(u).clone()
        else:
            position = u.mul_(len(q) - 1)
            index = position.floor().clamp_(max=len(q) - 2).long()
            weight = position.sub_(index)
            out = torch.lerp(
                torch.gather(q, 0, index), torch.gather(q, 0, index + 1), weight
            )
        if missing:
            out.masked_fill_(where_missing, float("nan"))
        return out

    def _snap(self, z: torch.Tensor) -> torch.Tensor:
        """The discrete columns' values from their latent ``z``: the observed
        value whose step holds ``z`` (see ``__init__``); a NaN takes the last."""
        index = torch.searchsorted(self.z_edges, z.T.contiguous())
        return torch.gather(
            self.levels, 1, index.clamp_(max=self.levels.shape[1] - 1)
        ).T


def _z_steps(quantiles: np.ndarray, midpoints: np.ndarray) -> np.ndarray:
    """Where the decoded value of a column first exceeds each midpoint, in z.

    The inverse quantile transform interpolates the ``quantiles`` linearly
    over ``u = Phi(z)`` on evenly spaced references, and takes CDF values
    within ``_BOUNDS_THRESHOLD`` of 0 or 1 to the first or last quantile. A
    value above a midpoint is snapped up, one at or below it down (ties go
    low), so ``z > edge`` is the test for each midpoint.

    Parameters
    ----------
    quantiles : ndarray of shape (n_quantiles,)
        Non-decreasing, as fitted.
    midpoints : ndarray of shape (n_midpoints,)

    Returns
    -------
    edges : ndarray of shape (n_midpoints,)
        ``-inf`` where every value exceeds the midpoint, ``+inf`` where none do.
    """
    n_q = len(quantiles)
    if n_q == 1:
        return np.where(quantiles[0] > midpoints, -np.inf, np.inf)
    # The last reference whose quantile is at or below the midpoint; the value
    # crosses it inside the segment to the next one.
    i = (np.searchsorted(quantiles, midpoints, side="right") - 1).clip(0, n_q - 2)
    low, high = quantiles[i], quantiles[i + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(high > low, (midpoints - low) / (high - low), 0.0)
    u = (i + frac.clip(0.0, 1.0)) / (n_q - 1)
    # CDF values below the bound decode to the first quantile, which is at or
    # below the midpoint here, so the crossing is at the bound at the earliest.
    u = np.maximum(u, _BOUNDS_THRESHOLD)
    edges = torch.special.ndtri(torch.as_tensor(u, dtype=torch.float64)).numpy()
    edges[quantiles[0] > midpoints] = -np.inf
    edges[quantiles[-1] <= midpoints] = np.inf
    return edges


def row_decoder(encoder: TabularEncoder, device: torch.device) -> Callable[[Any], Any]:
    """``decode(rows)``: encoded rows (a tensor on ``device``, or an array) to a
    table in the fitted format, decoded on ``device`` by :class:`TensorDecoder`
    where the codec allows it, otherwise on the CPU by NumPy.

    Parameters
    ----------
    encoder : TabularEncoder
        Fitted.
    device : torch.device
        Where the rows to decode are generated.

    Returns
    -------
    decode : callable
        ``decode(rows)`` returns a DataFrame or an array, as
        :meth:`TabularEncoder.inverse_transform`.
    """
    tensor_decoder = (
        TensorDecoder(encoder, device)
        if encoder.numeric_transform == "quantile"
        else None
    )

    def decode(rows: Any) -> Any:
        if not isinstance(rows, torch.Tensor):
            return encoder.inverse_transform(rows)
        if tensor_decoder is None:
            return encoder.inverse_transform(rows.cpu().numpy())
        return assemble(encoder, *tensor_decoder(rows))

    return decode
