"""Running a reverse process fast: shared conditioning, precision, CUDA graphs.

A solver (:mod:`.solvers`) says *what* one reverse step computes; this module
says *how* the loop runs on a device:

- every row of a generated chunk shares its class and, at each step, its
  timestep, so the denoiser's conditioning (a timestep MLP and a class
  embedding) is computed once per step for one row and broadcast
  (:func:`conditional_model_fn`);
- the network can run under bf16 autocast or TF32 matmuls (:data:`PRECISIONS`);
- on CUDA the whole reverse loop of a chunk can be captured once as a CUDA graph
  and replayed for every further chunk (:class:`CUDAGraphRun`), which removes
  per-kernel launch costs. On an H100 at the default network and chunk sizes it
  measured no faster than the eager loop (``benchmarks/gpu_sampling.md``), so
  the samplers run eagerly; the class stays for that comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..utils import GLOBAL_STATE_LOCK
from .solvers import run_solver

if TYPE_CHECKING:
    from ..nn.denoiser import MLPDenoiser

__all__ = [
    "PRECISIONS",
    "CUDAGraphRun",
    "conditional_model_fn",
    "matmul_precision",
    "native_bf16",
    "resolve_precision",
]

#: Accepted values of the samplers' ``precision`` parameter.
PRECISIONS = ("auto", "fp32", "tf32", "bf16")


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` multiplies bf16 matrices natively: CUDA, or a CPU with
    AVX512-BF16 or AMX (elsewhere bf16 on the CPU is emulated, and slower)."""
    if device.type == "cuda":
        return True
    if device.type != "cpu":
        return False
    # Private probes of torch.cpu (torch >= 2.1); absent means unknown, so no.
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


def resolve_precision(precision: str, device: torch.device) -> str:
    """The precision to run with: ``"auto"`` is bf16 where the device computes
    it natively (:func:`native_bf16`) and fp32 elsewhere.

    ``"tf32"`` only exists on CUDA and means fp32 on other devices.

    Parameters
    ----------
    precision : {"auto", "fp32", "tf32", "bf16"}
        Requested precision.
    device : torch.device
        Where the network runs.

    Returns
    -------
    precision : {"fp32", "tf32", "bf16"}
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}.")
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    if precision == "tf32" and device.type != "cuda":
        return "fp32"
    return precision


class _TF32Blocks:
    """Counts the open ``matmul_precision("tf32")`` blocks of all threads.

    The setting is process-wide: the first block to open saves the caller's
    setting and the last to close restores it, whatever order overlapping
    blocks (threads sampling on one GPU) close in.
    """

    open = 0
    previous = "highest"

    @classmethod
    def enter(cls) -> None:
        with GLOBAL_STATE_LOCK:
            if cls.open == 0:
                cls.previous = torch.get_float32_matmul_precision()
                torch.set_float32_matmul_precision("high")
            cls.open += 1

    @classmethod
    def exit(cls) -> None:
        with GLOBAL_STATE_LOCK:
            cls.open -= 1
            if cls.open == 0:
                torch.set_float32_matmul_precision(cls.previous)


@contextmanager
def matmul_precision(precision: str) -> Iterator[None]:
    """Allow TF32 matmuls inside the block when ``precision == "tf32"``.

    The global setting is restored when the last such block of any thread
    exits, so the caller's own code is not affected afterwards.
    """
    if precision != "tf32":
        yield
        return
    _TF32Blocks.enter()
    try:
        yield
    finally:
        _TF32Blocks.exit()


def conditional_model_fn(
    denoiser: MLPDenoiser,
    class_index: int,
    timesteps: Sequence[int] | np.ndarray,
    *,
    guidance_scale: float = 0.0,
    precision: str = "fp32",
) -> Callable[[torch.Tensor, int], torch.Tensor]:
    """``model_fn(x, t)`` for a solver, generating rows of one class.

    The conditioning of every timestep in ``timesteps`` is computed up front,
    one row each, so a step costs only the per-row layers of the network.

    Parameters
    ----------
    denoiser : MLPDenoiser
        A network with ``condition(t, y)`` and ``forward_conditioned(x, cond)``.
    class_index : int
        Class of every generated row.
    timesteps : sequence or ndarray of int
        The timesteps the solver will call ``model_fn`` with.
    guidance_scale : float, default=0.0
        Classifier-free guidance weight ``w``: the output is
        ``(1 + w) * cond - w * uncond`` (two network passes per step).
    precision : {"fp32", "tf32", "bf16"}, default="fp32"
        ``"bf16"`` runs the network under bf16 autocast and returns fp32
        outputs; the solver's state stays fp32. (``"tf32"`` is set around the
        whole loop by :func:`matmul_precision`.)

    Returns
    -------
    model_fn : callable
    """
    param = next(denoiser.parameters())
    device = param.device
    bf16 = precision == "bf16"
    dtype = torch.bfloat16 if bf16 else param.dtype
    ts = torch.as_tensor([int(t) for t in timesteps], device=device)

    def table(label: int) -> dict[int, torch.Tensor]:
        cond = denoiser.condition(ts, torch.full_like(ts, label)).to(dtype)
        return dict(zip((int(t) for t in timesteps), cond.split(1), strict=True))

    cond = table(class_index)
    uncond = table(denoiser.null_class) if guidance_scale > 0 else None

    def model_fn(x: torch.Tensor, t: int) -> torch.Tensor:
        with torch.autocast(
            device.type, dtype=torch.bfloat16, enabled=bf16, cache_enabled=False
        ):
            out = denoiser.forward_conditioned(x, cond[t])
            if uncond is not None:
                out_u = denoiser.forward_conditioned(x, uncond[t])
                out = (1 + guidance_scale) * out - guidance_scale * out_u
        return out.to(x.dtype)

    return model_fn


class CUDAGraphRun:
    """A reverse loop captured once as a CUDA graph, replayed for each chunk.

    The loop of ``n_steps`` steps launches a dozen small kernels per step; as a
    graph it is one launch. The capture needs a fixed input shape and a loop
    with no host synchronisation and no fresh random numbers, so it is only for
    deterministic solvers (``eta=0``). The first chunk runs eagerly on a side
    stream (the warm-up that capture requires) and its result is kept.

    Parameters
    ----------
    solver : DDIMSolver
        A deterministic solver with its timesteps set.
    model_fn : callable
        ``model_fn(x, t)``; its tensors (weights, conditioning) must stay alive.
    first_x : Tensor of shape (chunk, dim), on a CUDA device
        Noise of the first chunk, which fixes the captured shape.
    """

    def __init__(self, solver, model_fn, first_x: torch.Tensor):
        self.static_x = first_x.clone()
        side = torch.cuda.Stream(first_x.device)
        side.wait_stream(torch.cuda.current_stream(first_x.device))
        with torch.cuda.stream(side):
            self.first_out = run_solver(solver, model_fn, self.static_x)
        torch.cuda.current_stream(first_x.device).wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.static_out = run_solver(solver, model_fn, self.static_x)

    def __call__(self, x_T: torch.Tensor) -> torch.Tensor:
        """Run the captured loop on ``x_T`` (at most the captured rows)."""
        n = x_T.shape[0]
        self.static_x[:n].copy_(x_T)
        if n < self.static_x.shape[0]:
            self.static_x[n:].zero_()
        self.graph.replay()
        return self.static_out[:n].clone()
