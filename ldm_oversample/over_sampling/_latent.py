"""How :class:`~ldm_oversample.LDMOverSampler` generates: its fitted parts
assembled into a :class:`~ldm_oversample.diffusion.pipeline.DiffusionPipeline`,
with the teacher denoiser and its solver, or with the distilled student
(``distill_steps``) and deterministic DDIM.

The teacher's latent pipeline (:meth:`LatentGenerationMixin._latent_pipeline`)
is also what the student is distilled from at the end of ``fit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from numbers import Integral
from typing import Any

import torch

from ..diffusion import make_solver
from ..diffusion.distill import distil_denoiser
from ..diffusion.pipeline import (
    ClassPrior,
    DiffusionPipeline,
    GaussianPrior,
    LatentDecoder,
    NoisedRows,
)
from ..diffusion.solvers import check_solver
from ..nn import MLPDenoiser, SpanVAE, TabularVAE, TokenTransformerVAE
from ..utils import make_generator

__all__ = [
    "AUTOENCODERS",
    "AUTO_STUDENT_STEPS",
    "LatentGenerationMixin",
    "class_latents",
    "make_autoencoder",
]

#: Steps of the student that ``distill_steps="auto"`` distils. One step scored
#: the F1 of the 10-step teacher on validation folds of six hard CICIoT2023
#: families (benchmarks/ldm_fast_defaults.md).
AUTO_STUDENT_STEPS = 1

#: The parameters that decide the teacher's rows, and so the student's.
TEACHER_SETTINGS = (
    "solver", "n_sampling_steps", "eta", "noise_temperature", "guidance_scale",
    "lambda_min_clipped",
)  # fmt: skip


#: The autoencoders of ``LDMOverSampler(autoencoder=...)``.
AUTOENCODERS: dict[str, type[SpanVAE]] = {
    "mlp": TabularVAE,
    "transformer": TokenTransformerVAE,
}


def make_autoencoder(
    kind: str, encoder: Any, latent_dim: int, hidden: Sequence[int], n_classes: int
) -> SpanVAE:
    """The ``kind`` of autoencoder for the column layout of a fitted
    :class:`~ldm_oversample.TabularEncoder`."""
    spans = [(s.start, s.stop) for s in encoder.categorical_spans]
    return AUTOENCODERS[kind](
        n_numeric=len(encoder.numeric_spans),
        categorical_slices=spans,
        latent_dim=latent_dim,
        hidden_dims=hidden,
        n_classes=n_classes,
    )


def class_latents(z: torch.Tensor, labels: torch.Tensor, n_classes: int) -> list:
    """The rows of ``z`` of each class index, as float32 arrays (what
    ``strength`` below 1 starts from)."""
    return [z[labels == c].cpu().numpy().astype("float32") for c in range(n_classes)]


class LatentGenerationMixin:
    """Generation for the LDM: the parameters and fitted attributes it reads
    are those of :class:`~ldm_oversample.LDMOverSampler`."""

    # Set by the sampler's __init__ and fit, or defined by its other bases.
    cond_dropout: float
    guidance_scale: float
    solver: str
    eta: float
    lambda_min_clipped: float | None
    latent_dim: int
    noise_temperature: float
    strength: float
    n_timesteps: int
    distill_steps: int | str | None
    verbose: bool | str
    denoiser_: MLPDenoiser
    autoencoder_: torch.nn.Module
    diffusion_: Any
    latent_mean_: Any
    latent_std_: Any
    latent_clip_: float
    class_latents_: list[Any]
    distilled_steps_: int | None
    distilled_from_: dict[str, Any] | None
    precision: str
    classes_: Any
    history_: dict[str, list[float]]
    _sampling_options: Any
    _candidate_filter: Any

    def _guidance(self) -> tuple[float, float]:
        return self.cond_dropout, self.guidance_scale

    def _pipeline(self, device: torch.device) -> DiffusionPipeline:
        pipeline = replace(
            self._latent_pipeline(device, self.denoiser_, self.diffusion_),
            decode=LatentDecoder(
                self.autoencoder_, self.latent_mean_, self.latent_std_
            ),
            candidates=self._candidate_filter(),
        )
        student = self._student()
        if student is None:
            return pipeline
        assert self.distilled_steps_ is not None  # set with student_
        solver = make_solver("ddim", self.diffusion_, clip_sample=self.latent_clip_)
        return replace(
            pipeline,
            denoiser=student,
            solver=solver,
            n_steps=self.distilled_steps_,
            guidance_scale=0.0,
        )

    def _latent_pipeline(
        self, device: torch.device, denoiser, diffusion, clip: float | None = None
    ) -> DiffusionPipeline:
        """The teacher's generation in the latent space, without a decoder."""
        clip = self.latent_clip_ if clip is None else clip
        solver = make_solver(
            self.solver, diffusion, eta=self.eta, clip_sample=clip,
            lambda_min_clipped=self.lambda_min_clipped, strength=self.strength,
        )  # fmt: skip
        prior: ClassPrior = GaussianPrior(self.latent_dim, self.noise_temperature)
        if self.strength < 1:
            alpha, sigma = diffusion.alpha_sigma(solver.first_timestep())
            prior = NoisedRows(
                self.class_latents_, alpha, sigma, self.noise_temperature
            )
        return DiffusionPipeline(
            denoiser=denoiser,
            solver=solver,
            prior=prior,
            **self._sampling_options(device),
        )

    def _teacher_settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in TEACHER_SETTINGS}

    def _distil_settings(self) -> dict[str, Any]:
        """What a distillation depends on: the teacher's settings and the
        precision its pairs are made in (``distilled_from_``)."""
        return {**self._teacher_settings(), "precision": self.precision}

    def _check_diffusion_params(self) -> None:
        super()._check_diffusion_params()  # type: ignore[misc]
        check_solver(self.solver, self.eta)
        steps = self.distill_steps
        if isinstance(steps, Integral) and steps > self.n_timesteps:
            raise ValueError(
                f"distill_steps={self.distill_steps} exceeds "
                f"n_timesteps={self.n_timesteps}."
            )

    def _student_steps(self) -> int | None:
        """The steps of the student a fit distils now, or None for none."""
        if self.strength < 1:  # the student would start from pure noise
            return None
        if self.distill_steps == "auto":
            # A stochastic teacher (eta > 0) has no map from noise to a row.
            return AUTO_STUDENT_STEPS if self.eta == 0 else None
        return self.distill_steps  # type: ignore[return-value]

    def _refresh_student(self) -> None:
        """Distil the student again where its steps or the teacher's settings
        (precision included) changed since, as a fit with them would: how
        :class:`~ldm_oversample.SamplingSearchCV` gives each candidate the rows
        of ``GridSearchCV``'s refit."""
        seed = getattr(self, "distill_seed_", None)
        if seed is None:  # a model file from before students
            return
        steps = self._student_steps()
        learnt = getattr(self, "distilled_from_", None)
        same = learnt == self._distil_settings()
        if steps == self.distilled_steps_ and (steps is None or same):
            return
        device = next(self.denoiser_.parameters()).device
        fitted, losses = self._distil(
            self.denoiser_, self.diffusion_, self.latent_clip_,
            len(self.classes_), seed, device,
        )  # fmt: skip
        for key, value in fitted.items():
            setattr(self, key, value)
        self.history_.pop("distillation", None)
        if losses is not None:
            self.history_["distillation"] = losses

    def _student(self) -> torch.nn.Module | None:
        """The distilled denoiser to sample with, or None for the teacher."""
        # getattr: model files from before distillation have neither.
        student = getattr(self, "student_", None)
        steps = getattr(self, "distill_steps", None)
        # A student learnt the map from pure noise only (strength 1).
        if student is None or steps is None or self.strength < 1:
            return None
        if steps == "auto":
            # The student stands in for the teacher at the settings it learnt
            # from; at other settings the teacher samples.
            learnt = getattr(self, "distilled_from_", None) or {}
            settings = self._teacher_settings()
            same = all(learnt.get(k, object()) == v for k, v in settings.items())
            return student if same else None
        if steps != self.distilled_steps_:
            raise ValueError(
                f"The student was distilled for {self.distilled_steps_} steps, not "
                f"distill_steps={steps}; refit, or set distill_steps=None to "
                "sample with the teacher."
            )
        return student

    def _distil(
        self, denoiser, diffusion, clip: float, n_classes: int, seed, device
    ) -> tuple[dict[str, Any], list[float] | None]:
        """The student's fitted attributes, and its training losses (None
        where ``distill_steps`` asks for no student)."""
        steps = self._student_steps()
        if steps is None:
            none = {"student_": None, "distilled_steps_": None, "distilled_from_": None}
            return {**none, "distill_seed_": seed}, None
        student, history = distil_denoiser(
            self._latent_pipeline(device, denoiser, diffusion, clip),
            diffusion,
            steps,
            n_classes,
            make_generator(seed, device),
            verbose=self.verbose,
        )
        fitted = {
            "student_": student,
            "distilled_steps_": steps,
            "distilled_from_": self._distil_settings(),
            "distill_seed_": seed,
        }
        return fitted, history
