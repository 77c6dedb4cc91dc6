"""Checks of what every over-sampler of this package promises.

:func:`assert_resample_invariants` is used by the test suite's property tests
and by ``benchmarks/stress.py``; users can run it on their own data to check a
resampled table before training on it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["assert_resample_invariants"]


def assert_resample_invariants(
    X: Any,
    y: Any,
    X_res: Any,
    y_res: Any,
    sampling_strategy: dict,
    *,
    categorical: Any = None,
) -> None:
    """Check a ``fit_resample`` result against its input.

    The invariants are:

    - the original rows (and labels) come back first and bit-identical, the
      DataFrame index reset to ``0..n-1`` as imbalanced-learn does;
    - each class gains exactly ``sampling_strategy[c]`` rows;
    - the container, column order and dtypes are those of ``X``;
    - no synthetic numeric value is NaN or infinite, and every one lies in the
      range observed in ``X``; integer columns stay integral;
    - synthetic categorical values are values seen in ``X``.

    Parameters
    ----------
    X, y : array-like, DataFrame or sparse matrix
        The input of ``fit_resample``.
    X_res, y_res : array-like, DataFrame or sparse matrix
        Its output.
    sampling_strategy : dict
        The fitted ``sampling_strategy_``: rows generated per class.
    categorical : array-like of bool or None, default=None
        Which columns are categorical. None means the columns of ``category``,
        ``object``, ``string`` and ``bool`` dtype (all columns of an object
        array whose values are not all numbers).

    Raises
    ------
    AssertionError
        Naming the first invariant that does not hold.
    """
    y = np.asarray(y)
    y_res = np.asarray(y_res)
    n = len(y)
    assert len(y_res) == X_res.shape[0], (
        f"X_res has {X_res.shape[0]} rows but y_res has {len(y_res)}."
    )
    assert np.array_equal(y_res[:n], y), "The original labels are not first, as given."
    added = Counter(y_res[n:].tolist())
    expected = {k: int(v) for k, v in sampling_strategy.items() if v}
    assert dict(added) == expected, (
        f"Rows added per class {dict(added)} differ from the strategy {expected}."
    )
    if sp.issparse(X):
        assert sp.issparse(X_res), "Sparse input came back dense."
        X, X_res = X.toarray(), X_res.toarray()
    frame = isinstance(X, pd.DataFrame)
    assert frame == isinstance(X_res, pd.DataFrame), "The container changed."
    if frame:
        assert list(X_res.columns) == list(X.columns), "Column order changed."
        assert list(X_res.dtypes) == list(X.dtypes), (
            f"dtypes changed: {list(X.dtypes)} -> {list(X_res.dtypes)}."
        )
        assert isinstance(X_res.index, pd.RangeIndex) and X_res.index.start == 0, (
            "The resampled index is not a fresh 0..n-1 index."
        )
        pd.testing.assert_frame_equal(
            X_res.iloc[:n], X.reset_index(drop=True), check_exact=True
        )
        columns = [(X.iloc[:, j], X_res.iloc[n:, j]) for j in range(X.shape[1])]
    else:
        X, X_res = np.asarray(X), np.asarray(X_res)
        assert X_res.dtype == X.dtype, f"dtype changed: {X.dtype} -> {X_res.dtype}."
        assert X_res.shape[1] == X.shape[1], "The number of columns changed."
        same = X_res[:n] == X
        assert bool(np.all(same)), "The original rows are not first, as given."
        columns = [
            (pd.Series(X[:, j]), pd.Series(X_res[n:, j])) for j in range(X.shape[1])
        ]
    if categorical is None:
        categorical = [_looks_categorical(col) for col, _ in columns]
    for j, ((real, new), is_cat) in enumerate(zip(columns, categorical, strict=True)):
        name = X.columns[j] if frame else j
        if is_cat:
            seen = set(real.tolist())
            unseen = [v for v in new.tolist() if v not in seen]
            assert not unseen, f"Column {name!r} has unseen categories {unseen[:5]}."
            continue
        values = new.to_numpy(dtype=np.float64)
        observed = real.to_numpy(dtype=np.float64)
        assert np.isfinite(values).all(), f"Column {name!r} has non-finite values."
        if len(values):
            low, high = observed.min(), observed.max()
            assert values.min() >= low and values.max() <= high, (
                f"Column {name!r} leaves the observed range [{low}, {high}]: "
                f"[{values.min()}, {values.max()}]."
            )
        if pd.api.types.is_integer_dtype(real.dtype):
            assert np.array_equal(values, np.rint(values)), (
                f"Integer column {name!r} has non-integral values."
            )


def _looks_categorical(column: pd.Series) -> bool:
    dtype = column.dtype
    if (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    ):
        return True
    if pd.api.types.is_object_dtype(dtype):
        return not all(
            isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, (bool, np.bool_))
            for v in column.tolist()
        )
    return False
