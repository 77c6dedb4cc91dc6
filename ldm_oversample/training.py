"""The one training loop shared by every torch model of the package."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from tqdm.auto import tqdm

from .utils import progress_enabled, progress_interval

#: torch builds the fused AdamW kernel for the CPU from 2.4 on.
_TORCH = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])
_FUSED_CPU = _TORCH >= (2, 4)

__all__ = ["TrainingDivergedError", "train_module"]


class TrainingDivergedError(ValueError, FloatingPointError):
    """Raised when a training loss becomes NaN or infinite."""


def train_module(
    module: torch.nn.Module,
    loss_fn: Callable[..., torch.Tensor] | None,
    data: Sequence[torch.Tensor],
    *,
    max_epochs: int,
    batch_size: int,
    learning_rate: float | None = None,
    generator: torch.Generator,
    weight_decay: float = 0.0,
    patience: int | None = None,
    tol: float = 1e-3,
    grad_clip: float | None = 1.0,
    row_weights: torch.Tensor | None = None,
    ema_decay: float | None = None,
    verbose: bool | str = False,
    desc: str = "training",
    update_fn: Callable[..., torch.Tensor | float] | None = None,
    drop_last: bool = False,
    epoch_size: int | None = None,
    max_steps: int | None = None,
) -> list[float]:
    """Train ``module`` with AdamW on in-memory tensors, with early stopping.

    Each epoch visits ``n`` rows in mini-batches, in an order drawn from
    ``generator`` (a permutation, or ``n`` draws with replacement by
    ``row_weights``). Training stops early when an exponential moving average of
    the epoch loss has not improved by a relative ``tol`` for ``patience`` epochs.

    Models that need their own optimisation step, such as a GAN's alternating
    discriminator and generator updates, pass ``update_fn`` instead of
    ``loss_fn``: the loop then draws the batches, records the losses, checks
    for divergence, stops early, keeps the EMA and shows progress as usual, and
    ``update_fn`` does the optimisation of each batch.

    Parameters
    ----------
    module : nn.Module
        The model whose parameters are optimised (in place). With ``update_fn``,
        the module whose train/eval mode the loop sets and whose parameters the
        EMA tracks.
    loss_fn : callable or None
        ``loss_fn(*batch, generator=generator)`` returning a scalar loss tensor.
        None when ``update_fn`` is given.
    data : sequence of Tensor
        Tensors sharing their first dimension, already on the training device.
    max_epochs : int
        Maximum number of passes over the data.
    batch_size : int
        Rows per optimisation step (capped at the rows drawn per epoch).
    learning_rate : float or None, default=None
        AdamW learning rate; required with ``loss_fn``, unused with ``update_fn``.
    generator : torch.Generator
        Source of the batch order; also passed to ``loss_fn``.
    weight_decay : float, default=0.0
        AdamW weight decay.
    patience : int or None, default=None
        Epochs without improvement before stopping; None disables early stopping.
    tol : float, default=1e-3
        Minimal relative improvement of the smoothed loss.
    grad_clip : float or None, default=1.0
        Maximal gradient norm.
    row_weights : Tensor of shape (n,), optional
        Sampling weights of the rows (for example to balance classes).
    ema_decay : float or None, default=None
        If set, keep an exponential moving average of the parameters (with the
        usual warm-up ``min(decay, (1 + step) / (10 + step))``) and load it into
        the module at the end; standard for diffusion models.
    verbose : bool or "auto", default=False
        Show a tqdm progress bar; ``"auto"`` shows it only where a person is
        watching (see :func:`ldm_oversample.utils.progress_enabled`).
    desc : str, default="training"
        Label of the progress bar.
    update_fn : callable or None, default=None
        ``update_fn(*batch, generator=generator)`` that performs its own
        optimisation step(s) on the batch (backward passes, optimiser steps,
        gradient clipping) and returns the loss to record, as a float or a
        tensor. Exclusive with ``loss_fn``; the loop then creates no optimiser
        and ignores ``learning_rate``, ``weight_decay`` and ``grad_clip``.
    drop_last : bool, default=False
        Skip the last batch of an epoch when it is smaller than ``batch_size``
        (for models that need a fixed batch shape, such as PacGAN).
    epoch_size : int or None, default=None
        Rows drawn per epoch; None is ``n``. Values above ``n`` need
        ``row_weights`` (rows are then drawn with replacement).
    max_steps : int or None, default=None
        Stop after this many optimisation steps, even inside an epoch (whose
        mean loss is then over the batches that ran). Bounds the cost on large
        tables, where ``max_epochs`` passes would mean many more steps than a
        small table needs. None: only ``max_epochs`` limits training.

    Returns
    -------
    history : list of float
        Mean training loss of each epoch that ran.

    Raises
    ------
    TrainingDivergedError
        If the loss becomes NaN or infinite.
    """
    if (loss_fn is None) == (update_fn is None):
        raise ValueError("Pass exactly one of loss_fn and update_fn.")
    n = data[0].shape[0]
    n_draws = n if epoch_size is None else int(epoch_size)
    if n_draws < 1 or (n_draws > n and row_weights is None):
        raise ValueError(
            f"epoch_size={epoch_size} must be between 1 and the {n} rows, or "
            "larger with row_weights (draws with replacement)."
        )
    batch_size = max(1, min(batch_size, n_draws))
    optimizer = None
    if update_fn is None:
        if learning_rate is None:
            raise ValueError("learning_rate is required with loss_fn.")
        # The fused kernel updates every parameter in one pass: on small
        # networks the per-tensor optimiser loop otherwise costs as much as
        # the backward pass. On the CPU it needs torch 2.4.
        device_type = data[0].device.type
        optimizer = torch.optim.AdamW(
            module.parameters(),
            lr=learning_rate,
            weight_decay=weight_decay,
            fused=device_type == "cuda" or (device_type == "cpu" and _FUSED_CPU),
        )
    gen_device = generator.device
    history: list[float] = []
    best = math.inf
    smoothed: float | None = None
    stale = 0
    params = [p for p in module.parameters() if p.requires_grad]
    ema = [p.detach().clone() for p in params] if ema_decay else None
    step = 0
    module.train()
    bar = tqdm(
        range(max_epochs),
        desc=desc,
        disable=not progress_enabled(verbose),
        leave=False,
        mininterval=progress_interval(),
    )
    for epoch in bar:
        if row_weights is None:
            order = torch.randperm(n, generator=generator, device=gen_device)
            order = order[:n_draws]
        else:
            order = torch.multinomial(
                row_weights.to(gen_device),
                n_draws,
                replacement=True,
                generator=generator,
            )
        order = order.to(data[0].device)
        total = torch.zeros((), device=data[0].device)
        n_batches = 0
        stop = n_draws - n_draws % batch_size if drop_last else n_draws
        for start in range(0, stop, batch_size):
            idx = order[start : start + batch_size]
            batch = (d[idx] for d in data)
            if update_fn is not None:
                loss = torch.as_tensor(update_fn(*batch, generator=generator))
            else:
                # Both are set when update_fn is None (checked above).
                assert loss_fn is not None and optimizer is not None
                loss = loss_fn(*batch, generator=generator)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if grad_clip is not None:
                    torch.nn.utils.clip_grad_norm_(module.parameters(), grad_clip)
                optimizer.step()
            if ema is not None and ema_decay is not None:
                decay = min(ema_decay, (1 + step) / (10 + step))
                with torch.no_grad():
                    for e, p in zip(ema, params, strict=True):
                        e.lerp_(p, 1.0 - decay)
            step += 1
            total += loss.detach().to(total.device)
            n_batches += 1
            if max_steps is not None and step >= max_steps:
                break
        epoch_loss = float(total) / n_batches
        if not math.isfinite(epoch_loss):
            raise TrainingDivergedError(
                f"The {desc} loss became {epoch_loss} at epoch {epoch + 1}; lower "
                + (
                    f"learning_rate (currently {learning_rate:g})"
                    if learning_rate is not None
                    else "the learning rates"
                )
                + " or check the input for extreme values."
            )
        history.append(epoch_loss)
        # No forced redraw: the bar redraws on its own clock (progress_interval).
        bar.set_postfix(loss=f"{epoch_loss:.4f}", refresh=False)
        if max_steps is not None and step >= max_steps:
            break
        smoothed = epoch_loss if smoothed is None else 0.9 * smoothed + 0.1 * epoch_loss
        if not math.isfinite(best) or smoothed < best - tol * abs(best):
            best = smoothed
            stale = 0
        else:
            stale += 1
            if patience is not None and stale >= patience:
                break
    bar.close()
    if ema is not None:
        with torch.no_grad():
            for p, e in zip(params, ema, strict=True):
                p.copy_(e)
    module.eval()
    return history
