"""GPU sampling of LDMOverSampler: correctness first, then rows/s per mode.

Fits the LDM at its defaults on the GPU (Benign vs Spoofing at 10%, seed 0) and

1. checks that GPU samples follow the CPU samples' distribution for the same
   fitted model, in every precision: the mean W1 (quantile-normal scale)
   between ``--check-rows`` GPU rows and as many CPU fp32 rows must stay
   within 1.5x the W1 between two CPU samples of different seeds (the
   sampling noise floor) plus 0.01, and repeated calls must be identical;
   and that a CUDA-graph replay of the reverse loop matches the eager loop;
2. times 50-step *latent* sampling (noise -> solver -> latents, what the
   performance target counts) of ``--rows`` rows in each mode: fp32, TF32 and
   bf16 autocast, for several chunk sizes, eager and as a CUDA graph; plus
   the naive loop this package started from (per-row timestep embedding) as
   the baseline;
3. times the full ``sample(rows)`` call (latents, VAE decoder, inverse column
   transform on the CPU, DataFrame) at the defaults.

Writes a Markdown report to ``--out`` (default ``gpu_sampling.md`` beside
this file). Needs CUDA; without it, it says so and exits with status 0.

Usage::

    python benchmarks/gpu_sampling.py --data ../shared/data/ciciot2023_sample.csv.gz
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from common import generated_by
from ids_quality import DEFAULT_DATA

from ldm_oversample import LDMOverSampler, __version__
from ldm_oversample.benchmark import (
    load_ciciot2023,
    make_task,
    markdown_table,
    scarce_split,
)
from ldm_oversample.diffusion import run_solver
from ldm_oversample.diffusion.runner import (
    CUDAGraphRun,
    conditional_model_fn,
    matmul_precision,
)
from ldm_oversample.metrics import wasserstein_distances

STEPS = 50


def naive_model_fn(denoiser, class_index: int, precision: str):
    """The loop before this package's fast path: conditioning per row per step."""
    bf16 = precision == "bf16"

    def model_fn(x, t):
        t_vec = torch.full((x.shape[0],), t, device=x.device)
        y_vec = torch.full_like(t_vec, class_index)
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
            return denoiser(x, t_vec, y_vec).float()

    return model_fn


def latent_seconds(
    ldm, n_rows, chunk, precision, graph, naive=False, device=None, steps=STEPS
) -> float:
    """Wall time of generating ``n_rows`` latents, graph capture included."""
    denoiser = ldm.denoiser_.to(device)
    pipeline = ldm._pipeline(torch.device(device))
    solver = pipeline.solver
    solver.set_timesteps(steps)
    generator = torch.Generator(device).manual_seed(0)
    out = torch.empty((n_rows, ldm.latent_dim), device=device)
    with torch.inference_mode(), matmul_precision(precision):
        model_fn = (
            naive_model_fn(denoiser, 1, precision)
            if naive
            else conditional_model_fn(
                denoiser, 1, solver.timesteps, precision=precision
            )
        )
        _sync(device)
        start = time.perf_counter()
        runner = None
        for lo in range(0, n_rows, chunk):
            n = min(chunk, n_rows - lo)
            x_T = pipeline.prior(n, device, generator)
            if runner is not None:
                z = runner(x_T)
            elif graph:
                runner = CUDAGraphRun(solver, model_fn, x_T)
                z = runner.first_out
            else:
                z = run_solver(solver, model_fn, x_T)
            out[lo : lo + n] = z
        _sync(device)
        return time.perf_counter() - start


def graph_vs_eager(ldm, device) -> float:
    """Largest difference between a CUDA-graph replay and the eager loop."""
    pipeline = ldm._pipeline(torch.device(device))
    solver = pipeline.solver
    solver.set_timesteps(STEPS)
    with torch.inference_mode():
        model_fn = conditional_model_fn(ldm.denoiser_.to(device), 1, solver.timesteps)
        generator = torch.Generator(device).manual_seed(0)
        first, second = (pipeline.prior(4096, device, generator) for _ in "ab")
        runner = CUDAGraphRun(solver, model_fn, first)
        replayed = runner(second)
        eager = run_solver(solver, model_fn, second)
        return float((replayed - eager).abs().max())


