"""Command-line interface: ``ldm-oversample``."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from ._version import __version__

__all__ = ["main"]


def _counts(y) -> dict:
    return {str(k): int(v) for k, v in y.value_counts().sort_index().items()}


def _demo(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from .datasets import make_imbalanced_mixed
    from .metrics import quick_quality_summary
    from .over_sampling import LDMOverSampler

    X, y = make_imbalanced_mixed(n_samples=args.rows, random_state=args.seed)
    print(
        f"Generated an imbalanced mixed-type demo table in code ({len(X)} rows: "
        f"float, int, category and bool columns; no real data ships with the package)."
    )
    print("Class counts before:", _counts(y))
    params = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
    # A person runs the demo: show progress unless told not to.
    sampler = LDMOverSampler(random_state=args.seed, verbose=not args.quiet, **params)
    start = time.perf_counter()
    X_res, y_res = sampler.fit_resample(X, y)
    elapsed = time.perf_counter() - start
    print("Class counts after: ", _counts(y_res))
    print(f"fit_resample took {elapsed:.1f} s on {sampler.device_}.")

    minority = y.value_counts().idxmin()
    real = X[y == minority]
    synthetic = X_res.iloc[len(X) :][y_res.iloc[len(X) :] == minority]
    # Equal sample sizes on both sides, so the two columns are comparable.
    rng = np.random.default_rng(args.seed)
    shuffled = real.iloc[rng.permutation(len(real))]
    half = len(real) // 2
    real_a, real_b = shuffled.iloc[:half], shuffled.iloc[half : 2 * half]
    table = pd.DataFrame(
        {
            "synthetic vs real": quick_quality_summary(real_a, synthetic.iloc[:half]),
            "real vs real": quick_quality_summary(real_a, real_b),
        }
    )
    print(f"\nQuick quality summary for class {minority!r} (lower is closer to real):")
    print(table.round(3).to_string())
    print(
        f"\nEach column compares {half} rows with {half} real rows of the class. "
        "'real vs real' is the noise floor: two halves of the real rows differ this "
        "much by chance. The generator saw all real rows, so this is a fidelity "
        "check, not a held-out test."
    )
    return 0


def _json_dict(text: str, option: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{option} is not valid JSON ({exc.msg}): {text!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{option} must be a JSON object; got {text!r}")
    return value


def _sampling_strategy(text: str):
    """``auto``-style names, a float, or a JSON object of class counts."""
    if text in {"auto", "minority", "not minority", "not majority", "all"}:
        return text
    try:
        return float(text)
    except ValueError:
        pass
    return _json_dict(text, "--sampling-strategy")


def _context_lines(frame, paths, device: str, attacks) -> list[str]:
    import platform

    import torch

    from .benchmark import describe_data

    where = (
        torch.cuda.get_device_name(0)
        if device != "cpu" and torch.cuda.is_available()
        else f"CPU ({torch.get_num_threads()} torch threads)"
    )
    return [
        f"Data: {', '.join(str(p) for p in paths)} (layout "
        f"{frame.attrs.get('layout', '?')}).",
        *(f"- {line}" for line in describe_data(frame, attacks)),
        "",
        f"ldm_oversample {__version__}, torch {torch.__version__}, Python "
        f"{platform.python_version()}, {platform.machine()}; samplers ran on {where}.",
    ]


def _benchmark(args: argparse.Namespace) -> int:
    from .benchmark import load_ciciot2023, run_benchmark, write_report

    params = _json_dict(args.sampler_params, "--sampler-params")
    frame = load_ciciot2023(args.data)
    result = run_benchmark(
        frame,
        attacks=args.attacks if "binary" in args.tasks else [],
        ratios=args.ratios,
        seeds=args.seeds,
        samplers=args.samplers,
        classifiers=args.classifiers,
        device=args.device,
        sampler_params=params,
        threshold_cv=args.threshold_cv or None,
        holdout=args.holdout,
        multiclass="multiclass" in args.tasks,
        n_jobs=args.n_jobs,
        jobs=args.jobs,
        progress=not args.quiet,
    )
    command = "ldm-oversample " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if args.argv is None else args.argv)
    )
    report = write_report(
        result,
        args.out,
        command=command,
        context=_context_lines(frame, args.data, args.device, args.attacks or ()),
        plots=not args.no_plots,
        report_path=args.report,
    )
    tables = {"results.csv": result.results, "multiclass.csv": result.multiclass}
    names = [name for name, part in tables.items() if len(part)] or ["results.csv"]
    written = " and ".join(str(args.out / name) for name in names)
    print(f"Wrote {report} and {written}.")
    return 0


def _resample(args: argparse.Namespace) -> int:
    import pandas as pd

    from .benchmark import make_sampler

    if not args.data.is_file():
        raise FileNotFoundError(f"no such file: {args.data}")
    frame = pd.read_csv(args.data)
    if args.target not in frame.columns:
        raise ValueError(
            f"target column {args.target!r} is not in {args.data}; columns are "
            f"{', '.join(map(str, frame.columns[:10]))}"
            + (" ..." if frame.shape[1] > 10 else "")
        )
    if args.sampler == "none":
        raise ValueError("--sampler none does not resample; choose another sampler")
    params = _json_dict(args.sampler_params, "--sampler-params")
    params["sampling_strategy"] = _sampling_strategy(args.sampling_strategy)
    if args.sampler != "random":
        params.setdefault("verbose", not args.quiet)
    sampler = make_sampler(args.sampler, args.seed, device=args.device, params=params)
    X, y = frame.drop(columns=[args.target]), frame[args.target]
    print("Class counts before:", _counts(y))
    start = time.perf_counter()
    X_res, y_res = sampler.fit_resample(X, y)
    print("Class counts after: ", _counts(y_res))
    print(f"{args.sampler} took {time.perf_counter() - start:.1f} s.")
    out = X_res.assign(**{args.target: y_res.to_numpy()})
    out.to_csv(args.out, index=False)
    print(f"Wrote {len(out)} rows to {args.out}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ldm-oversample`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        Process exit status.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    commands = {"demo": _demo, "benchmark": _benchmark, "resample": _resample}
    if args.command not in commands:
        parser.print_help()
        return 0
    try:
        return commands[args.command](args)
    except (OSError, ValueError, KeyError) as exc:
        # Bad paths, names and values are the user's to fix: one line, no traceback.
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"ldm-oversample {args.command}: error: {message}", file=sys.stderr)
        return 2


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


if __name__ == "__main__":
    sys.exit(main())
