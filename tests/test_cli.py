"""The ``ldm-oversample`` command line."""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib.metadata import version

import pytest

from ldm_oversample import __version__
from ldm_oversample.cli import _build_parser, main

from .conftest import DATA_PATH

#: tqdm's rate suffixes: a progress bar was drawn.
BAR = ("it/s]", "s/it]")


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"ldm-oversample {__version__}"


def test_help_lists_demo(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "demo" in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "usage: ldm-oversample" in capsys.readouterr().out


def test_demo_balances_and_summarises(capsys):
    assert main(["demo", "--rows", "300", "--max-epochs", "2"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "Class counts before: {'attack': 15, 'benign': 285}" in out
    assert "Class counts after:  {'attack': 285, 'benign': 285}" in out
    assert "numeric KS (mean)" in out and "real vs real" in out
    # A person runs the demo: progress shows by default, even under pytest.
    assert any(mark in captured.err for mark in BAR)
    assert "training the autoencoder" in captured.err
    assert "training the latent diffusion" in captured.err


def test_demo_quiet_prints_no_progress(capsys):
    assert main(["demo", "--rows", "300", "--max-epochs", "2", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "Class counts after:" in captured.out


def _subparsers() -> dict:
    parser = _build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("command", ["demo", "benchmark", "resample"])
def test_every_option_has_help_and_help_shows_defaults(command, capsys):
    parser = _subparsers()[command]
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        assert action.help, f"{command} {action.option_strings} has no help text"
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 0)" in text or command == "benchmark"
    if command != "demo":
        assert "(default: auto)" in text  # --device
    if command == "benchmark":
        assert "(default: every family in the data)" in text
        assert "(default: 5)" in text and "--threshold-cv" in text
        assert "(default: 0.02 0.1)" in text
        assert "(default: 5)" in text
        # Fine labels are documented as valid attacks.
        assert "MITM-ArpSpoofing" in text
    assert "(default: None)" not in text


@pytest.mark.parametrize(
    "argv",
    [
        ["resample", "--target", "label", "--out", "OUT", "--sampler", "ldm"],
        ["benchmark", "--samplers", "ldm", "--seeds", "1", "--out", "OUT"],
    ],
    ids=["resample", "benchmark"],
)
def test_sampler_params_typo_is_a_one_line_error(argv, tmp_path, capsys):
    if argv[0] == "resample":
        data = tmp_path / "flows.csv"
        rows = "".join(f"{i},{i % 3},{i % 4 == 0}\n" for i in range(40))
        data.write_text("a,b,label\n" + rows)
        params = '{"max_epoch": 3}'
    else:
        data = DATA_PATH
        params = '{"ldm": {"max_epoch": 3}}'
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in argv]
    code = main([*argv, "--data", str(data), "--sampler-params", params, "--quiet"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "has no parameter 'max_epoch' (did you mean 'max_epochs'?)" in err


@pytest.mark.parametrize("module", ["ldm_oversample", "ldm_oversample.cli"])
def test_entry_points_print_the_installed_version(module):
    result = subprocess.run(
        [sys.executable, "-m", module, "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"ldm-oversample {__version__}"
    # The installed distribution's metadata agrees with the package.
    assert version("ldm_oversample") == __version__
