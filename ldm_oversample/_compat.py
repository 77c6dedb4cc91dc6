"""The scikit-learn internals the package relies on, imported in one place.

Parameter validation (``Interval``, ``StrOptions``, ``HasMethods``,
``InvalidParameterError``)
comes from scikit-learn's private ``utils._param_validation``, as in
imbalanced-learn itself; ``_fit_context`` comes through ``sklearn_compat``, the
compatibility layer imbalanced-learn uses, which keeps it working across
scikit-learn releases. ``tests/test_compat.py`` checks that each behaves as
the samplers need, at the floors (the minimum-versions CI job) and at the
newest releases.
"""

from __future__ import annotations

from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn_compat.base import _fit_context

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_fit_context",
]
