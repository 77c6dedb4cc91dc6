"""Shared base of the generative over-samplers.

:class:`BaseGenerativeOverSampler` plugs into imbalanced-learn's contract:
``fit_resample`` validates the parameters, the target and ``sampling_strategy``
(the checks, with messages that name the column or class, are in
:mod:`._validation`), as imbalanced-learn's does, then ``_fit_resample`` fits
the generator, generates
``sampling_strategy_[c]`` rows for each class ``c`` and returns the original rows
(unchanged, first) followed by the new ones. Subclasses implement only
``_fit_generator`` (fit: return the fitted attributes) and ``_row_source``
(generate: how to draw and decode rows of one class).
"""

from __future__ import annotations

import contextlib
import copy
import os
from abc import abstractmethod
from collections.abc import Callable, Iterator
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy
from numpy.typing import ArrayLike
from sklearn.preprocessing import label_binarize
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval, StrOptions, _fit_context
from ._registry import SAMPLER_CLASSES
from ._rows import (
    RowSource,
    _concat_rows,
    _constant_columns,
    _take_rows,
    generate_in_chunks,
)
from ._validation import (
    check_fit_params,
    check_n_samples,
    check_X_y,
    resolve_sampling_strategy,
    restore_containers,
)
from .identifiers import blank_identifiers, check_identifier_columns
from .quality.report import quality_holdout, quality_report
from .tabular import TabularEncoder, resolve_categorical_features
from .tabular.decoding import row_decoder
from .utils import (
    draw_seeds,
    format_label,
    make_generator,
    runtime_device,
)

__all__ = ["SAMPLER_CLASSES", "BaseGenerativeOverSampler"]


