"""Small generated datasets for demos, examples and tests (nothing is downloaded)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_imbalanced_mixed", "make_zero_inflated_counters"]


def make_imbalanced_mixed(
    n_samples: int = 2000, minority_fraction: float = 0.05, random_state: int | None = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """Generate an imbalanced, mixed-type, network-flow-like table.

    The two classes ("benign" and "attack") differ in heavy-tailed rates,
    correlated packet sizes, an integer packet count, a protocol category and a
    boolean flag, so a generator has to learn joint structure, not just
    marginals. This is synthetic data made in code, for demos and tests only.

    Parameters
    ----------
    n_samples : int, default=2000
        Total number of rows.
    minority_fraction : float, default=0.05
        Share of "attack" rows (at least 2 rows).
    random_state : int or None, default=0
        Seed of the generator.

    Returns
    -------
    X : DataFrame of shape (n_samples, 6)
        Columns ``rate`` (float), ``mean_size`` (float), ``max_size`` (float),
        ``n_packets`` (int64), ``protocol`` (category) and ``syn_flag`` (bool).
    y : Series of shape (n_samples,)
        ``"benign"`` or ``"attack"``, named ``label``.
    """
    rng = np.random.default_rng(random_state)
    n_attack = max(2, round(minority_fraction * n_samples))
    attack = np.zeros(n_samples, dtype=bool)
    attack[rng.choice(n_samples, n_attack, replace=False)] = True
    rate = np.where(
        attack, rng.lognormal(7.0, 0.6, n_samples), rng.lognormal(4.0, 1.2, n_samples)
    )
    mean_size = np.where(
        attack, rng.normal(90.0, 15.0, n_samples), rng.gamma(4.0, 120.0, n_samples)
    )
    max_size = mean_size * np.where(attack, 1.1, 1.0 + rng.exponential(1.5, n_samples))
    n_packets = (
        np.where(attack, rng.poisson(80, n_samples), rng.poisson(12, n_samples)) + 1
    )
    protocol = np.where(
        attack,
        rng.choice(["tcp", "udp", "icmp"], n_samples, p=[0.2, 0.2, 0.6]),
        rng.choice(["tcp", "udp", "icmp"], n_samples, p=[0.7, 0.28, 0.02]),
    )
    syn_flag = np.where(
        attack, rng.random(n_samples) < 0.9, rng.random(n_samples) < 0.1
    )
    X = pd.DataFrame(
        {
            "rate": rate,
            "mean_size": mean_size,
            "max_size": max_size,
            "n_packets": n_packets.astype(np.int64),
            "protocol": pd.Categorical(protocol, categories=["icmp", "tcp", "udp"]),
            "syn_flag": syn_flag,
        }
    )
    y = pd.Series(np.where(attack, "attack", "benign"), name="label")
    return X, y


def make_zero_inflated_counters(
    n_majority: int = 2000, n_minority: int = 200, random_state: int | None = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Generate two classes of mostly-zero counters, the shape of IDS features.

    Three counters are zero in 80% of the majority's rows and 52% of the
    minority's; their non-zero parts are log-normal, e times larger in the
    minority. A ``level`` column is normal, shifted by 1 in the minority. A
    generator that maps every zero to one extreme point tends to give the
    minority the majority's zero rate, which this table shows.

    Parameters
    ----------
    n_majority : int, default=2000
        Rows of class 0.
    n_minority : int, default=200
        Rows of class 1.
    random_state : int or None, default=0
        Seed of the generator.

    Returns
    -------
    X : DataFrame of shape (n_majority + n_minority, 4)
        ``count_0``, ``count_1``, ``count_2`` (float, zero-inflated) and
        ``level``.
    y : ndarray of int
        0 for the majority rows (first), 1 for the minority rows.
    """
    rng = np.random.default_rng(random_state)
    columns = {}
    for k in range(3):
        major = np.where(
            rng.random(n_majority) < 0.8, 0.0, rng.lognormal(k, 0.5, n_majority)
        )
        minor = np.where(
            rng.random(n_minority) < 0.52, 0.0, rng.lognormal(k + 1.0, 0.5, n_minority)
        )
        columns[f"count_{k}"] = np.r_[major, minor]
    X = pd.DataFrame(columns)
    shift = np.r_[np.zeros(n_majority), np.ones(n_minority)]
    X["level"] = rng.normal(0, 1, len(X)) + shift
    return X, np.r_[np.zeros(n_majority, int), np.ones(n_minority, int)]
