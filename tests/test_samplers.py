"""The sampler contract, run against every generative sampler of the package.

Original rows first and unchanged, exact counts for every ``sampling_strategy``
form, formats and dtypes, ``sample()``, seeds, devices, pickling, verbosity and
pipelines. Sampler-specific behaviour lives in ``test_<sampler>.py``.
"""

from __future__ import annotations

import functools
import pickle
from collections import Counter

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV

from ldm_oversample._rows import _RowBuffer

from .conftest import FAST, TORCH_SAMPLERS, make_fast


@pytest.fixture(params=sorted(FAST))
def fast(request):
    """Factory of the sampler under test with tiny settings."""
    return functools.partial(make_fast, request.param)


@pytest.fixture(params=sorted(TORCH_SAMPLERS))
def torch_fast(request):
    """Factory of the neural samplers (device, chunking, progress bars)."""
    return functools.partial(make_fast, request.param)


# ---------------------------------------------------------------- originals
def test_original_rows_come_first_bit_identical_dataframe(fast, mixed_data):
    X, y = mixed_data
    X = X.set_axis(np.arange(len(X))[::-1] + 1000)  # a non-default index
    X_res, y_res = fast().fit_resample(X, y.set_axis(X.index))
    head = X_res.iloc[: len(X)]
    for col in X.columns:
        np.testing.assert_array_equal(head[col].to_numpy(), X[col].to_numpy())
    np.testing.assert_array_equal(y_res.iloc[: len(y)].to_numpy(), y.to_numpy())
    # imblearn's convention: the output gets a fresh RangeIndex, shared by X and y.
    assert X_res.index.equals(pd.RangeIndex(len(X_res)))
    assert y_res.index.equals(X_res.index)


def test_original_rows_come_first_bit_identical_array(fast, multiclass):
    X, y = multiclass
    X_res, y_res = fast().fit_resample(X, y)
    assert X_res[: len(X)].tobytes() == X.tobytes()
    np.testing.assert_array_equal(y_res[: len(y)], y)


# ------------------------------------------------------ sampling_strategy
@pytest.mark.parametrize(
    "strategy",
    [
        "auto",
        "minority",
        "not minority",
        "not majority",
        "all",
        {0: 150, 1: 100, 2: 100},
        lambda y: {c: int(np.sum(y == c)) + 7 for c in np.unique(y)},
    ],
    ids=["auto", "minority", "not-minority", "not-majority", "all", "dict", "callable"],
)
def test_counts_match_sampling_strategy(fast, multiclass, strategy):
    X, y = multiclass
    sampler = fast(sampling_strategy=strategy)
    X_res, y_res = sampler.fit_resample(X, y)
    before, after = Counter(y), Counter(y_res)
    for label in before:
        assert after[label] - before[label] == sampler.sampling_strategy_.get(label, 0)
    assert len(X_res) == len(y_res)


def test_float_strategy_binary(fast):
    X, y = make_classification(n_samples=200, weights=[0.85], random_state=1)
    sampler = fast(sampling_strategy=0.5)
    _, y_res = sampler.fit_resample(X, y)
    n_maj = np.sum(y == 0)
    assert np.sum(y_res == 1) == int(n_maj * 0.5)
    assert sampler.sampling_strategy_ == {1: int(n_maj * 0.5) - np.sum(y == 1)}


def test_synthetic_rows_are_labelled_in_strategy_order(fast, multiclass):
    X, y = multiclass
    sampler = fast(sampling_strategy={1: 120, 2: 90})
    _, y_res = sampler.fit_resample(X, y)
    new = y_res[len(y) :]
    n1, n2 = sampler.sampling_strategy_[1], sampler.sampling_strategy_[2]
    np.testing.assert_array_equal(new, [1] * n1 + [2] * n2)


