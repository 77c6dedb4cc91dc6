"""Known-answer tests of multinomial and mixed (Gaussian + multinomial) diffusion."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ldm_oversample.diffusion import (
    GaussianDiffusion,
    MixedDiffusion,
    MixedSolver,
    MultinomialDiffusion,
    make_schedule,
    run_solver,
)

T = 50
SLICES = [(0, 3), (3, 5)]  # a 3-category and a 2-category column


@pytest.fixture
def process():
    return MultinomialDiffusion(make_schedule("cosine", T), SLICES)


def onehot(codes, sizes=(3, 2)):
    rows = []
    for row in codes:
        parts = [np.eye(k)[c] for c, k in zip(row, sizes, strict=True)]
        rows.append(np.concatenate(parts))
    return torch.as_tensor(np.array(rows), dtype=torch.float64)


def test_q_probs_endpoints_and_normalisation(process):
    x0 = onehot([[0, 1], [2, 0]])
    clean = process.q_probs(x0, torch.tensor([-1, -1]))
    torch.testing.assert_close(clean, x0)
    noisy = process.q_probs(x0, torch.tensor([T - 1, T - 1]))
    torch.testing.assert_close(
        noisy[:, :3], torch.full((2, 3), 1 / 3, dtype=torch.float64), atol=1e-5, rtol=0
    )  # alpha_bar_{T-1} of the clipped cosine schedule is about 1e-6, not 0
    mid = process.q_probs(x0, torch.tensor([10, 30]))
    for a, b in SLICES:
        torch.testing.assert_close(
            mid[:, a:b].sum(1), torch.ones(2, dtype=torch.float64)
        )
    ab = make_schedule("cosine", T).alphas_cumprod[10]
    assert mid[0, 0].item() == pytest.approx(ab + (1 - ab) / 3)


def test_posterior_matches_bayes_rule_by_enumeration(process):
    """q(x_s | x_t, x_0) ∝ q(x_t | x_s) q(x_s | x_0), enumerated in NumPy."""
    ab = np.concatenate([make_schedule("cosine", T).alphas_cumprod, [1.0]])
    x0 = onehot([[1, 0]])
    x_t = onehot([[2, 1]])
    for t, s in [(20, 19), (20, 7), (5, -1), (T - 1, 0)]:
        got = process.posterior_probs(x_t, x0, torch.tensor([t]), torch.tensor([s]))
        r = ab[t] / ab[s]
        for (a, b), obs, true in [((0, 3), 2, 1), ((3, 5), 1, 0)]:
            k = b - a
            expected = np.array(
                [
                    (r * (j == obs) + (1 - r) / k)
                    * (ab[s] * (j == true) + (1 - ab[s]) / k)
                    for j in range(k)
                ]
            )
            np.testing.assert_allclose(got[0, a:b].numpy(), expected / expected.sum())


def test_posterior_marginalises_to_the_forward_marginal(process):
    """sum_{x_t} q(x_t | x_0) q(x_s | x_t, x_0) = q(x_s | x_0) for one block."""
    x0 = onehot([[2, 0]])
    t, s = torch.tensor([30]), torch.tensor([12])
    q_t = process.q_probs(x0, t)[0, :3]
    total = torch.zeros(3, dtype=torch.float64)
    for j in range(3):
        x_t = onehot([[j, 0]])
        total += q_t[j] * process.posterior_probs(x_t, x0, t, s)[0, :3]
    torch.testing.assert_close(total, process.q_probs(x0, s)[0, :3])


def test_posterior_to_clean_data_is_x0(process):
    x0 = onehot([[0, 1], [1, 1]])
    x_t = onehot([[2, 0], [1, 0]])
    post = process.posterior_probs(
        x_t, x0, torch.tensor([3, 40]), torch.tensor([-1, -1])
    )
    torch.testing.assert_close(post, x0)


def test_loss_is_zero_for_an_oracle_and_positive_otherwise(process):
    x0 = onehot([[0, 1], [2, 0], [1, 1], [0, 0]])
    x_t = onehot([[1, 1], [2, 1], [0, 0], [0, 0]])
    t = torch.tensor([0, 5, 20, T - 1])
    oracle = 60.0 * x0  # logits whose softmax is x_0 to within e^-60
    assert process.loss(x0, x_t, oracle, t).abs().max().item() < 1e-12
    wrong = 60.0 * onehot([[1, 0], [0, 1], [2, 0], [1, 1]])
    assert (process.loss(x0, x_t, wrong, t)[:3] > 0.01).all()


def test_loss_is_T_times_the_step_kl_as_in_tabddpm(process):
    """TabDDPM's ``kl / pt`` with ``pt = 1/T``: the sampled step's KL (or the
    decoder NLL at t = 0) times T, averaged over the categorical columns."""
    x0 = onehot([[0, 1], [2, 0]])
    x_t = onehot([[1, 1], [2, 1]])
    t = torch.tensor([0, 7])
    logits = torch.tensor(
        [[0.3, -1.0, 0.2, 0.5, 0.0], [1.0, 0.0, -2.0, 0.1, 0.4]], dtype=torch.float64
    )
    # By hand, from the Bayes posteriors (checked by enumeration above).
    x0_hat = torch.cat([logits[:, :3].softmax(1), logits[:, 3:].softmax(1)], 1)
    p = process.posterior_probs(x_t, x0_hat, t, t - 1)
    q = process.posterior_probs(x_t, x0, t, t - 1)
    nll = -(x0[0] * p[0].log()).sum()
    kl = (q[1] * (q[1].clamp_min(1e-30).log() - p[1].log())).sum()
    expected = torch.stack([nll, kl]) * T / len(SLICES)
    torch.testing.assert_close(process.loss(x0, x_t, logits, t), expected)


def test_sample_onehot_follows_probabilities(process):
    probs = torch.tensor([[0.2, 0.5, 0.3, 0.9, 0.1]], dtype=torch.float64).repeat(
        20000, 1
    )
    g = torch.Generator().manual_seed(0)
    draws = process.sample_onehot(probs, g)
    assert torch.all(draws[:, :3].sum(1) == 1) and torch.all(draws[:, 3:].sum(1) == 1)
    torch.testing.assert_close(draws.mean(0), probs[0], atol=0.015, rtol=0)


@pytest.mark.parametrize("n_steps", [1, 7, T])
@pytest.mark.parametrize("eta", [0.0, 1.0])
def test_mixed_solver_with_an_oracle_recovers_the_row(n_steps, eta):
    """Numeric part via DDIM, categories via posteriors, both exact for an oracle."""
    schedule = make_schedule("cosine", T)
    process = MixedDiffusion(GaussianDiffusion(schedule, "v"), 2, [(2, 5), (5, 7)])
    x0 = torch.cat(
        [
            torch.tensor([[0.3, -1.2], [1.5, 0.0]], dtype=torch.float64),
            onehot([[2, 1], [0, 0]]),
        ],
        dim=1,
    )

    def oracle(x, t):
        ab = torch.as_tensor(schedule.alphas_cumprod[t], dtype=torch.float64)
        num0 = x0[:, :2]
        eps = (x[:, :2] - ab.sqrt() * num0) / (1 - ab).sqrt()
        v = ab.sqrt() * eps - (1 - ab).sqrt() * num0
        return torch.cat([v, 60.0 * x0[:, 2:]], dim=1)

    solver = MixedSolver(process, eta=eta)
    solver.set_timesteps(n_steps)
    g = torch.Generator().manual_seed(1)
    x_T = torch.cat(
        [
            torch.randn((2, 2), generator=g, dtype=torch.float64),
            onehot([[0, 0], [1, 1]]),
        ],
        dim=1,
    )
    out = run_solver(solver, oracle, x_T, g)
    torch.testing.assert_close(out, x0)


def test_mixed_loss_is_zero_for_an_oracle_and_splits_parts():
    schedule = make_schedule("cosine", T)
    process = MixedDiffusion(GaussianDiffusion(schedule, "epsilon"), 1, [(1, 4)])
    x0 = torch.cat(
        [torch.randn((64, 1), dtype=torch.float64), onehot([[1, 0]] * 64)[:, :3]], 1
    )

    def oracle(x_t, t, y=None):
        ab = torch.as_tensor(schedule.alphas_cumprod, dtype=torch.float64)[t].reshape(
            -1, 1
        )
        eps = (x_t[:, :1] - ab.sqrt() * x0[:, :1]) / (1 - ab).sqrt()
        return torch.cat([eps, 60.0 * x0[:, 1:]], dim=1)

    g = torch.Generator().manual_seed(0)
    assert process.loss(oracle, x0, g, y=None).item() < 1e-10

    def zero(x_t, t, y=None):
        return torch.zeros_like(x_t)

    # a zero network: MSE of unit noise (~1) plus a positive KL
    assert process.loss(zero, x0, torch.Generator().manual_seed(0)).item() > 1.0


def test_mixed_prior_has_unit_numerics_and_valid_onehots():
    process = MixedDiffusion(GaussianDiffusion(make_schedule("cosine", T)), 3, [(3, 6)])
    x = process.prior_sample(
        4000, torch.device("cpu"), torch.Generator().manual_seed(0)
    )
    assert x.shape == (4000, 6)
    assert abs(x[:, :3].std().item() - 1) < 0.05
    assert torch.all(x[:, 3:].sum(1) == 1)
    torch.testing.assert_close(
        x[:, 3:].mean(0), torch.full((3,), 1 / 3), atol=0.03, rtol=0
    )
