"""Templates compiled once: everything about a template that does not depend on the data, done before rendering.

:func:`compile_master` reads ``base.docx`` (styles, numbering, page setup, headers and footers);
:func:`compile_part` reads a part's template and, on the template itself:

* joins Jinja tags Word split across runs and turns ``{%tr %}``/``{%p %}``/``{%tc %}`` into plain Jinja
  (docxtpl's ``patch_xml``);
* compares the styles it uses with base.docx's: one it redefines is renamed ``Table Title
  (table-01-summary)`` and added (decision 10), one base.docx lacks is added as it is; one it carries as
  the default templates ship it is base.docx's, so a style changed in base.docx reaches every part that
  did not change it itself (decision 76);
* gives images, hyperlinks and other related parts relationship ids and part names of their own, so a
  rendered part is copied into the report without any style or relationship work;
* notes the numbering it uses (restarted in every rendered part, as docxcompose did), the rules its
  rendered XML needs (merged cells, column loops, drawings, bookmarks), and what it cannot keep
  (footnotes, comments, its own headers and footers: the report's come from base.docx);
* compiles the Jinja source in the sandbox (:mod:`.sandbox`).

Compiled templates are kept per process, keyed by content (a batch or the five performance sheets compile
once), and on disk (:mod:`.cache`) for the next process.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections import OrderedDict
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from types import CodeType

from jinja2 import Template as JinjaTemplate
from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import TemplateSyntaxError
from lxml import etree

from .limits import LimitExceeded, RenderLimits
from .merges import MergePlanError, apply_merge_plans, plan_merges
from .oxml import (
    IGNORED_STYLE_TAGS,
    W_BOOKMARK_START,
    W_NS,
    W_P,
    W_STYLE,
    W_STYLE_ID,
    W_T,
    W_TC,
    W_VAL,
    qn,
    rename_style,
    same_element,
    style_name,
    style_references,
)
from .package import (
    RT_FOOTER,
    RT_HEADER,
    RT_IMAGE,
    RT_NUMBERING,
    RT_STYLES,
    Package,
    Relationship,
    parse_xml,
    read_template_file,
    rels_name,
    rels_xml,
)
from .sandbox import ENVIRONMENT
from .templates import TemplateError, default_template_dir

#: bumped whenever what this module produces changes (it is part of every cache key)
ENGINE_VERSION = "5"

W_BODY, W_SECTPR = qn("w:body"), qn("w:sectPr")
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_IGNORABLE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Ignorable"
CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"

#: references a part cannot keep: the report has one set of notes and comments (none), and base.docx's
#: headers and footers
_DROPPED = {
    qn("w:footnoteReference"): "footnotes",
    qn("w:endnoteReference"): "endnotes",
    qn("w:commentReference"): "comments",
    qn("w:commentRangeStart"): "comments",
    qn("w:commentRangeEnd"): "comments",
    qn("w:headerReference"): None,
    qn("w:footerReference"): None,
}
_CELL_LOOPS = re.compile(r"\{%-?\s*(?:tc\s|hm\b|colspan\b|cellbg\b)")
_DRAWING_IDS = (qn("wp:docPr"), qn("pic:cNvPr"))


def content_key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class PartCopy:
    """A part of a template copied into the report (an image, a chart) under its own name."""

    name: str
    data: bytes
    content_type: str | None


@dataclass(frozen=True)
class StyleAddition:
    """A style the report gets from a template; ``num_ids`` are the template's numbering it refers to."""

    style_id: str
    xml: bytes
    num_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TemplateNumbering:
    """The template's numbering its paragraphs and styles use: numId → abstractNumId, and their XML."""

    nums: dict[str, str]
    num_xml: dict[str, bytes]
    abstracts: dict[str, bytes]


