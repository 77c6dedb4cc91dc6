"""Pieces shared by the two diffusion samplers (latent and data space).

Both samplers train the same class-conditional :class:`MLPDenoiser` with the one
training loop, on the same capped and (optionally) class-balanced training rows;
only the space they diffuse in differs. Keeping that here keeps the
LDM-vs-data-space comparison fair.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ..nn import MLPDenoiser
from ..training import train_module
from ..utils import make_generator, seeded_torch

__all__ = ["DIFFUSION_CONSTRAINTS", "DiffusionSamplerMixin", "cap_rows_per_class"]

#: Parameter constraints common to the diffusion samplers.
DIFFUSION_CONSTRAINTS: dict = {
    "denoiser_width": [Interval(Integral, 1, None, closed="left")],
    "denoiser_depth": [Interval(Integral, 0, None, closed="left")],
    "n_timesteps": [Interval(Integral, 1, None, closed="left")],
    "noise_schedule": [StrOptions({"cosine", "linear"})],
    "prediction_type": [StrOptions({"epsilon", "v"})],
    "n_sampling_steps": [Interval(Integral, 1, None, closed="left")],
    "eta": [Interval(Real, 0, None, closed="left")],
    "class_balance": [Interval(Real, 0, 1, closed="both")],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left"), None],
    "max_rows_per_class": [Interval(Integral, 1, None, closed="left")],
}


def cap_rows_per_class(y: np.ndarray, cap: int, seed: int) -> np.ndarray:
    """Sorted indices of the training rows: all of them, or ``cap`` per class."""
    rng = np.random.default_rng(seed)
    keep = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        if len(idx) > cap:
            idx = np.sort(rng.choice(idx, size=cap, replace=False))
        keep.append(idx)
    return np.sort(np.concatenate(keep))


class DiffusionSamplerMixin:
    """Training-set preparation, denoiser training and the conditional network
    function, for samplers with the :data:`DIFFUSION_CONSTRAINTS` parameters."""

    def _check_diffusion_params(self) -> None:
        if self.n_sampling_steps > self.n_timesteps:
            raise ValueError(
                f"n_sampling_steps={self.n_sampling_steps} exceeds "
                f"n_timesteps={self.n_timesteps}."
            )

    def _training_set(self, X, y, classes, seed: int):
        """Rows to train on (majority capped), class indices, and row weights."""
        rows = cap_rows_per_class(y, self.max_rows_per_class, seed)
        X_fit = X.iloc[rows] if hasattr(X, "iloc") else X[rows]
        labels = np.searchsorted(classes, y[rows])
        weights = None
        if self.class_balance > 0:
            counts = np.bincount(labels, minlength=len(classes)).astype(np.float64)
            weights = torch.as_tensor(
                counts[labels] ** -self.class_balance, dtype=torch.float32
            )
        return X_fit, labels, weights

    def _train(self, module, loss_fn, data, seed, device, row_weights, desc, **kwargs):
        """Run the shared training loop with this sampler's settings."""
        return train_module(
            module,
            loss_fn,
            data,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            patience=self.patience,
            row_weights=row_weights,
            generator=make_generator(seed, device),
            verbose=self.verbose,
            desc=desc,
            **kwargs,
        )

    def _fit_denoiser(
        self, process, x, labels, n_classes, seed, device, row_weights, desc, **kwargs
    ) -> tuple[MLPDenoiser, list[float]]:
        """Build and train the class-conditional denoiser on ``x`` with ``process``.

        ``process`` is any object with ``loss(model, x0, generator, y=...)``.
        """
        with seeded_torch(seed, device):
            denoiser = MLPDenoiser(
                x.shape[1], n_classes, self.denoiser_width, self.denoiser_depth
            ).to(device)
        dropout = getattr(self, "cond_dropout", 0.0)

        def loss_fn(xb, yb, generator):
            if dropout > 0:
                drop = torch.rand(yb.shape, device=yb.device, generator=generator)
                yb = torch.where(drop < dropout, denoiser.null_class, yb)
            return process.loss(denoiser, xb, generator, y=yb)

        y_t = torch.as_tensor(labels, dtype=torch.long, device=device)
        history = self._train(
            denoiser, loss_fn, [x, y_t], seed, device, row_weights, desc, **kwargs
        )
        return denoiser, history

    @staticmethod
    def _conditional_fn(
        denoiser: MLPDenoiser, labels: torch.Tensor, guidance_scale: float = 0.0
    ) -> Callable[[torch.Tensor, int], Any]:
        """``model_fn(x, t)`` for a solver, with optional classifier-free guidance."""
        w = guidance_scale
        cond = labels
        if w > 0:
            cond = torch.cat([labels, torch.full_like(labels, denoiser.null_class)])

        def model_fn(x, t):
            x_in = torch.cat([x, x]) if w > 0 else x
            t_vec = torch.full((x_in.shape[0],), t, dtype=torch.long, device=x.device)
            out = denoiser(x_in, t_vec, cond)
            if w > 0:
                out_c, out_u = out.chunk(2)
                out = (1 + w) * out_c - w * out_u
            return out

        return model_fn
