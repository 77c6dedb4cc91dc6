"""Known-answer tests of the diffusion engine (schedules, process, solvers)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ldm_oversample.diffusion import (
    DDIMSolver,
    DDPMSolver,
    DPMSolverPP,
    GaussianDiffusion,
    NoiseSchedule,
    cosine_betas,
    linear_betas,
    make_schedule,
    make_solver,
    run_solver,
)
from ldm_oversample.diffusion.pipeline import DiffusionPipeline, NoisedRows
from ldm_oversample.diffusion.runner import (
    conditional_model_fn,
    matmul_precision,
    native_bf16,
    resolve_precision,
)
from ldm_oversample.nn import MLPDenoiser

PREDICTIONS = ("epsilon", "v")


def _cosine_f(t, T, s=0.008):
    t = np.asarray(t, dtype=np.float64)
    return np.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2


def _process(name="cosine", T=1000, prediction="epsilon"):
    return GaussianDiffusion(make_schedule(name, T), prediction)


def _oracle_target(process, x0, x_t, t):
    """The exact network output implied by a known clean ``x0`` and ``(x_t, t)``."""
    ab = float(process.schedule.alphas_cumprod[t])
    eps = (x_t - math.sqrt(ab) * x0) / math.sqrt(1.0 - ab)
    if process.prediction_type == "epsilon":
        return eps
    return math.sqrt(ab) * eps - math.sqrt(1.0 - ab) * x0


def _assert_close(actual, expected, rtol=1e-7, atol=0.0):
    """Elementwise closeness of tensors (numpy's check is much faster here)."""
    actual = torch.as_tensor(actual)
    expected = torch.as_tensor(expected, dtype=actual.dtype)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=rtol, atol=atol)


# ----------------------------------------------------------------- schedules
@pytest.mark.parametrize("name", ["cosine", "linear"])
@pytest.mark.parametrize("T", [1, 2, 10, 100, 1000])
def test_schedule_invariants(name, T):
    schedule = make_schedule(name, T)
    betas = schedule.betas
    assert isinstance(schedule, NoiseSchedule)
    assert betas.dtype == np.float64
    assert betas.shape == (T,)
    assert schedule.n_timesteps == T
    assert np.all(betas > 0)
    assert np.all(betas <= 0.999)
    ab = schedule.alphas_cumprod
    assert ab.dtype == np.float64
    assert np.all(ab > 0)
    assert np.all(ab < 1)
    assert np.all(np.diff(ab) < 0)
    np.testing.assert_allclose(schedule.alphas, 1.0 - betas, rtol=0, atol=0)
    np.testing.assert_allclose(ab, np.cumprod(1.0 - betas), rtol=1e-14)


@pytest.mark.parametrize("T", [10, 100, 1000])
def test_cosine_alphas_cumprod_closed_form(T):
    ab = make_schedule("cosine", T).alphas_cumprod
    t = np.arange(T - 1)  # the last beta is clipped to max_beta
    expected = _cosine_f(t + 1, T) / _cosine_f(0, T)
    np.testing.assert_allclose(ab[: T - 1], expected, rtol=1e-10)
    # The last step is clipped: beta_{T-1} == max_beta exactly.
    assert cosine_betas(T)[-1] == 0.999
    assert cosine_betas(T, max_beta=0.5).max() == 0.5


def test_cosine_alphas_cumprod_literal_values():
    """Never change a committed schedule: fitted models depend on it."""
    ab = make_schedule("cosine", 1000).alphas_cumprod
    expected = {
        0: 0.999958715775178,
        250: 0.8458879864968832,
        500: 0.49228517244880304,
        998: 2.4287669070348544e-06,
        999: 2.4287669070348567e-09,
    }
    for t, value in expected.items():
        assert ab[t] == pytest.approx(value, rel=1e-10), t


def test_linear_endpoints():
    betas = linear_betas(1000)
    assert betas[0] == pytest.approx(1e-4, rel=1e-12)
    assert betas[-1] == pytest.approx(0.02, rel=1e-12)
    np.testing.assert_allclose(np.diff(betas), (0.02 - 1e-4) / 999, rtol=1e-8)
    # Rescaled to fewer steps: the same total noise, endpoints times 1000 / T.
    short = linear_betas(100)
    assert short[0] == pytest.approx(1e-3, rel=1e-12)
    assert short[-1] == pytest.approx(0.2, rel=1e-12)
    np.testing.assert_array_equal(make_schedule("linear", 1000).betas, betas)


