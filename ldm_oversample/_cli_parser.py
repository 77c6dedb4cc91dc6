"""The ``ldm-oversample`` command's argument parser (``--help`` texts and
defaults); :mod:`.cli` runs the commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._version import __version__

__all__: list[str] = []


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ldm-oversample",
        description="Latent-diffusion over-sampling for imbalanced tabular data.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser(
        "demo",
        help="balance a generated imbalanced mixed-type table and summarise quality",
        description="Generate an imbalanced mixed-type table in code, balance it "
        "with LDMOverSampler and compare the synthetic rows with the real ones.",
        formatter_class=_HelpFormatter,
    )
    demo.add_argument("--rows", type=int, default=2000, help="rows of the demo table")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    demo.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="training epochs (None: the sampler's default)",
    )
    _add_progress_options(demo)
    _add_benchmark_parser(sub)
    _add_resample_parser(sub)
    return parser


class _HelpFormatter(argparse.HelpFormatter):
    """``--help`` shows each option's default, except where there is none to
    show (required options, flags, or a help text that says it already)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help
        default = action.default
        if (
            text is None
            or text == argparse.SUPPRESS
            or action.required
            or default in (None, argparse.SUPPRESS)
            or isinstance(default, bool)
            or "default" in text
        ):
            return text
        if isinstance(default, list | tuple):
            default = " ".join(map(str, default))
        return f"{text} (default: {str(default).replace('%', '%%')})"


def _add_progress_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bars (shown by default)"
    )
    # Progress is on by default now; the old flag is accepted and does nothing.
    parser.add_argument("--verbose", action="store_true", help=argparse.SUPPRESS)


def _add_benchmark_parser(sub) -> None:
    from .benchmark.protocol import (
        CLASSIFIERS,
        DEFAULT_CLASSIFIERS,
        DEFAULT_RATIOS,
        DEFAULT_SAMPLERS,
        SAMPLERS,
    )

    bench = sub.add_parser(
        "benchmark",
        help="compare samplers on CICIoT2023 files: IDS F1, fidelity and time",
        description="Run the study's protocol on your CICIoT2023 CSV files and write "
        "results.csv, report.md and plots to --out.",
        formatter_class=_HelpFormatter,
    )
    bench.add_argument(
        "--data",
        nargs="+",
        required=True,
        type=Path,
        help="CICIoT2023 CSV files, folders or globs (either layout; .gz is fine)",
    )
    bench.add_argument(
        "--attacks",
        nargs="+",
        default=None,
        help="attacks to test against Benign, one task each (default: every "
        "family in the data): families (DDoS, Mirai, Spoofing, DoS, Recon, "
        "WebAttack, BruteForce, Malware, Uploading) or fine labels of the "
        "original files (MITM-ArpSpoofing, DNS_Spoofing, DDoS-ICMP_Flood, ...), "
        "matched case-insensitively",
    )
    bench.add_argument(
        "--ratios",
        nargs="+",
        type=float,
        default=list(DEFAULT_RATIOS),
        help="attack rows kept in training, as a fraction of the benign rows",
    )
    bench.add_argument("--seeds", type=int, default=5, help="number of seeds")
    bench.add_argument(
        "--samplers",
        nargs="+",
        default=list(DEFAULT_SAMPLERS),
        help="from: " + ", ".join(SAMPLERS),
    )
    bench.add_argument(
        "--classifiers",
        nargs="+",
        default=list(DEFAULT_CLASSIFIERS),
        help="from: " + ", ".join(CLASSIFIERS) + " (RandomForest-200, HistGB)",
    )
    bench.add_argument(
        "--device",
        default="auto",
        help="where the neural samplers run: auto (CUDA if present), cpu, cuda, "
        "cuda:1, ...",
    )
    bench.add_argument(
        "--sampler-params",
        default="{}",
        help='JSON parameters per sampler, e.g. \'{"ldm": {"max_epochs": 50}}\'',
    )
    bench.add_argument(
        "--threshold-cv",
        type=int,
        default=5,
        help="also score every sampler with the decision threshold tuned by this "
        "many folds of the training split (the sampler refitted in each); 0 turns "
        "it off",
    )
    bench.add_argument(
        "--holdout",
        choices=["test", "validation"],
        default="test",
        help="score on the test split, or on a validation part of the training "
        "split (to choose settings without seeing the test split)",
    )
    bench.add_argument(
        "--test-ratio",
        type=float,
        default=None,
        help="cut the held-out attack rows of the binary tasks to this fraction "
        "of the held-out benign rows (deployment-like imbalance); default: keep "
        "the data's attack share",
    )
    bench.add_argument(
        "--tasks",
        nargs="+",
        choices=["binary", "multiclass"],
        default=["binary"],
        help="binary: Benign vs each attack, one task each; multiclass: every "
        "family at once, each attack family cut to the ratio and raised back by "
        "one sampling_strategy dict, scored by macro-F1 and per-class F1",
    )
    bench.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="parallel jobs of the random forest (default: 1; -1: all cores)",
    )
    bench.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="runs (attack x ratio x seed) in parallel processes, the CPU "
        "threads shared between them; same results as one job",
    )
    bench.add_argument(
        "--out",
        type=Path,
        default=Path("benchmark_out"),
        help="folder of results.csv, the plots and (by default) report.md",
    )
    bench.add_argument(
        "--report", type=Path, help="where to write report.md (default: in --out)"
    )
    bench.add_argument("--no-plots", action="store_true", help="tables only")
    bench.add_argument(
        "--quiet", action="store_true", help="no progress bar (shown by default)"
    )


def _add_resample_parser(sub) -> None:
    from .benchmark.protocol import SAMPLERS

    res = sub.add_parser(
        "resample",
        help="balance a CSV file and write the balanced rows",
        description="Read a CSV, balance it on --target with a sampler, write a CSV "
        "with the original rows first and the new rows after.",
        formatter_class=_HelpFormatter,
    )
    res.add_argument("--data", required=True, type=Path, help="input CSV (or .gz)")
    res.add_argument("--target", required=True, help="the class column")
    res.add_argument(
        "--sampler",
        default="ldm",
        choices=[s for s in SAMPLERS if s != "none"],
        help="the sampler",
    )
    res.add_argument(
        "--sampling-strategy",
        default="auto",
        help="auto, minority, not majority, all, a float, or a JSON object of "
        "class counts",
    )
    res.add_argument(
        "--sampler-params",
        default="{}",
        help="JSON constructor parameters, e.g. '{\"max_epochs\": 50}'",
    )
    res.add_argument("--seed", type=int, default=0, help="random seed")
    res.add_argument(
        "--device",
        default="auto",
        help="where a neural sampler runs: auto (CUDA if present), cpu, cuda, ...",
    )
    _add_progress_options(res)
    res.add_argument("--out", required=True, type=Path, help="output CSV")