@dataclass
class CompiledTemplate:
    """A template ready to render: its Jinja code and everything the report needs from it."""

    name: str
    key: str
    source: str
    code: CodeType
    namespaces: dict[str, str] = field(default_factory=dict)
    ignorable: tuple[str, ...] = ()
    styles: tuple[StyleAddition, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    parts: tuple[PartCopy, ...] = ()
    numbering: TemplateNumbering | None = None
    #: output style id → ("master" | "template", numId) of numbered styles restarted in every part
    restart_styles: dict[str, tuple[str, str]] = field(default_factory=dict)
    merges: bool = False
    cell_loops: bool = False
    drawings: bool = False
    bookmarks: bool = False
    #: namespaces the rendered body elements use (those declared on the template's w:body)
    body_namespaces: dict[str, str] = field(default_factory=dict)
    #: what the template had that the report cannot keep ("footnotes", "headers and footers" …)
    dropped: tuple[str, ...] = ()
    _template: JinjaTemplate | None = None

    @property
    def template(self) -> JinjaTemplate:
        if self._template is None:
            self._template = ENVIRONMENT.template_from_code(self.code)
        return self._template

    @property
    def uses_numbering(self) -> bool:
        return bool(self.numbering and self.numbering.nums) or bool(self.restart_styles)

    @property
    def element_rules(self) -> bool:
        """Whether rendered elements need rules besides the first paragraph's (merges, ids, grids, lists)."""
        return self.merges or self.cell_loops or self.drawings or self.bookmarks or self.uses_numbering


@dataclass
class Master:
    """``base.docx``: the package every report starts from."""

    key: str
    document: str  # its main part, normally word/document.xml
    root_attributes: dict[str, str]
    namespaces: dict[str, str]
    before_body: bytes  # children of w:document before w:body (a background), serialised
    section: bytes  # the body's w:sectPr, serialised
    styles_part: str
    styles: bytes
    numbering_part: str | None
    numbering: bytes | None
    relationships: dict[str, Relationship]
    content_types: bytes
    core_part: str | None
    core: bytes | None
    headers_footers: dict[str, CompiledTemplate]  # part name → compiled XML part
    verbatim: dict[str, bytes]  # every other part, copied as it is
    style_ids: dict[str, etree._Element]
    style_names: dict[str, str]  # name → id


# --------------------------------------------------------------------------- Jinja source


def _patch(xml: str) -> str:
    """docxtpl's clean-up of template XML, then one line per paragraph so Jinja errors have useful lines."""
    from docxtpl import DocxTemplate  # imported only when a template is compiled, not found in a cache

    patched = DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]  # uses no instance state
    # docxtpl unescapes &lt; and &gt; inside tags, not &amp;: {{ "R&D" }} would print R&amp;D
    patched = _TAG_TEXT.sub(lambda m: m.group(0).replace("&amp;", "&"), patched)
    return re.sub(r"<w:p([ >])", "<w:p\n\\1", patched)


_TAG_TEXT = re.compile(r"\{%(?:(?!%\}).)*%\}|\{\{(?:(?!\}\}).)*\}\}", re.DOTALL)


def text_near(source: str, line: int) -> str:
    """The text (tags removed) of the lines around ``line`` of a template's Jinja source."""
    lines = source.splitlines()
    around = " ".join(re.sub(r"<[^>]+>", "", text) for text in lines[max(0, line - 3): line + 2])
    return re.sub(r"\s+", " ", around).strip()[:120]


def _compile_source(source: str, name: str) -> CodeType:
    try:
        return ENVIRONMENT.compile_guarded(source)
    except TemplateSyntaxError as exc:
        near = text_near(source, exc.lineno) if exc.lineno else ""
        raise TemplateError(f"template {name}: {exc.message} (line {exc.lineno} of its XML"
                            + (f", near “{near}”)" if near else ")")) from None
    except JinjaTemplateError as exc:
        raise TemplateError(f"template {name}: {exc}") from None
    except RecursionError:
        raise TemplateError(f"template {name}: its tags are nested too deeply") from None


# --------------------------------------------------------------------------- base.docx


