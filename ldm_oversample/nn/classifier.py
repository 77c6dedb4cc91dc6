"""A small MLP classifier of encoded rows: the filter of over-generation."""

from __future__ import annotations

import torch
from torch import nn

from .autoencoder import mlp

__all__ = ["RowClassifier"]


class RowClassifier(nn.Module):
    """MLP from an encoded row to class logits.

    Trained on the real rows, it rates how typical a generated row is of the
    class it was generated for; over-generation keeps the best-rated rows.

    Parameters
    ----------
    dim : int
        Width of the encoded rows.
    n_classes : int
        Number of classes.
    hidden_dims : tuple of int, default=(64, 64)
        Hidden widths.
    """

    def __init__(
        self, dim: int, n_classes: int, hidden_dims: tuple[int, ...] = (64, 64)
    ):
        super().__init__()
        #: Constructor arguments, for saving (see ldm_oversample.persistence).
        self.config = dict(dim=dim, n_classes=n_classes, hidden_dims=list(hidden_dims))
        self.net = mlp([dim, *hidden_dims, n_classes])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits of shape ``(n, n_classes)``."""
        return self.net(x)
