"""imbalanced-learn's fit_resample contract: **params, callable strategies,
the containers of X and y."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import ldm_oversample

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


# ------------------------------------------------------- marked synthetic rows
@pytest.mark.parametrize("name", SAMPLERS)
def test_synthetic_rows_are_marked(name, multiclass, tmp_path):
    X, y = multiclass
    # A shuffled, offset index: the output's must still be unique.
    frame = pd.DataFrame(X, index=np.random.default_rng(0).permutation(len(y)) + 7)
    sampler = make_fast(name, sampling_strategy={1: 90, 2: 100})
    X_res, y_res = sampler.fit_resample(frame, y)
    mask = sampler.synthetic_mask_
    assert mask.dtype == bool and mask.shape == (len(X_res),)
    assert sampler.n_original_ == len(y) == int((~mask).sum())
    assert not mask[: len(y)].any() and mask[len(y) :].all()
    assert X_res.index.is_unique and list(X_res.index) == list(range(len(X_res)))
    pd.testing.assert_frame_equal(
        X_res[~mask].reset_index(drop=True), frame.reset_index(drop=True)
    )
    generated = pd.Series(y_res[mask]).value_counts().to_dict()
    assert generated == {1: 90 - int((y == 1).sum()), 2: 100 - int((y == 2).sum())}
    # A model file keeps them, and a plain fit drops them (they describe the
    # output of the last fit_resample, which fit does not have).
    loaded = ldm_oversample.load(sampler.save(tmp_path / "m.ldm"))
    np.testing.assert_array_equal(loaded.synthetic_mask_, mask)
    sampler.fit(frame, y)
    assert not hasattr(sampler, "synthetic_mask_")
    assert not hasattr(sampler, "n_original_")


def test_synthetic_mask_weighs_rows_downstream(multiclass):
    """The documented use: weigh synthetic rows down in the classifier's fit."""
    X, y = multiclass
    sampler = make_fast("SMOTEOverSampler")
    X_res, y_res = sampler.fit_resample(X, y)
    weights = np.where(sampler.synthetic_mask_, 0.0, 1.0)
    weighted = LogisticRegression(max_iter=500).fit(X_res, y_res, sample_weight=weights)
    plain = LogisticRegression(max_iter=500).fit(X, y)
    # Zero weight on every synthetic row is the fit on the original rows.
    np.testing.assert_allclose(weighted.coef_, plain.coef_, atol=1e-4)
