"""Shared base of the generative over-samplers.

:class:`BaseGenerativeOverSampler` plugs into imbalanced-learn's contract: the
inherited ``fit_resample`` validates the parameters, the target and
``sampling_strategy``; ``_fit_resample`` fits the generator, generates
``sampling_strategy_[c]`` rows for each class ``c`` and returns the original rows
(unchanged, first) followed by the new ones. Subclasses implement only
``_fit_generator`` and ``_generate_encoded``.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from collections.abc import Iterator
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from .tabular import TabularEncoder
from .utils import draw_seeds, format_label, make_generator, runtime_device

__all__ = ["BaseGenerativeOverSampler"]

#: Numpydoc fragments for the parameters every sampler shares.
COMMON_PARAMETERS_DOC = {
    "sampling_strategy": BaseOverSampler._sampling_strategy_docstring,
    "random_state": """random_state : int, RandomState instance or None, default=None
        Seed of every random choice (weight initialisation, batches, noise). An
        integer gives identical output on the CPU on every call; the global NumPy
        and torch random states are never modified.""",
    "categorical_features": """categorical_features : "auto", None or array-like, \
default="auto"
        Which columns are categorical. ``"auto"`` takes DataFrame columns of
        ``category``, ``object``, ``string`` and ``bool`` dtype (and non-numeric
        columns of an object array). Also accepts a boolean mask, integer indices,
        or column names. Other columns are numeric.""",
    "max_epochs": """max_epochs : int, default={max_epochs}
        Maximum number of passes over the training rows, per model.""",
    "max_steps": """max_steps : int or None, default={max_steps}
        Cap on the optimiser steps of each network: training stops after
        ``max_epochs`` passes or ``max_steps`` steps, whichever comes first, so
        that large tables (many steps per pass) train in bounded time. None
        removes the cap.""",
    "batch_size": """batch_size : int, default={batch_size}
        Training mini-batch size.""",
    "device": """device : "auto", str or torch.device, default="auto"
        Where to train and sample. ``"auto"`` uses CUDA when available, else the
        CPU. Outputs always come back as CPU arrays or DataFrames.""",
    "precision": """precision : {"auto", "fp32", "tf32", "bf16"}, default="auto"
        Arithmetic of the denoiser while generating (training is always fp32).
        ``"auto"`` is bf16 autocast on CUDA and fp32 elsewhere; ``"tf32"`` allows
        TF32 matmuls on CUDA (fp32 elsewhere). bf16 on a CPU is only fast where
        the CPU has bf16 instructions (AVX512-BF16 or AMX). Read at sampling
        time, so it can be changed on a fitted sampler.""",
    "verbose": """verbose : bool, default=False
        Show tqdm progress bars for training and sampling. Otherwise silent.""",
    # Fitted attributes every sampler of the package has.
    "class_attributes": """sampling_strategy_ : dict
        Number of rows generated per class.
    classes_ : ndarray
        Class labels seen in ``fit``.
    class_counts_ : ndarray
        Rows per class seen in ``fit``.""",
    "feature_attributes": """n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (string-named DataFrames only).""",
}


def fill_doc(doc: str, **defaults: Any) -> str:
    """Insert the shared parameter descriptions into a class docstring.

    ``{name}`` placeholders of :data:`COMMON_PARAMETERS_DOC` keys are replaced;
    ``defaults`` fill the ``{max_epochs}``-style defaults inside the fragments.
    Other braces in the docstring are left alone.
    """
    for key, text in COMMON_PARAMETERS_DOC.items():
        for name, value in defaults.items():
            text = text.replace("{" + name + "}", str(value))
        doc = doc.replace("{" + key + "}", text)
    return doc


class BaseGenerativeOverSampler(BaseOverSampler):
    """Base class of the neural over-samplers of this package.

    Warning: do not instantiate it directly; use a subclass.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "verbose": ["verbose"],
    }

    #: Rows per chunk when generating on the CPU and on CUDA; bounds memory
    #: during sampling (see ``benchmarks/sampling_speed.py`` and
    #: ``benchmarks/gpu_sampling.py`` for how they were chosen).
    _generation_chunk_size = 16_384
    _generation_chunk_size_cuda = 262_144

    # ------------------------------------------------------------ contract
    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if isinstance(X, pd.DataFrame):
            validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
            if X.shape[0] != len(y):
                raise ValueError(
                    f"X and y have inconsistent numbers of rows: {X.shape[0]} and "
                    f"{len(y)}."
                )
            if X.shape[0] == 0 or X.shape[1] == 0:
                raise ValueError(
                    f"X is empty (shape {X.shape}); it needs rows and columns."
                )
            return X, y, binarize_y
        X, y = validate_data(
            self, X=X, y=y, reset=True, accept_sparse=["csr", "csc"], dtype=None
        )
        if not sp.issparse(X) and X.dtype.kind in "US":
            X = X.astype(object)
        return X, y, binarize_y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the generator on ``X, y`` without resampling.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Training rows of every class.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted sampler; call :meth:`sample` to draw rows.
        """
        check_classification_targets(y)
        X, y, _ = self._check_X_y(X, y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        self._fit(X, y)
        return self

    def _fit_resample(self, X, y):
        sample_seed = self._fit(X, y)
        generator = make_generator(sample_seed, self._device())
        X_parts, y_parts = [], []
        for class_label, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            X_parts.append(self._generate(n_samples, class_label, generator))
            y_parts.append(np.full(n_samples, class_label, dtype=y.dtype))
        return _concat_rows(X, X_parts), np.concatenate([y, *y_parts])

    def sample(
        self, n_samples: int, class_label: Any = None, *, random_state: Any = None
    ):
        """Generate new rows of one class from the fitted generator.

        Parameters
        ----------
        n_samples : int
            Exact number of rows to generate.
        class_label : object, default=None
            The class to generate. Defaults to the smallest class seen in ``fit``.
        random_state : int, RandomState instance or None, default=None
            Seed for this call. ``None`` uses the sampler's ``random_state``, so an
            integer ``random_state`` makes repeated calls return the same rows.

        Returns
        -------
        X_new : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
            New rows in the format (container, columns, dtypes) seen in ``fit``.
        """
        check_is_fitted(self, "classes_")
        if (
            not isinstance(n_samples, Integral)
            or isinstance(n_samples, bool)
            or n_samples < 0
        ):
            raise ValueError(
                f"n_samples must be a non-negative integer; got {n_samples!r}."
            )
        if class_label is None:
            class_label = self.classes_[int(np.argmin(self.class_counts_))]
        elif class_label not in set(self.classes_.tolist()):
            raise ValueError(
                f"class_label={format_label(class_label)} was not seen in fit; "
                "known classes are "
                f"{self.classes_.tolist()}."
            )
        seed = draw_seeds(self.random_state if random_state is None else random_state)[
            0
        ]
        X_new = self._generate(
            int(n_samples), class_label, make_generator(seed, self._device())
        )
        return sp.csr_matrix(X_new) if self.sparse_input_ else X_new

    # ---------------------------------------------------------- internals
    def _fit(self, X, y) -> int:
        """Fit the encoder and the generator; return a seed for generation."""
        fit_seed, sample_seed = draw_seeds(self.random_state, 2)
        sparse_input = sp.issparse(X)
        if sparse_input:
            X = X.toarray()
        classes, counts = np.unique(y, return_counts=True)
        # Build everything in locals first: an interrupted fit leaves no state.
        state = self._fit_generator(X, y, classes, fit_seed)
        self.sparse_input_ = sparse_input
        self.classes_ = classes
        self.class_counts_ = counts
        for key, value in state.items():
            setattr(self, key, value)
        return sample_seed

    @abstractmethod
    def _fit_generator(self, X, y, classes: np.ndarray, seed: int) -> dict[str, Any]:
        """Fit the generator; return the fitted attributes to set (names end in _)."""

    @abstractmethod
    def _generate_encoded(
        self, n_samples: int, class_index: int, generator: torch.Generator
    ) -> np.ndarray:
        """Generate ``n_samples`` rows of one class in the encoder's space."""

    def _chunk_size(self, device: torch.device) -> int:
        """Rows generated per chunk on ``device``; bounds memory while sampling."""
        return (
            self._generation_chunk_size_cuda
            if device.type == "cuda"
            else self._generation_chunk_size
        )

    def _encoded_chunks(
        self, n_samples: int, class_index: int, generator: torch.Generator
    ) -> Iterator[np.ndarray]:
        """Yield encoded rows of one class, chunk by chunk, ``n_samples`` in all."""
        chunk = self._chunk_size(self._device())
        for start in range(0, n_samples, chunk):
            yield self._generate_encoded(
                min(chunk, n_samples - start), class_index, generator
            )

    def _generate(self, n_samples: int, class_label: Any, generator: torch.Generator):
        """Generate rows of ``class_label`` in chunks, decoded to the fit format.

        Each decoded chunk is written into an output allocated once, so peak
        memory is the output plus one chunk, not twice the output.
        """
        class_index = int(np.searchsorted(self.classes_, class_label))
        n_chunks = -(-n_samples // self._chunk_size(self._device()))
        out: _RowBuffer | None = None
        start = 0
        for encoded in tqdm(
            self._encoded_chunks(n_samples, class_index, generator),
            total=n_chunks,
            desc=f"sampling class {format_label(class_label)}",
            disable=not self.verbose or n_chunks < 2,
            leave=False,
        ):
            table = self.encoder_.inverse_transform(encoded)
            if out is None:
                out = _RowBuffer(table, n_samples)
            out.write(start, table)
            start += len(table)
        if out is None:
            return self.encoder_.inverse_transform(
                np.zeros((0, self.encoder_.n_encoded_))
            )
        return out.result()

    def _make_encoder(self, seed: int) -> TabularEncoder:
        return TabularEncoder(
            categorical_features=self.categorical_features, random_state=seed
        )

    def _device(self) -> torch.device:
        """The fitted device, or the CPU where that device does not exist."""
        return runtime_device(self.device_)

    def __getstate__(self):
        # Pickles hold CPU copies of the networks, so they load on CPU-only machines.
        state = self.__dict__.copy()
        for key, value in state.items():
            if isinstance(value, torch.nn.Module):
                state[key] = copy.deepcopy(value).to("cpu")
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


class _RowBuffer:
    """The output of :meth:`BaseGenerativeOverSampler._generate`, filled by chunks.

    Holds one array per column (or one 2-D array), allocated once in the dtype
    of the first decoded chunk, and builds the table at the end without copies.
    """

    def __init__(self, first, n_rows: int):
        self.frame = isinstance(first, pd.DataFrame)
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