def compile_master(data: bytes, limits: RenderLimits) -> Master:
    """Read ``base.docx``: what every report takes from it (see :class:`Master`)."""
    name = "base.docx"
    package = Package(data, name, limits)
    root = package.xml(package.document)
    body = root.find(W_BODY) if root is not None else None
    if body is None:
        raise TemplateError(f"template {name}: cannot be used as a Word template (its document has no body)")
    sections = body.findall(W_SECTPR)
    section = etree.tostring(sections[-1], encoding="unicode") if sections else "<w:sectPr/>"
    before = b"".join(etree.tostring(child) for child in root if child.tag != W_BODY and isinstance(child.tag, str))
    styles_part = package.related(package.document, RT_STYLES) or "word/styles.xml"
    styles_root = package.xml(styles_part)
    if styles_root is None:
        raise TemplateError(f"template {name}: has no styles (word/styles.xml); it is the report's style sheet")
    numbering_part = package.related(package.document, RT_NUMBERING)
    relationships = package.rels(package.document)
    headers_footers = {}
    for rel in relationships.values():
        if rel.type in (RT_HEADER, RT_FOOTER) and not rel.external:
            part = rel.target_part(package.document)
            xml = package.xml(part)
            if xml is not None:
                _strip_unique_ids(xml)
                source = _patch(etree.tostring(xml, encoding="unicode"))
                headers_footers[part] = CompiledTemplate(f"{name} ({part})", content_key(source), source,
                                                         _compile_source(source, f"{name} ({part})"))
    core_part = None
    for rel in package.rels("").values():
        if rel.type == CORE_PROPERTIES and not rel.external:
            core_part = rel.target_part("")
    special = {package.document, rels_name(package.document), styles_part, numbering_part, core_part,
               "[Content_Types].xml", *headers_footers}
    verbatim = {}
    for part in package.names():
        if part not in special and not part.endswith("/"):
            verbatim[part] = package.read(part) or b""
    fields = dict(
        key=content_key(ENGINE_VERSION, data),
        document=package.document,
        root_attributes={k: v for k, v in root.attrib.items()},
        namespaces={k: v for k, v in root.nsmap.items() if k},
        before_body=before,
        section=section.encode(),
        styles_part=styles_part,
        styles=package.read(styles_part) or b"",
        numbering_part=numbering_part,
        numbering=package.read(numbering_part) if numbering_part else None,
        content_types=package.read("[Content_Types].xml") or b"",
        core_part=core_part,
        core=package.read(core_part) if core_part else None,
        verbatim=verbatim,
    )
    return master_from_parts(fields, headers_footers, relationships)


def master_from_parts(fields: dict, headers_footers: dict[str, CompiledTemplate],
                      relationships: dict[str, Relationship]) -> Master:
    """A :class:`Master` from its stored fields (the style look-ups are made from its styles)."""
    styles_root = parse_xml(fields["styles"], "base.docx styles")
    style_ids = {el.get(W_STYLE_ID): el for el in styles_root.iter(W_STYLE)}
    return Master(**fields, headers_footers=headers_footers, relationships=relationships, style_ids=style_ids,
                  style_names={style_name(el) or "": sid for sid, el in style_ids.items()})


# --------------------------------------------------------------------------- a part's template


def _jinja(body: etree._Element, name: str) -> tuple[str, CodeType, bool]:
    """The Jinja source and code of a part's ``body``, and whether merged cells are left to the rule on
    rendered rows: those of tables with a repeated row are decided by the code itself (:mod:`.merges`)."""
    plain = _patch(etree.tostring(body, encoding="unicode"))
    if "merge-repeated" not in plain:
        return plain, _compile_source(plain, name), False
    planned = deepcopy(body)
    plans, left = plan_merges(planned)
    if plans:
        try:
            source = apply_merge_plans(_patch(etree.tostring(planned, encoding="unicode")), plans)
            return source, _compile_source(source, name), left > 0
        except (MergePlanError, TemplateError):
            pass  # the template's own errors are reported on its own source, below
    return plain, _compile_source(plain, name), True


_PLAIN_BLOCK = re.compile(r"\{%-?\s*(for|if|endfor|endif)\b")


