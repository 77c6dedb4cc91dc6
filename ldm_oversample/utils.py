"""Device resolution, seeding and progress-display helpers."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any, TypeVar

import imblearn
import numpy as np
import sklearn
import torch
from sklearn.utils import check_random_state

__all__ = [
    "draw_seeds",
    "format_label",
    "make_generator",
    "private_seed",
    "progress_enabled",
    "progress_interval",
    "resolve_device",
    "seeded_torch",
]

_MAX_SEED = np.iinfo(np.int32).max


def resolve_device(device: Any) -> torch.device:
    """Turn the ``device`` parameter into a usable :class:`torch.device`.

    Parameters
    ----------
    device : "auto", str or torch.device
        ``"auto"`` picks CUDA when available, else the CPU. Any string that
        :class:`torch.device` accepts (``"cpu"``, ``"cuda"``, ``"cuda:1"``,
        ``"mps"``) is allowed if that device exists.

    Returns
    -------
    device : torch.device

    Raises
    ------
    ValueError
        If the string is not a device, or the device is not available here.
    """
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a valid torch device; use 'auto', 'cpu', "
            "'cuda' or 'cuda:<index>'."
        ) from exc
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                "machine; use device='auto' or 'cpu'."
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} does not exist: this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    elif resolved.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={device!r} was requested but MPS is not available.")
    elif resolved.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device={device!r} is not supported; use 'cpu' or 'cuda'.")
    return resolved


def runtime_device(device: str) -> torch.device:
    """The fitted device if it exists on this machine, else the CPU.

    Used when a model fitted on a GPU is unpickled on a CPU-only machine.
    """
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        return torch.device("cpu")
    if resolved.type == "mps" and not torch.backends.mps.is_available():
        return torch.device("cpu")
    return resolved


def draw_seeds(random_state: Any, n: int = 1) -> list[int]:
    """Draw ``n`` integer seeds from ``random_state`` without touching global RNGs.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        ``None`` draws fresh OS entropy (not the global NumPy generator).
    n : int, default=1
        Number of seeds.

    Returns
    -------
    seeds : list of int
    """
    if random_state is None:
        return [int(s) for s in np.random.default_rng().integers(0, _MAX_SEED, size=n)]
    rng = check_random_state(random_state)
    return [int(s) for s in rng.randint(0, _MAX_SEED, size=n)]


def private_seed(random_state: Any) -> Any:
    """``random_state`` for private use: None becomes fresh OS entropy.

    ``check_random_state(None)`` would return NumPy's global generator; drawing
    from it would change the caller's global random state.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        A seed as scikit-learn takes it.

    Returns
    -------
    random_state : int or RandomState
        ``random_state`` itself, or a new ``RandomState`` for None.
    """
    if random_state is None:
        return np.random.RandomState(np.random.default_rng().integers(2**31 - 1))
    return random_state


def make_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A :class:`torch.Generator` on ``device`` seeded with ``seed``.

    Parameters
    ----------
    seed : int
        Seed of the generator.
    device : torch.device or str, default="cpu"
        Device the generator draws on (it must match the tensors it fills).

    Returns
    -------
    generator : torch.Generator
    """
    return torch.Generator(device=device).manual_seed(int(seed))


ModuleT = TypeVar("ModuleT", bound=torch.nn.Module)

#: Held while the samplers touch torch's process-wide state: the global RNG
#: while weights are initialised, the device of a shared fitted network, the
#: float32 matmul precision. Fits and ``sample`` calls in threads then give
#: the serial results.
GLOBAL_STATE_LOCK = threading.RLock()


@contextlib.contextmanager
def seeded_torch(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch's global RNG inside the block and restore it afterwards.

    Weight initialisation has no ``generator`` argument; this keeps it
    reproducible without leaving the caller's RNG state modified.

    Parameters
    ----------
    seed : int
        Seed given to :func:`torch.manual_seed` on entry.
    device : torch.device
        Device the block works on. The CPU RNG state is always restored on
        exit; a CUDA device's state is restored too.

    Yields
    ------
    None
    """
    devices = [device] if device.type == "cuda" else []
    # Samplers fitted in threads (joblib's threading backend, Dask's threaded
    # scheduler) would otherwise draw each other's initial weights.
    with GLOBAL_STATE_LOCK, torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield


def module_on(module: ModuleT, device: torch.device) -> ModuleT:
    """``module`` moved to ``device`` in place, under :data:`GLOBAL_STATE_LOCK`.

    A fitted network is shared by every thread sampling from one sampler;
    moving it while another thread runs it would mix devices mid-call, so
    moves are serialised (a module already there is returned as it is).

    Parameters
    ----------
    module : torch.nn.Module
    device : torch.device

    Returns
    -------
    module : torch.nn.Module
        The same object.
    """
    with GLOBAL_STATE_LOCK:
        return module.to(device)


def format_label(label: Any) -> str:
    """``repr`` of a class label, without NumPy's scalar wrapper (``2``, not
    ``np.int64(2)``), for error messages.

    Parameters
    ----------
    label : object
        A class label, possibly a NumPy scalar.

    Returns
    -------
    text : str
    """
    return repr(label.item() if isinstance(label, np.generic) else label)


def progress_enabled(verbose: bool | str) -> bool:
    """Whether to show progress bars for a ``verbose`` parameter.

    Parameters
    ----------
    verbose : bool or "auto"
        ``True`` and ``False`` are taken as they are. ``"auto"`` shows progress
        where a person is watching: in a Jupyter notebook, or when standard
        error is a terminal; and never under pytest or a CI run (``CI`` set to
        anything but ``""``, ``"0"`` or ``"false"``), where bars only clutter
        logs.

    Returns
    -------
    enabled : bool
    """
    if not isinstance(verbose, str):
        return bool(verbose)
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
        return False
    if _in_notebook():
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty is not None and isatty())


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where tqdm.auto draws a widget)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def progress_interval() -> float:
    """Seconds between progress-bar redraws: tqdm's 0.1 s at a terminal, 5 s
    when standard error is a file or a pipe, so that logs are not flooded."""
    isatty = getattr(sys.stderr, "isatty", None)
    return 0.1 if isatty is not None and isatty() else 5.0


def _caller_stacklevel() -> int:
    """The stack level of the first frame outside this package, imbalanced-learn
    and scikit-learn, so the warning points at the user's ``fit_resample`` line
    (``fit`` and the pipeline reach this function through different depths)."""
    inside = tuple(
        os.path.dirname(module.__file__ or "") + os.sep
        for module in (sys.modules["ldm_oversample"], imblearn, sklearn)
    )
    frame: types.FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(inside):
        frame = frame.f_back
        level += 1
    return level
