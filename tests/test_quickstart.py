"""CI runs the README's Quick start word for word (``.ci/run``, ``.ci/quickstart.py``).

A newcomer's first two commands are the README's; if they differ from what CI
runs, CI can stay green while the README fails. These tests pin the link: CI
takes its commands from the README, and those commands install what the suite
needs.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Extras the suite cannot run without: ``test`` (pytest, hypothesis, dask, ...)
#: and ``docs`` (tests/test_docs.py builds the site with mkdocs).
SUITE_EXTRAS = {"test", "docs"}


def _quickstart():
    spec = importlib.util.spec_from_file_location(
        "ci_quickstart", ROOT / ".ci" / "quickstart.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _commands() -> list[str]:
    return _quickstart().quickstart_commands((ROOT / "README.md").read_text())


def test_readme_quickstart_installs_every_extra_the_suite_needs():
    install, _ = _commands()
    installs = re.findall(r'pip install "\.\[([a-z,]+)\]"', install)
    assert len(installs) == 1, install
    extras = set(installs[0].split(","))
    assert extras >= SUITE_EXTRAS, f"the Quick start misses {SUITE_EXTRAS - extras}"
    declared = importlib.metadata.metadata("ldm-oversample").get_all("Provides-Extra")
    assert extras <= set(declared), f"unknown extras {extras - set(declared)}"
    # CPU torch first: an unpinned torch would pull a multi-GB CUDA build.
    assert install.index("torch==") < install.index('pip install ".[')
    assert install.startswith("python3 -m venv .venv && ")


def test_readme_quickstart_test_command_is_pytest_in_the_venv():
    _, test = _commands()
    assert test == ".venv/bin/python -m pytest"


def test_ci_runs_the_readme_commands_and_installs_nothing_else():
    script = (ROOT / ".ci" / "run").read_text()
    code = "\n".join(
        line for line in script.splitlines() if not line.lstrip().startswith("#")
    )
    assert "python3 .ci/quickstart.py 1" in code
    assert "python3 .ci/quickstart.py 2" in code
    assert 'bash -euo pipefail -c "$install_cmd"' in code
    assert 'bash -euo pipefail -c "$test_cmd"' in code
    # torch stays the CPU wheel for every pip call of the run.
    assert 'echo "torch==2.13.0" > "$constraints"' in code
    assert 'export PIP_CONSTRAINT="$constraints"' in code
    # No variant of the install or the test command of its own.
    assert "pip install" not in code
    assert "pytest" not in code


@pytest.mark.parametrize(
    "text, message",
    [
        ("# Title\n\nno section here\n", "no '## Quick start' section"),
        (
            "## Quick start\n\n```bash\necho one\n```\n\n## Next\n\n"
            "```bash\necho outside\n```\n",
            "holds 1",
        ),
    ],
)
def test_quickstart_extraction_refuses_a_changed_readme(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _quickstart().quickstart_commands(text)


def test_quickstart_extraction_keeps_the_blocks_verbatim_and_in_order():
    text = (
        "intro\n\n## Quick start\n\nprose\n\n```bash\na && b\n```\n\nmore\n\n"
        "```bash\nc\n```\n\n```python\nnot bash\n```\n\n## Other\n"
    )
    assert _quickstart().quickstart_commands(text) == ["a && b", "c"]


def _first_example() -> str:
    text = (ROOT / "README.md").read_text()
    return re.search(r"^```python\n(.*?)^```$", text, re.M | re.S).group(1)


@pytest.mark.slow
def test_readme_first_example_runs_and_its_swap_is_exact(capsys):
    code = _first_example()
    was = re.search(r"LDMOverSampler\(random_state=0\)\),  # was: (.+)$", code, re.M)
    assert was, "the example names the imbalanced-learn sampler it replaces"
    exec(compile(code, "README.md", "exec"), {})
    ldm_scores = capsys.readouterr().out
    assert ldm_scores.startswith("[") and ldm_scores.count(".") == 3
    # The commented-out sampler works on the same table, word for word.
    import imblearn.over_sampling

    swapped = code.replace("LDMOverSampler(random_state=0)", was.group(1))
    namespace = {"SMOTENC": imblearn.over_sampling.SMOTENC}
    exec(compile(swapped, "README.md (swapped)", "exec"), namespace)
    assert capsys.readouterr().out.startswith("[")
