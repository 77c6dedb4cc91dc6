"""Identifier-like columns (IP/MAC addresses, mostly-unique ids) are caught.

A generator that models a column of source IPs copies real attackers'
addresses into its synthetic rows; these tests pin the warning, the refusal
and the ``"drop"`` policy, on every sampler.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import ldm_oversample
from ldm_oversample.identifiers import IdentifierColumnWarning, find_identifier_columns

from .conftest import FAST, make_fast

SAMPLERS = sorted(FAST)


def flows(n: int = 200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Flows whose attack rows come from a few attacker IPs."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.25, "attack", "benign")
    attack = y == "attack"
    ips = np.where(
        attack,
        [f"10.0.0.{i}" for i in rng.integers(1, 6, n)],  # 5 attacker hosts
        [f"192.168.1.{i}" for i in rng.integers(1, 60, n)],
    )
    X = pd.DataFrame(
        {
            "rate": rng.lognormal(size=n) + attack,
            "proto": rng.choice(["tcp", "udp"], n),
            "src_ip": ips,
        }
    )
    return X, y


def test_addresses_and_mostly_unique_columns_are_found():
    n = 100
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "ipv4": [f"172.16.{i % 3}.{i % 7}:443" for i in range(n)],
            "ipv6": [f"fe80::1ff:fe23:4567:{i % 9:x}" for i in range(n)],
            "mac": [f"00:1a:2b:3c:4d:{i % 11:02x}" for i in range(n)],
            "flow_id": [f"flow-{i}" for i in range(n)],
            "proto": rng.choice(["tcp", "udp", "icmp"], n),
            "country": [f"c{i % 15}" for i in range(n)],  # 15 < 20 distinct
            "bytes": rng.random(n),
        }
    )
    mask = np.array([True] * 6 + [False])
    found = find_identifier_columns(X, mask)
    assert list(found) == ["ipv4", "ipv6", "mac", "flow_id"]
    assert "network addresses" in found["ipv4"] and "'172.16.0.0:443'" in found["ipv4"]
    assert found["flow_id"] == "is mostly unique (100 distinct values in 100 rows)"
    # Numeric columns are never flagged, however unique.
    assert find_identifier_columns(X, np.zeros(7, dtype=bool)) == {}


def test_small_tables_with_a_few_categories_are_not_flagged():
    X = pd.DataFrame({"proto": ["tcp", "udp", "icmp", "gre"] * 3})
    assert find_identifier_columns(X, np.array([True])) == {}


@pytest.mark.parametrize("name", SAMPLERS)
def test_warn_names_the_column_and_points_at_the_caller(name):
    X, y = flows()
    with pytest.warns(IdentifierColumnWarning, match=r"'src_ip' holds network") as rec:
        sampler = make_fast(name).fit(X, y)
    assert rec[0].filename == __file__
    assert "identifier_features='drop'" in str(rec[0].message)
    assert list(sampler.identifier_columns_) == ["src_ip"]


@pytest.mark.parametrize("name", SAMPLERS)
def test_raise_refuses_the_column(name):
    X, y = flows()
    with pytest.raises(ValueError, match=r"Identifier-like column\(s\): 'src_ip'"):
        make_fast(name, identifier_features="raise").fit_resample(X, y)


@pytest.mark.parametrize("name", SAMPLERS)
def test_drop_leaves_the_column_out_and_new_rows_missing(name):
    X, y = flows()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "drop" is silent
        sampler = make_fast(name, identifier_features="drop")
        X_res, _ = sampler.fit_resample(X, y)
    new = X_res.iloc[len(X) :]
    assert len(new) > 0
    assert new["src_ip"].isna().all()
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    assert X_res.dtypes.equals(X.dtypes)
    assert new[["rate", "proto"]].notna().all().all()
    assert sampler.sample(7, "attack")["src_ip"].isna().all()


def test_drop_on_an_object_array():
    X, y = flows()
    sampler = make_fast("LDMOverSampler", identifier_features="drop")
    X_res, _ = sampler.fit_resample(X.to_numpy(dtype=object), y)
    assert list(sampler.identifier_columns_) == [2]
    assert all(v is None for v in X_res[len(X) :, 2])
    assert all(isinstance(v, str) for v in X_res[: len(X), 2])


def test_keep_is_silent_and_shows_the_leak():
    X, y = flows()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler = make_fast("LDMOverSampler", identifier_features="keep")
        X_res, _ = sampler.fit_resample(X, y)
    assert sampler.identifier_columns_ == {}
    synthetic_ips = X_res.iloc[len(X) :]["src_ip"]
    # Every generated IP is a real one: the trap the warning is about.
    assert synthetic_ips.isin(set(X["src_ip"])).all()


def test_drop_survives_save_and_load(tmp_path):
    X, y = flows()
    sampler = make_fast("LDMOverSampler", identifier_features="drop").fit(X, y)
    loaded = ldm_oversample.load(sampler.save(tmp_path / "m.ldm"))
    assert loaded.identifier_columns_ == sampler.identifier_columns_
    assert loaded.sample(5, "attack")["src_ip"].isna().all()


def test_invalid_policy_is_refused():
    X, y = flows()
    with pytest.raises(ValueError, match="identifier_features"):
        make_fast("SMOTEOverSampler", identifier_features="ignore").fit(X, y)
