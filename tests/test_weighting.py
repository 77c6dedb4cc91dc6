"""SyntheticWeightClassifier: synthetic rows weighted in the downstream fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from ldm_oversample import (
    CleanedOverSampler,
    LDMOverSampler,
    SMOTEOverSampler,
    SyntheticWeightClassifier,
)

from .conftest import FAST_LDM, make_mixed_frame


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=300, n_features=5, weights=[0.85], random_state=0
    )


def _pipeline(weight: float) -> Pipeline:
    return Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "model",
                SyntheticWeightClassifier(
                    SMOTEOverSampler(random_state=0),
                    LogisticRegression(),
                    synthetic_weight=weight,
                ),
            ),
        ]
    )


def test_zero_weight_in_a_pipeline_is_the_fit_on_the_original_rows(data):
    X, y = data
    pipe = _pipeline(0.0).fit(X, y)
    reference = LogisticRegression().fit(StandardScaler().fit_transform(X), y)
    np.testing.assert_allclose(pipe[-1].estimator_.coef_, reference.coef_, rtol=1e-5)
    np.testing.assert_array_equal(
        pipe.predict(X), reference.predict(pipe[0].transform(X))
    )


def test_unit_weight_is_the_plain_imblearn_pipeline(data):
    X, y = data
    ours = _pipeline(1.0).fit(X, y)
    plain = Pipeline(
        [
            ("scale", StandardScaler()),
            ("balance", SMOTEOverSampler(random_state=0)),
            ("model", LogisticRegression()),
        ]
    ).fit(X, y)
    np.testing.assert_allclose(
        ours[-1].estimator_.coef_, plain[-1].coef_, rtol=1e-6, atol=1e-8
    )
    np.testing.assert_allclose(ours.predict_proba(X), plain.predict_proba(X), atol=1e-8)


def test_a_fractional_weight_reaches_the_classifier_row_by_row(data):
    X, y = data
    pipe = _pipeline(0.25).fit(X, y)
    model = pipe[-1]
    mask = model.sampler_.synthetic_mask_
    assert mask.sum() == (y == 0).sum() - (y == 1).sum()
    np.testing.assert_array_equal(model.sample_weight_, np.where(mask, 0.25, 1.0))
    # The known answer: a LogisticRegression fitted on the resampled rows with
    # those weights by hand.
    Xs = pipe[0].transform(X)
    X_res, y_res = SMOTEOverSampler(random_state=0).fit_resample(Xs, y)
    by_hand = LogisticRegression().fit(X_res, y_res, sample_weight=model.sample_weight_)
    np.testing.assert_allclose(model.estimator_.coef_, by_hand.coef_, rtol=1e-6)
    # Between "ignore them" and "trust them fully".
    lo = _pipeline(0.0).fit(X, y)[-1].estimator_.intercept_[0]
    hi = _pipeline(1.0).fit(X, y)[-1].estimator_.intercept_[0]
    assert min(lo, hi) < model.estimator_.intercept_[0] < max(lo, hi)


def test_original_rows_keep_their_own_weights(data):
    X, y = data
    w = np.linspace(0.5, 2.0, len(y))
    model = SyntheticWeightClassifier(
        SMOTEOverSampler(random_state=0), LogisticRegression(), synthetic_weight=0.3
    ).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(model.sample_weight_[: len(y)], w)
    np.testing.assert_array_equal(
        model.sample_weight_[len(y) :], np.full(len(model.sample_weight_) - len(y), 0.3)
    )
    with pytest.raises(ValueError, match="one weight per row of X"):
        model.fit(X, y, sample_weight=w[:-1])


def test_a_cleaning_sampler_cannot_take_original_weights(data):
    X, y = data
    model = SyntheticWeightClassifier(
        CleanedOverSampler(SMOTEOverSampler(random_state=0)), LogisticRegression()
    )
    with pytest.raises(ValueError, match="drops or reorders them"):
        model.fit(X, y, sample_weight=np.ones(len(y)))
    # Without original weights the cleaned rows are weighted by the mask.
    model.set_params(synthetic_weight=0.5).fit(X, y)
    np.testing.assert_array_equal(
        model.sample_weight_, np.where(model.sampler_.synthetic_mask_, 0.5, 1.0)
    )


def test_imblearn_over_sampler_rows_are_marked_by_position(data):
    X, y = data
    model = SyntheticWeightClassifier(
        RandomOverSampler(random_state=0), LogisticRegression(), synthetic_weight=0.0
    ).fit(X, y)
    n_new = (y == 0).sum() - (y == 1).sum()
    assert (model.sample_weight_ == 0).sum() == n_new
    assert (model.sample_weight_[: len(y)] == 1).all()


def test_a_classifier_without_sample_weight(data):
    X, y = data
    knn = SyntheticWeightClassifier(
        SMOTEOverSampler(random_state=0), KNeighborsClassifier()
    )
    assert knn.fit(X, y).predict(X).shape == (len(y),)
    assert not hasattr(knn, "decision_function")
    with pytest.raises(ValueError, match="takes no sample_weight"):
        knn.set_params(synthetic_weight=0.5).fit(X, y)


def test_grid_search_tunes_the_weight_on_a_dataframe():
    X, y = make_mixed_frame(160)
    X = X[["rate", "size", "ratio32"]]
    search = GridSearchCV(
        SyntheticWeightClassifier(
            LDMOverSampler(random_state=0, **FAST_LDM), LogisticRegression()
        ),
        {"synthetic_weight": [0.0, 1.0]},
        cv=2,
        scoring="balanced_accuracy",
    ).fit(X, y)
    assert search.best_params_["synthetic_weight"] in (0.0, 1.0)
    best = search.best_estimator_
    assert list(best.feature_names_in_) == list(X.columns)
    assert set(best.classes_) == {"attack", "benign"}
    proba = best.predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert isinstance(best.sampler_.fit_resample(X, y)[0], pd.DataFrame)


def test_negative_weight_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="synthetic_weight"):
        SyntheticWeightClassifier(
            SMOTEOverSampler(), LogisticRegression(), synthetic_weight=-1
        ).fit(X, y)
