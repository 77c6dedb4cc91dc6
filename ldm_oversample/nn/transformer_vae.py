"""TabSyn-style β-VAE: one token per column, Transformer encoder and decoder.

TabSyn (Zhang et al., ICLR 2024) tokenizes each column of a row into a short
vector, lets a small Transformer mix the columns, and reads each column back
from its own token. Unlike TabSyn, whose latent is the flattened tokens (4 per
column), the tokens here pass through a linear bottleneck of ``latent_dim``,
so the diffusion runs in a latent of the same width as with
:class:`~ldm_oversample.nn.TabularVAE` and the two autoencoders compare at the
same diffusion cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from .autoencoder import SpanVAE

Span = tuple[int, int]

__all__ = ["ColumnReconstructor", "ColumnTokenizer", "TokenTransformerVAE"]


def _uniform(*shape: int) -> nn.Parameter:
    bound = 1.0 / math.sqrt(shape[-1])
    return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))


class ColumnTokenizer(nn.Module):
    """One ``d_token`` vector per column of an encoded row.

    Numeric column ``j`` becomes ``x_j * w_j + b_j``; a categorical span becomes
    its one-hot (or probability) vector times an embedding table, plus a bias.

    Parameters
    ----------
    n_numeric : int
        Number of numeric columns (the first encoded dimensions).
    categorical_slices : sequence of (start, stop)
        Encoded slices of the categorical spans.
    d_token : int
        Width of each token.
    """

    def __init__(
        self, n_numeric: int, categorical_slices: Sequence[Span], d_token: int
    ):
        super().__init__()
        self.n_numeric = n_numeric
        self.categorical_slices = [(start, stop) for start, stop in categorical_slices]
        self.weight = _uniform(n_numeric, d_token)
        self.bias = _uniform(n_numeric, d_token)
        self.embeddings = nn.ModuleList(
            nn.Linear(stop - start, d_token) for start, stop in self.categorical_slices
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Tokens of shape ``(n, n_columns, d_token)``, numeric columns first."""
        tokens = [x[:, : self.n_numeric, None] * self.weight + self.bias]
        spans = zip(self.categorical_slices, self.embeddings, strict=True)
        for (start, stop), embed in spans:
            tokens.append(embed(x[:, start:stop])[:, None])
        return torch.cat(tokens, dim=1)


class ColumnReconstructor(nn.Module):
    """Each column read back from its own token: the inverse of the tokenizer.

    Numeric column ``j`` is ``<h_j, w_j> + b_j``; categorical span ``k`` gets
    logits from a linear head on its token.

    Parameters
    ----------
    n_numeric : int
        Number of numeric columns.
    categorical_slices : sequence of (start, stop)
        Encoded slices of the categorical spans.
    d_token : int
        Width of each token.
    """

    def __init__(
        self, n_numeric: int, categorical_slices: Sequence[Span], d_token: int
    ):
        super().__init__()
        self.n_numeric = n_numeric
        self.weight = _uniform(n_numeric, d_token)
        self.bias = nn.Parameter(torch.zeros(n_numeric))
        self.heads = nn.ModuleList(
            nn.Linear(d_token, stop - start) for start, stop in categorical_slices
        )

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Numeric values, then each span's logits, from ``(n, n_columns, d)``."""
        n_numeric = self.n_numeric
        out = [(h[:, :n_numeric] * self.weight).sum(-1) + self.bias]
        for k, head in enumerate(self.heads):
            out.append(head(h[:, n_numeric + k]))
        return torch.cat(out, dim=1)


def _transformer(d_token: int, n_heads: int, ffn_widths: Sequence[int]) -> nn.Module:
    """Pre-norm Transformer layers, one per FFN width, without dropout (TabSyn)."""
    return nn.Sequential(
        *(
            nn.TransformerEncoderLayer(
                d_token,
                n_heads,
                dim_feedforward=width,
                dropout=0.0,
                activation="relu",
                batch_first=True,
                norm_first=True,
            )
            for width in ffn_widths
        )
    )


class TokenTransformerVAE(SpanVAE):
    """β-VAE with a per-column tokenizer and Transformer encoder and decoder.

    The encoder tokenizes a row (:class:`ColumnTokenizer`), appends a class
    token when conditional, mixes the tokens with Transformer layers and maps
    the flattened tokens to the posterior mean and log-variance. The decoder
    maps a latent back to one token per column, appends its own class token,
    mixes them with Transformer layers of the same shape and reads each column
    from its token (:class:`ColumnReconstructor`). Training uses the loss of
    :class:`~ldm_oversample.nn.SpanVAE`, as for
    :class:`~ldm_oversample.nn.TabularVAE`.

    Parameters
    ----------
    n_numeric : int
        Number of numeric columns.
    categorical_slices : sequence of (start, stop)
        Encoded slices of the categorical spans.
    latent_dim : int
        Width of the latent.
    hidden_dims : sequence of int, default=(128, 128)
        One Transformer layer per entry, whose value is that layer's
        feed-forward width (TabSyn: two layers of 128), in the encoder and in
        the decoder.
    n_classes : int, default=0
        Number of classes to condition on; 0 gives an unconditional VAE.
    d_token : int, default=4
        Width of each column's token (TabSyn's 4).
    n_heads : int, default=1
        Attention heads per layer; must divide ``d_token``.
    """

    def __init__(
        self,
        n_numeric: int,
        categorical_slices: Sequence[tuple[int, int]],
        latent_dim: int,
        hidden_dims: Sequence[int] = (128, 128),
        n_classes: int = 0,
        d_token: int = 4,
        n_heads: int = 1,
    ):
        super().__init__(
            n_numeric,
            categorical_slices,
            latent_dim,
            n_classes,
            hidden_dims=tuple(hidden_dims),
            d_token=d_token,
            n_heads=n_heads,
        )
        self.d_token = d_token
        self.n_columns = n_numeric + len(self.categorical_slices)
        n_tokens = self.n_columns + (1 if n_classes else 0)
        self.tokenizer = ColumnTokenizer(n_numeric, self.categorical_slices, d_token)
        self.encoder = _transformer(d_token, n_heads, hidden_dims)
        self.to_latent = nn.Linear(n_tokens * d_token, 2 * latent_dim)
        self.from_latent = nn.Linear(latent_dim, self.n_columns * d_token)
        self.decoder = _transformer(d_token, n_heads, hidden_dims)
        self.reconstructor = ColumnReconstructor(
            n_numeric, self.categorical_slices, d_token
        )
        # Separate class tokens: the encoder's says which class a row is from,
        # the decoder's what is typical of the class to decode into.
        self.class_tokens = nn.ModuleList(
            nn.Embedding(n_classes, d_token) for _ in range(2 if n_classes else 0)
        )

    def _with_class(
        self, tokens: torch.Tensor, y: torch.Tensor | None, which: int
    ) -> torch.Tensor:
        if not self.n_classes:
            return tokens
        if y is None:
            raise ValueError("This conditional VAE needs class labels y.")
        return torch.cat([tokens, self.class_tokens[which](y)[:, None]], dim=1)

    def encode(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(self._with_class(self.tokenizer(x), y, 0))
        mu, logvar = self.to_latent(h.flatten(1)).chunk(2, dim=1)
        return mu, logvar.clamp(-20.0, 10.0)

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        tokens = self.from_latent(z).view(len(z), self.n_columns, self.d_token)
        h = self.decoder(self._with_class(tokens, y, 1))
        return self.reconstructor(h[:, : self.n_columns])
