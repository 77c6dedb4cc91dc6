"""A grid search over an LDM pipeline gives the same results on a Dask cluster.

Starts a real ``distributed.LocalCluster`` (2 worker processes, 1 thread each)
and fits ``GridSearchCV``, then ``SamplingSearchCV`` (whose jobs are one
generator fit per fold, each sweeping the sampling parameters), through
joblib's Dask backend; the scores and the
best parameters must equal those of the local, sequential run with the same
seeds, to the last bit.
"""

from __future__ import annotations

import distributed
import joblib
import numpy as np
import pytest
import torch
from imblearn.pipeline import Pipeline
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from ldm_oversample.datasets import make_imbalanced_mixed
from ldm_oversample.model_selection import SamplingSearchCV

from .conftest import make_fast


def _one_torch_thread():
    # Torch's CPU kernels may sum in another order with another thread count;
    # the workers run one thread (Dask's nanny sets OMP_NUM_THREADS=1), and so
    # does the local run below.
    torch.set_num_threads(1)
    return torch.get_num_threads()


def _search(n_jobs=None, search=GridSearchCV):
    pipe = Pipeline(
        [
            ("resample", make_fast("LDMOverSampler")),
            ("clf", HistGradientBoostingClassifier(max_iter=20, random_state=0)),
        ]
    )
    return search(
        pipe,
        {"resample__latent_dim": [2, 4], "resample__n_sampling_steps": [2, 5]},
        scoring="f1_macro",
        cv=StratifiedKFold(n_splits=2, shuffle=True, random_state=0),
        n_jobs=n_jobs,
        error_score="raise",
    )


@pytest.mark.slow
@pytest.mark.parametrize("search", [GridSearchCV, SamplingSearchCV])
def test_grid_search_on_dask_matches_local(search):
    X, y = make_imbalanced_mixed(n_samples=300, minority_fraction=0.1, random_state=0)
    threads = torch.get_num_threads()
    _one_torch_thread()
    try:
        local = _search(search=search).fit(X, y)
    finally:
        torch.set_num_threads(threads)

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert client.run(_one_torch_thread) == dict.fromkeys(
            client.scheduler_info()["workers"], 1
        )
        with joblib.parallel_backend("dask"):
            remote = _search(n_jobs=-1, search=search).fit(X, y)
        # The fits ran as tasks on the workers (joblib batches them).
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
        assert sum(executed.values()) > 0

    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert np.isfinite(local.cv_results_["mean_test_score"]).all()
    assert remote.best_params_ == local.best_params_
    assert remote.best_index_ == local.best_index_
