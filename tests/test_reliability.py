"""Determinism across processes, and recovery from failures during fit and sampling.

Same seed, same bytes in two fresh interpreters; a diverging loss stops with a
clear error; CUDA running out of memory halves the chunk and retries; an
interrupted fit leaves the sampler unfitted.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ldm_oversample.over_sampling import _diffusion, ctgan
from ldm_oversample.training import TrainingDivergedError

from .conftest import FAST, TORCH_SAMPLERS, make_fast

ROOT = Path(__file__).resolve().parents[1]

_HASH_SCRIPT = """
import hashlib, sys
import pandas as pd
from tests.conftest import FAST, make_fast, make_mixed_frame

X, y = make_mixed_frame(n=90)
for name in sorted(FAST):
    X_res, y_res = make_fast(name, random_state=int(sys.argv[1])).fit_resample(X, y)
    digest = hashlib.sha256()
    for part in (X_res, y_res):  # exact values, index and dtype of every column
        digest.update(pd.util.hash_pandas_object(part).to_numpy().tobytes())
    digest.update(str(list(X_res.dtypes)).encode())
    print(name, digest.hexdigest())
"""


def _hashes_in_fresh_process(seed: int) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", _HASH_SCRIPT, str(seed)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return dict(line.split() for line in out.stdout.strip().splitlines())


@pytest.mark.slow
def test_same_seed_same_bytes_in_two_processes():
    first = _hashes_in_fresh_process(3)
    second = _hashes_in_fresh_process(3)
    other = _hashes_in_fresh_process(4)
    assert sorted(first) == sorted(FAST)
    assert first == second
    assert all(first[name] != other[name] for name in first)


# ------------------------------------------------------------- divergence
@pytest.mark.parametrize("name", TORCH_SAMPLERS)
def test_huge_learning_rate_stops_with_a_clear_error(name, multiclass):
    X, y = multiclass
    rates = (
        dict(generator_lr=1e30, discriminator_lr=1e30)
        if name == "CTGANOverSampler"
        else dict(learning_rate=1e30)
    )
    sampler = make_fast(name, max_epochs=5, **rates)
    with pytest.raises(TrainingDivergedError, match="lower") as info:
        sampler.fit(X, y)
    assert isinstance(info.value, ValueError)
    assert "learning_rate" in str(info.value) or "learning rates" in str(info.value)
    with pytest.raises(NotFittedError):
        check_is_fitted(sampler)


# ------------------------------------------------------------ out of memory
@pytest.mark.parametrize("name", TORCH_SAMPLERS)
def test_out_of_memory_halves_the_chunk_and_retries(name, monkeypatch, multiclass):
    X, y = multiclass
    sampler = make_fast(name).fit(X, y)
    expected_rows = sampler.sample(50, 2, random_state=1)
    monkeypatch.setattr(type(sampler), "_generation_chunk_size", 32)
    calls = []
    original = type(sampler)._row_source

    def row_source(self, class_index):
        source = original(self, class_index)

        def limited(n_samples, generator):
            calls.append(n_samples)
            if n_samples > 8:
                # What CUDA raises; subclasses RuntimeError.
                raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
            return source.draw(n_samples, generator)

        return source._replace(draw=limited)

    monkeypatch.setattr(type(sampler), "_row_source", row_source)
    with pytest.warns(UserWarning, match="retrying with chunks of 16") as record:
        rows = sampler.sample(50, 2, random_state=1)
    assert any("retrying with chunks of 8" in str(w.message) for w in record)
    assert calls == [32, 16, 8, 8, 8, 8, 8, 8, 2]
    assert rows.shape == expected_rows.shape and np.isfinite(rows).all()
    # The first 8 rows come from the same random state as a plain 8-row call.
    monkeypatch.setattr(type(sampler), "_generation_chunk_size", 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(sampler.sample(50, 2, random_state=1), rows)


def test_out_of_memory_at_one_row_is_raised(monkeypatch, multiclass):
    X, y = multiclass
    sampler = make_fast("LDMOverSampler").fit(X, y)

    original = type(sampler)._row_source

    def row_source(self, class_index):
        def failing(n_samples, generator):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")

        return original(self, class_index)._replace(draw=failing)

    monkeypatch.setattr(type(sampler), "_generation_chunk_size", 4)
    monkeypatch.setattr(type(sampler), "_row_source", row_source)
    with (
        pytest.warns(UserWarning, match="chunks of 1 rows"),
        pytest.raises(torch.cuda.OutOfMemoryError, match="simulated"),
    ):
        sampler.sample(10, 2)


# --------------------------------------------------------------- interrupts
def _interrupt_on_call(module, name, monkeypatch, when: int):
    """Make ``module.name`` raise KeyboardInterrupt on its ``when``-th call."""
    original = getattr(module, name)
    count = [0]

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        count[0] += 1
        if count[0] == when:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return count


@pytest.mark.parametrize("refit", [False, True], ids=["fresh", "refit"])
@pytest.mark.parametrize("name", sorted(FAST))
def test_keyboard_interrupt_during_fit_leaves_sampler_unfitted(
    name, refit, monkeypatch, multiclass
):
    X, y = multiclass
    sampler = make_fast(name)
    if refit:
        sampler.fit(X, y)
        assert any(k.endswith("_") for k in vars(sampler))
    if name == "SMOTEOverSampler":
        from ldm_oversample.over_sampling import smote

        count = _interrupt_on_call(smote, "_working_table", monkeypatch, 1)
    elif name == "CTGANOverSampler":
        count = _interrupt_on_call(ctgan, "train_module", monkeypatch, 1)
    else:
        # The LDM's second network (after the autoencoder finished): the
        # moment where a half-fitted sampler would be most likely.
        when = 2 if name == "LDMOverSampler" else 1
        count = _interrupt_on_call(_diffusion, "train_module", monkeypatch, when)
    method = sampler.fit_resample if refit else sampler.fit
    with pytest.raises(KeyboardInterrupt):
        method(X, y)
    assert count[0] >= 1
    leftovers = [k for k in vars(sampler) if k.endswith("_")]
    assert leftovers == []
    assert not hasattr(sampler, "_X_fit")
    with pytest.raises(NotFittedError):
        sampler.sample(5)
    monkeypatch.undo()
    X_res, _ = sampler.fit_resample(X, y)  # still usable afterwards
    assert len(X_res) > len(X)
