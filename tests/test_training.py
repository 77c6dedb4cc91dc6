"""Tests of the shared training loop ``train_module``."""

from __future__ import annotations

import math

import pytest
import torch

from ldm_oversample.training import TrainingDivergedError, train_module


def _linear(n_in: int = 3, seed: int = 0) -> torch.nn.Linear:
    """A linear layer with a reproducible initialisation."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Linear(n_in, 1)


def _regression(n: int = 128, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn((n, 3), generator=g)
    w = torch.tensor([[1.5], [-2.0], [0.5]])
    y = X @ w + 0.7 + 0.01 * torch.randn((n, 1), generator=g)
    return X, y, w


def _mse_loss(module):
    def loss_fn(xb, yb, generator):
        return torch.mean((module(xb) - yb) ** 2)

    return loss_fn


def _constant_loss(param):
    def loss_fn(xb, generator):
        return (param * 0).sum() + 1.0

    return loss_fn


def test_history_length_without_patience():
    X, y, _ = _regression(64)
    module = _linear()
    history = train_module(
        module,
        _mse_loss(module),
        [X, y],
        max_epochs=7,
        batch_size=16,
        learning_rate=1e-2,
        generator=torch.Generator().manual_seed(0),
    )
    assert len(history) == 7
    assert all(isinstance(h, float) and math.isfinite(h) for h in history)
    assert not module.training  # left in eval mode


@pytest.mark.parametrize("patience", [1, 3, 5])
def test_patience_stops_when_loss_cannot_improve(patience):
    param = torch.nn.Parameter(torch.ones(2))
    module = torch.nn.Module()
    module.p = param
    history = train_module(
        module,
        _constant_loss(param),
        [torch.zeros((20, 1))],
        max_epochs=50,
        batch_size=8,
        learning_rate=1e-2,
        generator=torch.Generator().manual_seed(0),
        patience=patience,
    )
    assert len(history) == patience + 1
    assert history == pytest.approx([1.0] * (patience + 1))


def test_patience_none_runs_all_epochs_on_flat_loss():
    param = torch.nn.Parameter(torch.ones(2))
    module = torch.nn.Module()
    module.p = param
    history = train_module(
        module,
        _constant_loss(param),
        [torch.zeros((10, 1))],
        max_epochs=12,
        batch_size=4,
        learning_rate=1e-2,
        generator=torch.Generator().manual_seed(0),
        patience=None,
    )
    assert len(history) == 12


def test_patience_does_not_stop_improving_training():
    X, y, _ = _regression(64)
    module = _linear()
    history = train_module(
        module,
        _mse_loss(module),
        [X, y],
        max_epochs=15,
        batch_size=16,
        learning_rate=5e-2,
        generator=torch.Generator().manual_seed(0),
        patience=2,
    )
    assert len(history) == 15


def test_nan_loss_raises_diverged_error():
    param = torch.nn.Parameter(torch.ones(1))
    module = torch.nn.Module()
    module.p = param

    def loss_fn(xb, generator):
        return (param * float("nan")).sum()

    with pytest.raises(TrainingDivergedError, match="learning_rate") as info:
        train_module(
            module,
            loss_fn,
            [torch.zeros((8, 1))],
            max_epochs=3,
            batch_size=4,
            learning_rate=3e-3,
            generator=torch.Generator().manual_seed(0),
        )
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, FloatingPointError)
    assert "0.003" in str(info.value)
    assert "epoch 1" in str(info.value)


def test_huge_learning_rate_diverges():
    X, y, _ = _regression(32)
    module = _linear()

    def loss_fn(xb, yb, generator):
        return torch.mean((module(xb) - yb) ** 4)

    with pytest.raises(TrainingDivergedError, match="learning_rate"):
        train_module(
            module,
            loss_fn,
            [X, y],
            max_epochs=20,
            batch_size=8,
            learning_rate=1e30,
            generator=torch.Generator().manual_seed(0),
        )


def _train_regression(seed: int, noisy_loss: bool = False):
    X, y, _ = _regression(64)
    module = _linear()

    def loss_fn(xb, yb, generator):
        pred = module(xb)
        if noisy_loss:  # the loss draws from the generator it is given
            pred = pred + 0.1 * torch.randn(pred.shape, generator=generator)
        return torch.mean((pred - yb) ** 2)

    history = train_module(
        module,
        loss_fn,
        [X, y],
        max_epochs=4,
        batch_size=16,
        learning_rate=1e-2,
        generator=torch.Generator().manual_seed(seed),
    )
    return [p.detach().clone() for p in module.parameters()], history


@pytest.mark.parametrize("noisy_loss", [False, True])
def test_same_seed_same_parameters(noisy_loss):
    params_a, hist_a = _train_regression(0, noisy_loss)
    params_b, hist_b = _train_regression(0, noisy_loss)
    params_c, _ = _train_regression(1, noisy_loss)
    assert hist_a == hist_b
    for a, b in zip(params_a, params_b, strict=True):
        assert torch.equal(a, b)
    assert not all(torch.equal(a, c) for a, c in zip(params_a, params_c, strict=True))


def test_loss_fn_receives_the_generator_and_batches():
    X = torch.arange(10, dtype=torch.float32)[:, None]
    idx = torch.arange(10)
    param = torch.nn.Parameter(torch.zeros(1))
    module = torch.nn.Module()
    module.p = param
    g = torch.Generator().manual_seed(0)
    seen = []

    def loss_fn(xb, ib, generator):
        assert generator is g
        assert torch.equal(xb[:, 0].long(), ib)  # rows stay aligned across tensors
        seen.append(ib.clone())
        return (param * xb.mean()).sum()

    train_module(
        module,
        loss_fn,
        [X, idx],
        max_epochs=3,
        batch_size=4,
        learning_rate=1e-3,
        generator=g,
    )
    # 3 epochs of batches 4, 4, 2; each epoch a permutation of all rows.
    assert [len(b) for b in seen] == [4, 4, 2] * 3
    for epoch in range(3):
        rows = torch.cat(seen[3 * epoch : 3 * epoch + 3])
        assert sorted(rows.tolist()) == list(range(10))
    orders = [torch.cat(seen[3 * e : 3 * e + 3]).tolist() for e in range(3)]
    assert orders[0] != orders[1] or orders[1] != orders[2]  # reshuffled


def test_batch_size_capped_at_rows():
    param = torch.nn.Parameter(torch.zeros(1))
    module = torch.nn.Module()
    module.p = param
    sizes = []

    def loss_fn(xb, generator):
        sizes.append(len(xb))
        return (param * xb.sum()).sum()

    train_module(
        module,
        loss_fn,
        [torch.ones((6, 1))],
        max_epochs=2,
        batch_size=1000,
        learning_rate=1e-3,
        generator=torch.Generator().manual_seed(0),
    )
    assert sizes == [6, 6]


def test_row_weights_only_draw_positive_rows():
    n = 40
    idx = torch.arange(n)
    weights = torch.zeros(n)
    weights[::4] = 1.0  # rows 0, 4, 8, ...
    weights[1] = 3.0
    param = torch.nn.Parameter(torch.zeros(1))
    module = torch.nn.Module()
    module.p = param
    seen = []

    def loss_fn(ib, generator):
        seen.append(ib.clone())
        return (param * ib.float().mean()).sum()

    train_module(
        module,
        loss_fn,
        [idx],
        max_epochs=5,
        batch_size=8,
        learning_rate=1e-3,
        generator=torch.Generator().manual_seed(0),
        row_weights=weights,
    )
    drawn = torch.cat(seen)
    assert len(drawn) == 5 * n  # n draws per epoch
    allowed = set(torch.nonzero(weights > 0).flatten().tolist())
    assert set(drawn.tolist()) <= allowed
    # Drawn with replacement in proportion to the weights: row 1 has 3 / 13 of the
    # mass (46 expected draws of 200), every other allowed row 1 / 13 (15 each).
    counts = torch.bincount(drawn, minlength=n)
    assert counts[1] > 25
    assert len(set(drawn.tolist())) >= len(allowed) - 2


def test_linear_regression_loss_decreases():
    X, y, w = _regression(128)
    module = _linear()
    history = train_module(
        module,
        _mse_loss(module),
        [X, y],
        max_epochs=40,
        batch_size=32,
        learning_rate=5e-2,
        generator=torch.Generator().manual_seed(0),
    )
    assert history[-1] < 0.05 * history[0]
    assert history[-1] < 0.05
    with torch.no_grad():
        torch.testing.assert_close(module.weight, w.T, atol=0.1, rtol=0)
        assert module.bias.item() == pytest.approx(0.7, abs=0.1)


def test_weight_decay_shrinks_parameters():
    param = torch.nn.Parameter(torch.full((3,), 5.0))
    module = torch.nn.Module()
    module.p = param
    train_module(
        module,
        _constant_loss(param),
        [torch.zeros((4, 1))],
        max_epochs=10,
        batch_size=4,
        learning_rate=0.1,
        weight_decay=0.5,
        generator=torch.Generator().manual_seed(0),
    )
    # Zero gradient: only decoupled weight decay acts, p *= (1 - lr * wd) per step.
    expected = 5.0 * (1 - 0.1 * 0.5) ** 10
    assert param.detach().tolist() == pytest.approx([expected] * 3, rel=1e-5)


def test_ema_of_weights_known_answer():
    """Two steps with warm-up decays 1/10 and 2/11 give a known average."""
    X, y, _ = _regression(n=8)
    trajectory = []

    def run(ema_decay):
        module = _linear()
        start = [p.detach().clone() for p in module.parameters()]

        def loss_fn(xb, yb, generator):
            trajectory.append([p.detach().clone() for p in module.parameters()])
            return _mse_loss(module)(xb, yb, generator)

        train_module(
            module,
            loss_fn,
            [X, y],
            max_epochs=2,
            batch_size=8,
            learning_rate=0.1,
            generator=torch.Generator().manual_seed(0),
            ema_decay=ema_decay,
        )
        return start, [p.detach().clone() for p in module.parameters()]

    start, last = run(None)
    trajectory.clear()
    _, averaged = run(0.99)
    after_step1 = trajectory[1]  # parameters seen by the second loss call
    for s, p1, p2, got in zip(start, after_step1, last, averaged, strict=True):
        ema = s.lerp(p1, 1 - 0.1)  # decay min(0.99, 1/10)
        ema = ema.lerp(p2, 1 - 2 / 11)  # decay min(0.99, 2/11)
        torch.testing.assert_close(got, ema)


# ------------------------------------------------------------ update_fn hook
def _module_with_param(value: float = 0.0):
    module = torch.nn.Module()
    module.p = torch.nn.Parameter(torch.full((1,), value))
    return module


def test_update_fn_does_its_own_steps_and_its_losses_are_recorded():
    """The loop draws batches and records; update_fn owns the optimisation."""
    module = _module_with_param()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
    g = torch.Generator().manual_seed(0)
    seen = []

    def update(xb, generator):
        assert generator is g
        seen.append(xb[:, 0].clone())
        optimizer.zero_grad()
        loss = ((module.p - 1.0) ** 2).sum()
        loss.backward()
        optimizer.step()
        return float(len(seen))  # a float is accepted and recorded

    history = train_module(
        module,
        None,
        [torch.arange(10, dtype=torch.float32)[:, None]],
        update_fn=update,
        max_epochs=3,
        batch_size=4,
        generator=g,
    )
    # Batches of 4, 4, 2 per epoch, each epoch a permutation of the rows.
    assert [len(b) for b in seen] == [4, 4, 2] * 3
    assert sorted(torch.cat(seen[:3]).tolist()) == list(range(10))
    # Recorded: the mean of the returned values per epoch.
    assert history == pytest.approx([2.0, 5.0, 8.0])
    # Only update_fn moved the parameter (SGD on (p - 1)^2: p -> 1 in one step).
    assert module.p.item() == pytest.approx(1.0)
    assert not module.training


def test_update_fn_gets_no_optimiser_from_the_loop():
    """Without a loss_fn the loop makes no step: a zero update leaves p alone."""
    module = _module_with_param(3.0)
    train_module(
        module,
        None,
        [torch.zeros((6, 1))],
        update_fn=lambda xb, generator: torch.tensor(0.5),
        max_epochs=2,
        batch_size=2,
        generator=torch.Generator().manual_seed(0),
        weight_decay=0.9,  # ignored with update_fn
    )
    assert module.p.item() == 3.0


@pytest.mark.parametrize("which", ["both", "neither"])
def test_exactly_one_of_loss_fn_and_update_fn(which):
    module = _module_with_param()
    kwargs = dict(max_epochs=1, batch_size=2, learning_rate=1e-3)
    loss_fn = _constant_loss(module.p) if which == "both" else None
    update = (lambda xb, generator: 0.0) if which == "both" else None
    with pytest.raises(ValueError, match="exactly one"):
        train_module(
            module,
            loss_fn,
            [torch.zeros((4, 1))],
            update_fn=update,
            generator=torch.Generator().manual_seed(0),
            **kwargs,
        )


def test_loss_fn_needs_a_learning_rate():
    module = _module_with_param()
    with pytest.raises(ValueError, match="learning_rate"):
        train_module(
            module,
            _constant_loss(module.p),
            [torch.zeros((4, 1))],
            max_epochs=1,
            batch_size=2,
            generator=torch.Generator().manual_seed(0),
        )


def test_update_fn_nan_raises_diverged_error():
    with pytest.raises(TrainingDivergedError, match="critic"):
        train_module(
            _module_with_param(),
            None,
            [torch.zeros((4, 1))],
            update_fn=lambda xb, generator: float("nan"),
            max_epochs=2,
            batch_size=2,
            generator=torch.Generator().manual_seed(0),
            desc="critic",
        )


def test_drop_last_keeps_only_full_batches():
    sizes = []

    def update(xb, generator):
        sizes.append(len(xb))
        return 0.0

    train_module(
        _module_with_param(),
        None,
        [torch.zeros((10, 1))],
        update_fn=update,
        drop_last=True,
        max_epochs=2,
        batch_size=4,
        generator=torch.Generator().manual_seed(0),
    )
    assert sizes == [4, 4, 4, 4]


def test_epoch_size_draws_more_rows_than_exist_with_row_weights():
    """CTGAN's epoch: max(n // batch, 1) full batches drawn with replacement."""
    seen = []

    def update(ib, generator):
        seen.append(ib.clone())
        return 0.0

    weights = torch.tensor([0.0, 1.0, 1.0, 2.0, 0.0, 0.0])
    train_module(
        _module_with_param(),
        None,
        [torch.arange(6)],
        update_fn=update,
        row_weights=weights,
        epoch_size=25,
        drop_last=True,
        max_epochs=3,
        batch_size=10,
        generator=torch.Generator().manual_seed(0),
    )
    assert [len(b) for b in seen] == [10] * 6  # 25 draws -> 2 full batches
    assert set(torch.cat(seen).tolist()) <= {1, 2, 3}
    with pytest.raises(ValueError, match="epoch_size"):
        train_module(
            _module_with_param(),
            None,
            [torch.arange(6)],
            update_fn=update,
            epoch_size=7,  # more than the rows, without row_weights
            max_epochs=1,
            batch_size=2,
            generator=torch.Generator().manual_seed(0),
        )


