"""How good the rows of a ``fit_resample`` call are, class by class.

``fit_resample`` on a sampler built with ``quality_report=True`` leaves
``quality_report_``, a DataFrame indexed by class (:func:`quality_report`,
computed on held-out real rows). :func:`describe_quality` renders it as text
or HTML, and :func:`plot_quality` draws real against synthetic rows.
"""

from .plots import plot_quality
from .report import (
    DETECTION_WARNING,
    MEMORISATION_WARNING,
    QUALITY_COLUMNS,
    SyntheticQualityWarning,
    describe_quality,
    holdout_split,
    quality_report,
)

__all__ = [
    "DETECTION_WARNING",
    "MEMORISATION_WARNING",
    "QUALITY_COLUMNS",
    "SyntheticQualityWarning",
    "describe_quality",
    "holdout_split",
    "plot_quality",
    "quality_report",
]
