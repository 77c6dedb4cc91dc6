"""Time ``LDMOverSampler.sample`` on a GPU (or the CPU) in rows per second.

Fits an LDM with its default architecture on a small mixed-type table, then
times ``sample(n, class_label="attack")`` for a few sizes ``n`` and prints the
rows per second. Generation is done in chunks on the device (262,144 rows per
chunk on CUDA, 16,384 on the CPU) and decoded back to the original columns
and dtypes, so the times include the decoding to a DataFrame.

It runs on CUDA when ``torch.cuda.is_available()``; otherwise it says so and
falls back to the CPU, with smaller sizes. The training length does not change
the sampling speed, so training is kept short. The first call is a warm-up
(CUDA context, kernel selection) and is not timed; each size is timed twice
and the faster run is reported.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=20
    Training epochs (the test suite uses 2).

Runs in about half a minute on a laptop CPU.
"""

from __future__ import annotations

import os
import time

import torch

from ldm_oversample import LDMOverSampler
from ldm_oversample.datasets import make_imbalanced_mixed

EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "20"))
SEED = 0


def pick_device():
    """CUDA if available, else the CPU (with a message).

    Returns
    -------
    device : str
        ``"cuda"`` or ``"cpu"``.
    sizes : list of int
        Row counts to time on that device.
    """
    if torch.cuda.is_available():
        print(f"device: cuda ({torch.cuda.get_device_name(0)})")
        return "cuda", [100_000, 1_000_000, 4_000_000]
    print(
        "CUDA is not available: falling back to the CPU "
        f"({torch.get_num_threads()} torch threads), with smaller sizes."
    )
    return "cpu", [5_000, 20_000]


def time_sample(sampler, n_samples, repeats=2):
    """Best wall-clock time of ``sampler.sample(n_samples, "attack")``.

    Parameters
    ----------
    sampler : fitted LDMOverSampler
    n_samples : int
        Rows per call.
    repeats : int, default=2
        Timed calls; the fastest is returned.

    Returns
    -------
    float
        Seconds.
    """
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        rows = sampler.sample(n_samples, class_label="attack")
        if sampler.device_.startswith("cuda"):
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
        assert len(rows) == n_samples
    return best


def main():
    """Fit, warm up, time each size and print rows per second."""
    device, sizes = pick_device()
    X, y = make_imbalanced_mixed(n_samples=2000, random_state=SEED)
    sampler = LDMOverSampler(max_epochs=EPOCHS, device=device, random_state=SEED)
    start = time.perf_counter()
    sampler.fit(X, y)
    print(
        f"fitted on {len(X)} rows x {X.shape[1]} columns in "
        f"{time.perf_counter() - start:.1f} s ({EPOCHS} epochs, "
        f"device {sampler.device_})"
    )
    print(
        f"solver {sampler.solver!r}, {sampler.n_sampling_steps} steps, "
        f"precision {sampler.precision!r}"
    )
    sampler.sample(1_000, class_label="attack")  # warm-up, not timed

    print(f"\n{'rows':>10} {'seconds':>9} {'rows/s':>12}")
    for n in sizes:
        seconds = time_sample(sampler, n)
        print(f"{n:>10,} {seconds:>9.3f} {n / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
