"""Thread safety: samplers used from several threads give the serial rows.

joblib's threading backend and Dask's threaded scheduler run fits and
``sample`` calls side by side in one process, so nothing a sampler does may
depend on global state another thread changes (matmul precision, the device
of a shared module, global random states).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import torch
from joblib import Parallel, delayed

from ldm_oversample.diffusion.runner import matmul_precision

from .conftest import FAST, make_fast, make_mixed_frame

SAMPLERS = sorted(FAST)


@pytest.fixture(scope="module")
def data():
    return make_mixed_frame(160)


@pytest.mark.parametrize("name", SAMPLERS)
def test_threads_sampling_one_fitted_sampler_match_serial(name, data):
    X, y = data
    sampler = make_fast(name).fit(X, y)
    seeds = list(range(8))
    serial = [sampler.sample(50, random_state=s) for s in seeds]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda s: sampler.sample(50, random_state=s), seeds))
    for a, b in zip(serial, threaded, strict=True):
        pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("name", SAMPLERS)
def test_fits_in_threads_match_serial_fits(name, data):
    X, y = data

    def run(seed):
        return make_fast(name, random_state=seed).fit_resample(X, y)[0]

    serial = [run(s) for s in range(4)]
    threaded = Parallel(n_jobs=4, backend="threading")(
        delayed(run)(s) for s in range(4)
    )
    for a, b in zip(serial, threaded, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_tf32_blocks_restore_the_callers_precision_when_they_overlap():
    """Two overlapping tf32 blocks (two threads on a GPU) must leave the
    caller's setting as it was, whichever block ends first."""
    before = torch.get_float32_matmul_precision()
    first, second = matmul_precision("tf32"), matmul_precision("tf32")
    first.__enter__()
    second.__enter__()
    assert torch.get_float32_matmul_precision() == "high"
    first.__exit__(None, None, None)  # the first to enter leaves first
    assert torch.get_float32_matmul_precision() == "high"  # second still runs
    second.__exit__(None, None, None)
    assert torch.get_float32_matmul_precision() == before


def test_concurrent_moves_of_a_shared_module_are_serialised():
    """A module shared by threads is moved once, under a lock."""
    from ldm_oversample.utils import module_on

    net = torch.nn.Linear(3, 2).double()
    device = torch.device("cpu")
    with ThreadPoolExecutor(4) as pool:
        moved = list(pool.map(lambda _: module_on(net, device), range(8)))
    assert all(m is net for m in moved)
    assert np.isfinite(net.weight.detach().numpy()).all()
