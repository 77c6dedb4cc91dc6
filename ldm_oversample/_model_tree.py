"""The fitted state of a model file as a tree of JSON nodes and named arrays.

:class:`_Writer` turns a fitted sampler into plain JSON-able nodes (numbers,
strings, lists, dicts, dtypes, the package's own objects by class name) and
a dict of arrays the nodes refer to; :class:`_Reader` rebuilds the objects,
instantiating only the classes of :func:`_trusted_classes`. The file around
the tree (header, versions, digest) is :mod:`.persistence`.
"""

from __future__ import annotations

import math
from dataclasses import is_dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from ._compat import InvalidParameterError
from ._registry import SAMPLER_CLASSES
from ._sklearn_state import FITTED_ATTRIBUTES, export_state, import_state


class ModelFileError(ValueError):
    """The file is not a valid ldm_oversample model file, or was modified."""


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
        TokenTransformerVAE,
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
        TokenTransformerVAE,
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


class _Writer:
    """Turns a fitted object tree into JSON-able nodes plus named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, values: np.ndarray) -> str:
        name = f"a{len(self.arrays)}"
        self.arrays[name] = np.ascontiguousarray(values)
        return name

    def estimator(self, est: Any) -> dict:
        # The quality report describes one fit_resample call, not the model.
        fitted = {
            key: getattr(est, key)
            for key in est._fitted_attribute_names()
            if key != "quality_report_"
        }
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