def test_make_schedule_rejects_bad_arguments():
    with pytest.raises(ValueError, match="quadratic"):
        make_schedule("quadratic", 100)
    for bad in (0, -5):
        with pytest.raises(ValueError, match="n_timesteps"):
            make_schedule("cosine", bad)
        with pytest.raises(ValueError, match="n_timesteps"):
            make_schedule("linear", bad)


def test_gaussian_diffusion_rejects_unknown_prediction_type():
    with pytest.raises(ValueError, match="prediction_type"):
        GaussianDiffusion(make_schedule("cosine", 10), "x0")


# ------------------------------------------------------------------ process
@pytest.mark.parametrize("name", ["cosine", "linear"])
def test_add_noise_closed_form(name):
    T = 1000
    process = _process(name, T)
    rng = np.random.default_rng(0)
    n = 64
    x0 = rng.normal(size=(n, 3, 2))
    noise = rng.normal(size=(n, 3, 2))
    t = rng.integers(0, T, n)
    t[:2] = [0, T - 1]
    ab = process.schedule.alphas_cumprod[t][:, None, None]
    expected = np.sqrt(ab) * x0 + np.sqrt(1.0 - ab) * noise
    for dtype, tol in ((torch.float32, 1e-5), (torch.float64, 1e-12)):
        got = process.add_noise(
            torch.as_tensor(x0, dtype=dtype),
            torch.as_tensor(noise, dtype=dtype),
            torch.as_tensor(t),
        )
        assert got.dtype == dtype
        assert got.shape == x0.shape
        np.testing.assert_allclose(got.numpy(), expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["cosine", "linear"])
@pytest.mark.parametrize("t", [0, 100, 500, 900, 999])
def test_add_noise_preserves_variance(name, t):
    process = _process(name, 1000)
    g = torch.Generator().manual_seed(t)
    x0 = torch.randn((20_000, 8), generator=g)
    noise = torch.randn((20_000, 8), generator=g)
    x_t = process.add_noise(x0, noise, torch.full((20_000,), t))
    assert x_t.std().item() == pytest.approx(1.0, abs=0.02)
    assert x_t.mean().item() == pytest.approx(0.0, abs=0.02)


