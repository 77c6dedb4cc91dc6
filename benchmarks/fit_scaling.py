"""Fit time vs minority size: LDMOverSampler against ctgan.CTGAN and SMOTE.

For each minority size ``m`` in ``--sizes`` a two-class table is drawn with
replacement from the real CICIoT2023 rows: ``m`` Spoofing rows and ``10 m``
Benign rows (the benchmark's 10% ratio). In the same run, on the CPU:

- ``LDMOverSampler().fit`` at its defaults (both classes: it is conditional;
  classes above ``max_rows_per_class`` are subsampled, and each network stops
  at ``max_epochs`` passes or ``max_steps`` steps);
- imbalanced-learn's ``SMOTE().fit_resample`` (SMOTE has no separate fit);
- ``ctgan.CTGAN(epochs=300).fit`` on the minority rows (a per-class generator,
  as CTGAN is used for over-sampling). Where 300 epochs would take too long
  (``m >= --ctgan-full-max``), it runs ``--ctgan-epochs`` epochs and the
  300-epoch time is extrapolated: its data transformer's time (timed
  separately) plus 300 times the measured time per epoch; such cells say
  "extrapolated".

Usage::

    python benchmarks/fit_scaling.py                 # writes fit_scaling.md
    python benchmarks/fit_scaling.py --sizes 100 1000 --out /tmp/fit.md
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from common import generated_by
from ctgan_parity import Stopwatch
from ids_quality import DEFAULT_DATA
from imblearn.over_sampling import SMOTE

from ldm_oversample import LDMOverSampler, __version__
from ldm_oversample.benchmark import load_ciciot2023, make_task, markdown_table


def draw_table(X, y, minority: int, seed: int):
    rng = np.random.default_rng(seed)
    attack = rng.choice(np.flatnonzero(y == 1), minority, replace=True)
    benign = rng.choice(np.flatnonzero(y == 0), 10 * minority, replace=True)
    rows = np.concatenate([benign, attack])
    return X.iloc[rows].reset_index(drop=True), y[rows]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ctgan_fit(X_min: pd.DataFrame, epochs: int, seed: int) -> tuple[float, float]:
    """Seconds of ``CTGAN(epochs).fit`` and of its data transformer within it."""
    from ctgan import CTGAN
    from ctgan.synthesizers import ctgan as ctgan_module

    clock = Stopwatch()
    owner = ctgan_module.DataTransformer
    originals = {n: clock.wrap(owner, n) for n in ("fit", "transform")}
    try:
        model = CTGAN(epochs=epochs)
        model.set_random_state(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seconds = timed(lambda: model.fit(X_min))
    finally:
        for n, f in originals.items():
            setattr(owner, n, f)
    return seconds, clock.seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--sizes", nargs="+", type=int, default=[100, 1000, 10_000, 100_000]
    )
    parser.add_argument("--ctgan-full-max", type=int, default=10_000)
    parser.add_argument("--ctgan-epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    args = parser.parse_args(argv)
    X_all, y_all, _ = make_task(load_ciciot2023(args.data), "Spoofing")
    rows = []
    for m in args.sizes:
        X, y = draw_table(X_all, y_all, m, seed=0)
        ldm = LDMOverSampler(random_state=0, device="cpu")
        ldm_s = timed(lambda ldm=ldm, X=X, y=y: ldm.fit(X, y))
        steps = {k: len(v) for k, v in ldm.history_.items()}
        smote_s = timed(lambda X=X, y=y: SMOTE(random_state=0).fit_resample(X, y))
        X_min = X[y == 1]
        if m < args.ctgan_full_max:
            ctgan_s, _ = ctgan_fit(X_min, 300, 0)
            ctgan_cell = f"{ctgan_s:.1f}"
        else:
            seconds, transformer = ctgan_fit(X_min, args.ctgan_epochs, 0)
            per_epoch = (seconds - transformer) / args.ctgan_epochs
            ctgan_s = transformer + 300 * per_epoch
            ctgan_cell = (
                f"{ctgan_s:.0f} (extrapolated: {args.ctgan_epochs} epochs took "
                f"{seconds:.1f} s, transformer {transformer:.1f} s)"
            )
        rows.append(
            {
                "minority rows": m,
                "table rows": len(y),
                "LDM fit s": ldm_s,
                "LDM epochs run (AE, diffusion)": (
                    f"{steps['autoencoder']}, {steps['diffusion']}"
                ),
                "SMOTE fit_resample s": f"{smote_s:.2f}",
                "ctgan.CTGAN 300-epoch fit s": ctgan_cell,
            }
        )
        print(rows[-1], flush=True)
    import ctgan

    lines = [
        *generated_by("Fit time vs minority size (CPU)"),
        f"ldm_oversample {__version__}, ctgan {ctgan.__version__}, torch "
        f"{torch.__version__}, {torch.get_num_threads()} CPU threads, "
        f"{platform.machine()}. Tables: m Spoofing + 10 m Benign rows drawn with "
        "replacement from the shared CICIoT2023 sample. LDM at its defaults "
        f"(max_epochs {ldm.max_epochs}, max_steps {ldm.max_steps}, batch "
        f"{ldm.batch_size}, max_rows_per_class {ldm.max_rows_per_class}); "
        "ctgan.CTGAN on the minority rows.",
        "",
        markdown_table(pd.DataFrame(rows), ".1f"),
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
