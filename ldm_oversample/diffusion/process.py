"""Gaussian diffusion process: forward noising, training targets and loss.

The network is passed in; the process knows nothing about its architecture, and
nothing about how the reverse process is solved (see :mod:`.solvers`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import torch

from .schedules import NoiseSchedule

__all__ = ["GaussianDiffusion"]

PredictionType = Literal["epsilon", "v"]


class GaussianDiffusion:
    """Variance-preserving Gaussian diffusion ``q(x_t | x_0)``.

    Parameters
    ----------
    schedule : NoiseSchedule
        Noise schedule.
    prediction_type : {"epsilon", "v"}, default="epsilon"
        What the network predicts: the noise ``epsilon`` (Ho et al. 2020) or the
        velocity ``v = sqrt(alpha_bar) * epsilon - sqrt(1 - alpha_bar) * x_0``
        (Salimans & Ho 2022).
    """

    def __init__(
        self, schedule: NoiseSchedule, prediction_type: PredictionType = "epsilon"
    ):
        if prediction_type not in ("epsilon", "v"):
            raise ValueError(
                f"prediction_type must be 'epsilon' or 'v'; got {prediction_type!r}."
            )
        self.schedule = schedule
        self.prediction_type = prediction_type
        self._ab = torch.as_tensor(schedule.alphas_cumprod, dtype=torch.float64)

    @property
    def n_timesteps(self) -> int:
        """Number of diffusion steps ``T``."""
        return self.schedule.n_timesteps

    def _coef(
        self, t: torch.Tensor, like: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        ab = (
            self._ab.to(like.device)[t.long()]
            .to(like.dtype)
            .reshape(-1, *[1] * (like.ndim - 1))
        )
        return ab.sqrt(), (1.0 - ab).sqrt()

    def add_noise(
        self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor
    ) -> torch.Tensor:
        """Sample ``x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) noise``.

        Parameters
        ----------
        x0 : Tensor of shape (n, ...)
            Clean data.
        noise : Tensor of the same shape
            Standard normal noise.
        t : Tensor of int of shape (n,)
            Timestep index of each row, in ``[0, T)``.

        Returns
        -------
        x_t : Tensor
        """
        a, s = self._coef(t, x0)
        return a * x0 + s * noise

    def target(
        self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor
    ) -> torch.Tensor:
        """The regression target of the network for ``(x0, noise, t)``.

        Parameters
        ----------
        x0 : Tensor of shape (n, ...)
            Clean data.
        noise : Tensor of the same shape
            The noise that was added to ``x0`` to give ``x_t``.
        t : Tensor of int of shape (n,)
            Timestep index of each row, in ``[0, T)``.

        Returns
        -------
        target : Tensor of the same shape as ``x0``
            ``noise`` for ``prediction_type="epsilon"``, the velocity
            ``sqrt(alpha_bar_t) noise - sqrt(1 - alpha_bar_t) x0`` for ``"v"``.
        """
        if self.prediction_type == "epsilon":
            return noise
        a, s = self._coef(t, x0)
        return a * noise - s * x0

    def split_prediction(
        self, model_output: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Turn a network output into the predicted ``(x_0, epsilon)``.

        Parameters
        ----------
        model_output : Tensor
            The network's prediction (``epsilon`` or ``v``).
        x_t : Tensor
            The noisy input.
        t : Tensor of int of shape (n,)
            Timesteps.

        Returns
        -------
        x0, eps : Tensor
        """
        a, s = self._coef(t, x_t)
        if self.prediction_type == "epsilon":
            eps = model_output
            x0 = (x_t - s * eps) / a
        else:
            x0 = a * x_t - s * model_output
            eps = s * x_t + a * model_output
        return x0, eps

    def alpha_sigma(self, t: int) -> tuple[float, float]:
        """``sqrt(alpha_bar_t)`` and ``sqrt(1 - alpha_bar_t)`` as Python floats.

        ``t = -1`` stands for clean data and gives ``(1, 0)``. Solvers use these
        scalars so that a reverse step launches only elementwise kernels (no
        host-to-device copies), which keeps it capturable in a CUDA graph.

        Parameters
        ----------
        t : int
            Timestep, in ``[-1, T)``.

        Returns
        -------
        alpha, sigma : float
            ``sqrt(alpha_bar_t)`` and ``sqrt(1 - alpha_bar_t)``.
        """
        if t < 0:
            return 1.0, 0.0
        ab = float(self.schedule.alphas_cumprod[t])
        return ab**0.5, (1.0 - ab) ** 0.5

    def split_prediction_at(
        self, model_output: torch.Tensor, x_t: torch.Tensor, t: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`split_prediction` for rows that all share the timestep ``t``.

        Parameters
        ----------
        model_output : Tensor
            The network's prediction (``epsilon`` or ``v``).
        x_t : Tensor
            The noisy input.
        t : int
            The timestep of every row, in ``[0, T)``.

        Returns
        -------
        x0, eps : Tensor
        """
        a, s = self.alpha_sigma(t)
        if self.prediction_type == "epsilon":
            return (x_t - s * model_output) / a, model_output
        return a * x_t - s * model_output, s * x_t + a * model_output

    def sample_timesteps(
        self, n: int, device: torch.device, generator: torch.Generator | None
    ) -> torch.Tensor:
        """Training timesteps, uniform over ``[0, T)``.

        Parameters
        ----------
        n : int
            Number of timesteps (one per row).
        device : torch.device
            Device of the result.
        generator : torch.Generator or None
            Source of the draws.

        Returns
        -------
        t : Tensor of int64 of shape (n,)
        """
        return torch.randint(
            0, self.n_timesteps, (n,), device=device, generator=generator
        )

    def loss(
        self,
        model: Callable[..., torch.Tensor],
        x0: torch.Tensor,
        generator: torch.Generator | None = None,
        **model_kwargs: Any,
    ) -> torch.Tensor:
        """Mean squared error of the network's prediction at random timesteps.

        Parameters
        ----------
        model : callable
            ``model(x_t, t, **model_kwargs)`` returning a tensor like ``x0``.
        x0 : Tensor of shape (n, d)
            Clean data.
        generator : torch.Generator, optional
            Source of the timesteps and the noise.
        **model_kwargs
            Passed to the model (for example the class labels).

        Returns
        -------
        loss : Tensor
            Scalar loss.
        """
        t = self.sample_timesteps(x0.shape[0], x0.device, generator)
        noise = torch.randn(
            x0.shape, device=x0.device, dtype=x0.dtype, generator=generator
        )
        x_t = self.add_noise(x0, noise, t)
        return torch.mean(
            (model(x_t, t, **model_kwargs) - self.target(x0, noise, t)) ** 2
        )
