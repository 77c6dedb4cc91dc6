"""Every script in examples/ runs (at tiny settings) and prints what it shows."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from .conftest import DATA_PATH

# Each example runs as its own process (about a minute in all).
pytestmark = pytest.mark.slow

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))

#: Lines (substrings of stdout) each example must print, beyond printing at all.
EXPECTED = {
    "swap_smote.py": [
        "=== no resampling ===",
        "=== imblearn SMOTE() ===",
        "=== LDMOverSampler ===",
        "dtypes kept: True",
    ],
    "grid_search.py": ["fold check: OK", "best params:"],
    "compare_samplers.py": ["wrote "],
    "gpu_throughput.py": ["rows/s"],
    "sampling_search.py": ["with 4 LDM fits (GridSearchCV: 25)", "best params:"],
    "quality_report.py": [
        "LDMOverSampler (fit_resample with the report:",
        "dcr_share_closer_to_train",
        "wrote quality_",
    ],
    "clean_and_weight.py": [
        "LDM, then ENN (as SMOTEENN)",
        "ENN removed",
        "weights the forest got (weight: rows): {0.5:",
    ],
    "save_load.py": [
        "identical rows before and after loading (same random_state): True",
        "loading a pickle was refused (ModelFileError)",
    ],
    "scale_out_dask.py": [
        "Dask   vs local: mean test scores and best params match",
        "fold check on the Dask workers: OK",
    ],
}


#: Examples that read CICIoT2023 rows with --data, and a line that shows they did.
READS_DATA = {
    "multiclass_ciciot.py": "CICIoT2023 rows (merged39 layout)",
    "sampling_search.py": "CICIoT2023 rows, Benign vs Spoofing",
    "quality_report.py": "=== Benign vs Recon",
    "clean_and_weight.py": "CICIoT2023 rows, Benign vs Spoofing",
}


def _arguments(script: Path) -> tuple[list[str], list[str]]:
    """Command-line arguments of ``script`` and extra lines to expect."""
    if script.name not in READS_DATA:
        return [], []
    # The shared CICIoT2023 sample exists in CI; elsewhere, the fallback.
    if DATA_PATH.exists():
        return ["--data", str(DATA_PATH)], [READS_DATA[script.name]]
    return [], ["GENERATED data"]


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    args, expected = _arguments(script)
    env = {
        **os.environ,
        "LDM_EXAMPLE_EPOCHS": "2",
        "LDM_EXAMPLE_OUT": str(tmp_path),
        # One torch thread per example: the suite may run them in parallel.
        "OMP_NUM_THREADS": "1",
    }
    result = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip(), "an example should print its result"
    for line in [*EXPECTED.get(script.name, []), *expected]:
        assert line in result.stdout, f"{line!r} not printed:\n{result.stdout[-2000:]}"

    if script.name == "compare_samplers.py":
        table = pd.read_csv(tmp_path / "compare_samplers.csv", index_col=0)
        assert list(table.index) == ["none", "SMOTE", "CTGAN", "DDPM", "LDM"]
        assert table["f1"].between(0, 1).all()
        assert (tmp_path / "compare_samplers.png").stat().st_size > 0
    if script.name == "save_load.py":
        assert (tmp_path / "ldm_sampler.ldm").is_file()


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_has_docstring(script):
    docstring = ast.get_docstring(ast.parse(script.read_text()))
    assert docstring, f"{script.name} should explain what it shows"
