"""``disclosure templates check DIR``: what would go wrong with a folder of templates, before a build.

For every template the profile uses, it reports:

* variables that are not in the template's documented context (:mod:`disclosure.render.variables`),
  with the nearest documented name (``{{ table.titel }}`` → did you mean ``table.title``?);
* Jinja syntax errors, such as an ``{%p if %}`` without its ``{%p endif %}``, with the text around it;
* tags split across pieces of differently formatted text (Word splits ``{{ x }}`` into several runs
  when part of it is formatted differently; docxtpl joins them, but the formatting is lost);
* plain ``{% for %}``/``{% if %}`` opened in a table cell and closed elsewhere (it corrupts the
  table; rows are repeated with ``{%tr for … %}``);
* templates the profile needs that the folder lacks (the default is used for them).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, nodes

from ..profile import Profile
from .sandbox import ENVIRONMENT as _ENVIRONMENT
from .variables import kind_of, paths


@dataclass(frozen=True)
class TemplateProblem:
    template: str
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.template}: {self.message}"


def template_kinds(profile: Profile) -> dict[str, set[str]]:
    """Template file name → the context kinds it is rendered with."""
    kinds: dict[str, set[str]] = {"base.docx": {"base"}}
    for part in profile.parts:
        kinds.setdefault(part.template, set()).add(kind_of(part.content, part.table))
    return kinds


# --------------------------------------------------------------------------- variables


def _path(node: nodes.Node, scope: dict[str, str | None]) -> str | None:
    """The documented path an expression reads (``row.cells[0]`` → ``table.rows[].cells[]``), or None."""
    if isinstance(node, nodes.Name):
        if node.name in scope:
            return scope[node.name]
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, scope)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        base = _path(node.node, scope)
        if base is None:
            return None
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            return f"{base}.{node.arg.value}"
        return f"{base}[]"
    return None


def _uses(node: nodes.Node, scope: dict[str, str | None]) -> Iterator[tuple[str, int]]:
    """(path, line) of every variable read, following loop variables to what they iterate over."""
    if isinstance(node, nodes.For):
        yield from _uses(node.iter, scope)
        inner = dict(scope)
        iterated = _path(node.iter, scope)
        targets = [node.target] if isinstance(node.target, nodes.Name) else list(node.target.find_all(nodes.Name))
        for target in targets:
            inner[target.name] = f"{iterated}[]" if iterated is not None and len(targets) == 1 else None
        inner["loop"] = None
        for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
            yield from _uses(child, inner)
        return
    if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
        for name in node.target.find_all(nodes.Name) if hasattr(node, "target") else ():
            scope[name.name] = None
    if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
        path = _path(node, scope)
        if path is not None:
            yield path, node.lineno
            return
    for child in node.iter_child_nodes():
        yield from _uses(child, scope)


def _is_documented(path: str, documented: set[str]) -> bool:
    return path in documented or any(d.startswith(path + ".") or d.startswith(path + "[]") for d in documented)


def _nearest(path: str, documented: set[str]) -> str:
    close = difflib.get_close_matches(path, sorted(documented), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# --------------------------------------------------------------------------- reading a template


def _xml_parts(template: DocxTemplate) -> Iterator[tuple[str, str]]:
    """(part name, raw XML) of the body, headers and footers."""
    yield "body", template.get_xml()
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _, part in template.get_headers_footers(uri):
            yield part.partname, template.get_part_xml(part)


def _text_near(xml: str, line: int) -> str:
    lines = xml.splitlines()
    around = " ".join(re.sub(r"<[^>]+>", "", text) for text in lines[max(0, line - 3): line + 2])
    return re.sub(r"\s+", " ", around).strip()[:120]


TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
PLAIN_BLOCK = re.compile(r"\{%-?\s*(for|if|endfor|endif)\b")


def _split_tags(xml: str) -> Iterator[str]:
    """Tags whose text lies in more than one run of a paragraph."""
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    for paragraph in root.iter(qn("w:p")):
        pieces = [t.text or "" for t in paragraph.iter(qn("w:t"))]
        text = "".join(pieces)
        if "{" not in text:
            continue
        bounds, position = [], 0
        for piece in pieces:
            position += len(piece)
            bounds.append(position)
        for match in TAG.finditer(text):
            if any(match.start() < b < match.end() for b in bounds):
                yield match.group()


def _plain_blocks_in_cells(xml: str) -> Iterator[str]:
    """Plain for/if blocks opened in a table cell and not closed in it."""
    from lxml import etree

    root = etree.fromstring(xml.encode("utf-8"))
    for cell in root.iter(qn("w:tc")):
        text = "".join(t.text or "" for t in cell.iter(qn("w:t")))
        opened = {"for": 0, "if": 0}
        for match in PLAIN_BLOCK.finditer(text):
            word = match.group(1)
            if word in opened:
                opened[word] += 1
            else:
                opened[word[3:]] -= 1
        if any(opened.values()):
            yield text.strip()[:60]


def check_template(path: Path, kinds: set[str]) -> list[TemplateProblem]:
    """Problems of one template file rendered with the context kinds given."""
    name = path.name
    try:
        template = DocxTemplate(str(path))
        template.init_docx()
        parts = list(_xml_parts(template))
    except Exception as exc:
        return [TemplateProblem(name, "error", f"cannot be read as a Word document ({type(exc).__name__}: {exc})")]
    documented = set().union(*(paths(kind) for kind in kinds))
    problems: list[TemplateProblem] = []
    for part, raw in parts:
        where = "" if part == "body" else f" (in {part})"
        for tag in dict.fromkeys(_split_tags(raw)):
            problems.append(TemplateProblem(name, "warning", f"tag {tag!r} is split across differently formatted "
                                            f"text{where}; retype it in one go so its formatting is kept"))
        for cell in dict.fromkeys(_plain_blocks_in_cells(raw)):
            problems.append(TemplateProblem(name, "error", f"a plain {{% for %}} or {{% if %}} in the table cell "
                                            f"{cell!r} is closed in another cell{where}; repeat rows with {{%tr for … %}}"))
        patched = template.patch_xml(raw)
        try:
            tree = _ENVIRONMENT.parse(patched)
        except TemplateSyntaxError as exc:
            problems.append(TemplateProblem(name, "error", f"{exc.message}{where}, near “{_text_near(patched, exc.lineno)}”"))
            continue
        for variable, _line in dict.fromkeys(_uses(tree, {})):
            if not _is_documented(variable, documented):
                problems.append(TemplateProblem(name, "error", f"unknown variable {variable!r}{where}"
                                                f"{_nearest(variable, documented)}"))
    return problems


def check_templates(folder: Path, profile: Profile) -> list[TemplateProblem]:
    """Every problem of the templates in ``folder`` for ``profile``: errors first."""
    kinds = template_kinds(profile)
    problems: list[TemplateProblem] = []
    for name, template_kinds_ in kinds.items():
        path = folder / name
        if not path.is_file():
            problems.append(TemplateProblem(name, "warning", f"missing from {folder}; the default template is used"))
            continue
        problems.extend(check_template(path, template_kinds_))
    for extra in sorted(p.name for p in folder.glob("*.docx")):
        if extra not in kinds and not extra.startswith("~$"):
            problems.append(TemplateProblem(extra, "warning", f"not used by the profile {profile.name}"))
    return sorted(problems, key=lambda p: p.severity != "error")
