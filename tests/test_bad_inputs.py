"""Bad inputs, run against every sampler of the package.

Each case of :data:`CASES` expects exactly one of two outcomes from
``fit_resample``, per sampler:

- a correct result, checked with
  :func:`~ldm_oversample.testing.assert_resample_invariants` (originals first
  and bit-identical, counts, finite values in the observed ranges, categories,
  dtypes), with only the warnings the case announces; or
- a ``ValueError`` or ``TypeError`` whose message names the column, class or
  parameter at fault.

In both cases the caller's ``X`` and ``y`` must come back unmodified. Any other
exception, a non-finite value or an altered original row fails the case.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.datasets import make_classification

from ldm_oversample.testing import assert_resample_invariants

from .conftest import FAST, make_fast, make_mixed_frame

SAMPLERS = sorted(FAST)
NEURAL = ("CTGANOverSampler", "DDPMOverSampler", "LDMOverSampler")
DIFFUSION = ("DDPMOverSampler", "LDMOverSampler")
N_ROWS = 80
#: Even tinier than FAST: one epoch is enough to check the outcome of a case.
TINY = {name: {"max_epochs": 1} for name in NEURAL}
TINY["CTGANOverSampler"]["max_modes"] = 2
for _name in DIFFUSION:
    TINY[_name].update(n_timesteps=10, n_sampling_steps=2)


# ------------------------------------------------------------------ outcomes
@dataclass(frozen=True)
class Result:
    """A correct resampling; ``warn`` is a pattern the one expected warning
    matches (None: no warning at all)."""

    warn: str | None = None


@dataclass(frozen=True)
class Raises:
    """An exception of type ``exc`` whose message matches ``match``."""

    exc: type[Exception]
    match: str


def mentions(*words: str) -> str:
    """A pattern matching a message that contains every one of ``words``."""
    return "(?s)" + "".join(f"(?=.*{re.escape(w)})" for w in words)


@dataclass(frozen=True)
class Case:
    """One bad input: how to build ``X, y``, sampler parameters, and outcomes.

    ``outcome`` is one outcome for every sampler, or a dict from sampler name
    to outcome with ``"*"`` as the default. Parameters a sampler does not have
    (``get_params``) are not applied to it.
    """

    name: str
    build: Callable[[], tuple[Any, Any]]
    outcome: Result | Raises | dict
    params: dict = field(default_factory=dict)

    def outcome_for(self, sampler: str) -> Result | Raises:
        if isinstance(self.outcome, dict):
            return self.outcome.get(sampler, self.outcome["*"])
        return self.outcome


OK = Result()


def too_wide_for_smote(*columns: str) -> Raises:
    """No rescaling keeps SMOTE's squared distances finite and the smallest
    values exact: it names the columns."""
    return Raises(ValueError, mentions(*columns, "span magnitudes", "Rescale"))


# -------------------------------------------------------------------- inputs
def mixed(n: int = N_ROWS):
    """The conftest's mixed frame: every supported dtype, two string classes."""
    return make_mixed_frame(n)


def with_column(values, name: str = "col", n: int = N_ROWS):
    """Two numeric columns plus one column ``name`` holding ``values`` (a
    constant, an array or a function of ``rng, n``)."""

    def build():
        _, y = make_mixed_frame(n)
        rng = np.random.default_rng(1)
        X = pd.DataFrame({"x0": rng.normal(size=n), "x1": rng.normal(size=n)})
        X[name] = values(rng, n) if callable(values) else values
        return X, y

    return build


def edited(column: str, rows, value):
    """The mixed frame with ``X.loc[rows, column] = value`` (numeric columns
    made float64 and string columns object first, so the value is kept as is)."""

    def build():
        X, y = mixed()
        if X[column].dtype == np.float32 or X[column].dtype.kind in "iub":
            X[column] = X[column].astype(np.float64)
        elif pd.api.types.is_string_dtype(X[column].dtype):
            X[column] = X[column].astype(object)
        X.loc[rows, column] = value
        return X, y

    return build