def plain_blocks_in_cells(root: etree._Element) -> Iterator[str]:
    """Plain for/if blocks opened in a table cell and not closed in it."""
    for cell in root.iter(W_TC):
        text = "".join(t.text or "" for t in cell.iter(W_T))
        opened = {"for": 0, "if": 0}
        for match in _PLAIN_BLOCK.finditer(text):
            word = match.group(1)
            if word in opened:
                opened[word] += 1
            else:
                opened[word[3:]] -= 1
        if any(opened.values()):
            yield text.strip()[:60]


def plain_block_problem(cell: str) -> str:
    return (f"a plain {{% for %}} or {{% if %}} in the table cell {cell!r} is closed in another cell; repeat rows "
            "with {%tr for … %}")


def _strip_unique_ids(root: etree._Element) -> None:
    """Word's paragraph ids (w14:paraId, w14:textId) must be unique in a document; a repeated part would repeat
    them, and they are optional, so they go."""
    for el in root.iter(W_P):
        for attribute in (f"{{{W14_NS}}}paraId", f"{{{W14_NS}}}textId"):
            el.attrib.pop(attribute, None)


def _drop_references(body: etree._Element) -> list[str]:
    dropped = []
    for el in list(body.iter(*_DROPPED)):
        what = _DROPPED[el.tag]
        if what and what not in dropped:
            dropped.append(what)
        parent = el.getparent()
        # a note reference sits in a run of its own: remove the run, not only the reference
        if what in ("footnotes", "endnotes", "comments") and parent is not None and parent.tag == qn("w:r") \
                and len(parent) <= 2 and parent.getparent() is not None:
            parent.getparent().remove(parent)
        elif parent is not None:
            parent.remove(el)
    for section in body.findall(W_SECTPR):  # the page setup of the report is base.docx's
        body.remove(section)
    breaks = list(body.iter(W_SECTPR))  # a section break (in a paragraph's properties) would set the page
    for section in breaks:              # setup of the whole report before it
        section.getparent().remove(section)
    if breaks:
        dropped.append("section breaks")
    return dropped


_PAGE_ATTRIBUTES = {qn("w:pgSz"): (qn("w:w"), qn("w:h"), qn("w:orient")),
                    qn("w:pgMar"): (qn("w:top"), qn("w:bottom"), qn("w:left"), qn("w:right"))}


def page_setup(section: etree._Element | None) -> tuple | None:
    """A section's page size, orientation and four margins, comparable (None without a section). The header and
    footer distances are left out: LibreOffice rewrites them when it saves a part."""
    if section is None:
        return None
    return tuple(tuple(el.get(name) if el is not None else None for name in names)
                 for tag, names in _PAGE_ATTRIBUTES.items() for el in [section.find(tag)])


def _master_page_setup(master: Master) -> tuple | None:
    try:
        return page_setup(etree.fromstring(master.section))
    except etree.XMLSyntaxError:  # base.docx without a section: "<w:sectPr/>", no namespace declared
        return None


def _style_dependencies(style: etree._Element) -> list[str]:
    return [el.get(W_VAL) for tag in ("w:basedOn", "w:link", "w:next") for el in style.findall(qn(tag))
            if el.get(W_VAL)]


def _num_ids(root: etree._Element) -> list[str]:
    ids = [el.get(W_VAL) for el in root.iter(qn("w:numId"))]
    return list(dict.fromkeys(i for i in ids if i and i != "0"))


@functools.lru_cache(maxsize=1)
def shipped_master() -> Master | None:
    """The bundled base.docx, compiled: the styles and page setup every part of ``templates export`` carries
    until its maintainer changes them in it (None when it cannot be read)."""
    limits = RenderLimits()
    try:
        return master_for(read_template_file(default_template_dir() / "base.docx", limits.template_media_bytes), limits)
    except TemplateError:
        return None