@pytest.mark.parametrize("prediction", PREDICTIONS)
def test_split_prediction_recovers_x0_and_noise(prediction):
    T = 1000
    process = _process("cosine", T, prediction)
    g = torch.Generator().manual_seed(1)
    t_max = 900 if prediction == "epsilon" else T - 1
    t = torch.linspace(0, t_max, 40).round().long()
    x0 = torch.randn((40, 5), generator=g)
    noise = torch.randn((40, 5), generator=g)
    x_t = process.add_noise(x0, noise, t)
    x0_hat, eps_hat = process.split_prediction(process.target(x0, noise, t), x_t, t)
    _assert_close(x0_hat, x0, rtol=1e-4, atol=1e-4)
    _assert_close(eps_hat, noise, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("prediction", PREDICTIONS)
def test_split_prediction_float64_all_timesteps(prediction):
    T = 1000
    process = _process("cosine", T, prediction)
    g = torch.Generator().manual_seed(2)
    t = torch.arange(T)
    x0 = torch.randn((T, 2), generator=g, dtype=torch.float64)
    noise = torch.randn((T, 2), generator=g, dtype=torch.float64)
    x_t = process.add_noise(x0, noise, t)
    x0_hat, eps_hat = process.split_prediction(process.target(x0, noise, t), x_t, t)
    _assert_close(eps_hat, noise, rtol=1e-9, atol=1e-9)
    if prediction == "v":
        _assert_close(x0_hat, x0, rtol=1e-9, atol=1e-9)
    else:  # dividing by sqrt(alpha_bar) ~ 5e-5 at the last step amplifies rounding
        _assert_close(x0_hat, x0, rtol=1e-6, atol=1e-6)


def test_targets_explicit():
    T = 1000
    rng = np.random.default_rng(3)
    x0 = rng.normal(size=(30, 4))
    noise = rng.normal(size=(30, 4))
    t = rng.integers(0, T, 30)
    ab = make_schedule("cosine", T).alphas_cumprod[t][:, None]
    v_expected = np.sqrt(ab) * noise - np.sqrt(1.0 - ab) * x0
    args = (torch.as_tensor(x0), torch.as_tensor(noise), torch.as_tensor(t))
    v = _process("cosine", T, "v").target(*args)
    np.testing.assert_allclose(v.numpy(), v_expected, rtol=1e-12, atol=1e-12)
    eps = _process("cosine", T, "epsilon").target(*args)
    np.testing.assert_array_equal(eps.numpy(), noise)


@pytest.mark.parametrize("prediction", PREDICTIONS)
def test_loss_of_oracle_model_is_zero(prediction):
    """The model sees (x_t, t); knowing x0 it can recover the drawn noise exactly."""
    T = 50
    process = _process("cosine", T, prediction)
    g = torch.Generator().manual_seed(4)
    x0 = torch.randn((512, 3), generator=g, dtype=torch.float64)
    seen = []

    def oracle(x_t, t, y=None):
        seen.append((t.clone(), y))
        ab = torch.as_tensor(process.schedule.alphas_cumprod)[t][:, None]
        noise = (x_t - ab.sqrt() * x0) / (1.0 - ab).sqrt()
        return process.target(x0, noise, t)

    labels = torch.arange(512)
    loss = process.loss(oracle, x0, g, y=labels)
    assert loss.ndim == 0
    assert loss.item() < 1e-12
    [(t, y)] = seen
    assert y is labels  # model_kwargs are passed through
    assert t.shape == (512,)
    assert t.dtype == torch.long
    assert int(t.min()) == 0 and int(t.max()) == T - 1  # uniform over [0, T)
    # A wrong model is penalised.
    assert process.loss(lambda x_t, t: oracle(x_t, t) + 0.5, x0, g).item() == (
        pytest.approx(0.25, rel=1e-9)
    )


@pytest.mark.parametrize("prediction", PREDICTIONS)
def test_loss_is_reproducible_with_generator(prediction):
    process = _process("cosine", 100, prediction)
    x0 = torch.randn((64, 3), generator=torch.Generator().manual_seed(0))

    def model(x_t, t):
        return 0.5 * x_t + t[:, None] / 100.0

    a = process.loss(model, x0, torch.Generator().manual_seed(7))
    b = process.loss(model, x0, torch.Generator().manual_seed(7))
    c = process.loss(model, x0, torch.Generator().manual_seed(8))
    assert a.item() == b.item()
    assert a.item() != c.item()


def test_loss_of_zero_model_is_mean_squared_target():
    process = _process("cosine", 1000, "epsilon")
    g = torch.Generator().manual_seed(5)
    x0 = 3.0 * torch.randn((8192, 8), generator=g)
    loss = process.loss(lambda x_t, t: torch.zeros_like(x_t), x0, g)
    # E[noise^2] = 1 whatever x0.
    assert loss.item() == pytest.approx(1.0, abs=0.03)
    # v-target: E[ab * noise^2 + (1 - ab) x0^2] with x0^2 ~ 9 and E_t[1 - ab] known.
    process_v = _process("cosine", 1000, "v")
    ab_mean = float(process_v.schedule.alphas_cumprod.mean())
    expected = ab_mean + (1.0 - ab_mean) * 9.0
    loss_v = process_v.loss(lambda x_t, t: torch.zeros_like(x_t), x0, g)
    assert loss_v.item() == pytest.approx(expected, rel=0.05)


# ------------------------------------------------------------------ solvers
def test_set_timesteps_all_steps():
    T = 100
    solver = DDIMSolver(_process("cosine", T))
    np.testing.assert_array_equal(solver.timesteps, np.arange(T)[::-1])
    solver.set_timesteps(T)
    np.testing.assert_array_equal(solver.timesteps, np.arange(T)[::-1])


def test_set_timesteps_fifty_of_thousand():
    solver = DDIMSolver(_process("cosine", 1000))
    solver.set_timesteps(50)
    ts = np.asarray(solver.timesteps)
    assert ts.shape == (50,)
    assert np.issubdtype(ts.dtype, np.integer)
    assert ts[0] == 999
    assert ts[-1] == 0
    assert np.all(np.diff(ts) < 0)
    assert len(np.unique(ts)) == 50
    # Evenly spaced: gaps of 20 or 21 (999 / 49 = 20.39).
    assert set(np.diff(-ts).tolist()) <= {20, 21}


@pytest.mark.parametrize("n_steps", [1, 2, 3, 7, 99, 100])
def test_set_timesteps_starts_at_last_timestep(n_steps):
    """Sampling starts from pure noise, so the first step must be at t = T - 1.

    (With ``n_steps=1`` the single step must denoise from ``T - 1``, not from 0.)
    """
    T = 100
    solver = DDIMSolver(_process("cosine", T))
    solver.set_timesteps(n_steps)
    ts = np.asarray(solver.timesteps)
    assert len(ts) == n_steps
    assert ts[0] == T - 1
    assert np.all(np.diff(ts) < 0)
    assert ts.min() >= 0


@pytest.mark.parametrize("cls", [DDIMSolver, DPMSolverPP])
def test_lambda_min_clipped_starts_where_lambda_reaches_it(cls):
    """Cosine, T = 1000: lambda = log(alpha / sigma) is -9.92 at t = 999 and
    crosses -5.1 between t = 995 (-5.06) and 996, as in diffusers."""
    process = _process("cosine", 1000)
    ab = np.asarray(process.schedule.alphas_cumprod)
    lam = 0.5 * np.log(ab / (1 - ab))
    assert lam[-1] == pytest.approx(-9.918, abs=1e-3)
    solver = cls(process, lambda_min_clipped=-5.1)
    solver.set_timesteps(10)
    ts = np.asarray(solver.timesteps)
    assert ts[0] == 995 and lam[995] >= -5.1 > lam[996]
    assert ts[-1] == 0 and len(ts) == 10
    plain = cls(process)
    plain.set_timesteps(10)
    assert plain.timesteps[0] == 999
    # A bound below every lambda changes nothing.
    low = cls(process, lambda_min_clipped=-50.0)
    low.set_timesteps(10)
    np.testing.assert_array_equal(low.timesteps, plain.timesteps)


@pytest.mark.parametrize("cls", [DDIMSolver, DPMSolverPP])
def test_strength_starts_at_that_share_of_the_process(cls):
    """strength s starts at round(s * (T - 1)) and keeps n_steps down to 0;
    with lambda_min_clipped the later (less noisy) start wins."""
    process = _process("cosine", 1000)
    solver = cls(process, strength=0.5)
    solver.set_timesteps(10)
    ts = np.asarray(solver.timesteps)
    assert ts[0] == 500 and ts[-1] == 0 and len(ts) == 10
    assert set(np.diff(-ts).tolist()) <= {55, 56}  # 500 / 9 = 55.6
    # lambda_min_clipped=-5.1 alone starts at 995; strength 0.5 is later.
    both = cls(process, strength=0.5, lambda_min_clipped=-5.1)
    assert both.first_timestep() == 500
    # A near-zero strength starts at t = 0: one step, the denoised input.
    assert cls(process, strength=1e-4).first_timestep() == 0
    assert make_solver("ddim", process, strength=0.25).first_timestep() == 250
    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="strength"):
            cls(process, strength=bad)


