"""The scikit-learn internals in ``ldm_oversample._compat`` behave as the
samplers need (run at the floors by the minimum-versions CI job too)."""

from __future__ import annotations

from numbers import Integral, Real

import pytest
from sklearn.base import BaseEstimator

from ldm_oversample import LDMOverSampler
from ldm_oversample._compat import (
    Interval,
    InvalidParameterError,
    StrOptions,
    _fit_context,
)


class _Toy(BaseEstimator):
    _parameter_constraints: dict = {
        "k": [Interval(Integral, 1, None, closed="left")],
        "rate": [Interval(Real, 0, 1, closed="neither"), None],
        "mode": [StrOptions({"a", "b"})],
    }

    def __init__(self, k=1, rate=None, mode="a"):
        self.k, self.rate, self.mode = k, rate, mode

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        self.fitted_ = True
        return self


@pytest.mark.parametrize(
    ("params", "name"),
    [({"k": 0}, "'k'"), ({"rate": 1.0}, "'rate'"), ({"mode": "c"}, "'mode'")],
)
def test_fit_context_validates_the_declared_constraints(params, name):
    with pytest.raises(InvalidParameterError, match=name):
        _Toy(**params).fit()
    assert _Toy(k=3, rate=0.5, mode="b").fit().fitted_


def test_invalid_parameters_are_value_errors_naming_the_sampler():
    """InvalidParameterError subclasses ValueError, as users catch it."""
    assert issubclass(InvalidParameterError, ValueError)
    with pytest.raises(ValueError, match="LDMOverSampler"):
        LDMOverSampler(max_epochs=0).fit([[0.0], [1.0], [2.0]], [0, 0, 1])
