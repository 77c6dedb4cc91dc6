"""Pieces shared by the two diffusion samplers (latent and data space).

Both samplers train the same class-conditional :class:`MLPDenoiser` with the one
training loop, on the same capped and (optionally) class-balanced training rows;
only the space they diffuse in differs. Keeping that here keeps the
LDM-vs-data-space comparison fair.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch

from .._compat import Interval, StrOptions
from .._rows import RowSource
from ..diffusion.pipeline import CandidateFilter, DiffusionPipeline
from ..diffusion.runner import PRECISIONS, resolve_precision
from ..nn import MLPDenoiser, RowClassifier
from ..tabular import TabularEncoder
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
    "max_steps": [Interval(Integral, 1, None, closed="left"), None],
    "max_rows_per_class": [Interval(Integral, 1, None, closed="left")],
    "precision": [StrOptions(set(PRECISIONS))],
    "spread_ties": ["boolean"],
    "quantile_balance": [Interval(Real, 0, 1, closed="both")],
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
    """Training-set preparation and denoiser training, and generation through a
    :class:`~ldm_oversample.diffusion.pipeline.DiffusionPipeline` that each
    sampler assembles from its fitted parts (:meth:`_pipeline`), for samplers
    with the :data:`DIFFUSION_CONSTRAINTS` parameters."""

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
    quantile_balance: float
    candidate_factor: int
    filter_: RowClassifier | None
    encoder_: TabularEncoder
    denoiser_: MLPDenoiser
    _device: Callable[[], torch.device]
    _encoded_rows: Callable[..., RowSource]

    def _guidance(self) -> tuple[float, float]:
        """``(cond_dropout, guidance_scale)``: none in the base recipe; the
        LDM overrides it with its parameters."""
        return 0.0, 0.0

    def _make_encoder(self, seed: int) -> TabularEncoder:
        return TabularEncoder(
            categorical_features=self.categorical_features,
            discrete_features=self.discrete_features,
            spread_ties=self.spread_ties,
            quantile_balance=self.quantile_balance,
            random_state=seed,
        )

    #: Parameters read only when rows are generated: a fitted sampler takes new
    #: values with ``set_params``, and :class:`~ldm_oversample.model_selection.
    #: SamplingSearchCV` sweeps them without refitting.
    _sampling_parameters: tuple[str, ...] = ("n_sampling_steps", "eta", "precision")

    def _check_diffusion_params(self) -> None:
        """The checks a fit makes, and a change of sampling parameters must pass."""
        if self.n_sampling_steps > self.n_timesteps:
            raise ValueError(
                f"n_sampling_steps={self.n_sampling_steps} exceeds "
                f"n_timesteps={self.n_timesteps}."
            )
        cond_dropout, guidance_scale = self._guidance()
        if guidance_scale > 0 and cond_dropout == 0:
            raise ValueError(
                f"guidance_scale={guidance_scale} needs an unconditional model; "
                "set cond_dropout > 0 (for example 0.1) to train one."
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
        """Run the shared training loop with this sampler's settings (which
        ``kwargs`` may override for one stage, such as its ``max_epochs``)."""
        settings = {
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "patience": self.patience,
            "max_steps": self.max_steps,
            "verbose": self.verbose,
        }
        return train_module(
            module,
            loss_fn,
            data,
            row_weights=row_weights,
            generator=make_generator(seed, device),
            desc=desc,
            **(settings | kwargs),
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

    # ---------------------------------------------------------- generation
    @abstractmethod
    def _pipeline(self, device: torch.device) -> DiffusionPipeline:
        """The fitted parts put together for generation on ``device``."""

    def _candidate_filter(self) -> CandidateFilter | None:
        """The over-generation filter, or None without one."""
        # getattr: model files saved before the filter existed lack filter_.
        classifier = getattr(self, "filter_", None)
        if classifier is None:
            return None
        spans = [(s.start, s.stop) for s in self.encoder_.categorical_spans]
        return CandidateFilter(classifier, self.candidate_factor, spans)

    def _sampling_options(self, device: torch.device) -> dict[str, Any]:
        """The :class:`DiffusionPipeline` settings read from the parameters."""
        return {
            "n_steps": self.n_sampling_steps,
            "guidance_scale": self._guidance()[1],
            "precision": resolve_precision(self.precision, device),
        }

    def _pipeline_options(self, device: torch.device) -> dict[str, Any]:
        """The :class:`DiffusionPipeline` settings both samplers share."""
        return {
            **self._sampling_options(device),
            "denoiser": self.denoiser_,
            "candidates": self._candidate_filter(),
        }

    def _row_source(self, class_index: int) -> RowSource:
        device = self._device()
        return self._encoded_rows(self._pipeline(device).drawer(class_index, device))
