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

from .._compat import Interval, StrOptions
from ..diffusion.runner import (
    PRECISIONS,
    conditional_model_fn,
    matmul_precision,
    resolve_precision,
)
from ..diffusion.solvers import DDIMSolver, run_solver
from ..nn import MLPDenoiser, RowClassifier
from ..tabular import TabularEncoder
from ..training import train_module
from ..utils import make_generator, module_on, seeded_torch

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
    "max_steps": [Interval(Integral, 1, None, closed="left"), None],
    "max_rows_per_class": [Interval(Integral, 1, None, closed="left")],
    "precision": [StrOptions(set(PRECISIONS))],
    "spread_ties": ["boolean"],
    "candidate_factor": [Interval(Integral, 1, None, closed="left")],
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

    # What the mixin reads from the sampler it is mixed into. Annotations only
    # (no class attributes): the sampler's __init__ and fit set the values, and
    # BaseGenerativeOverSampler or the sampler itself defines the methods.
    denoiser_width: int
    denoiser_depth: int
    n_timesteps: int
    n_sampling_steps: int
    class_balance: float
    max_epochs: int
    batch_size: int
    learning_rate: float
    patience: int | None
    max_steps: int | None
    max_rows_per_class: int
    precision: str
    verbose: bool | str
    categorical_features: Any
    discrete_features: Any
    spread_ties: bool
    candidate_factor: int
    filter_: RowClassifier | None
    encoder_: TabularEncoder
    denoiser_: MLPDenoiser
    _device: Callable[[], torch.device]
    _make_solver: Callable[[], DDIMSolver]
    _prior_sample: Callable[[int, torch.device, torch.Generator], torch.Tensor]
    _decode_samples: Callable[[torch.Tensor, int], torch.Tensor]

    def _guidance(self) -> tuple[float, float]:
        """``(cond_dropout, guidance_scale)``: none in the base recipe; the
        LDM overrides it with its parameters."""
        return 0.0, 0.0

    def _make_encoder(self, seed: int) -> TabularEncoder:
        return TabularEncoder(
            categorical_features=self.categorical_features,
            discrete_features=self.discrete_features,
            spread_ties=self.spread_ties,
            random_state=seed,
        )

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
            max_steps=self.max_steps,
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
        dropout, _ = self._guidance()

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

    def _fit_filter(self, x, labels, n_classes, seed, device):
        """The classifier that rates candidate rows, or None without
        over-generation (``candidate_factor=1``).

        Trained on the encoded real rows ``x`` with class-balanced batches, so
        that its rating of a row does not lean to the larger class.
        """
        if self.candidate_factor <= 1:
            return None
        with seeded_torch(seed, device):
            classifier = RowClassifier(x.shape[1], n_classes).to(device)
        counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
        weights = torch.as_tensor(counts[labels] ** -1.0, dtype=torch.float32)
        y_t = torch.as_tensor(labels, dtype=torch.long, device=device)
        self._train(
            classifier,
            lambda xb, yb, generator: torch.nn.functional.cross_entropy(
                classifier(xb), yb
            ),
            [x, y_t],
            seed,
            device,
            weights,
            f"{type(self).__name__}: training the candidate filter",
        )
        return classifier.eval()

    def _keep_typical(self, rows, class_index: int, n: int, generator):
        """``n`` of ``rows`` (encoded, decoded from the generator), in their
        generated order: drawn at random among those that :attr:`filter_`
        assigns to ``class_index`` (P >= 1/2), topped up with the best rated
        when fewer are. Taking only the best rated would push the rows to the
        extremes of the class, away from the boundary a detector must learn."""
        scored = rows.clone()
        for span in self.encoder_.categorical_spans:
            # The filter saw one-hot categories; the decoder gives logits.
            block = scored[:, span.start : span.stop]
            block.copy_(
                torch.nn.functional.one_hot(block.argmax(1), block.shape[1]).to(
                    block.dtype
                )
            )
        assert self.filter_ is not None  # only called with a filter
        filter_ = module_on(self.filter_, rows.device)
        proba = torch.softmax(filter_(scored), dim=1)[:, class_index]
        # Random order among the accepted rows, then the rest by rating.
        noise = torch.rand(len(rows), device=rows.device, generator=generator)
        key = torch.where(proba >= 0.5, 2.0 + noise, proba)
        keep = torch.topk(key, n).indices.sort().values
        return rows[keep]

    # ---------------------------------------------------------- generation
    # Subclasses provide _make_solver(), _prior_sample(n, device, generator)
    # and _decode_samples(x0, class_index).

    def _chunk_drawer(self, class_index: int) -> Callable[..., np.ndarray]:
        """``draw(n_samples, generator)``: ``n_samples`` encoded rows of one class.

        The solver and the per-step conditioning are built once per call and
        reused for every chunk. (Capturing the loop as a CUDA graph,
        :class:`~ldm_oversample.diffusion.runner.CUDAGraphRun`, measured no
        faster at these chunk sizes: ``benchmarks/gpu_sampling.md``.)
        """
        device = self._device()
        denoiser = module_on(self.denoiser_, device)
        solver = self._make_solver()
        solver.set_timesteps(self.n_sampling_steps)
        precision = resolve_precision(self.precision, device)
        with torch.inference_mode():
            model_fn = conditional_model_fn(
                denoiser,
                class_index,
                solver.timesteps,
                guidance_scale=self._guidance()[1],
                precision=precision,
            )

        # getattr: model files saved before the filter existed lack filter_.
        factor = self.candidate_factor if getattr(self, "filter_", None) else 1

        @torch.inference_mode()
        def draw(n_samples: int, generator: torch.Generator) -> np.ndarray:
            with matmul_precision(precision):
                x_T = self._prior_sample(factor * n_samples, device, generator)
                x_0 = run_solver(solver, model_fn, x_T, generator)
                rows = self._decode_samples(x_0, class_index).float()
                if factor > 1:
                    rows = self._keep_typical(rows, class_index, n_samples, generator)
                return rows.cpu().numpy()

        return draw

    def _generate_encoded(self, n_samples, class_index, generator) -> np.ndarray:
        return self._chunk_drawer(class_index)(n_samples, generator)
