"""SMOTEOverSampler: variant choice, SMOTE geometry, k_neighbors handling, dtypes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors

from ldm_oversample import SMOTEOverSampler

from .conftest import make_mixed_frame


@pytest.mark.parametrize(
    ("columns", "variant"),
    [
        (["rate", "size"], "SMOTE"),
        (["rate", "proto"], "SMOTENC"),
        (["proto", "service"], "SMOTEN"),
    ],
)
def test_variant_follows_column_types(columns, variant):
    X, y = make_mixed_frame(200)
    sampler = SMOTEOverSampler(random_state=0).fit(X[columns], y)
    assert sampler.variant_ == variant
    X_res, y_res = sampler.fit_resample(X[columns], y)
    assert (y_res == "attack").sum() == (y_res == "benign").sum()
    assert (X_res.dtypes == X[columns].dtypes).all()


def test_new_rows_lie_between_a_row_and_one_of_its_k_neighbours():
    X, y = make_classification(
        n_samples=200, n_features=4, weights=[0.8], random_state=0
    )
    X_res, _ = SMOTEOverSampler(random_state=0, k_neighbors=3).fit_resample(X, y)
    minority = X[y == 1]
    new = X_res[len(X) :]
    nn = NearestNeighbors(n_neighbors=4).fit(minority)
    _, neighbours = nn.kneighbors(minority)
    for row in new[:50]:
        ok = False
        for i, idx in enumerate(neighbours):
            for j in idx[1:]:
                d = minority[j] - minority[i]
                step = np.dot(row - minority[i], d) / np.dot(d, d)
                if 0 <= step <= 1 and np.allclose(
                    minority[i] + step * d, row, atol=1e-9
                ):
                    ok = True
        assert ok, row


def test_numeric_rows_equal_imblearn_smote_for_the_same_seed():
    """On numeric data the new rows are exactly imbalanced-learn's SMOTE output."""
    X, y = make_classification(
        n_samples=400, n_features=5, weights=[0.85], random_state=1
    )
    sampler = SMOTEOverSampler(k_neighbors=4).fit(X, y)
    n_new = int(np.sum(y == 0) - np.sum(y == 1))
    ours = sampler._generate(n_new, 1, torch.Generator().manual_seed(7))
    seed = int(
        torch.randint(0, 2**31 - 1, (1,), generator=torch.Generator().manual_seed(7))
    )
    ref = SMOTE(k_neighbors=4, random_state=seed).fit_resample(X, y)[0][len(X) :]
    np.testing.assert_array_equal(ours, ref)


def test_integers_are_rounded_and_in_range():
    X, y = make_mixed_frame(200)
    X_res, _ = SMOTEOverSampler(random_state=0).fit_resample(X[["size", "rate"]], y)
    new = X_res.iloc[len(X) :]
    assert new["size"].dtype == np.int64
    assert new["size"].between(X["size"].min(), X["size"].max()).all()


def test_small_class_reduces_k_with_a_warning():
    X, y = make_classification(
        n_samples=60, n_features=3, n_redundant=0, random_state=0
    )
    y = np.where(np.arange(60) < 3, 2, y)  # class 2 has 3 rows
    with pytest.warns(UserWarning, match="Class 2 has only 3 rows.*k_neighbors=2"):
        _, y_res = SMOTEOverSampler(random_state=0).fit_resample(X, y)
    assert np.sum(y_res == 2) == np.max(np.bincount(y))


def test_single_row_class_is_a_clear_error():
    X, y = make_classification(
        n_samples=60, n_features=3, n_redundant=0, random_state=0
    )
    y = np.where(np.arange(60) == 0, 2, y)
    with pytest.raises(ValueError, match="Class 2 has 1 row"):
        SMOTEOverSampler(random_state=0).fit_resample(X, y)


def test_sample_on_demand_and_reproducible():
    X, y = make_mixed_frame(200)
    sampler = SMOTEOverSampler(random_state=3).fit(X, y)
    a = sampler.sample(40, class_label="attack")
    b = sampler.sample(40, class_label="attack")
    assert isinstance(a, pd.DataFrame) and len(a) == 40
    pd.testing.assert_frame_equal(a, b)
    assert set(a["proto"]) <= set(X.loc[y == "attack", "proto"])


def test_common_parameters_are_accepted_and_verbose_reports(capsys):
    X, y = make_classification(n_samples=120, weights=[0.85], random_state=0)
    sampler = SMOTEOverSampler(
        max_epochs=10, batch_size=64, device="cpu", verbose=True, random_state=0
    )
    _, y_res = sampler.fit_resample(X, y)
    out = capsys.readouterr().out
    n_new = len(y_res) - len(y)
    assert n_new > 0
    assert f"SMOTE: {n_new} rows of class 1 from" in out
    assert "k_neighbors=5" in out
    with pytest.raises(ValueError, match="max_epochs"):
        SMOTEOverSampler(max_epochs=0).fit_resample(X, y)


@pytest.mark.parametrize("scale", [1e153, 1e300, 1e306])
def test_huge_values_give_imblearn_rows_on_the_unscaled_table(scale):
    """Values whose squared distances overflow are scaled by a power of two
    for the search and back: the rows are SMOTE's on ``X``, times ``scale``.
    (imbalanced-learn's own SMOTE on ``X * 1e300`` picks wrong neighbours.)"""
    X, y = make_classification(
        n_samples=400, n_features=5, weights=[0.85], random_state=1
    )
    n_new = int(np.sum(y == 0) - np.sum(y == 1))
    sampler = SMOTEOverSampler(k_neighbors=4).fit(X * scale, y)
    ours = sampler._generate(n_new, 1, torch.Generator().manual_seed(7))
    seed = int(
        torch.randint(0, 2**31 - 1, (1,), generator=torch.Generator().manual_seed(7))
    )
    ref = SMOTE(k_neighbors=4, random_state=seed).fit_resample(X, y)[0][len(X) :]
    np.testing.assert_allclose(ours.astype(np.float64), ref * scale, rtol=1e-12)


def test_sparse_term_matrix_stays_sparse_and_non_degenerate():
    """TF-IDF-like rows: SMOTE interpolates documents, so no new one is empty
    (the neural samplers refuse sparse input instead; see test_bad_inputs)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = sp.random(300, 2000, density=0.01, format="csr", random_state=1)
    X = X + sp.csr_matrix((np.ones(300), (np.arange(300), rng.integers(0, 2000, 300))),
                          shape=(300, 2000))  # fmt: skip
    y = (np.arange(300) < 40).astype(int)
    X_res, _ = SMOTEOverSampler(random_state=0).fit_resample(X, y)
    assert sp.issparse(X_res) and X_res.shape == (520, 2000)
    new = X_res[300:]
    assert (new.getnnz(axis=1) > 0).all()
    # Each new row lies on a segment between two real minority documents, so
    # its support is inside the union of theirs: not dense noise.
    assert new.getnnz(axis=1).max() <= 2 * X[:40].getnnz(axis=1).max()
