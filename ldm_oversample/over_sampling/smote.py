"""Mixed-type SMOTE with the package's interface (imbalanced-learn underneath)."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import torch
from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC
from numpy.typing import ArrayLike

from .._compat import Interval
from .._docstrings import fill_doc
from .._rows import RowSource
from ..base import BaseGenerativeOverSampler
from ..tabular import TabularEncoder
from ..utils import format_label, resolve_device

__all__ = ["SMOTEOverSampler"]


class SMOTEOverSampler(BaseGenerativeOverSampler):
    """SMOTE for mixed-type tables, with the same interface as the generators.

    Picks imbalanced-learn's :class:`~imblearn.over_sampling.SMOTE` (all columns
    numeric), :class:`~imblearn.over_sampling.SMOTENC` (mixed) or
    :class:`~imblearn.over_sampling.SMOTEN` (all categorical) from the column
    types that ``categorical_features`` resolves to. New rows come back in the
    input's format: DataFrame columns and dtypes are restored, integer columns
    are rounded (SMOTE interpolates) and stay inside the observed range.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    {categorical_features}
    {identifier_features}
    k_neighbors : int, default=5
        Number of nearest same-class neighbours to interpolate towards. A class
        with fewer than ``k_neighbors + 1`` rows uses all its other rows
        (``k = n_rows - 1``) and a :class:`UserWarning` says so; a class with a
        single row cannot be interpolated and raises a ``ValueError``.
    max_epochs : int or None, default=None
        Unused: SMOTE trains nothing. Accepted, like ``batch_size`` and
        ``device``, so that one dictionary of common parameters configures
        every sampler of the package (for example in a benchmark or a grid).
    batch_size : int or None, default=None
        Unused; see ``max_epochs``.
    device : "auto", str or torch.device, default="auto"
        Unused: imbalanced-learn interpolates on the CPU; see ``max_epochs``.
    verbose : bool, default=False
        Print the variant, the neighbour count and the rows made per class.
    {quality_report}

    Attributes
    ----------
    {class_attributes}
    variant_ : {"SMOTE", "SMOTENC", "SMOTEN"}
        The imbalanced-learn algorithm used.
    encoder_ : TabularEncoder
        Column typing and dtype restoration.
    {feature_attributes}

    See Also
    --------
    LDMOverSampler : Latent-diffusion over-sampling.

    Notes
    -----
    SMOTE has no training: ``fit`` keeps the rows and ``sample`` interpolates
    between them, so ``max_epochs``, ``batch_size`` and ``device`` have no
    effect.

    The nearest-neighbour search squares distances between rows, which
    overflows for numeric values beyond about 1e150 in magnitude. Such tables
    are scaled by a power of two for the search and back, which is exact, so
    the rows are those imbalanced-learn would make without the overflow. Only
    a table whose numeric values span more than float64 can hold at once
    (about 1e-150 next to 1e150) raises a ``ValueError``.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from ldm_oversample import SMOTEOverSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> X_res, y_res = SMOTEOverSampler(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(0, 269), (1, 269)]
    """

    # _X_fit is stored scaled by 2 ** _exponent (see _distance_scale).
    _private_fitted_attributes = ("_X_fit", "_y_fit", "_exponent")
    _accepts_sparse = True

    _parameter_constraints: dict = {
        # SMOTE does not decode a generator's output, so it has no
        # discrete_features (its interpolations stay as imbalanced-learn's).
        **{
            key: value
            for key, value in BaseGenerativeOverSampler._parameter_constraints.items()
            if key != "discrete_features"
        },
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        sampling_strategy: float | str | dict | Callable[..., dict] = "auto",
        random_state: int | np.random.RandomState | None = None,
        categorical_features: str | ArrayLike | None = "auto",
        identifier_features: str = "warn",
        k_neighbors: int = 5,
        max_epochs: int | None = None,
        batch_size: int | None = None,
        device: str | torch.device = "auto",
        verbose: bool = False,
        quality_report: bool | float = False,
    ) -> None:
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.categorical_features = categorical_features
        self.identifier_features = identifier_features
        self.k_neighbors = k_neighbors
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.device = device
        self.verbose = verbose
        self.quality_report = quality_report

    def _make_encoder(self, seed: int) -> TabularEncoder:
        # SMOTE's interpolations are not snapped, as in imbalanced-learn.
        return TabularEncoder(
            categorical_features=self.categorical_features,
            discrete_features=None,
            random_state=seed,
        )

    def _fit_generator(self, X, y, classes, seed) -> dict[str, Any]:
        resolve_device(self.device)  # a bad device is an error here too
        encoder = self._make_encoder(seed).fit(X)
        mask = encoder.categorical_mask_
        table = _working_table(X, mask)
        exponent = _distance_scale(table, mask, list(encoder.columns_))
        variant = "SMOTEN" if mask.all() else "SMOTENC" if mask.any() else "SMOTE"
        return {
            "device_": "cpu",
            "encoder_": encoder,
            "variant_": variant,
            "_X_fit": _rescaled(table, mask, exponent) if exponent else table,
            "_exponent": exponent,
            "_y_fit": y,
        }

    def _row_source(self, class_index: int) -> RowSource:
        # One interpolation per call: imbalanced-learn draws every row at once.
        return RowSource(
            draw=functools.partial(self._interpolate, self.classes_[class_index]),
            decode=lambda new: self.encoder_.from_columns(
                [new[:, j] for j in range(new.shape[1])]
            ),
            chunk_size=sys.maxsize,
            device=torch.device("cpu"),
            empty=np.empty((0, self.n_features_in_), dtype=object),
        )

    def _interpolate(
        self, class_label: Any, n_samples: int, generator: torch.Generator
    ) -> np.ndarray:
        """``n_samples`` new rows of ``class_label`` (an object array in the
        columns of X), interpolated by imbalanced-learn."""
        count = int(np.sum(self._y_fit == class_label))
        label = format_label(class_label)
        if count < 2:
            raise ValueError(
                f"Class {label} has {count} row; SMOTE needs at least 2 rows "
                "of a class to interpolate between them."
            )
        k = min(self.k_neighbors, count - 1)
        if k < self.k_neighbors:
            warnings.warn(
                f"Class {label} has only {count} rows; SMOTE uses "
                f"k_neighbors={k} instead of {self.k_neighbors} for it.",
                UserWarning,
                stacklevel=5,
            )
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
        params = dict(
            sampling_strategy={class_label: count + n_samples},
            k_neighbors=k,
            random_state=seed,
        )
        mask = self.encoder_.categorical_mask_
        if self.variant_ == "SMOTE":
            sampler = SMOTE(**params)
        elif self.variant_ == "SMOTEN":
            sampler = SMOTEN(**params)
        else:
            # a list: imblearn compares categorical_features == "auto"
            sampler = SMOTENC(
                categorical_features=np.flatnonzero(mask).tolist(), **params
            )
        if self.verbose:
            print(
                f"{self.variant_}: {n_samples} rows of class {label} from {count} "
                f"with k_neighbors={k}"
            )
        X_res, _ = sampler.fit_resample(self._X_fit, self._y_fit)
        new = np.asarray(X_res, dtype=object)[len(self._y_fit) :]
        # Model files saved before the rescaling hold no _exponent (unscaled).
        exponent = getattr(self, "_exponent", 0)
        return _rescaled(new, mask, -exponent) if exponent else new


def _working_table(X, mask: np.ndarray) -> np.ndarray:
    """Numeric columns as float64 (so integers interpolate), categorical as objects."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    columns = []
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j].to_numpy()
        columns.append(col.astype(object) if mask[j] else col.astype(np.float64))
    if not mask.any():
        return np.column_stack(columns).astype(np.float64)
    return np.column_stack([c.astype(object) for c in columns])


