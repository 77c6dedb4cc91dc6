"""CTGANOverSampler's own behaviour, and known answers of its pieces.

The imblearn contract shared by every sampler (original rows first, counts,
formats and dtypes, ``sample()``, seeds, devices, pickling, verbosity,
pipelines) is tested in ``test_samplers.py`` through ``conftest.FAST``; the
estimator checks are in ``test_common.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import make_classification

from ldm_oversample.nn import (
    PacDiscriminator,
    ResidualGenerator,
    gradient_penalty,
    gumbel_softmax,
    span_activations,
)
from ldm_oversample.over_sampling._ctgan_conditions import ConditionSampler
from ldm_oversample.tabular import TabularEncoder, draw_categorical

from .conftest import make_fast, make_mixed_frame


def fast(**kwargs):
    return make_fast("CTGANOverSampler", **kwargs)


@pytest.fixture(scope="module")
def fitted_multiclass(multiclass):
    X, y = multiclass
    return fast().fit(X, y)


@pytest.fixture(scope="module")
def fitted_mixed():
    X, y = make_mixed_frame()
    return fast().fit(X, y), X, y


def test_multiclass_uses_one_conditional_model(fitted_multiclass):
    sampler = fitted_multiclass
    np.testing.assert_array_equal(sampler.classes_, [0, 1, 2])
    # No categorical column: the condition is the class one-hot alone.
    assert sampler.encoder_.categorical_spans == []
    assert sampler.generator_.cond_dim == 3
    assert sampler.discriminator_.input_dim == sampler.encoder_.n_encoded_ + 3
    assert sampler.discriminator_.pac == sampler.pac == 2


def test_sample_sets_the_class_condition_exactly(fitted_mixed, monkeypatch):
    """The class part of the generator's input is the one-hot of the class."""
    sampler = fitted_mixed[0]
    seen = []
    forward = ResidualGenerator.forward

    def spy(self, z_cond):
        seen.append(z_cond.detach().clone())
        return forward(self, z_cond)

    monkeypatch.setattr(ResidualGenerator, "forward", spy)
    out = sampler.sample(40, class_label="attack")
    assert len(out) == 40
    (z_cond,) = seen
    k = list(sampler.classes_).index("attack")
    cond = z_cond[:, sampler.generator_.embedding_dim :]
    class_part = cond[:, : len(sampler.classes_)]
    expected = torch.zeros_like(class_part)
    expected[:, k] = 1
    assert torch.equal(class_part, expected)
    # Exactly one categorical level is set per row (CTGAN's condition).
    assert torch.equal(cond[:, len(sampler.classes_) :].sum(1), torch.ones(40))


def test_layout_is_mode_specific_with_categorical_conditions(fitted_mixed):
    sampler = fitted_mixed[0]
    enc = sampler.encoder_
    assert enc.numeric_transform == "mode_specific"
    for span in enc.numeric_spans:
        assert 1 <= span.n_modes <= 3
    n_levels = sum(s.width for s in enc.categorical_spans)
    assert n_levels == 3 + 3 + 2
    assert sampler.generator_.cond_dim == 2 + n_levels
    assert sampler.category_probs_.shape == (2, n_levels)
    # Within each class, each categorical column's frequencies sum to 1.
    for span in enc.categorical_spans:
        block = slice(span.start - enc.categorical_spans[0].start, None)
        width = span.width
        sums = sampler.category_probs_[:, block][:, :width].sum(1)
        np.testing.assert_allclose(sums, 1.0)


