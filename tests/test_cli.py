"""The ``ldm-oversample`` command line."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

from ldm_oversample import __version__
from ldm_oversample.cli import main


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
    out = capsys.readouterr().out
    assert "Class counts before: {'attack': 15, 'benign': 285}" in out
    assert "Class counts after:  {'attack': 285, 'benign': 285}" in out
    assert "numeric KS (mean)" in out and "real vs real" in out


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
