"""DDPMOverSampler's own behaviour: data-space diffusion in the TabDDPM style.

The imblearn contract shared by every sampler is tested in ``test_samplers.py``
and the estimator checks in ``test_common.py``; the Gaussian and multinomial
math in ``test_diffusion.py`` and ``test_multinomial.py``.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
import torch

from ldm_oversample import DDPMOverSampler
from ldm_oversample.diffusion import MixedDiffusion
from ldm_oversample.nn import MLPDenoiser

from .conftest import make_fast


def test_defaults_follow_tabddpm():
    defaults = {
        name: p.default
        for name, p in inspect.signature(DDPMOverSampler).parameters.items()
    }
    assert defaults["n_timesteps"] == 1000
    assert defaults["n_sampling_steps"] == 1000  # every step, as TabDDPM samples
    assert defaults["noise_schedule"] == "cosine"
    assert defaults["prediction_type"] == "epsilon"
    assert defaults["eta"] == 1.0  # ancestral DDPM steps


def test_diffuses_the_encoded_row_without_an_autoencoder(mixed_data):
    X, y = mixed_data
    sampler = make_fast("DDPMOverSampler").fit(X, y)
    assert not hasattr(sampler, "autoencoder_")
    enc = sampler.encoder_
    assert isinstance(sampler.diffusion_, MixedDiffusion)
    # Gaussian part: one quantile-normal value per numeric column; multinomial
    # part: the one-hot blocks of the categorical columns.
    assert sampler.diffusion_.n_numeric == len(enc.numeric_spans) == 3
    n_num = sampler.diffusion_.n_numeric
    assert sampler.diffusion_.multinomial.slices == [
        (s.start - n_num, s.stop - n_num) for s in enc.categorical_spans
    ]
    first = next(
        m for m in sampler.denoiser_.modules() if isinstance(m, torch.nn.Linear)
    )
    assert first.in_features >= enc.n_encoded_
    out = sampler.denoiser_(
        torch.zeros((2, enc.n_encoded_)),
        torch.zeros(2, dtype=torch.long),
        torch.zeros(2, dtype=torch.long),
    )
    assert out.shape == (2, enc.n_encoded_)


def test_same_denoiser_as_the_ldm_at_equal_settings(mixed_data):
    """The A/B behind the speed claim: only the space (width in, out) differs."""
    X, y = mixed_data
    shared = dict(denoiser_width=32, denoiser_depth=2, n_sampling_steps=5)
    ddpm = make_fast("DDPMOverSampler", **shared).fit(X, y)
    ldm = make_fast("LDMOverSampler", **shared).fit(X, y)
    assert type(ddpm.denoiser_) is type(ldm.denoiser_) is MLPDenoiser

    def hidden_shapes(net):
        linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
        return [tuple(m.weight.shape) for m in linears if m.out_features == 32]

    assert hidden_shapes(ddpm.denoiser_) and hidden_shapes(ldm.denoiser_)
    # Equal hidden layers; the inputs differ only by the data vs latent width.
    assert hidden_shapes(ddpm.denoiser_)[1:] == hidden_shapes(ldm.denoiser_)[1:]


def test_n_sampling_steps_is_the_number_of_network_calls(multiclass, monkeypatch):
    X, y = multiclass
    sampler = make_fast("DDPMOverSampler", n_timesteps=20, n_sampling_steps=5)
    sampler.fit(X, y)
    calls = []
    forward = MLPDenoiser.forward_conditioned

    def spy(self, *args, **kwargs):
        calls.append(1)
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(MLPDenoiser, "forward_conditioned", spy)
    sampler.sample(10, class_label=2)
    assert len(calls) == 5
    # Read at generation time: no refit needed to trade steps for speed.
    calls.clear()
    sampler.set_params(n_sampling_steps=20).sample(10, class_label=2)
    assert len(calls) == 20


def test_rejects_more_sampling_steps_than_timesteps(multiclass):
    X, y = multiclass
    with pytest.raises(ValueError, match="n_sampling_steps"):
        make_fast("DDPMOverSampler", n_timesteps=10, n_sampling_steps=11).fit(X, y)


def test_learns_class_conditional_numerics_and_categories():
    """Class 'a' rows are negative with proto 'x'; class 'b' positive with 'y'."""
    rng = np.random.default_rng(0)
    n = 300
    y = np.where(np.arange(n) < 100, "a", "b")
    sign = np.where(y == "a", -1.0, 1.0)
    X = pd.DataFrame(
        {
            "v1": sign * 2 + rng.normal(0, 0.3, n),
            "v2": sign * 1 + rng.normal(0, 0.3, n),
            "proto": pd.Categorical(np.where(y == "a", "x", "y")),
        }
    )
    sampler = DDPMOverSampler(
        denoiser_width=64,
        denoiser_depth=2,
        n_timesteps=100,
        n_sampling_steps=100,
        max_epochs=150,
        batch_size=64,
        random_state=0,
    ).fit(X, y)
    for label, want_sign, want_proto in [("a", -1, "x"), ("b", 1, "y")]:
        rows = sampler.sample(200, class_label=label)
        assert list(rows.columns) == ["v1", "v2", "proto"]
        assert set(rows["proto"].cat.categories) == {"x", "y"}
        assert (rows["proto"] == want_proto).mean() > 0.9
        # An unconditional model would give about 1/3 or 2/3 here.
        assert (np.sign(rows["v1"]) == want_sign).mean() > 0.85
        assert abs(rows["v1"].mean() - 2 * want_sign) < 0.6


def _tv(values: pd.Series, probs: dict) -> float:
    """Total variation between the share of each value and ``probs``."""
    share = values.astype(str).value_counts(normalize=True)
    return 0.5 * sum(abs(share.get(k, 0.0) - p) for k, p in probs.items())


def test_minority_categories_follow_their_class():
    """The multinomial KL carries TabDDPM's x T weight: without it the
    categorical part of the loss is ~T times lighter than the MSE and the
    minority's categories drift to the majority's (TV ~0.4 here, 0.03 with)."""
    rng = np.random.default_rng(0)
    parts = []
    for label, n, proto, flag, mu in [
        (0, 600, [0.7, 0.2, 0.1], 0.1, 0.0),
        (1, 200, [0.1, 0.3, 0.6], 0.7, 1.5),
    ]:
        parts.append(
            pd.DataFrame(
                {
                    "x": rng.normal(mu, 1, n),
                    "proto": pd.Categorical(
                        rng.choice(["tcp", "udp", "icmp"], n, p=proto)
                    ),
                    "flag": pd.Categorical(np.where(rng.random(n) < flag, "on", "off")),
                    "y": label,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    sampler = DDPMOverSampler(
        denoiser_width=64, n_timesteps=100, n_sampling_steps=50, max_epochs=40,
        random_state=0,
    )  # fmt: skip
    sampler.fit(frame.drop(columns="y"), frame["y"])
    rows = sampler.sample(3000, class_label=1)
    # The majority is 0.6 away on both columns; sampling noise of 200 real
    # rows is about 0.05.
    assert _tv(rows["proto"], {"tcp": 0.1, "udp": 0.3, "icmp": 0.6}) < 0.12
    assert _tv(rows["flag"], {"on": 0.7, "off": 0.3}) < 0.12