def test_constant_tiny_and_huge_columns_give_finite_rows():
    rng = np.random.default_rng(0)
    n = 80
    X = pd.DataFrame(
        {
            "const": np.full(n, 7.25),
            "const_int": np.full(n, -3, dtype=np.int64),
            "tiny": rng.normal(0, 1e-9, n),
            "huge": rng.lognormal(20, 2, n),
            "flag": rng.integers(0, 2, n).astype(np.float64),
        }
    )
    y = np.where(np.arange(n) < 20, 1, 0)
    sampler = fast().fit(X, y)
    assert all(np.isfinite(h) for h in sampler.history_["discriminator"])
    new = sampler.sample(100, class_label=1)
    assert np.isfinite(new.to_numpy(np.float64)).all()
    assert (new["const"] == 7.25).all() and (new["const_int"] == -3).all()
    assert new["tiny"].std() > 0  # not collapsed onto a single value
    assert new["tiny"].between(X["tiny"].min(), X["tiny"].max()).all()


# ---------------------------------------------------------- batch handling
@pytest.mark.parametrize(
    ("batch_size", "pac", "expected"),
    [(55, 10, 50), (5, 10, 10), (500, 10, 500), (64, 1, 64)],
)
def test_batch_size_rounded_to_a_multiple_of_pac(batch_size, pac, expected):
    X, y = make_classification(n_samples=120, weights=[0.8], random_state=0)
    sampler = fast(batch_size=batch_size, pac=pac, max_epochs=1).fit(X, y)
    assert sampler.batch_size_ == expected
    assert sampler.batch_size_ % pac == 0


def test_batch_larger_than_the_data_runs_one_step_per_epoch(monkeypatch):
    """CTGAN's epoch: max(n // batch, 1) batches, drawn with replacement."""
    X, y = make_classification(n_samples=30, weights=[0.7], random_state=0)
    calls = []
    activate = ResidualGenerator.activate

    def spy(self, raw, generator=None):
        calls.append(raw.shape[0])
        return activate(self, raw, generator)

    monkeypatch.setattr(ResidualGenerator, "activate", spy)
    fast(batch_size=500, max_epochs=3).fit(X, y)
    # Per step: one critic step and one generator step, each on 500 rows.
    assert calls == [500] * 6


def test_discriminator_steps(multiclass):
    X, y = multiclass
    sampler = fast(discriminator_steps=3, max_epochs=2).fit(X, y)
    assert len(sampler.history_["generator"]) == 2
    assert len(sampler.history_["discriminator"]) == 2


def test_fit_records_history_and_fitted_attributes(multiclass):
    X, y = multiclass
    sampler = fast(max_epochs=3).fit(X, y)
    assert set(sampler.history_) == {"generator", "discriminator"}
    assert len(sampler.history_["generator"]) == 3
    assert len(sampler.history_["discriminator"]) == 3
    assert all(np.isfinite(v) for v in sampler.history_["generator"])
    params = set(sampler.get_params())
    assert not [k for k in vars(sampler) if k not in params and not k.endswith("_")]
    fitted = {k for k in vars(sampler) if k.endswith("_")}
    assert {"encoder_", "generator_", "discriminator_", "history_", "device_"} <= (
        fitted
    )
    assert not sampler.generator_.training


# ---------------------------------------------------------------- errors
def test_bad_dims_are_clear_errors(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="generator_dims"):
        fast(generator_dims=(16, 0)).fit(X, y)


