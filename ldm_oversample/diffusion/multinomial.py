"""Multinomial diffusion for categorical columns (Hoogeboom et al. 2021).

Each categorical column with ``K`` categories is a one-hot vector. The forward
process mixes it with the uniform distribution:
``q(x_t | x_0) = Cat(alpha_bar_t x_0 + (1 - alpha_bar_t) / K)``, on the same noise
schedule as the Gaussian part. The network predicts the logits of ``x_0``; the
reverse step is the posterior ``q(x_s | x_t, x_0)`` with the predicted ``x_0``
probabilities, for any earlier timestep ``s`` (so steps can be skipped). This is
TabDDPM's treatment of categorical features.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.nn import functional as F

from .schedules import NoiseSchedule

__all__ = ["MultinomialDiffusion"]

_EPS = 1e-30


class MultinomialDiffusion:
    """Multinomial diffusion over several one-hot blocks of a row.

    Parameters
    ----------
    schedule : NoiseSchedule
        Noise schedule (shared with the Gaussian part).
    slices : sequence of (start, stop)
        Column slices of the one-hot blocks inside the vectors this process sees.
    """

    def __init__(self, schedule: NoiseSchedule, slices: Sequence[tuple[int, int]]):
        self.schedule = schedule
        self.slices = [(int(a), int(b)) for a, b in slices]
        self._ab = torch.as_tensor(schedule.alphas_cumprod, dtype=torch.float64)

    @property
    def n_timesteps(self) -> int:
        """Number of diffusion steps ``T``."""
        return self.schedule.n_timesteps

    def alpha_bar(self, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """``alpha_bar_t`` as a column (``t = -1`` gives 1, the clean data).

        Parameters
        ----------
        t : Tensor of int of shape (n,)
            Timesteps, in ``[-1, T)``.
        like : Tensor
            The result takes this tensor's device and dtype.

        Returns
        -------
        alpha_bar : Tensor of shape (n, 1)
        """
        ab = torch.cat([self._ab, self._ab.new_ones(1)]).to(like.device)
        return ab[t.long()].to(like.dtype).reshape(-1, 1)

    def q_probs(self, x0: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Probabilities of ``q(x_t | x_0)`` for every block (same shape as x0).

        Parameters
        ----------
        x0 : Tensor of shape (n, d)
            Clean one-hot blocks.
        t : Tensor of int of shape (n,)
            Timestep of each row.

        Returns
        -------
        probs : Tensor of shape (n, d)
            ``alpha_bar_t x_0 + (1 - alpha_bar_t) / K`` within each block of
            ``K`` categories.
        """
        ab = self.alpha_bar(t, x0)
        out = torch.empty_like(x0)
        for a, b in self.slices:
            out[:, a:b] = ab * x0[:, a:b] + (1.0 - ab) / (b - a)
        return out

    def sample_onehot(
        self, probs: torch.Tensor, generator: torch.Generator | None
    ) -> torch.Tensor:
        """Draw one category per block from ``probs``; return one-hot vectors.

        Parameters
        ----------
        probs : Tensor of shape (n, d)
            Non-negative weights of the categories of each block; each block is
            normalised here, so it need not sum to 1.
        generator : torch.Generator or None
            Source of the draws.

        Returns
        -------
        onehot : Tensor of shape (n, d)
            One 1 per block, like ``probs`` in dtype and device.
        """
        out = torch.zeros_like(probs)
        u = torch.rand(
            (probs.shape[0], len(self.slices)),
            generator=generator,
            device=probs.device,
            dtype=probs.dtype,
        )
        for k, (a, b) in enumerate(self.slices):
            cdf = probs[:, a:b].cumsum(1)
            cdf = cdf / cdf[:, -1:]
            idx = torch.searchsorted(cdf, u[:, k : k + 1].contiguous())
            idx = idx.clamp_max(b - a - 1)
            out[:, a:b].scatter_(1, idx, 1.0)
        return out

    def posterior_probs(
        self,
        x_t: torch.Tensor,
        x0_probs: torch.Tensor,
        t: torch.Tensor,
        s: torch.Tensor,
    ) -> torch.Tensor:
        """``q(x_s | x_t, x_0)`` for ``s < t``, with ``x_0`` given as probabilities.

        ``q(x_s | x_t, x_0) ∝ q(x_t | x_s) q(x_s | x_0)``, where
        ``q(x_t | x_s) = Cat(r x_s + (1 - r) / K)`` with
        ``r = alpha_bar_t / alpha_bar_s``; ``s = -1`` means the clean data.

        Parameters
        ----------
        x_t : Tensor
            Current one-hot sample.
        x0_probs : Tensor
            Probabilities of ``x_0`` (one-hot for the true posterior).
        t, s : Tensor of int of shape (n,)
            Current and target timesteps.

        Returns
        -------
        probs : Tensor
            Posterior probabilities, normalised per block.
        """
        ab_t, ab_s = self.alpha_bar(t, x_t), self.alpha_bar(s, x_t)
        ratio = ab_t / ab_s
        out = torch.empty_like(x_t)
        for a, b in self.slices:
            k = b - a
            likelihood = ratio * x_t[:, a:b] + (1.0 - ratio) / k
            prior = ab_s * x0_probs[:, a:b] + (1.0 - ab_s) / k
            unnorm = likelihood * prior
            out[:, a:b] = unnorm / unnorm.sum(1, keepdim=True)
        return out

    def x0_probs(self, logits: torch.Tensor) -> torch.Tensor:
        """Softmax of the network's ``x_0`` logits within each block.

        Parameters
        ----------
        logits : Tensor of shape (n, d)
            Network output for the one-hot blocks.

        Returns
        -------
        probs : Tensor of shape (n, d)
            Probabilities summing to 1 within each block.
        """
        out = torch.empty_like(logits)
        for a, b in self.slices:
            out[:, a:b] = F.softmax(logits[:, a:b], dim=1)
        return out

    def loss(
        self, x0: torch.Tensor, x_t: torch.Tensor, logits: torch.Tensor, t: torch.Tensor
    ) -> torch.Tensor:
        """Per-row loss averaged over blocks: ``T`` x the one-step posterior KL.

        For ``t > 0`` the term is ``KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t))``;
        for ``t = 0`` the negative log-likelihood of ``x_0`` under the model's
        posterior (Hoogeboom et al. 2021). With ``t`` drawn uniformly, ``T``
        times the term is an unbiased estimate of the sum over all timesteps,
        the variational bound, as TabDDPM's ``kl / pt`` with ``pt = 1 / T``.
        Without that weight the categorical part is ``T`` times lighter than
        the Gaussian MSE it is added to, and categories are learned poorly.
        TabDDPM's ``kl_prior`` term is left out: it does not depend on the
        network, so it has no gradient.

        Parameters
        ----------
        x0 : Tensor of shape (n, d)
            Clean one-hot blocks.
        x_t : Tensor of shape (n, d)
            Noisy one-hot blocks at timestep ``t``.
        logits : Tensor of shape (n, d)
            Network's ``x_0`` logits at ``(x_t, t)``.
        t : Tensor of int of shape (n,)
            Timestep of each row.

        Returns
        -------
        loss : Tensor of shape (n,)
        """
        prev = t - 1
        q = self.posterior_probs(x_t, x0, t, prev)
        p = self.posterior_probs(x_t, self.x0_probs(logits), t, prev)
        log_p = torch.log(p.clamp_min(_EPS))
        kl = q * (torch.log(q.clamp_min(_EPS)) - log_p)
        nll = -x0 * log_p
        first = (t == 0).to(x0.dtype).reshape(-1, 1)
        per_entry = first * nll + (1.0 - first) * kl
        total = torch.zeros(x0.shape[0], device=x0.device, dtype=x0.dtype)
        for a, b in self.slices:
            total = total + per_entry[:, a:b].sum(1)
        return total * (self.n_timesteps / max(1, len(self.slices)))
