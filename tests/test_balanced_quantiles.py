"""Class-balanced quantiles (``quantile_balance``): the quantile transform of a
weighted mean of the classes' CDFs, so a scarce class's values are not squeezed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ldm_oversample import TabularEncoder
from ldm_oversample.tabular.quantile import mean_class_quantiles

from .conftest import make_fast


def two_classes(b_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.random.default_rng(0).random(1000)
    values = np.r_[a, b_values][:, None]
    return values, np.r_[np.zeros(1000), np.ones(len(b_values))]


def test_mean_class_quantiles_known_answers():
    b = 10 + np.random.default_rng(1).random(10)
    values, labels = two_classes(b)
    a = values[:1000, 0]
    references = np.linspace(0, 1, 101)
    q = mean_class_quantiles(values, labels, references)[:, 0]
    # The mixture CDF is (F_a + F_b) / 2: level 0.25 is a's median, 0.75 b's,
    # with the linear order statistics of the quantile transform.
    assert q[25] == pytest.approx(np.percentile(a, 50))
    assert q[75] == pytest.approx(np.percentile(b, 50))
    assert q[0] == a.min() and q[-1] == b.max()
    assert (np.diff(q) >= 0).all()
    # b's ten distinct values are not made point masses: the quantiles over
    # b's half rise strictly (repeating b's rows 100 times would flatten them).
    assert (np.diff(q[51:]) > 0).all()
    # Half-way (balance 0.5) the classes weigh sqrt(1000) : sqrt(10), so b's
    # median sits at the level w_a + w_b / 2.
    w_b = np.sqrt(10) / (np.sqrt(10) + np.sqrt(1000))
    level = np.array([1 - w_b / 2])
    half = mean_class_quantiles(values, labels, level, balance=0.5)[0, 0]
    assert half == pytest.approx(np.percentile(b, 50))


def test_mean_class_quantiles_keep_shared_values_and_single_rows():
    references = np.linspace(0, 1, 11)
    values, labels = two_classes(np.full(10, 5.0))
    q = mean_class_quantiles(values, labels, references)[:, 0]
    np.testing.assert_array_equal(q[6:], 5.0)  # the tie holds the upper half
    values, labels = two_classes(np.array([7.0]))
    q = mean_class_quantiles(values, labels, references)[:, 0]
    np.testing.assert_array_equal(q[6:], 7.0)  # a class of one row is a jump


def atom_table() -> tuple[pd.DataFrame, np.ndarray]:
    """A scarce class whose typical value 1500 (40% of its rows) sits beside
    the majority's 1514, as Max does for CICIoT2023 Spoofing against Benign."""
    rng = np.random.default_rng(0)
    major = np.where(rng.random(2000) < 0.5, 1514.0, rng.uniform(40, 3000, 2000))
    minor = np.where(np.arange(100) < 40, 1500.0, rng.uniform(40, 3000, 100))
    frame = pd.DataFrame({"Max": np.r_[major, minor], "Rate": rng.random(2100)})
    return frame, np.r_[np.zeros(2000, int), np.ones(100, int)]


@pytest.mark.parametrize("balance, share", [(0.0, 40 / 2100), (1.0, 0.5 * 0.4)])
def test_balanced_quantiles_give_a_scarce_class_its_share(balance, share):
    X, y = atom_table()
    enc = TabularEncoder(quantile_balance=balance, random_state=0).fit(X, y)
    z = enc.transform(X)[:, 0]
    u = stats.norm.cdf(z[X["Max"].to_numpy() == 1500.0])
    # Tie spreading puts the 1500 rows on a CDF interval of the value's share
    # (40 draws span about 0.95 of it, less the quantile grid's step: 0.016
    # pooled, 0.184 balanced), ten times wider when classes weigh the same.
    assert u.max() - u.min() == pytest.approx(share, rel=0.2)
    back = enc.inverse_transform(enc.transform(X))
    np.testing.assert_allclose(back["Max"], X["Max"], rtol=1e-4)
    np.testing.assert_allclose(back["Rate"], X["Rate"], atol=1e-6)


def test_balanced_quantiles_need_usable_labels():
    X, y = atom_table()
    with pytest.raises(ValueError, match="needs the class labels"):
        TabularEncoder(quantile_balance=1.0).fit(X)
    with pytest.raises(ValueError, match="one label per row"):
        TabularEncoder(quantile_balance=0.5).fit(X, y[:10])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        TabularEncoder(quantile_balance=1.5).fit(X, y)
    with pytest.raises(ValueError, match="numeric_transform='quantile'"):
        TabularEncoder(quantile_balance=1.0, numeric_transform="mode_specific").fit(
            X, y
        )
    # Without the option, y is ignored as before.
    plain = TabularEncoder(random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        plain.transform(X), TabularEncoder(random_state=0).fit(X).transform(X)
    )


@pytest.mark.parametrize("name", ["LDMOverSampler", "DDPMOverSampler"])
def test_diffusion_samplers_fit_their_encoder_on_balanced_quantiles(name):
    X, y = atom_table()
    sampler = make_fast(name, quantile_balance=0.75).fit(X, y)
    qt = sampler.encoder_.quantile_transformer_
    expected = mean_class_quantiles(X.to_numpy(float), y, qt.references_, 0.75)
    np.testing.assert_allclose(qt.quantiles_, expected)
    new = sampler.sample(50, 1, random_state=0)
    assert new["Max"].between(X["Max"].min(), X["Max"].max()).all()
