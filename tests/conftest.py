"""Shared fixtures and fast settings for the test suite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

#: Tiny settings: the tests check semantics, not sample quality.
#: The diffusion part is shared by the LDM and data-space diffusion.
FAST_DIFFUSION = dict(
    denoiser_width=16,
    denoiser_depth=1,
    n_timesteps=20,
    n_sampling_steps=5,
    max_epochs=2,
    batch_size=64,
)
FAST_LDM = dict(latent_dim=4, ae_hidden_dims=(16,), **FAST_DIFFUSION)

#: Tiny settings per sampler class, used by the shared contract tests.
FAST = {
    "LDMOverSampler": FAST_LDM,
    "DDPMOverSampler": FAST_DIFFUSION,
    "CTGANOverSampler": dict(
        embedding_dim=8,
        generator_dims=(16,),
        discriminator_dims=(16,),
        pac=2,
        max_modes=3,
        max_epochs=2,
        batch_size=32,
    ),
}


#: The neural samplers (they have device, max_epochs, batch_size and verbose).
TORCH_SAMPLERS = sorted(FAST)
FAST["SMOTEOverSampler"] = {}


def make_fast(name: str, **kwargs):
    """A sampler of class ``name`` with tiny settings and ``random_state=0``."""
    import ldm_oversample

    return getattr(ldm_oversample, name)(**{**FAST[name], "random_state": 0, **kwargs})


DATA_PATH = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "ciciot2023_sample.csv.gz"
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the shared CICIoT2023 sample.

    Its absence fails the test (CI provides the file); a checkout without
    ``../shared`` deselects these tests with ``-m "not slow"``.
    """
    if not DATA_PATH.exists():
        pytest.fail(
            f"CICIoT2023 sample not found at {DATA_PATH}; run with -m 'not slow' "
            "to leave out the tests that read it."
        )
    return DATA_PATH


def make_mixed_frame(n: int = 120, seed: int = 0, minority: float = 0.2):
    """A small imbalanced DataFrame with every supported dtype, and its target."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < minority, "attack", "benign")
    y[:4] = ["attack", "attack", "benign", "benign"]
    frame = pd.DataFrame(
        {
            "rate": rng.lognormal(3, 1, n),
            "size": rng.integers(40, 1500, n),
            "ratio32": rng.random(n).astype(np.float32),
            "proto": pd.Categorical(rng.choice(["tcp", "udp", "icmp"], n)),
            "service": rng.choice(["http", "dns", "ssh"], n).astype(object),
            "syn": rng.random(n) < 0.3,
        }
    )
    return frame, pd.Series(y, name="label")


@pytest.fixture
def mixed_data():
    return make_mixed_frame()


@pytest.fixture(scope="session")
def multiclass():
    """Three numeric classes of 60%, 30% and 10% (240 rows)."""
    X, y = make_classification(
        n_samples=240,
        n_features=6,
        n_informative=4,
        n_classes=3,
        weights=[0.6, 0.3, 0.1],
        random_state=0,
    )
    return X, y
