"""Over-samplers with imbalanced-learn's ``fit_resample`` interface."""

from .ctgan import CTGANOverSampler
from .ddpm import DDPMOverSampler
from .ldm import LDMOverSampler
from .smote import SMOTEOverSampler

__all__ = ["CTGANOverSampler", "DDPMOverSampler", "LDMOverSampler", "SMOTEOverSampler"]
