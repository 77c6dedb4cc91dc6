"""MkDocs hooks (registered in mkdocs.yml): the example pages, built from examples/.

At every build, each ``examples/*.py`` becomes a page ``examples/<name>.md``
rendered by ``docs/gen_examples.py`` (docstring, full source, stored output and
plots), the Examples section of the nav lists them, and the PNGs of the stored
runs are copied next to their pages; so are the plots committed in
``benchmarks/`` (as ``results/<name>.png``, for the pages that include the
benchmark outputs). Nothing is written into ``docs/``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

_HERE = Path(__file__).resolve().parent
_NAV_SECTION = "Examples"


def _gen_examples():
    name = "ldm_oversample_docs_gen_examples"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _HERE / "gen_examples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def on_config(config: Any) -> Any:
    gen = _gen_examples()
    pages: list[Any] = [f"{gen.PAGES_DIR}/index.md"]
    pages += [{ex.name: ex.page} for ex in gen.examples()]
    for item in config["nav"] or []:
        if isinstance(item, dict) and _NAV_SECTION in item:
            item[_NAV_SECTION] = pages
            break
    else:
        raise ValueError(f"mkdocs.yml: the nav needs an {_NAV_SECTION!r} section")
    return config


def on_files(files: Files, config: Any) -> Files:
    gen = _gen_examples()
    items = gen.examples()
    files.append(
        File.generated(
            config, f"{gen.PAGES_DIR}/index.md", content=gen.render_index(items)
        )
    )
    for ex in items:
        files.append(File.generated(config, ex.page, content=gen.render_page(ex)))
        for image in ex.images:
            files.append(
                File.generated(config, ex.image_uri(image), abs_src_path=str(image))
            )
    # Plots committed next to the benchmark outputs that docs/results/ includes.
    for image in sorted((_HERE.parent / "benchmarks").glob("*.png")):
        files.append(
            File.generated(config, f"results/{image.name}", abs_src_path=str(image))
        )
    return files


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    server.watch(str(_HERE.parent / "examples"))
    server.watch(str(_HERE.parent / "benchmarks"))
    return server
