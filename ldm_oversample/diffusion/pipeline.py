"""Generating rows from a fitted diffusion model: prior, solver, decoder, filter.

A :class:`DiffusionPipeline` holds the fitted parts, as a diffusers pipeline
does, and turns them into a function that draws rows of one class in the
tabular encoder's space. The two diffusion samplers differ only in the parts
they hand it:

- :class:`~ldm_oversample.LDMOverSampler`: a Gaussian prior over the latent
  (:class:`GaussianPrior`) and the VAE's decoder (:class:`LatentDecoder`);
- :class:`~ldm_oversample.DDPMOverSampler`: the mixed Gaussian/multinomial
  prior of its data-space process, and no decoder.

The denoiser, the solvers and the shared conditioning
(:func:`~ldm_oversample.diffusion.runner.conditional_model_fn`) are the same
for both, which keeps the latent-vs-data-space comparison fair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from ..utils import module_on
from .runner import conditional_model_fn, matmul_precision
from .solvers import Solver, run_solver

__all__ = [
    "CandidateFilter",
    "ClassPrior",
    "DiffusionPipeline",
    "GaussianPrior",
    "LatentDecoder",
    "NoisedRows",
    "SharedPrior",
]

#: ``prior(n, device, generator)``: ``n`` starting points of the reverse process.
Prior = Callable[[int, torch.device, torch.Generator], torch.Tensor]
#: ``decode(x_0, class_index)``: the solver's output in the encoder's space.
Decoder = Callable[[torch.Tensor, int], torch.Tensor]


class ClassPrior(Protocol):
    """What a pipeline starts from: the :data:`Prior` of each class."""

    def for_class(self, class_index: int) -> Prior:
        """``prior(n, device, generator)`` of the class's starting points."""
        ...


@dataclass(frozen=True)
class SharedPrior:
    """One ``prior(n, device, generator)`` for every class (a data-space
    process's, for example).

    Parameters
    ----------
    prior : callable
        ``prior(n, device, generator)``.
    """

    prior: Prior

    def for_class(self, class_index: int) -> Prior:
        """The shared prior, whatever the class."""
        return self.prior


@dataclass(frozen=True)
class GaussianPrior:
    """Standard normal starting points, scaled by ``temperature``.

    Parameters
    ----------
    dim : int
        Width of a point (the latent dimension).
    temperature : float, default=1.0
        Standard deviation of the noise; above 1 spreads the rows wider.
    """

    dim: int
    temperature: float = 1.0

    def __call__(
        self, n: int, device: torch.device, generator: torch.Generator
    ) -> torch.Tensor:
        noise = torch.randn((n, self.dim), device=device, generator=generator)
        return self.temperature * noise

    def for_class(self, class_index: int) -> Prior:
        """The same standard normal for every class."""
        return self


@dataclass(frozen=True)
class NoisedRows:
    """Real points of a class, noised to the solver's first timestep.

    The start of SDEdit, and of over-sampling from noised real minority rows
    (SOS): each starting point is ``alpha * x + temperature * sigma * noise``
    for a real point ``x`` of the class drawn with replacement, so the reverse
    process ends near real rows of the class instead of anywhere it learnt.

    Parameters
    ----------
    rows : sequence of ndarray
        The real points of each class index, shape (n_c, dim) each.
    alpha, sigma : float
        ``sqrt(alpha_bar_t)`` and ``sqrt(1 - alpha_bar_t)`` at that timestep.
    temperature : float, default=1.0
        Scale of the added noise.
    """

    rows: Sequence[np.ndarray]
    alpha: float
    sigma: float
    temperature: float = 1.0

    def for_class(self, class_index: int) -> Prior:
        """``prior(n, device, generator)`` over the class's noised points."""
        points = self.rows[class_index]
        if len(points) == 0:
            raise ValueError(f"class index {class_index} has no rows to start from")

        on: dict[torch.device, torch.Tensor] = {}  # one copy per device, not per call

        def prior(
            n: int, device: torch.device, generator: torch.Generator
        ) -> torch.Tensor:
            x = on.get(device)
            if x is None:
                x = on[device] = torch.as_tensor(points, device=device).float()
            pick = torch.randint(len(x), (n,), device=device, generator=generator)
            noise = torch.randn((n, x.shape[1]), device=device, generator=generator)
            return self.alpha * x[pick] + self.temperature * self.sigma * noise

        return prior


@dataclass(frozen=True)
class LatentDecoder:
    """Standardised latents back to encoded rows, through a VAE's decoder.

    Parameters
    ----------
    autoencoder : torch.nn.Module
        Has ``decode(z, labels)``; it is moved to the latents' device.
    mean, std : ndarray of shape (latent_dim,)
        The statistics the latents were standardised with during training.
    """

    autoencoder: torch.nn.Module
    mean: np.ndarray
    std: np.ndarray

    def __call__(self, z: torch.Tensor, class_index: int) -> torch.Tensor:
        device = z.device
        mean = torch.as_tensor(self.mean, device=device)
        std = torch.as_tensor(self.std, device=device)
        labels = torch.full((len(z),), class_index, dtype=torch.long, device=device)
        vae = module_on(self.autoencoder, device)
        return vae.decode(z * std + mean, labels)  # type: ignore[operator]


