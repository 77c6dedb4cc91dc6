"""ldm_oversample: latent-diffusion over-sampling for imbalanced tabular data."""

from ._version import __version__
from .over_sampling import DDPMOverSampler, LDMOverSampler
from .tabular import TabularEncoder

__all__ = ["DDPMOverSampler", "LDMOverSampler", "TabularEncoder", "__version__"]
