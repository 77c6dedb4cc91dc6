"""Known-answer tests of the synthetic-data metrics and the demo dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn import FunctionSampler
from imblearn.over_sampling import RandomOverSampler
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from ldm_oversample.datasets import make_imbalanced_mixed
from ldm_oversample.metrics import (
    SUMMARY_KEYS,
    alpha_precision_beta_recall,
    association_difference,
    correlation_difference,
    density_coverage,
    detection_auc,
    distance_to_closest_record,
    exact_duplicate_rate,
    fidelity_summary,
    jensen_shannon_distances,
    ks_statistics,
    marginal_distances,
    marginal_fidelity,
    nearest_neighbour_distance_ratio,
    quick_quality_summary,
    utility_scores,
    wasserstein_distances,
)


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


# --------------------------------------------------------------------------
# Distributional metrics
# --------------------------------------------------------------------------


def test_wasserstein_known_answers():
    real = pd.DataFrame({"x": np.arange(10.0), "c": list("ab") * 5})
    shifted = real.assign(x=real["x"] + 3.0)
    raw = wasserstein_distances(real, shifted, numeric_scaling="none")
    assert list(raw.index) == ["x"]  # categorical columns are skipped
    assert raw["x"] == pytest.approx(3.0)  # W1 of a shift is the shift
    # Quantile-normal scale: real ~ N(0, 1) after the transform, synthetic rows
    # all at the median map to 0, so W1 = E|Z| = sqrt(2 / pi).
    big = pd.DataFrame({"x": np.arange(10_000.0)})
    collapsed = pd.DataFrame({"x": np.full(500, big["x"].median())})
    w = wasserstein_distances(big, collapsed)["x"]
    assert w == pytest.approx(np.sqrt(2 / np.pi), abs=0.01)


def test_wasserstein_is_scale_free(table):
    noisy = table.sample(frac=1.0, replace=True, random_state=0)
    base = wasserstein_distances(table, noisy)
    rescale = {
        "rate": lambda d: 1e3 * d["rate"] - 7,
        "mean_size": lambda d: 0.01 * d["mean_size"],
    }
    scaled = wasserstein_distances(table.assign(**rescale), noisy.assign(**rescale))
    pd.testing.assert_series_equal(base, scaled, atol=1e-9)
    assert np.allclose(wasserstein_distances(table, table), 0.0, atol=1e-12)


def test_ks_known_answers(table):
    real = pd.DataFrame({"x": np.arange(100.0), "c": ["a"] * 100})
    assert ks_statistics(real, real.assign(x=real["x"] + 50))["x"] == 0.5
    assert ks_statistics(real, real.assign(x=real["x"] + 1000))["x"] == 1.0
    ks = ks_statistics(table, table)
    assert list(ks.index) == ["rate", "mean_size", "max_size", "n_packets"]
    assert np.allclose(ks, 0.0)


def test_jensen_shannon_known_answers():
    real = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "a", "b", "b"] * 25})
    # Disjoint categories and disjoint numeric ranges: distance 1 (base 2).
    disjoint = pd.DataFrame({"x": np.arange(100.0) + 1000, "c": ["z"] * 100})
    assert np.allclose(jensen_shannon_distances(real, disjoint), 1.0)
    assert np.allclose(jensen_shannon_distances(real, real), 0.0)
    # c: P = (1/2, 1/2), Q = (1, 0), M = (3/4, 1/4).
    p, q, m = np.array([0.5, 0.5]), np.array([1.0, 0.0]), np.array([0.75, 0.25])
    kl_pm = np.sum(p * np.log2(p / m))
    kl_qm = q[0] * np.log2(q[0] / m[0])  # the 0 * log 0 term vanishes
    expected_c = np.sqrt(0.5 * kl_pm + 0.5 * kl_qm)
    # x with 4 quantile bins of 0..99: [0, 24.75), [24.75, 49.5), [49.5, 74.25),
    # [74.25, 99), {99}, plus "above 99". Real: 25, 25, 25, 24, 1, 0 rows;
    # 50..149: 0, 0, 25, 24, 1, 50. Half the mass overlaps, half is disjoint
    # on each side: JS divergence = 1/2 bit, distance sqrt(1/2).
    synthetic = pd.DataFrame({"x": np.arange(100.0) + 50, "c": ["a"] * 100})
    js = jensen_shannon_distances(real, synthetic, n_bins=4)
    assert list(js.index) == ["x", "c"]
    assert js["c"] == pytest.approx(expected_c) and expected_c == pytest.approx(
        0.5579, abs=1e-4
    )
    assert js["x"] == pytest.approx(np.sqrt(0.5))


def test_jensen_shannon_discrete_numeric_gets_a_bin_per_value():
    real = pd.DataFrame({"flag": np.array([0] * 70 + [1] * 30, dtype=np.int64)})
    flipped = pd.DataFrame({"flag": np.array([0] * 30 + [1] * 70, dtype=np.int64)})
    p, q = np.array([0.7, 0.3]), np.array([0.3, 0.7])
    m = (p + q) / 2
    expected = np.sqrt(
        0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m))
    )
    assert jensen_shannon_distances(real, flipped)["flag"] == pytest.approx(expected)


def test_marginal_fidelity_known_answers(table):
    assert marginal_fidelity(table, table) == 1.0
    real = pd.DataFrame({"x": np.arange(100.0), "c": ["a"] * 50 + ["b"] * 50})
    synthetic = pd.DataFrame({"x": np.arange(100.0) + 50, "c": ["a"] * 100})
    # 1 - mean(KS = 0.5, TVD = 0.5)
    assert marginal_fidelity(real, synthetic) == pytest.approx(0.5)
    disjoint = pd.DataFrame({"x": np.arange(100.0) + 1000, "c": ["z"] * 100})
    assert marginal_fidelity(real, disjoint) == pytest.approx(0.0)
    noisy = table.sample(frac=1.0, replace=True, random_state=0)
    shifted = table.assign(rate=table["rate"] * 3, protocol="icmp")
    assert marginal_fidelity(table, shifted) < marginal_fidelity(table, noisy) - 0.1


# --------------------------------------------------------------------------
# Dependency metrics
# --------------------------------------------------------------------------


def test_correlation_difference_known_answers(table):
    x = np.linspace(-1.0, 1.0, 50)
    real = pd.DataFrame({"x": x, "y": x, "k": 3.0, "c": ["a"] * 50})
    synthetic = pd.DataFrame({"x": x, "y": -x, "k": 3.0, "c": ["b"] * 50})
    # corr(x, y) goes from 1 to -1: off-diagonal entries (x,y), (y,x) differ by
    # 2, the constant column k has correlation 0 on both sides.
    for method in ("pearson", "spearman"):
        diff = correlation_difference(real, synthetic, method=method)
        assert diff["mean_abs"] == pytest.approx(2 * 2 / 6)
        assert diff["frobenius"] == pytest.approx(2 * np.sqrt(2))
    # A monotone, non-linear change keeps Spearman but not Pearson.
    curved = real.assign(y=np.exp(5 * x))
    assert correlation_difference(real, curved, "spearman")["mean_abs"] == 0.0
    assert correlation_difference(real, curved, "pearson")["mean_abs"] > 0.05
    same = correlation_difference(table, table, "spearman")
    assert same == {"mean_abs": 0.0, "frobenius": 0.0}
    one = correlation_difference(real[["x", "c"]], synthetic[["x", "c"]])
    assert np.isnan(one["mean_abs"]) and np.isnan(one["frobenius"])
    with pytest.raises(ValueError, match="method"):
        correlation_difference(real, synthetic, method="kendall")


def test_association_difference_known_answers():
    levels = np.repeat(["a", "b", "c"], 12)
    associated = pd.DataFrame({"u": levels, "v": levels, "x": np.arange(36.0)})
    # Full product design: every pair of levels equally often, independent.
    u, v = np.meshgrid(["a", "b", "c"], ["p", "q", "r"])
    independent = pd.DataFrame(
        {"u": np.tile(u.ravel(), 4), "v": np.tile(v.ravel(), 4), "x": np.arange(36.0)}
    )
    for measure in ("cramers_v", "theils_u"):
        diff = association_difference(associated, independent, measure=measure)
        assert diff["mean_abs"] == pytest.approx(1.0)  # 1 (determined) vs 0
        assert diff["frobenius"] == pytest.approx(np.sqrt(2))
        same = association_difference(associated, associated, measure=measure)
        assert same == {"mean_abs": 0.0, "frobenius": 0.0}
    one = association_difference(associated[["u", "x"]], associated[["u", "x"]])
    assert np.isnan(one["mean_abs"]) and np.isnan(one["frobenius"])


def test_bias_corrected_cramers_v_by_hand():
    # 2x2 table [[8, 2], [2, 8]], n = 20: chi2 = 7.2, phi2 = 0.36,
    # phi2c = 0.36 - 1/19, rc = kc = 2 - 1/19, V = sqrt(phi2c / (1 - 1/19)).
    a = ["p"] * 8 + ["p"] * 2 + ["q"] * 2 + ["q"] * 8
    b = ["s"] * 8 + ["t"] * 2 + ["s"] * 2 + ["t"] * 8
    real = pd.DataFrame({"a": a, "b": b})
    independent = pd.DataFrame({"a": ["p"] * 10 + ["q"] * 10, "b": ["s", "t"] * 10})
    expected = np.sqrt((0.36 - 1 / 19) / (1 - 1 / 19))
    diff = association_difference(real, independent)
    assert expected == pytest.approx(0.5696, abs=1e-4)
    assert diff["mean_abs"] == pytest.approx(expected)
    assert diff["frobenius"] == pytest.approx(np.sqrt(2) * expected)


# --------------------------------------------------------------------------
# Support, diversity and privacy metrics
# --------------------------------------------------------------------------


def _gaussian(n, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(shift, 1.0, n),
            "b": rng.normal(0.0, 1.0, n),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], n)),
        }
    )


def test_density_coverage_by_hand():
    real = pd.DataFrame({"x": [0.0, 1.0, 3.0, 7.0]})
    synthetic = pd.DataFrame({"x": [0.5, 6.0, 20.0]})
    # k = 1: radii 1, 1, 2, 4 -> balls [-1, 1], [0, 2], [1, 5], [3, 11].
    # 0.5 is in 2 balls, 6 in 1, 20 in none; the ball of 3 holds no point.
    one = density_coverage(real, synthetic, k=1, numeric_scaling="none")
    assert one["density"] == pytest.approx(3 / (1 * 3))
    assert one["coverage"] == pytest.approx(3 / 4)
    # k = 2: radii 3, 2, 3, 6 -> 0.5 in 3 balls, 6 in 2 (closed ball of 3).
    two = density_coverage(real, synthetic, k=2, numeric_scaling="none")
    assert two["density"] == pytest.approx(5 / (2 * 3))
    assert two["coverage"] == pytest.approx(1.0)


def test_density_coverage_identical_and_collapsed():
    real = _gaussian(300, 0)[["a", "b"]]
    k = 5
    same = density_coverage(real, real, k=k)
    # Each real row's ball holds itself and its k neighbours: density (k+1)/k.
    assert same["coverage"] == 1.0
    assert same["density"] == pytest.approx((k + 1) / k)
    collapsed = pd.concat([real.iloc[[0]]] * 300, ignore_index=True)
    assert density_coverage(real, collapsed, k=k)["coverage"] < 0.05
    iid = density_coverage(real, _gaussian(300, 1)[["a", "b"]], k=k)
    assert iid["coverage"] > 0.8 and 0.7 < iid["density"] < 1.3


def test_alpha_precision_beta_recall():
    real = _gaussian(400, 0)
    same = alpha_precision_beta_recall(real, real)
    assert same["alpha_precision"] > 0.95 and same["beta_recall"] > 0.95
    assert same["authenticity"] == 0.0  # every synthetic row is a copy
    collapsed = pd.concat([real.iloc[[0]]] * 400, ignore_index=True)
    assert alpha_precision_beta_recall(real, collapsed)["beta_recall"] < 0.1
    iid = alpha_precision_beta_recall(real, _gaussian(400, 1))
    shifted = alpha_precision_beta_recall(real, _gaussian(400, 1, shift=2.0))
    assert iid["alpha_precision"] > 0.85
    assert shifted["alpha_precision"] < iid["alpha_precision"] - 0.2
    assert shifted["beta_recall"] < iid["beta_recall"]


def test_alpha_precision_of_rows_at_the_centre_is_zero():
    # Every synthetic row sits at the real centre, so P(alpha) = 1 for every
    # alpha: 1 - sum(1 - alpha) / sum(alpha) = 0 on a symmetric grid.
    real = pd.DataFrame({"x": np.arange(-50.0, 51.0)})
    centre = pd.DataFrame({"x": np.zeros(20)})
    out = alpha_precision_beta_recall(real, centre, numeric_scaling="none")
    assert out["alpha_precision"] == pytest.approx(0.0)


def test_distance_to_closest_record_by_hand():
    train = pd.DataFrame({"x": [0.0, 10.0]})
    holdout = pd.DataFrame({"x": [4.0, 100.0]})
    synthetic = pd.DataFrame({"x": [1.0, 5.0, 7.0]})
    dcr = distance_to_closest_record(synthetic, train, holdout, numeric_scaling="none")
    # To train: 1, 5, 3; to holdout: 3, 1, 3; closer to train: yes, no, tie.
    assert dcr["dcr_train"] == pytest.approx(3.0)
    assert dcr["dcr_holdout"] == pytest.approx(3.0)
    assert dcr["share_closer_to_train"] == pytest.approx(1.5 / 3)
    # d1 / d2 = 1/9, 5/5, 3/7 -> median 3/7.
    nndr = nearest_neighbour_distance_ratio(synthetic, train, numeric_scaling="none")
    assert nndr == pytest.approx(3 / 7)
    no_holdout = distance_to_closest_record(synthetic, train, numeric_scaling="none")
    assert np.isnan(no_holdout["dcr_holdout"])
    assert np.isnan(no_holdout["share_closer_to_train"])


def test_one_differing_category_is_at_distance_one():
    train = pd.DataFrame({"x": [0.0, 5.0], "c": ["a", "a"]})
    synthetic = pd.DataFrame({"x": [0.0], "c": ["b"]})
    dcr = distance_to_closest_record(synthetic, train, numeric_scaling="none")
    assert dcr["dcr_train"] == pytest.approx(1.0)


def test_copies_are_flagged(table):
    train = table.iloc[:300]
    holdout = table.iloc[300:]
    copies = train.sample(200, random_state=0)
    dcr = distance_to_closest_record(copies, train, holdout, random_state=0)
    assert dcr["dcr_train"] == 0.0 and dcr["dcr_holdout"] > 0.0
    assert dcr["share_closer_to_train"] > 0.9
    assert nearest_neighbour_distance_ratio(copies, train) == 0.0
    fresh = make_imbalanced_mixed(n_samples=300, random_state=7)[0]
    fair = distance_to_closest_record(fresh, train, holdout, random_state=0)
    assert 0.35 < fair["share_closer_to_train"] < 0.65
    assert nearest_neighbour_distance_ratio(fresh, train) > 0.5


def test_exact_duplicate_rate():
    train = pd.DataFrame(
        {
            "x": np.array([1, 2, 3, 4], dtype=np.int64),
            "y": [0.5, np.nan, 1.5, 2.5],
            "c": pd.Categorical(["a", "b", None, "a"]),
        }
    )
    assert exact_duplicate_rate(train, train) == 1.0
    # Same values with other dtypes (float for int, object for category).
    retyped = train.assign(x=train["x"].astype(float), c=train["c"].astype(object))
    assert exact_duplicate_rate(retyped, train) == 1.0
    half = train.assign(y=[0.5, np.nan, 9.0, 9.0])
    assert exact_duplicate_rate(half, train) == 0.5
    assert exact_duplicate_rate(train.assign(c="z"), train) == 0.0


# --------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------


def test_detection_auc():
    real = _gaussian(400, 0)
    iid = detection_auc(real, _gaussian(400, 1), random_state=0)
    assert abs(iid - 0.5) < 0.1
    assert abs(detection_auc(real, real, random_state=0) - 0.5) < 0.05
    assert detection_auc(real, _gaussian(600, 1, shift=3.0), random_state=0) > 0.95
    # Categorical-only shift of the frequencies (90/10 -> 10/90).
    cat = pd.DataFrame({"c": ["a"] * 360 + ["b"] * 40})
    flipped = pd.DataFrame({"c": ["a"] * 40 + ["b"] * 360})
    assert detection_auc(cat, flipped, random_state=0) > 0.85
    again = detection_auc(real, _gaussian(400, 1), random_state=0)
    assert again == iid


def test_detection_auc_flags_repeated_real_draws():
    # Documented in the metrics guide: rows that repeat are told apart even
    # when every one is a draw from the real distribution, because copies of
    # one row fall on both sides of the folds (random over-sampling's copies
    # score 0.85-1.00 in docs/benchmark.md). Unrepeated, the draws pass.
    pool = _gaussian(40, 10)
    repeated = pool.iloc[np.random.default_rng(0).integers(0, 40, 400)]
    fresh = _gaussian(400, 20)
    assert detection_auc(fresh, repeated.reset_index(drop=True), random_state=0) > 0.9
    assert abs(detection_auc(_gaussian(40, 20), pool, random_state=0) - 0.5) < 0.15


# --------------------------------------------------------------------------
# Utility
# --------------------------------------------------------------------------


def test_utility_scores_known_answers():
    X_train = pd.DataFrame({"x": np.arange(40.0)})
    y_train = np.array([0] * 36 + [1] * 4)
    X_test = pd.DataFrame({"x": np.arange(20.0)})
    y_test = np.array([0] * 15 + [1] * 5)
    always_one = DummyClassifier(strategy="constant", constant=1)
    scores = utility_scores(None, always_one, X_train, y_train, X_test, y_test, 1)
    prevalence = 5 / 20
    assert scores["recall"] == 1.0
    assert scores["precision"] == pytest.approx(prevalence)
    f1 = 2 * prevalence / (1 + prevalence)
    assert scores["f1"] == pytest.approx(f1)
    assert scores["macro_f1"] == pytest.approx(f1 / 2)  # class 0: F1 = 0
    assert set(scores) == {"f1", "precision", "recall", "macro_f1"}


def test_utility_scores_resample_the_training_data_only():
    seen = []

    def record(X, y):
        seen.append(len(X))
        return RandomOverSampler(random_state=0).fit_resample(X, y)

    X_train = pd.DataFrame({"x": np.r_[np.arange(30.0), np.arange(100.0, 104.0)]})
    y_train = np.array([0] * 30 + [1] * 4)
    X_test = pd.DataFrame({"x": [1.0, 2.0, 101.0, 102.0, 103.0]})
    y_test = np.array([0, 0, 1, 1, 1])
    clf = LogisticRegression()
    scores = utility_scores(
        FunctionSampler(func=record), clf, X_train, y_train, X_test, y_test, 1
    )
    assert seen == [len(X_train)]  # fitted once, on the training rows only
    assert scores == {"f1": 1.0, "precision": 1.0, "recall": 1.0, "macro_f1": 1.0}
    assert not hasattr(clf, "coef_")  # the caller's classifier stays unfitted
    with pytest.raises(ValueError, match="pos_label"):
        utility_scores(None, clf, X_train, y_train, X_test, y_test, "attack")


# --------------------------------------------------------------------------
# Summary and validation
# --------------------------------------------------------------------------


def test_fidelity_summary_identical_shifted_collapsed(table):
    real, holdout = table.iloc[:300], table.iloc[300:]
    same = fidelity_summary(real, real, holdout=holdout, random_state=0)
    assert tuple(same) == SUMMARY_KEYS
    assert all(isinstance(v, float) for v in same.values())
    for key in (
        "wasserstein_mean",
        "ks_mean",
        "js_mean",
        "pearson_mean_abs",
        "pearson_frobenius",
        "spearman_mean_abs",
        "spearman_frobenius",
        "cramers_v_mean_abs",
        "cramers_v_frobenius",
        "dcr_train",
        "nndr",
        "authenticity",
    ):
        assert same[key] == pytest.approx(0.0, abs=1e-12), key
    assert same["marginal_fidelity"] == 1.0 and same["coverage"] == 1.0
    assert same["alpha_precision"] > 0.95 and same["beta_recall"] > 0.95
    assert same["duplicate_rate"] == 1.0 and same["dcr_share_closer_to_train"] > 0.9
    assert abs(same["detection_auc"] - 0.5) < 0.05

    fresh = make_imbalanced_mixed(n_samples=300, random_state=11)[0]
    good = fidelity_summary(real, fresh, holdout=holdout, random_state=0)
    shifted = fresh.assign(rate=fresh["rate"] * 3, mean_size=fresh["mean_size"] + 200)
    collapsed = fresh.assign(**{c: fresh[c].iloc[0] for c in fresh.columns})
    for bad in (shifted, collapsed):
        worse = fidelity_summary(real, bad, holdout=holdout, random_state=0)
        assert worse["marginal_fidelity"] < good["marginal_fidelity"]
        assert worse["wasserstein_mean"] > good["wasserstein_mean"]
        assert worse["js_mean"] > good["js_mean"]
        assert worse["coverage"] < good["coverage"]
        assert worse["detection_auc"] > good["detection_auc"] + 0.2
    assert fidelity_summary(real, collapsed, random_state=0)["beta_recall"] < 0.1
    assert fidelity_summary(real, fresh, holdout=holdout, random_state=0) == good


def test_fidelity_summary_defaults_and_subsampling(table):
    out = fidelity_summary(table, table.iloc[:50], max_samples=100, random_state=1)
    assert np.isnan(out["dcr_holdout"]) and np.isnan(out["dcr_share_closer_to_train"])
    assert out["dcr_train"] == 0.0  # train defaults to real, which holds the rows
    assert out["duplicate_rate"] == 1.0
    numeric_only = table[["rate", "mean_size"]]
    out = fidelity_summary(numeric_only, numeric_only, random_state=0)
    assert np.isnan(out["cramers_v_mean_abs"])


def test_missing_values_are_handled():
    real = _gaussian(200, 0)
    real.loc[::7, "a"] = np.nan
    real.loc[::5, "c"] = np.nan
    out = fidelity_summary(real, real, random_state=0)
    assert out["marginal_fidelity"] == 1.0 and out["js_mean"] == 0.0
    assert out["coverage"] == 1.0 and out["duplicate_rate"] == 1.0
    assert out["pearson_mean_abs"] == 0.0


PAIRWISE = [
    wasserstein_distances,
    ks_statistics,
    jensen_shannon_distances,
    marginal_fidelity,
    correlation_difference,
    association_difference,
    alpha_precision_beta_recall,
    density_coverage,
    distance_to_closest_record,
    nearest_neighbour_distance_ratio,
    exact_duplicate_rate,
    detection_auc,
    fidelity_summary,
]


@pytest.mark.parametrize("func", PAIRWISE, ids=lambda f: f.__name__)
def test_inputs_are_validated(func, table):
    with pytest.raises(ValueError, match="same columns"):
        func(table, table[table.columns[::-1]])
    with pytest.raises(ValueError, match="empty"):
        func(table, table.iloc[:0])
    with pytest.raises(TypeError, match="DataFrame"):
        func(table, table.to_numpy())


def test_public_api():
    import ldm_oversample.metrics as metrics

    for name in metrics.__all__:
        obj = getattr(metrics, name)
        doc = obj.__doc__ or ""
        if isinstance(obj, type):  # a class documents its parameters
            assert "Parameters" in doc, name
        elif callable(obj):
            assert "Parameters" in doc and "Returns" in doc, name
