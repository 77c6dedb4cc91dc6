"""Reverse-process solvers with a ``set_timesteps(n)`` / ``step(...)`` contract.

Swapping one solver for another never touches the network: a solver turns a
network output at one timestep into the sample at the next (earlier) timestep.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np
import torch

from .process import GaussianDiffusion

__all__ = [
    "DDIMSolver",
    "DDPMSolver",
    "DPMSolverPP",
    "Solver",
    "check_solver",
    "make_solver",
    "run_solver",
]


class Solver(Protocol):
    """What :func:`run_solver` and the samplers need of a solver.

    A new solver implements these three members (and is registered in
    :data:`SOLVERS` to be chosen by name); nothing else changes.
    """

    @property
    def timesteps(self) -> np.ndarray:
        """Timesteps of the reverse process, from the first down to 0."""
        ...

    def set_timesteps(self, n_steps: int) -> None:
        """Choose ``n_steps`` timesteps."""
        ...

    def step(
        self,
        model_output: torch.Tensor,
        index: int,
        sample: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Move ``sample`` from ``timesteps[index]`` to the next timestep
        (see :meth:`DDIMSolver.step`)."""
        ...


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
    lambda_min_clipped : float or None, default=None
        If set, sampling starts at the last timestep whose
        ``lambda = log(alpha / sigma)`` is at least this value, instead of at
        ``T - 1`` (diffusers' ``lambda_min_clipped``, recommended there at -5.1
        for cosine schedules, whose last steps reach lambda of about -10).
    strength : float, default=1.0
        Share of the reverse process to run: sampling starts no later than
        timestep ``round(strength * (T - 1))``, from points noised to it
        (diffusers' image-to-image ``strength``; SDEdit). 1 runs all of it.
    """

    def __init__(
        self,
        process: GaussianDiffusion,
        eta: float = 0.0,
        clip_sample: float | None = None,
        lambda_min_clipped: float | None = None,
        strength: float = 1.0,
    ):
        if not 0 < strength <= 1:
            raise ValueError(f"strength must be in (0, 1]; got {strength}.")
        self.process = process
        self.eta = float(eta)
        self.clip_sample = clip_sample
        self.lambda_min_clipped = lambda_min_clipped
        self.strength = float(strength)
        self.timesteps = np.arange(process.n_timesteps)[::-1].copy()

    def first_timestep(self) -> int:
        """``T - 1``, or the last timestep with lambda at least
        ``lambda_min_clipped``, and at most ``round(strength * (T - 1))``."""
        T = self.process.n_timesteps
        last = round(self.strength * (T - 1))
        if self.lambda_min_clipped is None:
            return last
        ab = np.asarray(self.process.schedule.alphas_cumprod, dtype=np.float64)
        lam = 0.5 * (np.log(ab) - np.log1p(-ab))
        above = np.flatnonzero(lam >= self.lambda_min_clipped)
        return min(int(above[-1]) if len(above) else 0, last)

    def set_timesteps(self, n_steps: int) -> None:
        """Choose ``n_steps`` evenly spaced timesteps, from the first timestep
        (``T - 1`` unless ``lambda_min_clipped`` is set) down to 0.

        Parameters
        ----------
        n_steps : int
            Number of reverse steps (network evaluations), between 1 and ``T``.
        """
        T = self.process.n_timesteps
        if not 1 <= n_steps <= T:
            raise ValueError(f"n_steps must be between 1 and {T}; got {n_steps}.")
        self.timesteps = np.unique(
            np.linspace(self.first_timestep(), 0, n_steps).round().astype(np.int64)
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
        t, t_prev = self._pair(index)
        a_t, s_t = self.process.alpha_sigma(t)
        a_prev, _ = self.process.alpha_sigma(t_prev)
        x0, eps = self.process.split_prediction_at(model_output, sample, t)
        if self.clip_sample is not None:
            x0 = x0.clamp(-self.clip_sample, self.clip_sample)
            eps = (sample - a_t * x0) / s_t
        ab_t, ab_prev = a_t * a_t, a_prev * a_prev
        sigma = self.eta * math.sqrt((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev))
        direction = math.sqrt(max(1.0 - ab_prev - sigma**2, 0.0))
        prev = a_prev * x0 + direction * eps
        if sigma > 0:
            noise = torch.randn(
                sample.shape,
                device=sample.device,
                dtype=sample.dtype,
                generator=generator,
            )
            prev = prev + sigma * noise
        return prev

    def _pair(self, index: int) -> tuple[int, int]:
        """The timestep at ``index`` and the next one (-1 after the last)."""
        t = int(self.timesteps[index])
        nxt = int(self.timesteps[index + 1]) if index + 1 < len(self.timesteps) else -1
        return t, nxt


class DPMSolverPP(DDIMSolver):
    """DPM-Solver++(2M) (Lu et al. 2022), a second-order multistep ODE solver.

    It integrates the same probability-flow ODE as deterministic DDIM (its
    first step *is* a DDIM step) but extrapolates the predicted ``x_0`` linearly
    in ``lambda = log(alpha / sigma)`` from the last two network evaluations,
    which makes it second-order accurate: it reaches DDIM's 50-step quality in
    far fewer steps. The last step returns the predicted ``x_0`` (first order,
    "lower order final"), which is stable at few steps. Deterministic only.

    Parameters
    ----------
    process : GaussianDiffusion
        The forward process (schedule and prediction type).
    clip_sample : float or None, default=None
        If set, the predicted ``x_0`` is clipped to ``[-clip_sample, clip_sample]``
        (data-prediction solvers make this thresholding natural).
    lambda_min_clipped : float or None, default=None
        As in :class:`DDIMSolver`.
    strength : float, default=1.0
        As in :class:`DDIMSolver`.
    """

    def __init__(
        self,
        process: GaussianDiffusion,
        clip_sample: float | None = None,
        lambda_min_clipped: float | None = None,
        strength: float = 1.0,
    ):
        super().__init__(
            process, eta=0.0, clip_sample=clip_sample,
            lambda_min_clipped=lambda_min_clipped, strength=strength,
        )  # fmt: skip
        self._previous: tuple[torch.Tensor, float] | None = None

    def step(
        self,
        model_output: torch.Tensor,
        index: int,
        sample: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Move ``sample`` from ``timesteps[index]`` to the next timestep.

        Steps must be taken in order from ``index=0``, which resets the history
        of the multistep solver.

        Parameters
        ----------
        model_output : Tensor
            Network output at ``(sample, timesteps[index])``.
        index : int
            Position in :attr:`timesteps`.
        sample : Tensor
            Current noisy sample ``x_t``.
        generator : torch.Generator, optional
            Unused (the solver is deterministic); accepted for the solver
            contract.

        Returns
        -------
        prev_sample : Tensor
            The sample at the next timestep (the predicted ``x_0`` after the
            last step).
        """
        if index == 0:
            self._previous = None
        t, t_next = self._pair(index)
        a_t, s_t = self.process.alpha_sigma(t)
        x0, _ = self.process.split_prediction_at(model_output, sample, t)
        if self.clip_sample is not None:
            x0 = x0.clamp(-self.clip_sample, self.clip_sample)
        if t_next < 0:
            return x0
        a_n, s_n = self.process.alpha_sigma(t_next)
        h = math.log(a_n / s_n) - math.log(a_t / s_t)
        denoised = x0
        if self._previous is not None:
            x0_last, h_last = self._previous
            half_inv_r = 0.5 * h / h_last
            denoised = (1.0 + half_inv_r) * x0 - half_inv_r * x0_last
        self._previous = (x0, h)
        return (s_n / s_t) * sample - (a_n * math.expm1(-h)) * denoised


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
    solver: Solver,
    model_fn: Callable[[torch.Tensor, int], torch.Tensor],
    x_T: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Run the reverse process from ``x_T`` through ``solver.timesteps``.

    Parameters
    ----------
    solver : Solver
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


#: Deterministic solvers by name, as the samplers' ``solver`` parameter spells them.
SOLVERS = {"ddim": DDIMSolver, "dpm++": DPMSolverPP}


def make_solver(
    name: str,
    process: GaussianDiffusion,
    eta: float = 0.0,
    clip_sample: float | None = None,
    lambda_min_clipped: float | None = None,
    strength: float = 1.0,
) -> DDIMSolver:
    """Build a solver by name (``"ddim"`` or ``"dpm++"``).

    Parameters
    ----------
    name : {"ddim", "dpm++"}
        Solver family.
    process : GaussianDiffusion
        The forward process.
    eta : float, default=0.0
        DDIM stochasticity; ``"dpm++"`` is deterministic and needs ``eta=0``.
    clip_sample : float or None, default=None
        Clip of the predicted ``x_0``.
    lambda_min_clipped : float or None, default=None
        Start where lambda reaches this value (see :class:`DDIMSolver`).
    strength : float, default=1.0
        Share of the reverse process to run (see :class:`DDIMSolver`).

    Returns
    -------
    solver : DDIMSolver
    """
    check_solver(name, eta)
    if name == "ddim":
        return DDIMSolver(
            process, eta=eta, clip_sample=clip_sample,
            lambda_min_clipped=lambda_min_clipped, strength=strength,
        )  # fmt: skip
    return DPMSolverPP(
        process, clip_sample=clip_sample, lambda_min_clipped=lambda_min_clipped,
        strength=strength,
    )  # fmt: skip


def check_solver(name: str, eta: float = 0.0) -> None:
    """Raise ``ValueError`` unless ``name`` is a solver that accepts ``eta``.

    Lets a sampler refuse a bad combination before training, not after.
    """
    if name not in SOLVERS:
        raise ValueError(f"solver must be one of {sorted(SOLVERS)}; got {name!r}.")
    if name == "dpm++" and eta:
        raise ValueError(
            f"solver='dpm++' is deterministic; eta={eta} needs solver='ddim'."
        )
