"""Tests of the mixed-type tabular encoding (TabularEncoder and friends)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from ldm_oversample.tabular import (
    ColumnSpan,
    TabularEncoder,
    resolve_categorical_features,
)

NUMERIC = ["rate", "size", "ratio32"]
CATEGORICAL = ["proto", "service", "syn"]


def _frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """float64, int64, float32, category, object and bool columns, interleaved."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "rate": rng.lognormal(3, 2, n),
            "proto": pd.Categorical(rng.choice(["tcp", "udp", "icmp"], n)),
            "size": rng.integers(-40, 1500, n),
            "service": pd.Series(
                rng.choice(["http", "dns", "ssh", "ftp"], n), dtype=object
            ),
            "ratio32": rng.random(n).astype(np.float32),
            "syn": rng.random(n) < 0.3,
        }
    )


def _random_encoded(encoder: TabularEncoder, n: int, seed: int = 1) -> np.ndarray:
    """Random normal noise for numeric dims, random logits for categorical blocks."""
    rng = np.random.default_rng(seed)
    return (3.0 * rng.normal(size=(n, encoder.n_encoded_))).astype(np.float32)


@pytest.fixture
def frame():
    return _frame()


@pytest.fixture
def fitted(frame):
    return TabularEncoder().fit(frame)


# ---------------------------------------------------------------- round trip
def test_round_trip_values(frame, fitted):
    Z = fitted.transform(frame)
    assert Z.dtype == np.float32
    assert Z.shape == (len(frame), fitted.n_encoded_)
    back = fitted.inverse_transform(Z)
    assert isinstance(back, pd.DataFrame)
    assert list(back.columns) == list(frame.columns)
    assert back.shape == frame.shape
    for name in CATEGORICAL:
        assert back[name].tolist() == frame[name].tolist(), name
    # Integer columns come back exactly.
    np.testing.assert_array_equal(back["size"].to_numpy(), frame["size"].to_numpy())
    # The encoded matrix is float32, which limits the numeric round trip to
    # about 1e-5 of each column's range (measured: <= 2e-5 at 200 rows).
    for name in ("rate", "ratio32"):
        original = frame[name].to_numpy(np.float64)
        decoded = back[name].to_numpy(np.float64)
        tol = 1e-4 * np.ptp(original)
        np.testing.assert_allclose(decoded, original, rtol=0, atol=tol)


def test_round_trip_is_exact_with_float64_encoding(frame, fitted):
    """The quantile transform with n_quantiles == rows is invertible on its points."""
    Z = fitted.transform(frame).astype(np.float64)
    Z[:, :3] = fitted.quantile_transformer_.transform(
        frame[[s.name for s in fitted.numeric_spans]].to_numpy(np.float64)
    )
    back = fitted.inverse_transform(Z)
    for name in NUMERIC:
        np.testing.assert_allclose(
            back[name].to_numpy(np.float64), frame[name].to_numpy(np.float64), rtol=1e-9
        )
    assert fitted.quantile_transformer_.n_quantiles_ == len(frame)


@pytest.mark.parametrize("column", NUMERIC + CATEGORICAL)
def test_round_trip_preserves_dtype(frame, fitted, column):
    back = fitted.inverse_transform(fitted.transform(frame))
    assert back[column].dtype == frame[column].dtype


def test_round_trip_preserves_column_order_and_dtypes_of_str_and_category():
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame(
        {
            "b": pd.Categorical(rng.choice(["x", "y"], n), categories=["z", "y", "x"]),
            "a": rng.normal(size=n),
            "s": pd.array(rng.choice(["p", "q"], n), dtype="string"),
            "I": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "u": rng.integers(0, 200, n).astype(np.uint8),
        }
    )
    enc = TabularEncoder().fit(frame)
    back = enc.inverse_transform(enc.transform(frame))
    assert list(back.columns) == ["b", "a", "s", "I", "u"]
    assert back.dtypes.to_dict() == frame.dtypes.to_dict()
    for name in ("b", "s", "I", "u"):
        assert back[name].tolist() == frame[name].tolist(), name


def test_int_columns_integral_and_in_range_on_round_trip(frame, fitted):
    back = fitted.inverse_transform(fitted.transform(frame))
    size = back["size"].to_numpy()
    assert np.issubdtype(size.dtype, np.integer)
    assert size.min() >= frame["size"].min()
    assert size.max() <= frame["size"].max()


