"""ldm_oversample: latent-diffusion over-sampling for imbalanced tabular data."""

from ._version import __version__
from .combine import CleanedOverSampler
from .over_sampling import (
    CTGANOverSampler,
    DDPMOverSampler,
    LDMOverSampler,
    SMOTEOverSampler,
)
from .persistence import load
from .tabular import TabularEncoder
from .weighting import SyntheticWeightClassifier

__all__ = [
    "CTGANOverSampler",
    "CleanedOverSampler",
    "DDPMOverSampler",
    "LDMOverSampler",
    "SMOTEOverSampler",
    "SyntheticWeightClassifier",
    "TabularEncoder",
    "__version__",
    "load",
]
