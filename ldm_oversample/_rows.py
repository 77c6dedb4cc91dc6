"""Generating and assembling rows: the chunked generation loop every sampler
runs (:func:`generate_in_chunks` over a :class:`RowSource`), the chunk buffer,
concatenation in the input's container, constant stand-ins for dropped
identifier columns."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from .utils import progress_enabled, progress_interval


class RowSource(NamedTuple):
    """How a fitted sampler makes rows of one class.

    Attributes
    ----------
    draw : callable
        ``draw(n_samples, generator)``: ``n_samples`` rows in the sampler's
        working space (a generator's encoded rows, or SMOTE's table).
    decode : callable
        Turns a drawn chunk into rows in the format seen in ``fit``.
    chunk_size : int
        Most rows drawn at once; bounds memory while sampling.
    device : torch.device
        Where ``draw`` runs (for out-of-memory retries).
    empty : object
        What ``draw(0, ...)`` would return: decoded when no row is asked for.
    """

    draw: Callable[[int, torch.Generator], Any]
    decode: Callable[[Any], Any]
    chunk_size: int
    device: torch.device
    empty: Any


def generate_in_chunks(
    source: RowSource,
    n_samples: int,
    generator: torch.Generator,
    *,
    desc: str,
    verbose: Any,
):
    """``n_samples`` decoded rows from ``source``, drawn in chunks.

    Each decoded chunk is written into an output allocated once, so peak
    memory is the output plus one chunk, not twice the output. When the device
    runs out of memory, the chunk is halved and retried from the same random
    state (with a warning), down to one row.
    """
    chunk = source.chunk_size
    out: _RowBuffer | None = None
    start = 0
    with tqdm(
        total=n_samples,
        desc=desc,
        disable=not progress_enabled(verbose) or n_samples <= chunk,
        leave=False,
        mininterval=progress_interval(),
    ) as bar:
        while start < n_samples:
            size = min(chunk, n_samples - start)
            state = generator.get_state()
            try:
                drawn = source.draw(size, generator)
            except torch.cuda.OutOfMemoryError:
                if size == 1:
                    raise
                chunk = size // 2
                generator.set_state(state)
                _release_cached_memory(source.device)
                warnings.warn(
                    f"{source.device} ran out of memory generating {size} rows at "
                    f"once; retrying with chunks of {chunk} rows.",
                    UserWarning,
                    stacklevel=4,
                )
                continue
            table = source.decode(drawn)
            if out is None:
                out = _RowBuffer(table, n_samples)
            out.write(start, table)
            start += size
            bar.update(size)
    return source.decode(source.empty) if out is None else out.result()


class _RowBuffer:
    """The output of :func:`generate_in_chunks`, filled by chunks.

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


def _take_rows(
    X: Any, y: np.ndarray, rows: np.ndarray | None
) -> tuple[Any, np.ndarray]:
    """``X, y`` at positions ``rows`` (all of them for None)."""
    if rows is None:
        return X, y
    return (X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]), y[rows]
