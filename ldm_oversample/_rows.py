"""Assembling generated rows: the chunk buffer, concatenation in the input's
container, constant stand-ins for dropped identifier columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch


class _RowBuffer:
    """The output of :meth:`BaseGenerativeOverSampler._generate`, filled by chunks.

    Holds one array per column (or one 2-D array), allocated once in the dtype
    of the first decoded chunk, and builds the table at the end without copies.
    """

    def __init__(self, first, n_rows: int):
        self.frame = isinstance(first, pd.DataFrame)
        # One 2-D array, or one 1-D array per column of a DataFrame.
        self.data: np.ndarray | list[np.ndarray]
        if not self.frame:
            self.data = np.empty((n_rows, first.shape[1]), dtype=first.dtype)
            return
        self.columns = first.columns
        self.dtypes = list(first.dtypes)
        self.data = [
            np.empty(n_rows, dtype=_buffer_dtype(dtype)) for dtype in self.dtypes
        ]

    def write(self, start: int, table) -> None:
        stop = start + len(table)
        if not self.frame:
            self.data[start:stop] = table
            return
        for j, dtype in enumerate(self.dtypes):
            col = table.iloc[:, j]
            self.data[j][start:stop] = (
                col.cat.codes.to_numpy()
                if isinstance(dtype, pd.CategoricalDtype)
                else col.to_numpy(dtype=self.data[j].dtype)
            )

    def result(self):
        if not self.frame:
            return self.data
        series = {}
        for j, (values, dtype) in enumerate(zip(self.data, self.dtypes, strict=True)):
            if isinstance(dtype, pd.CategoricalDtype):
                values = pd.Categorical.from_codes(values, dtype=dtype)
            series[j] = pd.Series(values, dtype=dtype, copy=False)
        frame = pd.DataFrame(series, copy=False)
        frame.columns = self.columns
        return frame


def _constant_columns(X, columns: Mapping[Any, str]):
    """A copy of ``X`` whose ``columns`` hold their first value on every row:
    the generator learns nothing from them, and the layout stays the same."""
    if not columns:
        return X
    X = X.copy()
    if isinstance(X, pd.DataFrame):
        for name in columns:
            X[name] = pd.Series(
                [X[name].iloc[0]] * len(X), index=X.index, dtype=X[name].dtype
            )
    else:
        for j in columns:
            X[:, j] = X[0, j]
    return X


def _release_cached_memory(device: torch.device) -> None:
    """Return the CUDA caching allocator's free blocks before a retry."""
    if device.type == "cuda":
        torch.cuda.empty_cache()


def _buffer_dtype(dtype) -> np.dtype:
    """NumPy dtype that holds a column of ``dtype`` before it is rebuilt."""
    if isinstance(dtype, pd.CategoricalDtype):
        return np.dtype(np.int64)
    if isinstance(dtype, np.dtype):
        return dtype
    return np.dtype(object)


def _concat_tables(tables: list):
    if isinstance(tables[0], pd.DataFrame):
        columns = tables[0].columns
        frames = [t.set_axis(range(t.shape[1]), axis=1) for t in tables]
        out = pd.concat(frames, ignore_index=True)
        out.columns = columns
        return out
    return np.concatenate(tables)


def _concat_rows(X, parts: list):
    """Original rows first, unchanged, then the generated parts."""
    if not parts:
        return X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else X
    if sp.issparse(X):
        return sp.vstack([X, *(sp.csr_matrix(p) for p in parts)], format=X.format)
    if isinstance(X, pd.DataFrame):
        return _concat_tables([X, *parts])
    return np.concatenate([X, *parts])