def best(fn, repeats: int) -> float:
    return min(fn() for _ in range(repeats))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--check-rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    parser.add_argument(
        "--device",
        default="cuda",
        help="'cpu' dry-runs the script (no graphs, fp32 only) to check it works",
    )
    args = parser.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("CUDA is not available: nothing to measure (run this on a GPU).")
        return 0
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    X, y, _ = make_task(load_ciciot2023(args.data), "Spoofing")
    X_tr, y_tr, _, _ = scarce_split(X, y, 0.1, seed=0)
    ldm = LDMOverSampler(random_state=0, device=args.device)
    start = time.perf_counter()
    ldm.fit(X_tr, y_tr)
    fit_s = time.perf_counter() - start
    lines = [
        *generated_by("GPU sampling of LDMOverSampler"),
        f"ldm_oversample {__version__}, torch {torch.__version__}, "
        f"{torch.cuda.get_device_name() if cuda else 'CPU'}, {platform.machine()}. "
        "LDM at its "
        f"defaults (denoiser {ldm.denoiser_width}x{ldm.denoiser_depth}, latent "
        f"{ldm.latent_dim}, solver {ldm.solver}, {ldm.n_sampling_steps} steps), "
        f"fitted on {device.type} in {fit_s:.1f} s (Benign vs Spoofing at 10%, "
        f"{len(y_tr)} rows).",
        "",
    ]

    # 1. correctness -------------------------------------------------------
    n_check = args.check_rows
    precisions = ("fp32", "tf32", "bf16") if cuda else ("fp32",)
    ldm.set_params(precision="fp32")
    ldm.device_ = "cpu"  # the same fitted model, sampled on the CPU
    ref = ldm.sample(n_check, class_label=1, random_state=1)
    other = ldm.sample(n_check, class_label=1, random_state=2)
    floor = float(wasserstein_distances(ref, other).mean())
    ldm.device_ = str(device)
    rows = []
    ok_all = True
    for precision in precisions:
        ldm.set_params(precision=precision)
        first = ldm.sample(n_check, class_label=1, random_state=1)
        w1 = float(wasserstein_distances(ref, first).mean())
        again = ldm.sample(n_check, class_label=1, random_state=1)
        ok = w1 <= 1.5 * floor + 0.01 and again.equals(first)
        ok_all &= ok
        rows.append(
            {
                "mode": precision,
                "W1 to CPU sample": w1,
                "repeatable": again.equals(first),
                "ok": ok,
            }
        )
    if cuda:  # the CUDA-graph replay must reproduce the eager loop
        graph_diff = graph_vs_eager(ldm, device)
        ok_all &= graph_diff < 1e-4
        rows.append(
            {
                "mode": "fp32 CUDA graph vs eager, max abs diff of latents",
                "W1 to CPU sample": graph_diff,
                "repeatable": True,
                "ok": graph_diff < 1e-4,
            }
        )
    lines += [
        f"## 1. Correctness ({n_check:,} rows per sample)",
        "",
        f"Noise floor (W1 between two CPU fp32 samples, seeds 1 and 2): "
        f"{floor:.4f}; a mode passes at W1 <= {1.5 * floor + 0.01:.4f} and "
        "bit-identical repeats.",
        "",
        markdown_table(pd.DataFrame(rows), ".4f"),
        "",
    ]

    # 2. latent sampling speed --------------------------------------------
    n = args.rows
    timing = []

    def record(label, chunk, precision, graph, naive=False):
        if not cuda and (graph or precision != "fp32"):
            return
        seconds = best(
            lambda: latent_seconds(ldm, n, chunk, precision, graph, naive, device),
            args.repeats,
        )
        timing.append(
            {
                "loop": label,
                "precision": precision,
                "chunk": chunk,
                "seconds": seconds,
                "M rows/s": n / seconds / 1e6,
            }
        )
        print(timing[-1], flush=True)

    latent_seconds(ldm, n // 10, n // 10, "fp32", False, device=device)  # warm-up
    for precision in ("fp32", "bf16"):
        record("naive (per-row conditioning)", 131_072, precision, False, naive=True)
    record("shared conditioning, eager", 131_072, "fp32", False)
    for chunk in (65_536, 131_072, 262_144, 1_048_576):
        for precision in ("tf32", "bf16"):
            record("shared conditioning, eager", min(chunk, n), precision, False)
    for chunk in (131_072, 1_048_576):
        record("shared conditioning + CUDA graph", min(chunk, n), "bf16", True)
    table = pd.DataFrame(timing)
    naive = table[table.loop.str.startswith("naive")].set_index("precision")
    fastest = table.loc[table["M rows/s"].idxmax()]
    lines += [
        f"## 2. Latent sampling, {n:,} rows, {STEPS} steps (best of {args.repeats}, "
        "graph capture included)",
        "",
        markdown_table(table, ".3f"),
        "",
        f"Fastest: {fastest.loop}, {fastest.precision}, chunk {fastest.chunk}: "
        f"**{fastest['M rows/s']:.2f} M rows/s**, "
        f"{fastest['M rows/s'] / naive['M rows/s'].iloc[-1]:.1f}x the "
        f"naive {naive.index[-1]} loop (target: >= 5 M rows/s).",
        "",
    ]

    # 3. end to end ---------------------------------------------------------
    ldm.set_params(precision="auto")
    ldm.sample(10_000, class_label=1)
    end_to_end = best(
        lambda: _timed(lambda: ldm.sample(n, class_label=1), device), args.repeats
    )
    lines += [
        f"## 3. `sample({n:,})` at the defaults, end to end",
        "",
        f"{end_to_end:.2f} s = {n / end_to_end / 1e6:.3f} M rows/s (latents, VAE "
        "decoder on the GPU, inverse quantile transform and DataFrame on the CPU).",
        "",
        f"All correctness checks passed: {'yes' if ok_all else 'NO'}.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if ok_all else 1


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(fn, device: torch.device) -> float:
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