def test_noised_rows_start_near_their_class_rows():
    """NoisedRows draws alpha * x + temperature * sigma * noise for real
    points x of the class asked for, with replacement."""
    rows = [np.full((3, 2), -4.0, np.float32), np.array([[1.0, 2.0], [3.0, 4.0]])]
    start = NoisedRows(rows, alpha=0.5, sigma=0.1, temperature=2.0)
    g = torch.Generator().manual_seed(0)
    x = start.for_class(1)(4000, torch.device("cpu"), g)
    # Each point is a scaled real row plus noise of sd 0.2.
    centres = torch.tensor([[0.5, 1.0], [1.5, 2.0]])
    nearest = torch.cdist(x, centres).argmin(1)
    resid = x - centres[nearest]
    assert resid.std().item() == pytest.approx(0.2, rel=0.05)
    assert abs(nearest.float().mean().item() - 0.5) < 0.05  # both rows drawn
    x0 = start.for_class(0)(100, torch.device("cpu"), g)
    assert (x0 - (-2.0)).abs().max().item() < 1.5
    # A pipeline hands each class its own prior.
    pipe = DiffusionPipeline(
        denoiser=torch.nn.Linear(1, 1), solver=DDIMSolver(_process("cosine", 10)),
        prior=start, n_steps=1,
    )  # fmt: skip
    assert pipe.class_prior(0)(5, torch.device("cpu"), g).mean().item() < -1
    with pytest.raises(ValueError, match="no rows"):
        NoisedRows([np.zeros((0, 2))], 1.0, 0.0).for_class(0)


def test_set_timesteps_rejects_out_of_range():
    solver = DDIMSolver(_process("cosine", 100))
    for bad in (0, -1, 101):
        with pytest.raises(ValueError, match="n_steps"):
            solver.set_timesteps(bad)


