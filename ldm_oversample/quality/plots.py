"""Plots of real against synthetic rows, per over-sampled class."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state

from ..metrics import wasserstein_distances
from ..metrics._common import _embed
from ..tabular import resolve_categorical_features
from .report import _frame

__all__ = ["plot_quality"]


def plot_quality(
    X_resampled: Any,
    y_resampled: Any,
    synthetic_mask: np.ndarray,
    *,
    n_columns: int = 3,
    classes: Any = None,
    categorical_features: Any = "auto",
    max_points: int = 2000,
    random_state: Any = 0,
) -> Any:
    """Real against synthetic rows of each over-sampled class, in one figure.

    One row of panels per class: the marginals of its ``n_columns`` worst
    numeric columns (largest Wasserstein distance on quantile-normal values;
    histograms of real and synthetic rows on shared bins), then a 2-D PCA
    projection of real and synthetic rows, fitted on the real rows of every
    class (numeric columns quantile-normal, categorical ones one-hot).

    Parameters
    ----------
    X_resampled, y_resampled : DataFrame or array-like, and array-like
        The output of ``fit_resample``.
    synthetic_mask : ndarray of bool
        Which rows are synthetic (the sampler's ``synthetic_mask_``).
    n_columns : int, default=3
        Marginals shown per class.
    classes : list, optional
        Classes to show; by default those with synthetic rows.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical (left out of the marginals).
    max_points : int, default=2000
        Most points per class and kind in the projection.
    random_state : int, RandomState instance or None, default=0
        Seed of the point subsampling.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Needs matplotlib (``pip install "ldm-oversample[plots]"``).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'plot_quality needs matplotlib: pip install "ldm-oversample[plots]"'
        ) from exc
    frame, y = _frame(X_resampled), np.asarray(y_resampled)
    mask = np.asarray(synthetic_mask, dtype=bool)
    if len(mask) != len(frame) or len(y) != len(frame):
        raise ValueError(
            "X_resampled, y_resampled and synthetic_mask must have one entry per "
            f"row; got {len(frame)}, {len(y)} and {len(mask)}."
        )
    shown = list(pd.unique(y[mask])) if classes is None else list(classes)
    if not shown:
        raise ValueError("no synthetic rows to plot (synthetic_mask is all False).")
    rng = check_random_state(random_state)
    cat = resolve_categorical_features(frame, categorical_features)
    real, synthetic = frame[~mask], frame[mask]
    embedded_real, embedded_syn = _embed(real, synthetic, categorical_features=cat)
    pca = PCA(n_components=2, random_state=0).fit(embedded_real)
    proj_real, proj_syn = pca.transform(embedded_real), pca.transform(embedded_syn)
    y_real, y_syn = y[~mask], y[mask]

    fig, axes = plt.subplots(
        len(shown), n_columns + 1, figsize=(3.2 * (n_columns + 1), 2.8 * len(shown)),
        squeeze=False,
    )  # fmt: skip
    for axes_row, label in zip(axes, shown, strict=True):
        r, s = real[y_real == label], synthetic[y_syn == label]
        distances = wasserstein_distances(r, s, cat).dropna().sort_values()
        worst = list(distances.index[::-1][:n_columns])
        for ax, column in zip(axes_row[:n_columns], worst, strict=False):
            values = np.concatenate([r[column], s[column]]).astype(float)
            bins = np.unique(np.quantile(values, np.linspace(0, 1, 31)))
            if len(bins) < 2:
                bins = np.array([values.min() - 0.5, values.max() + 0.5])
            ax.hist(r[column], bins=bins, alpha=0.5, density=True, label="real")
            ax.hist(s[column], bins=bins, alpha=0.5, density=True, label="synthetic")
            ax.set_title(f"{label}: {column}\nW1={distances[column]:.2f}", fontsize=8)
            ax.tick_params(labelsize=7)
        for ax in axes_row[len(worst) : n_columns]:
            ax.axis("off")
        ax = axes_row[n_columns]
        # Synthetic first, so the (usually fewer) real rows stay visible on top.
        for points, name, color in (
            (proj_syn[y_syn == label], "synthetic", "tab:orange"),
            (proj_real[y_real == label], "real", "tab:blue"),
        ):
            if len(points) > max_points:
                points = points[rng.choice(len(points), max_points, replace=False)]
            ax.scatter(points[:, 0], points[:, 1], s=5, alpha=0.5, c=color, label=name)
        ax.set_title(f"{label}: PCA of real rows", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][n_columns].legend(fontsize=7)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    return fig
