"""CV-tuned thresholds, the simple baselines and the report's verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ldm_oversample.benchmark import (
    NormalSpaceSMOTE,
    merge_results,
    run_benchmark,
    scarce_split,
)
from ldm_oversample.benchmark.protocol import BenchmarkResult
from ldm_oversample.benchmark.report import _prior_note
from ldm_oversample.benchmark.threshold import THRESHOLDS, best_threshold, f1_curve
from ldm_oversample.benchmark.verdict import verdict_lines, wins_table

from .test_benchmark import TINY, fake_frame


# ------------------------------------------------------------- thresholds
def test_f1_curve_known_answer():
    y = np.array([1, 1, 0, 0, 0])
    p = np.array([0.9, 0.4, 0.6, 0.2, 0.1])
    curve = f1_curve(y, p, np.array([0.05, 0.3, 0.5, 0.95]))
    # t=0.05: all positive, tp 2 fp 3 -> 4/7; t=0.3: tp 2 fp 1 -> 4/5;
    # t=0.5: tp 1 fp 1 fn 1 -> 1/2; t=0.95: nothing predicted -> 0.
    np.testing.assert_allclose(curve, [4 / 7, 4 / 5, 1 / 2, 0.0])


def test_best_threshold_is_the_middle_of_the_best_plateau():
    thresholds = np.linspace(0.1, 0.9, 9)
    a = np.array([0.1, 0.5, 0.8, 0.8, 0.8, 0.8, 0.8, 0.2, 0.0])
    b = np.array([0.1, 0.5, 0.8, 0.8, 0.8, 0.8, 0.8, 0.4, 0.0])
    # The mean is 0.8 from 0.3 to 0.7: the middle is 0.5.
    assert best_threshold([a, b], thresholds) == pytest.approx(0.5)
    # A single best point wins over a plateau below it.
    c = a.copy()
    c[7] = 0.9
    assert best_threshold([c], thresholds) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="at least one"):
        best_threshold([], thresholds)
    assert THRESHOLDS.min() > 0 and THRESHOLDS.max() < 1


# -------------------------------------------------------------- baselines
def test_normal_space_smote_keeps_originals_and_stays_in_range():
    frame = fake_frame(n_per_class=60)
    X = frame[["Rate", "Header_Length", "TCP"]]
    y = (frame["label_family"] != "Benign").to_numpy().astype(int)
    y[:60] = 0
    y[60:] = np.r_[np.ones(15, int), np.zeros(105, int)]
    X_bal, y_bal = NormalSpaceSMOTE(random_state=0).fit_resample(X, y)
    assert isinstance(X_bal, pd.DataFrame) and list(X_bal.columns) == list(X.columns)
    pd.testing.assert_frame_equal(X_bal.iloc[: len(X)], X)
    new = X_bal.iloc[len(X) :]
    assert len(new) == (y == 0).sum() - (y == 1).sum() and (y_bal[len(X) :] == 1).all()
    minority = X[y == 1]
    # Interpolated in quantile space, mapped back: inside the minority's range.
    assert (new.min() >= minority.min() - 1e-9).all()
    assert (new.max() <= minority.max() + 1e-9).all()
    assert new.dtypes.equals(X.dtypes)
    again = NormalSpaceSMOTE(random_state=0).fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(again, X_bal)


def test_every_baseline_runs_and_a_failing_one_falls_back(monkeypatch):
    result = run_benchmark(
        fake_frame(n_per_class=60),
        attacks=["Spoofing"],
        ratios=[0.1],
        seeds=1,
        samplers=["random", "smote_normal", "borderline", "adasyn", "smoteenn", "rus"],
        classifiers=["rf"],
        threshold_cv=None,
        progress=False,
    ).results
    gen = result[result["classifier"] == "-"].set_index(["sampler", "metric"])["value"]
    # ADASYN and BorderlineSMOTE need more rows than the 4 attack rows here
    # (5 neighbours) and are recorded as failed: the unbalanced rows are
    # scored instead. NormalSpaceSMOTE caps its neighbours, like ours.
    assert gen["adasyn", "failed"] == 1.0 and gen["borderline", "failed"] == 1.0
    assert gen["random", "failed"] == 0.0 and gen["smote_normal", "failed"] == 0.0
    f1 = result[result["metric"] == "f1"].set_index("sampler")["value"]
    assert set(f1.index) == {
        "random", "smote_normal", "borderline", "adasyn", "smoteenn", "rus"
    }  # fmt: skip
    # Fidelity only where the output starts with the original rows.
    fidelity = result[result["metric"] == "coverage"]["sampler"]
    assert set(fidelity) == {"random", "smote_normal"}


def test_ldm_enn_baseline_is_the_ldm_then_smoteenns_cleaning():
    from imblearn.under_sampling import EditedNearestNeighbours

    from ldm_oversample import CleanedOverSampler, LDMOverSampler
    from ldm_oversample.benchmark.baselines import make_sampler

    sampler = make_sampler("ldm_enn", 3, device="cpu", params=TINY["ldm"])
    assert isinstance(sampler, CleanedOverSampler) and sampler.cleaner == "enn"
    inner = sampler.sampler
    assert isinstance(inner, LDMOverSampler)
    assert (inner.random_state, inner.max_epochs, inner.device) == (3, 2, "cpu")
    with pytest.raises(ValueError, match="did you mean 'max_epochs'"):
        make_sampler("ldm_enn", 0, params={"max_epoch": 2})
    frame = fake_frame(n_per_class=60)
    result = run_benchmark(
        frame,
        attacks=["Spoofing"],
        ratios=[0.2],
        seeds=1,
        samplers=["ldm", "ldm_enn"],
        classifiers=["rf"],
        sampler_params={"ldm": TINY["ldm"], "ldm_enn": TINY["ldm"]},
        threshold_cv=None,
        progress=False,
    ).results
    f1 = result[result["metric"] == "f1"].set_index("sampler")["value"]
    assert set(f1.index) == {"ldm", "ldm_enn"}
    # ENN drops rows, so the rows after the originals are not all synthetic:
    # no fidelity figures for it.
    assert set(result[result["metric"] == "coverage"]["sampler"]) == {"ldm"}
    # Its cleaning is the default ENN on the LDM's output.
    assert isinstance(sampler._make_cleaner(), EditedNearestNeighbours)


def test_validation_holdout_never_touches_the_test_split():
    frame = fake_frame(n_per_class=200)
    from ldm_oversample.benchmark import make_task

    X, y, _ = make_task(frame, "DDoS")
    _, _, X_te, _ = scarce_split(X, y, 0.1, seed=1)
    X_vtr, y_vtr, X_val, y_val = scarce_split(X, y, 0.1, seed=1, holdout="validation")
    # Training and validation rows all come from the training split...
    for part in (X_vtr, X_val):
        assert part.merge(X_te, how="inner").empty
    # ...validation is 30% of the 70% (before the cut), and the cut applies to
    # the remaining training rows.
    assert len(y_val) == round(0.3 * 280)
    assert (y_vtr == 1).sum() == round(0.1 * (y_vtr == 0).sum())
    with pytest.raises(ValueError, match="unknown holdout 'dev'"):
        scarce_split(X, y, 0.1, seed=1, holdout="dev")


@pytest.mark.slow
def test_parallel_runs_give_the_serial_results():
    kwargs = dict(
        ratios=[0.2],
        seeds=2,
        samplers=["none", "smote_normal", "ldm"],
        classifiers=["rf"],
        sampler_params=TINY,
        threshold_cv=3,
        progress=False,
    )
    serial = run_benchmark(fake_frame(), **kwargs)
    parallel = run_benchmark(fake_frame(), jobs=2, **kwargs)

    def timeless(result):
        res = result.results
        keep = ~res["metric"].isin(["fit_resample_s", "sample_s", "rows_per_s"])
        return res[keep].reset_index(drop=True)

    pd.testing.assert_frame_equal(timeless(serial), timeless(parallel))
    assert serial.examples.keys() == parallel.examples.keys()
    assert parallel.settings == {
        "holdout": "test",
        "threshold_cv": 3,
        "test_ratio": None,
    }


# ---------------------------------------------------------------- verdict
def _rows(attack, table):
    """Tidy F1 rows from {(sampler, classifier): [per-seed F1]}."""
    return [
        dict(attack=attack, ratio=0.1, sampler=s, classifier=c, seed=k,
             metric="f1", value=v)
        for (s, c), values in table.items()
        for k, v in enumerate(values)
    ]  # fmt: skip


def test_verdict_known_answer():
    rows = _rows(
        "Hard",
        {
            ("none", "rf"): [0.4, 0.4],
            ("none", "rf+cv-threshold"): [0.70, 0.72],
            ("smote_normal", "rf"): [0.60, 0.62],
            ("smote_normal", "rf+cv-threshold"): [0.68, 0.66],
            ("ldm", "rf"): [0.75, 0.71],
            ("ldm", "rf+cv-threshold"): [0.69, 0.70],
        },
    ) + _rows(
        "Easy",
        {
            ("none", "rf+cv-threshold"): [0.99, 0.99],
            ("smote_normal", "rf"): [0.98, 0.98],
            ("smote_normal", "rf+cv-threshold"): [0.98, 0.98],
            ("ldm", "rf"): [0.90, 0.90],
            ("ldm", "rf+cv-threshold"): [0.99, 0.99],
        },
    )
    lines = verdict_lines(pd.DataFrame(rows), ["rf"])
    text = "\n".join(lines)
    # Best simple on "Hard" is none + threshold (0.71); LDM 0.73 (+0.02, wins
    # on seed 0 only), LDM + threshold 0.695 (-0.015, wins on none).
    assert (
        "| Hard @ 0.1 | none (rf+cv-threshold) 0.710 | 0.730 | +0.020 | 1/2 | "
        "0.695 | -0.015 | 0/2 |" in text
    )
    assert "| Easy @ 0.1 (easy) |" in text
    # Only the hard task counts: +0.02 misses the +0.03 target.
    assert "ldm (rf) on the 1 hard tasks: mean gap +0.020, worst +0.020" in text
    assert text.count("**missed**") == 2
    wins = "\n".join(wins_table(pd.DataFrame(rows), "rf"))
    assert "| Hard @ 0.1 | 2/2 | 2/2 |" in wins  # vs none, smote_normal


def test_verdict_also_sets_the_ldm_against_under_sampling():
    simple = {
        ("none", "rf+cv-threshold"): [0.70, 0.72],
        ("smote_normal", "rf"): [0.60, 0.62],
        ("smote_normal", "rf+cv-threshold"): [0.68, 0.66],
        ("ldm", "rf"): [0.75, 0.71],
        ("ldm", "rf+cv-threshold"): [0.69, 0.70],
    }
    rows = _rows("Hard", simple)
    text = "\n".join(verdict_lines(pd.DataFrame(rows), ["rf"]))
    assert "rus" not in text  # no under-sampling in the run: no such line
    rows += _rows(
        "Hard",
        {("rus", "rf"): [0.80, 0.70], ("rus", "rf+cv-threshold"): [0.50, 0.50]},
    )
    # An easy task (best simple >= 0.95) stays out, even where rus beats the LDM.
    rows += _rows(
        "Easy", {**{k: [0.99, 0.99] for k in simple}, ("rus", "rf"): [1.0, 1.0]}
    )
    rows += _rows("Easy", {("rus", "rf+cv-threshold"): [0.9, 0.9]})
    text = "\n".join(verdict_lines(pd.DataFrame(rows), ["rf"]))
    # The best on "Hard" is now rus (rf), mean 0.75: LDM 0.73 -> -0.020, ahead
    # on seed 1 only (0.71 > 0.70); LDM + threshold 0.695 -> -0.055, on none.
    assert (
        "- ldm (rf) against the best of those and rus (rf), rus "
        "(rf+cv-threshold), on the same 1 hard tasks: mean gap -0.020, worst "
        "-0.020; the LDM ahead on 1 of 2 task-seeds." in text
    )
    assert (
        "- ldm (rf+cv-threshold) against the best of those and rus (rf), rus "
        "(rf+cv-threshold), on the same 1 hard tasks: mean gap -0.055, worst "
        "-0.055; the LDM ahead on 0 of 2 task-seeds." in text
    )
    # The target itself is still judged against the set only.
    assert "ldm (rf) on the 1 hard tasks: mean gap +0.020, worst +0.020" in text


def test_verdict_needs_the_simple_alternatives():
    rows = _rows("A", {("ldm", "rf"): [0.5], ("none", "rf"): [0.4]})
    assert verdict_lines(pd.DataFrame(rows), ["rf"]) == []


def test_merge_results_keeps_the_first_examples():
    from ldm_oversample.benchmark import BenchmarkResult

    a = BenchmarkResult(pd.DataFrame({"x": [1]}), examples={("A", 0.1): 1},
                        settings={"holdout": "test"})  # fmt: skip
    b = BenchmarkResult(
        pd.DataFrame({"x": [2]}), examples={("A", 0.1): 2, ("B", 0.1): 3}
    )
    merged = merge_results([a, b])
    assert merged.results["x"].tolist() == [1, 2]
    assert merged.examples == {("A", 0.1): 1, ("B", 0.1): 3}
    assert merged.settings == {"holdout": "test"}


def test_prior_note_gives_the_test_splits_attack_share():
    def split(benign, attack):
        return dict(train_benign=100, train_attack=2, test_benign=benign,
                    test_attack=attack)  # fmt: skip

    one = BenchmarkResult(pd.DataFrame(), splits={("A", 0.1): split(480, 481)})
    assert "attack share (50% here)" in _prior_note(one)
    two = BenchmarkResult(
        pd.DataFrame(),
        splits={("A", 0.1): split(480, 481), ("B", 0.1): split(480, 120)},
    )
    assert "attack share (20%-50% here)" in _prior_note(two)  # 120 / 600
    assert _prior_note(BenchmarkResult(pd.DataFrame())) == ""
    cut = BenchmarkResult(
        pd.DataFrame(),
        splits={("A", 0.1): split(480, 48)},
        settings={"test_ratio": 0.1},
    )
    assert "cut to 0.1 x its benign rows" in _prior_note(cut)
    assert "attack share of 9%" in _prior_note(cut)
