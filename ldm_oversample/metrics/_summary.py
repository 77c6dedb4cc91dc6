"""All scalar fidelity, diversity, privacy and detection metrics in one call."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.utils import check_random_state

from ..tabular import resolve_categorical_features
from ._common import _check_frames, _embed, _subsample
from ._dependency import association_difference, correlation_difference
from ._detection import detection_auc
from ._diversity import _support_metrics
from ._fidelity import (
    jensen_shannon_distances,
    ks_statistics,
    marginal_fidelity,
    wasserstein_distances,
)
from ._privacy import _privacy_metrics, exact_duplicate_rate

__all__ = ["SUMMARY_KEYS", "fidelity_summary"]

#: Keys of :func:`fidelity_summary`, in order.
SUMMARY_KEYS = (
    "wasserstein_mean",
    "ks_mean",
    "js_mean",
    "marginal_fidelity",
    "pearson_mean_abs",
    "pearson_frobenius",
    "spearman_mean_abs",
    "spearman_frobenius",
    "cramers_v_mean_abs",
    "cramers_v_frobenius",
    "alpha_precision",
    "beta_recall",
    "authenticity",
    "density",
    "coverage",
    "dcr_train",
    "dcr_holdout",
    "dcr_share_closer_to_train",
    "nndr",
    "duplicate_rate",
    "detection_auc",
)


def _mean(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else float("nan")


def fidelity_summary(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    train: pd.DataFrame | None = None,
    holdout: pd.DataFrame | None = None,
    categorical_features: Any = "auto",
    random_state: Any = None,
    max_samples: int | None = 2000,
) -> dict[str, float]:
    """Every scalar metric of :mod:`ldm_oversample.metrics` in one flat dict.

    ``real`` and ``synthetic`` are first subsampled (without replacement,
    seeded by ``random_state``) to at most ``max_samples`` rows each; the
    marginal, dependency, support and detection metrics use these subsamples.
    The privacy metrics compare the subsampled synthetic rows with *all* rows
    of ``train`` and ``holdout`` (distances to the closest record grow when
    the reference set shrinks), and the duplicate rate uses all rows of both
    ``synthetic`` and ``train``. Column types are resolved once, on ``real``.

    Parameters
    ----------
    real : DataFrame
        Real rows the synthetic rows should resemble.
    synthetic : DataFrame
        Generated rows, with the same columns in the same order.
    train : DataFrame or None, default=None
        Rows the generator was fitted on (privacy metrics); ``real`` if None.
    holdout : DataFrame or None, default=None
        Real rows the generator never saw; without it ``dcr_holdout`` and
        ``dcr_share_closer_to_train`` are NaN.
    categorical_features : "auto", None or array-like, default="auto"
        Which columns are categorical.
    random_state : int, RandomState instance or None, default=None
        Seed of the subsampling, the train/holdout balancing and the
        detection classifier.
    max_samples : int or None, default=2000
        Most rows of ``real`` and ``synthetic`` used; None uses all.

    Returns
    -------
    summary : dict of str to float
        The keys of :data:`SUMMARY_KEYS`, in that order:

        - ``wasserstein_mean``, ``ks_mean``: means over numeric columns of
          :func:`wasserstein_distances` and :func:`ks_statistics` (0 best);
        - ``js_mean``: mean over all columns of
          :func:`jensen_shannon_distances` (0 best);
        - ``marginal_fidelity``: :func:`marginal_fidelity` (1 best);
        - ``pearson_*``, ``spearman_*``: :func:`correlation_difference`
          (``mean_abs``, ``frobenius``; 0 best);
        - ``cramers_v_*``: :func:`association_difference` (0 best);
        - ``alpha_precision``, ``beta_recall`` (1 best), ``authenticity``:
          :func:`alpha_precision_beta_recall`;
        - ``density`` (about 1 best), ``coverage`` (1 best):
          :func:`density_coverage` with ``k=5``;
        - ``dcr_train``, ``dcr_holdout``, ``dcr_share_closer_to_train`` (0.5
          best): :func:`distance_to_closest_record`;
        - ``nndr``: :func:`nearest_neighbour_distance_ratio` (near 0 flags
          copies);
        - ``duplicate_rate``: :func:`exact_duplicate_rate` against ``train``
          (0 best);
        - ``detection_auc``: :func:`detection_auc` (0.5 best).

        A metric that does not apply (for example a dependency metric with
        fewer than two columns of its kind) is NaN.
    """
    others = [("synthetic", synthetic)]
    if train is not None:
        others.append(("train", train))
    if holdout is not None:
        others.append(("holdout", holdout))
    _check_frames(real, *others)
    if max_samples is not None and int(max_samples) < 1:
        raise ValueError(f"max_samples must be positive or None; got {max_samples!r}.")
    rng = check_random_state(random_state)
    mask = resolve_categorical_features(real, categorical_features)
    train = real if train is None else train
    real_s = _subsample(real, max_samples, rng)
    syn_s = _subsample(synthetic, max_samples, rng)

    out: dict[str, float] = {
        "wasserstein_mean": _mean(wasserstein_distances(real_s, syn_s, mask)),
        "ks_mean": _mean(ks_statistics(real_s, syn_s, mask)),
        "js_mean": _mean(jensen_shannon_distances(real_s, syn_s, mask)),
        "marginal_fidelity": marginal_fidelity(real_s, syn_s, mask),
    }
    for method in ("pearson", "spearman"):
        diff = correlation_difference(real_s, syn_s, method, mask)
        out[f"{method}_mean_abs"] = diff["mean_abs"]
        out[f"{method}_frobenius"] = diff["frobenius"]
    diff = association_difference(real_s, syn_s, "cramers_v", mask)
    out["cramers_v_mean_abs"] = diff["mean_abs"]
    out["cramers_v_frobenius"] = diff["frobenius"]

    er, es = _embed(real_s, syn_s, categorical_features=mask)
    out.update(_support_metrics(er, es, k=5))

    refs = _embed(
        train,
        syn_s,
        *([] if holdout is None else [holdout]),
        categorical_features=mask,
    )
    privacy = _privacy_metrics(
        refs[1], refs[0], refs[2] if holdout is not None else None, rng
    )
    out["dcr_train"] = privacy["dcr_train"]
    out["dcr_holdout"] = privacy["dcr_holdout"]
    out["dcr_share_closer_to_train"] = privacy["share_closer_to_train"]
    out["nndr"] = privacy["nndr"]
    out["duplicate_rate"] = exact_duplicate_rate(synthetic, train, mask)
    out["detection_auc"] = detection_auc(real_s, syn_s, mask, random_state=rng)
    return {key: float(out[key]) for key in SUMMARY_KEYS}
