"""Griffe extension for the API reference (loaded by mkdocstrings, see mkdocs.yml).

Fixes to what griffe reads statically from the source:

- The samplers' class docstrings are completed at import time
  (``LDMOverSampler.__doc__ = fill_doc(...)`` inserts the parameters every sampler
  shares). Static analysis would show the ``{sampling_strategy}`` placeholders, so
  those docstrings are replaced by the runtime ``__doc__``.
- A parameter type that starts with ``{a, b}`` is rewritten ``a | b``: griffe
  would read the braces as choices, show the first one as the default and drop
  the rest of the type (``of shape (n, m)``, ``default="dpm++"``).
- Module constants documented with ``#:`` comments (Sphinx's convention, e.g.
  ``PRECISIONS``) get those comments as their docstring.
- Docstrings use Sphinx roles (``:class:`~ldm_oversample.TabularEncoder```) and
  the odd directive, which Markdown would print verbatim. Roles become code
  spans wrapped in an *optional* autorefs cross-reference: a link where the
  target is documented on the site, plain code otherwise (no warning, so the
  strict build stays clean without network inventories).
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import griffe

_PLACEHOLDER = re.compile(r"\{(sampling_strategy|random_state|categorical_features)\}")
_ROLE = re.compile(
    r":(?:py:)?(?P<role>class|func|meth|mod|data|attr|exc|obj|term|math|ref):"
    r"`(?P<tilde>~?)(?P<target>[^`]+)`"
)
_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (?P<kind>warning|note)::\s*$", re.M)
# "name : {a, b}, default=a" or "X : {array-like, DataFrame} of shape (n, m)":
# griffe reads a leading {...} as choices and shows the first as the default
# (wrong for {"ddim", "dpm++"}, default="dpm++", and for required X), dropping
# what follows. "a | b" keeps the text and lets ", default=..." be read.
_ITEM = re.compile(
    r"^(?P<head>\*{0,2}[A-Za-z_]\w*(?:,\s\*{0,2}[A-Za-z_]\w*)*\s:\s)(?P<type>.+)$",
    re.M,
)
_DEFAULT = re.compile(r",\s+default(?: |: |=).*$")
_CHOICES = re.compile(
    r"^(?P<head>\*{0,2}[A-Za-z_]\w*(?:,\s\*{0,2}[A-Za-z_]\w*)*\s:\s)"
    r"\{(?P<choices>[^{}]*)\}(?P<rest>.*)$",
    re.M,
)


def _runtime_doc(path: str) -> str | None:
    module_name, _, qualname = path.rpartition(".")
    while module_name:
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError:
            module_name, _, head = module_name.rpartition(".")
            qualname = f"{head}.{qualname}"
            continue
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        return inspect.getdoc(obj) if obj is not None else None
    return None


#: Greek letters by TeX name (escaped: ruff flags look-alike characters).
_GREEK = {
    name: chr(0x03B1 + offset)
    for name, offset in [
        ("alpha", 0), ("beta", 1), ("gamma", 2), ("delta", 3), ("epsilon", 4),
        ("eta", 6), ("lambda", 10), ("mu", 11), ("sigma", 18), ("tau", 19),
    ]
}  # fmt: skip


def _plain_math(tex: str) -> str:
    """Inline TeX as plain HTML (no MathJax: the site is served offline):
    Greek letters as Unicode, ``_{..}``/``^{..}`` as sub- and superscripts."""
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m[1], m[1]), tex)
    text = re.sub(r"_\{([^{}]*)\}|_(\w)", lambda m: f"<sub>{m[1] or m[2]}</sub>", text)
    text = re.sub(
        r"\^\{([^{}]*)\}|\^(\w)", lambda m: f"<sup>{m[1] or m[2]}</sup>", text
    )
    return f'<span class="math"><em>{text}</em></span>'


def _role(match: re.Match) -> str:
    role, target = match["role"], match["target"].strip()
    if role == "math":
        return _plain_math(target)
    shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
    if role in {"func", "meth"} and not shown.endswith(")"):
        shown += "()"
    code = f"<code>{shown}</code>"
    if role in {"term", "ref"}:
        return code
    return f'<autoref identifier="{target}" optional>{code}</autoref>'


def _plain_type(match: re.Match) -> str:
    # griffe compiles a docstring type as a Python expression when it can, so
    # '"auto", None or array-like' would show as "('auto', None or array - like)".
    # A non-breaking hyphen and space (same look) make such types plain text.
    kind, default = match["type"], ""
    tail = _DEFAULT.search(kind)
    if tail:
        kind, default = kind[: tail.start()], kind[tail.start() :]
    kind = re.sub(r"(?<=\w)-(?=\w)", "\u2011", kind).replace(", ", ",\u00a0")
    return f"{match['head']}{kind}{default}"


def markdownify(text: str) -> str:
    """Turn the Sphinx roles and directives of a docstring into Markdown/HTML."""
    text = _ROLE.sub(_role, text)
    text = _DIRECTIVE.sub(lambda m: f"{m['indent']}**{m['kind'].capitalize()}:**", text)
    text = _CHOICES.sub(
        lambda m: (
            m["head"]
            + " | ".join(c.strip() for c in m["choices"].split(","))
            + m["rest"]
        ),
        text,
    )
    return _ITEM.sub(_plain_type, text)


def _comment_docstring(obj: griffe.Object) -> str | None:
    """The ``#:`` comment lines right above an attribute (Sphinx's convention)."""
    try:
        lines = obj.module.lines
    except (AttributeError, OSError):
        return None
    if not obj.lineno or not lines:
        return None
    found: list[str] = []
    index = obj.lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        found.insert(0, lines[index].strip()[2:].strip())
        index -= 1
    return "\n".join(found) or None


class RuntimeDocstrings(griffe.Extension):
    """Use runtime docstrings where the source holds a template; fix Sphinx roles."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._walk(pkg, set())

    def _walk(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.is_attribute and obj.docstring is None:
            comment = _comment_docstring(obj)
            if comment:
                obj.docstring = griffe.Docstring(
                    comment, parent=obj, parser=griffe.Parser.numpy
                )
        docstring = obj.docstring
        if docstring is not None:
            if obj.is_class and _PLACEHOLDER.search(docstring.value):
                runtime = _runtime_doc(obj.path)
                if runtime:
                    docstring.value = runtime
            docstring.value = markdownify(docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._walk(member, seen)