# ================================================== mode-specific normaliser
def _two_modes(n: int = 2000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    which = rng.random(n) < 0.3
    return np.where(which, rng.normal(-5, 0.5, n), rng.normal(5, 1.0, n))[:, None]


def test_two_mode_mixture_is_found_as_two_modes():
    X = _two_modes(500)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(X)
    (span,) = enc.numeric_spans
    assert span.n_modes == 2 and span.width == 3
    order = np.argsort(enc.mode_means_[0])
    np.testing.assert_allclose(enc.mode_means_[0][order], [-5, 5], atol=0.15)
    # The covariance prior (the column's variance) widens the smaller mode: 0.89
    # here, as in rdt's ClusterBasedNormalizer on the same rows.
    stds = enc.mode_stds_[0][order]
    assert 0.45 < stds[0] < 1.0
    assert stds[1] == pytest.approx(1.0, rel=0.1)
    weights = enc.mode_mixtures_[0].weights_[enc.mode_keep_[0]][order]
    np.testing.assert_allclose(weights, [0.3, 0.7], atol=0.05)


def test_more_rows_may_split_a_mode_as_ctgan_does():
    """With CTGAN's prior and 100 iterations, 2000 rows of the same mixture keep
    more than two modes (rdt's ClusterBasedNormalizer keeps 5 as well), but they
    still sit in two groups, at -5 and 5, weighing 0.3 and 0.7."""
    X = _two_modes(2000)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(X)
    means = enc.mode_means_[0]
    weights = enc.mode_mixtures_[0].weights_[enc.mode_keep_[0]]
    low, high = np.abs(means + 5) < 0.5, np.abs(means - 5) < 0.5
    assert (low | high).all() and low.any() and high.any()
    total = weights.sum()
    assert weights[low].sum() / total == pytest.approx(0.3, abs=0.03)


def test_mode_specific_encoding_and_round_trip():
    X = _two_modes(500)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(X)
    Z = enc.transform(X)
    assert Z.dtype == np.float32 and Z.shape == (len(X), 3)
    assert np.abs(Z[:, 0]).max() <= 0.99
    np.testing.assert_array_equal(Z[:, 1:].sum(1), 1.0)  # one-hot mode
    back = enc.inverse_transform(Z)
    err = np.abs(back - X)[:, 0]
    assert np.median(err) < 1e-5  # float32 alpha
    assert np.mean(err < 1e-4) > 0.995  # the rest: rare far-mode draws, clipped
    # Values sit in the mode of their own component.
    mode = Z[:, 1:].argmax(1)
    near = enc.mode_means_[0][mode]
    assert np.mean(np.abs(X[:, 0] - near) < 4) > 0.995


def test_transform_is_deterministic_for_an_int_random_state():
    X = _two_modes(500)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=3).fit(X)
    np.testing.assert_array_equal(enc.transform(X), enc.transform(X))
    other = TabularEncoder(numeric_transform="mode_specific", random_state=3).fit(X)
    np.testing.assert_array_equal(enc.transform(X), other.transform(X))


def test_draw_categorical_inverts_the_cdf():
    probs = np.array([0.2, 0.5, 0.3])
    n = 1000
    u = (np.arange(n) + 0.5) / n  # a uniform grid gives exact counts
    index = draw_categorical(np.tile(probs, (n, 1)), u)
    np.testing.assert_array_equal(np.bincount(index, minlength=3), [200, 500, 300])
    # Row-specific probabilities, and u -> 1 never overflows.
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_array_equal(
        draw_categorical(rows, np.array([0.999999, 0.0, 0.9999999999])), [0, 1, 1]
    )


def test_vectorised_mode_draw_follows_the_posterior():
    """Repeated values get modes in the proportions of their posterior."""
    X = _two_modes(500)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(X)
    order = np.argsort(enc.mode_means_[0])
    # A point where both modes are plausible.
    grid = np.linspace(-3, 3, 601)[:, None]
    post = enc.mode_posterior(grid)[0][:, order[1]]
    x0 = grid[np.argmin(np.abs(post - 0.4)), 0]
    values = np.full((20000, 1), x0)
    p_high = enc.mode_posterior(values[:1])[0][0, order[1]]
    assert 0.3 < p_high < 0.5
    Z = enc.transform(values)
    drawn_high = np.mean(Z[:, 1 + order[1]] == 1.0)
    assert drawn_high == pytest.approx(p_high, abs=0.015)


def test_inverse_takes_the_argmax_mode():
    X = _two_modes(500)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(X)
    means, stds = enc.mode_means_[0], enc.mode_stds_[0]
    Z = np.array([[0.1, 2.0, -1.0], [0.1, 0.2, 0.3], [-5.0, 0.0, 1.0]])
    out = enc.inverse_transform(Z)[:, 0]
    expected = [0.1 * 4 * stds[0] + means[0], 0.1 * 4 * stds[1] + means[1]]
    np.testing.assert_allclose(out[:2], expected)
    # alpha is clipped to [-1, 1], then the value to the observed range.
    assert out[2] == pytest.approx(max(-4 * stds[1] + means[1], X.min()))


