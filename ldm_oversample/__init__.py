"""ldm_oversample: latent-diffusion over-sampling for imbalanced tabular data."""

from ._version import __version__
from .over_sampling import (
    CTGANOverSampler,
    DDPMOverSampler,
    LDMOverSampler,
    SMOTEOverSampler,
)
from .persistence import load
from .tabular import TabularEncoder

__all__ = [
    "CTGANOverSampler",
    "DDPMOverSampler",
    "LDMOverSampler",
    "SMOTEOverSampler",
    "TabularEncoder",
    "__version__",
    "load",
]
