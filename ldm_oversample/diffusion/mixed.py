"""Gaussian + multinomial diffusion over mixed-type rows in data space (TabDDPM).

The encoded row holds ``n_numeric`` quantile-normal numeric values followed by
one-hot categorical blocks. Numeric values follow :class:`GaussianDiffusion`,
categorical blocks follow :class:`MultinomialDiffusion`, both on one schedule and
one timestep per row. One network sees the whole noisy row and returns the
Gaussian target for the numeric part and ``x_0`` logits for the categorical part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from .multinomial import MultinomialDiffusion
from .process import GaussianDiffusion
from .solvers import DDIMSolver

__all__ = ["MixedDiffusion", "MixedSolver"]


class MixedDiffusion:
    """Joint Gaussian/multinomial diffusion of encoded mixed-type rows.

    Parameters
    ----------
    gaussian : GaussianDiffusion
        Process of the numeric part.
    n_numeric : int
        Width of the numeric part (the first columns).
    categorical_slices : sequence of (start, stop)
        Slices of the one-hot blocks in the full row.
    """

    def __init__(
        self,
        gaussian: GaussianDiffusion,
        n_numeric: int,
        categorical_slices: Sequence[tuple[int, int]],
    ):
        self.gaussian = gaussian
        self.n_numeric = int(n_numeric)
        shifted = [
            (a - self.n_numeric, b - self.n_numeric) for a, b in categorical_slices
        ]
        self.multinomial = MultinomialDiffusion(gaussian.schedule, shifted)

    @property
    def n_timesteps(self) -> int:
        """Number of diffusion steps ``T``."""
        return self.gaussian.n_timesteps

    def noisy(
        self, x0: torch.Tensor, t: torch.Tensor, generator: torch.Generator | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``x_t ~ q(x_t | x_0)``; also return the Gaussian noise used.

        Parameters
        ----------
        x0 : Tensor of shape (n, d)
            Encoded clean rows: ``n_numeric`` numeric columns, then the one-hot
            blocks.
        t : Tensor of int of shape (n,)
            Timestep of each row, in ``[0, T)``.
        generator : torch.Generator or None
            Source of the Gaussian noise and the categorical draws.

        Returns
        -------
        x_t : Tensor of shape (n, d)
            Noisy rows: noised numerics, then one-hot samples of the noised
            categories.
        noise : Tensor of shape (n, n_numeric)
            The Gaussian noise added to the numeric part.
        """
        num, cat = x0[:, : self.n_numeric], x0[:, self.n_numeric :]
        noise = torch.randn(
            num.shape, device=x0.device, dtype=x0.dtype, generator=generator
        )
        parts = [self.gaussian.add_noise(num, noise, t)]
        if cat.shape[1]:
            parts.append(
                self.multinomial.sample_onehot(
                    self.multinomial.q_probs(cat, t), generator
                )
            )
        return torch.cat(parts, dim=1), noise

    def loss(
        self,
        model: Callable[..., torch.Tensor],
        x0: torch.Tensor,
        generator: torch.Generator | None = None,
        **model_kwargs: Any,
    ) -> torch.Tensor:
        """Gaussian MSE (mean over numeric columns) plus multinomial KL (mean over
        categorical columns), at one random timestep per row.

        Parameters
        ----------
        model : callable
            ``model(x_t, t, **model_kwargs)`` returning a tensor like ``x0``.
        x0 : Tensor of shape (n, d)
            Encoded clean rows.
        generator : torch.Generator, optional
            Source of the timesteps and the noise.
        **model_kwargs
            Passed to the model (for example the class labels).

        Returns
        -------
        loss : Tensor
            Scalar.
        """
        t = self.gaussian.sample_timesteps(x0.shape[0], x0.device, generator)
        x_t, noise = self.noisy(x0, t, generator)
        out = model(x_t, t, **model_kwargs)
        n = self.n_numeric
        total = x0.new_zeros(())
        if n:
            target = self.gaussian.target(x0[:, :n], noise, t)
            total = total + torch.mean((out[:, :n] - target) ** 2)
        if x0.shape[1] > n:
            total = (
                total
                + self.multinomial.loss(x0[:, n:], x_t[:, n:], out[:, n:], t).mean()
            )
        return total

    def prior_sample(
        self, n_samples: int, device: torch.device, generator: torch.Generator | None
    ) -> torch.Tensor:
        """``x_T``: standard normal numerics and uniform categories.

        Parameters
        ----------
        n_samples : int
            Number of rows.
        device : torch.device
            Device of the result.
        generator : torch.Generator or None
            Source of the draws.

        Returns
        -------
        x_T : Tensor of shape (n_samples, d)
            Standard normal numeric columns, then one-hot blocks with each
            category drawn uniformly.
        """
        num = torch.randn(
            (n_samples, self.n_numeric), device=device, generator=generator
        )
        width = sum(b - a for a, b in self.multinomial.slices)
        uniform = torch.ones((n_samples, width), device=device)
        cat = self.multinomial.sample_onehot(uniform, generator)
        return torch.cat([num, cat], dim=1)