class BaseGenerativeOverSampler(BaseOverSampler):
    """Base class of the over-samplers of this package (generators and SMOTE).

    Warning: do not instantiate it directly; use a subclass.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "identifier_features": [StrOptions({"warn", "raise", "drop", "keep"})],
        "discrete_features": [StrOptions({"auto"}), "array-like", None],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "verbose": ["verbose", StrOptions({"auto"})],
        "quality_report": ["boolean", Interval(Real, 0, 1, closed="neither")],
    }

    #: Rows per chunk when generating on the CPU and on CUDA; bounds memory
    #: during sampling (see ``benchmarks/sampling_speed.py`` and
    #: ``benchmarks/gpu_sampling.py`` for how they were chosen).
    _generation_chunk_size = 16_384
    _generation_chunk_size_cuda = 262_144

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("ldm_oversample."):
            SAMPLER_CLASSES[f"{cls.__module__}.{cls.__qualname__}"] = cls

    #: Whether SciPy sparse X is accepted (densified for the generator and
    #: returned sparse). The neural samplers refuse it: on sparse term
    #: matrices they return degenerate rows.
    _accepts_sparse = False

    #: Fitted attributes without a trailing underscore (saved, and dropped by
    #: a failed fit, with the others).
    _private_fitted_attributes: tuple[str, ...] = ()

    # ------------------------------------------------------------ contract
    def _validate_fit_input(self, X, y):
        """Check ``X, y`` (:func:`._validation.check_X_y`) and set
        ``sampling_strategy_`` (a callable strategy is called once); return
        ``X, y, binarize_y``."""
        X, y, binarize_y = check_X_y(self, X, y)
        strategy = resolve_sampling_strategy(self.sampling_strategy, y)
        self.sampling_strategy_ = check_sampling_strategy(
            strategy, y, self._sampling_type
        )
        return X, y, binarize_y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> BaseGenerativeOverSampler:
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
        with self._fit_or_forget():
            X, y, _ = self._validate_fit_input(X, y)
            self._fit(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(
        self, X: ArrayLike, y: ArrayLike, **params: Any
    ) -> tuple[Any, Any]:
        """Fit the generator on ``X, y`` and return them with the new rows.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Training rows of every class.
        y : array-like of shape (n_samples,)
            Class labels.
        **params : dict
            None is supported yet: imbalanced-learn's signature passes them on,
            and each one raises an error that names it (a ``ValueError`` for
            ``sample_weight``, a ``TypeError`` otherwise) rather than being
            dropped.

        Returns
        -------
        X_resampled : {ndarray, DataFrame, sparse matrix}
            The rows of ``X`` (unchanged, first; a DataFrame gets a fresh
            ``0..n-1`` index, so no synthetic row shares an original's label)
            followed by ``sampling_strategy_[c]`` new rows of each class ``c``,
            in the container, columns and dtypes of ``X``. ``synthetic_mask_``
            marks the new rows and ``n_original_`` counts the others.
        y_resampled : ndarray or Series of shape (n_samples_new,)
            The labels of ``X_resampled`` (a Series if ``y`` is one).
        """
        check_fit_params(self, params)
        with self._fit_or_forget():
            return self._checked_resample(X, y)

    def _checked_resample(self, X, y, **options: Any) -> tuple[Any, Any]:
        """``fit_resample``'s work: check ``X, y``, run ``_fit_resample`` (with
        ``options``), and return the rows in the containers of ``X, y``."""
        X_in, y_in = X, y
        X, y, binarize_y = self._validate_fit_input(X, y)
        X_res, y_res = self._fit_resample(X, y, **options)
        if binarize_y:
            y_res = label_binarize(y_res, classes=np.unique(y))
        return restore_containers(X_in, y_in, X_res, y_res)

    @contextlib.contextmanager
    def _fit_or_forget(self) -> Iterator[None]:
        """Drop every fitted attribute if the block raises (a
        ``KeyboardInterrupt`` included), so a failed fit leaves the sampler
        unfitted rather than holding a mix of old and new state."""
        try:
            yield
        except BaseException:
            for key in self._fitted_attribute_names():
                delattr(self, key)
            raise

    def _fitted_attribute_names(self) -> list[str]:
        """Names of the fitted attributes: sklearn's trailing underscore, plus
        the private ones a subclass lists in ``_private_fitted_attributes``."""
        return [
            key
            for key in vars(self)
            if (key.endswith("_") and not key.startswith("__"))
            or key in self._private_fitted_attributes
        ]

    def _fit_resample(self, X, y, *, refit: bool = True, random_state: Any = None):
        """``X, y`` followed by the new rows of each class.

        With ``refit=False`` the fitted generator is kept, and the rows are
        those a refit with ``random_state`` would give (the same seeds),
        under the current sampling parameters: :class:`~ldm_oversample.
        model_selection.SamplingSearchCV` sweeps those without refitting.
        """
        state = self.random_state if random_state is None else random_state
        # The report compares with real rows the generator never sees.
        fit_rows, held_rows = quality_holdout(self.quality_report, y, state)
        fitted_on = _take_rows(X, y, fit_rows)
        if refit:
            sample_seed = self._fit(*fitted_on)
        else:
            sample_seed = draw_seeds(state, 2)[1]
        generator = make_generator(sample_seed, self._device())
        X_parts, y_parts = [], []
        for class_label, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            X_parts.append(self._generate(n_samples, class_label, generator))
            y_parts.append(np.full(n_samples, class_label, dtype=y.dtype))
        y_res = np.concatenate([y, *y_parts])
        self.n_original_ = len(y)
        self.synthetic_mask_ = np.arange(len(y_res)) >= len(y)
        if held_rows is not None and X_parts:
            self.quality_report_ = quality_report(
                *fitted_on,
                *_take_rows(X, y, held_rows),
                _concat_rows(X_parts[0], X_parts[1:]),
                np.concatenate(y_parts),
                categorical_features=resolve_categorical_features(
                    X, self.categorical_features
                ),
                random_state=sample_seed,
                warn_as=type(self).__name__,
            )
        return _concat_rows(X, X_parts), y_res

    def sample(
        self, n_samples: int, class_label: Any = None, *, random_state: Any = None
    ) -> Any:
        """Generate new rows of one class from the fitted generator.

        Parameters
        ----------
        n_samples : int
            Exact number of rows to generate.
        class_label : object, default=None
            The class to generate. Defaults to the smallest class seen in ``fit``.
        random_state : int, RandomState instance or None, default=None
            Seed for this call. ``None`` uses the sampler's ``random_state``, so an
            integer ``random_state`` makes repeated calls return the same rows
            (scikit-learn's convention; nothing hidden advances). To generate
            in batches, pass a different integer per batch, or one
            ``numpy.random.RandomState``, which advances with each call.

        Returns
        -------
        X_new : DataFrame, ndarray or sparse matrix of shape (n_samples, n_features)
            New rows in the format (container, columns, dtypes) seen in ``fit``.
        """
        check_is_fitted(self, "classes_")
        check_n_samples(n_samples)
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

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted sampler to one file, readable without pickle.

        The file holds JSON metadata (parameters, versions, the encoder's
        learned state as plain arrays) and the network weights;
        :func:`ldm_oversample.load` reads it back without running any code from
        it. Prefer it to pickling for files you share: a pickle can run code
        when it is loaded, so load pickles only from trusted sources.

        Parameters
        ----------
        path : str or Path
            File to write (conventionally ``*.ldm``); it is overwritten.

        Returns
        -------
        path : Path
            The file written.
        """
        from .persistence import save

        return save(self, path)

    # ---------------------------------------------------------- internals
    def _fit(self, X, y) -> int:
        """Fit the encoder and the generator; return a seed for generation."""
        fit_seed, sample_seed = draw_seeds(self.random_state, 2)
        sparse_input = sp.issparse(X)
        if sparse_input:
            X = X.toarray()
        classes, counts = np.unique(y, return_counts=True)
        identifiers = check_identifier_columns(
            X,
            resolve_categorical_features(X, self.categorical_features),
            self.identifier_features,
        )
        if self.identifier_features == "drop":
            X = _constant_columns(X, identifiers)
        # Build everything in locals first: an interrupted fit leaves no state.
        state = self._fit_generator(X, y, classes, fit_seed)
        # They describe the output of fit_resample, which sets them again.
        for key in ("n_original_", "synthetic_mask_", "quality_report_"):
            self.__dict__.pop(key, None)
        self.identifier_columns_ = identifiers
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
    def _row_source(self, class_index: int) -> RowSource:
        """How to make rows of class ``classes_[class_index]``: a draw function,
        its decoder back to the fit format, and the chunk size (see
        :func:`._rows.generate_in_chunks`). The generators draw encoded rows
        (:meth:`_encoded_rows`); SMOTE interpolates its table."""

    def _generate(self, n_samples: int, class_label: Any, generator: torch.Generator):
        """``n_samples`` rows of ``class_label`` in the fit format, drawn in
        chunks by :meth:`_row_source`."""
        class_index = int(np.searchsorted(self.classes_, class_label))
        table = generate_in_chunks(
            self._row_source(class_index),
            n_samples,
            generator,
            desc=f"sampling class {format_label(class_label)}",
            verbose=self.verbose,
        )
        if self.identifier_features != "drop":
            return table
        return blank_identifiers(table, self.identifier_columns_)

    def _encoded_rows(
        self, draw: Callable[[int, torch.Generator], torch.Tensor]
    ) -> RowSource:
        """The :class:`RowSource` of a generator whose ``draw`` returns rows
        in :attr:`encoder_`'s encoded space (on its device, where they are
        decoded), chunked to bound memory."""
        device = self._device()
        return RowSource(
            draw=draw,
            decode=row_decoder(self.encoder_, device),
            chunk_size=(
                self._generation_chunk_size_cuda
                if device.type == "cuda"
                else self._generation_chunk_size
            ),
            device=device,
            empty=np.zeros((0, self.encoder_.n_encoded_)),
        )

    def _make_encoder(self, seed: int) -> TabularEncoder:
        return TabularEncoder(
            categorical_features=self.categorical_features,
            discrete_features=self.discrete_features,
            random_state=seed,
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
        tags.input_tags.sparse = self._accepts_sparse
        return tags
