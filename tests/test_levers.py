"""The utility levers: tie spreading, over-generation with a filter, and the
metrics that judge them (class faithfulness, zero-rate gaps)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from ldm_oversample import DDPMOverSampler, LDMOverSampler, TabularEncoder, load
from ldm_oversample.datasets import make_zero_inflated_counters
from ldm_oversample.metrics import ClassFaithfulness, class_faithfulness, zero_rate_gaps

FAST = {"max_epochs": 3, "random_state": 0}


def zero_inflated(n: int = 2000, seed: int = 123) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "count": np.where(rng.random(n) < 0.6, 0.0, rng.lognormal(0, 1, n)),
            "flag": (rng.random(n) < 0.3).astype(float),
            "level": rng.normal(size=n),
        }
    )


# ------------------------------------------------------------ spread_ties
def test_spread_ties_is_a_randomised_pit_and_inverts_exactly():
    X = zero_inflated()
    encoder = TabularEncoder(random_state=0).fit(X)
    Z = encoder.transform(X)
    zeros = (X["count"] == 0).to_numpy()
    share = zeros.mean()
    # The zeros fill the lower `share` of the CDF uniformly, not one point...
    u = stats.norm.cdf(Z[zeros, 0])
    assert u.max() <= share + 1e-3 and len(np.unique(Z[zeros, 0])) > 1000
    assert stats.kstest(u / share, "uniform").pvalue > 0.01
    # ...so the encoded column is close to a standard normal overall.
    assert stats.kstest(Z[:, 0], "norm").statistic < 0.03
    ones = (X["flag"] == 1).to_numpy()
    assert (stats.norm.cdf(Z[ones, 1]) >= 1 - ones.mean() - 1e-3).all()
    # Decoding maps each interval back to its value, exactly.
    back = encoder.inverse_transform(Z)
    np.testing.assert_array_equal(back["count"].to_numpy() == 0, zeros)
    np.testing.assert_array_equal(back["flag"], X["flag"])
    # Seeded: the same rows encode the same way every call.
    np.testing.assert_array_equal(encoder.transform(X), Z)


def test_without_spread_ties_the_minimum_is_one_extreme_point():
    X = zero_inflated()
    Z = TabularEncoder(random_state=0, spread_ties=False).fit_transform(X)
    zeros = (X["count"] == 0).to_numpy()
    np.testing.assert_allclose(Z[zeros, 0], stats.norm.ppf(1e-7), rtol=1e-6)


def test_standard_normal_draws_decode_to_the_real_zero_rate():
    """What a perfect generator of the encoded space gives back."""
    X = zero_inflated(4000)
    encoder = TabularEncoder(random_state=0).fit(X)
    rng = np.random.default_rng(1)
    decoded = encoder.inverse_transform(rng.standard_normal((20_000, 3)))
    assert (decoded["count"] == 0).mean() == pytest.approx(
        (X["count"] == 0).mean(), abs=0.015
    )
    assert set(decoded["flag"]) == {0.0, 1.0}


def test_samplers_pass_spread_ties_to_their_encoder():
    X = zero_inflated(300)
    y = np.r_[np.zeros(250, int), np.ones(50, int)]
    for cls in (LDMOverSampler, DDPMOverSampler):
        on = cls(**FAST).fit(X, y)
        off = cls(spread_ties=False, **FAST).fit(X, y)
        assert on.encoder_.spread_ties and not off.encoder_.spread_ties


# -------------------------------------------------------- candidate_factor
def two_class_table(seed: int = 0, shift: float = 1.5):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=600),
            "b": rng.lognormal(size=600),
            "c": rng.choice(["x", "y", "z"], 600),
        }
    )
    y = np.r_[np.zeros(540, int), np.ones(60, int)]
    X.loc[y == 1, "a"] += shift
    return X, y


@pytest.mark.parametrize("cls", [LDMOverSampler, DDPMOverSampler])
def test_candidate_factor_keeps_counts_and_rows_the_filter_accepts(cls, tmp_path):
    # Classes closer than elsewhere: at a shift of 1.5 the LDM's default rows
    # are all rated class 1 already, which leaves the filter nothing to do (at
    # 1.0, 91% of them).
    X, y = two_class_table(shift=1.0)
    plain = cls(**FAST).fit(X, y)
    assert plain.filter_ is None  # nothing trained without over-generation
    filtered = cls(candidate_factor=4, **FAST).fit(X, y)
    X_new = filtered.sample(300, class_label=1)
    assert len(X_new) == 300 and list(X_new.columns) == list(X.columns)
    # The filter, trained on the real rows, rates the kept rows as class 1 at
    # least as often as it rates unfiltered rows from the same generator.
    import torch

    def proba(rows):
        encoded = torch.as_tensor(filtered.encoder_.transform(rows))
        with torch.no_grad():
            return torch.softmax(filtered.filter_(encoded), 1)[:, 1].numpy()

    unfiltered = cls(candidate_factor=1, **FAST).fit(X, y).sample(300, class_label=1)
    kept, plain_rows = proba(X_new), proba(unfiltered)
    assert (kept >= 0.5).mean() > 0.9
    assert (kept >= 0.5).mean() > (plain_rows >= 0.5).mean()
    # Drawn at random among the accepted rows, not the best rated: many kept
    # rows are rated well below the top.
    assert (kept < 0.9).mean() > 0.2
    # The filter is saved and loaded with the model.
    again = load(filtered.save(tmp_path / "m.ldm"))
    pd.testing.assert_frame_equal(
        again.sample(50, class_label=1), filtered.sample(50, class_label=1)
    )


def test_candidate_factor_one_leaves_generation_unchanged():
    X, y = two_class_table()
    a = LDMOverSampler(**FAST).fit(X, y).sample(100, class_label=1)
    b = LDMOverSampler(candidate_factor=1, **FAST).fit(X, y).sample(100, class_label=1)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="candidate_factor"):
        LDMOverSampler(candidate_factor=0).fit(X, y)


# ----------------------------------------------------------------- metrics
def test_class_faithfulness_tells_rows_of_the_wrong_class():
    X, y = two_class_table()
    numeric = X[["a", "b"]]
    scorer = ClassFaithfulness(random_state=0).fit(numeric, y)
    assert set(scorer.real_) == {0, 1} and scorer.real_[1] > 0.2
    # Fresh rows of class 1 score like the real ones; class-0 rows labelled 1
    # score far lower.
    fresh, y_fresh = two_class_table(seed=1)
    own = scorer.score(fresh[["a", "b"]][y_fresh == 1], 1)
    wrong = scorer.score(fresh[["a", "b"]][y_fresh == 0].iloc[:60], 1)
    assert own == pytest.approx(scorer.real_[1], abs=0.1)
    assert wrong < own / 2
    table = class_faithfulness(
        numeric, y, fresh[["a", "b"]].iloc[:120], np.r_[np.zeros(60), np.ones(60)],
        random_state=0,
    )  # fmt: skip
    assert list(table.columns) == ["real", "synthetic", "gap"]
    np.testing.assert_allclose(table["gap"], table["synthetic"] - table["real"])
    with pytest.raises(ValueError, match="at least two classes"):
        ClassFaithfulness().fit(numeric.iloc[:10], np.zeros(10))


def test_zero_rate_gaps_known_answer():
    real = pd.DataFrame({"c": [0, 0, 0, 1], "d": [0, 1, 2, 3], "e": [0, 0, 0, 0]})
    synthetic = pd.DataFrame({"c": [0, 1, 1, 1], "d": [0, 0, 0, 0], "e": [1, 1, 1, 1]})
    gaps = zero_rate_gaps(real, synthetic)
    # Only "c" is zero in at least half of the real rows (and not all).
    assert gaps.to_dict() == {"c": pytest.approx(0.25 - 0.75)}


# ------------------------------------- zero rates come back (issue: point masses)
@pytest.mark.parametrize("spread_ties", [True, False])
def test_minority_zero_rate_comes_back(spread_ties):
    """At the defaults the LDM's minority rows keep the minority's zero rate
    (about 0.52, not the majority's 0.8) within the noise of its 200 real
    rows, and their non-zero median within 50%. Without tie spreading every
    zero sits at one extreme point and the zero rate drifts up
    (benchmarks/zero_inflation.md), which this test catches. The non-zero
    values are not within noise yet: their median comes out 0-26% low here
    and their lower quartile 17-37% low, towards the majority's smaller
    values (class fidelity, not the point mass).

    Over seeds 0-3 the largest of the three gaps is 0.047-0.080 at the
    defaults of 2026-12-07 (one-step student, (128, 128) autoencoder; 0.039
    and 0.046 at seeds 0-1 before) and 0.10-0.19 without tie spreading."""
    X, y = make_zero_inflated_counters(random_state=0)
    real = X[y == 1]
    sampler = LDMOverSampler(random_state=0, spread_ties=spread_ties).fit(X, y)
    synthetic = sampler.sample(3000, class_label=1)
    zero_gap, median_gap = [], []
    for column in ["count_0", "count_1", "count_2"]:
        zero_gap.append(
            abs((synthetic[column] == 0).mean() - (real[column] == 0).mean())
        )
        nonzero = synthetic.loc[synthetic[column] != 0, column].median()
        median_gap.append(
            abs(np.log(nonzero / real.loc[real[column] != 0, column].median()))
        )
    # The share of zeros of 200 rows has a standard error of 0.035: the bound
    # is two of them.
    assert (max(zero_gap) < 0.07) == spread_ties, zero_gap
    if spread_ties:
        assert max(median_gap) < np.log(1.5), median_gap


@pytest.mark.slow
def test_ciciot_counter_zero_rates_come_back_within_noise(shared_data):
    """Spoofing at 10%: the zero rates of the generated attack rows differ from
    the held-out real ones by about as much as the training rows' own do."""
    from ldm_oversample.benchmark import load_ciciot2023, make_task, scarce_split

    X, y, _ = make_task(load_ciciot2023(shared_data), "Spoofing")
    X_tr, y_tr, X_va, y_va = scarce_split(X, y, 0.1, 0, holdout="validation")
    real, train = X_va[y_va == 1], X_tr[y_tr == 1]
    share = (real == 0).mean()
    columns = share[(share >= 0.05) & (share <= 0.95)].index
    noise = ((train[columns] == 0).mean() - share[columns]).abs()
    synthetic = (
        LDMOverSampler(random_state=0)
        .fit(X_tr, y_tr)
        .sample(int((y_tr == 0).sum()), class_label=1)
    )
    gaps = ((synthetic[columns] == 0).mean() - share[columns]).abs()
    assert len(columns) >= 5
    # Measured: mean 0.041 against noise 0.034; without spread_ties 0.066.
    assert gaps.mean() < 1.6 * noise.mean()
    assert gaps.max() < 0.15


# ---------------------------------------------------------------- strength
def two_blobs(n_major: int, n_minor: int, seed: int = 0):
    """Two well separated Gaussian classes in 4 columns."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0, 1, (n_major, 4)), rng.normal(4, 0.5, (n_minor, 4))])
    return X, np.repeat([0, 1], [n_major, n_minor])


def test_strength_below_one_keeps_rows_near_real_rows_of_their_class():
    """Small strength edits real minority latents: the new rows sit much
    nearer the real minority rows than free generation puts them, and their
    nearest real row is a minority row (a start from the wrong class's
    latents, or from every class's, fails this)."""
    X, y = two_blobs(200, 40)
    params = {"max_epochs": 30, "patience": None, "max_steps": None}
    free = LDMOverSampler(**params, random_state=0).fit(X, y)
    near = LDMOverSampler(**params, strength=0.05, random_state=0).fit(X, y)
    assert near.student_ is None and free.student_ is not None
    assert [len(z) for z in near.class_latents_] == [200, 40]

    def nn_distance(rows):
        d = np.linalg.norm(rows[:, None] - X[None], axis=2)
        return d[:, y == 1].min(1).mean(), (y[d.argmin(1)] == 1).mean()

    free_d, _ = nn_distance(free.sample(300, 1, random_state=1))
    near_d, near_minor = nn_distance(near.sample(300, 1, random_state=1))
    # Ratio 0.26-0.66 over seeds 0-2 with the dependencies pinned here and at
    # their floors (.ci/min_versions.sh; 0.66 at seed 0 there): free generation
    # after 30 epochs on 240 rows lands 0.58-1.43 from the minority rows, the
    # edited rows 0.37-0.38. Were strength ignored, both would be the same rows.
    assert near_d < 0.75 * free_d
    assert near_minor > 0.98
    # A start from majority latents lands among the majority rows.
    _, as_major = nn_distance(near.sample(300, 0, random_state=1))
    assert as_major < 0.02


def test_strength_is_a_sampling_parameter_and_bypasses_the_student(tmp_path):
    """set_params(strength=...) on a fitted sampler changes the rows without a
    refit; back at 1 the student gives the first rows again; a model file
    keeps the latents that strength starts from."""
    X, y = two_blobs(200, 40)
    sampler = LDMOverSampler(**FAST).fit(X, y)
    first = sampler.sample(50, 1, random_state=3)
    assert sampler._pipeline(torch.device("cpu")).denoiser is sampler.student_
    sampler.set_params(strength=0.3)
    pipe = sampler._pipeline(torch.device("cpu"))
    assert pipe.denoiser is sampler.denoiser_
    assert pipe.solver.first_timestep() == 300
    edited = sampler.sample(50, 1, random_state=3)
    assert not np.allclose(edited, first)
    loaded = load(sampler.save(tmp_path / "model.ldm"))
    np.testing.assert_array_equal(loaded.sample(50, 1, random_state=3), edited)
    sampler.set_params(strength=1.0)
    np.testing.assert_array_equal(sampler.sample(50, 1, random_state=3), first)
    with pytest.raises(ValueError, match="strength"):
        LDMOverSampler(strength=0.0).fit(X, y)
