"""Discrete-valued numeric columns come back as values the data has.

Flags, counters and integer codes (IP protocol numbers 0, 6, 17, 47) decoded
from a generator's continuous output used to land between their values
(protocol 12, a flag of 0.37).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ldm_oversample import TabularEncoder
from ldm_oversample.discrete import decode_discrete, fit_discrete

from .conftest import TORCH_SAMPLERS, make_fast

PROTOCOLS = np.array([0.0, 6.0, 17.0, 47.0])


def table(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.3, "attack", "benign")
    attack = y == "attack"
    X = pd.DataFrame(
        {
            "Protocol Type": rng.choice(PROTOCOLS, n, p=[0.05, 0.6, 0.3, 0.05]),
            "syn_flag": (rng.random(n) < np.where(attack, 0.7, 0.2)).astype(float),
            "share": rng.choice([0.1, 0.5, 0.9], n),  # discrete, not integral
            "Tot sum": rng.integers(60, 5000, n).astype(float),  # integral floats
            "rate": rng.lognormal(2, 1, n) * (1 + attack),
        }
    )
    return X, y


def test_snapping_known_answers():
    values = np.array([[12.0, 2.4], [11.4, 7.6], [11.5, 0.0], [-3.0, 1.5], [100, 3]])
    levels = [PROTOCOLS, np.empty(0)]
    out = decode_discrete(values.copy(), levels, np.array([False, True]))
    # Nearest observed value (ties go down), and rounding (half to even).
    np.testing.assert_array_equal(out[:, 0], [17, 6, 6, 0, 47])
    np.testing.assert_array_equal(out[:, 1], [2, 8, 0, 2, 3])
    one = decode_discrete(
        np.array([[3.3], [-1.0]]), [np.array([5.0])], np.zeros(1, bool)
    )
    np.testing.assert_array_equal(one[:, 0], [5, 5])


def test_auto_finds_discrete_and_integral_columns():
    X, _ = table()
    levels, integral = fit_discrete(X.to_numpy(), "auto", list(X.columns), range(5))
    assert [len(v) for v in levels] == [4, 2, 3, 0, 0]
    np.testing.assert_array_equal(levels[0], PROTOCOLS)
    assert integral.tolist() == [False, False, False, True, False]


def _decoded(encoder: TabularEncoder, X: pd.DataFrame) -> pd.DataFrame:
    """Decode noise: a generator's worst case, every value off the grid."""
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(2000, encoder.n_encoded_)).astype(np.float32)
    return encoder.inverse_transform(Z)


def test_encoder_decodes_onto_observed_values():
    X, _ = table()
    out = _decoded(TabularEncoder(random_state=0).fit(X), X)
    assert set(out["Protocol Type"]) <= set(PROTOCOLS)
    assert set(out["syn_flag"]) == {0.0, 1.0}
    assert set(out["share"]) <= {0.1, 0.5, 0.9}
    assert (out["Tot sum"] == np.rint(out["Tot sum"])).all()
    assert out["rate"].nunique() > 1000  # continuous columns stay continuous
    assert out.dtypes.equals(X.dtypes)


def test_none_turns_it_off_and_names_choose_columns():
    X, _ = table()
    off = _decoded(TabularEncoder(discrete_features=None, random_state=0).fit(X), X)
    assert not set(off["Protocol Type"]) <= set(PROTOCOLS)
    assert not (off["Tot sum"] == np.rint(off["Tot sum"])).all()
    named = TabularEncoder(discrete_features=["Protocol Type"], random_state=0)
    out = _decoded(named.fit(X), X)
    assert set(out["Protocol Type"]) <= set(PROTOCOLS)
    assert not set(out["share"]) <= {0.1, 0.5, 0.9}  # not named, not integral
    assert set(out["syn_flag"]) == {0.0, 1.0}  # integer-valued: rounded
    by_position = TabularEncoder(discrete_features=[2], random_state=0).fit(X)
    assert set(_decoded(by_position, X)["share"]) <= {0.1, 0.5, 0.9}


def test_naming_a_categorical_or_unknown_column_is_an_error():
    X, _ = table()
    X["proto_name"] = "tcp"
    with pytest.raises(ValueError, match=r"not numeric: \['proto_name'\]"):
        TabularEncoder(discrete_features=["proto_name"]).fit(X)
    with pytest.raises(ValueError, match="'nope' is not a column"):
        TabularEncoder(discrete_features=["nope"]).fit(X)
    with pytest.raises(ValueError, match="discrete_features must be"):
        TabularEncoder(discrete_features="all").fit(X)


@pytest.mark.parametrize("name", TORCH_SAMPLERS)
def test_samplers_generate_valid_codes_and_flags(name):
    X, y = table()
    X_res, _ = make_fast(name).fit_resample(X, y)
    new = X_res.iloc[len(X) :]
    assert len(new) > 0
    assert set(new["Protocol Type"]) <= set(PROTOCOLS)
    assert set(new["syn_flag"]) <= {0.0, 1.0}
    assert set(new["share"]) <= {0.1, 0.5, 0.9}
    assert (new["Tot sum"] == np.rint(new["Tot sum"])).all()


@pytest.mark.parametrize("name", TORCH_SAMPLERS)
def test_sampler_passes_discrete_features_to_its_encoder(name):
    X, y = table()
    off = make_fast(name, discrete_features=None).fit(X, y)
    assert all(len(level) == 0 for level in off.encoder_.numeric_levels_)
    assert not off.encoder_.numeric_integral_.any()
    named = make_fast(name, discrete_features=["share"]).fit(X, y)
    assert [len(level) for level in named.encoder_.numeric_levels_] == [0, 0, 3, 0, 0]


@pytest.mark.slow
def test_ciciot2023_codes_and_flags_come_back_valid(shared_data):
    from ldm_oversample.benchmark import load_ciciot2023, make_task, scarce_split

    X, y, _ = make_task(load_ciciot2023(shared_data), "Spoofing")
    X_tr, y_tr, _, _ = scarce_split(X, y, 0.1, seed=0)
    sampler = make_fast("LDMOverSampler", max_epochs=5)
    new = sampler.fit_resample(X_tr, y_tr)[0].iloc[len(X_tr) :]
    for column in ["Protocol Type", "fin_flag_number", "Number", "IGMP", "TCP"]:
        assert set(new[column]) <= set(X_tr[column]), column
    for column in ["Tot sum", "Min", "Max", "ack_count"]:  # integer-valued
        assert (new[column] == np.rint(new[column])).all(), column
