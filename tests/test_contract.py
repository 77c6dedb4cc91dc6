"""imbalanced-learn's fit_resample contract: **params, callable strategies,
the containers of X and y."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from sklearn.datasets import make_classification

from .conftest import FAST, make_fast

SAMPLERS = sorted(FAST)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=4, weights=[0.8], random_state=0
    )
    return X, y


@pytest.mark.parametrize("name", SAMPLERS)
def test_sample_weight_is_refused_by_name(name, data):
    X, y = data
    with pytest.raises(ValueError, match="does not support sample_weight"):
        make_fast(name).fit_resample(X, y, sample_weight=np.ones(len(y)))


@pytest.mark.parametrize("name", SAMPLERS)
def test_other_keywords_are_named(name, data):
    X, y = data
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) 'foo'"):
        make_fast(name).fit_resample(X, y, foo=1)


@pytest.mark.parametrize("name", SAMPLERS)
def test_a_callable_strategy_is_called_once(name, data):
    X, y = data
    calls = []

    def strategy(labels):
        calls.append(len(labels))
        return {1: int((labels == 0).sum())}

    _, y_res = make_fast(name, sampling_strategy=strategy).fit_resample(X, y)
    assert calls == [len(y)]
    assert (y_res == 1).sum() == (y == 0).sum()
    calls.clear()
    make_fast(name, sampling_strategy=strategy).fit(X, y)
    assert calls == [len(y)]


@pytest.mark.parametrize("name", SAMPLERS)
def test_containers_match_imbalanced_learn(name, data):
    """A Series y comes back a Series (name, dtype, X's index); lists as lists."""
    X, y = data
    frame = pd.DataFrame(X, columns=list("abcd"))
    labels = pd.Series(np.where(y == 1, "attack", "benign"), name="label")
    ours = make_fast(name).fit_resample(frame, labels)
    ref = RandomOverSampler(random_state=0).fit_resample(frame, labels)
    for got, want in zip(ours, ref, strict=True):
        assert type(got) is type(want)
    assert ours[1].name == "label" and ours[1].dtype == labels.dtype
    assert ours[1].index.equals(ours[0].index)
    X_list, y_list = make_fast(name).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_list, list) and isinstance(y_list, list)
    assert len(X_list) == len(y_list) == 2 * (y == 0).sum()
