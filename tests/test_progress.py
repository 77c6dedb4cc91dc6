"""Progress bars show where a person is watching, and nowhere else.

``verbose="auto"`` (the default of the neural samplers) draws tqdm bars in a
terminal or a Jupyter notebook, and stays silent under pytest, in CI and when
standard error is a file or a pipe; ``True``/``False`` are obeyed as given.
"""

from __future__ import annotations

import sys
import types

import pytest

from ldm_oversample.utils import progress_enabled

from .conftest import TORCH_SAMPLERS, make_fast, make_mixed_frame

BAR = ("it/s]", "s/it]")


@pytest.fixture
def watch(monkeypatch):
    """Call it to act as a person at a terminal: not pytest, not CI, stderr a
    TTY. Called inside the test, because pytest sets ``PYTEST_CURRENT_TEST``
    again when the test's call phase starts, after its fixtures ran."""

    def apply():
        monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
        return monkeypatch

    return apply


def test_booleans_are_obeyed_anywhere(watch):
    watch()
    assert progress_enabled(True) is True
    assert progress_enabled(False) is False
    assert progress_enabled(1) is True and progress_enabled(0) is False


def test_auto_is_silent_under_pytest():
    assert progress_enabled("auto") is False


def test_auto_shows_at_a_terminal(watch):
    watch()
    assert progress_enabled("auto") is True


@pytest.mark.parametrize("value", ["true", "1", "yes", "True"])
def test_auto_is_silent_in_ci(watch, value):
    watch().setenv("CI", value)
    assert progress_enabled("auto") is False


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_auto_ignores_a_ci_variable_that_says_no(watch, value):
    watch().setenv("CI", value)
    assert progress_enabled("auto") is True


def test_auto_is_silent_when_stderr_is_not_a_terminal(watch):
    watch().setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert progress_enabled("auto") is False


def test_auto_shows_in_a_notebook(watch):
    watched = watch()
    # Jupyter's stderr is no TTY; its shell class says it is a notebook.
    watched.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    shell = type("ZMQInteractiveShell", (), {})()
    fake = types.SimpleNamespace(get_ipython=lambda: shell)
    watched.setitem(sys.modules, "IPython", fake)
    assert progress_enabled("auto") is True
    # A terminal IPython shell is not a notebook.
    terminal = type("TerminalInteractiveShell", (), {})()
    watched.setitem(
        sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: terminal)
    )
    assert progress_enabled("auto") is False


@pytest.mark.parametrize("name", TORCH_SAMPLERS)
def test_default_is_auto(name):
    assert make_fast(name).get_params()["verbose"] == "auto"


@pytest.mark.parametrize("name", TORCH_SAMPLERS)
def test_default_draws_bars_for_a_person_and_none_under_pytest(name, capsys, watch):
    X, y = make_mixed_frame()
    make_fast(name).fit_resample(X, y)
    assert capsys.readouterr().err == ""
    watch()
    make_fast(name).fit_resample(X, y)
    err = capsys.readouterr().err
    assert any(mark in err for mark in BAR) and "training" in err
    # verbose=False passed explicitly stays quiet even for a person.
    make_fast(name, verbose=False).fit_resample(X, y)
    assert capsys.readouterr().err == ""


def test_invalid_verbose_is_refused():
    X, y = make_mixed_frame()
    with pytest.raises(ValueError, match="verbose"):
        make_fast("LDMOverSampler", verbose="loud").fit_resample(X, y)


def test_redraws_are_rare_when_stderr_is_a_file(watch, tmp_path):
    from ldm_oversample.utils import progress_interval

    watch()
    assert progress_interval() == 0.1  # a terminal
    with open(tmp_path / "log.txt", "w") as log:
        watch().setattr(sys, "stderr", log)
        assert progress_interval() == 5.0
