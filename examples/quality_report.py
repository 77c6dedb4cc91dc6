"""How good are the rows I just got? The per-class quality report and its plots.

``fit_resample`` on a sampler built with ``quality_report=True`` (or a share,
here 0.3) holds that share of each class's real rows out of the generator's
fit, generates as usual, and leaves ``sampler.quality_report_``: per
over-sampled class, the fidelity of its new rows against the held-out rows
(Wasserstein on quantile-normal values, Spearman correlation error, coverage),
the memorisation share (are the new rows nearer the training rows than unseen
real rows are?), a detection AUC and class faithfulness (do classifiers
trained on real rows take them for the class they were made for?). The
returned table still holds every original row.

The script runs it for the LDM and for SMOTE on CICIoT2023's Benign vs
Spoofing and Benign vs Recon tasks (the training attack rows cut to 10% of
the benign ones, :func:`~ldm_oversample.benchmark.scarce_split`), prints each
report with :func:`~ldm_oversample.quality.describe_quality`, and draws the
LDM's rows against the real ones with :func:`~ldm_oversample.quality.
plot_quality` (``quality_<task>.png`` in ``$LDM_EXAMPLE_OUT``).

Reads CICIoT2023 rows with ``--data`` (any file, directory or glob
:func:`~ldm_oversample.benchmark.load_ciciot2023` takes) or from
``$LDM_EXAMPLE_DATA``; without either it runs on generated data and says so.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=100
    Training epochs of the LDM (the test suite uses 2).
LDM_EXAMPLE_DATA : str, optional
    Default of ``--data``.
LDM_EXAMPLE_OUT : path, default=examples/output/quality_report
    Where the plots go.

Runs in about a minute on a laptop CPU.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import matplotlib
import pandas as pd
from sklearn.datasets import make_classification

from ldm_oversample import LDMOverSampler, SMOTEOverSampler
from ldm_oversample.benchmark import load_ciciot2023, make_task, scarce_split
from ldm_oversample.quality import describe_quality, plot_quality

matplotlib.use("Agg")

EPOCHS = int(os.environ.get("LDM_EXAMPLE_EPOCHS", "100"))
OUT = Path(
    os.environ.get("LDM_EXAMPLE_OUT", Path(__file__).parent / "output/quality_report")
)
SEED = 0
HOLDOUT = 0.3


def tasks(path):
    """(name, X, y) of each task: two CICIoT2023 families, or stand-in data."""
    if path:
        frame = load_ciciot2023(path)
        print(f"CICIoT2023 rows from {path}: {len(frame)}")
        for family in ("Spoofing", "Recon"):
            X, y, name = make_task(frame, family)
            yield name, X, y
        return
    print("NOTE: no --data given, so this run uses GENERATED data, not CICIoT2023.")
    X, y = make_classification(
        n_samples=2400, n_features=10, weights=[0.5], random_state=SEED
    )
    yield "generated", pd.DataFrame(X, columns=[f"f{i}" for i in range(10)]), y


def main(argv=None):
    """Fit both samplers with the report on, print the reports, draw the plots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("LDM_EXAMPLE_DATA"))
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, X, y in tasks(args.data):
        X_tr, y_tr, _, _ = scarce_split(X, y, 0.1, seed=SEED)
        print(
            f"\n=== Benign vs {name}: {(y_tr == 0).sum()} benign and "
            f"{(y_tr == 1).sum()} attack training rows; {HOLDOUT:.0%} of each "
            "class held out for the report ==="
        )
        samplers = {
            "LDMOverSampler": LDMOverSampler(
                random_state=SEED, max_epochs=EPOCHS, quality_report=HOLDOUT
            ),
            "SMOTEOverSampler": SMOTEOverSampler(
                random_state=SEED, quality_report=HOLDOUT
            ),
        }
        for label, sampler in samplers.items():
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                X_res, y_res = sampler.fit_resample(X_tr, y_tr)
            seconds = time.perf_counter() - start
            print(f"\n{label} (fit_resample with the report: {seconds:.1f} s)")
            print(describe_quality(sampler.quality_report_))
            for w in caught:
                if type(w.message).__name__ == "SyntheticQualityWarning":
                    print(f"warning: {w.message}")
            if label == "LDMOverSampler":
                # What the report costs: the same fit_resample without it.
                plain = LDMOverSampler(random_state=SEED, max_epochs=EPOCHS)
                start = time.perf_counter()
                plain.fit_resample(X_tr, y_tr)
                print(f"(without the report: {time.perf_counter() - start:.1f} s)")
                fig = plot_quality(X_res, y_res, sampler.synthetic_mask_)
                path = OUT / f"quality_{name.lower()}.png"
                fig.savefig(path, dpi=90)
                print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