@dataclass(frozen=True)
class CandidateFilter:
    """Over-generation: draw ``factor`` times the rows, keep typical ones.

    Parameters
    ----------
    classifier : torch.nn.Module
        Rates encoded rows (class logits); trained on one-hot categories.
    factor : int
        Candidates drawn per row kept.
    one_hot_spans : sequence of (start, stop)
        Where the categorical blocks lie in an encoded row.
    """

    classifier: torch.nn.Module
    factor: int
    one_hot_spans: Sequence[tuple[int, int]]

    def select(
        self,
        rows: torch.Tensor,
        class_index: int,
        n: int,
        generator: torch.Generator,
    ) -> torch.Tensor:
        """``n`` of ``rows``, in their generated order: drawn at random among
        those the classifier assigns to ``class_index`` (P >= 1/2), topped up
        with the best rated when fewer are. Taking only the best rated would
        push the rows to the extremes of the class, away from the boundary a
        detector must learn."""
        scored = rows.clone()
        for start, stop in self.one_hot_spans:
            # The classifier saw one-hot categories; the decoder gives logits.
            block = scored[:, start:stop]
            block.copy_(
                torch.nn.functional.one_hot(block.argmax(1), block.shape[1]).to(
                    block.dtype
                )
            )
        classifier = module_on(self.classifier, rows.device)
        proba = torch.softmax(classifier(scored), dim=1)[:, class_index]
        # Random order among the accepted rows, then the rest by rating.
        noise = torch.rand(len(rows), device=rows.device, generator=generator)
        key = torch.where(proba >= 0.5, 2.0 + noise, proba)
        keep = torch.topk(key, n).indices.sort().values
        return rows[keep]


@dataclass(frozen=True)
class DiffusionPipeline:
    """The fitted parts of a diffusion sampler, put together for generation.

    Parameters
    ----------
    denoiser : torch.nn.Module
        The class-conditional network (``denoiser(x, t, y)``).
    solver : Solver
        Any solver of :mod:`ldm_oversample.diffusion.solvers`, or the mixed one.
    prior : ClassPrior
        Its ``for_class(class_index)`` gives ``prior(n, device, generator)``,
        the starting points of one class's rows (:class:`GaussianPrior`,
        :class:`NoisedRows`, or :class:`SharedPrior` around any callable).
    n_steps : int
        Reverse steps the solver takes.
    decode : callable or None, default=None
        ``decode(x_0, class_index)``; None when the process runs in the
        encoder's space already.
    guidance_scale : float, default=0.0
        Classifier-free guidance weight (0: conditional model only).
    precision : {"fp32", "tf32", "bf16"}, default="fp32"
        How the denoiser runs (already resolved for the device).
    candidates : CandidateFilter or None, default=None
        Over-generation and filtering, or None to keep every row.
    """

    denoiser: torch.nn.Module
    solver: Solver
    prior: ClassPrior
    n_steps: int
    decode: Decoder | None = None
    guidance_scale: float = 0.0
    precision: str = "fp32"
    candidates: CandidateFilter | None = None

    def solve(
        self, class_index: int, device: torch.device
    ) -> Callable[[torch.Tensor, torch.Generator], torch.Tensor]:
        """``run(x_T, generator)``: the solver's output for the starting points
        ``x_T`` of one class (before any decoding).

        The solver's timesteps and the per-step conditioning are built once
        here and reused by every call. (Capturing the loop as a CUDA graph,
        :class:`~ldm_oversample.diffusion.runner.CUDAGraphRun`, measured no
        faster at the samplers' chunk sizes: ``benchmarks/gpu_sampling.md``.)
        """
        denoiser = module_on(self.denoiser, device)
        solver = self.solver
        solver.set_timesteps(self.n_steps)
        with torch.inference_mode():
            model_fn = conditional_model_fn(
                denoiser,  # type: ignore[arg-type]
                class_index,
                solver.timesteps,
                guidance_scale=self.guidance_scale,
                precision=self.precision,
            )

        @torch.inference_mode()
        def run(x_T: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
            with matmul_precision(self.precision):
                return run_solver(solver, model_fn, x_T, generator)

        return run

    def class_prior(self, class_index: int) -> Prior:
        """The starting points of one class's rows."""
        return self.prior.for_class(class_index)

    def drawer(
        self, class_index: int, device: torch.device
    ) -> Callable[[int, torch.Generator], torch.Tensor]:
        """``draw(n_samples, generator)``: ``n_samples`` encoded rows of one
        class, a float32 tensor on ``device`` (see :meth:`solve`)."""
        run = self.solve(class_index, device)
        prior = self.class_prior(class_index)
        factor = self.candidates.factor if self.candidates is not None else 1

        @torch.inference_mode()
        def draw(n_samples: int, generator: torch.Generator) -> torch.Tensor:
            x_0 = run(prior(factor * n_samples, device, generator), generator)
            with matmul_precision(self.precision):
                rows = x_0 if self.decode is None else self.decode(x_0, class_index)
            rows = rows.float()
            if self.candidates is not None:
                rows = self.candidates.select(rows, class_index, n_samples, generator)
            return rows

        return draw
