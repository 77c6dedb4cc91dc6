"""The diffusion engine shared by the latent and the data-space samplers."""

from .process import GaussianDiffusion
from .schedules import NoiseSchedule, cosine_betas, linear_betas, make_schedule
from .solvers import DDIMSolver, DDPMSolver, run_solver

__all__ = [
    "DDIMSolver",
    "DDPMSolver",
    "GaussianDiffusion",
    "NoiseSchedule",
    "cosine_betas",
    "linear_betas",
    "make_schedule",
    "run_solver",
]
