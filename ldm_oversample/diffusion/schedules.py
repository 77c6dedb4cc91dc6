"""Noise schedules as pure functions, computed in float64.

Never change a committed schedule: fitted models depend on the exact values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["NoiseSchedule", "cosine_betas", "linear_betas", "make_schedule"]


def cosine_betas(
    n_timesteps: int, s: float = 0.008, max_beta: float = 0.999
) -> np.ndarray:
    """Cosine schedule of Nichol & Dhariwal (2021).

    ``alpha_bar(t) = cos((t/T + s) / (1 + s) * pi/2) ** 2`` and
    ``beta_t = min(1 - alpha_bar(t+1) / alpha_bar(t), max_beta)``.

    Parameters
    ----------
    n_timesteps : int
        Number of diffusion steps ``T``.
    s : float, default=0.008
        Small offset that keeps ``beta_0`` away from zero.
    max_beta : float, default=0.999
        Upper clip of each beta, which avoids a singular last step.

    Returns
    -------
    betas : ndarray of float64 of shape (n_timesteps,)
    """
    steps = np.arange(n_timesteps + 1, dtype=np.float64) / n_timesteps
    alpha_bar = np.cos((steps + s) / (1 + s) * math.pi / 2) ** 2
    betas = 1.0 - alpha_bar[1:] / alpha_bar[:-1]
    return np.minimum(betas, max_beta)


def linear_betas(n_timesteps: int) -> np.ndarray:
    """Linear schedule of Ho et al. (2020), rescaled to ``n_timesteps``.

    Parameters
    ----------
    n_timesteps : int
        Number of diffusion steps ``T``.

    Returns
    -------
    betas : ndarray of float64 of shape (n_timesteps,)
    """
    scale = 1000.0 / n_timesteps
    return np.linspace(
        scale * 1e-4, min(scale * 0.02, 0.999), n_timesteps, dtype=np.float64
    )


_SCHEDULES = {"cosine": cosine_betas, "linear": linear_betas}


@dataclass(frozen=True)
class NoiseSchedule:
    """Precomputed float64 quantities of a variance-preserving schedule.

    Parameters
    ----------
    betas : ndarray of float64 of shape (T,)
        Per-step noise variances.
    """

    betas: np.ndarray

    @property
    def n_timesteps(self) -> int:
        """Number of diffusion steps ``T``."""
        return len(self.betas)

    @property
    def alphas(self) -> np.ndarray:
        """``1 - beta_t``."""
        return 1.0 - self.betas

    @property
    def alphas_cumprod(self) -> np.ndarray:
        """``alpha_bar_t = prod_{s <= t} alpha_s``."""
        return np.cumprod(self.alphas)


def make_schedule(name: str, n_timesteps: int) -> NoiseSchedule:
    """Build a named schedule.

    Parameters
    ----------
    name : {"cosine", "linear"}
        Schedule family.
    n_timesteps : int
        Number of diffusion steps ``T`` (at least 1).

    Returns
    -------
    schedule : NoiseSchedule
    """
    if name not in _SCHEDULES:
        raise ValueError(
            f"Unknown noise schedule {name!r}; choose from {sorted(_SCHEDULES)}."
        )
    if n_timesteps < 1:
        raise ValueError(f"n_timesteps must be at least 1; got {n_timesteps}.")
    return NoiseSchedule(_SCHEDULES[name](n_timesteps))