def _analyse_styles(body: etree._Element, package: Package, master: Master, stem: str
                    ) -> tuple[list[StyleAddition], dict[str, str]]:
    """The styles the part adds to the report, and the renaming of the references in its body.

    A style the part defines as base.docx does is base.docx's; so is one it defines as the bundled base.docx
    does (it came with ``templates export`` and was changed, if at all, in base.docx: decision 76). Any other
    definition is the part's own, added under a name of its own.
    """
    shipped_base = shipped_master()
    shipped = shipped_base.style_ids if shipped_base is not None else {}
    styles_part = package.related(package.document, RT_STYLES)
    styles_root = package.xml(styles_part) if styles_part else None
    theirs = {el.get(W_STYLE_ID): el for el in styles_root.iter(W_STYLE)} if styles_root is not None else {}
    used = list(dict.fromkeys(ref.get(W_VAL) for ref in style_references(body) if ref.get(W_VAL)))
    additions: dict[str, etree._Element] = {}
    mapping: dict[str, str] = {}

    def add_as_is(style_id: str) -> None:
        if style_id in additions or style_id in master.style_ids or style_id not in theirs:
            return
        additions[style_id] = deepcopy(theirs[style_id])
        for dependency in _style_dependencies(theirs[style_id]):
            add_as_is(dependency)

    for style_id in used:
        other = theirs.get(style_id)
        if other is None:
            continue
        ours_id = style_id if style_id in master.style_ids else master.style_names.get(style_name(other) or "")
        if ours_id is None:
            add_as_is(style_id)
            continue
        ours = master.style_ids[ours_id]
        candidate = deepcopy(other)
        candidate.set(W_STYLE_ID, ours_id)
        as_shipped = shipped.get(ours_id)
        if same_element(ours, candidate, IGNORED_STYLE_TAGS) or (
                as_shipped is not None and same_element(as_shipped, candidate, IGNORED_STYLE_TAGS)):
            mapping[style_id] = ours_id
            continue
        new_id = f"{ours_id}-{stem}"
        rename_style(candidate, new_id, f"{style_name(ours) or ours_id} ({stem})")
        additions[new_id] = candidate
        mapping[style_id] = new_id
        for dependency in _style_dependencies(other):
            add_as_is(dependency)
    for ref in style_references(body):
        new = mapping.get(ref.get(W_VAL))
        if new is not None:
            ref.set(W_VAL, new)
    return [StyleAddition(sid, etree.tostring(el), tuple(_num_ids(el))) for sid, el in additions.items()], mapping


def _analyse_numbering(package: Package, num_ids: list[str], name: str) -> TemplateNumbering | None:
    if not num_ids:
        return None
    part = package.related(package.document, RT_NUMBERING)
    root = package.xml(part) if part else None
    if root is None:
        return None
    nums = {el.get(qn("w:numId")): el for el in root.findall(qn("w:num"))}
    abstracts = {el.get(qn("w:abstractNumId")): el for el in root.findall(qn("w:abstractNum"))}
    found_nums, num_xml, found_abstracts = {}, {}, {}
    for num_id in num_ids:
        num = nums.get(num_id)
        abstract_id = num.find(qn("w:abstractNumId")).get(W_VAL) if num is not None and \
            num.find(qn("w:abstractNumId")) is not None else None
        if abstract_id is None or abstract_id not in abstracts:
            continue
        found_nums[num_id] = abstract_id
        num_xml[num_id] = etree.tostring(num)
        found_abstracts[abstract_id] = etree.tostring(abstracts[abstract_id])
    return TemplateNumbering(found_nums, num_xml, found_abstracts) if found_nums else None


def _restart_styles(body: etree._Element, master: Master, additions: list[StyleAddition],
                    numbering: TemplateNumbering | None) -> dict[str, tuple[str, str]]:
    """Numbered paragraph styles the part uses (not headings, not bullets): their lists restart in each part."""
    added = {a.style_id: etree.fromstring(a.xml) for a in additions}
    restart = {}
    for style_id in dict.fromkeys(ref.get(W_VAL) for ref in body.iter(qn("w:pStyle"))):
        style = added.get(style_id)
        origin = "template"
        if style is None:
            style, origin = master.style_ids.get(style_id), "master"
        if style is None or style.find(f".//{qn('w:outlineLvl')}") is not None:
            continue
        num_ids = _num_ids(style)
        if not num_ids:
            continue
        if origin == "template" and (numbering is None or num_ids[0] not in numbering.nums):
            continue
        if origin == "master" and _is_bullet(master, num_ids[0]):
            continue
        restart[style_id] = (origin, num_ids[0])
    return restart


