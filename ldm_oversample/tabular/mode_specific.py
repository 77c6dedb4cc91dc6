"""CTGAN's mode-specific normalisation of numeric columns (Xu et al., 2019).

A variational Gaussian mixture
(:class:`~sklearn.mixture.BayesianGaussianMixture` with a Dirichlet-process
prior) is fitted to each column; modes whose weight is at most
``mode_weight_threshold`` are dropped, and a value ``x`` is encoded as a scalar
``alpha = (x - mean_k) / (4 std_k)``, clipped to [-0.99, 0.99], followed by a
one-hot of its mode ``k``, drawn from the mixture's posterior.

It implements :class:`~ldm_oversample.tabular.quantile.NumericCodec`, as
:class:`~ldm_oversample.tabular.quantile.QuantileNormal` does; the fitted state
lives on the encoder (``mode_means_``, ``mode_stds_``, ``mode_mixtures_``, ...).
"""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import TYPE_CHECKING

import numpy as np
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture
from sklearn.utils import check_random_state

from ..utils import private_seed

if TYPE_CHECKING:
    from .encoder import TabularEncoder

__all__ = ["ModeSpecific", "draw_categorical", "mode_posterior"]


class ModeSpecific:
    """Mode-specific numeric encoding (``1 + n_modes`` dimensions per column)."""

    def fit(
        self,
        encoder: TabularEncoder,
        values: np.ndarray,
        labels: np.ndarray | None = None,
    ) -> list[int]:
        """Fit one variational Gaussian mixture per numeric column (class
        labels are not used)."""
        for name, value, low in (
            ("max_modes", encoder.max_modes, 1),
            ("mode_fit_max_rows", encoder.mode_fit_max_rows, 1),
        ):
            if value is None and name == "mode_fit_max_rows":
                continue
            if (
                not isinstance(value, Integral)
                or isinstance(value, bool)
                or value < low
            ):
                raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
        if not 0 <= encoder.mode_weight_threshold < 1:
            raise ValueError(
                "mode_weight_threshold must be in [0, 1); got "
                f"{encoder.mode_weight_threshold!r}."
            )
        rng = check_random_state(private_seed(encoder.random_state))
        seeds = rng.randint(0, np.iinfo(np.int32).max, size=values.shape[1])
        rows = np.arange(values.shape[0])
        cap = encoder.mode_fit_max_rows
        if cap is not None and len(rows) > cap:
            rows = np.sort(rng.choice(len(rows), size=cap, replace=False))
        fitted = Parallel(n_jobs=encoder.n_jobs)(
            delayed(_fit_column_modes)(
                values[rows, k],
                int(seeds[k]),
                encoder.max_modes,
                encoder.mode_weight_threshold,
            )
            for k in range(values.shape[1])
        )
        encoder.mode_mixtures_ = [f[0] for f in fitted]
        encoder.mode_keep_ = [f[1] for f in fitted]
        encoder.mode_means_ = [f[2] for f in fitted]
        encoder.mode_stds_ = [f[3] for f in fitted]
        encoder.mode_centers_ = np.array([f[4] for f in fitted])
        encoder.mode_scales_ = np.array([f[5] for f in fitted])
        return [1 + len(m) for m in encoder.mode_means_]

    def encode(self, encoder, values, spans, Z) -> None:
        """Fill the numeric spans of ``Z``: alpha, then the one-hot of a drawn mode."""
        rng = check_random_state(private_seed(encoder.random_state))
        uniforms = rng.random_sample(values.shape)
        rows = np.arange(len(values))
        posteriors = mode_posterior(encoder, values)
        for k, (span, probs) in enumerate(zip(spans, posteriors, strict=True)):
            mode = draw_categorical(probs, uniforms[:, k])
            alpha = (values[:, k] - encoder.mode_means_[k][mode]) / (
                4.0 * encoder.mode_stds_[k][mode]
            )
            Z[:, span.start] = np.clip(alpha, -0.99, 0.99)
            Z[rows, span.start + 1 + mode] = 1.0

    def decode(self, encoder, X_encoded, spans) -> np.ndarray:
        """Invert the mode-specific normalisation, with the argmax mode."""
        values = np.empty((X_encoded.shape[0], len(spans)), dtype=np.float64)
        for k, span in enumerate(spans):
            alpha = np.clip(np.asarray(X_encoded[:, span.start], np.float64), -1, 1)
            mode = np.asarray(X_encoded[:, span.start + 1 : span.stop]).argmax(axis=1)
            values[:, k] = (
                alpha * 4.0 * encoder.mode_stds_[k][mode] + encoder.mode_means_[k][mode]
            )
        return values


def mode_posterior(encoder: TabularEncoder, values: np.ndarray) -> list[np.ndarray]:
    """Posterior probabilities of the kept modes of each numeric column, with
    CTGAN's ``1e-6`` floor (see ``TabularEncoder.mode_posterior``)."""
    out = []
    for k, mixture in enumerate(encoder.mode_mixtures_):
        if mixture is None or len(values) == 0:
            out.append(np.ones((len(values), 1)))
            continue
        z = (values[:, k] - encoder.mode_centers_[k]) / encoder.mode_scales_[k]
        probs = mixture.predict_proba(z[:, None])[:, encoder.mode_keep_[k]] + 1e-6
        out.append(probs / probs.sum(axis=1, keepdims=True))
    return out


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
