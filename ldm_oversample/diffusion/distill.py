"""Distilling a denoiser into a student that generates in a few steps.

A sampler's cost is its number of network calls. The teacher's deterministic
sampler (DPM-Solver++ or DDIM at ``eta=0``) is a fixed map from a starting
point ``x_T`` to a row ``x_0*``; distillation teaches a copy of the teacher to
reach ``x_0*`` in ``k`` deterministic DDIM steps instead.

The student learns to predict ``x_0*`` on the straight path between the pair,
in the process's own parametrisation::

    x_t = alpha_t x_0* + sigma_t eps,    eps = (x_T - alpha_first x_0*) / sigma_first,

at the ``k`` timesteps of a ``k``-step DDIM schedule (``alpha_first``,
``sigma_first``: at its first timestep, where ``x_t = x_T``). DDIM fed the exact
``x_0*`` stays on that path (the noise it infers is ``eps`` at every step), so
``k`` student calls reproduce the teacher's row. This is the reflow of
rectified flow (Liu et al. 2023) and the one-step distillation of Luhman &
Luhman (2021), written for the variance-preserving process the samplers use.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..training import train_module
from .process import GaussianDiffusion
from .solvers import DDIMSolver

if TYPE_CHECKING:
    from .pipeline import DiffusionPipeline

__all__ = [
    "StraightPathLoss",
    "distil_denoiser",
    "distillation_pairs",
    "student_timesteps",
]

# The student's training: pairs per class, optimisation steps, batch rows and
# the learning rate of fine-tuning the teacher's copy. Probed on validation
# folds of Spoofing, WebAttack and Recon (one seed each): 250 steps of 2,048
# rows scored the F1 of 1,000 steps of 512. Then, on six families and two
# seeds, 100 steps of 1,024 rows (a fifth of the arithmetic, under 1 s on 2
# CPU cores, which the default student of distill_steps="auto" needed) scored
# -0.004 F1 against the teacher where 250 of 2,048 scored -0.003
# (benchmarks/ldm_fast_defaults.md; the latter from a run not committed).
PAIRS_PER_CLASS = 4096
TRAINING_STEPS = 100
BATCH_SIZE = 1024
LEARNING_RATE = 2e-3


def distil_denoiser(
    teacher: DiffusionPipeline,
    process: GaussianDiffusion,
    n_steps: int,
    n_classes: int,
    generator: torch.Generator,
    *,
    verbose: bool | str = False,
) -> tuple[torch.nn.Module, list[float]]:
    """Distil ``teacher``'s denoiser into a student of ``n_steps`` DDIM steps.

    Parameters
    ----------
    teacher : DiffusionPipeline
        The fitted denoiser with the solver, steps, prior and guidance it
        samples with; its solver's output is the student's target.
    process : GaussianDiffusion
        The teacher's process (schedule and prediction type).
    n_steps : int
        Deterministic DDIM steps the student generates in.
    n_classes : int
        Classes of the conditioning (every one gets the same pairs).
    generator : torch.Generator
        Source of the pairs and of the training batches; on the denoiser's device.
    verbose : bool or "auto", default=False
        Progress bar of the training.

    Returns
    -------
    student : MLPDenoiser
        A fine-tuned copy of the teacher's denoiser, in eval mode.
    history : list of float
        Per-epoch training losses.
    """
    device = next(teacher.denoiser.parameters()).device
    x_T, x_0, labels = distillation_pairs(
        teacher.class_prior,
        lambda c: teacher.solve(c, device),
        n_classes,
        PAIRS_PER_CLASS,
        device,
        generator,
    )
    student = copy.deepcopy(teacher.denoiser).train()
    loss = StraightPathLoss(process, student_timesteps(process, n_steps))
    history = train_module(
        student,
        lambda xb, x0b, yb, generator: loss(student, xb, x0b, yb, generator),
        [x_T, x_0, labels],
        max_epochs=TRAINING_STEPS,
        max_steps=TRAINING_STEPS,
        batch_size=BATCH_SIZE,
        learning_rate=LEARNING_RATE,
        generator=generator,
        verbose=verbose,
        desc=f"LDM: distilling the denoiser to {n_steps} steps",
    )
    return student.eval(), history


def student_timesteps(process: GaussianDiffusion, n_steps: int) -> np.ndarray:
    """The timesteps of a deterministic ``n_steps``-step DDIM schedule, the
    ones a student is trained at and sampled with.

    Parameters
    ----------
    process : GaussianDiffusion
        The process whose timesteps are chosen.
    n_steps : int
        Number of steps, between 1 and ``process.n_timesteps``.

    Returns
    -------
    timesteps : ndarray of int
        From the first (``T - 1``) down; ends at 0 when ``n_steps > 1``.
    """
    solver = DDIMSolver(process, eta=0.0)
    solver.set_timesteps(n_steps)
    return solver.timesteps.copy()


def distillation_pairs(
    prior: Callable[
        [int], Callable[[int, torch.device, torch.Generator], torch.Tensor]
    ],
    teacher: Callable[[int], Callable[[torch.Tensor, torch.Generator], torch.Tensor]],
    n_classes: int,
    n_per_class: int,
    device: torch.device,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Starting points, the teacher's rows from them, and their classes.

    Parameters
    ----------
    prior : callable
        ``prior(class_index)`` gives ``draw(n, device, generator)``, the
        starting points of that class as sampling draws them
        (:meth:`.pipeline.DiffusionPipeline.class_prior`).
    teacher : callable
        ``teacher(class_index)`` gives ``run(x_T, generator)``, the teacher's
        deterministic solver (:meth:`.pipeline.DiffusionPipeline.solve`).
    n_classes, n_per_class : int
        Every class gets the same number of pairs.
    device : torch.device
    generator : torch.Generator

    Returns
    -------
    x_T, x_0, labels : Tensor
        ``n_classes * n_per_class`` rows each.
    """
    starts, rows = [], []
    for c in range(n_classes):
        x_T = prior(c)(n_per_class, device, generator)
        starts.append(x_T)
        rows.append(teacher(c)(x_T, generator))
    labels = torch.arange(n_classes, device=device).repeat_interleave(n_per_class)
    return torch.cat(starts), torch.cat(rows).clone(), labels


@dataclass(frozen=True)
class StraightPathLoss:
    """Mean squared error of the student's ``x_0`` on the straight path.

    Parameters
    ----------
    process : GaussianDiffusion
        The teacher's process (schedule and prediction type).
    timesteps : ndarray of int
        The student's timesteps (:func:`student_timesteps`), first one first.
    """

    process: GaussianDiffusion
    timesteps: np.ndarray

    def __call__(
        self,
        student: Callable[..., torch.Tensor],
        x_T: torch.Tensor,
        x_0: torch.Tensor,
        labels: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """The loss of one batch, each row at one of the student's timesteps."""
        alpha, sigma = self.process.alpha_sigma(int(self.timesteps[0]))
        eps = (x_T - alpha * x_0) / sigma
        ts = torch.as_tensor(self.timesteps, device=x_0.device)
        pick = torch.randint(
            0, len(ts), (len(x_0),), device=x_0.device, generator=generator
        )
        t = ts[pick]
        x_t = self.process.add_noise(x_0, eps, t)
        x0_hat, _ = self.process.split_prediction(student(x_t, t, labels), x_t, t)
        return torch.mean((x0_hat - x_0) ** 2)
