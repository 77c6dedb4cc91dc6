"""Support-based fidelity and diversity: alpha-precision, beta-recall, PRDC."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from ._common import NumericScaling, _check_frames, _chunks, _embed, _nearest

__all__ = ["alpha_precision_beta_recall", "density_coverage"]


def _support_metrics(
    real: np.ndarray, synthetic: np.ndarray, k: int = 5, n_alphas: int = 30
) -> dict[str, float]:
    """Alpha-precision, beta-recall, authenticity, density and coverage.

    ``real`` and ``synthetic`` are embedded matrices; one pass over the
    synthetic-to-real distances serves all five numbers.
    """
    n, m = len(real), len(synthetic)
    nan = float("nan")
    if n < 2:
        return dict(
            alpha_precision=nan,
            beta_recall=nan,
            authenticity=nan,
            density=nan,
            coverage=nan,
        )
    k = max(1, min(int(k), n - 1))
    real_real, _ = _nearest(real, real, k, exclude_self=True)
    nn1, radius = real_real[:, 0], real_real[:, k - 1]

    counts = np.zeros(m)
    covered = np.zeros(n, dtype=bool)
    real_to_syn = np.full(n, np.inf)
    real_to_syn_idx = np.zeros(n, dtype=np.intp)
    syn_to_real = np.empty(m)
    syn_to_real_idx = np.empty(m, dtype=np.intp)
    for rows in _chunks(m, n):
        d = cdist(synthetic[rows], real)
        inside = d <= radius[None, :]
        counts[rows] = inside.sum(axis=1)
        covered |= inside.any(axis=0)
        best = d.argmin(axis=0)
        best_d = d[best, np.arange(n)]
        closer = best_d < real_to_syn
        real_to_syn[closer] = best_d[closer]
        real_to_syn_idx[closer] = best[closer] + rows.start
        syn_to_real_idx[rows] = d.argmin(axis=1)
        syn_to_real[rows] = d[np.arange(d.shape[0]), syn_to_real_idx[rows]]

    alphas = np.linspace(0.0, 1.0, int(n_alphas))
    centre = real.mean(axis=0)
    radii = np.quantile(np.linalg.norm(real - centre, axis=1), alphas)
    syn_to_centre = np.linalg.norm(synthetic - centre, axis=1)
    precision_curve = (syn_to_centre[None, :] <= radii[:, None]).mean(axis=1)

    syn_centre = synthetic.mean(axis=0)
    closest = np.linalg.norm(synthetic[real_to_syn_idx] - syn_centre, axis=1)
    closest_radii = np.quantile(closest, alphas)
    in_reach = real_to_syn <= nn1
    recall_curve = (
        in_reach[None, :] & (closest[None, :] <= closest_radii[:, None])
    ).mean(axis=1)

    def integrated(curve: np.ndarray) -> float:
        score = 1.0 - np.abs(alphas - curve).sum() / alphas.sum()
        return float(np.clip(score, 0.0, 1.0))

    return dict(
        alpha_precision=integrated(precision_curve),
        beta_recall=integrated(recall_curve),
        authenticity=float(np.mean(syn_to_real > nn1[syn_to_real_idx])),
        density=float(counts.sum() / (k * m)),
        coverage=float(covered.mean()),
    )


def alpha_precision_beta_recall(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_features: Any = "auto",
    n_alphas: int = 30,
    numeric_scaling: NumericScaling = "quantile_normal",
) -> dict[str, float]:
    """Integrated alpha-precision, beta-recall and authenticity.

    The metrics of Alaa et al. (2022), "How faithful is your synthetic
    data?", in the practical form of synthcity's ``AlphaPrecision`` without a
    learned one-class embedding. Rows are embedded as in the other distance
    metrics (numeric columns quantile-normal fitted on ``real``, categorical
    columns one-hot scaled by ``1/sqrt(2)``). With ``c`` the mean of the real
    embedding and ``alpha`` on a grid of ``n_alphas`` points of [0, 1]:

    - ``P(alpha)``: share of synthetic rows within ``r(alpha)`` of ``c``,
      ``r(alpha)`` being the ``alpha``-quantile of the real rows' distances to
      ``c`` (the alpha-support of the real data);
    - ``R(beta)``: share of real rows ``x`` whose nearest synthetic row ``y``
      is no farther than the nearest other real row of ``x``, and whose ``y``
      lies within the ``beta``-quantile of those ``y``'s distances to the
      synthetic mean;
    - each curve is integrated as ``1 - sum|alpha - curve| / sum(alpha)``
      (synthcity's Delta-precision-alpha and Delta-coverage-beta), clipped to
      [0, 1].

    A copy of the real rows scores 1 on both. Note that the nearest-neighbour
    condition of ``R(beta)`` holds for only about half of the real rows when
    the synthetic rows are an independent sample of the same size from the
    real distribution, so such a sample scores about 0.5 on beta-recall (more
    with more synthetic rows): compare generators on it rather than read it
    as an absolute level. The precision curve of such a sample follows the
    diagonal, ``P(alpha) ~ alpha``, and scores close to 1. Synthetic rows
    crowded into the core of the real support score low alpha-precision, and
    rows collapsed to a few points low beta-recall.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.
    n_alphas : int, default=30
        Number of points of the alpha (and beta) grid.
    numeric_scaling : {"quantile_normal", "none"}, default="quantile_normal"
        Scaling of the numeric columns in the embedding (``"none"``: raw).

    Returns
    -------
    scores : dict
        ``"alpha_precision"`` and ``"beta_recall"`` in [0, 1], 1 best;
        ``"authenticity"``: share of synthetic rows farther from their nearest
        real row than that row is from its own nearest real neighbour (0 for
        copies of the real rows). NaN when ``real`` has fewer than 2 rows.
    """
    _check_frames(real, ("synthetic", synthetic))
    if int(n_alphas) < 2:
        raise ValueError(f"n_alphas must be at least 2; got {n_alphas!r}.")
    er, es = _embed(
        real,
        synthetic,
        categorical_features=categorical_features,
        numeric_scaling=numeric_scaling,
    )
    out = _support_metrics(er, es, n_alphas=n_alphas)
    return {key: out[key] for key in ("alpha_precision", "beta_recall", "authenticity")}


def density_coverage(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    categorical_features: Any = "auto",
    k: int = 5,
    numeric_scaling: NumericScaling = "quantile_normal",
) -> dict[str, float]:
    """Density and coverage of Naeem et al. (2020).

    On the shared embedding (numeric columns quantile-normal fitted on
    ``real``, categorical columns one-hot scaled by ``1/sqrt(2)``), every real
    row ``X_i`` gets the ball ``B_i`` of radius ``NND_k(X_i)``, its distance to
    its ``k``-th nearest other real row. With ``N`` real and ``M`` synthetic
    rows ``Y_j``::

        density  = 1/(k M) * sum_j sum_i 1[Y_j in B_i]
        coverage = 1/N * sum_i 1[exists j: Y_j in B_i]

    Balls are closed (``distance <= radius``), so a synthetic copy of a real
    row always falls in that row's ball, even when duplicates make its radius
    0. A table compared with itself therefore scores coverage 1 and density
    ``(k + 1) / k`` (without ties, each ball holds its centre and its ``k``
    neighbours); an independent sample of the real distribution scores
    density about 1.

    Parameters
    ----------
    real, synthetic : DataFrame
        Tables with the same columns in the same order.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.
    k : int, default=5
        Number of neighbours of the radius; lowered to ``len(real) - 1`` for a
        smaller ``real``.
    numeric_scaling : {"quantile_normal", "none"}, default="quantile_normal"
        Scaling of the numeric columns in the embedding (``"none"``: raw).

    Returns
    -------
    scores : dict
        ``"density"`` (about 1 for data distributed like ``real``, above 1
        where synthetic rows crowd dense regions, unbounded) and
        ``"coverage"`` in [0, 1] (1 when every real ball holds a synthetic
        row). NaN when ``real`` has fewer than 2 rows.
    """
    _check_frames(real, ("synthetic", synthetic))
    if int(k) < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}.")
    er, es = _embed(
        real,
        synthetic,
        categorical_features=categorical_features,
        numeric_scaling=numeric_scaling,
    )
    out = _support_metrics(er, es, k=k)
    return {key: out[key] for key in ("density", "coverage")}
