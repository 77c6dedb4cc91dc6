"""How :class:`~ldm_oversample.LDMOverSampler` generates: its fitted parts
assembled into a :class:`~ldm_oversample.diffusion.pipeline.DiffusionPipeline`,
with the teacher denoiser and its solver, or with the distilled student
(``distill_steps``) and deterministic DDIM.

The teacher's latent pipeline (:meth:`LatentGenerationMixin._latent_pipeline`)
is also what the student is distilled from at the end of ``fit``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from ..diffusion import make_solver
from ..diffusion.pipeline import DiffusionPipeline, GaussianPrior, LatentDecoder
from ..nn import MLPDenoiser

__all__ = ["LatentGenerationMixin"]


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
    distill_steps: int | None
    denoiser_: MLPDenoiser
    autoencoder_: torch.nn.Module
    diffusion_: Any
    latent_mean_: Any
    latent_std_: Any
    latent_clip_: float
    distilled_steps_: int | None
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
            lambda_min_clipped=self.lambda_min_clipped,
        )  # fmt: skip
        return DiffusionPipeline(
            denoiser=denoiser,
            solver=solver,
            prior=GaussianPrior(self.latent_dim, self.noise_temperature),
            **self._sampling_options(device),
        )

    def _student(self) -> torch.nn.Module | None:
        """The distilled denoiser to sample with, or None for the teacher."""
        # getattr: model files from before distillation have neither.
        student = getattr(self, "student_", None)
        if student is None or getattr(self, "distill_steps", None) is None:
            return None
        if self.distill_steps != self.distilled_steps_:
            raise ValueError(
                f"The student was distilled for {self.distilled_steps_} steps, not "
                f"distill_steps={self.distill_steps}; refit, or set "
                "distill_steps=None to sample with the teacher."
            )
        return student
