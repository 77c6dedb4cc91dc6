"""The benchmark report reads well for an analyst: seeds and their noise,
split sizes, a line per metric, the data's odd columns, consistency rules and
labelled plots."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ldm_oversample.benchmark import (
    BenchmarkResult,
    describe_data,
    load_ciciot2023,
    run_benchmark,
    write_report,
)
from ldm_oversample.benchmark.plots import _heavy_tailed
from ldm_oversample.benchmark.rules import CICIOT2023_RULES
from ldm_oversample.benchmark.tables import METRIC_MEANINGS
from ldm_oversample.metrics import Rule, rule_violations

from .test_benchmark import TINY, fake_frame

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def f1_rows(n_seeds: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(attack="A", ratio=0.1, sampler=s, classifier="rf", seed=k,
                 metric="f1", value=v + 0.01 * k)
            for s, v in [("none", 0.5), ("ldm", 0.9)]
            for k in range(n_seeds)
        ]
    )  # fmt: skip


def test_one_seed_shows_no_spread_and_says_so(tmp_path):
    text = write_report(
        BenchmarkResult(f1_rows(1)), tmp_path, command="c", plots=False
    ).read_text()
    assert "±" not in text
    assert "| A @ 0.1 | 0.500 | **0.900** |" in text
    assert "n = 1 seed: no spread is measured" in text


def test_several_seeds_show_n_and_the_noise_rule(tmp_path):
    text = write_report(
        BenchmarkResult(f1_rows(3)), tmp_path, command="c", plots=False
    ).read_text()
    assert "**0.910 ± 0.010**" in text
    assert "over n = 3 seeds" in text and "smaller than the stds is noise" in text


@pytest.fixture(scope="module")
def result():
    return run_benchmark(
        fake_frame(),
        attacks=["Spoofing"],
        ratios=[0.2],
        seeds=1,
        samplers=["none", "smote", "ldm"],
        classifiers=["rf"],
        sampler_params=TINY,
        threshold_cv=None,  # tuned thresholds: test_threshold_and_verdict.py
        progress=False,
    )


def test_split_sizes_are_reported(result, tmp_path):
    assert result.splits[("Spoofing", 0.2)] == {
        "train_benign": 56,
        "train_attack": 11,
        "test_benign": 24,
        "test_attack": 24,
    }
    text = write_report(result, tmp_path, command="c", plots=False).read_text()
    assert "| task | train benign | train attack | test benign | test attack |" in text
    assert "| Spoofing @ 0.2 | 56 | 11 | 24 | 24 |" in text


def _table_metrics(text: str) -> set[str]:
    """Metric names in the header rows of the report's tables."""
    heads = re.findall(r"^\| task \| sampler \| (.+) \|$", text, re.M)
    return {m.strip() for head in heads for m in head.split("|")}


def test_every_metric_in_the_tables_has_a_one_line_meaning(result, tmp_path):
    text = write_report(result, tmp_path, command="c", plots=False).read_text()
    shown = _table_metrics(text)
    assert {"f1", "detection_auc", "rows_per_s"} <= shown
    for metric in shown:
        assert metric in METRIC_MEANINGS, metric
        assert f"- `{metric}`: " in text, metric
    # Outside docs/ the guide is named, not linked.
    assert "docs/guide/metrics.md of ldm_oversample" in text


def test_report_inside_docs_links_each_metric_to_its_guide_section(result, tmp_path):
    guide = (ROOT / "docs" / "guide" / "metrics.md").read_text()
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "metrics.md").write_text(guide)
    text = write_report(
        result, tmp_path / "out", command="c", plots=False,
        report_path=tmp_path / "benchmark.md",
    ).read_text()  # fmt: skip
    anchors = set(re.findall(r"\(guide/metrics\.md#([a-z0-9-]+)\)", text))
    assert anchors, "no links into the metrics guide"
    # Each anchor is a heading of the guide (mkdocs' toc slugs).
    from markdown.extensions.toc import slugify

    headings = {slugify(h, "-") for h in re.findall(r"^#+ (.+)$", guide, re.M)}
    assert anchors <= headings, anchors - headings


def test_describe_data_flags_odd_columns_and_fine_labels():
    frame = fake_frame()
    frame["Rate"] = np.where(np.arange(len(frame)) % 20 == 0, 3.0, 0.0)  # 95% zero
    frame["IGMP"] = 0.0
    lines = describe_data(frame, ["MITM-ArpSpoofing", "DDoS"])
    assert lines[0] == "Rows per family (240 in all): Benign 80, Spoofing 80, DDoS 80."
    assert "Fine labels used as attacks: MITM-ArpSpoofing 80 rows." in lines
    assert "Constant columns (no signal): IGMP." in lines
    assert "Mostly-zero columns (zero in at least 90% of rows): Rate 95.0%." in lines
    # Families alone: no fine-label line.
    assert not any("Fine labels" in line for line in describe_data(frame, ["DDoS"]))


