"""Parity of CTGANOverSampler with the ``ctgan`` package on real CICIoT2023 rows.

Protocol (the CTGAN issue's):

1. Benign and Spoofing rows of the CICIoT2023 sample; a stratified 70/30 split
   per seed.
2. ``ctgan.CTGAN`` and ``CTGANOverSampler`` are fitted with the same epochs on the
   same training rows (ctgan gets the label as a discrete column).
3. Each generates as many Spoofing rows as the split holds out: ctgan through
   its conditional sampling (``condition_column="label"``), ours with
   ``sample(n, class_label="Spoofing")``.
4. Score: mean over the features of the Wasserstein-1 distance between the
   synthetic rows and the held-out real Spoofing rows, after a
   ``QuantileTransformer(output_distribution="normal")`` fitted on the real
   training rows (both classes). Lower is better.

Also reported: fit seconds (wall and process CPU), the seconds of the mixture
preprocessing inside each fit (ctgan's ``DataTransformer.fit`` + ``transform``;
our ``TabularEncoder.fit`` + ``transform``), the share of ctgan's conditional
rows that carry the asked label, ctgan's W1 after rejecting the rows of the
wrong label, and a noise floor: the W1 of as many real training Spoofing rows.

Usage (the ``bench`` extra installs ``ctgan``)::

    python benchmarks/ctgan_parity.py                # writes ctgan_parity.md
    python benchmarks/ctgan_parity.py --epochs 30 --seeds 1 --out /tmp/probe.md
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from ids_quality import DEFAULT_DATA
from scipy.stats import wasserstein_distance
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import QuantileTransformer

from ldm_oversample.over_sampling.ctgan import CTGANOverSampler
from ldm_oversample.tabular import TabularEncoder

ATTACK = "Spoofing"


class Stopwatch:
    """Accumulates the time spent in wrapped methods."""

    def __init__(self):
        self.seconds = 0.0

    def wrap(self, owner, name):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0

        setattr(owner, name, timed)
        return original


def load(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(path)
    frame = frame[frame["label_multiclass"].isin(["Benign", ATTACK])]
    y = frame["label_multiclass"].to_numpy().astype(object)
    X = frame.drop(columns=["label_multiclass", "label_binary"])
    return X.reset_index(drop=True), y


def mean_w1(qt: QuantileTransformer, real: pd.DataFrame, synth: pd.DataFrame) -> float:
    r = qt.transform(real.to_numpy(np.float64))
    s = qt.transform(synth[real.columns].to_numpy(np.float64))
    return float(
        np.mean([wasserstein_distance(r[:, j], s[:, j]) for j in range(r.shape[1])])
    )


def fit_ctgan(X_tr, y_tr, n_gen, epochs, seed):
    from ctgan import CTGAN
    from ctgan.synthesizers import ctgan as ctgan_module

    clock = Stopwatch()
    owner = ctgan_module.DataTransformer
    originals = {n: clock.wrap(owner, n) for n in ("fit", "transform")}
    try:
        train = X_tr.assign(label=y_tr)
        model = CTGAN(epochs=epochs)
        model.set_random_state(seed)
        t0, c0 = time.perf_counter(), time.process_time()
        model.fit(train, discrete_columns=["label"])
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        for n, f in originals.items():
            setattr(owner, n, f)
    t0 = time.perf_counter()
    synth = model.sample(n_gen, condition_column="label", condition_value=ATTACK)
    sample_s = time.perf_counter() - t0
    hit = float((synth["label"] == ATTACK).mean())
    # Rejection: keep rows of the asked label until there are n_gen of them.
    kept = [synth[synth["label"] == ATTACK]]
    for _ in range(50):
        if sum(len(k) for k in kept) >= n_gen:
            break
        more = model.sample(n_gen, condition_column="label", condition_value=ATTACK)
        kept.append(more[more["label"] == ATTACK])
    rejected = pd.concat(kept).iloc[:n_gen]
    return dict(
        synth=synth.drop(columns=["label"]),
        rejected=rejected.drop(columns=["label"]),
        fit_s=fit_s,
        fit_cpu_s=fit_cpu,
        bgm_s=clock.seconds,
        sample_s=sample_s,
        hit=hit,
    )


def fit_ours(X_tr, y_tr, n_gen, epochs, seed):
    clock = Stopwatch()
    originals = {n: clock.wrap(TabularEncoder, n) for n in ("fit", "transform")}
    try:
        sampler = CTGANOverSampler(max_epochs=epochs, random_state=seed)
        t0, c0 = time.perf_counter(), time.process_time()
        sampler.fit(X_tr, y_tr)
        fit_s, fit_cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        for n, f in originals.items():
            setattr(TabularEncoder, n, f)
    t0 = time.perf_counter()
    synth = sampler.sample(n_gen, class_label=ATTACK)
    sample_s = time.perf_counter() - t0
    return dict(
        synth=synth,
        fit_s=fit_s,
        fit_cpu_s=fit_cpu,
        bgm_s=clock.seconds,
        sample_s=sample_s,
    )


def run(args) -> pd.DataFrame:
    X, y = load(args.data)
    records = []
    for seed in range(args.seeds):
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=seed
        )
        qt = QuantileTransformer(
            output_distribution="normal", n_quantiles=1000, random_state=0
        ).fit(X_tr.to_numpy(np.float64))
        real_te = X_te[y_te == ATTACK]
        n_gen = len(real_te)
        floor_rows = X_tr[y_tr == ATTACK].sample(n_gen, random_state=seed)
        floor = mean_w1(qt, real_te, floor_rows)
        runs = {}
        # Alternate which model fits first, so that a drift in the load of a
        # shared machine does not always favour the same one.
        for name in ("ctgan", "ours") if seed % 2 == 0 else ("ours", "ctgan"):
            if name == "ctgan":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    runs[name] = fit_ctgan(X_tr, y_tr, n_gen, args.epochs, seed)
            else:
                runs[name] = fit_ours(X_tr, y_tr, n_gen, args.epochs, seed)
        c, o = runs["ctgan"], runs["ours"]
        rec = dict(
            seed=seed,
            n_train=len(X_tr),
            n_heldout_attack=n_gen,
            w1_ctgan=mean_w1(qt, real_te, c["synth"]),
            w1_ctgan_rejection=mean_w1(qt, real_te, c["rejected"]),
            w1_ours=mean_w1(qt, real_te, o["synth"]),
            w1_real_floor=floor,
            fit_s_ctgan=c["fit_s"],
            fit_s_ours=o["fit_s"],
            fit_cpu_s_ctgan=c["fit_cpu_s"],
            fit_cpu_s_ours=o["fit_cpu_s"],
            bgm_s_ctgan=c["bgm_s"],
            bgm_s_ours=o["bgm_s"],
            sample_s_ctgan=c["sample_s"],
            sample_s_ours=o["sample_s"],
            ctgan_label_hit_rate=c["hit"],
        )
        records.append(rec)
        print(
            f"seed {seed}: W1 ctgan {rec['w1_ctgan']:.4f} "
            f"(rejection {rec['w1_ctgan_rejection']:.4f}) ours {rec['w1_ours']:.4f} "
            f"floor {floor:.4f} | fit s ctgan {c['fit_s']:.1f} ours {o['fit_s']:.1f} "
            f"| CPU s ctgan {c['fit_cpu_s']:.1f} ours {o['fit_cpu_s']:.1f} | "
            f"BGM s ctgan {c['bgm_s']:.1f} ours {o['bgm_s']:.1f}",
            flush=True,
        )
    return pd.DataFrame(records)


def report(results: pd.DataFrame, args, command: str) -> str:
    import ctgan

    mean = results.mean(numeric_only=True)
    ratio = mean["w1_ours"] / mean["w1_ctgan"]
    lines = [
        "# CTGANOverSampler vs ctgan.CTGAN on CICIoT2023 (Benign + Spoofing)",
        "",
        "Command:",
        "",
        "```bash",
        command,
        "```",
        "",
        f"Settings: {args.epochs} epochs for both, their default parameters "
        "(batch 500, pac 10, embedding 128, (256, 256) networks, lr 2e-4); "
        f"stratified 70/30 split per seed (seeds 0..{args.seeds - 1}); as many "
        f"{ATTACK} rows generated as are held out. W1: mean per-feature "
        "Wasserstein-1 to the held-out real Spoofing rows after "
        "QuantileTransformer(output_distribution='normal') fitted on the real "
        "training rows; lower is better. `ctgan` is its conditional sample as "
        "returned; `ctgan+rejection` keeps only its rows of the asked label; "
        "`real floor` scores as many real training Spoofing rows. BGM s: time in "
        "the mixture preprocessing (fit + transform) inside the fit.",
        "",
        f"Machine: {platform.machine()}, {torch.get_num_threads()} torch threads, "
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"ctgan {ctgan.__version__}. The CPU may be shared with other jobs, so "
        "wall seconds are noisy: the two models run back to back in each seed, "
        "in alternating order, and the process CPU seconds are reported too.",
        "",
        "| seed | W1 ctgan | W1 ctgan+rejection | W1 ours | W1 real floor | "
        "fit s ctgan | fit s ours | fit CPU s ctgan | fit CPU s ours | "
        "BGM s ctgan | BGM s ours | ctgan label hit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in results.iterrows():
        lines.append(
            f"| {int(r.seed)} | {r.w1_ctgan:.4f} | {r.w1_ctgan_rejection:.4f} | "
            f"{r.w1_ours:.4f} | {r.w1_real_floor:.4f} | {r.fit_s_ctgan:.1f} | "
            f"{r.fit_s_ours:.1f} | {r.fit_cpu_s_ctgan:.1f} | {r.fit_cpu_s_ours:.1f} | "
            f"{r.bgm_s_ctgan:.1f} | {r.bgm_s_ours:.1f} | "
            f"{r.ctgan_label_hit_rate:.2f} |"
        )
    lines.append(
        f"| **mean** | **{mean.w1_ctgan:.4f}** | {mean.w1_ctgan_rejection:.4f} | "
        f"**{mean.w1_ours:.4f}** | {mean.w1_real_floor:.4f} | "
        f"**{mean.fit_s_ctgan:.1f}** | **{mean.fit_s_ours:.1f}** | "
        f"{mean.fit_cpu_s_ctgan:.1f} | {mean.fit_cpu_s_ours:.1f} | "
        f"{mean.bgm_s_ctgan:.1f} | {mean.bgm_s_ours:.1f} | "
        f"{mean.ctgan_label_hit_rate:.2f} |"
    )
    target = "met" if ratio <= 1.15 else "missed"
    faster = mean.fit_s_ours < mean.fit_s_ctgan
    lines += [
        "",
        f"W1 ours / W1 ctgan = {ratio:.3f} (target <= 1.15: {target}); "
        f"W1 ours / W1 ctgan+rejection = "
        f"{mean.w1_ours / mean.w1_ctgan_rejection:.3f}. "
        f"Fit time ours / ctgan = {mean.fit_s_ours / mean.fit_s_ctgan:.2f} wall "
        f"({'lower' if faster else 'NOT lower'}), "
        f"{mean.fit_cpu_s_ours / mean.fit_cpu_s_ctgan:.2f} CPU.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("ctgan_parity.md")
    )
    args = parser.parse_args(argv)
    command = "python benchmarks/ctgan_parity.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    results = run(args)
    args.out.write_text(report(results, args, command.strip()))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
