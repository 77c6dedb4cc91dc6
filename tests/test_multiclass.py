"""The benchmark's multiclass task: split, one sampling_strategy dict, scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ldm_oversample import SMOTEOverSampler
from ldm_oversample.benchmark import run_benchmark, write_report
from ldm_oversample.benchmark.multiclass import multiclass_tables
from ldm_oversample.benchmark.splits import multiclass_split
from ldm_oversample.cli import main

from .test_benchmark import fake_frame, write_original_layout


def test_split_cuts_every_attack_family_and_nothing_else():
    frame = fake_frame(n_per_class=200)
    X_tr, y_tr, X_te, y_te = multiclass_split(frame, 0.1, seed=1)
    counts = pd.Series(y_tr).value_counts()
    assert counts["Benign"] == 140  # 70% of the benign rows, untouched
    assert counts["Spoofing"] == counts["DDoS"] == 14  # cut to 10% of them
    assert pd.Series(y_te).value_counts().to_dict() == {
        "Benign": 60, "Spoofing": 60, "DDoS": 60,
    }  # fmt: skip
    assert list(X_tr.columns) == ["Rate", "Header_Length", "TCP"]
    assert X_tr.merge(X_te, how="inner").empty
    # Validation rows come out of the training split: none is a test row.
    _, _, X_va, y_va = multiclass_split(frame, 0.1, seed=1, holdout="validation")
    assert len(y_va) == round(0.3 * 420) and X_va.merge(X_te, how="inner").empty
    # A family smaller than the cut keeps what it has; at least two rows.
    assert (multiclass_split(frame, 1e-6, seed=0)[1] == "DDoS").sum() == 2


def test_one_dict_raises_every_cut_family_to_the_benign_rows(monkeypatch):
    seen = []
    original = SMOTEOverSampler.fit_resample

    def spy(self, X, y):
        X_bal, y_bal = original(self, X, y)
        seen.append((self.sampling_strategy, pd.Series(y_bal).value_counts()))
        return X_bal, y_bal

    monkeypatch.setattr(SMOTEOverSampler, "fit_resample", spy)
    result = run_benchmark(
        fake_frame(n_per_class=100),
        attacks=[],
        ratios=[0.2],
        seeds=1,
        samplers=["none", "smote", "rus"],
        classifiers=["rf"],
        multiclass=True,
        progress=False,
    )
    assert result.results.empty  # no binary task was asked for
    ((strategy, counts),) = seen
    assert strategy == {"DDoS": 70, "Spoofing": 70}
    assert set(counts) == {70}
    assert result.multiclass_splits == {0.2: {"Benign": 70, "DDoS": 14, "Spoofing": 14}}
    mc = result.multiclass
    assert set(mc["sampler"]) == {"none", "smote", "rus"}
    f1 = mc[mc["classifier"] == "rf"].set_index(["sampler", "metric"])["value"]
    for name in ("none", "smote", "rus"):
        per_class = [f1[(name, f"f1: {c}")] for c in ("Benign", "DDoS", "Spoofing")]
        assert f1[(name, "macro_f1")] == pytest.approx(np.mean(per_class))
    assert mc.query("sampler == 'rus' and metric == 'failed'")["value"].item() == 0


def test_tables_known_answer():
    rows = []
    for seed, (none, ldm) in enumerate([(0.5, 0.6), (0.7, 0.65), (0.4, 0.45)]):
        for name, value in (("none", none), ("ldm", ldm)):
            rows.append(("rf", name, seed, "macro_f1", value))
            rows.append(("rf", name, seed, "f1: Spoofing", value / 2))
        rows.append(("-", "ldm", seed, "fit_resample_s", 2.0))
    results = pd.DataFrame(
        rows, columns=["classifier", "sampler", "seed", "metric", "value"]
    ).assign(ratio=0.1)
    lines = multiclass_tables(results)
    none = next(line for line in lines if line.startswith("| none |"))
    ldm = next(line for line in lines if line.startswith("| ldm |"))
    # ldm's mean 0.567 beats none's 0.533, on 2 of 3 seeds.
    assert none.startswith("| none | 0.533 ± 0.153 | 2/3 |  |")
    assert ldm.startswith("| ldm | **0.567 ± 0.104** |  | 2 |")
    assert "| sampler | Spoofing |" in lines
    assert "| none | 0.267 |" in lines


def test_cli_multiclass_writes_its_section(tmp_path):
    data = tmp_path / "part-00000.csv"
    write_original_layout(data, n=80)
    out = tmp_path / "out"
    argv = [
        "benchmark", "--data", str(data), "--ratios", "0.2", "--seeds", "1",
        "--samplers", "none", "random", "--classifiers", "rf", "--threshold-cv",
        "0", "--tasks", "binary", "multiclass", "--out", str(out), "--quiet",
        "--no-plots",
    ]  # fmt: skip
    assert main(argv) == 0
    report = (out / "report.md").read_text()
    assert "## Multiclass: all families" in report
    assert "Spoofing @ 0.2" in report  # and the binary task
    assert "Macro-F1 over all classes (rf)" in report
    saved = pd.read_csv(out / "multiclass.csv")
    assert {"macro_f1", "f1: Benign", "fit_resample_s"} <= set(saved["metric"])


def test_written_report_without_binary_tasks(tmp_path):
    result = run_benchmark(
        fake_frame(), attacks=[], ratios=[0.2], seeds=1, samplers=["none"],
        classifiers=["rf"], multiclass=True, threshold_cv=None, progress=False,
    )  # fmt: skip
    text = write_report(result, tmp_path, command="x", plots=False).read_text()
    assert "| none | " in text and "F1 per class (rf, ratio 0.2)" in text
