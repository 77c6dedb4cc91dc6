"""Sampling and fitting speed of LDMOverSampler against data-space diffusion.

The performance issue's ratio targets, measured in one run on one machine:

1. LDM default vs DDPM default (T = 1000 ancestral steps) sampling time for the
   same rows (target <= 0.05);
2. LDM vs DDPM at equal steps (50) and equal denoiser width and depth (both
   defaults are 256 x 3), the study's "about 25% faster" claim (target <= 0.75);
3. LDM default sampling rows/s (target >= 20k on 2 CPU cores) and
   ``fit_resample`` seconds on Benign vs Spoofing at 10% (target <= 10 s);
5. peak RSS added by sampling ``--memory-rows`` rows from a loaded model
   (target < 500 MB for 1 M rows), in a fresh process so that the fit's own
   peak does not hide it.

Both models are fitted once on the training split of the benchmark protocol
(Benign vs Spoofing, attack rows cut to 10%, seed 0); the equal-step DDPM is
the same fitted model with ``n_sampling_steps=50`` (a sampling-time setting).
Each timing is the best of ``--repeats`` calls.

Usage::

    python benchmarks/sampling_speed.py                 # writes sampling_speed.md
    python benchmarks/sampling_speed.py --rows 2000 --memory-rows 100000 \\
        --out /tmp/speed.md                              # a quick look
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import torch
from ids_quality import DEFAULT_DATA

from ldm_oversample import DDPMOverSampler, LDMOverSampler, __version__
from ldm_oversample.benchmark import load_ciciot2023, make_task, scarce_split

_MEMORY_PROBE = """
import resource, sys, joblib
sampler = joblib.load(sys.argv[1])
sampler.sample(10, class_label=1)  # warm-up: lazy imports, first allocations
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sampler.sample(int(sys.argv[2]), class_label=1)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024)  # ru_maxrss is in KiB on Linux
"""


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mb(sampler, rows: int) -> float:
    """Peak RSS added by ``sample(rows)`` in a fresh process (Linux)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        joblib.dump(sampler, path)
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, str(path), str(rows)],
            capture_output=True,
            text=True,
            check=True,
        )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rows", type=int, default=2000, help="rows per timing")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    args = parser.parse_args(argv)

    X, y, _ = make_task(load_ciciot2023(args.data), "Spoofing")
    X_tr, y_tr, _, _ = scarce_split(X, y, 0.1, seed=0)
    ldm = LDMOverSampler(random_state=0, device=args.device)
    start = time.perf_counter()
    ldm.fit_resample(X_tr, y_tr)
    ldm_fit = time.perf_counter() - start
    ddpm = DDPMOverSampler(random_state=0, device=args.device)
    start = time.perf_counter()
    ddpm.fit(X_tr, y_tr)
    ddpm_fit = time.perf_counter() - start

    n = args.rows
    t_ldm = best_time(lambda: ldm.sample(n, class_label=1), args.repeats)
    t_ddpm_1000 = best_time(lambda: ddpm.sample(n, class_label=1), 1)
    ddpm.set_params(n_sampling_steps=ldm.n_sampling_steps)
    t_ddpm_50 = best_time(lambda: ddpm.sample(n, class_label=1), args.repeats)
    rss = peak_rss_mb(ldm, args.memory_rows)

    rows = [
        (
            "1. LDM default / DDPM default (1000 steps), sampling",
            f"{t_ldm:.3f} s / {t_ddpm_1000:.3f} s = {t_ldm / t_ddpm_1000:.4f}",
            "<= 0.05",
            t_ldm / t_ddpm_1000 <= 0.05,
        ),
        (
            f"2. LDM / DDPM at {ldm.n_sampling_steps} steps, equal 256x3 denoiser",
            f"{t_ldm:.3f} s / {t_ddpm_50:.3f} s = {t_ldm / t_ddpm_50:.3f}",
            "<= 0.75",
            t_ldm / t_ddpm_50 <= 0.75,
        ),
        (
            "3a. LDM default sampling rows/s",
            f"{n / t_ldm:,.0f}",
            ">= 20,000",
            n / t_ldm >= 20_000,
        ),
        (
            "3b. LDM default fit_resample, Spoofing 10%",
            f"{ldm_fit:.1f} s ({len(y_tr)} rows)",
            "<= 10 s",
            ldm_fit <= 10,
        ),
        (
            f"5. peak RSS added by sampling {args.memory_rows:,} rows",
            f"{rss:.0f} MB",
            "< 500 MB" + ("" if args.memory_rows == 1_000_000 else " (for 1 M)"),
            rss < 500,
        ),
    ]
    lines = [
        "# Sampling and fitting speed: LDM vs data-space diffusion",
        "",
        "Generated by:",
        "",
        "```",
        "python " + " ".join(sys.argv),
        "```",
        "",
        f"ldm_oversample {__version__}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} CPU threads, device {args.device}, "
        f"{platform.machine()}. Timings: best of {args.repeats} calls of "
        f"`sample({n})` (DDPM at 1000 steps: one call). DDPM default fit: "
        f"{ddpm_fit:.1f} s.",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {'yes' if d else 'no'} |" for a, b, c, d in rows),
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