def test_update_fn_with_patience_and_ema():
    """Early stopping and the EMA work the same with update_fn."""
    module = _module_with_param(0.0)

    def update(xb, generator):
        with torch.no_grad():
            module.p += 1.0
        return 1.0  # flat: stops after patience + 1 epochs

    history = train_module(
        module,
        None,
        [torch.zeros((2, 1))],
        update_fn=update,
        patience=2,
        ema_decay=0.5,
        max_epochs=50,
        batch_size=2,
        generator=torch.Generator().manual_seed(0),
    )
    assert len(history) == 3
    # p went 1, 2, 3; EMA with warm-up decays 1/10, 2/11, 3/12 (all below 0.5).
    ema = 0.0
    for step, value in enumerate([1.0, 2.0, 3.0]):
        decay = min(0.5, (1 + step) / (10 + step))
        ema = decay * ema + (1 - decay) * value
    assert module.p.item() == pytest.approx(ema)


def test_max_steps_stops_inside_an_epoch():
    X, y, _ = _regression(100)
    module = _linear()
    steps = []
    mse = _mse_loss(module)

    def loss_fn(xb, yb, generator):
        steps.append(len(xb))
        return mse(xb, yb, generator)

    history = train_module(
        module,
        loss_fn,
        [X, y],
        max_epochs=50,
        batch_size=10,
        learning_rate=1e-2,
        generator=torch.Generator().manual_seed(0),
        max_steps=25,
    )
    assert len(steps) == 25  # 2 full epochs of 10 batches, then 5 batches
    assert len(history) == 3
    assert not module.training


def test_max_steps_above_the_epochs_changes_nothing():
    X, y, _ = _regression(64)
    runs = []
    for max_steps in (None, 10_000):
        module = _linear()
        runs.append(
            train_module(
                module,
                _mse_loss(module),
                [X, y],
                max_epochs=4,
                batch_size=16,
                learning_rate=1e-2,
                generator=torch.Generator().manual_seed(0),
                max_steps=max_steps,
            )
        )
    assert runs[0] == runs[1]
