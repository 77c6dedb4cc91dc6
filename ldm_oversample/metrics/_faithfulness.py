"""Class faithfulness and point masses: do synthetic rows look like their class?

Marginal metrics compare a class's synthetic rows with its real rows and miss
what a downstream classifier cares about: whether the rows sit where that
class lives *relative to the other classes*. :class:`ClassFaithfulness` asks a
classifier cross-fitted on the real rows; :func:`zero_rate_gaps` checks the
share of exact zeros, the shape of most IDS counters and flags.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted

__all__ = ["ClassFaithfulness", "class_faithfulness", "zero_rate_gaps"]


class ClassFaithfulness(BaseEstimator):
    """Mean P(class) that classifiers trained on real rows give to new rows.

    ``fit`` trains one classifier per fold of a stratified K-fold split of the
    real rows and keeps, per class, the mean out-of-fold probability that real
    rows of that class get (:attr:`real_`). :meth:`score` gives the same
    figure for synthetic rows, averaged over the fold classifiers, so real and
    synthetic rows are judged by the same models, neither of which saw them.
    Synthetic rows as faithful as the real ones score about :attr:`real_`;
    rows that drift towards another class score lower.

    Parameters
    ----------
    estimator : classifier, optional
        Any scikit-learn classifier with ``predict_proba``; default a
        ``RandomForestClassifier(n_estimators=100)``.
    cv : int, default=5
        Folds, capped at the rows of the smallest class.
    random_state : int or None, default=None
        Seed of the folds and of the default classifier.

    Attributes
    ----------
    classes_ : ndarray
        Classes seen in ``fit``.
    real_ : dict
        Class label to the mean out-of-fold P(class) of its real rows.
    estimators_ : list of classifiers
        One fitted classifier per fold.
    """

    def __init__(
        self, estimator: Any = None, cv: int = 5, random_state: int | None = None
    ) -> None:
        self.estimator = estimator
        self.cv = cv
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> ClassFaithfulness:
        """Cross-fit the classifiers on the real rows ``X, y``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Real rows, numeric (encode categorical columns first).
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : ClassFaithfulness
        """
        y = np.asarray(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2 or counts.min() < 2:
            raise ValueError(
                "class faithfulness needs at least two classes of at least two "
                f"rows each; got counts {dict(zip(self.classes_, counts, strict=True))}"
            )
        base = self.estimator or RandomForestClassifier(
            n_estimators=100, random_state=self.random_state
        )
        folds = StratifiedKFold(
            min(self.cv, int(counts.min())),
            shuffle=True,
            random_state=self.random_state,
        )
        rows = _rows(X)
        oof = np.zeros(len(y))
        self.estimators_ = []
        for train, test in folds.split(rows(None), y):
            model = clone(base).fit(rows(train), y[train])
            proba = model.predict_proba(rows(test))
            column = np.searchsorted(model.classes_, y[test])
            oof[test] = proba[np.arange(len(test)), column]
            self.estimators_.append(model)
        self.real_ = {c: float(oof[y == c].mean()) for c in self.classes_}
        return self

    def score(self, X: Any, label: Any) -> float:
        """Mean P(``label``) of the rows ``X``, over the fold classifiers.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Synthetic rows of class ``label``.
        label : object
            A class seen in ``fit``.

        Returns
        -------
        faithfulness : float
            In [0, 1]; compare it with ``real_[label]``.
        """
        check_is_fitted(self, "real_")
        if label not in self.real_:
            raise ValueError(f"label {label!r} was not seen in fit")
        if len(X) == 0:
            return float("nan")
        total = 0.0
        for model in self.estimators_:
            column = int(np.searchsorted(model.classes_, label))
            total += float(model.predict_proba(X)[:, column].mean())
        return total / len(self.estimators_)


def class_faithfulness(
    X_real: Any,
    y_real: Any,
    X_synthetic: Any,
    y_synthetic: Any,
    *,
    estimator: Any = None,
    cv: int = 5,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Per class: mean P(class) of real rows (out of fold) and of synthetic rows.

    Parameters
    ----------
    X_real, y_real : DataFrame or array-like, and array-like
        Real rows of every class (numeric columns).
    X_synthetic, y_synthetic : DataFrame or array-like, and array-like
        Synthetic rows and the classes they were generated for.
    estimator, cv, random_state
        As :class:`ClassFaithfulness`.

    Returns
    -------
    table : DataFrame
        Indexed by the synthetic rows' classes, columns ``real``,
        ``synthetic`` and ``gap`` (synthetic minus real; near 0 is faithful,
        negative means the rows lean towards other classes).
    """
    scorer = ClassFaithfulness(estimator, cv, random_state).fit(X_real, y_real)
    y_synthetic = np.asarray(y_synthetic)
    rows = _rows(X_synthetic)
    records = {}
    for label in pd.unique(y_synthetic):
        synthetic = scorer.score(rows(np.flatnonzero(y_synthetic == label)), label)
        real = scorer.real_[label]
        records[label] = {"real": real, "synthetic": synthetic, "gap": synthetic - real}
    return pd.DataFrame.from_dict(records, orient="index")


def zero_rate_gaps(
    real: pd.DataFrame, synthetic: pd.DataFrame, min_share: float = 0.5
) -> pd.Series:
    """Share of exact zeros, synthetic minus real, for the mostly-zero columns.

    Parameters
    ----------
    real, synthetic : DataFrame
        Rows of one class, same columns.
    min_share : float, default=0.5
        A numeric column counts as mostly zero when at least this share of the
        real rows is exactly 0 (and not every row is).

    Returns
    -------
    gaps : Series
        Indexed by column, signed: positive means too many zeros.
    """
    numeric = real.select_dtypes("number").columns
    real_share = (real[numeric] == 0).mean()
    columns = real_share[(real_share >= min_share) & (real_share < 1)].index
    synthetic_share = (synthetic[columns] == 0).mean()
    return (synthetic_share - real_share[columns]).astype(float)


def _rows(X: Any):
    """``rows(idx)``: the rows ``idx`` of ``X`` (all of them for None)."""
    if isinstance(X, pd.DataFrame):
        return lambda idx: X if idx is None else X.iloc[idx]
    array = np.asarray(X)
    return lambda idx: array if idx is None else array[idx]
