"""Render one documentation page per script in ``examples/``, and run them.

Each page is built from its script: the module docstring as prose, the full
source, then the output stored by a run (``examples/output/<name>/stdout.txt``
and any PNG the script wrote there). The pages are generated at build time by
``docs/hooks.py`` (registered in ``mkdocs.yml``), so they always show the
current scripts; nothing generated is committed under ``docs/``.

Usage::

    python docs/gen_examples.py --run                # run every example, store output
    python docs/gen_examples.py --run swap_smote     # only some (names or file names)
    python docs/gen_examples.py --run --epochs 2     # quick smoke outputs
    python docs/gen_examples.py                      # list the pages and stored outputs

``--run`` runs each script with ``LDM_EXAMPLE_OUT=examples/output/<name>`` (the
examples write their plots there) from the repository root and stores its
standard output as ``stdout.txt`` in that folder. A script that fails leaves no
``stdout.txt`` (its page then says that no output is stored) and makes the
command exit with status 1.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "examples"
OUTPUT_DIR = EXAMPLES_DIR / "output"
#: Where the generated pages live in the site (relative to ``docs/``).
PAGES_DIR = "examples"
RUN_COMMAND = "python docs/gen_examples.py --run"
#: The project's CICIoT2023 sample, beside the repository (not part of it).
SHARED_DATA = ROOT.parent / "shared" / "data" / "ciciot2023_sample.csv.gz"


@dataclass(frozen=True)
class Example:
    """One script of ``examples/`` and what a run stored for it."""

    script: Path

    @property
    def name(self) -> str:
        return self.script.stem

    @property
    def page(self) -> str:
        """Source path of its page, relative to ``docs/``."""
        return f"{PAGES_DIR}/{self.name}.md"

    @property
    def output_dir(self) -> Path:
        return OUTPUT_DIR / self.name

    @property
    def stdout_file(self) -> Path:
        return self.output_dir / "stdout.txt"

    @property
    def images(self) -> list[Path]:
        """PNGs the last run wrote (only when that run stored its stdout)."""
        if not self.stdout_file.is_file():
            return []
        return sorted(self.output_dir.rglob("*.png"))

    def image_uri(self, image: Path) -> str:
        """Site path of an output image, relative to ``docs/``."""
        rel = image.relative_to(self.output_dir).as_posix()
        return f"{PAGES_DIR}/{self.name}/{rel}"

    @property
    def docstring(self) -> str:
        source = self.script.read_text(encoding="utf-8")
        try:
            return ast.get_docstring(ast.parse(source)) or ""
        except SyntaxError:
            return ""

    @property
    def title(self) -> str:
        """The docstring's first line, without its final full stop."""
        first = self.docstring.strip().splitlines()[0] if self.docstring else ""
        return first.rstrip(".") or self.name


_ROLE = re.compile(r":(?:py:)?[a-z]+:`(?P<tilde>~?)(?P<target>[^`]+)`")
_UNDERLINE = re.compile(r"^(?P<title>\S[^\n]*)\n-{3,}[ \t]*$", re.M)
_ITEM = re.compile(
    r"^(?P<name>[^\s:][^:\n]*?) : (?P<type>[^\n]+)\n"
    r"(?P<desc>(?:[ \t]+\S[^\n]*\n?)+)",
    re.M,
)


def docstring_markdown(text: str) -> str:
    """A numpydoc-flavoured module docstring as Markdown.

    Sphinx roles become code spans, ``Title``/``-----`` section headings become
    ``###`` headings, and ``name : type`` items with an indented description
    become list items.
    """

    def role(m: re.Match) -> str:
        target = m["target"].strip()
        return f"`{target.rsplit('.', 1)[-1] if m['tilde'] else target}`"

    def item(m: re.Match) -> str:
        desc = " ".join(line.strip() for line in m["desc"].splitlines())
        return f"- `{m['name'].strip()}` ({m['type'].strip()}): {desc}\n"

    text = _ROLE.sub(role, text)
    text = _UNDERLINE.sub(lambda m: f"### {m['title'].strip()}", text)
    return _ITEM.sub(item, text)


def examples() -> list[Example]:
    """Every ``examples/*.py``, sorted by file name."""
    return [Example(p) for p in sorted(EXAMPLES_DIR.glob("*.py"))]


def _fence(text: str, char: str = "`") -> str:
    """A code fence longer than any run of ``char`` inside ``text``."""
    longest = max((len(m) for m in re.findall(f"{re.escape(char)}+", text)), default=0)
    return char * max(3, longest + 1)


def _code_block(text: str, lang: str, title: str | None = None) -> str:
    fence = _fence(text)
    head = f'{fence}{lang} title="{title}"' if title else f"{fence}{lang}"
    return f"{head}\n{text.rstrip()}\n{fence}\n"