@pytest.mark.parametrize("prediction", PREDICTIONS)
@pytest.mark.parametrize("eta", [0.0, 1.0])
@pytest.mark.parametrize("n_steps", [10, 50])
def test_oracle_model_recovers_x0(prediction, eta, n_steps):
    T = 1000
    process = _process("cosine", T, prediction)
    g = torch.Generator().manual_seed(6)
    x0 = torch.randn((16, 3), generator=g, dtype=torch.float64)
    x_T = torch.randn((16, 3), generator=g, dtype=torch.float64)
    solver = DDIMSolver(process, eta=eta)
    solver.set_timesteps(n_steps)
    seen_t = []

    def model_fn(x, t):
        seen_t.append(t)
        return _oracle_target(process, x0, x, t)

    out = run_solver(solver, model_fn, x_T, generator=g)
    _assert_close(out, x0, rtol=1e-8, atol=1e-8)
    assert seen_t == [int(t) for t in solver.timesteps]
    # Same in float32, with float32 tolerances.
    x0_32 = x0.float()
    out32 = run_solver(
        solver, lambda x, t: _oracle_target(process, x0_32, x, t), x_T.float(), g
    )
    assert out32.dtype == torch.float32
    _assert_close(out32, x0_32, rtol=1e-4, atol=1e-4)


def _numpy_ddim(x_T, ab, timesteps, model_fn):
    """Independent float64 DDIM (eta=0, epsilon prediction)."""
    x = np.asarray(x_T, dtype=np.float64)
    for i, t in enumerate(timesteps):
        a_t = ab[t]
        a_prev = ab[timesteps[i + 1]] if i + 1 < len(timesteps) else 1.0
        eps = model_fn(x, t)
        x0 = (x - np.sqrt(1 - a_t) * eps) / np.sqrt(a_t)
        x = np.sqrt(a_prev) * x0 + np.sqrt(1 - a_prev) * eps
    return x


def test_ddim_dummy_model_known_answer():
    T = 100
    process = _process("cosine", T, "epsilon")
    solver = DDIMSolver(process, eta=0.0)
    solver.set_timesteps(5)
    np.testing.assert_array_equal(solver.timesteps, [99, 74, 50, 25, 0])
    x_T = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.7]])

    def dummy(x, t):
        return 0.3 * x + t / 1000

    expected = _numpy_ddim(
        x_T, process.schedule.alphas_cumprod, [99, 74, 50, 25, 0], dummy
    )
    out = run_solver(solver, dummy, torch.as_tensor(x_T))
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)
    # Stored values (computed once): catch changes to the schedule or the update.
    np.testing.assert_allclose(
        out.numpy()[0],
        [329.8910979675725, -1049.6838600447868, 1709.4660559799318],
        rtol=1e-9,
    )
    out32 = run_solver(solver, dummy, torch.as_tensor(x_T, dtype=torch.float32))
    np.testing.assert_allclose(out32.numpy(), expected, rtol=1e-5)
    # eta=0 is deterministic and consumes no randomness.
    g = torch.Generator().manual_seed(0)
    state = g.get_state()
    again = run_solver(solver, dummy, torch.as_tensor(x_T), g)
    _assert_close(again, out, rtol=0, atol=0)
    assert torch.equal(g.get_state(), state)


def _ddpm_quantities(ab, betas, t):
    ab_prev = ab[t - 1] if t > 0 else 1.0
    beta_tilde = betas[t] * (1 - ab_prev) / (1 - ab[t])
    coef_x0 = np.sqrt(ab_prev) * betas[t] / (1 - ab[t])
    coef_xt = np.sqrt(1 - betas[t]) * (1 - ab_prev) / (1 - ab[t])
    return beta_tilde, coef_x0, coef_xt


@pytest.mark.parametrize("name", ["cosine", "linear"])
@pytest.mark.parametrize("t", [1, 50, 98, 99])
def test_ddpm_step_is_the_posterior(name, t):
    """DDIM with eta=1 on all T steps is ancestral DDPM: mean and variance."""
    T = 100
    process = _process(name, T, "epsilon")
    schedule = process.schedule
    ab, betas = schedule.alphas_cumprod, schedule.betas
    solver = DDPMSolver(process)
    assert solver.eta == 1.0
    index = T - 1 - t
    assert solver.timesteps[index] == t
    beta_tilde, coef_x0, coef_xt = _ddpm_quantities(ab, betas, t)

    n = 10_000
    gen = torch.Generator().manual_seed(t)
    x_t = torch.randn((n, 2), generator=gen, dtype=torch.float64)
    eps = torch.full((n, 2), 0.3, dtype=torch.float64)
    prev = solver.step(eps, index, x_t, torch.Generator().manual_seed(11))
    noise = torch.randn(
        (n, 2), generator=torch.Generator().manual_seed(11), dtype=torch.float64
    )
    x0 = (x_t - math.sqrt(1 - ab[t]) * eps) / math.sqrt(ab[t])
    mean = coef_x0 * x0 + coef_xt * x_t
    # Exact: the step is the posterior mean plus sqrt(beta_tilde) * fresh noise.
    _assert_close(prev, mean + math.sqrt(beta_tilde) * noise, rtol=1e-9, atol=1e-9)
    # Empirical: with the model output and x_t fixed, the step's variance.
    x_fixed = torch.full((n, 2), 0.7, dtype=torch.float64)
    outs = solver.step(eps, index, x_fixed, torch.Generator().manual_seed(12))
    assert outs.var().item() == pytest.approx(beta_tilde, rel=0.03)


