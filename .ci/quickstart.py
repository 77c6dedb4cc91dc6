"""Print one command of the README's Quick start, exactly as written there.

``.ci/run`` runs what this prints, so CI executes the README's commands word for
word and cannot drift from them: ``python3 .ci/quickstart.py 1`` prints the
install-and-demo command, ``python3 .ci/quickstart.py 2`` the test command.
Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Quick start"
#: Install (and demo), then test; a README with more or fewer is an error.
N_COMMANDS = 2


def quickstart_commands(text: str) -> list[str]:
    """The ``bash`` code blocks of the Quick start section of ``text``, in order.

    Raises ``ValueError`` when the section is missing or does not hold exactly
    :data:`N_COMMANDS` blocks, so an edited README fails CI instead of
    silently running less.
    """
    heading = re.search(rf"^{re.escape(SECTION)}$", text, flags=re.MULTILINE)
    if heading is None:
        raise ValueError(f"README.md has no {SECTION!r} section.")
    body = text[heading.end() :]
    end = re.search(r"^## ", body, flags=re.MULTILINE)
    body = body[: end.start()] if end else body
    blocks = re.findall(r"^```bash\n(.*?)^```$", body, flags=re.MULTILINE | re.DOTALL)
    if len(blocks) != N_COMMANDS:
        raise ValueError(
            f"README.md's {SECTION!r} section must hold {N_COMMANDS} bash blocks "
            f"(install, test); it holds {len(blocks)}."
        )
    return [block.strip() for block in blocks]


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in {str(i + 1) for i in range(N_COMMANDS)}:
        print(f"usage: python3 .ci/quickstart.py {{1..{N_COMMANDS}}}", file=sys.stderr)
        return 2
    print(quickstart_commands(README.read_text(encoding="utf-8"))[int(argv[0]) - 1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
