"""Distilling the LDM's denoiser into a few-step student (``distill_steps``)."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

import ldm_oversample
from ldm_oversample.diffusion import (
    GaussianDiffusion,
    distill,
    make_schedule,
    make_solver,
)
from ldm_oversample.diffusion.distill import (
    StraightPathLoss,
    distillation_pairs,
    student_timesteps,
)
from ldm_oversample.diffusion.solvers import run_solver

from .conftest import make_fast, make_mixed_frame


@pytest.fixture(autouse=True)
def small_distillation(monkeypatch):
    # Enough to learn a tiny teacher's map; the defaults take seconds.
    monkeypatch.setattr(distill, "PAIRS_PER_CLASS", 512)
    monkeypatch.setattr(distill, "TRAINING_STEPS", 150)
    monkeypatch.setattr(distill, "BATCH_SIZE", 256)


def oracle(process, x_T, x_0, timesteps):
    """The network output that predicts ``x_0`` exactly on the straight path."""
    alpha, sigma = process.alpha_sigma(int(timesteps[0]))
    eps = (x_T - alpha * x_0) / sigma

    def model(x_t, t, labels=None):
        t = torch.as_tensor(t).expand(len(x_t))
        return process.target(x_0, eps, t)

    return model


@pytest.mark.parametrize("prediction_type", ["v", "epsilon"])
@pytest.mark.parametrize("n_steps", [1, 2, 5])
def test_ddim_with_the_exact_x0_reproduces_the_pair_in_k_steps(
    prediction_type, n_steps
):
    # The known answer the method rests on: on the straight path DDIM infers
    # the same noise at every step, so k steps land on the teacher's row.
    process = GaussianDiffusion(make_schedule("cosine", 1000), prediction_type)
    g = torch.Generator().manual_seed(0)
    x_T, x_0 = torch.randn(64, 3, generator=g), torch.randn(64, 3, generator=g)
    ts = student_timesteps(process, n_steps)
    assert len(ts) == n_steps and ts[0] == 999 and (n_steps == 1 or ts[-1] == 0)
    model = oracle(process, x_T.double(), x_0.double(), ts)
    solver = make_solver("ddim", process, eta=0.0)
    solver.set_timesteps(n_steps)
    out = run_solver(solver, lambda x, t: model(x, t), x_T.double())
    torch.testing.assert_close(out, x_0.double(), rtol=1e-6, atol=1e-6)
    loss = StraightPathLoss(process, ts)(model, x_T.double(), x_0.double(), None, g)
    assert float(loss) < 1e-12
    # A wrong x_0 is penalised.
    assert float(StraightPathLoss(process, ts)(model, x_T, x_0 + 1, None, g)) > 0.1


def test_pairs_are_balanced_and_come_from_the_teacher():
    calls = []

    def teacher(c):
        def run(x_T, generator):
            calls.append(c)
            return x_T * 0 + c

        return run

    def prior(n, device, generator):
        return torch.randn((n, 2), generator=generator)

    x_T, x_0, labels = distillation_pairs(
        lambda c: prior,
        teacher,
        3,
        10,
        torch.device("cpu"),
        torch.Generator().manual_seed(0),
    )
    assert calls == [0, 1, 2]
    assert x_T.shape == x_0.shape == (30, 2)
    np.testing.assert_array_equal(labels.numpy(), np.repeat([0, 1, 2], 10))
    np.testing.assert_array_equal(x_0[:, 0].numpy(), labels.numpy())


@pytest.fixture(scope="module")
def data():
    return make_mixed_frame(n=240)


def test_the_student_learns_the_teachers_map_and_leaves_the_teacher_alone(data):
    X, y = data
    plain = make_fast("LDMOverSampler", max_epochs=20, distill_steps=None).fit(X, y)
    sampler = make_fast("LDMOverSampler", max_epochs=20, distill_steps=1).fit(X, y)
    assert sampler.distilled_steps_ == 1 and sampler.student_ is not None
    assert "distillation" in sampler.history_
    assert sampler.history_["distillation"][-1] < sampler.history_["distillation"][0]
    # The teacher is the plain fit's: distillation draws from its own seed.
    sampler.set_params(distill_steps=None)
    pd.testing.assert_frame_equal(
        sampler.sample(50, "attack", random_state=1),
        plain.sample(50, "attack", random_state=1),
    )
    # From the same starting points the student lands near the teacher's
    # latents, far nearer than the teacher's latents from other points.
    sampler.set_params(distill_steps=1)
    g = torch.Generator().manual_seed(0)
    x_T = sampler.noise_temperature * torch.randn(400, sampler.latent_dim, generator=g)
    teacher = plain._latent_pipeline(
        torch.device("cpu"), plain.denoiser_, plain.diffusion_
    )
    student = sampler._pipeline(torch.device("cpu"))
    assert student.denoiser is sampler.student_ and student.n_steps == 1
    k = int(np.searchsorted(sampler.classes_, "attack"))
    z_teacher = teacher.solve(k, torch.device("cpu"))(x_T, g)
    z_student = student.solve(k, torch.device("cpu"))(x_T, g)
    near = float(((z_student - z_teacher) ** 2).mean())
    apart = float(((z_teacher - z_teacher.roll(1, 0)) ** 2).mean())
    assert near < 0.2 * apart


def test_sampling_calls_the_student_once_per_step(data, monkeypatch):
    X, y = data
    sampler = make_fast("LDMOverSampler", distill_steps=2).fit(X, y)
    calls = []
    forward = type(sampler.student_).forward_conditioned

    def counted(self, x, cond):
        calls.append(self is sampler.student_)
        return forward(self, x, cond)

    monkeypatch.setattr(type(sampler.student_), "forward_conditioned", counted)
    rows = sampler.sample(30, "attack", random_state=0)
    assert calls == [True, True]  # one chunk, two steps, the student only
    assert list(rows.dtypes) == list(X.dtypes)


def test_distill_steps_is_checked_and_a_changed_value_is_refused(data):
    X, y = data
    with pytest.raises(InvalidParameterError, match="distill_steps"):
        make_fast("LDMOverSampler", distill_steps=0).fit(X, y)
    with pytest.raises(ValueError, match="exceeds n_timesteps=20"):
        make_fast("LDMOverSampler", distill_steps=50).fit(X, y)  # T = 20
    sampler = make_fast("LDMOverSampler", distill_steps=1).fit(X, y)
    sampler.set_params(distill_steps=3)
    with pytest.raises(ValueError, match="distilled for 1 steps"):
        sampler.sample(5, "attack")


@pytest.mark.parametrize("distill_steps", [1, "auto"])
def test_the_student_is_saved_with_the_model(data, tmp_path, distill_steps):
    X, y = data
    sampler = make_fast("LDMOverSampler", distill_steps=distill_steps).fit(X, y)
    loaded = ldm_oversample.load(sampler.save(tmp_path / "model.ldm"))
    assert loaded.distilled_steps_ == 1
    # "auto" needs the settings the student learnt at to keep sampling with it.
    assert loaded.distilled_from_ == sampler.distilled_from_
    assert loaded._student() is not None
    pd.testing.assert_frame_equal(
        loaded.sample(40, "attack", random_state=2),
        sampler.sample(40, "attack", random_state=2),
    )


def test_auto_distils_a_deterministic_teacher_only(data):
    X, y = data
    sampler = make_fast("LDMOverSampler").fit(X, y)
    assert sampler.distill_steps == "auto" and sampler.distilled_steps_ == 1
    assert sampler.distilled_from_ == {
        "solver": "dpm++", "n_sampling_steps": 5, "eta": 0.0,
        "noise_temperature": 1.2, "guidance_scale": 0.0,
        "lambda_min_clipped": None, "precision": "auto",
    }  # fmt: skip
    assert sampler._pipeline(torch.device("cpu")).denoiser is sampler.student_
    # A stochastic teacher has no map to learn: no student, the teacher samples.
    stochastic = make_fast("LDMOverSampler", solver="ddim", eta=1.0).fit(X, y)
    assert stochastic.student_ is None and "distillation" not in stochastic.history_
    teacher = make_fast("LDMOverSampler", solver="ddim", eta=1.0, distill_steps=None)
    pd.testing.assert_frame_equal(
        stochastic.sample(40, "attack", random_state=3),
        teacher.fit(X, y).sample(40, "attack", random_state=3),
    )


def test_auto_samples_with_the_teacher_at_settings_the_student_did_not_learn(data):
    X, y = data
    sampler = make_fast("LDMOverSampler").fit(X, y)
    teacher = make_fast("LDMOverSampler", distill_steps=None).fit(X, y)
    student_rows = sampler.sample(40, "attack", random_state=4)
    for params in ({"n_sampling_steps": 3}, {"noise_temperature": 0.8}):
        sampler.set_params(**params)
        teacher.set_params(**params)
        assert sampler._pipeline(torch.device("cpu")).denoiser is sampler.denoiser_
        pd.testing.assert_frame_equal(
            sampler.sample(40, "attack", random_state=4),
            teacher.sample(40, "attack", random_state=4),
        )
        defaults = make_fast("LDMOverSampler").get_params()
        sampler.set_params(**defaults)
        teacher.set_params(**{**defaults, "distill_steps": None})
    # Back at the fitted settings the student samples again; the precision is
    # not a teacher setting, so changing it keeps the student.
    pd.testing.assert_frame_equal(
        sampler.sample(40, "attack", random_state=4), student_rows
    )
    sampler.set_params(precision="fp32")
    assert sampler._pipeline(torch.device("cpu")).denoiser is sampler.student_
    # An integer keeps the student whatever the settings (it was asked for).
    sampler.set_params(precision="auto", distill_steps=1, n_sampling_steps=3)
    assert sampler._pipeline(torch.device("cpu")).denoiser is sampler.student_


def test_a_refreshed_student_is_the_one_a_fit_at_the_new_settings_distils(data):
    X, y = data
    sampler = make_fast("LDMOverSampler").fit(X, y)
    before = sampler.student_
    sampler._refresh_student()
    assert sampler.student_ is before  # nothing changed: nothing distilled
    sampler.set_params(n_sampling_steps=3)
    sampler._refresh_student()
    assert sampler.student_ is not before
    assert sampler.distilled_from_["n_sampling_steps"] == 3
    refit = make_fast("LDMOverSampler", n_sampling_steps=3).fit(X, y)
    for ours, theirs in zip(
        sampler.student_.parameters(), refit.student_.parameters(), strict=True
    ):
        torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    assert sampler.history_["distillation"] == refit.history_["distillation"]
    # A stochastic setting drops the student, as its fit would.
    sampler.set_params(solver="ddim", eta=1.0)
    sampler._refresh_student()
    assert sampler.student_ is None and "distillation" not in sampler.history_
