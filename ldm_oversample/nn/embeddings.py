"""Timestep and class embeddings for conditional denoisers."""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["TimestepEmbedding", "sinusoidal_embedding"]


def sinusoidal_embedding(
    t: torch.Tensor, dim: int, max_period: float = 10_000.0
) -> torch.Tensor:
    """Transformer-style sinusoidal embedding of (integer or real) timesteps.

    Parameters
    ----------
    t : Tensor of shape (n,)
        Timesteps.
    dim : int
        Embedding width.
    max_period : float, default=10000
        Longest period of the sinusoids.

    Returns
    -------
    emb : Tensor of float32 of shape (n, dim)
    """
    half = dim // 2
    freqs = torch.exp(
        -math.log(max_period)
        * torch.arange(half, device=t.device, dtype=torch.float32)
        / half
    )
    args = t.float()[:, None] * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.nn.functional.pad(emb, (0, 1))
    return emb


class TimestepEmbedding(nn.Module):
    """Sinusoidal embedding followed by a two-layer MLP.

    Parameters
    ----------
    dim : int
        Output width.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        """Embed timesteps of shape (n,) into (n, dim)."""
        return self.mlp(sinusoidal_embedding(t, self.dim))
