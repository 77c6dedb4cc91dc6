"""β-VAE for encoded tabular rows, with one decoder head per column span."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["SpanVAE", "TabularVAE", "mlp", "span_reconstruction_loss"]


def mlp(dims: Sequence[int], activation: type[nn.Module] = nn.SiLU) -> nn.Sequential:
    """Stack ``Linear`` layers of the given widths with activations between them.

    Parameters
    ----------
    dims : sequence of int
        Widths, input first and output last.
    activation : nn.Module class, default=nn.SiLU
        Activation inserted between consecutive linear layers.

    Returns
    -------
    net : nn.Sequential
    """
    layers: list[nn.Module] = []
    for k in range(len(dims) - 1):
        layers.append(nn.Linear(dims[k], dims[k + 1]))
        if k < len(dims) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def span_reconstruction_loss(
    output: torch.Tensor,
    target: torch.Tensor,
    n_numeric: int,
    categorical_slices: Sequence[tuple[int, int]],
) -> torch.Tensor:
    """Per-column reconstruction loss of an encoded row.

    Numeric columns (the first ``n_numeric`` encoded dimensions) get squared
    error; each categorical span gets cross-entropy of its logits against the
    one-hot target. The loss is averaged over columns and rows, so that tables
    of different widths have comparable scales.

    Parameters
    ----------
    output : Tensor of shape (n, d)
        Decoder output: numeric values followed by categorical logits.
    target : Tensor of shape (n, d)
        Encoded rows.
    n_numeric : int
        Number of numeric columns.
    categorical_slices : sequence of (start, stop)
        Encoded slices of the categorical spans.

    Returns
    -------
    loss : Tensor
        Scalar.
    """
    total = output.new_zeros(())
    if n_numeric:
        total = (
            total + ((output[:, :n_numeric] - target[:, :n_numeric]) ** 2).sum(1).mean()
        )
    for start, stop in categorical_slices:
        total = total + F.cross_entropy(
            output[:, start:stop], target[:, start:stop].argmax(1)
        )
    return total / max(1, n_numeric + len(categorical_slices))


class SpanVAE(nn.Module, ABC):
    """β-VAE over encoded rows whose decoder output follows the column spans.

    Subclasses define ``encode(x, y)`` (posterior mean and log-variance) and
    ``decode(z, y)`` (numeric values, then each categorical span's logits); the
    loss, the reparameterisation and the KL term are shared here, so every
    autoencoder of the LDM is trained on the same objective.

    Parameters
    ----------
    n_numeric : int
        Number of numeric columns (the first encoded dimensions).
    categorical_slices : sequence of (start, stop)
        Encoded slices of the categorical spans.
    latent_dim : int
        Width of the latent.
    n_classes : int
        Number of classes to condition on (0: unconditional).
    **config
        The subclass's other constructor arguments, kept in ``config`` for
        saving.
    """

    def __init__(
        self,
        n_numeric: int,
        categorical_slices: Sequence[tuple[int, int]],
        latent_dim: int,
        n_classes: int,
        **config: Any,
    ):
        super().__init__()
        self.n_numeric = n_numeric
        self.categorical_slices = [(start, stop) for start, stop in categorical_slices]
        self.latent_dim = latent_dim
        self.n_classes = n_classes
        #: Constructor arguments, for saving (see ldm_oversample.persistence).
        self.config = dict(
            n_numeric=n_numeric,
            categorical_slices=list(self.categorical_slices),
            latent_dim=latent_dim,
            n_classes=n_classes,
            **config,
        )

    @abstractmethod
    def encode(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean and log-variance of each row.

        Parameters
        ----------
        x : Tensor of shape (n, in_dim)
            Encoded rows.
        y : Tensor of int of shape (n,), optional
            Class indices (required when ``n_classes > 0``).

        Returns
        -------
        mu : Tensor of shape (n, latent_dim)
            Posterior means.
        logvar : Tensor of shape (n, latent_dim)
            Posterior log-variances, clamped to ``[-20, 10]``.
        """

    @abstractmethod
    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Numeric values followed by categorical logits.

        Parameters
        ----------
        z : Tensor of shape (n, latent_dim)
            Latent codes.
        y : Tensor of int of shape (n,), optional
            Class indices (required when ``n_classes > 0``).

        Returns
        -------
        out : Tensor of shape (n, in_dim)
            ``n_numeric`` numeric values, then the logits of each categorical
            slice.
        """

    def loss(
        self,
        x: torch.Tensor,
        beta: float,
        generator: torch.Generator | None = None,
        y: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Reconstruction loss plus ``beta`` times the KL to a standard normal.

        Parameters
        ----------
        x : Tensor of shape (n, in_dim)
            Encoded rows.
        beta : float
            Weight of the KL term.
        generator : torch.Generator, optional
            Source of the reparameterisation noise.
        y : Tensor of int of shape (n,), optional
            Class indices (required when ``n_classes > 0``).

        Returns
        -------
        loss : Tensor
            Scalar.
        """
        mu, logvar = self.encode(x, y)
        noise = torch.randn(
            mu.shape, device=mu.device, dtype=mu.dtype, generator=generator
        )
        z = mu + torch.exp(0.5 * logvar) * noise
        recon = span_reconstruction_loss(
            self.decode(z, y), x, self.n_numeric, self.categorical_slices
        )
        kl = -0.5 * torch.mean(torch.sum(1 + logvar - mu**2 - logvar.exp(), dim=1))
        return recon + beta * kl


class TabularVAE(SpanVAE):
    """MLP β-VAE over encoded rows (see :class:`~ldm_oversample.TabularEncoder`).

    The decoder's last layer is partitioned by the column layout: its first
    ``n_numeric`` outputs are the numeric heads, and each categorical span gets
    its own block of logits. That is one head per span, fused into one matmul.

    With ``n_classes > 0`` it is a conditional VAE: the one-hot class is appended
    to the inputs of the encoder and of the decoder. The decoder then carries
    what is typical of each class, and the latent only has to hold the variation
    within a class; scarce classes are reconstructed more faithfully.

    Parameters
    ----------
    n_numeric : int
        Number of numeric columns.
    categorical_slices : sequence of (start, stop)
        Encoded slices of the categorical spans.
    latent_dim : int
        Width of the latent.
    hidden_dims : sequence of int
        Hidden widths of the encoder (the decoder mirrors them).
    n_classes : int, default=0
        Number of classes to condition on; 0 gives an unconditional VAE.
    """

    def __init__(
        self,
        n_numeric: int,
        categorical_slices: Sequence[tuple[int, int]],
        latent_dim: int,
        hidden_dims: Sequence[int],
        n_classes: int = 0,
    ):
        super().__init__(
            n_numeric,
            categorical_slices,
            latent_dim,
            n_classes,
            hidden_dims=tuple(hidden_dims),
        )
        in_dim = n_numeric + sum(
            stop - start for start, stop in self.categorical_slices
        )
        self.in_dim = in_dim
        self.encoder = mlp([in_dim + n_classes, *hidden_dims, 2 * latent_dim])
        self.decoder = mlp([latent_dim + n_classes, *reversed(hidden_dims), in_dim])

    def _with_class(self, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        if not self.n_classes:
            return h
        if y is None:
            raise ValueError("This conditional VAE needs class labels y.")
        return torch.cat([h, F.one_hot(y, self.n_classes).to(h.dtype)], dim=1)

    def encode(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.encoder(self._with_class(x, y)).chunk(2, dim=1)
        return mu, logvar.clamp(-20.0, 10.0)

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(self._with_class(z, y))
