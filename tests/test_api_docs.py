"""The public API is documented and well behaved in tools.

Every public function, class and public method has a numpydoc docstring whose
Parameters match its signature; the package ships ``py.typed``; the CLI
reports the single-sourced version; samplers render as HTML in Jupyter.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

import ldm_oversample

PUBLIC_MODULES = [
    "ldm_oversample",
    "ldm_oversample.metrics",
    "ldm_oversample.persistence",
    "ldm_oversample.testing",
    "ldm_oversample.datasets",
    "ldm_oversample.diffusion",
    "ldm_oversample.diffusion.distill",
    "ldm_oversample.nn",
    "ldm_oversample.tabular",
    "ldm_oversample.tabular.decoding",
    "ldm_oversample.training",
    "ldm_oversample.utils",
    "ldm_oversample.benchmark",
]


def _public_objects():
    seen = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return sorted(seen.items())


PUBLIC = _public_objects()


def _documented(doc) -> list[str]:
    names = []
    for param in doc["Parameters"]:
        # "a, b : int" documents two parameters at once.
        names += [n.strip() for n in param.name.split(",") if n.strip()]
    return names


def _signature_names(func) -> list[str]:
    names = []
    for p in inspect.signature(func).parameters.values():
        if p.name in ("self", "cls"):
            continue
        if p.kind is p.VAR_KEYWORD:
            names.append(f"**{p.name}")
        elif p.kind is p.VAR_POSITIONAL:
            names.append(f"*{p.name}")
        else:
            names.append(p.name)
    return names


def _check(func, doc, where: str) -> list[str]:
    signature = _signature_names(func)
    documented = _documented(doc)
    if documented != signature:
        return [f"{where}: documents {documented}, signature has {signature}"]
    return []


def _public_methods(cls):
    for name, member in vars(cls).items():
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        yield name, member


def test_public_api_is_listed():
    assert len(PUBLIC) > 40
    names = {qualname.rsplit(".", 1)[1] for qualname, _ in PUBLIC}
    assert {"LDMOverSampler", "load", "assert_resample_invariants"} <= names


@pytest.mark.parametrize(("qualname", "obj"), PUBLIC, ids=[q for q, _ in PUBLIC])
def test_docstring_parameters_match_signature(qualname, obj):
    assert inspect.getdoc(obj), f"{qualname} has no docstring"
    errors = []
    if inspect.isclass(obj):
        init = obj.__init__
        if init is not object.__init__ and "__init__" in _own_members(obj):
            errors += _check(init, ClassDoc(obj), qualname)
        for name, method in _public_methods(obj):
            if not inspect.getdoc(method):
                errors.append(f"{qualname}.{name} has no docstring")
                continue
            if name in ("forward",):  # torch's documented convention
                continue
            errors += _check(method, FunctionDoc(method), f"{qualname}.{name}")
    else:
        errors += _check(obj, FunctionDoc(obj), qualname)
    assert not errors, "\n".join(errors)


def _own_members(cls) -> set[str]:
    """Members defined by the class itself or a base of this package."""
    names = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("ldm_oversample"):
            names |= set(vars(klass))
    return names


def test_package_is_typed():
    assert (Path(ldm_oversample.__file__).parent / "py.typed").exists()


def test_samplers_render_as_html_in_jupyter():
    sampler = ldm_oversample.LDMOverSampler(latent_dim=8)
    html = sampler._repr_html_()
    assert "LDMOverSampler" in html and "latent_dim" in html
    assert "<style" in html  # sklearn's estimator diagram
    assert repr(sampler) == "LDMOverSampler(latent_dim=8)"


def _unannotated(func) -> list[str]:
    signature = inspect.signature(func)
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.name not in ("self", "cls") and p.annotation is p.empty
    ]
    if func.__name__ != "__init__" and signature.return_annotation is signature.empty:
        missing.append("return")
    return missing


@pytest.mark.parametrize(("qualname", "obj"), PUBLIC, ids=[q for q, _ in PUBLIC])
def test_public_api_has_type_hints(qualname, obj):
    functions = [(qualname, obj)] if inspect.isfunction(obj) else []
    if inspect.isclass(obj):
        for name, member in inspect.getmembers(obj, inspect.isfunction):
            if (name == "__init__" or not name.startswith("_")) and (
                member.__module__.startswith("ldm_oversample")
            ):
                functions.append((f"{qualname}.{name}", member))
    missing = {where: m for where, f in functions if (m := _unannotated(f))}
    assert not missing, missing