def render_page(example: Example) -> str:
    """The Markdown page of one example."""
    source = example.script.read_text(encoding="utf-8")
    rel = f"examples/{example.script.name}"
    doc = docstring_markdown(example.docstring.strip())
    body = doc.split("\n", 1)[1].strip() if "\n" in doc else ""
    parts = [
        f"# `{example.script.name}`\n",
        f"**{docstring_markdown(example.title)}.**\n" if doc else "",
        f"{body}\n" if body else "",
        "Run it from the repository root:\n",
        _code_block(
            f"python {rel}\n"
            f"# or, storing its output and plots for this page:\n"
            f"{RUN_COMMAND} {example.name}",
            "bash",
        ),
        "## Source\n",
        _code_block(source, "python", rel),
        "## Output\n",
    ]
    if example.stdout_file.is_file():
        stdout = example.stdout_file.read_text(encoding="utf-8", errors="replace")
        stamp = time.strftime(
            "%Y-%m-%d", time.gmtime(example.stdout_file.stat().st_mtime)
        )
        parts.append(
            f"Standard output of the stored run "
            f"(`examples/output/{example.name}/stdout.txt`, {stamp}):\n"
        )
        parts.append(_code_block(stdout if stdout.strip() else "(no output)", "text"))
        for image in example.images:
            alt = image.stem.replace("_", " ")
            rel_img = image.relative_to(example.output_dir).as_posix()
            parts.append(f"![{alt}]({example.name}/{rel_img})\n")
    else:
        parts.append(
            '!!! note "No stored output"\n'
            f"    Run `{RUN_COMMAND}` to include output "
            f"(it writes `examples/output/{example.name}/stdout.txt` and the "
            "script's plots).\n"
        )
    return "\n".join(p for p in parts if p)


def render_index(items: list[Example]) -> str:
    """The Examples landing page: one line per script."""
    lines = [
        "# Examples\n",
        "Every script in `examples/` has a page here, rendered from the script "
        "itself: its docstring, the full source, and the standard output and "
        f"plots of the last stored run (`{RUN_COMMAND}`).\n",
        "| script | what it shows |",
        "|---|---|",
    ]
    for ex in items:
        title = docstring_markdown(ex.title).replace("|", "\\|")
        lines.append(f"| [`{ex.script.name}`]({ex.name}.md) | {title} |")
    if not items:
        lines.append("| (none yet) | |")
    lines.append(
        "\nThe examples read `LDM_EXAMPLE_EPOCHS` to shrink training (the test "
        "suite runs each one with `LDM_EXAMPLE_EPOCHS=2`) and write their plots "
        "to the folder named by `LDM_EXAMPLE_OUT`.\n"
    )
    return "\n".join(lines)


def run_example(example: Example, *, epochs: int | None, timeout: float) -> bool:
    """Run one script and store its stdout; True on success."""
    out = example.output_dir
    out.mkdir(parents=True, exist_ok=True)
    # Drop the outputs of a previous run, so that the page never mixes runs.
    for old in [example.stdout_file, *out.rglob("*.png")]:
        old.unlink(missing_ok=True)
    env = {**os.environ, "LDM_EXAMPLE_OUT": str(out)}
    if SHARED_DATA.exists():
        # Examples that read CICIoT2023 rows take them from here by default.
        env.setdefault("LDM_EXAMPLE_DATA", str(SHARED_DATA))
    if epochs is not None:
        env["LDM_EXAMPLE_EPOCHS"] = str(epochs)
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, str(example.script)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        print(f"{example.script.name}: timed out after {timeout:.0f} s", flush=True)
        return False
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(
            f"{example.script.name}: failed (exit {result.returncode}, {seconds:.1f} s)"
            f"\n{result.stderr[-3000:]}",
            flush=True,
        )
        return False
    example.stdout_file.write_text(result.stdout, encoding="utf-8")
    n_png = len(example.images)
    print(
        f"{example.script.name}: ok in {seconds:.1f} s, "
        f"{len(result.stdout.splitlines())} lines of output, {n_png} PNG(s)",
        flush=True,
    )
    return True


def _select(names: list[str]) -> list[Example]:
    items = examples()
    if not names:
        return items
    by_name = {ex.name: ex for ex in items}
    chosen = []
    for name in names:
        key = Path(name).stem
        if key not in by_name:
            raise SystemExit(f"no example named {name!r}; have {sorted(by_name)}")
        chosen.append(by_name[key])
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--run", action="store_true", help="run the examples and store their output"
    )
    parser.add_argument("names", nargs="*", help="examples to run (default: all)")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="set LDM_EXAMPLE_EPOCHS (default: the scripts' own settings)",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds per script (1800)"
    )
    args = parser.parse_args(argv)
    if args.run:
        results = [
            run_example(ex, epochs=args.epochs, timeout=args.timeout)
            for ex in _select(args.names)
        ]
        return 0 if all(results) else 1
    for ex in _select(args.names):
        stored = "output stored" if ex.stdout_file.is_file() else "no output stored"
        print(f"{ex.page} (built by docs/hooks.py): {ex.title} ({stored})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
