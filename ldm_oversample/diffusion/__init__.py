"""The diffusion engine shared by the latent and the data-space samplers."""

from .mixed import MixedDiffusion, MixedSolver
from .multinomial import MultinomialDiffusion
from .process import GaussianDiffusion
from .schedules import NoiseSchedule, cosine_betas, linear_betas, make_schedule
from .solvers import DDIMSolver, DDPMSolver, run_solver

__all__ = [
    "DDIMSolver",
    "DDPMSolver",
    "GaussianDiffusion",
    "MixedDiffusion",
    "MixedSolver",
    "MultinomialDiffusion",
    "NoiseSchedule",
    "cosine_betas",
    "linear_betas",
    "make_schedule",
    "run_solver",
]
