"""imbalanced-learn's and scikit-learn's estimator checks on every sampler.

The checks are collected into lists (pytest 9 deprecates generators in
``parametrize``), with the same ids and xfail marks ``parametrize_with_checks``
would give.
"""

from __future__ import annotations

import pytest
from imblearn.utils.estimator_checks import (
    estimator_checks_generator as imblearn_checks,
)
from sklearn.utils.estimator_checks import check_param_validation
from sklearn.utils.estimator_checks import (
    estimator_checks_generator as sklearn_checks,
)

from .conftest import FAST, make_fast

SAMPLERS = [make_fast(name) for name in sorted(FAST)]

#: Checks not collected at all, with the reason (they would only skip themselves).
NOT_APPLICABLE = {
    "check_array_api_input": "array-API namespaces are not supported: the torch "
    "models take NumPy input; sklearn skips this check unless SCIPY_ARRAY_API=1.",
}

#: Checks expected to fail, per sampler class, with the reason.
EXPECTED_FAILED: dict[str, dict[str, str]] = {name: {} for name in FAST}


def _unpack(generator_fn):
    """Turn (estimator, check) pairs, some wrapped in pytest.param, into params."""
    params = []
    for estimator in SAMPLERS:
        expected = EXPECTED_FAILED[type(estimator).__name__]
        for item in generator_fn(
            estimator, expected_failed_checks=expected, mark="xfail"
        ):
            if hasattr(item, "values"):  # a pytest.param carrying an xfail mark
                est, check = item.values
                marks = item.marks
            else:
                est, check = item
                marks = ()
            name = getattr(check, "func", check).__name__
            if name in NOT_APPLICABLE:
                continue
            params.append(
                pytest.param(est, check, id=f"{type(est).__name__}-{name}", marks=marks)
            )
    return params


@pytest.mark.parametrize(("estimator", "check"), _unpack(imblearn_checks))
def test_imblearn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize(("estimator", "check"), _unpack(sklearn_checks))
def test_sklearn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", SAMPLERS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
