"""CleanedOverSampler: over-sampling then cleaning, as SMOTEENN and SMOTETomek."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import EditedNearestNeighbours, RandomUnderSampler
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from ldm_oversample import CleanedOverSampler, LDMOverSampler, SMOTEOverSampler

from .conftest import FAST_LDM, make_mixed_frame


@pytest.fixture(scope="module")
def overlapping():
    # Overlapping classes, so ENN and Tomek links have rows to remove.
    return make_classification(
        n_samples=400,
        n_features=5,
        n_informative=3,
        weights=[0.85],
        class_sep=0.6,
        flip_y=0.05,
        random_state=3,
    )


@pytest.mark.parametrize(
    ("cleaner", "combine"), [("enn", SMOTEENN), ("tomek", SMOTETomek)]
)
def test_our_smote_inside_gives_imblearns_result(overlapping, cleaner, combine):
    X, y = overlapping
    combo = CleanedOverSampler(SMOTEOverSampler(random_state=0), cleaner=cleaner)
    X_res, y_res = combo.fit_resample(X, y)
    # imbalanced-learn's own SMOTEENN / SMOTETomek code with our SMOTE inside:
    # _fit_resample skips only the parameter check that refuses a non-SMOTE.
    reference = combine(smote=SMOTEOverSampler(random_state=0))
    X_ref, y_ref = reference._fit_resample(X, y)
    # Something was generated and something was cleaned away.
    assert len(y) < len(y_res) < len(combo.sampler_.synthetic_mask_)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)


@pytest.mark.parametrize(
    ("cleaner", "combine"), [("enn", SMOTEENN), ("tomek", SMOTETomek)]
)
def test_imblearns_smote_inside_gives_smoteenn_and_smotetomek(
    overlapping, cleaner, combine
):
    X, y = overlapping
    X_res, y_res = CleanedOverSampler(
        SMOTE(random_state=0), cleaner=cleaner
    ).fit_resample(X, y)
    X_ref, y_ref = combine(smote=SMOTE(random_state=0)).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)


def test_synthetic_mask_follows_the_kept_rows(overlapping):
    X, y = overlapping
    combo = CleanedOverSampler(SMOTEOverSampler(random_state=1))
    X_res, _ = combo.fit_resample(X, y)
    over_mask = combo.sampler_.synthetic_mask_
    np.testing.assert_array_equal(
        combo.synthetic_mask_, over_mask[combo.sample_indices_]
    )
    originals = {tuple(row) for row in X}
    marked = [tuple(row) in originals for row in X_res]
    np.testing.assert_array_equal(~combo.synthetic_mask_, marked)
    assert combo.synthetic_mask_.any() and (~combo.synthetic_mask_).any()


def test_an_imblearn_over_sampler_without_a_mask_is_marked_by_position(overlapping):
    X, y = overlapping
    combo = CleanedOverSampler(RandomOverSampler(random_state=0))
    combo.fit_resample(X, y)
    n_over = len(combo.sampler_.sample_indices_)
    expected = (np.arange(n_over) >= len(y))[combo.sample_indices_]
    np.testing.assert_array_equal(combo.synthetic_mask_, expected)


def test_a_given_cleaner_is_cloned_and_used(overlapping):
    X, y = overlapping
    enn = EditedNearestNeighbours(sampling_strategy="majority", n_neighbors=5)
    combo = CleanedOverSampler(SMOTEOverSampler(random_state=0), cleaner=enn)
    _, y_res = combo.fit_resample(X, y)
    assert combo.cleaner_ is not enn and not hasattr(enn, "sample_indices_")
    X_over, y_over = SMOTEOverSampler(random_state=0).fit_resample(X, y)
    _, y_ref = EditedNearestNeighbours(
        sampling_strategy="majority", n_neighbors=5
    ).fit_resample(X_over, y_over)
    np.testing.assert_array_equal(y_res, y_ref)
    # Only the majority class was cleaned.
    assert (y_res == 1).sum() == (y_over == 1).sum()


def test_an_over_sampler_is_refused_as_cleaner(overlapping):
    X, y = overlapping
    combo = CleanedOverSampler(SMOTEOverSampler(), cleaner=SMOTE())
    with pytest.raises(ValueError, match="cleaner must be 'enn', 'tomek' or"):
        combo.fit_resample(X, y)


def test_mixed_dataframe_with_the_ldm_keeps_container_and_dtypes():
    X, y = make_mixed_frame(200)
    X.index = X.index + 1000
    combo = CleanedOverSampler(
        LDMOverSampler(random_state=0, **FAST_LDM), cleaner="tomek"
    )
    X_res, y_res = combo.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert (X_res.dtypes == X.dtypes).all()
    assert list(X_res.index) == list(range(len(X_res)))
    assert len(X_res) == len(y_res) == len(combo.synthetic_mask_)
    assert combo.synthetic_mask_.sum() > 0
    # The kept rows are the sampler's own rows (not the cleaner's encoding),
    # in the cleaner's order.
    X_over, _ = LDMOverSampler(random_state=0, **FAST_LDM).fit_resample(X, y)
    expected = X_over.iloc[combo.sample_indices_].reset_index(drop=True)
    pd.testing.assert_frame_equal(X_res, expected)


def test_distances_one_hot_the_categorical_columns():
    X, _ = make_mixed_frame(50)
    view = CleanedOverSampler._distance_view(X, SMOTEOverSampler())
    # rate, size and ratio32 raw; proto and service (3 values each) and the
    # boolean syn (2) one-hot.
    assert view.shape == (50, 3 + 3 + 3 + 2)
    np.testing.assert_array_equal(view[:, 0], X["rate"].to_numpy())
    np.testing.assert_array_equal(view[:, 1], X["size"].to_numpy())
    assert set(np.unique(view[:, 3:])) <= {0.0, 1.0}
    np.testing.assert_array_equal(view[:, 3:].sum(axis=1), np.full(50, 3.0))


def test_in_a_pipeline_and_a_grid_search(overlapping):
    X, y = overlapping
    pipe = Pipeline(
        [
            ("balance", CleanedOverSampler(SMOTEOverSampler(random_state=0))),
            ("model", LogisticRegression()),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"balance__cleaner": ["enn", "tomek"], "balance__sampler__k_neighbors": [3]},
        cv=2,
        scoring="f1",
    ).fit(X, y)
    assert search.best_params_["balance__sampler__k_neighbors"] == 3
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_default_sampler_is_the_ldm(overlapping, monkeypatch):
    import ldm_oversample.combine as combine

    built = []

    def fast_ldm():  # the default LDM, with the test suite's tiny settings
        built.append(LDMOverSampler(random_state=0, **FAST_LDM))
        return built[-1]

    monkeypatch.setattr(combine, "LDMOverSampler", fast_ldm)
    X, y = overlapping
    combo = CleanedOverSampler(cleaner=RandomUnderSampler(random_state=0))
    _, y_res = combo.fit_resample(X, y)
    assert combo.sampler_ is built[0]
    # An under-sampler as cleaner: the over-sampled classes are cut level.
    counts = np.unique(y_res, return_counts=True)[1]
    assert counts[0] == counts[1] == (y == 0).sum()


def test_invalid_parameters_are_named():
    X, y = make_mixed_frame(60)
    with pytest.raises(ValueError, match="'cleaner' parameter"):
        CleanedOverSampler(SMOTEOverSampler(), cleaner="knn").fit_resample(X, y)
    with pytest.raises(ValueError, match="max_epochs"):
        # The nested sampler is validated as usual.
        CleanedOverSampler(LDMOverSampler(max_epochs=0)).fit_resample(X, y)
