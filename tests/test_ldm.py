"""LDMOverSampler-specific behaviour (the shared contract is in test_samplers.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ldm_oversample import LDMOverSampler

from .conftest import FAST_LDM


def fast(**kwargs):
    return LDMOverSampler(**{**FAST_LDM, "random_state": 0, **kwargs})


def test_multiclass_uses_one_conditional_model(multiclass):
    X, y = multiclass
    sampler = fast().fit(X, y)
    assert sampler.denoiser_.n_classes == 3
    assert sampler.denoiser_.class_embed.num_embeddings == 4  # 3 classes + null
    np.testing.assert_array_equal(sampler.classes_, [0, 1, 2])


def test_fit_trains_the_generator(mixed_data):
    X, y = mixed_data
    sampler = fast(max_epochs=3, patience=None).fit(X, y)
    # distill_steps="auto": a one-step student of the deterministic teacher.
    assert set(sampler.history_) == {"autoencoder", "diffusion", "distillation"}
    assert sampler.distilled_steps_ == 1
    assert np.isfinite(sampler.history_["distillation"]).all()
    assert len(sampler.history_["autoencoder"]) == 3
    assert len(sampler.history_["diffusion"]) == 3
    assert all(np.isfinite(v) for v in sampler.history_["diffusion"])
    fitted = [k for k in vars(sampler) if k.endswith("_") and not k.startswith("_")]
    params = set(sampler.get_params())
    assert not [k for k in vars(sampler) if k not in params and not k.endswith("_")]
    assert {"encoder_", "autoencoder_", "denoiser_", "history_", "device_"} <= set(
        fitted
    )


def test_device_auto_prefers_cuda(monkeypatch):
    from ldm_oversample.utils import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto").type == "cuda"


# ------------------------------------------------------------ guidance
def test_guidance_requires_an_unconditional_model(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="cond_dropout"):
        fast(guidance_scale=1.0, cond_dropout=0.0).fit(X, y)


def test_classifier_free_guidance_changes_samples(multiclass):
    X, y = multiclass
    plain = fast(cond_dropout=0.2).fit(X, y)
    guided = fast(cond_dropout=0.2).fit(X, y).set_params(guidance_scale=2.0)
    a, b = plain.sample(30, 2), guided.sample(30, 2)
    assert a.shape == b.shape == (30, X.shape[1])
    assert not np.allclose(a, b)
    assert np.isfinite(b).all()


# ------------------------------------------------------------ fast sampling
def test_solver_is_a_sampling_time_setting(multiclass):
    X, y = multiclass
    sampler = fast(n_timesteps=50, n_sampling_steps=10, solver="ddim").fit(X, y)
    ddim = sampler.sample(40, 2)
    dpm = sampler.set_params(solver="dpm++").sample(40, 2)
    assert dpm.shape == ddim.shape
    assert np.isfinite(dpm).all()
    assert not np.allclose(dpm, ddim)  # a different integrator of the same ODE
    assert np.array_equal(dpm, sampler.sample(40, 2))  # and deterministic


def test_dpm_solver_refuses_eta_before_training(multiclass, monkeypatch):
    X, y = multiclass
    trained = []
    monkeypatch.setattr(
        LDMOverSampler, "_train", lambda self, *a, **k: trained.append(1)
    )
    with pytest.raises(ValueError, match="eta"):
        fast(solver="dpm++", eta=0.5).fit(X, y)
    assert not trained


def test_bf16_precision_samples_on_cpu(multiclass):
    X, y = multiclass
    sampler = fast().fit(X, y)
    fp32 = sampler.set_params(precision="fp32").sample(200, 2)
    bf16 = sampler.set_params(precision="bf16").sample(200, 2)
    assert np.isfinite(bf16).all()
    assert not np.array_equal(fp32, bf16)
    # Same model, rounding differences only: the samples stay close.
    assert np.abs(bf16.mean(0) - fp32.mean(0)).max() < 0.25 * fp32.std(0).max()


def test_max_steps_caps_training(multiclass):
    X, y = multiclass
    sampler = fast(max_epochs=50, patience=None, batch_size=32, max_steps=7).fit(X, y)
    # 7 steps of 32 rows: fewer than one epoch of the training rows per network.
    assert len(sampler.history_["autoencoder"]) == 1
    assert len(sampler.history_["diffusion"]) == 1


@pytest.mark.parametrize("distill_steps, steps", [(None, 5), ("auto", 1)])
def test_conditioning_is_computed_once_per_step(
    multiclass, monkeypatch, distill_steps, steps
):
    """The timestep MLP runs on one row per step, not on every generated row."""
    X, y = multiclass
    sampler = fast(n_sampling_steps=5, distill_steps=distill_steps).fit(X, y)
    rows_seen = []
    original = type(sampler.denoiser_.time_embed).forward

    def spy(self, t):
        rows_seen.append(len(t))
        return original(self, t)

    monkeypatch.setattr(type(sampler.denoiser_.time_embed), "forward", spy)
    sampler.sample(300, 2)
    # One batch: the teacher's 5 sampling timesteps, or the student's one.
    assert rows_seen == [steps]