def test_quantile_default_layout_is_unchanged():
    X = _two_modes(200)
    enc = TabularEncoder().fit(X)
    assert enc.numeric_transform == "quantile"
    (span,) = enc.numeric_spans
    assert span.width == 1 and span.n_modes == 0
    assert enc.quantile_transformer_ is not None


def test_mode_fit_row_cap_and_bad_options():
    X = _two_modes(3000)
    enc = TabularEncoder(
        numeric_transform="mode_specific", random_state=0, mode_fit_max_rows=500
    ).fit(X)
    assert enc.mode_mixtures_[0].n_iter_ >= 1
    assert enc.numeric_spans[0].n_modes == 2
    with pytest.raises(ValueError, match="numeric_transform"):
        TabularEncoder(numeric_transform="gmm").fit(X)
    with pytest.raises(ValueError, match="max_modes"):
        TabularEncoder(numeric_transform="mode_specific", max_modes=0).fit(X)


def test_mode_specific_mixed_frame_round_trip_dtypes():
    X, _ = make_mixed_frame(200)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(X)
    back = enc.inverse_transform(enc.transform(X))
    assert (back.dtypes == X.dtypes).all()
    for name in ("proto", "service", "syn"):
        assert back[name].tolist() == X[name].tolist()
    assert np.mean(back["size"].to_numpy() == X["size"].to_numpy()) > 0.95


# ====================================================== training-by-sampling
def test_training_by_sampling_follows_ctgan_law():
    """Classes and conditioned categories with log-frequency, rows matching."""
    frame = pd.DataFrame(
        {
            "x": np.arange(130, dtype=float),
            "c": ["a"] * 90 + ["b"] * 10 + ["a"] * 5 + ["b"] * 25,
            "d": ["u"] * 50 + ["v"] * 80,
        }
    )
    labels = np.array([0] * 100 + [1] * 30)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(frame)
    x = torch.as_tensor(enc.transform(frame))
    sampler = ConditionSampler(enc, x, labels, 2, True, torch.device("cpu"))
    g = torch.Generator().manual_seed(0)
    rows = sampler.draw_rows(200_000, g)
    real, cond, _ = sampler.condition(rows, g)
    cls = cond[:, :2].argmax(1)
    p_class = np.log1p([100, 30]) / np.log1p([100, 30]).sum()
    assert (cls == 1).float().mean().item() == pytest.approx(p_class[1], abs=0.005)
    levels = cond[:, 2:]
    assert torch.equal(levels.sum(1), torch.ones(len(rows)))
    # The real row holds the conditioned category.
    assert torch.equal(
        (real[:, enc.categorical_spans[0].start :] * levels).sum(1), levels.sum(1)
    )
    # Column "c" is conditioned half of the time; within class 0 its
    # categories come with probability log(1 + count) / sum.
    in0_c = (cls == 0) & (levels[:, :2].sum(1) == 1)
    assert in0_c.float().sum().item() / (cls == 0).sum().item() == pytest.approx(
        0.5, abs=0.01
    )
    q = np.log1p([90, 10]) / np.log1p([90, 10]).sum()
    got = levels[in0_c, 1].mean().item()  # category "b"
    assert got == pytest.approx(q[1], abs=0.01)


# ================================================================ GAN pieces
def test_gradient_penalty_is_zero_for_a_unit_norm_critic():
    d, pac = 3, 10
    critic = PacDiscriminator(d, hidden_dims=(), pac=pac)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        w = torch.randn((1, d * pac), generator=g)
        critic.out.weight.copy_(w / w.norm())
    real = torch.randn((40, d), generator=g)
    fake = torch.randn((40, d), generator=g)
    assert gradient_penalty(critic, real, fake, g).item() == pytest.approx(0, abs=1e-10)
    with torch.no_grad():
        critic.out.weight.mul_(2.0)  # gradient norm 2 -> weight * (2 - 1)^2
    assert gradient_penalty(critic, real, fake, g).item() == pytest.approx(10.0)


