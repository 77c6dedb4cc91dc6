"""The study's benchmark: CICIoT2023 loading, the protocol, the report."""

from .baselines import NormalSpaceSMOTE
from .data import (
    CICIOT2023_FEATURES_39,
    CICIOT2023_FEATURES_46,
    label_family,
    load_ciciot2023,
)
from .protocol import (
    CLASSIFIERS,
    SAMPLERS,
    THRESHOLD_SUFFIX,
    BenchmarkResult,
    make_sampler,
    merge_results,
    run_benchmark,
)
from .report import describe_data, markdown_table, summary_table, write_report
from .splits import attack_families, make_task, scarce_split

__all__ = [
    "CICIOT2023_FEATURES_39",
    "CICIOT2023_FEATURES_46",
    "CLASSIFIERS",
    "SAMPLERS",
    "THRESHOLD_SUFFIX",
    "BenchmarkResult",
    "NormalSpaceSMOTE",
    "attack_families",
    "describe_data",
    "label_family",
    "load_ciciot2023",
    "make_sampler",
    "make_task",
    "markdown_table",
    "merge_results",
    "run_benchmark",
    "scarce_split",
    "summary_table",
    "write_report",
]
