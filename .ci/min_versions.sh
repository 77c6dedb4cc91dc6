#!/usr/bin/env bash
# The minimum-versions job: a fresh venv with every core dependency at the
# floor pyproject.toml declares (.ci/min_versions.py), then the fast tests.
# torch's floor comes from PyPI as a CUDA build (about 5 GB with its NVIDIA
# libraries; it runs on the CPU here): no CPU wheel that old is on this disk.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-min
rm -rf "$venv"
python3 -m venv "$venv"
constraints=$(mktemp)
python3 .ci/min_versions.py > "$constraints"
echo "+ floors: $(tr '\n' ' ' < "$constraints")"
# Replaces .ci/run's torch==2.13.0 constraint for this job only.
export PIP_CONSTRAINT="$constraints"
# Wheels only: a floor that no wheel satisfies is an error, not a build of an
# ancient sdist that backtracking found.
"$venv/bin/pip" install -q --only-binary=:all: . pytest hypothesis matplotlib numpydoc markdown
"$venv/bin/python" - <<'PY'
import imblearn, numpy, pandas, sklearn, torch
print("+ installed:", ", ".join(
    f"{m.__name__} {m.__version__}" for m in (torch, numpy, pandas, sklearn, imblearn)
))
PY
# test_dask.py is slow-only and imports distributed, not installed here.
"$venv/bin/python" -m pytest -q -m "not slow" -p no:cacheprovider \
    --ignore=tests/test_dask.py
