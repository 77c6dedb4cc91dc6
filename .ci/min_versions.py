"""Print pip constraints that pin every core dependency to its floor.

``pyproject.toml`` declares ``name>=floor`` for each core dependency; the
minimum-versions job (``.ci/min_versions.sh``) installs exactly those floors
to check that the promise holds.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def floors(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """``name==floor`` for each ``name>=floor`` core dependency."""
    spec = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pins = []
    for requirement in spec:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9][0-9.]*)", requirement)
        if not match:
            sys.exit(f"cannot pin {requirement!r}: core dependencies must be name>=X")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    print("\n".join(floors()))
