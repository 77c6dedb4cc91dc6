"""Identifier-like columns: the leakage trap of generative over-sampling.

A column of IP or MAC addresses, flow ids or other mostly-unique labels tells a
detector *which host* a row came from, not *what* it does. A generator that
learns such a column copies real attackers' addresses into its synthetic rows
(on CICIoT2023, most synthetic Spoofing rows carried a real Spoofing IP), and a
classifier trained on them learns the addresses. The samplers look for these
columns in ``fit`` and warn, refuse or leave them out, as their
``identifier_features`` parameter says.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from .tabular.columns import _column_names
from .utils import _caller_stacklevel

__all__ = ["IdentifierColumnWarning", "find_identifier_columns"]

#: A categorical column with at least this many distinct values, and at least
#: ``_UNIQUE_SHARE`` of its rows distinct, is taken as mostly unique.
_MIN_DISTINCT = 20
_UNIQUE_SHARE = 0.5
#: Share of distinct values that must look like addresses.
_ADDRESS_SHARE = 0.9
#: Distinct values inspected for address patterns.
_MAX_INSPECTED = 1000

_ADDRESS = re.compile(
    r"""^(?:
        (?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?:/\d{1,2})?   # IPv4[:port][/prefix]
      | (?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{2,39}  # IPv6
      | (?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}             # MAC
    )$""",
    re.VERBOSE,
)


class IdentifierColumnWarning(UserWarning):
    """A categorical column looks like an identifier (addresses, ids)."""


def find_identifier_columns(X: Any, categorical_mask: np.ndarray) -> dict[Any, str]:
    """Categorical columns of ``X`` that look like identifiers, with why.

    A column is identifier-like when at least 90% of its distinct values are
    IPv4/IPv6 or MAC addresses, or when it is mostly unique: at least 20
    distinct values, covering at least half of its rows.

    Parameters
    ----------
    X : DataFrame or ndarray of shape (n_samples, n_features)
        The table, as the sampler received it.
    categorical_mask : ndarray of bool of shape (n_features,)
        Which columns are categorical (numeric columns are never flagged).

    Returns
    -------
    found : dict
        Column name (or position, for arrays) to a short reason, in column
        order.
    """
    found: dict[Any, str] = {}
    n_rows = X.shape[0]
    names = _column_names(X)
    for j in map(int, np.flatnonzero(categorical_mask)):
        column = X.iloc[:, j] if isinstance(X, pd.DataFrame) else X[:, j]
        distinct = pd.unique(np.asarray(column, dtype=object))
        if len(distinct) < 2:
            continue
        inspected = [str(v) for v in distinct[:_MAX_INSPECTED]]
        addresses = [v for v in inspected if _ADDRESS.match(v.strip())]
        if len(addresses) >= _ADDRESS_SHARE * len(inspected):
            found[names[j]] = (
                f"holds network addresses (e.g. {addresses[0]!r}; "
                f"{len(distinct)} distinct)"
            )
        elif len(distinct) >= max(_MIN_DISTINCT, _UNIQUE_SHARE * n_rows):
            found[names[j]] = (
                f"is mostly unique ({len(distinct)} distinct values in {n_rows} rows)"
            )
    return found


def check_identifier_columns(
    X: Any, categorical_mask: np.ndarray, policy: str
) -> dict[Any, str]:
    """Apply an ``identifier_features`` policy; return the columns found.

    ``"warn"`` emits one :class:`IdentifierColumnWarning` naming the columns,
    ``"raise"`` raises a ``ValueError``, ``"drop"`` and ``"keep"`` are silent
    (the sampler leaves dropped columns out of the model).
    """
    if policy == "keep":
        return {}
    found = find_identifier_columns(X, categorical_mask)
    if not found or policy == "drop":
        return found
    listing = "; ".join(f"{name!r} {why}" for name, why in found.items())
    advice = (
        "A generator copies such values into its synthetic rows, so a model "
        "trained on them learns which hosts attacked, not how. Drop the "
        "column before resampling, or pass identifier_features='drop' to leave "
        "it out of the generator (new rows then hold a missing value there); "
        "identifier_features='keep' silences this."
    )
    if policy == "raise":
        raise ValueError(f"Identifier-like column(s): {listing}. {advice}")
    warnings.warn(
        f"Identifier-like column(s): {listing}. {advice}",
        IdentifierColumnWarning,
        stacklevel=_caller_stacklevel(),
    )
    return found


def blank_identifiers(table: Any, columns: Collection[Any]) -> Any:
    """Missing values in the identifier ``columns`` that a sampler left out of
    its model (``identifier_features="drop"``); ``table`` is changed in place."""
    if not columns:
        return table
    if not isinstance(table, pd.DataFrame):
        table[:, list(columns)] = None
        return table
    for name in columns:
        table[name] = pd.Series(None, index=table.index, dtype=table[name].dtype)
    return table
