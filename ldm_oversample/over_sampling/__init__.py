"""Over-samplers with imbalanced-learn's ``fit_resample`` interface."""

from .ddpm import DDPMOverSampler
from .ldm import LDMOverSampler

__all__ = ["DDPMOverSampler", "LDMOverSampler"]