def _is_bullet(master: Master, num_id: str) -> bool:
    if master.numbering is None:
        return True
    root = parse_xml(master.numbering, "base.docx numbering")
    for num in root.findall(qn("w:num")):
        if num.get(qn("w:numId")) == num_id:
            abstract = num.find(qn("w:abstractNumId"))
            for candidate in root.findall(qn("w:abstractNum")):
                if abstract is not None and candidate.get(qn("w:abstractNumId")) == abstract.get(W_VAL):
                    fmt = candidate.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='0']/{qn('w:numFmt')}")
                    return fmt is not None and fmt.get(W_VAL) == "bullet"
    return True


class _PartCopier:
    """Copies the parts a template's body relates to, under names and relationship ids of the template's own."""

    def __init__(self, package: Package, key: str):
        self.package = package
        self.key = key
        self.relationships: list[Relationship] = []
        self.parts: dict[str, PartCopy] = {}
        self._copied: dict[str, str] = {}

    def new_id(self) -> str:
        return f"rIdT{self.key[:10]}n{len(self.relationships) + 1}"

    def relate(self, rel: Relationship, source: str) -> str:
        """A relationship of the report's document equal to ``rel`` of the template; its new id."""
        if rel.external:
            target = rel.target
        else:
            target = self.copy(rel.target_part(source), rel.type)
            target = posixpath.relpath(target, posixpath.dirname(source) or ".")
        new = Relationship(self.new_id(), rel.type, target, rel.external)
        self.relationships.append(new)
        return new.id

    def copy(self, part: str, reltype: str, depth: int = 0) -> str:
        """The name in the report of the template's ``part`` (and of the parts it relates to)."""
        if part in self._copied:
            return self._copied[part]
        data = self.package.read(part)
        if data is None:
            raise TemplateError(f"template {self.package.name}: refers to {part}, which it does not contain")
        if depth > 8:
            raise TemplateError(f"template {self.package.name}: {part} is related too deeply")
        own_rels = self.package.rels(part)
        folder, base = posixpath.split(part)
        digest = content_key(data, self.package.read(rels_name(part)) or b"")[:16]
        if reltype == RT_IMAGE:
            name = posixpath.join("word/media", f"{digest}{posixpath.splitext(base)[1].lower()}")
        else:
            name = posixpath.join(folder, f"t{digest}-{base}")
        self._copied[part] = name
        self.parts[name] = PartCopy(name, data, self.package.content_types.of(part))
        if own_rels:
            rewritten = []
            for rel in own_rels.values():
                if rel.external:
                    rewritten.append(rel)
                    continue
                target = self.copy(rel.target_part(part), rel.type, depth + 1)
                rewritten.append(Relationship(rel.id, rel.type, posixpath.relpath(target, folder or "."), False))
            self.parts[rels_name(name)] = PartCopy(rels_name(name), rels_xml(rewritten), None)
        return name


def _relate(body: etree._Element, package: Package, key: str) -> _PartCopier:
    copier = _PartCopier(package, key)
    rels = package.rels(package.document)
    remapped: dict[str, str] = {}
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        for attribute, value in el.attrib.items():
            if not attribute.startswith(f"{{{R_NS}}}"):
                continue
            if value not in remapped:
                rel = rels.get(value)
                if rel is None:
                    raise TemplateError(f"template {package.name}: refers to the relationship {value}, "
                                        "which it does not have")
                if rel.type in (RT_HEADER, RT_FOOTER):
                    continue
                remapped[value] = copier.relate(rel, package.document)
            el.set(attribute, remapped[value])
    return copier


