"""Downstream IDS quality on real CICIoT2023 rows: the packaged benchmark.

A thin wrapper over ``ldm-oversample benchmark`` (one protocol, in
:mod:`ldm_oversample.benchmark`) with this repository's defaults: the shared
sample as data, ``docs/benchmark/`` for ``results.csv`` and the plots, and
``docs/benchmark.md`` for the report (the packaged benchmark of the docs).
``ids_quality.md`` next to this file is the output of this script's previous,
separate protocol, kept for the figures the changelog quotes. Every option of
``ldm-oversample benchmark --help`` is accepted, ``--jobs`` for parallel runs.

Usage::

    python benchmarks/ids_quality.py --jobs 2          # every family and sampler
    python benchmarks/ids_quality.py --attacks Spoofing Recon --samplers none ldm \\
        --sampler-params '{"ldm": {"candidate_factor": 2}}' --holdout validation \\
        --out /tmp/probe --report /tmp/probe.md        # a design probe, no test split
"""

from __future__ import annotations

import sys
from pathlib import Path

from ldm_oversample import cli

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent / ".." / "shared" / "data" / "ciciot2023_sample.csv.gz"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    defaults = {
        "--data": str(DEFAULT_DATA),
        "--out": str(HERE.parent / "docs" / "benchmark"),
        "--report": str(HERE.parent / "docs" / "benchmark.md"),
    }
    for option, value in defaults.items():
        if option not in argv:
            argv += [option, value]
    return cli.main(["benchmark", *argv])


if __name__ == "__main__":
    sys.exit(main())
