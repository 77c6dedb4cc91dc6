"""Property tests: every sampler, random small mixed-type tables.

Hypothesis draws imbalanced targets (2 or 3 classes of at least 6 rows, int or
string labels, as an array or a Series) and tables of 20-80 rows: DataFrames of
1-6 columns of int64 (narrow to the full int64 range, sometimes constant),
float64 (heavy-tailed, negative, tiny, few-valued, constant), float32, bool,
category (ordered or not, sometimes with an unused category), object and
pandas ``str`` strings, under a default, shuffled, offset or sparse integer
index; and plain int or float ndarrays. Each sampler's ``fit_resample`` output
must satisfy :func:`ldm_oversample.testing.assert_resample_invariants`, leave
its input untouched and keep the type, dtype and name of ``y``, also when the
neural samplers generate in small chunks; a ``sampling_strategy`` dict must
give exactly the requested counts.

Runs are derandomized, so CI sees the same examples on every run; the example
counts keep the whole file to well under a minute on two CPU cores.
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldm_oversample import TabularEncoder
from ldm_oversample.testing import assert_resample_invariants

from .conftest import FAST, TORCH_SAMPLERS, make_fast

SAMPLERS = sorted(FAST)

#: Examples per property and sampler: SMOTE trains nothing, so it gets more.
EXAMPLES = dict.fromkeys(TORCH_SAMPLERS, 5)
EXAMPLES["SMOTEOverSampler"] = 10

COLUMN_KINDS = ("int64", "float64", "float32", "bool", "category", "object", "str")
INT64 = (int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max))
WORDS = ("tcp", "udp", "icmp", "arp", "dns", "http", "ssh", "B", "a b", "")


def _settings(name: str):
    return settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _sampler(name: str, chunk: int | None = None, **kwargs):
    """The sampler with tiny settings; ``chunk`` rows per generated chunk."""
    if name not in TORCH_SAMPLERS:
        return make_fast(name, **kwargs)
    sampler = make_fast(name, **{"max_epochs": 1, **kwargs})
    if chunk is not None:  # small chunks exercise the chunked output buffer
        sampler._generation_chunk_size = chunk
    return sampler


#: Rows per generated chunk: the default (one chunk) or a few small ones.
CHUNKS = st.sampled_from([None, 1, 7, 32])


# --------------------------------------------------------------- strategies
@st.composite
def class_counts(draw):
    """Rows per class: 2 or 3 classes of at least 6 rows, one strict majority."""
    n_classes = draw(st.sampled_from([2, 3]))
    minority = [draw(st.integers(6, 20)) for _ in range(n_classes - 1)]
    low = max(20 - sum(minority), max(minority) + 1)
    majority = draw(st.integers(low, max(low, 80 - sum(minority))))
    return [majority, *minority]


@st.composite
def labels(draw, counts: list[int]):
    """Shuffled labels with ``counts`` rows per class, as ints or strings."""
    kind = draw(st.sampled_from(["int64", "int32", "str", "object", "numpy-str"]))
    if kind in ("int64", "int32"):
        values = draw(
            st.lists(
                st.integers(-5, 10**6),
                min_size=len(counts),
                max_size=len(counts),
                unique=True,
            )
        )
        classes = np.array(values, dtype=kind)
    else:
        names = draw(
            st.lists(
                st.sampled_from(["attack", "benign", "dos", "Ddos", "0", "x y"]),
                min_size=len(counts),
                max_size=len(counts),
                unique=True,
            )
        )
        classes = np.array(names, dtype=object if kind == "object" else str)
    y = np.repeat(classes, counts)
    order = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).permutation(len(y))
    return y[order], kind


def _int_column(draw, rng, n, dtype=np.int64):
    low, high = draw(
        st.sampled_from(
            [(0, 1), (-5, 5), (0, 1500), (-(10**6), 10**6), (-(10**12), 10**12), INT64]
        )
    )
    info = np.iinfo(dtype)
    low, high = max(low, int(info.min)), min(high, int(info.max))
    if draw(st.booleans()) and high - low > 2:  # a narrower random range
        low = draw(st.integers(low, high - 1))
        high = draw(st.integers(low, high))  # low == high: a constant column
    return rng.integers(low, high, n, endpoint=True, dtype=dtype)


def _float_column(draw, rng, n):
    shape = draw(
        st.sampled_from(
            ["normal", "lognormal", "cauchy", "uniform", "tiny", "few", "constant"]
        )
    )
    scale = 10.0 ** draw(st.integers(-3, 9))
    if shape == "normal":
        values = rng.normal(draw(st.floats(-1e6, 1e6)), scale, n)
    elif shape == "lognormal":
        values = rng.lognormal(draw(st.floats(-2, 8)), draw(st.floats(0.1, 3.0)), n)
    elif shape == "cauchy":
        values = rng.standard_cauchy(n) * scale
    elif shape == "uniform":
        values = rng.uniform(-scale, scale, n)
    elif shape == "tiny":
        values = rng.random(n) * 1e-9
    elif shape == "few":  # a handful of distinct values, as in flags or ports
        values = rng.choice(rng.normal(0, scale, 3), n)
    else:
        values = np.full(n, draw(st.floats(-1e12, 1e12)))
    if draw(st.booleans()):
        values = -values
    return values


def _column(draw, rng, kind: str, index: pd.Index) -> pd.Series:
    n = len(index)
    if kind == "int64":
        return pd.Series(_int_column(draw, rng, n), index=index)
    if kind == "float64":
        return pd.Series(_float_column(draw, rng, n), index=index)
    if kind == "float32":
        return pd.Series(_float_column(draw, rng, n).astype(np.float32), index=index)
    if kind == "bool":
        return pd.Series(rng.random(n) < draw(st.floats(0.05, 0.95)), index=index)
    categories = draw(
        st.lists(st.sampled_from(WORDS), min_size=2, max_size=4, unique=True)
    )
    values = rng.choice(categories, n)
    values[: len(categories)] = categories  # every category is observed
    values = rng.permutation(values).astype(object)
    if kind == "category":
        # Sometimes ordered, sometimes with a declared category that never occurs.
        declared = draw(st.permutations(categories))  # not always sorted
        if draw(st.booleans()):
            declared = [*declared, "unused"]
        dtype = pd.CategoricalDtype(declared, ordered=draw(st.booleans()))
        return pd.Series(values, index=index, dtype=dtype)
    # "object" keeps NumPy object dtype; "str" is pandas 3's default string dtype.
    return pd.Series(values, index=index, dtype=object if kind == "object" else str)


def _index(draw, n: int):
    kind = draw(st.sampled_from(["range", "shuffled", "offset", "sparse"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "range":
        return pd.RangeIndex(n)
    if kind == "shuffled":
        return pd.Index(rng.permutation(n))
    if kind == "offset":
        return pd.RangeIndex(1000, 1000 + n)
    return pd.Index(rng.choice(10**9, n, replace=False))


@st.composite
def frames(draw):
    """An imbalanced mixed-type DataFrame and its target (Series or array)."""
    counts = draw(class_counts())
    y, label_kind = draw(labels(counts))
    n = len(y)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kinds = draw(st.lists(st.sampled_from(COLUMN_KINDS), min_size=1, max_size=6))
    names = draw(
        st.lists(
            st.text("abcxyz_ 0", min_size=1, max_size=6),
            min_size=len(kinds),
            max_size=len(kinds),
            unique=True,
        )
    )
    index = _index(draw, n)
    X = pd.DataFrame(
        {
            name: _column(draw, rng, kind, index)
            for name, kind in zip(names, kinds, strict=True)
        },
        index=index,
    )
    if label_kind == "str" or draw(st.booleans()):
        y = pd.Series(y, index=X.index, name="label")
    return X, y


@st.composite
def arrays(draw):
    """An imbalanced numeric ndarray (int or float dtype) and its target."""
    counts = draw(class_counts())
    y, _ = draw(labels(counts))
    n = len(y)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from(["int64", "int32", "float64", "float32"]))
    n_columns = draw(st.integers(1, 6))
    if dtype.startswith("int"):
        X = np.column_stack(
            [_int_column(draw, rng, n, dtype) for _ in range(n_columns)]
        )
    else:
        X = np.column_stack([_float_column(draw, rng, n) for _ in range(n_columns)])
    if draw(st.booleans()):
        y = pd.Series(y, name="target")
    return X.astype(dtype), y


# ----------------------------------------------------------------- checks
def _copy(obj):
    return (
        obj.copy(deep=True)
        if isinstance(obj, (pd.DataFrame, pd.Series))
        else obj.copy()
    )


def _assert_unchanged(before, after) -> None:
    if isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(after, before, check_exact=True)
        pd.testing.assert_index_equal(after.index, before.index, exact=True)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(after, before, check_exact=True)
    else:
        assert after.dtype == before.dtype
        np.testing.assert_array_equal(after, before)


def _resample_and_check(sampler, X, y):
    X_before, y_before = _copy(X), _copy(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no class is tiny here
        X_res, y_res = sampler.fit_resample(X, y)
    _assert_unchanged(X_before, X)
    _assert_unchanged(y_before, y)
    assert_resample_invariants(X, y, X_res, y_res, sampler.sampling_strategy_)
    assert type(y_res) is type(y)
    assert np.asarray(y_res).dtype == np.asarray(y).dtype
    if isinstance(y, pd.Series):
        assert y_res.dtype == y.dtype and y_res.name == y.name
        if isinstance(X_res, pd.DataFrame):
            assert y_res.index.equals(X_res.index)
    return X_res, y_res


# ---------------------------------------------------------------- properties
@pytest.mark.parametrize("name", SAMPLERS)
def test_resample_invariants_on_mixed_frames(name):
    @_settings(name)
    @given(data=frames(), chunk=CHUNKS)
    def check(data, chunk):
        X, y = data
        _resample_and_check(_sampler(name, chunk), X, y)

    check()


@pytest.mark.parametrize("name", SAMPLERS)
def test_resample_invariants_on_numeric_arrays(name):
    @_settings(name)
    @given(data=arrays(), chunk=CHUNKS)
    def check(data, chunk):
        X, y = data
        _resample_and_check(_sampler(name, chunk), X, y)

    check()


@pytest.mark.parametrize("name", SAMPLERS)
def test_dict_sampling_strategy_counts(name):
    @_settings(name)
    @given(data=st.one_of(frames(), arrays()), chunk=CHUNKS, extra=st.data())
    def check(data, chunk, extra):
        X, y = data
        before = Counter(np.asarray(y).tolist())
        target = {
            label: count + extra.draw(st.integers(0, 40), label=f"extra[{label!r}]")
            for label, count in before.items()
        }
        sampler = _sampler(name, chunk, sampling_strategy=target)
        _, y_res = _resample_and_check(sampler, X, y)
        assert sampler.sampling_strategy_ == {
            label: target[label] - before[label] for label in target
        }
        assert Counter(np.asarray(y_res).tolist()) == target

    check()


# ------------------------------------------------------------ regressions
def _int64_extremes():
    """Minimal reproducer: an int64 column holding the int64 maximum."""
    rng = np.random.default_rng(0)
    values = np.r_[rng.integers(0, 10, 29), np.iinfo(np.int64).max]
    y = np.array(["a"] * 20 + ["b"] * 10)
    return values, y


def test_from_columns_clips_integers_inside_their_dtype():
    # float64 rounds 2**63 - 1 up to 2**63: clipping a decoded value to that
    # "maximum" overflowed int64 (a ValueError for DataFrames, a silent
    # wrap-around to -2**63 for arrays).
    top = np.iinfo(np.int64).max
    decoded = np.array([2.0**63, 1e19, -1.0])
    frame = TabularEncoder().fit(pd.DataFrame({"v": [0, 1, top]}))
    out = frame.from_columns([decoded])["v"]
    assert out.dtype == np.int64
    assert out.iloc[0] == out.iloc[1] == int(np.nextafter(2.0**63, 0))
    assert out.iloc[2] == 0
    array = TabularEncoder().fit(np.array([[0], [1], [top]]))
    np.testing.assert_array_equal(array.from_columns([decoded])[:, 0], out)
    unsigned = TabularEncoder().fit(np.array([[0], [2**64 - 1]], dtype=np.uint64))
    assert unsigned.from_columns([np.array([2.0**64])])[0, 0] == 2**64 - 2048


@pytest.mark.parametrize("name", SAMPLERS)
@pytest.mark.parametrize("container", ["frame", "array"])
def test_int64_maximum_survives_resampling(name, container):
    values, y = _int64_extremes()
    X = pd.DataFrame({"v": values}) if container == "frame" else values[:, None]
    _resample_and_check(_sampler(name), X, y)
