"""Give synthetic rows their own weight in the downstream fit.

imbalanced-learn's ``Pipeline`` passes a sampler's rows to the next step but
no weights: a ``sample_weight`` given to ``Pipeline.fit`` has one entry per
input row, not per resampled row, and no sampler can add one. So the weighting
is a wrapper, :class:`SyntheticWeightClassifier`, which resamples and fits the
classifier in one step, with ``sample_weight`` built from the sampler's
``synthetic_mask_``. It is a classifier, so it goes last in a scikit-learn or
imbalanced-learn ``Pipeline`` and into ``GridSearchCV`` (``synthetic_weight``
can be tuned there like any parameter).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from ._compat import HasMethods, Interval, _fit_context

__all__ = ["SyntheticWeightClassifier"]


def _estimator_has(method: str):
    def check(self: SyntheticWeightClassifier) -> bool:
        return hasattr(getattr(self, "estimator_", self.estimator), method)

    return check


class SyntheticWeightClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Resample with ``sampler``, then fit ``estimator`` with synthetic rows
    weighted by ``synthetic_weight``.

    ``fit(X, y)`` runs ``sampler.fit_resample(X, y)`` on a clone of the
    sampler and fits a clone of ``estimator`` on the result, with
    ``sample_weight`` equal to ``synthetic_weight`` on the rows the sampler
    marks in its ``synthetic_mask_`` and to the given ``sample_weight`` (1 by
    default) on the original rows. ``synthetic_weight=1`` is the plain
    ``Pipeline([..., sampler, estimator])``; ``0`` ignores the synthetic rows;
    values in between trust them less than real rows. Prediction uses only the
    fitted estimator; the sampler runs in ``fit`` alone.

    Parameters
    ----------
    sampler : sampler object
        An over-sampler with ``fit_resample`` (cloned). The package's samplers
        and :class:`~ldm_oversample.CleanedOverSampler` mark their synthetic
        rows with ``synthetic_mask_``; for another sampler the rows after the
        originals are taken as synthetic, as imbalanced-learn's over-samplers
        append them.
    estimator : classifier object
        The downstream classifier (cloned). It must take ``sample_weight`` in
        ``fit`` unless ``synthetic_weight`` is 1 and no ``sample_weight`` is
        given.
    synthetic_weight : float, default=1.0
        Weight of each synthetic row in the classifier's fit (at least 0).

    Attributes
    ----------
    sampler_ : sampler object
        The fitted sampler.
    estimator_ : classifier object
        The fitted classifier.
    classes_ : ndarray of shape (n_classes,)
        The classifier's classes.
    sample_weight_ : ndarray of shape (n_samples_resampled,)
        The weights the classifier was fitted with.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from ldm_oversample import SMOTEOverSampler, SyntheticWeightClassifier
    >>> X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    >>> clf = SyntheticWeightClassifier(
    ...     SMOTEOverSampler(random_state=0), LogisticRegression(), synthetic_weight=0.5
    ... ).fit(X, y)
    >>> sorted(set(clf.sample_weight_.tolist()))
    [0.5, 1.0]
    """

    _parameter_constraints: dict = {
        "sampler": [HasMethods(["fit_resample"])],
        "estimator": [HasMethods(["fit", "predict"])],
        "synthetic_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, sampler: Any, estimator: Any, synthetic_weight: float = 1.0):
        self.sampler = sampler
        self.estimator = estimator
        self.synthetic_weight = synthetic_weight

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        **fit_params: Any,
    ) -> SyntheticWeightClassifier:
        """Resample ``X, y`` and fit the classifier with weighted rows.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the original rows (the synthetic ones get
            ``synthetic_weight``). The sampler must return the original rows
            first and unchanged, as the package's over-samplers do.
        **fit_params : dict
            Passed to the classifier's ``fit``.

        Returns
        -------
        self : SyntheticWeightClassifier
        """
        n_original = np.shape(y)[0]
        sampler = clone(self.sampler)
        X_res, y_res = sampler.fit_resample(X, y)
        synthetic = getattr(sampler, "synthetic_mask_", None)
        if synthetic is None:
            synthetic = np.arange(len(y_res)) >= n_original
        synthetic = np.asarray(synthetic, dtype=bool)
        weights = np.where(synthetic, float(self.synthetic_weight), 1.0)
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if sample_weight.shape != (n_original,):
                raise ValueError(
                    f"sample_weight has shape {sample_weight.shape}; expected "
                    f"({n_original},), one weight per row of X."
                )
            if not np.array_equal(np.flatnonzero(~synthetic), np.arange(n_original)):
                raise ValueError(
                    f"sample_weight needs the original rows first and unchanged, "
                    f"but {type(sampler).__name__} drops or reorders them (a "
                    "cleaning or under-sampling step); weight the rows without it."
                )
            weights[:n_original] = sample_weight
        estimator = clone(self.estimator)
        plain = sample_weight is None and self.synthetic_weight == 1
        if plain and not has_fit_parameter(estimator, "sample_weight"):
            estimator.fit(X_res, y_res, **fit_params)
        elif not has_fit_parameter(estimator, "sample_weight"):
            raise ValueError(
                f"{type(estimator).__name__}.fit takes no sample_weight, so "
                f"synthetic_weight={self.synthetic_weight} cannot be applied; use "
                "a classifier that takes sample weights, or synthetic_weight=1."
            )
        else:
            estimator.fit(X_res, y_res, sample_weight=weights, **fit_params)
        self.sampler_ = sampler
        self.estimator_ = estimator
        self.sample_weight_ = weights
        self.classes_ = estimator.classes_
        self.n_features_in_ = sampler.n_features_in_
        if hasattr(sampler, "feature_names_in_"):
            self.feature_names_in_ = sampler.feature_names_in_
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Class labels from the fitted classifier.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities from the fitted classifier.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Decision scores from the fitted classifier.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags
