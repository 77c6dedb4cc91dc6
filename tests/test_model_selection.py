"""SamplingSearchCV: GridSearchCV's results with one generator fit per fold."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

import ldm_oversample.over_sampling.ldm as ldm_module
from ldm_oversample import LDMOverSampler, SMOTEOverSampler
from ldm_oversample.model_selection import SamplingSearchCV

from .conftest import FAST_LDM, make_fast


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=240, n_features=5, weights=[0.85], random_state=0
    )


def _pipeline(sampler=None) -> Pipeline:
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("ldm", sampler or LDMOverSampler(random_state=0, **FAST_LDM)),
            ("model", LogisticRegression()),
        ]
    )


@pytest.fixture
def generator_fits(monkeypatch):
    calls = []
    original = ldm_module.LDMOverSampler._fit_generator

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ldm_module.LDMOverSampler, "_fit_generator", counting)
    return calls


def _assert_same(search, grid):
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(search.cv_results_[key], grid.cv_results_[key])
    assert search.cv_results_["params"] == grid.cv_results_["params"]
    np.testing.assert_array_equal(
        search.cv_results_["rank_test_score"], grid.cv_results_["rank_test_score"]
    )
    assert search.best_params_ == grid.best_params_
    assert search.best_score_ == grid.best_score_


def test_equals_grid_search_with_a_fraction_of_the_generator_fits(data, generator_fits):
    X, y = data
    grid = {
        "ldm__n_sampling_steps": [3, 5],
        "ldm__noise_temperature": [0.8, 1.2],
        "ldm__beta": [0.01, 0.1],  # changes the fit: one group per value
        "model__C": [0.1, 1.0],  # after the sampler: swept
    }
    reference = GridSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    n_grid = len(generator_fits)
    generator_fits.clear()
    search = SamplingSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    _assert_same(search, reference)
    assert n_grid == 16 * 2 + 1
    assert len(generator_fits) == search.n_generator_fits_ == 2 * 2 + 1
    np.testing.assert_array_equal(
        search.predict_proba(X), reference.best_estimator_.predict_proba(X)
    )
    assert search.score(X, y) == reference.score(X, y)


def test_a_list_of_grids_with_other_keys_starts_each_candidate_afresh(data):
    X, y = data
    grid = [
        {"ldm__noise_temperature": [0.5, 1.5]},
        {"ldm__n_sampling_steps": [2]},  # noise_temperature back to its default
        {"ldm__strength": [0.4]},  # from noised real latents: no refit either
    ]
    reference = GridSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    search = SamplingSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    _assert_same(search, reference)
    assert search.n_generator_fits_ == 2 + 1


def test_a_grid_that_replaces_the_sampler_keeps_each_samplers_own_values(data):
    X, y = data
    warm = LDMOverSampler(random_state=0, noise_temperature=1.5, **FAST_LDM)
    grid = {
        "ldm": [LDMOverSampler(random_state=0, **FAST_LDM), warm],
        "ldm__n_sampling_steps": [3, 5],
    }
    reference = GridSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    search = SamplingSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    _assert_same(search, reference)
    assert search.n_generator_fits_ == 2 * 2 + 1


def test_a_failing_candidate_scores_error_score_as_in_grid_search(data):
    X, y = data
    # Guidance needs an unconditional model, which cond_dropout=0 does not train.
    grid = {"ldm__guidance_scale": [0.0, 2.0], "ldm__cond_dropout": [0.0]}
    with pytest.warns(UserWarning):
        reference = GridSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    search = SamplingSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores[0]) and np.isnan(scores[1])
    np.testing.assert_array_equal(scores, reference.cv_results_["mean_test_score"])
    assert search.cv_results_["rank_test_score"].tolist() == [1, 2]
    with pytest.raises(ValueError, match="needs an unconditional model"):
        SamplingSearchCV(
            _pipeline(), grid, cv=2, scoring="f1", error_score="raise"
        ).fit(X, y)


def test_a_failing_first_fit_leaves_the_next_candidate_a_fresh_pipeline(data):
    X, y = data
    grid = {"ldm__n_sampling_steps": [50, 3]}  # 50 exceeds n_timesteps=20
    reference = GridSearchCV(_pipeline(), grid, cv=2, scoring="f1")
    with pytest.warns(UserWarning):
        reference.fit(X, y)
    search = SamplingSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
    )
    assert search.best_params_ == {"ldm__n_sampling_steps": 3}


def test_without_a_sweepable_sampler_it_is_grid_search(data):
    X, y = data
    pipe = _pipeline(SMOTEOverSampler(random_state=0))
    grid = {"ldm__k_neighbors": [3, 5], "model__C": [0.1, 1.0]}
    reference = GridSearchCV(pipe, grid, cv=2, scoring="f1").fit(X, y)
    search = SamplingSearchCV(pipe, grid, cv=2, scoring="f1").fit(X, y)
    _assert_same(search, reference)
    assert search.n_generator_fits_ == 4 * 2 + 1


@pytest.mark.slow  # starts worker processes
def test_parallel_jobs_give_the_serial_results(data):
    X, y = data
    grid = {"ldm__n_sampling_steps": [3, 5], "ldm__latent_dim": [2, 4]}
    serial = SamplingSearchCV(_pipeline(), grid, cv=2, scoring="f1").fit(X, y)
    parallel = SamplingSearchCV(_pipeline(), grid, cv=2, scoring="f1", n_jobs=2)
    parallel.fit(X, y)
    _assert_same(parallel, serial)


def test_ddpm_sweeps_its_own_sampling_parameters(data):
    X, y = data
    pipe = _pipeline(make_fast("DDPMOverSampler"))
    grid = {"ldm__n_sampling_steps": [3, 5], "ldm__eta": [0.0, 1.0]}
    reference = GridSearchCV(pipe, grid, cv=2, scoring="f1").fit(X, y)
    search = SamplingSearchCV(pipe, grid, cv=2, scoring="f1").fit(X, y)
    _assert_same(search, reference)
    assert search.n_generator_fits_ == 2 + 1


def test_refuses_what_is_not_a_pipeline(data):
    X, y = data
    with pytest.raises(TypeError, match=r"imblearn\.pipeline\.Pipeline"):
        SamplingSearchCV(LogisticRegression(), {"C": [1.0]}).fit(X, y)