def test_pacgan_packs_consecutive_rows():
    d, pac = 2, 5
    critic = PacDiscriminator(d, hidden_dims=(4,), pac=pac).eval()
    x = torch.randn((20, d), generator=torch.Generator().manual_seed(0))
    scores = critic(x)
    assert scores.shape == (4, 1)
    # Pack k is rows [k * pac, (k + 1) * pac) concatenated.
    packed = x.reshape(4, pac * d)
    expected = critic.out(torch.nn.functional.leaky_relu(critic.hidden[0](packed), 0.2))
    torch.testing.assert_close(scores, expected)
    x2 = x.clone()
    x2[7] += 1.0  # in pack 1 only
    changed = (critic(x2) != scores)[:, 0]
    assert changed.tolist() == [False, True, False, False]
    with pytest.raises(ValueError, match="multiple of pac"):
        critic(x[:7])


def test_dropout_masks_come_from_the_generator():
    critic = PacDiscriminator(3, hidden_dims=(32,), pac=2).train()
    x = torch.randn((8, 3), generator=torch.Generator().manual_seed(0))
    torch_state = torch.get_rng_state().clone()
    a = critic(x, generator=torch.Generator().manual_seed(1))
    b = critic(x, generator=torch.Generator().manual_seed(1))
    c = critic(x, generator=torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_gumbel_softmax_is_one_hot_like_and_follows_the_softmax():
    g = torch.Generator().manual_seed(0)
    probs = torch.tensor([0.2, 0.3, 0.5])
    logits = probs.log().expand(20000, 3)
    out = gumbel_softmax(logits, tau=0.2, generator=g)
    torch.testing.assert_close(out.sum(1), torch.ones(20000))
    assert out.max(1).values.mean() > 0.9
    freq = torch.bincount(out.argmax(1), minlength=3) / 20000
    torch.testing.assert_close(freq, probs, atol=0.015, rtol=0)


def test_generator_activations_per_segment():
    X, _ = make_mixed_frame(200)
    enc = TabularEncoder(numeric_transform="mode_specific", random_state=0).fit(X)
    segments = span_activations(enc.layout_)
    kinds = [k for _, _, k in segments]
    assert kinds == ["tanh", "softmax"] * 3 + ["softmax_categorical"] * 3
    assert segments[-1][1] == enc.n_encoded_
    net = ResidualGenerator(4, 2, (8, 8), segments)
    assert net.seq[-1].in_features == 4 + 2 + 8 + 8  # residual widths accumulate
    raw = 5 * torch.randn(
        (64, enc.n_encoded_), generator=torch.Generator().manual_seed(0)
    )
    out = net.activate(raw, torch.Generator().manual_seed(1))
    for start, stop, kind in segments:
        block = out[:, start:stop]
        if kind == "tanh":
            torch.testing.assert_close(block, torch.tanh(raw[:, start:stop]))
        else:
            torch.testing.assert_close(block.sum(1), torch.ones(64))
    decoded = enc.inverse_transform(out.numpy())
    assert (decoded.dtypes == X.dtypes).all()


def test_condition_loss_known_answer():
    segments = [
        (0, 1, "identity"),
        (1, 4, "softmax_categorical"),
        (4, 6, "softmax_categorical"),
    ]
    net = ResidualGenerator(2, 5, (), segments)
    raw = torch.zeros((2, 6))  # uniform logits: cross-entropy log(width)
    target = torch.zeros((2, 6))
    target[0, 2] = 1  # row 0 conditioned on column 0 (width 3)
    target[1, 5] = 1  # row 1 conditioned on column 1 (width 2)
    mask = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    loss = net.condition_loss(raw, target, mask)
    assert loss.item() == pytest.approx((np.log(3) + np.log(2)) / 2)
