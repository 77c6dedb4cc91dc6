"""Discrete-valued numeric columns, decoded onto the values seen in ``fit``.

Flags (0/1), counters and integer codes such as IP protocol numbers (0, 1, 6,
17, 47) are numbers with few distinct values. A generator's continuous output,
decoded by the inverse quantile transform, can land between them (protocol 12,
a flag of 0.37): values no real row has, which a detector spots at once. The
encoder therefore records, per numeric column, the observed values of columns
with at most ``max_levels`` of them and whether a column is integer-valued;
decoding snaps the former to the nearest observed value and rounds the latter.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np

__all__ = ["MAX_LEVELS", "decode_discrete", "fit_discrete"]

#: Numeric columns with at most this many distinct values are discrete under
#: ``discrete_features="auto"``.
MAX_LEVELS = 32


def fit_discrete(
    values: np.ndarray,
    spec: Any,
    columns: Sequence[Any],
    numeric: Sequence[int],
    max_levels: int = MAX_LEVELS,
) -> tuple[list[np.ndarray], np.ndarray]:
    """The value sets and integer-valued flags of the numeric columns.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_numeric)
        The numeric columns, in encoded order.
    spec : "auto", None or array-like
        ``"auto"``: columns with at most ``max_levels`` distinct values are
        discrete, and other integer-valued columns are rounded. ``None``: no
        column is either (decoding stays continuous). Otherwise the names or
        original positions (or a boolean mask over all columns) of the numeric
        columns to treat as discrete; other integer-valued columns are rounded.
    columns : sequence
        Names of all columns, in original order.
    numeric : sequence of int
        Original positions of the numeric columns, in encoded order.
    max_levels : int, default=MAX_LEVELS

    Returns
    -------
    levels : list of ndarray
        Sorted observed values of each discrete column; empty arrays for the
        others.
    integral : ndarray of bool
        Non-discrete columns whose observed values are all integers.
    """
    n_numeric = len(numeric)
    empty = np.empty(0)
    if spec is None:
        return [empty] * n_numeric, np.zeros(n_numeric, dtype=bool)
    if isinstance(spec, str):
        if spec != "auto":
            raise ValueError(
                "discrete_features must be 'auto', None, a boolean mask, indices or "
                f"column names; got the string {spec!r}."
            )
        uniques = [np.unique(values[:, k]) for k in range(n_numeric)]
        levels = [u if len(u) <= max_levels else empty for u in uniques]
        chosen = [len(level) > 0 for level in levels]
    else:
        positions = _positions(spec, columns)
        not_numeric = sorted(set(positions) - set(numeric))
        if not_numeric:
            raise ValueError(
                "discrete_features names columns that are not numeric: "
                f"{[columns[j] for j in not_numeric]}; list numeric columns only "
                "(categorical columns are already decoded onto their categories)."
            )
        chosen = [j in positions for j in numeric]
        levels = [
            np.unique(values[:, k]) if chosen[k] else empty for k in range(n_numeric)
        ]
    integral = np.array(
        [
            not chosen[k] and bool(np.all(values[:, k] == np.rint(values[:, k])))
            for k in range(n_numeric)
        ],
        dtype=bool,
    )
    return levels, integral


def decode_discrete(
    values: np.ndarray, levels: Sequence[np.ndarray], integral: np.ndarray
) -> np.ndarray:
    """Snap discrete columns to their nearest observed value and round the
    integer-valued ones, in place; returns ``values``."""
    for k, level in enumerate(levels):
        if len(level) == 1:
            values[:, k] = level[0]
        elif len(level):
            column = values[:, k]
            upper = np.searchsorted(level, column).clip(1, len(level) - 1)
            low, high = level[upper - 1], level[upper]
            values[:, k] = np.where(column - low <= high - column, low, high)
    if integral.any():
        values[:, integral] = np.rint(values[:, integral])
    return values


def _positions(spec: Any, columns: Sequence[Any]) -> set[int]:
    items = np.asarray(spec).tolist()
    if not isinstance(items, list):
        items = [items]
    if items and all(isinstance(v, bool) for v in items):
        if len(items) != len(columns):
            raise ValueError(
                f"discrete_features as a boolean mask must have length "
                f"{len(columns)}; got {len(items)}."
            )
        return {j for j, flag in enumerate(items) if flag}
    lookup = {name: j for j, name in enumerate(columns)}
    out = set()
    for v in items:
        if isinstance(v, Integral) and v not in lookup:
            if not -len(columns) <= int(v) < len(columns):
                raise ValueError(
                    f"discrete_features index {v} is out of range for "
                    f"{len(columns)} columns."
                )
            out.add(int(v) % len(columns))
        elif v in lookup:
            out.add(lookup[v])
        else:
            raise ValueError(f"discrete_features name {v!r} is not a column of X.")
    return out
