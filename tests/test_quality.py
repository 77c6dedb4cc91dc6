"""The per-class quality report: held-out rows, figures, warnings, plots."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ldm_oversample import LDMOverSampler, SMOTEOverSampler, load
from ldm_oversample.quality import (
    QUALITY_COLUMNS,
    SyntheticQualityWarning,
    describe_quality,
    holdout_split,
    plot_quality,
    quality_report,
)
from ldm_oversample.quality.report import warn_quality

from .conftest import FAST_LDM, make_fast, make_mixed_frame

matplotlib.use("Agg")


def two_blobs(n0: int = 400, n1: int = 120, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        np.vstack([rng.normal(0, 1, (n0, 3)), rng.normal(3, 1, (n1, 3))]),
        columns=["a", "b", "c"],
    )
    return X, np.r_[np.zeros(n0, int), np.ones(n1, int)]


def _report(X, y, X_syn, y_syn, seed=0):
    fit, held = holdout_split(y, 0.3, seed)
    return (
        quality_report(
            X.iloc[fit], y[fit], X.iloc[held], y[held], X_syn, y_syn, random_state=0
        ),
        X.iloc[fit],
        y[fit],
    )


def test_holdout_split_is_per_class_disjoint_and_seeded():
    y = np.r_[np.zeros(100, int), np.ones(20, int), np.full(4, 2)]
    fit, held = holdout_split(y, 0.2, random_state=3)
    assert np.intersect1d(fit, held).size == 0
    np.testing.assert_array_equal(np.sort(np.r_[fit, held]), np.arange(len(y)))
    assert np.bincount(y[held], minlength=3).tolist() == [20, 4, 0]  # 4 rows: none
    again = holdout_split(y, 0.2, random_state=3)
    np.testing.assert_array_equal(again[1], held)
    assert not np.array_equal(holdout_split(y, 0.2, random_state=4)[1], held)


def test_copied_training_rows_read_as_memorised_and_warn():
    X, y = two_blobs()
    fit, held = holdout_split(y, 0.3, 0)
    X_fit, y_fit = X.iloc[fit], y[fit]
    copies = X_fit[y_fit == 1].sample(200, replace=True, random_state=0)
    report = quality_report(
        X_fit, y_fit, X.iloc[held], y[held], copies, np.ones(200, int), random_state=0
    )
    assert report.loc[1, "dcr_share_closer_to_train"] == 1.0
    with pytest.warns(SyntheticQualityWarning, match="class 1 are closer to a train"):
        warn_quality(report, "Copier")
    assert "rows may copy training rows" in describe_quality(report)


def test_a_fresh_sample_of_the_class_reads_as_faithful_and_passes():
    X, y = two_blobs()
    fresh = pd.DataFrame(
        np.random.default_rng(9).normal(3, 1, (300, 3)), columns=["a", "b", "c"]
    )
    report, _, _ = _report(X, y, fresh, np.ones(300, int))
    row = report.loc[1]
    assert list(report.columns) == list(QUALITY_COLUMNS)
    assert row["n_generated"] == 300 and row["n_holdout"] == 36
    assert 0.35 < row["dcr_share_closer_to_train"] < 0.65
    assert row["detection_auc"] < 0.7
    # 36 held-out rows: W1 between two samples of one normal is about 0.3.
    assert row["wasserstein"] < 0.45 and row["coverage"] > 0.8
    assert abs(row["faithfulness_gap"]) < 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntheticQualityWarning)
        warn_quality(report, "Fresh")
    assert "no class looks memorised" in describe_quality(report)


def test_shifted_rows_are_detected_and_rows_of_the_other_class_are_unfaithful():
    X, y = two_blobs()
    rng = np.random.default_rng(1)
    shifted = pd.DataFrame(rng.normal(6, 1, (300, 3)), columns=["a", "b", "c"])
    report, _, _ = _report(X, y, shifted, np.ones(300, int))
    assert report.loc[1, "detection_auc"] > 0.95
    assert report.loc[1, "wasserstein"] > 1.0
    with pytest.warns(SyntheticQualityWarning) as record:
        warn_quality(report, "Shifted")
    # One warning, for detection: far-off rows say nothing about copying.
    assert [str(w.message) for w in record] == [
        "Shifted: a classifier tells the synthetic rows of class 1 from held-out "
        "real rows (detection_auc=1.00; 0.5 is ideal)."
    ]
    benign_like = pd.DataFrame(rng.normal(0, 1, (300, 3)), columns=["a", "b", "c"])
    report, _, _ = _report(X, y, benign_like, np.ones(300, int))
    assert report.loc[1, "faithfulness"] < 0.1
    assert report.loc[1, "faithfulness_gap"] < -0.8


def test_fit_resample_holds_rows_out_of_the_fit_and_returns_them_all():
    X, y = two_blobs()
    sampler = LDMOverSampler(random_state=0, quality_report=0.25, **FAST_LDM)
    with pytest.warns(SyntheticQualityWarning, match="detection_auc") as record:
        X_res, _ = sampler.fit_resample(X, y)  # 2 epochs: easy to detect
    # The warning points at this line, not into the package.
    assert {w.filename for w in record} == {__file__}
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    assert sampler.synthetic_mask_.sum() == 400 - 120
    # The generator saw 75% of each class.
    assert sampler.class_counts_.tolist() == [300, 90]
    report = sampler.quality_report_
    assert report.index.tolist() == [1]
    assert report.loc[1, "n_generated"] == 280 and report.loc[1, "n_holdout"] == 30
    assert report.notna().drop(columns="jensen_shannon").all(axis=None)
    # A plain fit describes no fit_resample call.
    sampler.fit(X, y)
    assert not hasattr(sampler, "quality_report_")
    assert sampler.class_counts_.tolist() == [400, 120]


def test_off_by_default_with_the_same_rows():
    X, y = two_blobs()
    plain = SMOTEOverSampler(random_state=0)
    X_a, _ = plain.fit_resample(X, y)
    assert not hasattr(plain, "quality_report_")
    X_b, _ = SMOTEOverSampler(random_state=0, quality_report=False).fit_resample(X, y)
    pd.testing.assert_frame_equal(X_a, X_b)
    with pytest.raises(ValueError, match="quality_report"):
        SMOTEOverSampler(quality_report=1.5).fit_resample(X, y)


@pytest.mark.parametrize(
    "name",
    ["LDMOverSampler", "DDPMOverSampler", "CTGANOverSampler", "SMOTEOverSampler"],
)
def test_every_sampler_reports_on_a_mixed_table(name):
    X, y = make_mixed_frame(300)
    sampler = make_fast(name, random_state=0, quality_report=True)
    with warnings.catch_warnings():
        # The tiny settings may well give detectable rows; that is not tested.
        warnings.simplefilter("ignore", SyntheticQualityWarning)
        sampler.fit_resample(X, y)
    row = sampler.quality_report_.loc["attack"]
    assert row["n_generated"] == (y == "benign").sum() - (y == "attack").sum()
    # proto, service and syn are categorical.
    assert 0 <= row["jensen_shannon"] <= 1
    assert 0 <= row["dcr_share_closer_to_train"] <= 1
    assert "attack" in describe_quality(sampler.quality_report_, html=True)


def test_model_files_keep_the_setting_but_not_the_report(tmp_path):
    X, y = two_blobs()
    sampler = LDMOverSampler(random_state=0, quality_report=True, **FAST_LDM)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntheticQualityWarning)
        sampler.fit_resample(X, y)
    loaded = load(sampler.save(tmp_path / "m.ldm"))
    assert loaded.quality_report is True
    assert not hasattr(loaded, "quality_report_")
    np.testing.assert_array_equal(loaded.synthetic_mask_, sampler.synthetic_mask_)


def test_plot_quality_draws_marginals_and_a_projection_per_class():
    X, y = make_mixed_frame(300)
    sampler = SMOTEOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    fig = plot_quality(X_res, y_res, sampler.synthetic_mask_, n_columns=2)
    axes = fig.get_axes()
    assert len(axes) == 3  # one class: two marginals and the projection
    assert axes[0].get_title().startswith("attack: ")
    assert "PCA" in axes[2].get_title()
    n_attack = (np.asarray(y_res) == "attack").sum()
    assert sum(len(c.get_offsets()) for c in axes[2].collections) == n_attack
    with pytest.raises(ValueError, match="one entry per row"):
        plot_quality(X_res, y_res, sampler.synthetic_mask_[:-1])
    with pytest.raises(ValueError, match="no synthetic rows"):
        plot_quality(X, y, np.zeros(len(y), bool))
