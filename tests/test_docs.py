"""The documentation site builds with ``mkdocs build --strict`` and is complete.

The build (mkdocs.yml, docs/) fails on any warning: a broken link or anchor, a
missing snippet file, a docstring mkdocstrings cannot parse. On top of that the
API reference must document every public name, and every ``examples/*.py`` must
have its page.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Builds the whole site with mkdocs.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

#: Modules whose public names (their ``__all__``) the API reference documents.
PUBLIC_MODULES = [
    "ldm_oversample",
    "ldm_oversample.persistence",
    "ldm_oversample.combine",
    "ldm_oversample.weighting",
    "ldm_oversample.quality",
    "ldm_oversample.model_selection",
    "ldm_oversample.tabular",
    "ldm_oversample.identifiers",
    "ldm_oversample.metrics",
    "ldm_oversample.datasets",
    "ldm_oversample.testing",
    "ldm_oversample.benchmark",
    "ldm_oversample.diffusion",
    "ldm_oversample.diffusion.runner",
    "ldm_oversample.nn",
    "ldm_oversample.training",
    "ldm_oversample.utils",
]


def _gen_examples():
    spec = importlib.util.spec_from_file_location(
        "docs_gen_examples", ROOT / "docs" / "gen_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    # A missing docs extra fails (CI installs it): the build must not go untested.
    for package in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers"):
        assert importlib.util.find_spec(package), (
            f"{package} is missing; install the docs extra: .[docs]"
        )
    site_dir = tmp_path_factory.mktemp("site")
    command = ["mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    result = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return site_dir


def _resolve(path: str):
    """The object a dotted path names, or None."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            if not hasattr(obj, part):
                return None
            obj = getattr(obj, part)
        return obj
    return None


def test_api_reference_documents_every_public_name(site):
    html = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((site / "api").rglob("*.html"))
    )
    anchors = set(re.findall(r'id="(ldm_oversample\.[^"]+)"', html))
    by_name: dict[str, list[str]] = {}
    for anchor in anchors:
        by_name.setdefault(anchor.rsplit(".", 1)[-1], []).append(anchor)
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            # Documented under this module or wherever the same object lives.
            if not any(_resolve(a) is obj for a in by_name.get(name, [])):
                missing.append(f"{module_name}.{name}")
    assert not missing, f"not in the API reference: {missing}"


def test_api_reference_renders_runtime_docstrings(site):
    # The samplers' docstrings are completed at import time (fill_doc); the
    # shared parameters must appear, not their {placeholders}.
    html = (site / "api" / "samplers" / "index.html").read_text(encoding="utf-8")
    assert "{sampling_strategy}" not in html
    assert "{random_state}" not in html
    for sampler in ("LDMOverSampler", "DDPMOverSampler", "CTGANOverSampler"):
        assert f'id="ldm_oversample.{sampler}.sample"' in html
    assert "Sampling information to resample the data set" in html
    # Sphinx roles are turned into code (and links), not printed verbatim.
    for page in (site / "api").rglob("*.html"):
        assert ":class:`" not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_every_example_has_a_page(site, script):
    page = site / "examples" / script.stem / "index.html"
    assert page.is_file(), f"no page for examples/{script.name}"
    html = page.read_text(encoding="utf-8")
    assert f"examples/{script.name}" in html
    index = (site / "examples" / "index.html").read_text(encoding="utf-8")
    assert f"{script.stem}/" in index


def test_guide_reliability_and_benchmark_pages_are_built(site):
    for page in [
        "getting-started",
        "guide/how-it-works",
        "guide/choosing-a-sampler",
        "guide/metrics",
        "reliability",
        "benchmark",
        "results/ids_quality",
        "changelog",
    ]:
        assert (site / page / "index.html").is_file(), page
    # The benchmark report's plots are copied and linked.
    assert (site / "benchmark" / "f1.png").is_file()
    # The changelog page includes CHANGELOG.md (one source).
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    first_entry = next(
        line[3:].strip()
        for line in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    )
    assert first_entry.strip("[]") in changelog


# ---------------------------------------------- the example page generator
def test_example_page_without_output_says_how_to_get_it(tmp_path, monkeypatch):
    gen = _gen_examples()
    monkeypatch.setattr(gen, "OUTPUT_DIR", tmp_path / "output")
    script = tmp_path / "demo.py"
    script.write_text('"""Show a demo.\n\nMore prose."""\n\nprint("hi")\n')
    page = gen.render_page(gen.Example(script))
    assert page.startswith("# `demo.py`")
    assert "**Show a demo.**" in page and "More prose." in page
    assert 'print("hi")' in page
    assert "run `python docs/gen_examples.py --run` to include output" in page.lower()


def test_run_stores_stdout_and_the_page_shows_it_with_plots(tmp_path, monkeypatch):
    gen = _gen_examples()
    monkeypatch.setattr(gen, "OUTPUT_DIR", tmp_path / "output")
    script = tmp_path / "plotter.py"
    script.write_text(
        '"""Write a plot."""\n'
        "import os, pathlib\n"
        'out = pathlib.Path(os.environ["LDM_EXAMPLE_OUT"])\n'
        '(out / "curve.png").write_bytes(b"png")\n'
        'print("epochs", os.environ.get("LDM_EXAMPLE_EPOCHS"))\n'
    )
    example = gen.Example(script)
    assert gen.run_example(example, epochs=2, timeout=120)
    assert example.stdout_file.read_text() == "epochs 2\n"
    page = gen.render_page(example)
    assert "epochs 2" in page
    assert "](plotter/curve.png)" in page
    assert example.image_uri(example.images[0]) == "examples/plotter/curve.png"

    script.write_text("raise SystemExit(3)\n")
    assert not gen.run_example(example, epochs=None, timeout=120)
    assert not example.stdout_file.exists()  # no stale output from the last run
    assert "No stored output" in gen.render_page(example)


def test_api_pages_show_no_raw_tex(site):
    # The site is served offline (no MathJax), so inline TeX such as
    # imbalanced-learn's ":math:`\alpha_{os} = N_{rm} / N_{M}`" is rendered
    # as plain HTML by docs/griffe_ext.py.
    tex = re.compile(r":math:|\\(?:alpha|beta|sigma|epsilon|frac|sqrt|mathrm|cdot)")
    for page in sorted((site / "api").rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        hit = tex.search(text)
        assert hit is None, (page, text[max(0, hit.start() - 80) : hit.end() + 40])
    samplers = (site / "api" / "samplers" / "index.html").read_text(encoding="utf-8")
    assert "\u03b1<sub>os</sub> = N<sub>rm</sub> / N<sub>M</sub>" in samplers
