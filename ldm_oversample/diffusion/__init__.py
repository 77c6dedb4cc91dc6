"""The diffusion engine shared by the latent and the data-space samplers."""

from .mixed import MixedDiffusion, MixedSolver
from .multinomial import MultinomialDiffusion
from .process import GaussianDiffusion
from .schedules import NoiseSchedule, cosine_betas, linear_betas, make_schedule
from .solvers import (
    DDIMSolver,
    DDPMSolver,
    DPMSolverPP,
    make_solver,
    run_solver,
)

__all__ = [
    "DDIMSolver",
    "DDPMSolver",
    "DPMSolverPP",
    "GaussianDiffusion",
    "MixedDiffusion",
    "MixedSolver",
    "MultinomialDiffusion",
    "NoiseSchedule",
    "cosine_betas",
    "linear_betas",
    "make_schedule",
    "make_solver",
    "run_solver",
]
