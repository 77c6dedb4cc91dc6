"""Fidelity, diversity, privacy, detection and utility metrics of synthetic rows.

Every metric is a pure function of pandas DataFrames with the same columns
(``real`` and ``synthetic``, or ``synthetic`` and ``train``) and handles mixed
numeric and categorical columns; ``categorical_features="auto"`` treats
``category``, ``object``, ``string`` and ``bool`` columns as categorical (see
:func:`~ldm_oversample.tabular.resolve_categorical_features`).
:func:`fidelity_summary` collects every scalar in one flat dict.
"""

from ._dependency import association_difference, correlation_difference
from ._detection import detection_auc
from ._diversity import alpha_precision_beta_recall, density_coverage
from ._faithfulness import ClassFaithfulness, class_faithfulness, zero_rate_gaps
from ._fidelity import (
    jensen_shannon_distances,
    ks_statistics,
    marginal_distances,
    marginal_fidelity,
    quick_quality_summary,
    wasserstein_distances,
)
from ._privacy import (
    distance_to_closest_record,
    exact_duplicate_rate,
    nearest_neighbour_distance_ratio,
)
from ._rules import Rule, rule_violations
from ._summary import SUMMARY_KEYS, fidelity_summary
from ._utility import utility_scores

__all__ = [
    "SUMMARY_KEYS",
    "ClassFaithfulness",
    "Rule",
    "alpha_precision_beta_recall",
    "association_difference",
    "class_faithfulness",
    "correlation_difference",
    "density_coverage",
    "detection_auc",
    "distance_to_closest_record",
    "exact_duplicate_rate",
    "fidelity_summary",
    "jensen_shannon_distances",
    "ks_statistics",
    "marginal_distances",
    "marginal_fidelity",
    "nearest_neighbour_distance_ratio",
    "quick_quality_summary",
    "rule_violations",
    "utility_scores",
    "wasserstein_distances",
    "zero_rate_gaps",
]
