"""Class-conditional MLP denoiser. It knows nothing about noise schedules."""

from __future__ import annotations

import torch
from torch import nn

from .embeddings import TimestepEmbedding

__all__ = ["MLPDenoiser"]


class MLPDenoiser(nn.Module):
    """MLP that predicts the noise (or velocity) from ``(x_t, t, class)``.

    The input projection, the timestep embedding and the class embedding are
    summed (TabDDPM's conditioning), then passed through ``depth`` SiLU layers.
    Class index ``n_classes`` is the "null" class used for classifier-free
    guidance.

    Parameters
    ----------
    dim : int
        Width of the data (or latent) being denoised.
    n_classes : int
        Number of real classes.
    width : int, default=256
        Hidden width.
    depth : int, default=3
        Number of hidden layers.
    """

    def __init__(self, dim: int, n_classes: int, width: int = 256, depth: int = 3):
        super().__init__()
        #: Constructor arguments, for saving (see ldm_oversample.persistence).
        self.config = dict(dim=dim, n_classes=n_classes, width=width, depth=depth)
        self.dim = dim
        self.n_classes = n_classes
        self.in_proj = nn.Linear(dim, width)
        self.time_embed = TimestepEmbedding(width)
        self.class_embed = nn.Embedding(n_classes + 1, width)
        layers: list[nn.Module] = []
        for _ in range(depth):
            layers += [nn.Linear(width, width), nn.SiLU()]
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(width, dim)

    @property
    def null_class(self) -> int:
        """Index of the unconditional ("null") class."""
        return self.n_classes

    def condition(self, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Summed timestep and class embeddings, the conditioning of the body.

        During sampling every row of a chunk shares its timestep and class, so
        the conditioning is computed for one row and broadcast, which removes
        the timestep MLP (two ``width x width`` layers) from the per-row cost.

        Parameters
        ----------
        t : Tensor of int of shape (m,)
            Timesteps.
        y : Tensor of int of shape (m,)
            Class indices in ``[0, n_classes]``.

        Returns
        -------
        cond : Tensor of shape (m, width)
        """
        return self.time_embed(t) + self.class_embed(y)

    def forward_conditioned(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """Predict the network target from ``x`` and a precomputed conditioning.

        Parameters
        ----------
        x : Tensor of shape (n, dim)
            Noisy input.
        cond : Tensor of shape (n, width) or (1, width)
            Output of :meth:`condition`; one row is broadcast to every row of ``x``.

        Returns
        -------
        out : Tensor of shape (n, dim)
        """
        h = nn.functional.silu(self.in_proj(x) + cond)
        return self.out(self.body(h))

    def forward(
        self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor
    ) -> torch.Tensor:
        """Predict the network target.

        Parameters
        ----------
        x : Tensor of shape (n, dim)
            Noisy input.
        t : Tensor of int of shape (n,)
            Timesteps.
        y : Tensor of int of shape (n,)
            Class indices in ``[0, n_classes]`` (``n_classes`` = null class).

        Returns
        -------
        out : Tensor of shape (n, dim)
        """
        return self.forward_conditioned(x, self.condition(t, y))