def test_decoding_noise_stays_in_observed_support(frame, fitted):
    Z = _random_encoded(fitted, 500)
    out = fitted.inverse_transform(Z)
    assert list(out.columns) == list(frame.columns)
    assert len(out) == 500
    for name in NUMERIC:
        values = out[name].to_numpy(np.float64)
        assert np.isfinite(values).all()
        assert values.min() >= frame[name].min(), name
        assert values.max() <= frame[name].max(), name
        # Large noise reaches both ends of the observed range.
        assert values.min() == pytest.approx(float(frame[name].min()))
        assert values.max() == pytest.approx(float(frame[name].max()))
    size = out["size"].to_numpy()
    assert out["size"].dtype == np.int64
    assert np.array_equal(size, np.rint(size))
    for name in CATEGORICAL:
        assert set(out[name].tolist()) <= set(frame[name].tolist()), name
        assert out[name].nunique() == frame[name].nunique(), name  # every one reachable
    assert out["syn"].dtype == bool
    assert isinstance(out["proto"].dtype, pd.CategoricalDtype)
    # Categories are the argmax of each block.
    codes = fitted.category_codes(Z)
    for k, span in enumerate(fitted.categorical_spans):
        argmax = Z[:, span.start : span.stop].argmax(axis=1)
        assert out[span.name].tolist() == span.categories[argmax].tolist()
        np.testing.assert_array_equal(codes[:, k], argmax)


def test_numeric_decoding_is_monotone(frame, fitted):
    z = np.linspace(-6, 6, 101)
    Z = np.zeros((101, fitted.n_encoded_))
    Z[:, :3] = z[:, None]
    out = fitted.inverse_transform(Z)
    for name in NUMERIC:
        assert np.all(np.diff(out[name].to_numpy(np.float64)) >= 0), name
    # z = 0 decodes to the median.
    assert out["rate"].iloc[50] == pytest.approx(frame["rate"].median(), rel=1e-6)


# ------------------------------------------------------------------- layout
def test_layout(frame, fitted):
    layout = fitted.layout_
    assert all(isinstance(s, ColumnSpan) for s in layout)
    assert [s.kind for s in layout] == ["numeric"] * 3 + ["categorical"] * 3
    assert [s.name for s in layout] == NUMERIC + CATEGORICAL
    assert [s.position for s in layout] == [
        list(frame.columns).index(name) for name in NUMERIC + CATEGORICAL
    ]
    assert layout[0].start == 0
    for prev, span in itertools.pairwise(layout):
        assert span.start == prev.stop
    assert layout[-1].stop == fitted.n_encoded_
    for span in fitted.numeric_spans:
        assert span.width == 1
        assert span.categories is None
    for span in fitted.categorical_spans:
        observed = sorted(set(frame[span.name].tolist()))
        assert span.width == len(observed)
        assert list(span.categories) == observed
    assert fitted.n_encoded_ == 3 + 3 + 4 + 2
    np.testing.assert_array_equal(
        fitted.categorical_mask_, [False, True, False, True, False, True]
    )


def test_transform_one_hot_blocks(frame, fitted):
    Z = fitted.transform(frame)
    for span in fitted.categorical_spans:
        block = Z[:, span.start : span.stop]
        assert set(np.unique(block).tolist()) == {0.0, 1.0}
        np.testing.assert_array_equal(block.sum(axis=1), 1.0)
        decoded = span.categories[block.argmax(axis=1)]
        assert decoded.tolist() == frame[span.name].tolist()
    # Numeric block: approximately standard normal, ordered like the input.
    num = Z[:, :3]
    assert np.all(np.abs(num.mean(axis=0)) < 0.2)
    order = np.argsort(frame["rate"].to_numpy(), kind="stable")
    assert np.all(np.diff(num[order, 0]) >= 0)


def test_category_dtype_unused_categories_not_encoded():
    frame = pd.DataFrame(
        {
            "c": pd.Categorical(["a", "b", "a"], categories=["a", "b", "zz"]),
            "x": [1.0, 2, 3],
        }
    )
    enc = TabularEncoder().fit(frame)
    (span,) = enc.categorical_spans
    assert list(span.categories) == ["a", "b"]
    back = enc.inverse_transform(enc.transform(frame))
    assert list(back["c"].cat.categories) == ["a", "b", "zz"]


# -------------------------------------------------- resolve_categorical_features
def test_resolve_auto_dataframe(frame):
    mask = resolve_categorical_features(frame, "auto")
    assert mask.dtype == bool
    np.testing.assert_array_equal(mask, [False, True, False, True, False, True])
    str_frame = pd.DataFrame({"s": pd.array(["a", "b"], dtype="string"), "x": [1, 2]})
    assert resolve_categorical_features(str_frame, "auto").tolist() == [True, False]