# ------------------------------------------------------------- formats
def test_dataframe_in_dataframe_out_with_dtypes(fast, mixed_data):
    X, y = mixed_data
    X_res, y_res = fast().fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(X.columns)
    assert (X_res.dtypes == X.dtypes).all()
    assert y_res.name == "label"
    new = X_res.iloc[len(X) :]
    assert len(new) > 0
    # integers stay integral and inside the observed range
    assert new["size"].between(X["size"].min(), X["size"].max()).all()
    # categoricals stay among the seen categories, bool stays bool
    assert set(new["proto"]) <= set(X["proto"])
    assert list(new["proto"].cat.categories) == list(X["proto"].cat.categories)
    assert set(new["service"]) <= set(X["service"])
    assert new["syn"].dtype == bool
    assert new["ratio32"].dtype == np.float32
    assert np.isfinite(new[["rate", "ratio32"]].to_numpy()).all()
    assert new["rate"].between(X["rate"].min(), X["rate"].max()).all()


def test_categorical_features_by_name_and_mask(fast, mixed_data):
    X, y = mixed_data
    X = X.assign(level=np.tile([1, 2, 3], len(X) // 3))
    by_name = fast(categorical_features=["proto", "service", "syn", "level"]).fit(X, y)
    spans = {s.name: s for s in by_name.encoder_.layout_}
    assert spans["level"].kind == "categorical"
    np.testing.assert_array_equal(spans["level"].categories, [1, 2, 3])
    mask = X.columns.isin(["proto", "service", "syn", "level"])
    by_mask = fast(categorical_features=mask).fit(X, y)
    np.testing.assert_array_equal(
        by_name.encoder_.categorical_mask_, by_mask.encoder_.categorical_mask_
    )
    new = by_name.sample(50, class_label="attack")
    assert set(new["level"]) <= {1, 2, 3}
    with pytest.raises(ValueError, match="nope"):
        fast(categorical_features=["nope"]).fit(X, y)


def test_list_input_returns_list(fast, multiclass):
    X, y = multiclass
    X_res, y_res = fast().fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list)


# --------------------------------------------------------------- sample()
def test_sample_returns_exactly_n_rows_of_the_fitted_format(fast, mixed_data):
    X, y = mixed_data
    sampler = fast().fit(X, y)
    assert not hasattr(sampler, "history_") or sampler.history_
    out = sampler.sample(37, class_label="attack")
    assert isinstance(out, pd.DataFrame) and out.shape == (37, X.shape[1])
    assert (out.dtypes == X.dtypes).all()
    assert len(sampler.sample(0, class_label="benign")) == 0
    # default class = the smallest one seen in fit
    assert sampler.classes_[np.argmin(sampler.class_counts_)] == "attack"
    assert len(sampler.sample(5)) == 5


def test_sample_rejects_unknown_class_and_bad_counts(fast, mixed_data):
    X, y = mixed_data
    sampler = fast().fit(X, y)
    with pytest.raises(ValueError, match="'dos' was not seen"):
        sampler.sample(3, class_label="dos")
    with pytest.raises(ValueError, match="n_samples"):
        sampler.sample(-1, class_label="attack")
    with pytest.raises(ValueError, match="n_samples"):
        sampler.sample(2.5, class_label="attack")


def test_sample_before_fit_raises(fast):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        fast().sample(3, class_label=1)


def test_chunked_generation(torch_fast, monkeypatch, multiclass):
    X, y = multiclass
    sampler = torch_fast().fit(X, y)
    monkeypatch.setattr(type(sampler), "_generation_chunk_size", 16)
    sizes = []
    original = _RowBuffer.write

    def spy(self, start, table):  # each decoded chunk, in order
        sizes.append(len(table))
        return original(self, start, table)

    monkeypatch.setattr(_RowBuffer, "write", spy)
    out = sampler.sample(70, class_label=2)
    assert len(out) == 70
    assert sizes == [16, 16, 16, 16, 6]
    assert not pd.DataFrame(out).isna().any().any()


# ------------------------------------------------------------ randomness
def test_same_seed_same_output_and_global_rng_untouched(fast, mixed_data):
    X, y = mixed_data
    np_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    a = fast(random_state=3).fit_resample(X, y)[0]
    b = fast(random_state=3).fit_resample(X, y)[0]
    c = fast(random_state=4).fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(a, b)
    assert not a.iloc[len(X) :].equals(c.iloc[len(X) :])
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_random_state_none_leaves_global_rng_untouched(fast, multiclass):
    X, y = multiclass
    np_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    fast(random_state=None).fit_resample(X, y)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_sample_with_int_random_state_is_repeatable(fast, multiclass):
    X, y = multiclass
    sampler = fast().fit(X, y)
    np.testing.assert_array_equal(sampler.sample(20, 2), sampler.sample(20, 2))
    assert not np.array_equal(
        sampler.sample(20, 2, random_state=1), sampler.sample(20, 2, random_state=2)
    )


def test_batches_from_one_random_state_instance_differ_and_replay(fast, multiclass):
    # The documented idiom for generating in batches (docs/guide/sample.md).
    X, y = multiclass
    sampler = fast().fit(X, y)
    rng = np.random.RandomState(0)
    batches = [sampler.sample(20, 2, random_state=rng) for _ in range(3)]
    assert not np.array_equal(batches[0], batches[1])
    assert not np.array_equal(batches[1], batches[2])
    replay = np.random.RandomState(0)
    for batch in batches:
        np.testing.assert_array_equal(batch, sampler.sample(20, 2, random_state=replay))


# --------------------------------------------------------------- devices
def test_device_auto_resolves_to_cpu_without_cuda(torch_fast, monkeypatch, multiclass):
    X, y = multiclass
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    sampler = torch_fast(device="auto").fit(X, y)
    assert sampler.device_ == "cpu"
    networks = [v for v in vars(sampler).values() if isinstance(v, torch.nn.Module)]
    assert networks
    assert all(p.device.type == "cpu" for n in networks for p in n.parameters())
    assert isinstance(sampler.sample(4, 1), np.ndarray)


@pytest.mark.parametrize(
    ("device", "match"),
    [("gpu0", "not a valid torch device"), ("cuda", "CUDA is not available")],
)
def test_bad_device_is_a_clear_error(fast, monkeypatch, multiclass, device, match):
    X, y = multiclass
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=match):
        fast(device=device).fit(X, y)


