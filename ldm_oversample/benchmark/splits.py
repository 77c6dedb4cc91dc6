"""The benchmark's tasks and splits: Benign vs one attack, or every family.

Every split is stratified, and the training attack rows are cut to a
scarcity ``ratio`` of the training benign rows; the held-out rows keep the
data's class shares unless ``test_ratio`` cuts their attack rows too (the
deployment case, where attacks are as rare as in training).
``holdout="validation"`` splits the training rows again, so that defaults can
be chosen without touching the test rows that are reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

#: ``X_train, y_train, X_holdout, y_holdout``.
Split = tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]

__all__ = [
    "BENIGN",
    "attack_families",
    "holdout_split",
    "make_task",
    "multiclass_split",
    "scarce_split",
]

BENIGN = "Benign"
HOLDOUTS = ("test", "validation")


def _check_names(names: Sequence[str], known, what: str) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(known)}"
        )


def attack_families(frame: pd.DataFrame) -> list[str]:
    """Every family of a loaded table but Benign, largest first.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`~ldm_oversample.benchmark.load_ciciot2023`.

    Returns
    -------
    families : list of str
    """
    counts = frame["label_family"].astype(str).value_counts()
    return [f for f in counts.index if f.casefold() != BENIGN.casefold()]


def make_task(frame: pd.DataFrame, attack: str) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Benign-vs-attack rows of a loaded CICIoT2023 table.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`~ldm_oversample.benchmark.load_ciciot2023` (feature
        columns plus ``label_family`` and ``label_fine``).
    attack : str
        A family (``"Spoofing"``) or a fine label (``"MITM-ArpSpoofing"``),
        matched case-insensitively.

    Returns
    -------
    X : DataFrame
        Feature rows of Benign and the attack.
    y : ndarray of int
        1 for the attack, 0 for Benign.
    name : str
        The attack as spelled in the data.
    """
    family = frame["label_family"].astype(str)
    fine = frame["label_fine"].astype(str)
    key = attack.casefold()
    benign = family.str.casefold() == BENIGN.casefold()
    if not benign.any():
        raise ValueError("the data has no Benign rows; every task is Benign vs attack")
    for column in (family, fine):
        hit = column.str.casefold() == key
        if hit.any() and not (hit & benign).any():
            name = column[hit].iloc[0]
            keep = benign | hit
            X = frame.loc[keep].drop(columns=["label_family", "label_fine"])
            return X.reset_index(drop=True), hit[keep].to_numpy().astype(int), name
    raise ValueError(
        f"attack {attack!r} not found; families in the data: "
        f"{', '.join(sorted(family.unique()))}"
    )


def scarce_split(
    X: pd.DataFrame,
    y: np.ndarray,
    ratio: float,
    seed: int,
    test_size: float = 0.3,
    holdout: str = "test",
    test_ratio: float | None = None,
) -> Split:
    """Stratified split; the training attack rows cut to ``ratio`` x benign rows.

    Parameters
    ----------
    X : DataFrame
    y : ndarray of {0, 1}
    ratio : float
        Attack rows kept in training, as a fraction of the training benign rows
        (at least 2 rows, at most all of them).
    seed : int
        Seed of the split and of the cut.
    test_size : float, default=0.3
    holdout : {"test", "validation"}, default="test"
        ``"test"`` scores on the test split. ``"validation"`` never touches
        it: the training split is split again in the same proportions, and the
        rows returned as "test" are that validation part, for choosing
        defaults without looking at the rows that are reported.
    test_ratio : float or None, default=None
        If set, the held-out attack rows are cut the same way, to this fraction
        of the held-out benign rows (at least 1), after the training cut, which
        stays as it is. None keeps the data's attack share.

    Returns
    -------
    X_train, y_train, X_test, y_test
    """
    X_tr, X_te, y_tr, y_te = holdout_split(X, y, seed, test_size, holdout)
    rng = np.random.default_rng(seed)
    X_tr, y_tr, X_te, y_te = _kept(X_tr, y_tr, X_te, y_te, _cut(y_tr, ratio, 2, rng))
    if test_ratio is None:
        return X_tr, y_tr, X_te, y_te
    keep = np.sort(np.concatenate(_cut(y_te, test_ratio, 1, rng)))
    return X_tr, y_tr, X_te.iloc[keep].reset_index(drop=True), y_te[keep]


def _cut(y: np.ndarray, ratio: float, least: int, rng) -> list[np.ndarray]:
    """The benign rows of ``y`` and ``ratio`` x as many of its attack rows
    (at least ``least``, at most all), drawn by ``rng``."""
    benign, attack = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
    n_keep = int(np.clip(round(ratio * len(benign)), least, len(attack)))
    return [benign, rng.choice(attack, n_keep, replace=False)]


def holdout_split(X, y, seed: int, test_size: float = 0.3, holdout: str = "test"):
    """Stratified ``X_train, X_holdout, y_train, y_holdout``: the test split,
    or (``holdout="validation"``) a validation part of the training split,
    split again in the same proportions, so that the test rows stay unseen."""
    _check_names([holdout], HOLDOUTS, "holdout")
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    if holdout == "validation":
        X_tr, X_te, y_tr, y_te = train_test_split(
            X_tr, y_tr, test_size=test_size, stratify=y_tr, random_state=seed
        )
    return X_tr, X_te, y_tr, y_te


def multiclass_split(
    frame: pd.DataFrame,
    ratio: float,
    seed: int,
    *,
    test_size: float = 0.3,
    holdout: str = "test",
) -> Split:
    """Stratified split of every family; training attack rows cut to ``ratio``.

    Parameters
    ----------
    frame : DataFrame
        A loaded CICIoT2023 table (features plus ``label_family`` and
        ``label_fine``).
    ratio : float
        Training rows kept of each attack family, as a fraction of the
        training benign rows (at least 2, at most what the family has).
    seed : int
        Seed of the split and the cut.
    test_size : float, default=0.3
    holdout : {"test", "validation"}, default="test"
        As in :func:`~ldm_oversample.benchmark.scarce_split`.

    Returns
    -------
    X_train, y_train, X_test, y_test
        ``y`` holds the family names.
    """
    y = frame["label_family"].astype(str).to_numpy()
    if BENIGN not in set(y):
        raise ValueError("the data has no Benign rows to scale the cut by")
    X = frame.drop(columns=["label_family", "label_fine"])
    X_tr, X_te, y_tr, y_te = holdout_split(X, y, seed, test_size, holdout)
    rng = np.random.default_rng(seed)
    n_keep = max(2, round(ratio * int((y_tr == BENIGN).sum())))
    keep = [np.flatnonzero(y_tr == BENIGN)]
    for family in sorted(set(y_tr) - {BENIGN}):
        rows = np.flatnonzero(y_tr == family)
        keep.append(rng.choice(rows, min(n_keep, len(rows)), replace=False))
    return _kept(X_tr, y_tr, X_te, y_te, keep)


def _kept(X_tr, y_tr, X_te, y_te, keep: list[np.ndarray]):
    """The training rows of the ``keep`` index arrays, in order, and the
    held-out rows, with fresh indexes."""
    index = np.sort(np.concatenate(keep))
    return (
        X_tr.iloc[index].reset_index(drop=True),
        y_tr[index],
        X_te.reset_index(drop=True),
        y_te,
    )
