"""Render each part's template with docxtpl and compose them, in profile order, into one document.

* docxtpl renders every template in a sandboxed Jinja environment with
  ``autoescape=True`` and strict undefined variables, so text from the model
  (``&``, ``<``, ``{{ … }}``) prints literally and a misspelt variable in a
  template is an error naming the template, never a silently empty cell;
* ``base.docx`` supplies the page setup, the footer (report title, ``-N-``)
  and the styles; every part is appended to it with docxcompose, keeping a
  part's own style definitions where they differ (``preserve_styles``);
* each part may start on a new page and carry a bookmark, from which the PDF
  outline is built.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.oxml.ns import qn
from docxcompose.composer import Composer
from docxcompose.utils import xml_elements_equal
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from .oxml import add_bookmark, apply_merge_captions, page_break_paragraph, set_page_break_before, xml_safe
from .templates import TemplateError, TemplateSet


@dataclass(frozen=True)
class OutlineEntry:
    """A bookmark placed at the start of a part, table or sheet, and its outline title and level."""

    bookmark: str
    title: str
    level: int


@dataclass(frozen=True)
class RenderJob:
    """One template to render: file name, context, page break, bookmark."""

    template: str
    context: dict[str, Any]
    new_page: bool = False
    outline: OutlineEntry | None = None


class _Template(DocxTemplate):
    """docxtpl without its post-render ``{_{`` → ``{{`` rewrite, so data text prints exactly as given."""

    def render_xml_part(self, src_xml, part, context, jinja_env=None):  # type: ignore[override]
        import re

        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        template = (jinja_env or _environment()).from_string(src_xml)
        dst_xml = template.render(context)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        return self.resolve_listing(dst_xml)


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)


def xml_safe_context(value: Any) -> Any:
    """The context with every string stripped of characters XML cannot hold (the loader refuses them in
    files; this protects Python callers who build a model by hand)."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {k: xml_safe_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [xml_safe_context(v) for v in value]
    return value


def render_template(path: Path, context: dict[str, Any], name: str | None = None) -> Document:
    """Render one template file; errors name the template and the variable."""
    shown = name or path.name
    try:
        template = _Template(str(path))
        template.init_docx()
    except Exception as exc:  # not a zip, not a Word package, unreadable: python-docx raises many kinds
        raise TemplateError(f"template {shown}: cannot be used as a Word template ({type(exc).__name__}: {exc})") from exc
    try:
        template.render(xml_safe_context(context), jinja_env=_environment(), autoescape=True)
    except JinjaTemplateError as exc:
        line = f" (line {exc.lineno} of its XML)" if getattr(exc, "lineno", None) else ""
        raise TemplateError(f"template {shown}: {exc}{line}") from exc
    except Exception as exc:  # lxml or docxtpl choking on what the template's tags produced
        raise TemplateError(f"template {shown}: rendering failed ({type(exc).__name__}: {exc})") from exc
    document = template.docx
    apply_merge_captions(document.element.body)
    return document


_STYLE_REFS = (qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle"))
_IGNORED_STYLE_TAGS = {qn("w:name"), qn("w:rsid"), qn("w:qFormat"), qn("w:uiPriority"), qn("w:semiHidden"),
                       qn("w:unhideWhenUsed")}


def keep_part_styles(master: Document, part: Document, suffix: str) -> None:
    """Let a part keep the styles it redefines: rename them so docxcompose adds them beside the master's.

    docxcompose maps a part's style to the master's style of the same name,
    so a template maintainer's change to, say, ``Table Title`` in
    ``table-01-summary.docx`` would be lost.  Here each style the part uses
    whose definition differs from the master's is renamed ``Table Title
    (table-01-summary)`` in the part, with its references.  (docxcompose's
    own ``preserve_styles`` rewrites every style reference of an element to
    one style, breaking tables, so it is not used.)
    """
    ours = {el.get(qn("w:styleId")): el for el in master.styles.element.findall(qn("w:style"))}
    theirs = part.styles.element
    body = part.element.body
    used = {el.get(qn("w:val")) for tag in _STYLE_REFS for el in body.iter(tag)}
    for style_id in sorted(used):
        mine, other = ours.get(style_id), theirs.get_by_id(style_id)
        if mine is None or other is None or xml_elements_equal(mine, other, ignored_tags=_IGNORED_STYLE_TAGS):
            continue
        new_id = f"{style_id}-{suffix}"
        other.set(qn("w:styleId"), new_id)
        name = other.find(qn("w:name"))
        if name is not None:
            name.set(qn("w:val"), f"{name.get(qn('w:val'))} ({suffix})")
        for tag in _STYLE_REFS:
            for ref in body.iter(tag):
                if ref.get(qn("w:val")) == style_id:
                    ref.set(qn("w:val"), new_id)


def _first_paragraph(document: Document):
    body = document.element.body
    for child in body:
        if child.tag == qn("w:p"):
            return child
        if child.tag == qn("w:tbl"):
            break
    paragraph = page_break_paragraph()
    paragraph.remove(paragraph[0])  # an empty paragraph to carry page break / bookmark
    body.insert(0, paragraph)
    return paragraph


def _start(document: Document, job: RenderJob, bookmark_id: int) -> None:
    paragraph = _first_paragraph(document)
    if job.new_page:
        set_page_break_before(paragraph)
    if job.outline is not None:
        add_bookmark(paragraph, job.outline.bookmark, bookmark_id)


def compose(templates: TemplateSet, base_context: dict[str, Any], jobs: Iterable[RenderJob]) -> Document:
    """``base.docx`` rendered, then every job's template rendered and appended in order."""
    master = render_template(templates.path("base.docx"), base_context, "base.docx")
    body = master.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    composer = Composer(master)
    for index, job in enumerate(jobs):
        document = render_template(templates.path(job.template), job.context, job.template)
        _start(document, job, index)
        keep_part_styles(master, document, Path(job.template).stem)
        composer.append(document)
    return composer.doc


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
