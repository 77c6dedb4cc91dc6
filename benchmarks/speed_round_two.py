"""Speed, round two: LDM generation against SMOTE's, the fit, and decoding.

The targets of the second speed issue, measured in one run on one machine
(Benign vs Spoofing, attack rows of the training split cut to 10%, seed 0):

1. ``LDMOverSampler.sample`` of ``--rows`` new attack rows against the time
   imbalanced-learn's ``SMOTE`` needs to generate the same rows (its
   ``fit_resample`` with the attack class raised by ``--rows``), at the
   defaults (a one-step student), with their teacher (``distill_steps=None``)
   and with the defaults before 2026-12-07; goal <= 5x;
2. sampling rows/s on the CPU, goal >= 100k;
3. ``fit_resample`` seconds (median of 3), goal <= 3 s;
4. decoding on the device: :class:`~ldm_oversample.tabular.decoding.TensorDecoder`
   against the NumPy/scikit-learn decoder (largest relative difference, and
   both timings); on a CUDA device also ``sample(1_000_000)`` end to end
   (goal >= 3 M rows/s) and the latent loop alone (goal >= 10 M rows/s);
5. peak RSS added by sampling ``--memory-rows`` rows (goal < 500 MB for 1 M).

The report ends with where the time of one ``sample`` call goes. Its F1 side
(does a student or the new defaults lose downstream F1?) is
``ldm_fast_defaults.md`` (and ``ldm_distill.md``), scored on
validation folds of the six hard families by ``ldm_levers.py``.

Usage::

    python benchmarks/speed_round_two.py           # writes speed_round_two.md
    python benchmarks/speed_round_two.py --device cuda --out speed_round_two_gpu.md
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import torch
from common import best_time, generated_by, sample_profile, synced
from ids_quality import DEFAULT_DATA
from imblearn.over_sampling import SMOTE
from sampling_speed import fit_timed, peak_rss_mb

from ldm_oversample import LDMOverSampler, __version__
from ldm_oversample.benchmark import load_ciciot2023, make_task, scarce_split
from ldm_oversample.tabular.decoding import TensorDecoder, decode_numpy

#: What is timed: the defaults (a one-step student and class-balanced
#: quantiles since 2026-12-07), their teacher, and the defaults before.
VARIANTS = {
    "defaults": {},
    "teacher (distill_steps=None)": {"distill_steps": None},
    "defaults before 2026-12-07 (teacher, (256, 256) autoencoder, fp32)": {
        "distill_steps": None,
        "ae_hidden_dims": (256, 256),
        "precision": "fp32",
        "quantile_balance": 0.0,
    },
}


def decoder_check(ldm, n: int, repeats: int, device: torch.device) -> dict[str, float]:
    """TensorDecoder against the NumPy decoder on ``n`` generated rows."""
    g = torch.Generator(device).manual_seed(0)
    rows = ldm._row_source(1).draw(n, g)
    host = rows.cpu().numpy()
    decoder = TensorDecoder(ldm.encoder_, device)
    values, codes = decode_numpy(ldm.encoder_, host)
    t_values, t_codes = decoder(rows)
    scale = np.maximum(np.abs(values), 1e-12)
    return {
        "max_rel_diff": float(np.max(np.abs(t_values - values) / scale)),
        "codes_equal": float(np.array_equal(codes, t_codes)),
        "numpy_s": best_time(lambda: decode_numpy(ldm.encoder_, host), repeats),
        "tensor_s": best_time(synced(device, lambda: decoder(rows)), repeats),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--fits", type=int, default=3, help="fits timed per model")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_suffix(".md"))
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    n = args.rows

    X, y, _ = make_task(load_ciciot2023(args.data), "Spoofing")
    X_tr, y_tr, _, _ = scarce_split(X, y, 0.1, seed=0)
    n_attack = int((y_tr == 1).sum())
    smote = SMOTE(sampling_strategy={1: n_attack + n}, random_state=0)
    t_smote = best_time(lambda: smote.fit_resample(X_tr, y_tr), args.repeats)

    models, fits = {}, {}
    for k, params in VARIANTS.items():
        ldm = LDMOverSampler(random_state=0, device=args.device, **params)
        fits[k] = [fit_timed(ldm, X_tr, y_tr, resample=True) for _ in range(args.fits)]
        models[k] = ldm
    samples = {
        k: best_time(
            synced(device, lambda m=m: m.sample(n, class_label=1)), args.repeats
        )
        for k, m in models.items()
    }

    rows = []
    for k, t in samples.items():
        rows.append((f"1. sample({n:,}) / SMOTE, {k}",
                     f"{t:.3f} s / {t_smote:.3f} s = {t / t_smote:.1f}", "<= 5",
                     t / t_smote <= 5))  # fmt: skip
    for k, t in samples.items():
        rows.append((f"2. rows/s on {args.device}, {k}", f"{n / t:,.0f}",
                     ">= 100,000", n / t >= 100_000))  # fmt: skip
    for k in fits:
        med = float(np.median(fits[k]))
        rows.append((f"3. fit_resample, {k} ({len(y_tr)} rows)",
                     f"{med:.1f} s (median of "
                     + ", ".join(f"{t:.1f}" for t in fits[k]) + ")",
                     "<= 3 s", med <= 3))  # fmt: skip
    check = decoder_check(models["defaults"], n, args.repeats, device)
    equal = check["max_rel_diff"] <= 1e-6 and check["codes_equal"]
    rows.append((f"4a. TensorDecoder on {args.device} vs NumPy decoder, {n:,} rows",
                 f"max relative difference {check['max_rel_diff']:.1e}, codes "
                 f"{'equal' if check['codes_equal'] else 'differ'}; "
                 f"{check['tensor_s']:.3f} s vs {check['numpy_s']:.3f} s",
                 "<= 1e-6", equal))  # fmt: skip
    if device.type == "cuda":
        million = 1_000_000
        for k, m in models.items():
            t = best_time(
                synced(device, lambda m=m: m.sample(million, 1)), args.repeats
            )
            rows.append((f"4b. sample(1,000,000) end to end, {k}",
                         f"{million / t:,.0f} rows/s", ">= 3,000,000",
                         million / t >= 3e6))  # fmt: skip
        parts = sample_profile(models["defaults"], million, args.repeats, device)
        latent = million / parts["latent loop"]
        rows.append(("4c. latent loop alone, defaults", f"{latent:,.0f} rows/s",
                     ">= 10,000,000", latent >= 1e7))  # fmt: skip
    rss, output_mb = peak_rss_mb(models["defaults"], args.memory_rows)
    rows.append((f"5. peak RSS added by sampling {args.memory_rows:,} rows "
                 "(defaults)",
                 f"{rss:.0f} MB (the returned DataFrame itself: {output_mb:.0f} MB)",
                 "< 500 MB", rss < 500))  # fmt: skip

    lines = [
        *generated_by("Speed, round two: LDM generation against SMOTE's"),
        f"ldm_oversample {__version__}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} CPU threads, device {args.device}, "
        f"{platform.machine()}, {time.strftime('%Y-%m-%d')}. Spoofing 10%: "
        f"{len(y_tr)} training rows ({n_attack} attack). Timings: best of "
        f"{args.repeats} calls; fits: median of {args.fits}.",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {'yes' if d else 'no'} |" for a, b, c, d in rows),
        "",
    ]
    for k in models:
        parts = sample_profile(models[k], n, args.repeats, device)
        lines.append(
            f"Where `sample({n:,})` spends its time, {k}: "
            + ", ".join(f"{name} {t:.3f} s" for name, t in parts.items())
            + "."
        )
        lines.append("")
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