class MixedSolver:
    """DDIM for the numeric part and multinomial posteriors for the categories.

    Follows the solver contract (``set_timesteps`` / ``step``) on whole rows, so
    :func:`~ldm_oversample.diffusion.run_solver` drives it like any other solver.

    Parameters
    ----------
    process : MixedDiffusion
        The joint process.
    eta : float, default=1.0
        Stochasticity of the Gaussian DDIM steps (1 with all steps is DDPM).
    clip_sample : float or None, default=None
        Clip of the predicted numeric ``x_0``.
    """

    def __init__(
        self,
        process: MixedDiffusion,
        eta: float = 1.0,
        clip_sample: float | None = None,
    ):
        self.process = process
        self.gaussian = DDIMSolver(process.gaussian, eta=eta, clip_sample=clip_sample)

    @property
    def timesteps(self):
        """Timesteps of the reverse process, from ``T - 1`` down."""
        return self.gaussian.timesteps

    def set_timesteps(self, n_steps: int) -> None:
        """Choose ``n_steps`` evenly spaced timesteps (see :class:`DDIMSolver`).

        Parameters
        ----------
        n_steps : int
            Number of reverse steps (network evaluations), between 1 and ``T``.
        """
        self.gaussian.set_timesteps(n_steps)

    def step(
        self,
        model_output: torch.Tensor,
        index: int,
        sample: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Move a whole row from ``timesteps[index]`` to the next timestep.

        The numeric part takes a DDIM step; each one-hot block is drawn from the
        multinomial posterior ``q(x_s | x_t, x_0)`` with the predicted ``x_0``.

        Parameters
        ----------
        model_output : Tensor of shape (n, d)
            Network output at ``(sample, timesteps[index])``: the Gaussian target
            for the numeric columns, ``x_0`` logits for the one-hot blocks.
        index : int
            Position in :attr:`timesteps`.
        sample : Tensor of shape (n, d)
            Current noisy rows ``x_t``.
        generator : torch.Generator, optional
            Source of the fresh Gaussian noise and the categorical draws.

        Returns
        -------
        prev_sample : Tensor of shape (n, d)
            The rows at the next timestep (``x_0`` after the last step).
        """
        n = self.process.n_numeric
        parts = [
            self.gaussian.step(model_output[:, :n], index, sample[:, :n], generator)
        ]
        if sample.shape[1] > n:
            steps = self.timesteps
            t = int(steps[index])
            s = int(steps[index + 1]) if index + 1 < len(steps) else -1
            rows = sample.shape[0]
            mult = self.process.multinomial
            probs = mult.posterior_probs(
                sample[:, n:],
                mult.x0_probs(model_output[:, n:]),
                torch.full((rows,), t, device=sample.device),
                torch.full((rows,), s, device=sample.device),
            )
            parts.append(mult.sample_onehot(probs, generator))
        return torch.cat(parts, dim=1)