def test_ddim_sigma_with_skipped_steps():
    """eta=1 with skipped steps: sigma^2 = (1-ab_prev)/(1-ab_t) (1 - ab_t/ab_prev)."""
    T = 1000
    process = _process("cosine", T, "epsilon")
    ab = process.schedule.alphas_cumprod
    solver = DDIMSolver(process, eta=1.0)
    solver.set_timesteps(10)
    index = 3
    t, t_prev = int(solver.timesteps[index]), int(solver.timesteps[index + 1])
    sigma2 = (1 - ab[t_prev]) / (1 - ab[t]) * (1 - ab[t] / ab[t_prev])
    n = 20_000
    x = torch.full((n, 2), 0.4, dtype=torch.float64)
    eps = torch.full((n, 2), -0.2, dtype=torch.float64)
    outs = solver.step(eps, index, x, torch.Generator().manual_seed(0))
    assert outs.var().item() == pytest.approx(sigma2, rel=0.03)
    # The mean follows the DDIM direction with the reduced noise share.
    x0 = (0.4 - math.sqrt(1 - ab[t]) * -0.2) / math.sqrt(ab[t])
    mean = math.sqrt(ab[t_prev]) * x0 + math.sqrt(1 - ab[t_prev] - sigma2) * -0.2
    assert outs.mean().item() == pytest.approx(mean, abs=5 * math.sqrt(sigma2 / n))


def test_last_step_is_deterministic_and_returns_x0():
    process = _process("cosine", 100, "epsilon")
    solver = DDPMSolver(process)
    x = torch.randn((8, 2), generator=torch.Generator().manual_seed(0))
    eps = torch.randn((8, 2), generator=torch.Generator().manual_seed(1))
    last = len(solver.timesteps) - 1
    a = solver.step(eps, last, x, torch.Generator().manual_seed(2))
    b = solver.step(eps, last, x, torch.Generator().manual_seed(3))
    _assert_close(a, b, rtol=0, atol=0)
    x0, _ = process.split_prediction(eps, x, torch.zeros(8, dtype=torch.long))
    # Scalar (float64) vs tensor (float32) coefficients: a few float32 ulps apart.
    _assert_close(a, x0, rtol=2e-6)


@pytest.mark.parametrize("prediction", PREDICTIONS)
def test_clip_sample_bounds_predicted_x0(prediction):
    T = 100
    process = _process("cosine", T, prediction)
    ab = process.schedule.alphas_cumprod
    huge = torch.full((4, 3), 1e6, dtype=torch.float64)
    x = torch.tensor([[0.1, -0.3, 0.5]] * 4, dtype=torch.float64)
    clipped = DDIMSolver(process, eta=0.0, clip_sample=1.0)
    clipped.set_timesteps(10)
    free = DDIMSolver(process, eta=0.0)
    free.set_timesteps(10)
    for index in (0, 4, len(clipped.timesteps) - 1):
        t = int(clipped.timesteps[index])
        out = _oracle_target(process, huge, x, t)
        t_prev = int(clipped.timesteps[index + 1]) if index + 1 < 10 else -1
        ab_prev = ab[t_prev] if t_prev >= 0 else 1.0
        # Predicted x0 clipped to 1, noise re-derived from it.
        eps = (x - math.sqrt(ab[t])) / math.sqrt(1 - ab[t])
        expected = math.sqrt(ab_prev) * 1.0 + math.sqrt(1 - ab_prev) * eps
        got = clipped.step(out, index, x)
        _assert_close(got, expected, rtol=1e-7, atol=1e-7)
        assert got.abs().max().item() < 50
        assert free.step(out, index, x).abs().max().item() > 1e3
    # After the last step the sample lies in [-clip, clip].
    assert got.abs().max().item() <= 1.0


