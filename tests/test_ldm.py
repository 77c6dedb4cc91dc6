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
    assert set(sampler.history_) == {"autoencoder", "diffusion"}
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
