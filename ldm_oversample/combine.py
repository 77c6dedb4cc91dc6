"""Generation followed by cleaning, as one sampler.

imbalanced-learn's ``SMOTEENN(smote=...)`` and ``SMOTETomek(smote=...)`` take
only a SMOTE instance. :class:`CleanedOverSampler` is their counterpart for
any over-sampler: it runs the sampler's ``fit_resample``, then an
imbalanced-learn cleaning sampler (edited nearest neighbours or Tomek links by
default) on the result, and keeps the rows the cleaner keeps, in the cleaner's
order. With :class:`~ldm_oversample.SMOTEOverSampler` inside, it returns what
imbalanced-learn's own ``SMOTEENN`` and ``SMOTETomek`` code returns for it.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from imblearn.base import BaseSampler
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from numpy.typing import ArrayLike
from sklearn.base import clone

from ._compat import HasMethods, Interval, StrOptions, _fit_context
from .over_sampling import LDMOverSampler
from .tabular import resolve_categorical_features

__all__ = ["CLEANERS", "CleanedOverSampler"]

#: The cleaners by name, built as imbalanced-learn's SMOTEENN and SMOTETomek
#: build theirs: every class is cleaned.
CLEANERS = {"enn": EditedNearestNeighbours, "tomek": TomekLinks}


class CleanedOverSampler(BaseSampler):
    """Over-sample with any sampler, then clean the result (SMOTEENN for all).

    ``fit_resample`` fits a clone of ``sampler`` and resamples ``X, y`` with it,
    then fits ``cleaner`` on the resampled rows and keeps the rows the cleaner
    keeps (its ``sample_indices_``), in its order. That is what
    :class:`imblearn.combine.SMOTEENN` and :class:`imblearn.combine.SMOTETomek`
    do, without their restriction to SMOTE: an LDM, a GAN or any
    imbalanced-learn over-sampler can be cleaned.

    The cleaner measures distances between rows as imbalanced-learn does, on
    the raw numeric values; categorical columns (as ``sampler`` resolves its
    ``categorical_features``) enter one-hot encoded, so mixed-type tables can
    be cleaned. The rows returned are the sampler's own, not this encoding.

    Parameters
    ----------
    sampler : sampler object, default=None
        The over-sampler, cloned before fitting. None is
        ``LDMOverSampler()``. Its parameters are reachable as
        ``sampler__<name>`` (for example in ``GridSearchCV``).
    cleaner : {"enn", "tomek"} or sampler object, default="enn"
        ``"enn"`` is ``EditedNearestNeighbours(sampling_strategy="all")``, as in
        ``SMOTEENN``; ``"tomek"`` is ``TomekLinks(sampling_strategy="all")``, as
        in ``SMOTETomek``. An imbalanced-learn under- or cleaning sampler
        (anything that sets ``sample_indices_``) is cloned and used as given.
    n_jobs : int, default=None
        Parallel jobs of the named cleaners' neighbour searches.

    Attributes
    ----------
    sampler_ : sampler object
        The fitted over-sampler.
    cleaner_ : sampler object
        The fitted cleaner.
    sample_indices_ : ndarray of shape (n_samples_new,)
        Positions, in the over-sampler's output, of the rows returned.
    synthetic_mask_ : ndarray of bool of shape (n_samples_new,)
        True for the returned rows that the over-sampler generated (where it
        says so with its own ``synthetic_mask_``; otherwise the rows after the
        originals, which imbalanced-learn's over-samplers put first).
    sampling_strategy_ : dict
        The over-sampler's: rows generated per class, before cleaning.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    See Also
    --------
    imblearn.combine.SMOTEENN : The same with imbalanced-learn's SMOTE only.
    imblearn.combine.SMOTETomek : The same with Tomek links.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from ldm_oversample import SMOTEOverSampler
    >>> from ldm_oversample.combine import CleanedOverSampler
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> cleaned = CleanedOverSampler(SMOTEOverSampler(random_state=0))
    >>> X_res, y_res = cleaned.fit_resample(X, y)
    >>> bool(cleaned.synthetic_mask_.any()), len(y_res) < 2 * (y == 0).sum()
    (True, True)
    """

    _sampling_type = "over-sampling"

    _parameter_constraints: dict = {
        "sampler": [HasMethods(["fit_resample"]), None],
        "cleaner": [StrOptions(set(CLEANERS)), HasMethods(["fit_resample"])],
        "n_jobs": [Interval(Integral, None, None, closed="neither"), None],
    }

    def __init__(
        self, sampler: Any = None, cleaner: Any = "enn", n_jobs: int | None = None
    ) -> None:
        self.sampler = sampler
        self.cleaner = cleaner
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(
        self, X: ArrayLike, y: ArrayLike, **params: Any
    ) -> tuple[Any, Any]:
        """Over-sample ``X, y`` with ``sampler``, then clean with ``cleaner``.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
            Training rows, in any format ``sampler`` takes.
        y : array-like of shape (n_samples,)
            Class labels.
        **params : dict
            Passed to ``sampler.fit_resample``.

        Returns
        -------
        X_resampled : {ndarray, DataFrame, sparse matrix}
            The kept rows, in the container of the sampler's output (a
            DataFrame gets a fresh ``0..n-1`` index); ``synthetic_mask_`` marks
            the generated ones.
        y_resampled : ndarray or Series
            Their labels.
        """
        return self._fit_resample(X, y, **params)

    def _fit_resample(self, X: Any, y: Any, **params: Any) -> tuple[Any, Any]:
        # The inputs go to the sampler unchecked: it validates them itself,
        # with its own rules (mixed types, sparse matrices).
        sampler = LDMOverSampler() if self.sampler is None else clone(self.sampler)
        cleaner = self._make_cleaner()
        X_over, y_over = sampler.fit_resample(X, y, **params)
        cleaner.fit_resample(self._distance_view(X_over, sampler), y_over)
        keep = np.asarray(cleaner.sample_indices_)
        synthetic = getattr(sampler, "synthetic_mask_", None)
        if synthetic is None:
            synthetic = np.arange(len(y_over)) >= np.shape(y)[0]
        self.sampler_ = sampler
        self.cleaner_ = cleaner
        self.sample_indices_ = keep
        self.synthetic_mask_ = np.asarray(synthetic)[keep]
        self.sampling_strategy_ = getattr(sampler, "sampling_strategy_", None)
        self.n_features_in_ = X_over.shape[1]
        if hasattr(sampler, "feature_names_in_"):
            self.feature_names_in_ = sampler.feature_names_in_
        return _take(X_over, keep), _take(y_over, keep)

    def fit(self, X: ArrayLike, y: ArrayLike, **params: Any) -> CleanedOverSampler:
        """Run :meth:`fit_resample` and keep only the fitted state.

        Parameters
        ----------
        X : {array-like, DataFrame, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **params : dict
            Passed to ``sampler.fit_resample``.

        Returns
        -------
        self : CleanedOverSampler
        """
        self.fit_resample(X, y, **params)
        return self

    def _make_cleaner(self) -> Any:
        if isinstance(self.cleaner, str):
            return CLEANERS[self.cleaner](sampling_strategy="all", n_jobs=self.n_jobs)
        kind = getattr(self.cleaner, "_sampling_type", None)
        if kind not in ("clean-sampling", "under-sampling"):
            raise ValueError(
                "cleaner must be 'enn', 'tomek' or an imbalanced-learn under- or "
                "cleaning sampler (one that keeps a subset of rows and sets "
                f"sample_indices_); got {type(self.cleaner).__name__}, whose "
                f"_sampling_type is {kind!r}."
            )
        return clone(self.cleaner)

    @staticmethod
    def _distance_view(X: Any, sampler: Any) -> Any:
        """The rows as the cleaner's neighbour search sees them: numeric
        columns raw, categorical columns one-hot."""
        if sp.issparse(X):
            return X
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        mask = resolve_categorical_features(
            frame, getattr(sampler, "categorical_features", "auto")
        )
        if not mask.any():
            return frame.to_numpy(dtype=np.float64)
        numeric = frame.iloc[:, np.flatnonzero(~mask)].to_numpy(dtype=np.float64)
        one_hot = pd.get_dummies(
            frame.iloc[:, np.flatnonzero(mask)].astype(str), dtype=np.float64
        ).to_numpy()
        return np.hstack([numeric, one_hot])


def _take(values: Any, rows: np.ndarray) -> Any:
    """``values[rows]`` in its own container; pandas objects get a fresh index."""
    if isinstance(values, (pd.DataFrame, pd.Series)):
        return values.iloc[rows].reset_index(drop=True)
    return values[rows]