def test_clip_sample_run_solver_bounded():
    process = _process("cosine", 100, "epsilon")
    solver = DDIMSolver(process, eta=1.0, clip_sample=2.0)
    solver.set_timesteps(20)
    g = torch.Generator().manual_seed(0)
    x_T = torch.randn((32, 4), generator=g)
    out = run_solver(solver, lambda x, t: -50.0 * torch.ones_like(x), x_T, g)
    assert torch.isfinite(out).all()
    assert out.abs().max().item() <= 2.0 + 1e-6


@pytest.mark.parametrize("prediction", PREDICTIONS)
def test_run_solver_reproducible_with_generator(prediction):
    process = _process("cosine", 100, prediction)
    solver = DDIMSolver(process, eta=1.0)
    solver.set_timesteps(10)
    x_T = torch.randn((16, 3), generator=torch.Generator().manual_seed(0))

    def model_fn(x, t):
        return 0.1 * x + t / 100

    a = run_solver(solver, model_fn, x_T, torch.Generator().manual_seed(1))
    b = run_solver(solver, model_fn, x_T, torch.Generator().manual_seed(1))
    c = run_solver(solver, model_fn, x_T, torch.Generator().manual_seed(2))
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    assert torch.isfinite(a).all()
    # x_T is not modified in place.
    fresh = torch.randn((16, 3), generator=torch.Generator().manual_seed(0))
    assert torch.equal(x_T, fresh)


# ---------------------------------------------------- DPM-Solver++ and runner
def _gaussian_oracle(process, mu, sd):
    """Exact network output for data ~ N(mu, sd^2): E[x0 | x_t] is linear in x_t."""

    def model_fn(x, t):
        a, s = process.alpha_sigma(t)
        x0 = mu + a * sd**2 / (a * a * sd**2 + s * s) * (x - a * mu)
        eps = (x - a * x0) / s
        return eps if process.prediction_type == "epsilon" else a * eps - s * x0

    return model_fn


def _ode_solution(process, x_T, mu, sd):
    """The probability-flow ODE maps x_T to a known affine function of it."""
    a, s = process.alpha_sigma(process.n_timesteps - 1)
    return mu + sd / math.sqrt(a * a * sd * sd + s * s) * (x_T - a * mu)


def test_ddim_closed_form_for_standard_normal_data():
    """For N(0, 1) data each DDIM step rotates by the angle between its two
    timesteps and keeps only the cosine: x_0 = prod(cos(dtheta)) * x_T."""
    process = _process("cosine", 1000, "v")
    solver = DDIMSolver(process)
    solver.set_timesteps(20)
    x_T = torch.linspace(-3, 3, 13, dtype=torch.float64)[:, None]
    out = run_solver(solver, _gaussian_oracle(process, 0.0, 1.0), x_T)
    theta = [
        math.atan2(*reversed(process.alpha_sigma(int(t)))) for t in solver.timesteps
    ]
    factor = np.prod(np.cos(np.diff([*theta, 0.0])))
    _assert_close(out, factor * x_T, rtol=1e-10)
    assert factor < 0.95  # 20 first-order steps visibly shrink the spread


@pytest.mark.parametrize("prediction", PREDICTIONS)
def test_dpm_solver_is_second_order_and_ddim_first_order(prediction):
    process = _process("cosine", 1000, prediction)
    mu, sd = 0.7, 0.3
    x_T = torch.linspace(-3, 3, 101, dtype=torch.float64)[:, None]
    exact = _ode_solution(process, x_T, mu, sd)
    errors = {}
    for name in ("ddim", "dpm++"):
        for n in (100, 200):
            solver = make_solver(name, process)
            solver.set_timesteps(n)
            out = run_solver(solver, _gaussian_oracle(process, mu, sd), x_T)
            errors[name, n] = float((out - exact).abs().max())
    ddim_ratio = errors["ddim", 100] / errors["ddim", 200]
    dpm_ratio = errors["dpm++", 100] / errors["dpm++", 200]
    assert 1.8 < ddim_ratio < 2.2  # halving the step halves the error
    assert dpm_ratio > 3.5  # ... and quarters it for the second-order solver
    assert errors["dpm++", 200] < 0.25 * errors["ddim", 200]


