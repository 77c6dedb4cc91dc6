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
in this module (the samplers, their encoder and networks, two scikit-learn
transformers, pandas and NumPy dtypes). Loading a file therefore never runs
code from it. The digest detects edits and corruption; it is not a signature:
whoever can write the file can recompute it, which is harmless, because the
loader never runs what the file says.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
import zipfile
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
import torch

from ._compat import InvalidParameterError
from ._sklearn_state import FITTED_ATTRIBUTES, export_state, import_state
from ._version import __version__
from .base import SAMPLER_CLASSES

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


class ModelFileError(ValueError):
    """The file is not a valid ldm_oversample model file, or was modified."""


class ModelVersionWarning(UserWarning):
    """The model file was written by another version of ldm_oversample."""


def _trusted_classes() -> dict[str, type]:
    """Classes a model file may instantiate, by qualified name: the samplers
    (registered by :class:`~ldm_oversample.base.BaseGenerativeOverSampler`, so
    this module need not import them) and their parts."""
    from .diffusion import GaussianDiffusion, MixedDiffusion
    from .diffusion.multinomial import MultinomialDiffusion
    from .diffusion.schedules import NoiseSchedule
    from .nn import (
        MLPDenoiser,
        PacDiscriminator,
        ResidualGenerator,
        RowClassifier,
        TabularVAE,
    )
    from .tabular import ColumnSpan, TabularEncoder

    classes = [
        *SAMPLER_CLASSES.values(),
        TabularEncoder,
        ColumnSpan,
        GaussianDiffusion,
        MixedDiffusion,
        MultinomialDiffusion,
        NoiseSchedule,
        MLPDenoiser,
        RowClassifier,
        TabularVAE,
        ResidualGenerator,
        PacDiscriminator,
        *FITTED_ATTRIBUTES,
    ]
    trusted = {_qualname(cls): cls for cls in classes}
    return trusted | {old: trusted[new] for old, new in _MOVED.items()}


#: Classes that moved, by the name older files give them.
_MOVED = {
    # ldm_oversample.tabular was one module before 0.2.
    "ldm_oversample.tabular.TabularEncoder": (
        "ldm_oversample.tabular.encoder.TabularEncoder"
    ),
    "ldm_oversample.tabular.ColumnSpan": "ldm_oversample.tabular.columns.ColumnSpan",
}


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


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