def test_cli_data_line_shows_fine_labels():
    from ldm_oversample.cli import _context_lines

    frame = fake_frame()
    lines = _context_lines(frame, ["x.csv"], "cpu", ["MITM-ArpSpoofing"])
    assert "- Fine labels used as attacks: MITM-ArpSpoofing 80 rows." in lines


def test_rule_violations_known_answer():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, 0.0, 5.0]})
    rules = [
        Rule("a = b", ("a", "b"), lambda X: X["a"] == X["b"]),
        Rule("b > 0", ("b",), lambda X: X["b"] > 0),
        Rule("needs c", ("c",), lambda X: X["c"] > 0),  # skipped: no column c
    ]
    shares = rule_violations(X, rules)
    assert shares.to_dict() == {"a = b": 0.5, "b > 0": 0.25, "any": 0.5}
    assert rule_violations(X, rules[2:]).empty


def test_ciciot_rules_break_on_impossible_rows():
    row = dict.fromkeys(["UDP", "TCP", "ICMP"], 0.0) | {
        "Protocol Type": 17.0, "Tot sum": 600.0, "Number": 10.0, "AVG": 60.0,
        "Min": 60.0, "Max": 60.0, "Std": 2.0, "Variance": 4.0,
    }  # fmt: skip
    good = pd.DataFrame([row, {**row, "UDP": 1.0}])
    assert rule_violations(good, CICIOT2023_RULES)["any"] == 0.0
    bad = pd.DataFrame(
        [
            {**row, "UDP": 1.0, "Protocol Type": 6.0},  # UDP flows, TCP number
            {**row, "AVG": 70.0, "Max": 80.0},  # 70 x 10 != 600
            {**row, "Variance": 5.0},  # != 2^2
        ]
    )
    shares = rule_violations(bad, CICIOT2023_RULES)
    assert shares["UDP=1 ⇒ protocol 17"] == pytest.approx(1 / 3)
    assert shares["AVG = Tot sum / Number"] == pytest.approx(1 / 3)
    assert shares["Variance = Std²"] == pytest.approx(1 / 3)
    assert shares["any"] == 1.0


@pytest.mark.slow
def test_ciciot_rules_hold_on_every_real_row(shared_data):
    frame = load_ciciot2023(shared_data)
    shares = rule_violations(frame, CICIOT2023_RULES)
    assert len(shares) == len(CICIOT2023_RULES) + 1
    assert (shares == 0).all(), shares[shares > 0]


def test_report_has_the_rules_table_with_the_real_rows(tmp_path):
    frame = fake_frame()
    n = len(frame)
    frame = frame.assign(
        UDP=(np.arange(n) % 2).astype(float), **{"Protocol Type": 17.0}
    )
    result = run_benchmark(
        frame, attacks=["Spoofing"], ratios=[0.2], seeds=1,
        samplers=["smote"], classifiers=["rf"], threshold_cv=None,
        progress=False,
    )  # fmt: skip
    text = write_report(result, tmp_path, command="c", plots=False).read_text()
    assert "## Consistency rules" in text
    # fake_frame's TCP flags break "TCP=1 ⇒ protocol 6" on real rows too:
    # the table shows that, so a sampler is judged against the real share.
    assert "| task | rows | UDP=1 ⇒ protocol 17 | TCP=1 ⇒ protocol 6 | any |" in text
    real = rule_violations(result.examples[("Spoofing", 0.2)]["real"], CICIOT2023_RULES)
    assert real["TCP=1 ⇒ protocol 6"] > 0
    cells = " | ".join(format(v, ".3f") for v in real)
    assert f"| Spoofing @ 0.2 | real (held out) | {cells} |" in text
    assert "| Spoofing @ 0.2 | smote | " in text


def test_heavy_tails_are_detected():
    rng = np.random.default_rng(0)
    assert _heavy_tailed(rng.lognormal(0, 2.5, 1000))
    assert _heavy_tailed(np.r_[np.zeros(900), rng.lognormal(5, 2, 100)])
    assert not _heavy_tailed(rng.normal(10, 1, 1000))
    assert not _heavy_tailed(rng.normal(0, 1, 1000))  # negative values
    assert not _heavy_tailed(np.r_[np.zeros(990), np.ones(10)])  # a flag


def test_plots_have_axis_labels(result, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure

    labels: list[tuple[str, str]] = []
    save = matplotlib.figure.Figure.savefig

    def record(fig, path, *args, **kwargs):
        for ax in fig.axes:
            labels.append((str(path), ax.get_xlabel() + "|" + ax.get_ylabel()))
        return save(fig, path, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", record)
    write_report(result, tmp_path, command="c")
    by_file = {}
    for path, label in labels:
        by_file.setdefault(path.rsplit("/", 1)[-1], []).append(label)
    assert any("PC1 (" in lab for lab in by_file["pca_Spoofing_0.2.png"])
    assert any("PC2 (" in lab for lab in by_file["pca_Spoofing_0.2.png"])
    marginals = by_file["marginals_Spoofing_0.2.png"]
    assert all(label.split("|")[0] for label in marginals)  # every x axis named
    assert marginals[0].endswith("|density")
    assert "|difference|" in " ".join(by_file["corr_Spoofing_0.2.png"])
