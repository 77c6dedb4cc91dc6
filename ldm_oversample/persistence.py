"""Saving and loading fitted samplers without pickle.

A model file is one NumPy ``.npz`` archive (a zip of ``.npy`` arrays) holding:

- ``__metadata__``: JSON text with the file format and version, the versions
  of ldm_oversample, torch, NumPy, pandas and scikit-learn that wrote it, the
  sampler's class and parameters, and its fitted state as a tree of plain
  values (scikit-learn transforms as their parameters and documented fitted
  attributes, :mod:`._sklearn_state`, so that no scikit-learn internals are
  stored);
- one array per numeric array, tensor or network weight of that state, which
  the JSON refers to by name;
- ``__digest__``: a SHA-256 of the JSON and of every array, so that a file
  edited or damaged after it was written is refused.

:func:`load` reads it with ``numpy.load(..., allow_pickle=False)``, which
refuses any pickled payload, and rebuilds objects only of the classes listed
in :mod:`._model_tree` (the samplers, their encoder and networks, two scikit-learn
transformers, pandas and NumPy dtypes). Loading a file therefore never runs
code from it. The digest detects edits and corruption; it is not a signature:
whoever can write the file can recompute it, which is harmless, because the
loader never runs what the file says.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
import torch

from ._model_tree import ModelFileError, _qualname, _Reader, _trusted_classes, _Writer
from ._version import __version__

__all__ = ["ModelFileError", "ModelVersionWarning", "load", "save"]

FORMAT = "ldm_oversample-model"
FORMAT_VERSION = 2
#: Format 1 restored scikit-learn transforms from their ``__dict__`` and did
#: not record scikit-learn's version; it is still read, with a warning.
READABLE_FORMATS = (1, 2)
_METADATA = "__metadata__"
_DIGEST = "__digest__"
#: First byte of a pickle of protocol 2 or later (joblib's files too).
_PICKLE = b"\x80"


class ModelVersionWarning(UserWarning):
    """The model file was written by another version of ldm_oversample."""


# --------------------------------------------------------------------- saving
def save(estimator: Any, path: str | os.PathLike[str]) -> Path:
    """Write a fitted sampler to one file that :func:`load` reads without pickle.

    Parameters
    ----------
    estimator : fitted sampler of this package
        For example a fitted :class:`~ldm_oversample.LDMOverSampler`.
    path : str or Path
        File to write (conventionally ``*.ldm``); it is overwritten.

    Returns
    -------
    path : Path
        The file written.

    Raises
    ------
    TypeError
        If a parameter or fitted attribute is not a plain value (for example a
        callable ``sampling_strategy`` or a ``random_state`` generator other than
        ``RandomState``); the message names it.
    sklearn.exceptions.NotFittedError
        If the sampler is not fitted.
    """
    from sklearn.utils.validation import check_is_fitted

    if _qualname(type(estimator)) not in _trusted_classes():
        raise TypeError(
            f"save() writes the samplers of ldm_oversample; got {type(estimator)}."
        )
    check_is_fitted(estimator, "classes_")
    writer = _Writer()
    tree = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ldm_oversample_version": __version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "sklearn_version": sklearn.__version__,
        "estimator": writer.estimator(estimator),
    }
    text = json.dumps(tree, allow_nan=False)
    arrays = {_METADATA: np.array(text), **writer.arrays}
    arrays[_DIGEST] = np.array(_digest(text, writer.arrays))
    path = Path(path)
    with path.open("wb") as file:
        # mypy matches **arrays against savez's ``allow_pickle: bool`` too; the
        # keys here are "a<i>", _METADATA and _DIGEST, never "allow_pickle".
        np.savez(file, **arrays)  # type: ignore[arg-type]
    return path


def _digest(text: str, arrays: dict[str, np.ndarray]) -> str:
    sha = hashlib.sha256(text.encode())
    for name in sorted(arrays):
        values = np.ascontiguousarray(arrays[name])
        sha.update(f"|{name}|{values.dtype.str}|{values.shape}|".encode())
        sha.update(values.tobytes())
    return sha.hexdigest()


# -------------------------------------------------------------------- loading
def load(path: str | os.PathLike[str]) -> Any:
    """Read a sampler written by :func:`save` (or ``sampler.save``).

    The file is read without unpickling anything, so a malicious file cannot
    run code. Networks are loaded on the CPU and moved to the sampler's device
    when it samples; a model fitted on a GPU samples on a CPU-only machine.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save`.

    Returns
    -------
    sampler : fitted sampler
        Ready for ``sample`` (and ``fit_resample``, which refits).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist or is a folder.
    ModelFileError
        If the file is not an ldm_oversample model file (a CSV, say), holds
        pickled data, was modified after it was saved, or was written by a
        newer, unknown file format. A subclass of ``ValueError``.

    Warns
    -----
    ModelVersionWarning
        If another version of ldm_oversample wrote the file.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"model file {os.fspath(path)!r} {what}.")
    head = _head(path)
    if not head.startswith((b"PK", _PICKLE)):
        # Not a zip archive (npz) nor a pickle: a CSV, text or other file.
        raise ModelFileError(
            f"{path} is not an ldm_oversample model file: those are the NumPy "
            "archives that sampler.save() writes, and this file starts with "
            f"{head[:16]!r}"
            + (" (a CSV or other text file?)." if _looks_like_text(head) else ".")
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except ValueError as exc:
        if "Object arrays" not in str(exc) and not head.startswith(_PICKLE):
            raise ModelFileError(
                f"{path} is not an ldm_oversample model file ({exc})."
            ) from None
        raise ModelFileError(
            f"{path} holds pickled data. ldm_oversample.load never unpickles, "
            "because unpickling can run code from the file; it reads only files "
            "written by sampler.save(). Load a pickle only if you trust its "
            "source, with joblib.load."
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(
            f"{path} is not an ldm_oversample model file ({exc})."
        ) from None
    if not isinstance(arrays, dict) or {_METADATA, _DIGEST} - set(arrays):
        raise ModelFileError(
            f"{path} is not an ldm_oversample model file: it lacks the "
            f"{_METADATA} and {_DIGEST} entries that sampler.save() writes."
        )
    text, digest = str(arrays.pop(_METADATA)), str(arrays.pop(_DIGEST))
    if _digest(text, arrays) != digest:
        raise ModelFileError(
            f"{path} was modified or damaged after it was saved: its content "
            "does not match its digest. Save the model again from its source."
        )
    try:
        tree = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path} has unreadable metadata: {exc}.") from None
    _check_header(tree, path)
    try:
        reader = _Reader(arrays, legacy=tree.get("format_version") == 1)
        return reader.estimator(tree["estimator"], "estimator")
    except ModelFileError as exc:
        raise ModelFileError(f"{path} is not a valid model file: {exc}") from None


def _head(path: Path, size: int = 64) -> bytes:
    with path.open("rb") as file:
        return file.read(size)


def _looks_like_text(head: bytes) -> bool:
    # errors="ignore": the 64 bytes may end inside a multi-byte character.
    text = head.decode("utf-8", errors="ignore")
    return b"\x00" not in head and all(
        ch.isprintable() or ch in "\r\n\t" for ch in text
    )


def _check_header(tree: Any, path: Path) -> None:
    if not isinstance(tree, dict) or tree.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not an ldm_oversample model file.")
    version = tree.get("format_version")
    saved_by = tree.get("ldm_oversample_version")
    if version not in READABLE_FORMATS:
        raise ModelFileError(
            f"{path} uses model file format {version!r}, written by "
            f"ldm_oversample {saved_by}; this is ldm_oversample {__version__}, "
            f"which reads formats {', '.join(map(str, READABLE_FORMATS))}. Install "
            f"ldm_oversample {saved_by} to load it, or refit the model."
        )
    if version == 1:
        warnings.warn(
            f"{path} uses model file format 1, which did not record the "
            "scikit-learn version and restores its transforms from scikit-learn "
            "internals; if it was saved under another scikit-learn than "
            f"{sklearn.__version__}, its samples may be wrong: refit and save again.",
            ModelVersionWarning,
            stacklevel=3,
        )
    saved_sklearn = str(tree.get("sklearn_version", sklearn.__version__))
    if _major(saved_sklearn) != _major(sklearn.__version__):
        raise ModelFileError(
            f"{path} was saved under scikit-learn {saved_sklearn}; this is "
            f"scikit-learn {sklearn.__version__}. The file stores its transforms "
            "as documented scikit-learn attributes, which keep their meaning only "
            f"within one major version: install scikit-learn "
            f"{_major(saved_sklearn)}.x to load it, or refit the model."
        )
    if saved_by != __version__:
        warnings.warn(
            f"{path} was saved by ldm_oversample {saved_by}; this is "
            f"{__version__}. The file format is the same, but results may "
            "differ from those of the saving version; refit to be sure.",
            ModelVersionWarning,
            stacklevel=3,
        )


def _major(version: str) -> str:
    return version.split(".", 1)[0]
