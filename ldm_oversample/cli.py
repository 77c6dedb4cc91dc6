"""Command-line interface: ``ldm-oversample``."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time

from ._cli_parser import _build_parser
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
        test_ratio=args.test_ratio,
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


if __name__ == "__main__":
    sys.exit(main())
