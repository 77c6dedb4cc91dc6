"""Over-samplers with imbalanced-learn's ``fit_resample`` interface."""

from .ldm import LDMOverSampler

__all__ = ["LDMOverSampler"]