#: Largest squared distance the nearest-neighbour search may meet; beyond it
#: (values of about 1e150) the squares overflow to infinity.
_MAX_SQUARED_DISTANCE = 1e300
#: Smallest magnitude that keeps full float64 precision (normal numbers).
_MIN_NORMAL = float(np.finfo(np.float64).tiny) * 2.0**52


def _distance_scale(table: np.ndarray, mask: np.ndarray, names) -> int:
    """The power of two ``-k`` that brings the numeric columns into a range
    where squared distances cannot overflow; 0 when they already are.

    All numeric columns are scaled alike, so neighbours, SMOTENC's median-std
    penalty and the interpolations are imbalanced-learn's on the raw values:
    multiplying by a power of two is exact in floating point.
    """
    numeric = np.flatnonzero(~mask)
    if not len(numeric):
        return 0
    values = np.abs(table[:, numeric].astype(np.float64))
    # A difference is at most twice the magnitude; SMOTENC's penalty stays
    # below that too. Twice again for safety.
    limit = np.sqrt(_MAX_SQUARED_DISTANCE / len(numeric)) / 4.0
    top = float(values.max()) if values.size else 0.0
    if top <= limit:
        return 0
    k = int(np.ceil(np.log2(top / limit)))
    smallest = np.where(values > 0, values, np.inf).min(axis=0)
    if float(smallest.min()) * 2.0**-k < _MIN_NORMAL:
        ends = (values.max(axis=0) > limit) | (smallest * 2.0**-k < _MIN_NORMAL)
        spread = [names[j] for j, end in zip(numeric, ends, strict=True) if end]
        raise ValueError(
            f"Numeric columns {spread} span magnitudes from {smallest.min():.3g} to "
            f"{top:.3g}; SMOTE's nearest-neighbour search squares the distances "
            "between rows, and no common rescaling keeps both ends within float64. "
            "Rescale or log-transform the largest columns before resampling with "
            "SMOTE, or use one of the neural samplers."
        )
    return -k


def _rescaled(table: np.ndarray, mask: np.ndarray, exponent: int) -> np.ndarray:
    """``table`` with its numeric columns times ``2 ** exponent`` (exactly)."""
    out = table.copy()
    for j in np.flatnonzero(~mask):
        out[:, j] = np.ldexp(table[:, j].astype(np.float64), exponent)
    return out


SMOTEOverSampler.__doc__ = fill_doc(SMOTEOverSampler.__doc__)
