"""Known-answer tests of the fidelity metrics and the demo dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ldm_oversample.datasets import make_imbalanced_mixed
from ldm_oversample.metrics import marginal_distances, quick_quality_summary


@pytest.fixture(scope="module")
def table():
    X, _ = make_imbalanced_mixed(n_samples=600, random_state=1)
    return X


def test_identical_tables_score_zero(table):
    dist = marginal_distances(table, table)
    assert set(dist["kind"]) == {"numeric", "categorical"}
    assert np.allclose(dist["ks"].dropna(), 0.0)
    assert np.allclose(dist["wasserstein_qn"].dropna(), 0.0, atol=1e-12)
    assert np.allclose(dist["tvd"].dropna(), 0.0)
    summary = quick_quality_summary(table, table)
    assert np.allclose(summary.to_numpy(), 0.0, atol=1e-12)


def test_known_answers():
    real = pd.DataFrame({"x": np.arange(100.0), "c": ["a"] * 50 + ["b"] * 50})
    synthetic = pd.DataFrame({"x": np.arange(100.0) + 50, "c": ["a"] * 100})
    dist = marginal_distances(real, synthetic)
    assert dist.loc["x", "ks"] == pytest.approx(0.5)  # half the mass shifted past
    assert dist.loc["c", "tvd"] == pytest.approx(0.5)  # 50% of "b" moved to "a"


def test_shifted_and_collapsed_data_score_worse(table):
    shifted = table.assign(rate=table["rate"] * 3, mean_size=table["mean_size"] + 200)
    collapsed = table.assign(
        rate=table["rate"].median(), protocol=table["protocol"].iloc[0]
    )
    noisy = table.sample(frac=1.0, replace=True, random_state=0)
    base = quick_quality_summary(table, noisy)
    for bad in (shifted, collapsed):
        summary = quick_quality_summary(table, bad)
        assert (
            summary["numeric Wasserstein, quantile-normal (mean)"]
            > base["numeric Wasserstein, quantile-normal (mean)"]
        )
    assert quick_quality_summary(table, collapsed)["categorical TVD (mean)"] > 0.3


def test_mismatched_columns_rejected(table):
    with pytest.raises(ValueError, match="same columns"):
        marginal_distances(table, table[table.columns[::-1]])


def test_demo_dataset_shape_and_types():
    X, y = make_imbalanced_mixed(n_samples=500, minority_fraction=0.1, random_state=3)
    assert X.shape == (500, 6) and (y == "attack").sum() == 50
    assert str(X["protocol"].dtype) == "category" and X["syn_flag"].dtype == bool
    assert X["n_packets"].dtype == np.int64
    X2, _ = make_imbalanced_mixed(n_samples=500, minority_fraction=0.1, random_state=3)
    pd.testing.assert_frame_equal(X, X2)
