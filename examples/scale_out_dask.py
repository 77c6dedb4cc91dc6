"""Run the GridSearchCV of ``grid_search.py`` on a Dask cluster, and check it matches.

The grid search over ``LDMOverSampler`` parameters from ``grid_search.py`` is
fitted twice with the same seeds:

1. locally, one fit after another (joblib's default backend, ``n_jobs=None``);
2. on a Dask cluster, through joblib's Dask backend:

       with joblib.parallel_backend("dask"):
           search.fit(X, y)            # GridSearchCV(..., n_jobs=-1)

   Every (candidate, fold) fit becomes a Dask task on a worker process.

It then compares ``cv_results_["mean_test_f1"]`` and ``best_params_`` of the two
runs and prints whether they match exactly (the script exits with status 1
if they do not), and repeats the fold check of ``grid_search.py`` on the
folds the workers ran: their test folds held only original rows.

Ray's joblib backend (``ray.util.joblib.register_ray``) is tried the same way
only if ``import ray`` works; otherwise the script says it was skipped.

Reproducibility
---------------
Each LDM, classifier and CV split has a fixed ``random_state``, so a fit
gives the same model in any process. Torch's CPU kernels may sum in a
different order with a different number of threads, though, which can change
the last bits of the weights and, rarely, a prediction. Dask's workers run one
torch thread each (the nanny sets ``OMP_NUM_THREADS=1``;
``client.run(_one_torch_thread)`` makes sure on any cluster), so the local
run here uses one thread too.

A multi-node cluster
--------------------
Start a scheduler on one machine and workers on the others (the same Python
environment everywhere: the same versions of ldm_oversample, torch,
scikit-learn and imbalanced-learn):

    dask scheduler                                     # listens on :8786
    dask worker tcp://scheduler:8786 --nworkers 4 --nthreads 1

and connect to it instead of starting a ``LocalCluster``:

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    client.run(_one_torch_thread)
    with joblib.parallel_backend("dask"):
        search.fit(X, y)

Code the workers must run, but cannot import (the classifier step and scorer
defined in ``grid_search.py``), is sent by value here with
``cloudpickle.register_pickle_by_value(grid_search)``; installing it as a
package on every node works too. With GPU workers, give each worker one GPU
(``CUDA_VISIBLE_DEVICES``) and keep ``device="auto"``.

Spreading a per-class fit
-------------------------
One ``LDMOverSampler`` fit trains a single class-conditional model on all
classes, in one task. With many classes to over-sample, the work can be split
by class instead: fit one sampler per minority class on that class plus the
majority rows, as separate tasks, and concatenate what they generate:

    def fit_one_class(X, y, label, n_new, majority):
        rows = (y == label) | (y == majority)
        sampler = LDMOverSampler(random_state=0).fit(X[rows], y[rows])
        return sampler.sample(n_new, class_label=label)

    futures = [
        client.submit(fit_one_class, X_f, y_f, c, n, "Benign")
        for c, n in new_rows.items()        # X_f, y_f = client.scatter(...)
    ]
    X_new = pd.concat(client.gather(futures), ignore_index=True)

Each model then sees fewer rows (no shared autoencoder across the minority
classes), which trades some quality on the scarcest classes for parallelism.

Environment variables
---------------------
LDM_EXAMPLE_EPOCHS : int, default=30
    Training epochs of each LDM (the test suite uses 2).

Runs in about two minutes on a 2-core CPU (the grid is fitted twice).
"""

from __future__ import annotations

import sys
import time

import cloudpickle

# grid_search.py, the sibling example (its folder is on sys.path when run).
import grid_search
import joblib
import numpy as np
import torch
from dask.distributed import Client, LocalCluster


def _one_torch_thread():
    """Run torch on one CPU thread in this process.

    Returns
    -------
    int
        The number of torch threads now in use.
    """
    torch.set_num_threads(1)
    return torch.get_num_threads()


def fit_search(X, y, n_jobs=None):
    """Fit a fresh grid search from ``grid_search.py`` and time it.

    Parameters
    ----------
    X, y : DataFrame and Series
        The table to search on.
    n_jobs : int or None, default=None
        Parallel fits of the active joblib backend.

    Returns
    -------
    search : fitted GridSearchCV
    seconds : float
        Wall-clock time of the fit.
    """
    start = time.perf_counter()
    search = grid_search.make_search(X, n_jobs=n_jobs).fit(X, y)
    return search, time.perf_counter() - start


def compare(name, search, reference):
    """Print whether ``search`` gives exactly the scores of ``reference``.

    Parameters
    ----------
    name : str
        The backend, for the printed line.
    search, reference : fitted GridSearchCV

    Returns
    -------
    bool
        True if the mean test scores are identical and the best parameters
        are the same.
    """
    a = search.cv_results_["mean_test_f1"]
    b = reference.cv_results_["mean_test_f1"]
    same = bool(np.array_equal(a, b)) and search.best_params_ == reference.best_params_
    print(f"{name} mean_test_f1: {np.round(a, 4).tolist()}")
    print(
        f"{name} vs local: mean test scores and best params "
        f"{'match' if same else 'DIFFER'} (max |diff| = {np.max(np.abs(a - b)):.2g})"
    )
    return same


def try_ray(X, y, reference):
    """Fit the search through Ray's joblib backend, if Ray is installed.

    Parameters
    ----------
    X, y : DataFrame and Series
    reference : fitted GridSearchCV
        The local run to compare with.

    Returns
    -------
    bool or None
        Whether the results matched, or None if Ray is not installed.
    """
    try:
        import ray
        from ray.util.joblib import register_ray
    except ImportError:
        print("Ray: skipped (ray is not installed; `pip install ray` to try it)")
        return None
    register_ray()
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        ray.get([ray.remote(_one_torch_thread).remote() for _ in range(2)])
        with joblib.parallel_backend("ray"):
            search, seconds = fit_search(X, y, n_jobs=-1)
        print(f"Ray    fit: {seconds:.1f} s")
        return compare("Ray   ", search, reference)
    finally:
        ray.shutdown()


def main():
    """Fit locally, on a Dask LocalCluster and (if installed) on Ray; compare."""
    # Workers that cannot import grid_search (other machines) get it by value.
    cloudpickle.register_pickle_by_value(grid_search)
    X, y = grid_search.make_data()
    print(f"{len(X)} rows, grid {grid_search.PARAM_GRID}, epochs {grid_search.EPOCHS}")

    _one_torch_thread()
    local, seconds = fit_search(X, y)
    print(f"local  fit: {seconds:.1f} s, best params {local.best_params_}")
    scores = np.round(local.cv_results_["mean_test_f1"], 4).tolist()
    print(f"local   mean_test_f1: {scores}")

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        threads = client.run(_one_torch_thread)
        print(f"Dask cluster: {len(threads)} worker processes, 1 thread each")
        with joblib.parallel_backend("dask"):
            dask_search, seconds = fit_search(X, y, n_jobs=-1)
    print(f"Dask   fit: {seconds:.1f} s, best params {dask_search.best_params_}")
    matched = compare("Dask  ", dask_search, local)

    # The workers' folds pass the same check as the local ones.
    grid_search.check_folds(grid_search.fold_table(dask_search))
    print("fold check on the Dask workers: OK (test folds held only original rows)")

    if try_ray(X, y, local) is False:
        matched = False
    if not matched:
        sys.exit(1)


if __name__ == "__main__":
    main()