def compile_part(data: bytes, name: str, master: Master, limits: RenderLimits) -> CompiledTemplate:
    """Compile the template file ``name`` (its bytes ``data``) for reports on ``master`` (see the module)."""
    key = content_key(ENGINE_VERSION, name, data, master.key)
    package = Package(data, name, limits)
    root = package.xml(package.document)
    body = root.find(W_BODY) if root is not None else None
    if body is None:
        raise TemplateError(f"template {name}: cannot be used as a Word template (its document has no body)")
    stem = posixpath.splitext(posixpath.basename(name))[0]
    for cell in plain_blocks_in_cells(body):  # Jinja would take it, and print an empty row after every row
        raise TemplateError(f"template {name}: {plain_block_problem(cell)}")
    own_page = page_setup(body.find(W_SECTPR))
    dropped = _drop_references(body)
    shipped = shipped_master()
    if own_page is not None and own_page not in (_master_page_setup(master),
                                                 _master_page_setup(shipped) if shipped is not None else None):
        dropped.append("page setup")
    if any(rel.type in (RT_HEADER, RT_FOOTER) for rel in package.rels(package.document).values()):
        dropped.append("headers and footers")
    _strip_unique_ids(body)
    additions, _ = _analyse_styles(body, package, master, stem)
    copier = _relate(body, package, key)
    num_ids = _num_ids(body)
    for addition in additions:
        num_ids.extend(i for i in addition.num_ids if i not in num_ids)
    numbering = _analyse_numbering(package, num_ids, name)
    restart = _restart_styles(body, master, additions, numbering)
    standalone = deepcopy(body)  # declaring only the namespaces it uses: each rendered element repeats them
    etree.cleanup_namespaces(standalone)
    source, code, merges = _jinja(standalone, name)
    ignorable = tuple((root.get(MC_IGNORABLE) or "").split())
    return CompiledTemplate(
        name=name,
        key=key,
        source=source,
        code=code,
        namespaces={k: v for k, v in root.nsmap.items() if k},
        ignorable=ignorable,
        styles=tuple(additions),
        relationships=tuple(copier.relationships),
        parts=tuple(copier.parts.values()),
        numbering=numbering,
        restart_styles=restart,
        merges=merges,
        cell_loops=bool(_CELL_LOOPS.search(source)),
        drawings=any(True for _ in body.iter(*_DRAWING_IDS)),
        bookmarks=any(True for _ in body.iter(W_BOOKMARK_START)),
        body_namespaces={k: v for k, v in standalone.nsmap.items() if k},
        dropped=tuple(dropped),
    )


# --------------------------------------------------------------------------- caches


class _Cache(OrderedDict):
    """The last ``size`` compiled templates of this process, by content key."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def remember(self, key: str, value):
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


_MASTERS = _Cache(16)
_PARTS = _Cache(256)


def master_for(data: bytes, limits: RenderLimits) -> Master:
    key = content_key(ENGINE_VERSION, data)
    found = _MASTERS.get(key)
    if found is not None:
        return found
    from . import cache

    master = cache.load_master(key)
    if master is None:
        master = compile_master(data, limits)
        cache.store_master(key, master)
    return _MASTERS.remember(key, master)


def template_for(data: bytes, name: str, master: Master, limits: RenderLimits) -> CompiledTemplate:
    key = content_key(ENGINE_VERSION, name, data, master.key)
    found = _PARTS.get(key)
    if found is not None:
        return found
    from . import cache

    compiled = cache.load_template(key)
    if compiled is None:
        compiled = compile_part(data, name, master, limits)
        cache.store_template(key, compiled)
    return _PARTS.remember(key, compiled)


__all__ = [
    "CompiledTemplate",
    "LimitExceeded",
    "Master",
    "PartCopy",
    "StyleAddition",
    "TemplateNumbering",
    "W_NS",
    "compile_master",
    "compile_part",
    "master_for",
    "template_for",
    "text_near",
]
