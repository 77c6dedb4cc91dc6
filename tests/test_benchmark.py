"""The benchmark protocol, its report, and the ``benchmark``/``resample`` CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ldm_oversample.benchmark import (
    CICIOT2023_FEATURES_46,
    load_ciciot2023,
    make_task,
    markdown_table,
    run_benchmark,
    scarce_split,
    write_report,
)
from ldm_oversample.cli import main

TINY = {"ldm": {"max_epochs": 2, "latent_dim": 4, "n_sampling_steps": 5}}


def fake_frame(n_per_class: int = 80, seed: int = 0) -> pd.DataFrame:
    """A loaded-table look-alike: 3 features, Benign and two attacks."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, (family, fine) in enumerate(
        [
            ("Benign", "BenignTraffic"),
            ("Spoofing", "MITM-ArpSpoofing"),
            ("DDoS", "DDoS-ICMP_Flood"),
        ]
    ):
        parts.append(
            pd.DataFrame(
                {
                    "Rate": rng.lognormal(k, 1, n_per_class),
                    "Header_Length": rng.normal(10 * k, 3, n_per_class),
                    "TCP": (rng.random(n_per_class) < 0.3 * k).astype(float),
                    "label_family": family,
                    "label_fine": fine,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------ tasks
def test_make_task_by_family_and_by_fine_label():
    frame = fake_frame()
    X, y, name = make_task(frame, "spoofing")
    assert name == "Spoofing" and list(X.columns) == ["Rate", "Header_Length", "TCP"]
    assert (y == 1).sum() == 80 and (y == 0).sum() == 80
    X2, y2, name2 = make_task(frame, "MITM-ArpSpoofing")
    pd.testing.assert_frame_equal(X2, X)
    assert name2 == "MITM-ArpSpoofing"
    np.testing.assert_array_equal(y2, y)
    with pytest.raises(ValueError, match="families in the data: Benign, DDoS"):
        make_task(frame, "Mirai")


def test_scarce_split_cuts_only_training_attack_rows():
    frame = fake_frame(n_per_class=200)
    X, y, _ = make_task(frame, "DDoS")
    X_tr, y_tr, X_te, y_te = scarce_split(X, y, 0.1, seed=3)
    assert (y_tr == 0).sum() == 140  # 70% of 200 benign rows
    assert (y_tr == 1).sum() == 14  # 10% of them
    assert (y_te == 1).sum() == 60 and (y_te == 0).sum() == 60  # untouched
    # No test row is in training.
    joined = X_tr.merge(X_te, how="inner")
    assert joined.empty
    again = scarce_split(X, y, 0.1, seed=3)
    pd.testing.assert_frame_equal(again[0], X_tr)
    # At least two attack rows, however small the ratio.
    assert (scarce_split(X, y, 1e-6, seed=0)[1] == 1).sum() == 2


def test_test_ratio_cuts_the_held_out_attack_rows_and_leaves_training_alone():
    frame = fake_frame(n_per_class=200)
    X, y, _ = make_task(frame, "DDoS")
    X_tr, y_tr, X_te, y_te = scarce_split(X, y, 0.1, seed=3)
    cut = scarce_split(X, y, 0.1, seed=3, test_ratio=0.05)
    pd.testing.assert_frame_equal(cut[0], X_tr)  # the same training rows
    np.testing.assert_array_equal(cut[1], y_tr)
    X_cut, y_cut = cut[2], cut[3]
    assert (y_cut == 0).sum() == 60 and (y_cut == 1).sum() == 3  # 5% of 60
    # The kept rows are held-out rows: every benign one, a subset of attacks.
    kept = X_cut.merge(X_te.assign(_y=y_te), how="left")
    assert kept["_y"].notna().all() and (kept["_y"].to_numpy() == y_cut).all()
    assert (scarce_split(X, y, 0.1, seed=3, test_ratio=1e-6)[3] == 1).sum() == 1
    result = run_benchmark(
        frame, attacks=["DDoS"], ratios=[0.1], seeds=1, samplers=["none"],
        classifiers=["rf"], threshold_cv=None, test_ratio=0.05, progress=False,
    )  # fmt: skip
    assert result.settings["test_ratio"] == 0.05
    assert result.splits[("DDoS", 0.1)]["test_attack"] == 3
    with pytest.raises(ValueError, match="test_ratio must be in"):
        run_benchmark(frame, attacks=["DDoS"], test_ratio=0.0, progress=False)


# -------------------------------------------------------------- protocol
@pytest.fixture(scope="module")
def tiny_result():
    return run_benchmark(
        fake_frame(),
        attacks=["Spoofing"],
        ratios=[0.2],
        seeds=2,
        samplers=["none", "random", "smote", "ldm"],
        classifiers=["rf", "hgb"],
        sampler_params=TINY,
        threshold_cv=2,
        progress=False,
    )


def test_results_are_tidy_and_complete(tiny_result):
    res = tiny_result.results
    assert list(res.columns) == [
        "attack",
        "ratio",
        "sampler",
        "classifier",
        "seed",
        "metric",
        "value",
    ]
    # Utility: every sampler x classifier x seed has the four scores, at the
    # threshold 0.5 and (plus the threshold) at the CV-tuned threshold.
    utility = res[res["classifier"] != "-"]
    counts = utility.groupby(["sampler", "classifier", "metric"]).size()
    assert len(counts) == 4 * (2 * 4 + 2 * 5) and (counts == 2).all()
    assert set(utility["classifier"]) == {
        "rf",
        "hgb",
        "rf+cv-threshold",
        "hgb+cv-threshold",
    }
    assert utility["value"].between(0, 1).all()
    # Generator rows: time for every sampler that resamples, none for "none".
    gen = res[res["classifier"] == "-"]
    assert "none" not in set(gen["sampler"])
    assert set(gen.loc[gen["metric"] == "fit_resample_s", "sampler"]) == {
        "random",
        "smote",
        "ldm",
    }
    # sample() timing only for samplers that have it.
    assert set(gen.loc[gen["metric"] == "rows_per_s", "sampler"]) == {"smote", "ldm"}
    for metric in ("detection_auc", "coverage", "marginal_fidelity"):
        assert set(gen.loc[gen["metric"] == metric, "sampler"]) == {
            "random",
            "smote",
            "ldm",
        }


def test_random_oversampling_copies_rows_and_fidelity_sees_it(tiny_result):
    gen = tiny_result.results
    dup = gen[(gen["metric"] == "duplicate_rate")].groupby("sampler")["value"].mean()
    assert dup["random"] == pytest.approx(1.0)  # every new row is a copy
    assert dup["smote"] < 0.5 and dup["ldm"] < 0.5


def test_examples_and_importances_for_plots(tiny_result):
    example = tiny_result.examples[("Spoofing", 0.2)]
    # Plots show SMOTE and the generators; random copies are not plotted.
    assert set(example) == {"real", "train", "smote", "ldm"}
    assert len(example["ldm"]) == (56 - 11)  # balanced: benign minus attack rows
    importances = tiny_result.importances[("Spoofing", 0.2)]
    assert importances.sum() == pytest.approx(1.0)


def test_unknown_names_are_clear_errors():
    with pytest.raises(ValueError, match="unknown sampler 'gan'; choose from"):
        run_benchmark(fake_frame(), samplers=["gan"])
    with pytest.raises(ValueError, match="unknown classifier 'svm'"):
        run_benchmark(fake_frame(), classifiers=["svm"])
    with pytest.raises(ValueError, match="ratios must be in"):
        run_benchmark(fake_frame(), ratios=[1.5])


# ---------------------------------------------------------------- report
def test_report_tables_and_plots(tiny_result, tmp_path):
    path = write_report(tiny_result, tmp_path, command="ldm-oversample benchmark x")
    text = path.read_text()
    assert "ldm-oversample benchmark x" in text
    assert "## Attack-class F1 (rf)" in text and "## Attack-class F1 (hgb)" in text
    assert "| task | none | random | smote | ldm |" in text
    assert text.count("**") >= 4  # a best cell per task and classifier
    assert "## Fidelity" in text and "detection_auc" in text
    assert "## Time" in text and "rows_per_s" in text
    results = pd.read_csv(tmp_path / "results.csv")
    pd.testing.assert_frame_equal(
        results, tiny_result.results, check_dtype=False, check_exact=False
    )
    for name in (
        "f1.png",
        "time.png",
        "marginals_Spoofing_0.2.png",
        "corr_Spoofing_0.2.png",
        "pca_Spoofing_0.2.png",
    ):
        assert (tmp_path / name).stat().st_size > 1000, name
        assert f"]({name})" in text


def test_best_cell_is_bold(tmp_path):
    rows = [
        dict(
            attack="A",
            ratio=0.1,
            sampler=s,
            classifier="rf",
            seed=k,
            metric="f1",
            value=v + 0.01 * k,
        )
        for s, v in [("none", 0.5), ("ldm", 0.9), ("smote", 0.7)]
        for k in range(2)
    ]
    from ldm_oversample.benchmark import BenchmarkResult

    path = write_report(
        BenchmarkResult(pd.DataFrame(rows)), tmp_path, command="c", plots=False
    )
    text = path.read_text()
    assert "| A @ 0.1 | 0.505 ± 0.007 | **0.905 ± 0.007** | 0.705 ± 0.007 |" in text
    assert "- A @ 0.1: best ldm (0.905)" in text


# ------------------------------------------------------------------- CLI
def write_original_layout(path, n=60, seed=0):
    """A never-seen file in the original 46-feature layout with fine labels."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(["BenignTraffic", "MITM-ArpSpoofing", "DNS_Spoofing"], n)
    frame = pd.DataFrame(
        rng.lognormal(0, 1, (len(labels), len(CICIOT2023_FEATURES_46))),
        columns=list(CICIOT2023_FEATURES_46),
    )
    frame.loc[labels == "MITM-ArpSpoofing", "Rate"] += 5
    frame["label"] = labels
    frame.to_csv(path, index=False)


def test_cli_benchmark_end_to_end_original_layout(tmp_path, capsys):
    data = tmp_path / "part-00000.csv.gz"
    write_original_layout(data)
    out = tmp_path / "out"
    argv = [
        "benchmark",
        "--data",
        str(data),
        "--attacks",
        "MITM-ArpSpoofing",
        "--ratios",
        "0.2",
        "--seeds",
        "1",
        "--samplers",
        "none",
        "smote",
        "ldm",
        "--classifiers",
        "rf",
        "--sampler-params",
        json.dumps(TINY),
        "--out",
        str(out),
        "--quiet",
    ]
    assert main(argv) == 0
    text = (out / "report.md").read_text()
    assert "ldm-oversample benchmark --data" in text
    assert "layout original46" in text
    assert "MITM-ArpSpoofing @ 0.2" in text
    assert (out / "f1.png").exists()
    results = pd.read_csv(out / "results.csv")
    assert set(results["sampler"]) == {"none", "smote", "ldm"}


@pytest.mark.slow
def test_cli_benchmark_on_the_shared_sample(tmp_path, shared_data):
    out = tmp_path / "out"
    argv = [
        "benchmark",
        "--data",
        str(shared_data),
        "--attacks",
        "Spoofing",
        "--ratios",
        "0.1",
        "--seeds",
        "1",
        "--samplers",
        "none",
        "ldm",
        "--classifiers",
        "hgb",
        "--sampler-params",
        json.dumps(TINY),
        "--out",
        str(out),
        "--quiet",
        "--no-plots",
    ]
    assert main(argv) == 0
    results = pd.read_csv(out / "results.csv")
    f1 = results[results["metric"] == "f1"].set_index(["sampler", "classifier"])
    f1 = f1["value"]
    for sampler in ("none", "ldm"):
        for classifier in ("hgb", "hgb+cv-threshold"):
            assert 0.3 < f1[sampler, classifier] <= 1
    assert "layout merged39" in (out / "report.md").read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["benchmark", "--data", "/nonexistent/x.csv"], "no CICIoT2023 CSV files"),
        (["benchmark", "--data", "{data}", "--samplers", "gan"], "unknown sampler"),
        (["benchmark", "--data", "{data}", "--sampler-params", "{"], "not valid JSON"),
        (
            ["resample", "--data", "/nonexistent.csv", "--target", "y", "--out", "o"],
            "no such file",
        ),
        (
            ["resample", "--data", "{data}", "--target", "nope", "--out", "o"],
            "target column 'nope'",
        ),
    ],
)
def test_cli_errors_are_one_line(tmp_path, capsys, argv, message):
    data = tmp_path / "in.csv"
    write_original_layout(data, n=5)
    argv = [a.replace("{data}", str(data)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_resample_balances_a_csv(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=100),
            "proto": rng.choice(["tcp", "udp"], 100),
            "y": ["attack"] * 10 + ["benign"] * 90,
        }
    )
    data, out = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(data, index=False)
    argv = [
        "resample",
        "--data",
        str(data),
        "--target",
        "y",
        "--sampler",
        "smote",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    balanced = pd.read_csv(out)
    assert list(balanced.columns) == ["x", "proto", "y"]
    assert balanced["y"].value_counts().to_dict() == {"attack": 90, "benign": 90}
    pd.testing.assert_frame_equal(balanced.iloc[:100], frame)
    assert set(balanced["proto"]) == {"tcp", "udp"}
    assert (
        "Class counts after:  {'attack': 90, 'benign': 90}" in capsys.readouterr().out
    )
    # A float strategy and the LDM with tiny settings.
    argv = [
        "resample",
        "--data",
        str(data),
        "--target",
        "y",
        "--sampler",
        "ldm",
        "--sampling-strategy",
        "0.5",
        "--sampler-params",
        json.dumps(TINY["ldm"]),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert pd.read_csv(out)["y"].value_counts()["attack"] == 45


def test_loaded_sample_feeds_the_protocol(tmp_path):
    data = tmp_path / "merged.csv"
    write_original_layout(data, n=30)
    frame = load_ciciot2023(data)
    X, y, name = make_task(frame, "Spoofing")
    assert name == "Spoofing" and y.sum() == 60 and len(X.columns) == 46


def test_report_elsewhere_links_its_plots_relatively(tiny_result, tmp_path):
    report = write_report(
        tiny_result,
        tmp_path / "docs" / "benchmark",
        command="c",
        report_path=tmp_path / "docs" / "benchmark.md",
    )
    assert report == tmp_path / "docs" / "benchmark.md"
    text = report.read_text()
    assert "](benchmark/f1.png)" in text
    assert (tmp_path / "docs" / "benchmark" / "f1.png").exists()
    assert not (tmp_path / "docs" / "benchmark" / "report.md").exists()


def test_samplers_see_only_the_training_split(monkeypatch):
    """Nothing leaks: the generator is fitted on the cut training split alone."""
    from ldm_oversample import SMOTEOverSampler

    seen = []
    original = SMOTEOverSampler.fit_resample

    def spy(self, X, y):
        seen.append((len(X), int(np.sum(y == 1))))
        return original(self, X, y)

    monkeypatch.setattr(SMOTEOverSampler, "fit_resample", spy)
    frame = fake_frame(n_per_class=100)
    run_benchmark(
        frame,
        attacks=["DDoS"],
        ratios=[0.1],
        seeds=1,
        samplers=["smote"],
        classifiers=["hgb"],
        progress=False,
    )
    # First the training split: 70% of the benign rows, 10% as many attacks;
    # then, to tune the threshold, each of 5 folds' training part (4/5 of it).
    assert seen[0] == (70 + 7, 7)
    assert len(seen) == 6
    assert sum(n for n, _ in seen[1:]) == 4 * 77
    assert sum(a for _, a in seen[1:]) == 4 * 7


def test_markdown_table_known_answer():
    frame = pd.DataFrame(
        {"name": ["a", "b"], "n": [1, 20], "x": [0.12345, float("nan")]}
    )
    assert markdown_table(frame, ".2f") == (
        "| name | n | x |\n|---|---|---|\n| a | 1 | 0.12 |\n| b | 20 |  |"
    )


def _tiny_cli_benchmark(tmp_path, *extra: str):
    """``ldm-oversample benchmark`` of no oversampling on a written table in the
    original layout, one seed, no tuned threshold; returns the output folder."""
    data = tmp_path / "part-00000.csv"
    write_original_layout(data)
    out = tmp_path / "out"
    argv = [
        "benchmark", "--data", str(data), "--ratios", "0.2", "--seeds", "1",
        "--samplers", "none", "--classifiers", "rf", "--threshold-cv", "0",
        *extra, "--out", str(out), "--quiet", "--no-plots",
    ]  # fmt: skip
    assert main(argv) == 0
    return out


def test_cli_benchmark_defaults_to_every_family(tmp_path):
    """No --attacks: every family of the data, and the report is written."""
    out = _tiny_cli_benchmark(tmp_path)
    results = pd.read_csv(out / "results.csv")
    assert set(results["attack"]) == {"Spoofing"}  # the one non-benign family
    assert set(results["classifier"]) == {"rf"}  # no tuned threshold with 0
    assert "Spoofing @ 0.2" in (out / "report.md").read_text()


def test_cli_test_ratio_reaches_the_split_and_the_report(tmp_path):
    out = _tiny_cli_benchmark(tmp_path, "--test-ratio", "0.25")
    report = (out / "report.md").read_text()
    assert "attack rows were cut to 0.25 x its benign rows** (`--test-ratio`)" in report
    assert "the test split is untouched" not in report