def test_resolve_auto_arrays():
    numeric = np.arange(12, dtype=np.float64).reshape(4, 3)
    auto = resolve_categorical_features
    assert auto(numeric, "auto").tolist() == [False] * 3
    ints = np.arange(12).reshape(4, 3)
    assert auto(ints, "auto").tolist() == [False] * 3
    mixed = np.array([[1.5, "a", 3], [2, "b", 4.0]], dtype=object)
    assert auto(mixed, "auto").tolist() == [False, True, False]
    flags = np.array([[True, False], [False, False]])
    assert auto(flags, "auto").tolist() == [True, True]
    # Booleans inside an object array are not numbers.
    obj_bool = np.array([[True, 1.0], [False, 2.0]], dtype=object)
    assert auto(obj_bool, "auto").tolist() == [True, False]


def test_resolve_none_and_empty(frame):
    for spec in (None, [], ()):
        mask = resolve_categorical_features(frame, spec)
        assert mask.dtype == bool
        np.testing.assert_array_equal(mask, np.zeros(6, dtype=bool))


def test_resolve_bad_string(frame):
    with pytest.raises(ValueError, match="auto"):
        resolve_categorical_features(frame, "all")


def test_resolve_boolean_mask():
    X = np.zeros((3, 4))
    spec = [True, False, False, True]
    mask = resolve_categorical_features(X, spec)
    np.testing.assert_array_equal(mask, spec)
    array_spec = np.array(spec)
    assert resolve_categorical_features(X, array_spec) is not array_spec  # a copy
    for wrong in ([True, False], [True] * 5):
        with pytest.raises(ValueError, match="length 4"):
            resolve_categorical_features(X, wrong)


def test_resolve_indices():
    X = np.zeros((3, 4))
    np.testing.assert_array_equal(resolve_categorical_features(X, [0, 2]), [1, 0, 1, 0])
    np.testing.assert_array_equal(resolve_categorical_features(X, [-1]), [0, 0, 0, 1])
    np.testing.assert_array_equal(
        resolve_categorical_features(X, np.array([3], dtype=np.int32)), [0, 0, 0, 1]
    )
    for bad in ([4], [0, -5], [10, 1]):
        with pytest.raises(ValueError, match="out of range"):
            resolve_categorical_features(X, bad)
    with pytest.raises(ValueError, match="one-dimensional"):
        resolve_categorical_features(X, [[0, 1]])


def test_resolve_names(frame):
    np.testing.assert_array_equal(
        resolve_categorical_features(frame, ["size", "syn"]),
        [False, False, True, False, False, True],
    )
    with pytest.raises(ValueError, match=re.escape("['nope', 'other']")):
        resolve_categorical_features(frame, ["rate", "nope", "other"])
    with pytest.raises(ValueError, match="DataFrame"):
        resolve_categorical_features(np.zeros((3, 2)), ["a"])


def test_explicit_categorical_features_in_encoder(frame):
    frame["size"] = frame["size"] % 5  # few distinct integers
    spec = ["size", "proto", "service", "syn"]
    enc = TabularEncoder(categorical_features=spec).fit(frame)
    names = [s.name for s in enc.categorical_spans]
    assert names == ["proto", "size", "service", "syn"]  # original column order
    assert [s.name for s in enc.numeric_spans] == ["rate", "ratio32"]
    assert enc.categorical_spans[1].categories.tolist() == [0, 1, 2, 3, 4]
    back = enc.inverse_transform(enc.transform(frame))
    assert back["size"].tolist() == frame["size"].tolist()
    assert back["size"].dtype == np.int64
    # Indices and masks give the same encoder.
    by_index = TabularEncoder(categorical_features=[1, 2, 3, 5]).fit(frame)
    assert by_index.layout_[-1].stop == enc.n_encoded_
    np.testing.assert_array_equal(by_index.categorical_mask_, enc.categorical_mask_)
    # Non-numeric values in a column declared numeric are reported by name.
    with pytest.raises(ValueError, match="service"):
        TabularEncoder(categorical_features=["proto"]).fit(frame)


def test_categorical_span_starting_beyond_127():
    """One-hot offsets must not overflow the small integer dtype of pandas codes.

    A categorical column with many categories pushes the next span's start past
    127, while that span's codes are int8.
    """
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "port": pd.Series([f"p{i}" for i in range(150)], dtype=object),
            "flag": rng.random(150) < 0.5,
        }
    )
    enc = TabularEncoder().fit(frame)
    assert enc.categorical_spans[1].start == 150
    Z = enc.transform(frame)
    np.testing.assert_array_equal(Z.sum(axis=1), 2.0)
    back = enc.inverse_transform(Z)
    assert back["port"].tolist() == frame["port"].tolist()
    assert back["flag"].tolist() == frame["flag"].tolist()


