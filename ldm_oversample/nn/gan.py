"""CTGAN's networks (Xu et al., 2019): residual generator, PacGAN critic, WGAN-GP.

The generator ends in one activation per encoded segment of a
:class:`~ldm_oversample.TabularEncoder` layout: ``tanh`` for the scalar ``alpha``
of a mode-specific numeric column, Gumbel-softmax for its mode one-hot and for
each categorical one-hot, identity for a quantile-normal numeric column. Every
random draw (Gumbel noise, dropout masks, gradient-penalty mixing) takes an
explicit :class:`torch.Generator`, so that training is reproducible without
touching torch's global random state.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "PacDiscriminator",
    "Residual",
    "ResidualGenerator",
    "gradient_penalty",
    "gumbel_softmax",
    "span_activations",
]


def span_activations(layout: Sequence) -> list[tuple[int, int, str]]:
    """Output segments of a generator for an encoder layout.

    Parameters
    ----------
    layout : sequence of ColumnSpan
        ``TabularEncoder.layout_``.

    Returns
    -------
    segments : list of (start, stop, activation)
        ``activation`` is ``"tanh"`` (alpha of a mode-specific numeric column),
        ``"softmax"`` (its mode one-hot, or a categorical one-hot) or
        ``"identity"`` (a quantile-normal numeric column). Categorical segments
        are flagged ``"softmax_categorical"`` so that the condition loss can find
        them.
    """
    segments = []
    for span in layout:
        if span.kind == "categorical":
            segments.append((span.start, span.stop, "softmax_categorical"))
        elif span.width == 1:
            segments.append((span.start, span.stop, "identity"))
        else:
            segments.append((span.start, span.start + 1, "tanh"))
            segments.append((span.start + 1, span.stop, "softmax"))
    return segments


def gumbel_softmax(
    logits: torch.Tensor,
    tau: float = 0.2,
    generator: torch.Generator | None = None,
    dim: int = -1,
) -> torch.Tensor:
    """Soft Gumbel-softmax sample, ``softmax((logits + g) / tau)``.

    The Gumbel noise ``g = -log(E)``, ``E ~ Exp(1)``, is drawn from
    ``generator``; as in :func:`torch.nn.functional.gumbel_softmax`, which cannot
    take a generator. Small ``tau`` gives nearly one-hot rows.

    Parameters
    ----------
    logits : Tensor
        Unnormalised log-probabilities; ``-inf`` entries get probability 0.
    tau : float, default=0.2
        Temperature.
    generator : torch.Generator, optional
        Source of the Gumbel noise.
    dim : int, default=-1
        Dimension to normalise over.

    Returns
    -------
    probs : Tensor of the shape of ``logits``
        Sums to 1 along ``dim``.
    """
    exponential = torch.empty_like(logits).exponential_(generator=generator)
    gumbels = -exponential.clamp_min(torch.finfo(logits.dtype).tiny).log()
    return F.softmax((logits + gumbels) / tau, dim=dim)


class _SegmentIndex(nn.Module):
    """Positions of equal-role segments, padded to a rectangle for batched ops."""

    # Buffers (register_buffer), declared for type checkers.
    index: torch.Tensor
    mask: torch.Tensor

    def __init__(self, segments: Sequence[tuple[int, int]]):
        super().__init__()
        width = max((stop - start for start, stop in segments), default=0)
        index = torch.zeros((len(segments), width), dtype=torch.long)
        mask = torch.zeros((len(segments), width), dtype=torch.bool)
        for k, (start, stop) in enumerate(segments):
            index[k, : stop - start] = torch.arange(start, stop)
            mask[k, : stop - start] = True
        self.register_buffer("index", index, persistent=False)
        self.register_buffer("mask", mask, persistent=False)

    def __len__(self) -> int:
        return self.index.shape[0]

    def gather(self, x: torch.Tensor, fill: float) -> torch.Tensor:
        """(n, d) -> (n, n_segments, width), padding with ``fill``."""
        return x[:, self.index].masked_fill(~self.mask, fill)


class Residual(nn.Module):
    """CTGAN's residual block: ``cat([relu(bn(linear(x))), x])``.

    Parameters
    ----------
    n_in : int
        Width of the input ``x``.
    n_out : int
        Width of the linear layer; the block outputs ``n_in + n_out`` columns.
    """

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.fc = nn.Linear(n_in, n_out)
        self.bn = nn.BatchNorm1d(n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([F.relu(self.bn(self.fc(x))), x], dim=1)


class ResidualGenerator(nn.Module):
    """CTGAN's generator: residual blocks, then one activation per segment.

    Parameters
    ----------
    embedding_dim : int
        Width of the input noise ``z``.
    cond_dim : int
        Width of the conditional vector appended to ``z``.
    hidden_dims : sequence of int
        Widths of the residual blocks (each block's input is concatenated to its
        output, so widths accumulate).
    segments : list of (start, stop, activation)
        From :func:`span_activations`; they tile ``[0, data_dim)``.
    tau : float, default=0.2
        Gumbel-softmax temperature.
    """

    # Buffer (register_buffer), declared for type checkers.
    tanh_index: torch.Tensor

    def __init__(
        self,
        embedding_dim: int,
        cond_dim: int,
        hidden_dims: Sequence[int],
        segments: Sequence[tuple[int, int, str]],
        tau: float = 0.2,
    ):
        super().__init__()
        #: Constructor arguments, for saving (see ldm_oversample.persistence).
        self.config = dict(
            embedding_dim=embedding_dim,
            cond_dim=cond_dim,
            hidden_dims=tuple(hidden_dims),
            segments=[tuple(s) for s in segments],
            tau=tau,
        )
        self.embedding_dim = int(embedding_dim)
        self.cond_dim = int(cond_dim)
        self.tau = float(tau)
        self.data_dim = max((stop for _, stop, _ in segments), default=0)
        blocks: list[nn.Module] = []
        dim = self.embedding_dim + self.cond_dim
        for width in hidden_dims:
            blocks.append(Residual(dim, int(width)))
            dim += int(width)
        blocks.append(nn.Linear(dim, self.data_dim))
        self.seq = nn.Sequential(*blocks)
        tanh = [s for s in segments if s[2] == "tanh"]
        self.register_buffer(
            "tanh_index",
            torch.tensor([s[0] for s in tanh], dtype=torch.long),
            persistent=False,
        )
        self.softmax = _SegmentIndex(
            [(a, b) for a, b, kind in segments if kind.startswith("softmax")]
        )
        self.categorical = _SegmentIndex(
            [(a, b) for a, b, kind in segments if kind == "softmax_categorical"]
        )

    def forward(self, z_cond: torch.Tensor) -> torch.Tensor:
        """Raw outputs (logits for the softmax segments) of ``[z, cond]``."""
        return self.seq(z_cond)

    def activate(
        self, raw: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Apply tanh and Gumbel-softmax to the raw outputs, segment by segment.

        Parameters
        ----------
        raw : Tensor of shape (n, data_dim)
            Output of :meth:`forward`.
        generator : torch.Generator, optional
            Source of the Gumbel noise.

        Returns
        -------
        out : Tensor of shape (n, data_dim)
            ``tanh`` on the ``"tanh"`` segments, Gumbel-softmax (temperature
            ``tau``) on each softmax segment, ``raw`` unchanged elsewhere.
        """
        out = raw.clone()
        if len(self.tanh_index):
            out[:, self.tanh_index] = torch.tanh(raw[:, self.tanh_index])
        if len(self.softmax):
            logits = self.softmax.gather(raw, float("-inf"))
            probs = gumbel_softmax(logits, self.tau, generator)
            out[:, self.softmax.index[self.softmax.mask]] = probs[:, self.softmax.mask]
        return out

    def condition_loss(
        self, raw: torch.Tensor, target: torch.Tensor, column_mask: torch.Tensor
    ) -> torch.Tensor:
        """CTGAN's penalty for not producing the conditioned category.

        Cross-entropy of each categorical segment's logits against the category
        one-hot ``target``, kept only for the column of each row that was
        conditioned on, summed and divided by the batch size.

        Parameters
        ----------
        raw : Tensor of shape (n, data_dim)
            Output of :meth:`forward` (logits on the softmax segments).
        target : Tensor of shape (n, data_dim)
            One-hot of the conditioned category in the categorical segments,
            zero elsewhere.
        column_mask : Tensor of shape (n, n_categorical)
            1 for the categorical column each row was conditioned on, else 0.

        Returns
        -------
        loss : Tensor
            Scalar (0 when there is no categorical segment).
        """
        if not len(self.categorical):
            return raw.new_zeros(())
        logits = self.categorical.gather(raw, float("-inf"))
        labels = self.categorical.gather(target, 0.0).argmax(dim=2)
        log_probs = F.log_softmax(logits, dim=2)
        nll = -log_probs.gather(2, labels[..., None])[..., 0]
        return (nll * column_mask).sum() / raw.shape[0]