class _Writer:
    """Turns a fitted object tree into JSON-able nodes plus named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, values: np.ndarray) -> str:
        name = f"a{len(self.arrays)}"
        self.arrays[name] = np.ascontiguousarray(values)
        return name

    def estimator(self, est: Any) -> dict:
        fitted = {key: getattr(est, key) for key in est._fitted_attribute_names()}
        return {
            "$": "estimator",
            "class": _qualname(type(est)),
            "params": self.node(est.get_params(deep=False), "params"),
            "fitted": self.node(fitted, "fitted"),
        }

    def node(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and not isinstance(value, np.integer):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$": "float", "v": str(value)}
        if isinstance(value, np.generic) and value.dtype.kind in "biufcUS":
            return {
                "$": "scalar",
                "dtype": value.dtype.str,
                "v": self.node(value.item(), where),
            }
        if isinstance(value, (list, tuple)):
            items = [self.node(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return {"$": type(value).__name__, "items": items}
        if isinstance(value, dict):
            return {
                "$": "dict",
                "items": [
                    [self.node(k, where), self.node(v, f"{where}[{k!r}]")]
                    for k, v in value.items()
                ],
            }
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biufcUS":
                return {"$": "array", "ref": self._array(value)}
            if value.dtype == object:
                items = [self.node(v, where) for v in value.ravel().tolist()]
                return {"$": "objects", "shape": list(value.shape), "items": items}
        if isinstance(value, torch.Tensor):
            tensor = value.detach().cpu()
            return {
                "$": "tensor",
                "dtype": str(tensor.dtype).removeprefix("torch."),
                "ref": self._array(
                    tensor.float().numpy()
                    if tensor.dtype == torch.bfloat16
                    else tensor.numpy()
                ),
            }
        if isinstance(value, torch.nn.Module):
            return self.module(value, where)
        if isinstance(value, torch.device):
            return {"$": "device", "v": str(value)}
        if isinstance(value, np.random.RandomState):
            return {"$": "RandomState", "state": self.node(value.get_state(), where)}
        if isinstance(value, pd.CategoricalDtype):
            return {
                "$": "CategoricalDtype",
                "categories": self.node(value.categories.to_numpy(), where),
                "ordered": bool(value.ordered),
            }
        if isinstance(value, np.dtype):
            if value.fields is not None:
                raise TypeError(f"Cannot save {where}: structured dtype {value}.")
            return {"$": "dtype", "v": value.str}
        if isinstance(value, pd.api.extensions.ExtensionDtype):
            return {"$": "pandas_dtype", "v": str(value)}
        name = _qualname(type(value))
        if type(value) in FITTED_ATTRIBUTES:
            params, fitted = export_state(value)
            return {
                "$": "sklearn",
                "class": name,
                "params": self.node(params, f"{where}.params"),
                "fitted": self.node(fitted, f"{where}.fitted"),
            }
        if name in _trusted_classes() and (
            is_dataclass(value) or hasattr(value, "__dict__")
        ):
            state = self.node(dict(vars(value)), where)
            return {"$": "object", "class": name, "state": state}
        raise TypeError(
            f"Cannot save {where}: a {type(value).__name__} is not a plain value "
            "(numbers, strings, arrays, the package's own objects). Set it to a "
            "plain value (for example an integer random_state, or a dict "
            "sampling_strategy) and refit, or pickle the sampler instead "
            "(trusted use only)."
        )

    def module(self, module: torch.nn.Module, where: str) -> dict:
        name = _qualname(type(module))
        if name not in _trusted_classes() or not hasattr(module, "config"):
            raise TypeError(f"Cannot save {where}: unknown network {name}.")
        state = self.node(dict(module.state_dict()), where)
        return {
            "$": "module",
            "class": name,
            "config": self.node(module.config, f"{where}.config"),
            "training": module.training,
            "state": state,
        }


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


class _Reader:
    """Rebuilds objects from the JSON nodes of :class:`_Writer`.

    ``legacy``: a format-1 file, whose scikit-learn transforms are stored as
    their ``__dict__``; in later files such a node is refused.
    """

    def __init__(self, arrays: dict[str, np.ndarray], legacy: bool = False) -> None:
        self.arrays = arrays
        self.legacy = legacy
        self.classes = _trusted_classes()

    def _class(self, node: dict, where: str) -> type:
        name = node.get("class")
        if name not in self.classes:
            raise ModelFileError(
                f"{where} names the class {name!r}, which ldm_oversample does not "
                "load (it loads only its own samplers and their parts)."
            )
        return self.classes[name]

    def _array(self, node: dict, where: str) -> np.ndarray:
        ref = node.get("ref")
        if ref not in self.arrays:
            raise ModelFileError(f"{where} refers to a missing array {ref!r}.")
        return self.arrays[ref]

    def estimator(self, node: Any, where: str) -> Any:
        if not isinstance(node, dict) or node.get("$") != "estimator":
            raise ModelFileError(f"{where} is not a saved sampler.")
        cls = self._class(node, where)
        params = self.node(node.get("params"), f"{where}.params")
        fitted = self.node(node.get("fitted"), f"{where}.fitted")
        if not isinstance(params, dict) or not isinstance(fitted, dict):
            raise ModelFileError(f"{where} lacks its parameters or fitted state.")
        try:
            est = cls(**params)
            est._validate_params()
        except (TypeError, InvalidParameterError) as exc:
            raise ModelFileError(f"{where} has invalid parameters: {exc}") from None
        allowed = set(getattr(cls, "_private_fitted_attributes", ()))
        for key, value in fitted.items():
            if not isinstance(key, str) or not (
                (key.endswith("_") and not key.startswith("__")) or key in allowed
            ):
                raise ModelFileError(f"{where} has an unexpected attribute {key!r}.")
            setattr(est, key, value)
        if "classes_" not in fitted:
            raise ModelFileError(f"{where} holds no fitted state.")
        return est

    def node(self, node: Any, where: str) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("$"), str):
            raise ModelFileError(f"{where} holds an unexpected value {node!r:.80}.")
        kind = node["$"]
        try:
            if kind == "float":
                return float(node["v"])
            if kind == "scalar":
                return np.dtype(node["dtype"]).type(self.node(node["v"], where))
            if kind in ("list", "tuple"):
                items = [
                    self.node(v, f"{where}[{i}]") for i, v in enumerate(node["items"])
                ]
                return items if kind == "list" else tuple(items)
            if kind == "dict":
                return {
                    self.node(k, where): self.node(v, f"{where}[{k!r}]")
                    for k, v in node["items"]
                }
            if kind == "array":
                return self._array(node, where)
            if kind == "objects":
                items = [self.node(v, where) for v in node["items"]]
                out = np.empty(len(items), dtype=object)
                out[:] = items
                return out.reshape(node["shape"])
            if kind == "tensor":
                tensor = torch.from_numpy(np.array(self._array(node, where)))
                return tensor.to(getattr(torch, node["dtype"]))
            if kind == "module":
                return self.module(node, where)
            if kind == "device":
                return torch.device(node["v"])
            if kind == "RandomState":
                rng = np.random.RandomState()
                rng.set_state(self.node(node["state"], where))
                return rng
            if kind == "CategoricalDtype":
                categories = self.node(node["categories"], where)
                return pd.CategoricalDtype(categories, ordered=bool(node["ordered"]))
            if kind == "dtype":
                return np.dtype(node["v"])
            if kind == "pandas_dtype":
                dtype = pd.api.types.pandas_dtype(node["v"])
                if not isinstance(dtype, pd.api.extensions.ExtensionDtype):
                    raise ValueError(f"not a pandas extension dtype: {node['v']!r}")
                return dtype
            if kind == "sklearn":
                cls = self._class(node, where)
                if cls not in FITTED_ATTRIBUTES:
                    raise ModelFileError(f"{where} may not hold a {cls.__name__}.")
                params = self.node(node["params"], f"{where}.params")
                fitted = self.node(node["fitted"], f"{where}.fitted")
                return import_state(cls, params, fitted)
            if kind == "object":
                cls = self._class(node, where)
                if (
                    issubclass(cls, torch.nn.Module)
                    or hasattr(cls, "fit_resample")
                    or (cls in FITTED_ATTRIBUTES and not self.legacy)
                ):
                    raise ModelFileError(f"{where} may not hold a {cls.__name__}.")
                obj = object.__new__(cls)
                state = self.node(node["state"], where)
                if not all(isinstance(key, str) for key in state):
                    raise ModelFileError(f"{where} has non-text attribute names.")
                obj.__dict__.update(state)
                return obj
        except ModelFileError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelFileError(f"{where} is malformed ({exc!r:.200}).") from None
        raise ModelFileError(f"{where} has an unknown value kind {kind!r}.")

    def module(self, node: dict, where: str) -> torch.nn.Module:
        cls = self._class(node, where)
        config = self.node(node["config"], f"{where}.config")
        state = self.node(node["state"], f"{where}.state")
        try:
            module = cls(**config)
            module.load_state_dict(state, strict=True)
        except (TypeError, ValueError, RuntimeError) as exc:
            raise ModelFileError(
                f"{where}: the saved weights do not fit the saved network "
                f"({str(exc)[:300]})."
            ) from None
        return module.train(bool(node.get("training", False)))