def test_dpm_solver_first_step_is_ddim_and_history_resets():
    process = _process("cosine", 100, "v")
    x = torch.randn((16, 3), generator=torch.Generator().manual_seed(0))
    out = torch.randn((16, 3), generator=torch.Generator().manual_seed(1))
    ddim, dpm = DDIMSolver(process), DPMSolverPP(process)
    for solver in (ddim, dpm):
        solver.set_timesteps(10)
    _assert_close(dpm.step(out, 0, x), ddim.step(out, 0, x), rtol=1e-5, atol=1e-6)
    dpm.step(out, 1, x)  # leaves history behind
    # A new run (index 0) must not extrapolate from the previous run's history.
    _assert_close(dpm.step(out, 0, x), ddim.step(out, 0, x), rtol=1e-5, atol=1e-6)
    # The last step returns the predicted x_0, like DDIM's.
    last = len(dpm.timesteps) - 1
    _assert_close(dpm.step(out, last, x), ddim.step(out, last, x), rtol=1e-6)


def test_make_solver_rejects_bad_names_and_stochastic_dpm():
    process = _process("cosine", 100)
    assert isinstance(make_solver("dpm++", process), DPMSolverPP)
    with pytest.raises(ValueError, match="eta"):
        make_solver("dpm++", process, eta=0.5)
    with pytest.raises(ValueError, match="solver must be one of"):
        make_solver("euler", process)


def test_alpha_sigma_matches_schedule_and_clean_end():
    process = _process("cosine", 50)
    ab = process.schedule.alphas_cumprod
    for t in (0, 17, 49):
        a, s = process.alpha_sigma(t)
        assert a == pytest.approx(math.sqrt(ab[t]), rel=1e-15)
        assert s == pytest.approx(math.sqrt(1 - ab[t]), rel=1e-15)
    assert process.alpha_sigma(-1) == (1.0, 0.0)


@pytest.mark.parametrize("guidance", [0.0, 1.5])
@torch.inference_mode()
def test_conditional_model_fn_matches_per_row_forward(guidance):
    torch.manual_seed(0)
    net = MLPDenoiser(5, n_classes=3, width=32, depth=2).eval()
    timesteps = [99, 50, 0]
    fn = conditional_model_fn(net, 2, timesteps, guidance_scale=guidance)
    x = torch.randn(7, 5)
    for t in timesteps:
        t_vec = torch.full((7,), t)
        expected = net(x, t_vec, torch.full((7,), 2))
        if guidance:
            uncond = net(x, t_vec, torch.full((7,), net.null_class))
            expected = (1 + guidance) * expected - guidance * uncond
        _assert_close(fn(x, t), expected.detach(), rtol=1e-5, atol=1e-6)


@torch.inference_mode()
def test_bf16_model_fn_is_close_to_fp32_and_returns_fp32():
    torch.manual_seed(0)
    net = MLPDenoiser(4, n_classes=2, width=32, depth=2).eval()
    x = torch.randn(64, 4)
    fp32 = conditional_model_fn(net, 1, [10])(x, 10)
    bf16 = conditional_model_fn(net, 1, [10], precision="bf16")(x, 10)
    assert bf16.dtype == torch.float32
    assert not torch.equal(bf16, fp32)  # it did run in bf16
    assert float((bf16 - fp32).abs().max()) < 0.05 * float(fp32.abs().max())


def test_native_bf16_follows_the_cpu_probes(monkeypatch):
    cpu = torch.device("cpu")

    # raising=False: torch 2.2 (the floor) may lack the probes.
    def probe(name, value):
        monkeypatch.setattr(torch.cpu, name, lambda: value, raising=False)

    probe("_is_avx512_bf16_supported", False)
    probe("_is_amx_tile_supported", False)
    assert not native_bf16(cpu) and resolve_precision("auto", cpu) == "fp32"
    probe("_is_amx_tile_supported", True)
    assert native_bf16(cpu) and resolve_precision("auto", cpu) == "bf16"
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")
    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported")
    assert not native_bf16(cpu)  # a torch without the probes: fp32
    assert native_bf16(torch.device("cuda"))


def test_resolve_precision_and_tf32_context_restores_global_setting():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert resolve_precision("auto", cpu) == ("bf16" if native_bf16(cpu) else "fp32")
    assert resolve_precision("auto", torch.device("meta")) == "fp32"
    assert resolve_precision("auto", cuda) == "bf16"
    assert resolve_precision("tf32", cpu) == "fp32"
    assert resolve_precision("tf32", cuda) == "tf32"
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("fp16", cpu)
    before = torch.get_float32_matmul_precision()
    with matmul_precision("tf32"):
        assert torch.get_float32_matmul_precision() == "high"
    assert torch.get_float32_matmul_precision() == before