def scaled(scale: float):
    """Two numeric columns of magnitude ``scale`` (with both signs) and a
    categorical one."""

    def build():
        X, y = mixed()
        rng = np.random.default_rng(2)
        return pd.DataFrame(
            {
                "big": rng.lognormal(0, 1, len(y)) * scale,
                "signed": rng.normal(size=len(y)) * scale,
                "proto": X["proto"],
            }
        ), y

    return build


def object_column(values):
    def build():
        X, y = with_column(values)()
        X["col"] = X["col"].astype(object)
        return X, y

    return build


def tiny_class(n_minority: int):
    """An array with ``n_minority`` rows of class 'rare' among 60 'common'."""

    def build():
        rng = np.random.default_rng(3)
        X = rng.normal(size=(60 + n_minority, 3))
        y = np.array(["common"] * 60 + ["rare"] * n_minority)
        return X, y

    return build


def multiclass(n_classes: int = 3, names=None):
    """Imbalanced classes (numbered, or named by ``names``)."""

    def build():
        weights = {3: [0.6, 0.3, 0.1], 4: [0.5, 0.25, 0.15, 0.1]}[n_classes]
        X, y = make_classification(
            n_samples=120,
            n_features=5,
            n_informative=3,
            n_classes=n_classes,
            weights=weights,
            random_state=0,
        )
        return X, (y if names is None else np.asarray(names)[y])

    return build


def numeric_array(n: int = N_ROWS, n_features: int = 3):
    _, y = make_mixed_frame(n)
    return np.random.default_rng(4).normal(size=(n, n_features)), y.to_numpy()


def strategy(value) -> dict:
    return {"sampling_strategy": value}


