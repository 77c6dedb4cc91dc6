"""Reverse-process solvers with a ``set_timesteps(n)`` / ``step(...)`` contract.

Swapping one solver for another never touches the network: a solver turns a
network output at one timestep into the sample at the next (earlier) timestep.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from .process import GaussianDiffusion

__all__ = ["DDIMSolver", "DDPMSolver", "run_solver"]


class DDIMSolver:
    """DDIM (Song et al. 2021) with stochasticity ``eta``.

    ``eta=0`` is the deterministic DDIM ODE solver; ``eta=1`` on all ``T`` steps
    is exactly ancestral DDPM sampling with the posterior variance
    ``beta_tilde_t``.

    Parameters
    ----------
    process : GaussianDiffusion
        The forward process (schedule and prediction type).
    eta : float, default=0.0
        Scale of the fresh noise added at each step.
    clip_sample : float or None, default=None
        If set, the predicted ``x_0`` is clipped to ``[-clip_sample, clip_sample]``.
    """

    def __init__(
        self,
        process: GaussianDiffusion,
        eta: float = 0.0,
        clip_sample: float | None = None,
    ):
        self.process = process
        self.eta = float(eta)
        self.clip_sample = clip_sample
        self.timesteps = np.arange(process.n_timesteps)[::-1].copy()

    def set_timesteps(self, n_steps: int) -> None:
        """Choose ``n_steps`` evenly spaced timesteps, from ``T - 1`` down to 0.

        Parameters
        ----------
        n_steps : int
            Number of reverse steps (network evaluations), between 1 and ``T``.
        """
        T = self.process.n_timesteps
        if not 1 <= n_steps <= T:
            raise ValueError(f"n_steps must be between 1 and {T}; got {n_steps}.")
        self.timesteps = np.unique(
            np.linspace(T - 1, 0, n_steps).round().astype(np.int64)
        )[::-1]

    def step(
        self,
        model_output: torch.Tensor,
        index: int,
        sample: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Move ``sample`` from ``timesteps[index]`` to the next timestep.

        Parameters
        ----------
        model_output : Tensor
            Network output at ``(sample, timesteps[index])``.
        index : int
            Position in :attr:`timesteps`.
        sample : Tensor
            Current noisy sample ``x_t``.
        generator : torch.Generator, optional
            Source of the fresh noise when ``eta > 0``.

        Returns
        -------
        prev_sample : Tensor
            The sample at the next timestep (``x_0`` after the last step).
        """
        ab = self.process.schedule.alphas_cumprod
        t = int(self.timesteps[index])
        t_prev = (
            int(self.timesteps[index + 1]) if index + 1 < len(self.timesteps) else -1
        )
        ab_t = float(ab[t])
        ab_prev = float(ab[t_prev]) if t_prev >= 0 else 1.0
        t_vec = torch.full(
            (sample.shape[0],), t, device=sample.device, dtype=torch.long
        )
        x0, eps = self.process.split_prediction(model_output, sample, t_vec)
        if self.clip_sample is not None:
            x0 = x0.clamp(-self.clip_sample, self.clip_sample)
            eps = (sample - math.sqrt(ab_t) * x0) / math.sqrt(1.0 - ab_t)
        sigma = self.eta * math.sqrt((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev))
        direction = math.sqrt(max(1.0 - ab_prev - sigma**2, 0.0))
        prev = math.sqrt(ab_prev) * x0 + direction * eps
        if sigma > 0:
            noise = torch.randn(
                sample.shape,
                device=sample.device,
                dtype=sample.dtype,
                generator=generator,
            )
            prev = prev + sigma * noise
        return prev


class DDPMSolver(DDIMSolver):
    """Ancestral DDPM sampling (Ho et al. 2020): DDIM with ``eta=1``.

    Parameters
    ----------
    process : GaussianDiffusion
        The forward process.
    clip_sample : float or None, default=None
        Optional clip of the predicted ``x_0``.
    """

    def __init__(self, process: GaussianDiffusion, clip_sample: float | None = None):
        super().__init__(process, eta=1.0, clip_sample=clip_sample)


def run_solver(
    solver: DDIMSolver,
    model_fn: Callable[[torch.Tensor, int], torch.Tensor],
    x_T: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Run the reverse process from ``x_T`` through ``solver.timesteps``.

    Parameters
    ----------
    solver : DDIMSolver
        A solver whose timesteps are set.
    model_fn : callable
        ``model_fn(x_t, t)`` with an integer timestep, returning the network output.
    x_T : Tensor
        Initial noise.
    generator : torch.Generator, optional
        Source of the solver's fresh noise.

    Returns
    -------
    x_0 : Tensor
    """
    x = x_T
    for index, t in enumerate(solver.timesteps):
        x = solver.step(model_fn(x, int(t)), index, x, generator)
    return x
