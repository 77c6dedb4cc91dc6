"""The study's benchmark: CICIoT2023 loading, the protocol, the report."""

from .data import (
    CICIOT2023_FEATURES_39,
    CICIOT2023_FEATURES_46,
    label_family,
    load_ciciot2023,
)
from .protocol import (
    CLASSIFIERS,
    SAMPLERS,
    BenchmarkResult,
    make_sampler,
    make_task,
    run_benchmark,
    scarce_split,
)
from .report import describe_data, markdown_table, summary_table, write_report

__all__ = [
    "CICIOT2023_FEATURES_39",
    "CICIOT2023_FEATURES_46",
    "CLASSIFIERS",
    "SAMPLERS",
    "BenchmarkResult",
    "describe_data",
    "label_family",
    "load_ciciot2023",
    "make_sampler",
    "make_task",
    "markdown_table",
    "run_benchmark",
    "scarce_split",
    "summary_table",
    "write_report",
]