# --------------------------------------------------------------------- cases
CASES = [
    # ---- values
    Case("nan_numeric", edited("rate", [3, 7], np.nan), Raises(ValueError, "'rate'")),
    Case(
        "nan_two_columns",
        lambda: (
            mixed()[0].assign(rate=np.nan, size=lambda d: d["size"] * np.nan),
            mixed()[1],
        ),
        Raises(ValueError, mentions("'rate'", "'size'")),
    ),
    Case("inf_numeric", edited("ratio32", 5, np.inf), Raises(ValueError, "'ratio32'")),
    Case("neg_inf_numeric", edited("size", 0, -np.inf), Raises(ValueError, "'size'")),
    Case(
        "nan_in_array",
        lambda: (
            np.where(np.eye(N_ROWS, 3, k=-4, dtype=bool), np.nan, numeric_array()[0]),
            numeric_array()[1],
        ),
        Raises(ValueError, mentions("[0, 1, 2]", "NaN")),
    ),
    Case(
        "nan_in_sparse",
        lambda: (
            sp.csr_matrix(
                np.where(
                    np.eye(N_ROWS, 3, k=-4, dtype=bool), np.nan, numeric_array()[0]
                )
            ),
            numeric_array()[1],
        ),
        {
            "*": Raises(TypeError, mentions("sparse", "TruncatedSVD")),
            "SMOTEOverSampler": Raises(ValueError, mentions("[0, 1, 2]", "NaN")),
        },
    ),
    Case(
        "sparse_matrix",
        lambda: (sp.csr_matrix(numeric_array()[0]), numeric_array()[1]),
        {
            "*": Raises(TypeError, mentions("sparse", "TruncatedSVD")),
            "SMOTEOverSampler": OK,
        },
    ),
    Case(
        "inf_in_object_array",
        lambda: (
            np.where(
                np.arange(N_ROWS)[:, None] == 3, np.inf, numeric_array()[0]
            ).astype(object),
            numeric_array()[1],
        ),
        Raises(ValueError, mentions("[0, 1, 2]", "infinite")),
    ),
    Case(
        "na_in_nullable_int",
        with_column(pd.array([7, None] * (N_ROWS // 2), dtype="Int64"), "count"),
        Raises(ValueError, "'count'"),
    ),
    Case("huge_values_1e300", scaled(1e300), OK),
    Case("tiny_values_1e-300", scaled(1e-300), OK),
    Case("huge_outlier_1e300", edited("rate", [1, 2], 1e300), OK),
    Case("near_float_max", scaled(1e306), OK),
    Case(
        "magnitudes_1e-200_to_1e300",
        lambda: (
            edited("rate", [3], 1e-200)()[0]
            .assign(rate=lambda X: X["rate"].where(X.index > 2, 1e300))
            .pipe(lambda X: (X, mixed()[1]))
        ),
        {"*": OK, "SMOTEOverSampler": too_wide_for_smote("'rate'")},
    ),
    Case("constant_column", with_column(7.5, "const"), OK),
    Case("constant_everything", lambda: (np.ones((N_ROWS, 2)), mixed()[1]), OK),
    Case("single_feature_frame", lambda: (mixed()[0][["rate"]], mixed()[1]), OK),
    Case("single_feature_array", lambda: numeric_array(n_features=1), OK),
    # ---- types
    Case("int_columns", lambda: (mixed()[0][["size"]].assign(s2=3), mixed()[1]), OK),
    Case(
        "small_int_dtypes",
        with_column(lambda rng, n: rng.integers(0, 200, n).astype(np.uint8)),
        OK,
    ),
    Case(
        "nullable_int_column",
        with_column(pd.array(np.arange(N_ROWS) % 7, dtype="Int64"), "count"),
        OK,
    ),
    Case("float32_column", lambda: (mixed()[0][["ratio32"]], mixed()[1]), OK),
    Case("bool_column", with_column(lambda rng, n: rng.random(n) < 0.4), OK),
    Case("bool_only", lambda: (mixed()[0][["syn"]], mixed()[1]), OK),
    Case(
        "category_column",
        with_column(lambda rng, n: pd.Categorical(rng.choice(["a", "b", "c"], n))),
        OK,
    ),
    Case(
        "object_column",
        object_column(lambda rng, n: rng.choice(["x", "y", "z"], n)),
        OK,
    ),
    Case(
        "mixed_python_objects",
        object_column(lambda rng, n: rng.choice([1, "one", 2.5], n)),
        OK,
    ),
    Case(
        "datetime_column",
        with_column(pd.date_range("2024-01-01", periods=N_ROWS, freq="h"), "when"),
        Raises(TypeError, "'when'"),
    ),
    Case(
        "datetime_array",
        lambda: (
            np.array(pd.date_range("2024-01-01", periods=N_ROWS, freq="h"))[:, None],
            numeric_array()[1],
        ),
        Raises(TypeError, mentions("[0]", "datetime")),
    ),
    Case(
        "timedelta_column",
        with_column(pd.to_timedelta(np.arange(N_ROWS), unit="s"), "lag"),
        OK,
    ),
    Case(
        "numbers_as_strings",
        object_column(lambda rng, n: np.round(rng.random(n) * 3, 1).astype(str)),
        OK,
    ),
    Case(
        "none_in_object_column",
        edited("service", 4, None),
        Raises(ValueError, "'service'"),
    ),
    Case(
        "none_in_object_array",
        lambda: (
            np.array([["a", "x"], ["b", None]] * (N_ROWS // 2), dtype=object),
            numeric_array()[1],
        ),
        Raises(ValueError, mentions("[1]", "missing")),
    ),
    Case(
        "nan_in_category_column",
        edited("proto", [0, 9], np.nan),
        Raises(ValueError, "'proto'"),
    ),
    Case(
        "duplicate_column_names",
        lambda: (
            mixed()[0].set_axis(["rate", "a", "a", "b", "rate", "c"], axis=1),
            mixed()[1],
        ),
        Raises(ValueError, mentions("'rate'", "'a'", "duplicate")),
    ),
    Case(
        "mixed_type_column_names",
        lambda: (mixed()[0].set_axis(["a", 1, 2.5, "b", "c", "d"], axis=1), mixed()[1]),
        Raises(TypeError, mentions("column name", "str")),
    ),
    # ---- shapes
    Case("list_of_lists", lambda: tuple(a.tolist() for a in numeric_array()), OK),
    Case(
        "zero_rows",
        lambda: (mixed()[0].iloc[:0], mixed()[1].iloc[:0]),
        Raises(ValueError, mentions("X", "0")),
    ),
    Case(
        "zero_rows_array",
        lambda: (np.empty((0, 3)), np.empty(0, dtype=int)),
        Raises(ValueError, mentions("X", "0")),
    ),
    Case(
        "zero_columns",
        lambda: (mixed()[0].iloc[:, :0], mixed()[1]),
        Raises(ValueError, mentions("X", "0")),
    ),
    Case(
        "zero_columns_array",
        lambda: (np.empty((N_ROWS, 0)), mixed()[1]),
        Raises(ValueError, mentions("X", "0")),
    ),
    Case(
        "one_dimensional_X",
        lambda: (numeric_array()[0][:, 0], numeric_array()[1]),
        Raises(ValueError, mentions("X", "2-D")),
    ),
    Case(
        "three_dimensional_X",
        lambda: (numeric_array()[0].reshape(N_ROWS, 3, 1), numeric_array()[1]),
        Raises(ValueError, mentions("X", "2-D", "3")),
    ),
    Case(
        "pandas_series_X",
        lambda: (pd.Series(numeric_array()[0][:, 0], name="x"), numeric_array()[1]),
        Raises(ValueError, mentions("X", "2-D", "reshape")),
    ),
    Case(
        "ragged_rows",
        lambda: ([[1.0, 2.0], [3.0]] * (N_ROWS // 2), numeric_array()[1]),
        Raises(ValueError, mentions("X", "different lengths")),
    ),
    Case(
        "length_mismatch_array",
        lambda: (numeric_array(120)[0], numeric_array(120)[1][:117]),
        Raises(ValueError, mentions("X", "y", "120", "117")),
    ),
    Case(
        "length_mismatch_frame",
        lambda: (mixed(120)[0], mixed(120)[1].iloc[:117]),
        Raises(ValueError, mentions("X", "y", "120", "117")),
    ),
    # ---- targets
    Case(
        "single_class",
        lambda: (numeric_array()[0], np.zeros(N_ROWS, dtype=int)),
        Raises(ValueError, mentions("'y'", "1 class")),
    ),
    Case(
        "continuous_y",
        lambda: (numeric_array()[0], np.linspace(0.0, 1.0, N_ROWS) + 0.01),
        Raises(ValueError, "continuous"),
    ),
    Case(
        "nan_in_y",
        lambda: (numeric_array()[0], np.r_[np.nan, np.ones(N_ROWS - 41), np.zeros(40)]),
        Raises(ValueError, mentions("y has 1 missing label", "row position(s) 0")),
    ),
    Case(
        "none_in_string_y",
        lambda: (
            numeric_array()[0],
            np.r_[["dos"] * 40, ["ok"] * 37, [None, None, None]].astype(object),
        ),
        Raises(ValueError, mentions("y has 3 missing label", "77, 78, 79")),
    ),
    Case(
        "none_in_int_y",
        lambda: (numeric_array()[0], np.array([0] * 40 + [1] * 39 + [None], object)),
        Raises(ValueError, mentions("y has 1 missing label", "79")),
    ),
    Case(
        "pd_na_in_series_y",
        lambda: (
            numeric_array()[0],
            pd.Series([0] * 40 + [pd.NA] + [1] * 39, dtype="Int64"),
        ),
        Raises(ValueError, mentions("y has 1 missing label", "40")),
    ),
    Case(
        "string_labels",
        lambda: (
            numeric_array()[0],
            np.where(numeric_array()[1] == "attack", "dos", "ok"),
        ),
        OK,
    ),
    Case("three_classes", multiclass(3), OK),
    Case("four_string_classes", multiclass(4, ["dos", "ddos", "mitm", "ok"]), OK),
    Case(
        "minority_of_1_row",
        tiny_class(1),
        {
            "*": Result(warn=mentions("'rare'", "1 row", "close")),
            "SMOTEOverSampler": Raises(ValueError, mentions("'rare'", "1 row")),
        },
    ),
    Case(
        "minority_of_2_rows",
        tiny_class(2),
        {
            "*": Result(warn=mentions("'rare'", "2 rows", "close")),
            "SMOTEOverSampler": Result(warn=mentions("'rare'", "k_neighbors=1")),
        },
    ),
    Case(
        "minority_of_5_rows",
        tiny_class(5),
        {
            "*": Result(warn=mentions("'rare'", "5 rows", "close")),
            "SMOTEOverSampler": Result(warn=mentions("'rare'", "k_neighbors=4")),
        },
    ),
    # ---- parameters: sampling_strategy
    Case(
        "strategy_unknown_string",
        mixed,
        Raises(ValueError, "sampling_strategy"),
        strategy("majority"),
    ),
    Case(
        "strategy_float_above_1",
        mixed,
        Raises(ValueError, "sampling_strategy"),
        strategy(1.5),
    ),
    Case(
        "strategy_float_zero",
        mixed,
        Raises(ValueError, "sampling_strategy"),
        strategy(0.0),
    ),
    Case(
        "strategy_float_multiclass",
        multiclass(3),
        Raises(ValueError, mentions("sampling_strategy", "float")),
        strategy(0.8),
    ),
    Case(
        "strategy_float_removes_rows",
        mixed,
        Raises(ValueError, mentions("sampling_strategy", "'attack'")),
        strategy(0.1),
    ),
    Case(
        "strategy_dict_unknown_class",
        mixed,
        Raises(ValueError, mentions("sampling_strategy", "'intrusion'")),
        strategy({"attack": 64, "intrusion": 10}),
    ),
    Case(
        "strategy_dict_fewer_rows",
        mixed,
        Raises(ValueError, mentions("sampling_strategy", "'attack'", "16", "10")),
        strategy({"attack": 10}),
    ),
    Case(
        "strategy_dict_negative",
        mixed,
        Raises(ValueError, mentions("sampling_strategy", "'attack'", "-5")),
        strategy({"attack": -5}),
    ),
    Case(
        "strategy_dict_not_integer",
        mixed,
        Raises(ValueError, mentions("sampling_strategy", "'attack'")),
        strategy({"attack": 30.5}),
    ),
    Case(
        "strategy_list",
        mixed,
        Raises(ValueError, "sampling_strategy"),
        strategy(["attack"]),
    ),
    Case(
        "strategy_callable_returns_string",
        mixed,
        Raises(ValueError, mentions("sampling_strategy", "dict")),
        strategy(lambda y: "garbage"),
    ),
    Case(
        "strategy_callable_returns_bad_dict",
        mixed,
        Raises(ValueError, mentions("sampling_strategy", "'attack'")),
        strategy(lambda y: {"attack": "many"}),
    ),
    # ---- parameters: the rest
    Case("device_tpu", mixed, Raises(ValueError, "'tpu'"), {"device": "tpu"}),
    Case(
        "device_missing_cuda",
        mixed,
        Raises(ValueError, "'cuda:99'"),
        {"device": "cuda:99"},
    ),
    Case("max_epochs_zero", mixed, Raises(ValueError, "max_epochs"), {"max_epochs": 0}),
    Case(
        "max_epochs_negative",
        mixed,
        Raises(ValueError, "max_epochs"),
        {"max_epochs": -3},
    ),
    Case("batch_size_zero", mixed, Raises(ValueError, "batch_size"), {"batch_size": 0}),
    Case(
        "batch_size_negative",
        mixed,
        Raises(ValueError, "batch_size"),
        {"batch_size": -1},
    ),
    Case(
        "n_sampling_steps_zero",
        mixed,
        {d: Raises(ValueError, "n_sampling_steps") for d in DIFFUSION} | {"*": OK},
        {"n_sampling_steps": 0},
    ),
    Case(
        "n_sampling_steps_negative",
        mixed,
        {d: Raises(ValueError, "n_sampling_steps") for d in DIFFUSION} | {"*": OK},
        {"n_sampling_steps": -10},
    ),
    Case(
        "categorical_features_unknown_name",
        mixed,
        Raises(ValueError, mentions("'protocol'", "categorical_features")),
        {"categorical_features": ["proto", "protocol"]},
    ),
    Case(
        "categorical_features_bad_index",
        mixed,
        Raises(ValueError, mentions("categorical_features", "17")),
        {"categorical_features": [3, 17]},
    ),
]


# ---------------------------------------------------------------------- test
def assert_unchanged(obj, before) -> None:
    """``obj`` equals its deep copy ``before``: values, dtypes, index, names."""
    assert type(obj) is type(before)
    if isinstance(obj, list):
        assert obj == before
    elif sp.issparse(obj):
        assert obj.dtype == before.dtype and obj.format == before.format
        np.testing.assert_array_equal(obj.toarray(), before.toarray())
    elif isinstance(obj, pd.DataFrame):
        pd.testing.assert_frame_equal(obj, before, check_exact=True)
    elif isinstance(obj, pd.Series):
        pd.testing.assert_series_equal(obj, before, check_exact=True)
    else:
        obj, before = np.asarray(obj), np.asarray(before)
        assert obj.dtype == before.dtype and obj.shape == before.shape
        np.testing.assert_array_equal(obj, before)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """One torch thread: these networks are tiny, and a second thread only adds
    overhead (ten times the run time on a busy machine). Restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_case_table_is_large_and_unique():
    assert len(CASES) >= 32
    assert len({case.name for case in CASES}) == len(CASES)


# sklearn's type_of_target warns about NaN labels before it rejects them.
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("sampler_name", SAMPLERS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, sampler_name: str):
    X, y = case.build()
    X_before, y_before = copy.deepcopy(X), copy.deepcopy(y)
    sampler = make_fast(sampler_name, **TINY.get(sampler_name, {}))
    own = sampler.get_params()
    params = {k: v for k, v in case.params.items() if k in own}
    sampler.set_params(**params)
    outcome = case.outcome_for(sampler_name)

    if isinstance(outcome, Raises):
        # An expected error must come from the case's own parameters.
        assert params == case.params
        with pytest.raises(outcome.exc, match=outcome.match) as info:
            sampler.fit_resample(X, y)
        assert type(info.value).__module__.split(".")[0] in ("builtins", "sklearn")
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            X_res, y_res = sampler.fit_resample(X, y)
        messages = [f"{w.category.__name__}: {w.message}" for w in caught]
        if outcome.warn is None:
            assert not messages, messages
        else:
            assert len(messages) == 1, messages
            assert issubclass(caught[0].category, UserWarning)
            assert re.search(outcome.warn, str(caught[0].message)), messages
        X_in, y_in = X, y
        if isinstance(X, list):  # imbalanced-learn returns lists for lists
            assert isinstance(X_res, list) and isinstance(y_res, list)
            X_in, y_in, X_res, y_res = map(np.asarray, (X, y, X_res, y_res))
        assert_resample_invariants(X_in, y_in, X_res, y_res, sampler.sampling_strategy_)
        assert sum(sampler.sampling_strategy_.values()) > 0
    assert_unchanged(X, X_before)
    assert_unchanged(y, y_before)
