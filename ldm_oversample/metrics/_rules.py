"""Row-level consistency rules: relations every real row keeps.

Marginals and correlations can look right while single rows are impossible: a
flow whose packets are all UDP but whose protocol number is TCP's, or an
average that is not the total over the count. A :class:`Rule` names such a
relation; :func:`rule_violations` gives the share of rows that break each one,
to be set against the same share on real rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Rule", "rule_violations"]


@dataclass(frozen=True)
class Rule:
    """A relation between columns that a valid row keeps.

    Parameters
    ----------
    name : str
        Short label, used as the index of :func:`rule_violations`.
    columns : tuple of str
        The columns it reads; a table without one of them skips the rule.
    holds : callable
        ``holds(frame) -> boolean array``, True where a row keeps the rule.
    """

    name: str
    columns: tuple[str, ...]
    holds: Callable[[pd.DataFrame], np.ndarray | pd.Series]


def rule_violations(X: pd.DataFrame, rules: Sequence[Rule]) -> pd.Series:
    """Share of the rows of ``X`` that break each rule, and any of them.

    Parameters
    ----------
    X : DataFrame
        Rows to check (synthetic or real).
    rules : sequence of Rule
        Rules whose columns are all in ``X`` are checked; others are skipped.

    Returns
    -------
    shares : Series of float
        One entry per checked rule (by name), then ``"any"``: the share of rows
        breaking at least one of them. Empty (no ``"any"``) when no rule
        applies; NaN shares for an empty ``X``.
    """
    broken = {}
    for rule in rules:
        if set(rule.columns) <= set(X.columns):
            broken[rule.name] = ~np.asarray(rule.holds(X), dtype=bool)
    if not broken:
        return pd.Series(dtype=float)
    matrix = np.column_stack(list(broken.values()))
    with np.errstate(invalid="ignore"):
        shares = matrix.mean(axis=0) if len(X) else np.full(len(broken), np.nan)
        any_share = matrix.any(axis=1).mean() if len(X) else np.nan
    return pd.Series([*shares, any_share], index=[*broken, "any"], dtype=float)