# ----------------------------------------------------------- persistence
def test_joblib_pickle_roundtrip_samples_identically(fast, tmp_path, multiclass):
    X, y = multiclass
    sampler = fast().fit(X, y)
    path = tmp_path / "ldm.joblib"
    joblib.dump(sampler, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.sample(25, 1), sampler.sample(25, 1))


def test_model_fitted_on_gpu_samples_on_cpu(torch_fast, monkeypatch, multiclass):
    """A pickle recording a CUDA device loads and samples on a CPU-only machine."""
    X, y = multiclass
    sampler = torch_fast().fit(X, y)
    sampler.device_ = "cuda:0"  # as if fitted on a GPU
    state = pickle.loads(pickle.dumps(sampler))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = state.sample(10, 2)
    assert out.shape == (10, X.shape[1]) and np.isfinite(out).all()


# --------------------------------------------------------------- verbosity
def test_silent_by_default(fast, capsys, mixed_data):
    X, y = mixed_data
    fast().fit_resample(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_silent_unless_verbose(torch_fast, capsys, multiclass):
    X, y = multiclass
    torch_fast().fit_resample(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    torch_fast(verbose=True).fit_resample(X, y)
    captured = capsys.readouterr()
    assert "it/s]" in captured.err or "s/it]" in captured.err  # tqdm bars
    assert captured.out == ""


# ------------------------------------------------------------- pipelines
def test_pipeline_in_grid_search_parallel(fast, multiclass):
    X, y = multiclass
    pipe = Pipeline(
        [
            ("sampler", fast()),
            ("rf", RandomForestClassifier(n_estimators=10, random_state=0)),
        ]
    )
    grid = {"sampler__sampling_strategy": ["auto", "minority"]}
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=2, scoring="f1_macro")
    search.fit(X, y)
    assert search.best_params_["sampler__sampling_strategy"] in ("auto", "minority")
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert len(search.cv_results_["params"]) == 2