class PacDiscriminator(nn.Module):
    """CTGAN's critic with PacGAN: ``pac`` rows are judged together.

    ``Linear -> LeakyReLU(0.2) -> Dropout`` per hidden layer, then a linear
    output, applied to groups of ``pac`` consecutive rows concatenated.

    Parameters
    ----------
    input_dim : int
        Width of one row (data plus conditional vector).
    hidden_dims : sequence of int
        Hidden widths.
    pac : int, default=10
        Rows per packed input.
    dropout : float, default=0.5
        Dropout probability after each hidden layer.
    """

    def __init__(
        self,
        input_dim: int,
        hidden_dims: Sequence[int],
        pac: int = 10,
        dropout: float = 0.5,
    ):
        super().__init__()
        #: Constructor arguments, for saving (see ldm_oversample.persistence).
        self.config = dict(
            input_dim=input_dim,
            hidden_dims=tuple(hidden_dims),
            pac=pac,
            dropout=dropout,
        )
        self.input_dim = int(input_dim)
        self.pac = int(pac)
        self.dropout = float(dropout)
        dims = [self.input_dim * self.pac, *(int(h) for h in hidden_dims)]
        self.hidden = nn.ModuleList(
            nn.Linear(dims[k], dims[k + 1]) for k in range(len(dims) - 1)
        )
        self.out = nn.Linear(dims[-1], 1)

    def forward(
        self, x: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Scores of shape ``(n // pac, 1)`` for ``n`` rows (``n % pac == 0``)."""
        if x.shape[0] % self.pac:
            raise ValueError(
                f"PacDiscriminator got {x.shape[0]} rows, not a multiple of "
                f"pac={self.pac}."
            )
        h = x.reshape(-1, self.pac * self.input_dim)
        for layer in self.hidden:
            h = F.leaky_relu(layer(h), 0.2)
            if self.training and self.dropout > 0:
                keep = torch.rand(h.shape, generator=generator, device=h.device)
                h = h * (keep >= self.dropout) / (1.0 - self.dropout)
        return self.out(h)


def gradient_penalty(
    discriminator: PacDiscriminator,
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
    weight: float = 10.0,
) -> torch.Tensor:
    """WGAN-GP penalty ``weight * E[(||grad D(x_hat)|| - 1)^2]`` with PacGAN.

    ``x_hat`` mixes real and fake rows with one uniform weight per pack of
    ``discriminator.pac`` rows, and the gradient norm is taken over each pack,
    as in CTGAN.

    Parameters
    ----------
    discriminator : PacDiscriminator
        The critic ``D``.
    real : Tensor of shape (n, d)
        Real rows (with their conditional vectors); ``n`` is a multiple of
        ``discriminator.pac``.
    fake : Tensor of shape (n, d)
        Generated rows, paired with ``real``.
    generator : torch.Generator, optional
        Source of the mixing weights and of the critic's dropout.
    weight : float, default=10.0
        Multiplier of the penalty (``lambda`` of WGAN-GP).

    Returns
    -------
    penalty : Tensor
        Scalar, differentiable (``create_graph=True``).
    """
    pac = discriminator.pac
    n, d = real.shape
    alpha = torch.rand(
        (n // pac, 1, 1), generator=generator, device=real.device, dtype=real.dtype
    )
    alpha = alpha.expand(n // pac, pac, d).reshape(n, d)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = discriminator(mixed, generator=generator)
    (grads,) = torch.autograd.grad(
        scores, mixed, grad_outputs=torch.ones_like(scores), create_graph=True
    )
    norms = grads.reshape(-1, pac * d).norm(2, dim=1)
    return weight * ((norms - 1) ** 2).mean()
