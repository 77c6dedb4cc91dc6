"""Stress runs (not in CI): every sampler on large, wide, skewed and many-class tables.

Four synthetic scenarios, each drawn with a fixed seed (``--scale`` multiplies
the row counts; every class keeps at least 6 rows, the fewest SMOTE's default
5 neighbours need):

- ``imbalance_1_10000``: 100,000 majority and 10 minority rows, 20 numeric
  features (12 Gaussian, 4 integer counts, 4 heavy-tailed) and 2 categorical
  columns, as a DataFrame;
- ``features_200``: 5,000 rows at 10:1, 200 features (180 float, 10 integer,
  10 categorical), as a DataFrame;
- ``rows_100k``: 100,000 rows at 10:1, 30 mixed features (18 float, 5 integer,
  4 heavy-tailed, 3 categorical), as a DataFrame;
- ``classes_50``: 20,000 rows, 10 float features, as a NumPy array, with a
  50-class target whose class sizes decrease geometrically down to 6 rows;
  the default ``sampling_strategy="auto"`` brings every class to the majority
  count, so ~96,000 rows are generated.

Each (scenario, sampler) runs in a fresh ``spawn`` child process, which builds
the data, reads its peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``: the
interpreter, torch and the data), times ``fit_resample``, reads the peak RSS
again, and checks the result with
``ldm_oversample.testing.assert_resample_invariants``. A crash is reported with
its exception, and a run longer than ``--timeout`` seconds is killed and
reported as a timeout; neither stops the other runs.

Samplers run at their defaults with ``random_state=0``, except
``CTGANOverSampler(max_epochs=--ctgan-epochs)``: its default 300 epochs on
100,000 rows take hours on a 2-core CPU. The diffusion samplers keep their
defaults (``max_steps=2000`` caps their training).

Usage::

    python benchmarks/stress.py                      # writes stress.{md,csv}
    python benchmarks/stress.py --scale 0.02 --ctgan-epochs 1 --out /tmp/s.md
    python benchmarks/stress.py --scenarios classes_50 --samplers SMOTEOverSampler
    python benchmarks/stress.py --samplers DDPMOverSampler --update  # rerun rows

``--update`` reruns only the chosen (scenario, sampler) pairs and keeps the
other rows of the existing ``--out`` CSV; the report names both commands.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import shlex
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from common import generated_by

import ldm_oversample
from ldm_oversample import __version__
from ldm_oversample.benchmark import markdown_table
from ldm_oversample.testing import assert_resample_invariants

SEED = 0
MIN_CLASS_ROWS = 6
SAMPLERS = (
    "SMOTEOverSampler",
    "LDMOverSampler",
    "DDPMOverSampler",
    "CTGANOverSampler",
)


def scaled(rows: int, scale: float) -> int:
    """``rows * scale``, rounded, and at least ``MIN_CLASS_ROWS``."""
    return max(MIN_CLASS_ROWS, round(rows * scale))


def ten_to_one(rows: int, scale: float) -> list[int]:
    """Class sizes of a two-class table of ``rows * scale`` rows at 10:1."""
    total = round(rows * scale)
    minority = max(MIN_CLASS_ROWS, round(total / 11))
    return [max(MIN_CLASS_ROWS, total - minority), minority]


def geometric(rows: int, n_classes: int, scale: float) -> list[int]:
    """Geometrically decreasing class sizes summing to ``rows * scale``.

    The ratio is the smallest one that leaves the last class
    ``MIN_CLASS_ROWS`` rows (all classes equal where the table is too small
    for that); sizes are rounded by largest remainder.
    """
    total = max(round(rows * scale), n_classes * MIN_CLASS_ROWS)

    def shares(r: float) -> np.ndarray:
        w = r ** np.arange(n_classes)
        return total * w / w.sum()

    low, high = 1e-9, 1.0
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if shares(mid)[-1] < MIN_CLASS_ROWS else (low, mid)
    raw = shares(high)
    sizes = np.floor(raw).astype(int)
    order = np.argsort(sizes - raw)  # largest fractional part first
    sizes[order[: total - sizes.sum()]] += 1
    return sorted(np.maximum(sizes, MIN_CLASS_ROWS).tolist(), reverse=True)


@dataclass(frozen=True)
class Scenario:
    sizes: Callable[[float], list[int]]
    n_float: int
    n_int: int = 0
    n_heavy: int = 0
    n_cat: int = 0
    frame: bool = True

    @property
    def n_features(self) -> int:
        return self.n_float + self.n_int + self.n_heavy + self.n_cat


SCENARIOS = {
    "imbalance_1_10000": Scenario(
        lambda s: [scaled(100_000, s), scaled(10, s)], 12, 4, 4, 2
    ),
    "features_200": Scenario(lambda s: ten_to_one(5_000, s), 180, 10, 0, 10),
    "rows_100k": Scenario(lambda s: ten_to_one(100_000, s), 18, 5, 4, 3),
    "classes_50": Scenario(lambda s: geometric(20_000, 50, s), 10, frame=False),
}


def make_table(scenario: Scenario, sizes: list[int], seed: int = SEED):
    """A shuffled synthetic table with class-dependent columns, and its labels."""
    rng = np.random.default_rng(seed)
    k = len(sizes)
    y = rng.permutation(np.repeat(np.arange(k), sizes))
    n = len(y)
    columns: dict[str, np.ndarray | pd.Categorical] = {}
    shift = rng.normal(0.0, 1.0, (k, scenario.n_float))
    block = shift[y] + rng.standard_normal((n, scenario.n_float))
    for j in range(scenario.n_float):
        columns[f"f{j}"] = block[:, j]
    for j in range(scenario.n_int):  # counts, mean 1 to ~20 depending on class
        lam = np.exp(rng.uniform(0.0, 3.0, k))
        columns[f"i{j}"] = rng.poisson(lam[y]).astype(np.int64)
    for j in range(scenario.n_heavy):
        loc = rng.normal(0.0, 1.0, k)[y]
        kind = j % 3
        if kind == 0:  # log-normal, sigma 2
            values = np.exp(loc + 2.0 * rng.standard_normal(n))
        elif kind == 1:  # Student t with 1.5 degrees of freedom (infinite variance)
            values = loc + rng.standard_t(1.5, n)
        else:  # Pareto, alpha 1.2
            values = (1.0 + rng.pareto(1.2, n)) * np.exp(loc)
        columns[f"h{j}"] = values
    for j in range(scenario.n_cat):
        levels = np.array([f"c{j}_{v}" for v in range(3 + j % 6)])
        probs = rng.dirichlet(np.ones(len(levels)), k)
        cum = probs.cumsum(axis=1)[y]
        codes = (rng.random((n, 1)) > cum).sum(axis=1).clip(max=len(levels) - 1)
        values = levels[codes]
        # alternate category columns and plain string columns (pandas' default
        # string dtype, object on pandas < 3)
        columns[f"c{j}"] = (
            pd.Categorical(values, categories=levels) if j % 2 == 0 else values
        )
    if not scenario.frame:
        return np.column_stack(list(columns.values())), y
    return pd.DataFrame(columns), y


def make_sampler(name: str, ctgan_epochs: int):
    params = {"random_state": 0}
    if name == "CTGANOverSampler":
        params["max_epochs"] = ctgan_epochs
    return getattr(ldm_oversample, name)(**params)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(scenario_name, sampler_name, scale, ctgan_epochs, conn) -> None:
    """One (scenario, sampler) run; sends its result dictionary through ``conn``."""
    result = {}
    try:
        X, y = make_table(
            SCENARIOS[scenario_name], SCENARIOS[scenario_name].sizes(scale)
        )
        result["baseline RSS MB"] = peak_rss_mb()
        sampler = make_sampler(sampler_name, ctgan_epochs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            X_res, y_res = sampler.fit_resample(X, y)
            result["fit_resample s"] = time.perf_counter() - start
        result["peak RSS MB"] = peak_rss_mb()
        result["rows generated"] = len(y_res) - len(y)
        result["warnings"] = " | ".join(
            sorted({f"{w.category.__name__}: {w.message}"[:200] for w in caught})
        )
        try:
            assert_resample_invariants(X, y, X_res, y_res, sampler.sampling_strategy_)
            result["invariants"] = "ok"
        except AssertionError as exc:
            result["invariants"] = f"FAILED: {exc}"
    except Exception as exc:  # reported, never raised: the other runs go on
        result["invariants"] = f"crash: {type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()
        result.setdefault("peak RSS MB", peak_rss_mb())
    conn.send(result)
    conn.close()


def run_isolated(scenario_name, sampler_name, args) -> dict:
    """Run ``child`` in a fresh spawned process, killed after ``args.timeout`` s."""
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(
        target=child,
        args=(scenario_name, sampler_name, args.scale, args.ctgan_epochs, writer),
    )
    start = time.perf_counter()
    process.start()
    writer.close()  # so that a child that dies leaves the reader at EOF
    result = None
    try:
        if reader.poll(args.timeout):
            result = reader.recv()
    except EOFError:
        pass
    except BaseException:  # Ctrl-C: leave no run behind
        process.kill()
        raise
    wall = time.perf_counter() - start
    if result is None and process.is_alive():
        process.kill()
        process.join()
        result = {"invariants": f"timeout: killed after {args.timeout:g} s"}
    else:
        process.join()
        if result is None:
            result = {"invariants": f"crash: child exited with {process.exitcode}"}
    reader.close()
    result["wall s"] = wall
    return result


def _report_command(report: Path) -> str:
    """The command recorded in an earlier report (its first code block)."""
    text = report.read_text().split("```")
    return text[1].strip() if len(text) > 1 else "(unknown)"


def _merged(previous: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """The rows of ``previous`` with each rerun (scenario, sampler) pair
    replaced in place by its row of ``rows``; new pairs go last."""
    fresh = {(row["scenario"], row["sampler"]): row for row in rows}
    merged = [
        fresh.pop((old["scenario"], old["sampler"]), old)
        for old in previous.to_dict("records")
    ]
    return pd.DataFrame([*merged, *fresh.values()])


def describe_classes(sizes: list[int]) -> str:
    if len(sizes) == 2:
        return f"2 ({sizes[0]}:{sizes[1]})"
    return f"{len(sizes)} ({max(sizes)} down to {min(sizes)})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS)
    )
    parser.add_argument("--samplers", nargs="+", choices=SAMPLERS, default=SAMPLERS)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--ctgan-epochs", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    parser.add_argument(
        "--update",
        action="store_true",
        help="rerun only these rows; keep the others of the existing CSV",
    )
    args = parser.parse_args(argv)
    csv = args.out.with_suffix(".csv")
    kept, previous_command = pd.DataFrame(), None
    if args.update:
        kept = pd.read_csv(csv, keep_default_na=False)
        previous_command = _report_command(args.out)
    rows = []
    for scenario_name in args.scenarios:
        scenario = SCENARIOS[scenario_name]
        sizes = scenario.sizes(args.scale)
        for sampler_name in args.samplers:
            result = run_isolated(scenario_name, sampler_name, args)
            rows.append(
                {
                    "scenario": scenario_name,
                    "shape": f"{sum(sizes)} x {scenario.n_features}",
                    "classes": describe_classes(sizes),
                    "sampler": sampler_name,
                    "rows generated": result.get("rows generated", ""),
                    "fit_resample s": result.get("fit_resample s", np.nan),
                    "baseline RSS MB": result.get("baseline RSS MB", np.nan),
                    "peak RSS MB": result.get("peak RSS MB", np.nan),
                    "invariants": result["invariants"],
                    "warnings": result.get("warnings", ""),
                    "wall s": result["wall s"],
                }
            )
            print(
                f"{scenario_name} {sampler_name}: "
                f"{rows[-1]['fit_resample s']:.1f} s, "
                f"peak {rows[-1]['peak RSS MB']:.0f} MB, {result['invariants']}",
                flush=True,
            )
            if "traceback" in result:
                print(result["traceback"], flush=True)
            _merged(kept, rows).to_csv(csv, index=False)  # kept as runs finish
    frame = _merged(kept, rows)
    table = frame.drop(columns=["warnings", "wall s"]).rename(
        columns={"shape": "shape (rows x features)"}
    )
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    if previous_command is not None:
        command = f"{previous_command}\n# then, rerunning some rows:\n{command}"
    lines = [
        *generated_by(
            "Stress runs: large, wide, skewed and many-class tables", command
        ),
        f"ldm_oversample {__version__}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs, "
        f"{platform.machine()}, CUDA "
        f"{'available' if torch.cuda.is_available() else 'not available'}. "
        f"Row counts scaled by {args.scale:g} (each class keeps at least "
        f"{MIN_CLASS_ROWS} rows); data drawn with seed {SEED}.",
        "",
        "Samplers at their defaults with `random_state=0`, except "
        f"`CTGANOverSampler(max_epochs={args.ctgan_epochs})`: its default 300 "
        "epochs on 100,000 rows take hours on a 2-core CPU. The diffusion "
        "samplers keep their defaults (`max_steps=2000` caps training).",
        "",
        "Each run is a fresh process. Baseline RSS is its peak RSS after "
        "importing the package and building the data; peak RSS is read right "
        "after `fit_resample` (the increment is the sampler's). Invariants: "
        "`ldm_oversample.testing.assert_resample_invariants`. Warnings raised "
        f"during `fit_resample` are in `{csv.name}`.",
        "",
        markdown_table(table, ".1f"),
        "",
    ]
    args.out.write_text("\n".join(lines))
    frame.to_csv(csv, index=False)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
