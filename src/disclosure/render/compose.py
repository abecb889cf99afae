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

import functools
import io
import re
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxcompose.composer import Composer
from docxcompose.utils import xml_elements_equal
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2 import Template as JinjaTemplate
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from .oxml import add_bookmark, apply_merge_captions, set_page_break_before, xml_safe
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


_LISTING_CHARACTERS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\n\a\f]")


class _Template(DocxTemplate):
    """docxtpl, adapted to render many small templates fast and to print data exactly as given.

    * no post-render ``{_{`` → ``{{`` rewrite (docxtpl's escape for literal braces), so text from
      the model prints as it is;
    * a template's preprocessed XML and its compiled Jinja template are cached by content, so the
      five performance sheets (or a batch of reports) compile their template once;
    * core properties of parts are not rendered (only the composed document's are kept, and
      :func:`compose` sets them);
    * docxtpl's pass that turns tabs and newlines in values into Word tabs and breaks runs only when
      a value has one.
    """

    def build_xml(self, context, jinja_env=None):  # type: ignore[override]
        xml = _patched_xml(self, self.get_xml())
        return self.render_xml_part(xml, self.docx._part, context, jinja_env)

    def render_xml_part(self, src_xml, part, context, jinja_env=None):  # type: ignore[override]
        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        dst_xml = _compiled(src_xml).render(context)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        return self.resolve_listing(dst_xml) if _LISTING_CHARACTERS.search(dst_xml) else dst_xml

    def render_properties(self, context, jinja_env=None):  # type: ignore[override]
        return None


_PATCHED: dict[str, str] = {}


def _patched_xml(template: DocxTemplate, xml: str) -> str:
    """docxtpl's clean-up of a template's XML (tags split across runs, …), once per distinct XML."""
    if xml not in _PATCHED:
        if len(_PATCHED) > 256:
            _PATCHED.clear()
        _PATCHED[xml] = template.patch_xml(xml)
    return _PATCHED[xml]


_ENVIRONMENT = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> JinjaTemplate:
    """The template compiled in the sandboxed, autoescaping, strict environment, once per source."""
    return _ENVIRONMENT.from_string(source)


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
        template.render(xml_safe_context(context), jinja_env=_ENVIRONMENT, autoescape=True)
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
    paragraph = OxmlElement("w:p")  # a part starting with a table gets an empty paragraph to carry them
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
    properties = master.core_properties
    properties.title = base_context.get("report_title", "")
    properties.author = properties.last_modified_by = base_context.get("unit", {}).get("name", "")
    properties.subject = f"{base_context.get('year', '')}年{base_context.get('level', '')}预算公开"
    properties.keywords = "预算公开"
    composer = _Composer(master)
    for index, job in enumerate(jobs):
        document = render_template(templates.path(job.template), job.context, job.template)
        _start(document, job, index)
        keep_part_styles(master, document, Path(job.template).stem)
        composer.append(document)
    composer.renumber()
    return composer.doc


class _Composer(Composer):
    """docxcompose's Composer, renumbering bookmarks and drawing ids once at the end.

    docxcompose renumbers them over the whole document after every append, which makes composing
    n parts cost n² in the document's size; the numbers only need to be unique in the result.
    """

    def renumber_bookmarks(self) -> None:
        pass

    def renumber_docpr_ids(self) -> None:
        pass

    def renumber_nvpicpr_ids(self) -> None:
        pass

    def renumber(self) -> None:
        Composer.renumber_bookmarks(self)
        Composer.renumber_docpr_ids(self)
        Composer.renumber_nvpicpr_ids(self)

    def _style_ids(self) -> set[str]:
        return set(self.doc.styles.element.xpath("w:style/@w:styleId"))

    def add_styles(self, doc, element) -> None:  # type: ignore[override]
        """docxcompose's ``add_styles`` (without ``preserve_styles``), reading style ids from the XML.

        The original builds a python-docx object for every style of the document twice per appended
        paragraph, which was most of the time of a build; the logic is unchanged: a style the master
        lacks is copied in (with its numbering and linked style), a numbered style the master has
        maps its abstract numbering, and references are rewritten to the master's style id.
        """
        our_style_ids = self._style_ids()
        used = list(dict.fromkeys(e.val for e in element.xpath(".//w:tblStyle|.//w:pStyle|.//w:rStyle")))
        for style_id in used:
            our_style_id = self.mapped_style_id(style_id)
            if our_style_id not in our_style_ids:
                style_element = deepcopy(doc.styles.element.get_by_id(style_id))
                if style_element is not None:
                    self.doc.styles.element.append(style_element)
                    self.add_numberings(doc, style_element)
                    self.add_linked_styles(doc, style_element)
                    our_style_ids = self._style_ids()
            else:
                self._map_style_numbering(doc, style_id, our_style_id)
            if our_style_id != style_id and our_style_id is not None:
                for el in element.xpath(
                    f'.//w:tblStyle[@w:val="{style_id}"]|.//w:pStyle[@w:val="{style_id}"]|.//w:rStyle[@w:val="{style_id}"]'
                ):
                    el.val = our_style_id

    def _map_style_numbering(self, doc, style_id: str, our_style_id: str) -> None:
        """Map the abstract numbering of a numbered style the master already has (as docxcompose does)."""
        style_element = doc.styles.element.get_by_id(style_id)
        if style_element is None:
            return
        num_ids = style_element.xpath(".//w:numId/@w:val")
        if not num_ids:
            return
        anum_ids = doc.part.numbering_part.element.xpath(f'.//w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val')
        our_num_ids = self.doc.styles.element.get_by_id(our_style_id).xpath(".//w:numId/@w:val")
        if not anum_ids or not our_num_ids:
            return
        our_anum_ids = self.numbering_part().element.xpath(
            f'.//w:num[@w:numId="{our_num_ids[0]}"]/w:abstractNumId/@w:val'
        )
        if our_anum_ids:
            self.anum_id_mapping[int(anum_ids[0])] = int(our_anum_ids[0])


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