# ------------------------------------------------------------------- arrays
def test_float32_array_round_trip():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3)).astype(np.float32)
    enc = TabularEncoder().fit(X)
    assert enc.categorical_spans == []
    assert [s.name for s in enc.layout_] == [0, 1, 2]
    back = enc.inverse_transform(enc.transform(X))
    assert isinstance(back, np.ndarray)
    assert back.dtype == np.float32
    assert back.shape == X.shape
    np.testing.assert_allclose(back, X, rtol=0, atol=1e-4 * float(np.ptp(X)))
    out = enc.inverse_transform(_random_encoded(enc, 50))
    assert out.dtype == np.float32
    assert np.all(out >= X.min(axis=0)) and np.all(out <= X.max(axis=0))


def test_bool_and_object_array_round_trip():
    rng = np.random.default_rng(0)
    flags = rng.random((30, 2)) < 0.5
    enc = TabularEncoder().fit(flags)
    back = enc.inverse_transform(enc.transform(flags))
    assert back.dtype == bool
    np.testing.assert_array_equal(back, flags)

    mixed = np.empty((30, 2), dtype=object)
    mixed[:, 0] = rng.normal(size=30)
    mixed[:, 1] = rng.choice(["a", "b", "c"], 30)
    enc = TabularEncoder().fit(mixed)
    np.testing.assert_array_equal(enc.categorical_mask_, [False, True])
    back = enc.inverse_transform(enc.transform(mixed))
    assert back.dtype == object
    assert back[:, 1].tolist() == mixed[:, 1].tolist()
    np.testing.assert_allclose(
        back[:, 0].astype(float), mixed[:, 0].astype(float), atol=1e-4
    )


# ------------------------------------------------------------------- errors
def test_nan_in_numeric_column_names_it(frame):
    frame["rate"] = frame["rate"].astype(float)
    frame.loc[3, "rate"] = np.nan
    with pytest.raises(ValueError, match=re.escape("['rate']")):
        TabularEncoder().fit(frame)
    clean = _frame()
    enc = TabularEncoder().fit(clean)
    inf = clean.copy()
    inf.loc[0, "ratio32"] = np.inf
    with pytest.raises(ValueError, match="ratio32"):
        enc.transform(inf)


def test_nan_in_numeric_array_names_position():
    X = np.ones((5, 3))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match=re.escape("[1]")):
        TabularEncoder().fit(X)


def test_missing_value_in_categorical_column_names_it(frame):
    obj = frame.copy()
    obj.loc[5, "service"] = None
    with pytest.raises(ValueError, match="'service'"):
        TabularEncoder().fit(obj)
    cat = frame.copy()
    cat.loc[7, "proto"] = np.nan
    with pytest.raises(ValueError, match="'proto'"):
        TabularEncoder().fit(cat)
    enc = TabularEncoder().fit(frame)
    with pytest.raises(ValueError, match="'service'"):
        enc.transform(obj)


def test_datetime_column_raises_type_error(frame):
    frame["when"] = pd.date_range("2024-01-01", periods=len(frame), freq="s")
    with pytest.raises(TypeError, match="'when'"):
        TabularEncoder().fit(frame)


def test_unseen_category_raises(frame, fitted):
    other = frame.copy()
    other["service"] = other["service"].astype(object)
    other.loc[0, "service"] = "telnet"
    with pytest.raises(ValueError, match="telnet"):
        fitted.transform(other)


def test_shape_errors(frame, fitted):
    with pytest.raises(ValueError, match="features"):
        fitted.transform(frame.iloc[:, :4])
    with pytest.raises(ValueError, match=str(fitted.n_encoded_)):
        fitted.inverse_transform(np.zeros((3, fitted.n_encoded_ + 1)))
    with pytest.raises(ValueError, match="empty"):
        TabularEncoder().fit(frame.iloc[:0])
    with pytest.raises(ValueError, match="2-D"):
        TabularEncoder().fit(np.zeros(5))


# ---------------------------------------------------------------- edge cases
def test_constant_numeric_column_round_trips():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "const": np.full(50, 7.25),
            "const_int": np.full(50, -3, dtype=np.int64),
            "x": rng.normal(size=50),
        }
    )
    enc = TabularEncoder().fit(frame)
    Z = enc.transform(frame)
    assert np.isfinite(Z).all()
    back = enc.inverse_transform(Z)
    assert (back["const"] == 7.25).all()
    assert (back["const_int"] == -3).all()
    assert back["const_int"].dtype == np.int64
    noise = enc.inverse_transform(_random_encoded(enc, 20))
    assert (noise["const"] == 7.25).all()
    assert (noise["const_int"] == -3).all()


def test_single_category_and_all_categorical():
    frame = pd.DataFrame({"only": ["a"] * 5, "flag": [True, False, True, True, False]})
    enc = TabularEncoder().fit(frame)
    assert enc.quantile_transformer_ is None
    assert [s.width for s in enc.layout_] == [1, 2]
    back = enc.inverse_transform(enc.transform(frame))
    assert back["only"].tolist() == ["a"] * 5
    assert back["flag"].tolist() == frame["flag"].tolist()
