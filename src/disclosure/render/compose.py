"""The report as one Word package: every part rendered and streamed, in profile order, into ``word/document.xml``.

* ``base.docx`` supplies the page setup, the headers and footers (rendered with the base context), the
  styles and the numbering; its body is ignored;
* each :class:`RenderJob` renders its compiled template (:mod:`.compiler`) to XML in the sandbox
  (:mod:`.sandbox`), in batches written into the zip as they come, so memory never holds the document.
  A part whose elements need rules (:mod:`.oxml`: merged cells, column grids, unique bookmark, drawing
  and numbering ids) is parsed with lxml — at once when small, else one body element (a paragraph, a
  table) at a time — and each element is serialised after its rules; any other part is written as
  rendered, checked well-formed by a parser that builds no tree. Either way the part's first paragraph
  gets its page break and bookmark, and tabs and newlines in values become Word tabs and breaks;
* ``styles.xml``, ``numbering.xml``, the relationships and content types of base.docx are extended with
  what the compiled templates noted, and ``docProps/core.xml`` gets the report's title, author, subject
  and keywords.

Nothing is written until :meth:`RenderedReport.write`; a template error raised there names the template.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, BinaryIO

from jinja2 import TemplateError as JinjaTemplateError
from lxml import etree

from ..heap import kept_until_done
from .compiler import MC_IGNORABLE, CompiledTemplate, Master, master_for, template_for, text_near
from .limits import LimitExceeded, RenderLimits
from .oxml import (
    PPR_ORDER,
    W_BOOKMARK_END,
    W_BOOKMARK_START,
    W_ID,
    W_NAME,
    W_NS,
    W_P,
    W_TBL,
    W_VAL,
    add_bookmark,
    apply_merge_captions,
    element,
    fit_grid,
    get_or_add,
    qn,
    set_page_break_before,
    split_tabs_and_breaks,
    xml_safe,
)
from .package import (
    CT_NUMBERING,
    PACKAGE_RELS,
    RT_NUMBERING,
    ContentTypes,
    PackageWriter,
    Relationship,
    parse_rels,
    read_template_file,
    rels_name,
    rels_xml,
    xml_bytes,
)
from .sandbox import budget_for
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


#: a character XML cannot hold (or a carriage return), as json.dumps writes it
_UNSAFE_IN_JSON = re.compile(r"\\u00(?:0[0-8bef]|1[0-9a-f])|\\[bfr]|[\ufffe\uffff]")


def xml_safe_context(value: Any) -> Any:
    """The context with every string stripped of characters XML cannot hold (the loader refuses them in
    files; this protects Python callers who build a model by hand).

    A context without such a character is returned as it is, found so by one search of its JSON text (a
    context of thousands of rows is not walked in Python); otherwise a copy is cleaned.
    """
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # objects a Python caller put in: look at every string
        return _cleaned(value)
    # json.dumps escapes such a character with a backslash: most contexts have none, found by a C scan
    unsafe = ("\\" in text and _UNSAFE_IN_JSON.search(text)) or "\ufffe" in text or "\uffff" in text
    return _cleaned(value) if unsafe else value


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    return value


# --------------------------------------------------------------------------- reading templates


def read_template(templates: TemplateSet, name: str, limits: RenderLimits) -> bytes:
    return read_template_file(templates.path(name), limits.template_media_bytes)


def compile_templates(templates: TemplateSet, names: Iterable[str], limits: RenderLimits
                      ) -> tuple[Master, dict[str, CompiledTemplate]]:
    """base.docx and every template of ``names``, compiled (from the caches where they are)."""
    master = master_for(read_template(templates, "base.docx", limits), limits)
    compiled = {}
    for name in dict.fromkeys(names):
        compiled[name] = template_for(read_template(templates, name, limits), name, master, limits)
    return master, compiled


# --------------------------------------------------------------------------- numbering and styles


class _Numbering:
    """``numbering.xml`` of the report: base.docx's, plus the lists of the parts (restarted in each part)."""

    def __init__(self, master: Master):
        from .package import parse_xml

        self.root = parse_xml(master.numbering, "base.docx numbering") if master.numbering else \
            etree.Element(qn("w:numbering"), nsmap={"w": W_NS})
        nums = [int(n.get(qn("w:numId"), "0")) for n in self.root.findall(qn("w:num"))]
        abstracts = [int(a.get(qn("w:abstractNumId"), "0")) for a in self.root.findall(qn("w:abstractNum"))]
        self._next_num = max(nums, default=0) + 1
        self._next_abstract = max(abstracts, default=-1) + 1
        self._abstracts: dict[tuple[str, str], str] = {}
        self._style_nums: dict[tuple[str, str], str] = {}
        self.used = False

    def _insert(self, el: etree._Element, after: str) -> None:
        found = self.root.findall(qn(after))
        if found:
            found[-1].addnext(el)
        elif after == "w:abstractNum":
            self.root.insert(len(self.root.findall(qn("w:numPicBullet"))), el)
        else:
            self.root.append(el)
        self.used = True

    def _abstract(self, compiled: CompiledTemplate, abstract_id: str) -> str:
        key = (compiled.key, abstract_id)
        if key not in self._abstracts:
            el = etree.fromstring(compiled.numbering.abstracts[abstract_id])  # type: ignore[union-attr]
            new = str(self._next_abstract)
            self._next_abstract += 1
            el.set(qn("w:abstractNumId"), new)
            nsid = el.find(qn("w:nsid"))
            if nsid is not None:  # a list of its own for Word: a new, reproducible identifier
                nsid.set(W_VAL, hashlib.sha256(f"{compiled.key}{abstract_id}".encode()).hexdigest()[:8].upper())
            self._insert(el, "w:abstractNum")
            self._abstracts[key] = new
        return self._abstracts[key]

    def _num(self, abstract_id: str, template_num: bytes | None, restart_start: str | None) -> str:
        num = etree.fromstring(template_num) if template_num else element("w:num")
        new = str(self._next_num)
        self._next_num += 1
        num.set(qn("w:numId"), new)
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            ref = element("w:abstractNumId")
            num.insert(0, ref)
        ref.set(W_VAL, abstract_id)
        if restart_start is not None and not any(o.get(qn("w:ilvl")) == "0" for o in num.findall(qn("w:lvlOverride"))):
            override = etree.SubElement(num, qn("w:lvlOverride"))
            override.set(qn("w:ilvl"), "0")
            etree.SubElement(override, qn("w:startOverride")).set(W_VAL, restart_start)
        self._insert(num, "w:num")
        return new

    def _start_of(self, abstract_id: str) -> str:
        for abstract in self.root.findall(qn("w:abstractNum")):
            if abstract.get(qn("w:abstractNumId")) == abstract_id:
                start = abstract.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='0']/{qn('w:start')}")
                return start.get(W_VAL, "1") if start is not None else "1"
        return "1"

    def part_num(self, compiled: CompiledTemplate, num_id: str) -> str | None:
        """A new list, restarted, for a part's paragraphs numbered ``num_id`` in its template."""
        numbering = compiled.numbering
        if numbering is None or num_id not in numbering.nums:
            return None
        abstract = self._abstract(compiled, numbering.nums[num_id])
        return self._num(abstract, numbering.num_xml[num_id], self._start_of(abstract))

    def style_num(self, compiled: CompiledTemplate, num_id: str) -> str | None:
        """The report's list for the template's ``num_id`` used by a style the template adds (one per report)."""
        key = (compiled.key, num_id)
        if key not in self._style_nums:
            numbering = compiled.numbering
            if numbering is None or num_id not in numbering.nums:
                return None
            abstract = self._abstract(compiled, numbering.nums[num_id])
            self._style_nums[key] = self._num(abstract, numbering.num_xml[num_id], None)
        return self._style_nums[key]

    def restart(self, compiled: CompiledTemplate, origin: str, num_id: str) -> str | None:
        """A restarted copy of the list of a numbered style (base.docx's or the template's)."""
        if origin == "template":
            num_id = self.style_num(compiled, num_id) or ""
        for num in self.root.findall(qn("w:num")):
            if num.get(qn("w:numId")) == num_id:
                abstract = num.find(qn("w:abstractNumId"))
                if abstract is not None:
                    return self._num(abstract.get(W_VAL, "0"), None, self._start_of(abstract.get(W_VAL, "0")))
        return None

    def to_xml(self) -> bytes:
        return xml_bytes(self.root)


def _styles_xml(master: Master, compiled: Iterable[CompiledTemplate], numbering: _Numbering) -> bytes:
    """base.docx's styles and, once each, those the templates add (their numbering mapped to the report's)."""
    from .package import parse_xml

    root = parse_xml(master.styles, "base.docx styles")
    present = set(master.style_ids)
    for template in compiled:
        for addition in template.styles:
            if addition.style_id in present:
                continue
            present.add(addition.style_id)
            style = etree.fromstring(addition.xml)
            for ref in style.iter(qn("w:numId")):
                mapped = numbering.style_num(template, ref.get(W_VAL, ""))
                if mapped is not None:
                    ref.set(W_VAL, mapped)
            root.append(style)
    return xml_bytes(root)


# --------------------------------------------------------------------------- the document part


def has_tabs_or_breaks(text: str) -> bool:
    """Whether rendered XML holds a tab or a newline other than those the compiler puts in ``<w:p\n``."""
    return "\t" in text or text.count("\n") > text.count("<w:p\n")


_DECLARATIONS = re.compile(rb'^(<[^\s>/]+)((?:\s+xmlns(?::[\w.-]+)?="[^"]*")+)')
_BATCH_CHUNKS = 2048  # Jinja's output pieces handed on at a time (typically 50-150 KB)
#: a part needing element rules that renders less than this is parsed in one go
_WHOLE_PART = 1 << 20


class _Output:
    """Bytes for ``word/document.xml``, written to the zip stream in blocks of a megabyte."""

    def __init__(self, stream: BinaryIO, declared: dict[str | None, str]):
        self.stream = stream
        self.pending: list[bytes | memoryview] = []
        self.size = 0
        self.seconds = 0.0
        self._declared = {(f"xmlns:{p}" if p else "xmlns", u) for p, u in declared.items()}
        self._stripped: dict[bytes, bytes] = {}

    def write(self, data: bytes | memoryview) -> None:
        self.pending.append(data)
        self.size += len(data)
        if self.size >= 1 << 20:
            self.flush()

    def element(self, el: etree._Element) -> None:
        """``el`` serialised without the namespace declarations the document element already makes."""
        data = etree.tostring(el, encoding="UTF-8", with_tail=False)
        match = _DECLARATIONS.match(data)
        if match:
            declarations = match.group(2)
            kept = self._stripped.get(declarations)
            if kept is None:
                pairs = re.findall(rb'\s+(xmlns(?::[\w.-]+)?)="([^"]*)"', declarations)
                kept = b"".join(b' %s="%s"' % (name, uri) for name, uri in pairs
                                if (name.decode(), uri.decode()) not in self._declared)
                self._stripped[declarations] = kept
            self.write(match.group(1))
            self.write(kept)
            data = memoryview(data)[match.end():]  # type: ignore[assignment]
        self.write(data)

    def flush(self) -> None:
        start = time.perf_counter()
        self.stream.write(b"".join(self.pending))
        self.seconds += time.perf_counter() - start
        self.pending.clear()
        self.size = 0


@dataclass
class _Ids:
    """Numbers that must be unique in the whole document: bookmarks and drawings (names of bookmarks too)."""

    bookmark: int = -1  # the first is 0, as docxcompose numbered them
    drawing: int = 0
    picture: int = 0
    bookmark_names: set[str] = field(default_factory=set)

    def next_bookmark(self) -> int:
        self.bookmark += 1
        return self.bookmark


_W_NUMID, _W_NUMPR, _W_PSTYLE = qn("w:numId"), qn("w:numPr"), qn("w:pStyle")
_DOCPR, _CNVPR = qn("wp:docPr"), qn("pic:cNvPr")


_BODY_END = b"</w:body>"
#: a tag's name (the bytes of a name other than ASCII are taken as name characters)
_TAG_NAME = re.compile(rb"<([\w.\x80-\xff-]+(?::[\w.\x80-\xff-]+)?)")
_T_WITH_BREAKS = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*[\t\n][^<]*)</w:t>")


def _element_end(text: bytes, start: int, name: bytes) -> int | None:
    """The end of the element ``name`` starting at ``start`` in ``text`` (None if ``text`` stops before it)."""
    depth = 0
    for match in _element_tags(name).finditer(text, start):
        if match.group(1):
            depth -= 1
        elif not match.group(2):
            depth += 1
        if depth == 0:
            return match.end()
    return None


@functools.lru_cache(maxsize=64)
def _element_tags(name: bytes) -> re.Pattern[bytes]:
    """The start, end and empty tags of elements ``name``."""
    return re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s/>])[^>]*?(/?)>")


def _after_spaces(text: bytes, position: int) -> int:
    """The position of the first character at or after ``position`` in UTF-8 ``text`` that is not a space (a
    space other than ASCII too: U+3000 typed before a part's first paragraph is left out, not written into the
    body as text)."""
    while position < len(text):
        byte = text[position]
        if byte < 0x80:
            if not chr(byte).isspace():
                return position
            position += 1
            continue
        end = position + 1
        while end < len(text) and 0x80 <= text[end] < 0xC0:  # the continuation bytes of the character
            end += 1
        try:
            if not text[position:end].decode("utf-8").isspace():
                return position
        except UnicodeDecodeError:  # cut off at the end of what has come so far
            return position
        position = end
    return position


#: a prefix in a tag or attribute name (text that merely looks like one is harmless: see _wrapper)
_PREFIX = re.compile(rb"[<\s/]([A-Za-z_][\w.\x80-\xff-]*):[A-Za-z_]")


def _split_text_breaks(match: re.Match[bytes]) -> bytes:
    """A ``w:t`` whose text holds tabs or newlines, as ``w:t``, ``w:tab`` and ``w:br`` (as split_tabs_and_breaks)."""
    out = []
    for piece in re.split(rb"([\t\n])", match.group(1)):
        if piece == b"\t":
            out.append(b"<w:tab/>")
        elif piece == b"\n":
            out.append(b"<w:br/>")
        elif piece:
            out.append(b'<w:t xml:space="preserve">%s</w:t>' % piece)
    return b"".join(out)


_ELEMENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class _Validator:
    """A parser that only checks the XML is well-formed, building no tree (a quarter of the cost)."""

    def close(self) -> None:
        return None


class _Part:
    """One job being rendered: its XML rules, applied to each body element as it arrives.

    Most parts need no rule but the first paragraph's page break and bookmark: their XML is written as Jinja
    renders it (only checked to be well-formed, by a parser that builds no tree), and only the first
    paragraph is parsed and changed. Parts whose elements need rules (merged cells, ids, column grids,
    lists) are parsed one body element at a time.
    """

    def __init__(self, report: _Report, job: RenderJob, compiled: CompiledTemplate):
        self.report = report
        self.job = job
        self.compiled = compiled
        self.started = False
        self.leading: list[etree._Element] = []
        self.listing = False
        self.bookmarks: dict[str, str] = {}
        self.nums: dict[str, str] = {}
        self.restarted: set[str] = set()
        self.raw = not compiled.element_rules and all(
            report.namespaces.get(prefix) == uri for prefix, uri in compiled.body_namespaces.items())

    def render(self, context: dict[str, Any]) -> None:
        """Render the part with ``context``: Jinja's output, in batches, to the XML rules and the document."""
        limits = self.report.limits
        produced = 0  # characters of XML, counted against the part's limit
        feed = self._raw() if self.raw else self._tree()
        next(feed)
        with budget_for(limits) as budget:
            chunks = self.compiled.template.generate(context)
            while batch := list(islice(chunks, _BATCH_CHUNKS)):  # taken and joined in C, not one by one
                text = "".join(batch)
                produced += len(text)
                if produced > limits.part_bytes:
                    raise LimitExceeded(f"produced more than {limits.part_bytes // (1024 * 1024)} MiB of XML, "
                                        "the limit of one part (set DISCLOSURE_PART_MEGABYTES to allow more)")
                budget.check_time()
                feed.send(text)
            with contextlib.suppress(StopIteration):  # the consumer ends when told the text is complete
                feed.send(None)

    def _tree(self):
        """Receives rendered text (None at the end); parses it one body element at a time, with the rules.

        A part of less than a megabyte (most) is parsed at once when it is complete, which is faster; a
        larger one is parsed as it comes, each body element handled and dropped when the next begins.
        """
        buffered: list[bytes] | None = []
        size = 0
        parser = None
        body = None
        while True:
            text = yield
            final = text is None
            if not final:
                if not self.listing and has_tabs_or_breaks(text):
                    self.listing = True
                data = text.encode("utf-8")
                if buffered is not None:
                    buffered.append(data)
                    size += len(data)
                    if size < _WHOLE_PART:
                        continue
                    parser = etree.XMLPullParser(events=("start",), tag=qn("w:body"), resolve_entities=False,
                                                 no_network=True, load_dtd=False)
                    data, buffered = b"".join(buffered), None
                parser.feed(data)  # type: ignore[union-attr]
            elif buffered is not None:  # the whole part is here
                body = etree.fromstring(b"".join(buffered), _ELEMENT_PARSER)
                for child in body:
                    self.element(child)
                self.finish()
                return
            else:
                parser.close()  # type: ignore[union-attr]
            if body is None:
                for _event, el in parser.read_events():  # type: ignore[union-attr]
                    body = el
            while body is not None and len(body) > (0 if final else 1):
                child = body[0]
                self.element(child)
                child.clear()  # emptied first: removing a whole subtree from a tree being parsed is slow
                body.remove(child)
            if final:
                self.finish()
                return

    def _raw(self):
        """Receives rendered text (None at the end); writes it as it is, after the first paragraph's rules.

        The text is encoded once and handled as UTF-8 bytes: checked to be well-formed, cut where a tag
        begins, written.
        """
        validator = etree.XMLParser(target=_Validator(), resolve_entities=False, no_network=True, load_dtd=False)
        out = self.report.out
        opening = None  # the body's start tag, which is not written (the document has its own)
        held = b""  # text not yet written: an unfinished tag or w:t, and the body's end tag
        head = b""  # text before the first paragraph or table, while it is looked for
        while True:
            text = yield
            final = text is None
            if final:
                validator.close()
                data = held
            else:
                data = text.encode("utf-8")
                validator.feed(data)
                if held:
                    data = held + data
            if opening is None:
                end = data.find(b">")
                if end < 0 and not final:
                    held = data
                    continue
                opening, data = data[: end + 1], data[end + 1:]
            if final:
                if not data.endswith(_BODY_END):
                    raise TemplateError("what it rendered does not end with its body")
                ready, held = data[: -len(_BODY_END)], b""
            else:
                cut = data.rfind(b"<", 0, len(data) - len(_BODY_END))
                if cut < 0:
                    held = data
                    continue
                opened = data.rfind(b"<w:t", 0, cut)  # never cut a w:t from its text (tabs and breaks)
                if opened >= 0 and data[opened + 4: opened + 5] in (b">", b" ") and data.find(b"</w:t>", opened, cut) < 0:
                    cut = opened
                ready, held = data[:cut], data[cut:]
            if b"<w:p\n" in ready:
                ready = ready.replace(b"<w:p\n", b"<w:p")
            if not self.started:
                head += ready
                ready = self._raw_start(head, final)
                if ready is None:
                    continue
                head = b""
            if b"\t" in ready or b"\n" in ready:
                ready = _T_WITH_BREAKS.sub(_split_text_breaks, ready)
            if ready:
                out.write(ready)
            if final:
                return

    def _raw_start(self, text: bytes, final: bool) -> bytes | None:
        """Write the leading elements and the first paragraph (with the part's page break and bookmark) of
        ``text``, and return what follows; None when ``text`` does not yet hold the first paragraph or table."""
        out = self.report.out
        position, leading = 0, []
        while True:
            position = _after_spaces(text, position)
            match = _TAG_NAME.match(text, position)
            if match is None or match.group(1) == b"w:tbl":
                if match is None and not final:
                    return None
                self._start_with_new_paragraph()
                out.write(b"".join(leading))
                return text[position:]
            end = _element_end(text, position, match.group(1))
            if end is None:
                if final:
                    raise TemplateError("what it rendered is not well-formed XML")
                return None
            if match.group(1) == b"w:p":
                snippet = text[position:end]
                paragraph = etree.fromstring(self._wrapper(snippet) + snippet + _BODY_END, _ELEMENT_PARSER)[0]
                split_tabs_and_breaks(paragraph)
                self._start(paragraph)
                out.write(b"".join(leading))
                out.element(paragraph)
                return text[end:]
            leading.append(text[position:end])
            position = end

    def _wrapper(self, snippet: bytes) -> bytes:
        """A ``w:body`` start tag declaring the prefixes ``snippet`` uses, to parse it alone: a raw part's
        namespaces are the document's, and a few declarations parse faster than the part's dozens."""
        prefixes = frozenset(_PREFIX.findall(snippet))
        wrapper = self.report.wrappers.get(prefixes)
        if wrapper is None:
            namespaces = self.report.namespaces
            wrapper = ("<w:body" + "".join(f' xmlns:{prefix}="{namespaces[prefix]}"'
                                           for prefix in sorted({p.decode() for p in prefixes} | {"w"})
                                           if prefix in namespaces) + ">").encode()
            self.report.wrappers[prefixes] = wrapper
        return wrapper

    # ------------------------------------------------------------------ rules

    def element(self, el: etree._Element) -> None:
        compiled = self.compiled
        if self.listing:
            split_tabs_and_breaks(el)
        if compiled.cell_loops:
            for tbl in el.iter(W_TBL):
                fit_grid(tbl)
        if compiled.merges:
            apply_merge_captions(el)
        if compiled.drawings:
            self._drawing_ids(el)
        if compiled.bookmarks:
            self._bookmarks(el)
        if compiled.uses_numbering:
            self._numbering(el)
        if self.started:
            self.report.out.element(el)
        elif el.tag == W_P:
            self._start(el)
            self._emit_leading()
            self.report.out.element(el)
        elif el.tag == W_TBL:
            self._start_with_new_paragraph()
            self.report.out.element(el)
        else:  # a body-level bookmark or the like before the first paragraph: wait to see what follows
            self.leading.append(deepcopy(el))

    def finish(self) -> None:
        if not self.started:
            self._start_with_new_paragraph()

    def _start_with_new_paragraph(self) -> None:
        paragraph = element("w:p")  # a part starting with a table gets an empty paragraph to carry them
        self._start(paragraph)
        self.report.out.element(paragraph)
        self._emit_leading()

    def _emit_leading(self) -> None:
        for el in self.leading:
            self.report.out.element(el)
        self.leading.clear()

    def _start(self, p: etree._Element) -> None:
        self.started = True
        if self.job.new_page:
            set_page_break_before(p)
        if self.job.outline is not None:
            add_bookmark(p, self.job.outline.bookmark, self.report.ids.next_bookmark())

    def _drawing_ids(self, el: etree._Element) -> None:
        ids = self.report.ids
        for docpr in el.iter(_DOCPR):
            ids.drawing += 1
            docpr.set("id", str(ids.drawing))
        for cnvpr in el.iter(_CNVPR):
            ids.picture += 1
            cnvpr.set("id", str(ids.picture))

    def _bookmarks(self, el: etree._Element) -> None:
        ids = self.report.ids
        for mark in el.iter(W_BOOKMARK_START, W_BOOKMARK_END):
            old = mark.get(W_ID, "")
            if mark.tag == W_BOOKMARK_START:
                self.bookmarks[old] = str(ids.next_bookmark())
                name = mark.get(W_NAME, "")
                unique, n = name, 1
                while unique in ids.bookmark_names:
                    n += 1
                    unique = f"{name}_{n}"
                ids.bookmark_names.add(unique)
                mark.set(W_NAME, unique)
            mark.set(W_ID, self.bookmarks.get(old, str(ids.next_bookmark())))

    def _numbering(self, el: etree._Element) -> None:
        numbering = self.report.numbering
        for ref in el.iter(_W_NUMID):
            old = ref.get(W_VAL, "")
            if old not in self.nums:
                self.nums[old] = numbering.part_num(self.compiled, old) or old
            ref.set(W_VAL, self.nums[old])
        restart = self.compiled.restart_styles
        if not restart:
            return
        for style in el.iter(_W_PSTYLE):
            style_id = style.get(W_VAL, "")
            ppr = style.getparent()
            if style_id not in restart or style_id in self.restarted or ppr.find(_W_NUMPR) is not None:
                continue
            self.restarted.add(style_id)
            num_id = numbering.restart(self.compiled, *restart[style_id])
            if num_id is not None:
                numpr = get_or_add(ppr, "w:numPr", PPR_ORDER)
                numpr.append(element("w:ilvl", val="0"))
                numpr.append(element("w:numId", val=num_id))


# --------------------------------------------------------------------------- the report


class _Report:
    """The state of one report being written."""

    def __init__(self, master: Master, compiled: dict[str, CompiledTemplate], limits: RenderLimits,
                 outline_names: Iterable[str]):
        self.master = master
        self.compiled = compiled
        self.limits = limits
        self.ids = _Ids(bookmark_names=set(outline_names))
        self.numbering = _Numbering(master)
        self.namespaces, self.ignorable = _namespaces(master, compiled.values())
        self.wrappers: dict[frozenset[bytes], bytes] = {}  # prefixes → a w:body start tag declaring them
        self.out: _Output


def _namespaces(master: Master, compiled: Iterable[CompiledTemplate]) -> tuple[dict[str, str], list[str]]:
    """The document element's namespace declarations and mc:Ignorable prefixes: base.docx's and the parts'."""
    namespaces = dict(master.namespaces)
    ignorable = (master.root_attributes.get(MC_IGNORABLE) or "").split()
    for template in compiled:
        for prefix, uri in template.namespaces.items():
            namespaces.setdefault(prefix, uri)
        for prefix in template.ignorable:
            if prefix not in ignorable and namespaces.get(prefix) == template.namespaces.get(prefix):
                ignorable.append(prefix)
    return namespaces, ignorable


def _document_head(master: Master, namespaces: dict[str, str], ignorable: list[str]) -> tuple[bytes, bytes]:
    root = etree.Element(qn("w:document"), nsmap=namespaces)
    for name, value in master.root_attributes.items():
        root.set(name, value)
    if ignorable:
        root.set(MC_IGNORABLE, " ".join(ignorable))
    etree.SubElement(root, qn("w:body"))
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    head, _, _ = text.rpartition(b"<w:body/>")
    return head + master.before_body + b"<w:body>", b"</w:body></w:document>"


def _core_xml(master: Master, properties: dict[str, str]) -> bytes:
    from .package import parse_xml

    cp = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    dc = "http://purl.org/dc/elements/1.1/"
    if master.core is not None:
        root = parse_xml(master.core, "base.docx core properties")
    else:
        root = etree.Element(f"{{{cp}}}coreProperties", nsmap={"cp": cp, "dc": dc})
    for tag, value in properties.items():
        found = root.find(tag)
        if found is None:
            found = etree.SubElement(root, tag)
        found.text = value
    # base.docx's dates are the template's, not the report's (python-docx's default says 2024-01-01), and
    # its "generated by python-docx" is no description of a report: neither is carried into the report
    for tag in ("{http://purl.org/dc/terms/}created", "{http://purl.org/dc/terms/}modified"):
        for found in root.findall(tag):
            root.remove(found)
    for found in root.findall(f"{{{dc}}}description"):
        if (found.text or "").strip() == "generated by python-docx":
            root.remove(found)
    return xml_bytes(root)


def _error_line(exc: BaseException, source: str) -> str:
    """`` (line N of its XML, near “…”)`` for an error raised while rendering a template, when known."""
    line = getattr(exc, "lineno", None)
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    if not line:
        return ""
    near = text_near(source, line)
    return f" (line {line} of its XML" + (f", near “{near}”)" if near else ")")


class RenderedReport:
    """The report, planned and compiled, ready to be written; ``outline`` holds its bookmarks in order."""

    def __init__(self, outline: tuple[OutlineEntry, ...], master: Master, compiled: dict[str, CompiledTemplate],
                 base_context: dict[str, Any], jobs: list[RenderJob], limits: RenderLimits):
        self.outline = outline
        self._master = master
        self._compiled = compiled
        self._base_context = base_context
        self._jobs = jobs
        self._limits = limits
        #: seconds of the last :meth:`write`: ``render`` (templates and XML rules) and ``compress`` (zip)
        self.timings: dict[str, float] = {}

    def write(self, target: BinaryIO | str | os.PathLike[str]) -> None:
        """Write the .docx to ``target``, a binary file handle (written from its current position) or a path.

        Raises :class:`TemplateError` (naming the template) when a part cannot be rendered; what was written
        to ``target`` is then incomplete, so write to a temporary file and rename it when this returns.
        """
        if isinstance(target, (str, os.PathLike)):
            with open(target, "wb") as handle:
                self.write(handle)
            return
        start = time.perf_counter()
        master, compiled = self._master, self._compiled
        report = _Report(master, compiled, self._limits, (e.bookmark for e in self.outline))
        package = PackageWriter(target)
        # What exists before rendering (the model, its tables, the contexts: millions of objects for a
        # large report) cannot become garbage of the rendering: the cycle collector need not walk it again
        # and again while parts are rendered (at 50k rows it tripled the time of writing).
        try:
            with kept_until_done():
                self._write_package(package, report)
        finally:
            package.close()
        total = time.perf_counter() - start
        self.timings = {"render": total - report.out.seconds, "compress": report.out.seconds}

    def _write_package(self, package: PackageWriter, report: _Report) -> None:
        master, compiled = self._master, list(self._compiled.values())
        types = ContentTypes.parse(master.content_types, "base.docx [Content_Types].xml")
        relationships = dict(master.relationships)
        needs_numbering = master.numbering_part is None and any(
            t.uses_numbering or any(s.num_ids for s in t.styles) for t in compiled)
        numbering_part = master.numbering_part
        if needs_numbering:
            numbering_part = "word/numbering.xml"
            types.overrides[numbering_part] = CT_NUMBERING
            relationships["rIdDisclosureNumbering"] = Relationship("rIdDisclosureNumbering", RT_NUMBERING,
                                                                   "numbering.xml", False)
        for template in compiled:
            for rel in template.relationships:
                relationships.setdefault(rel.id, rel)
            for part in template.parts:
                if part.content_type and types.of(part.name) != part.content_type:
                    types.overrides[part.name] = part.content_type
        unit = self._base_context.get("unit", {})
        core_tags = {
            "{http://purl.org/dc/elements/1.1/}title": str(self._base_context.get("report_title", "")),
            "{http://purl.org/dc/elements/1.1/}subject":
                f"{self._base_context.get('year', '')}年{self._base_context.get('level', '')}预算公开",
            "{http://purl.org/dc/elements/1.1/}creator": str(unit.get("name", "")),
            "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords": "预算公开",
            "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy":
                str(unit.get("name", "")),
        }
        core_part = master.core_part or "docProps/core.xml"
        package_rels = master.verbatim.get(PACKAGE_RELS)
        if master.core_part is None:
            types.overrides[core_part] = "application/vnd.openxmlformats-package.core-properties+xml"
            rels = list(parse_rels(package_rels, "base.docx package relationships").values())
            rels.append(Relationship("rIdDisclosureCore", "http://schemas.openxmlformats.org/package/2006/"
                                     "relationships/metadata/core-properties", core_part, False))
            package_rels = rels_xml(rels)

        package.write("[Content_Types].xml", types.to_xml())
        package.write(PACKAGE_RELS, package_rels or b"")
        package.write(core_part, _core_xml(master, core_tags))

        head, tail = _document_head(master, report.namespaces, report.ignorable)
        with package.open(master.document) as stream:
            report.out = _Output(stream, report.namespaces)
            report.out.write(head)
            for job in self._jobs:
                render_job(report, job)
            report.out.write(master.section)
            report.out.write(tail)
            report.out.flush()

        package.write(master.styles_part, _styles_xml(master, compiled, report.numbering))
        if numbering_part is not None and (master.numbering is not None or report.numbering.used):
            package.write(numbering_part, report.numbering.to_xml())
        package.write(rels_name(master.document), rels_xml(list(relationships.values())))
        for part, template in master.headers_footers.items():
            package.write(part, render_xml_part(template, self._base_context, self._limits))
        for template in compiled:
            for copy in template.parts:
                package.write(copy.name, copy.data)
        for part, data in master.verbatim.items():
            package.write(part, data)


@contextlib.contextmanager
def _named_errors(name: str, source: str) -> Iterator[None]:
    """Every error of rendering the template ``name`` (Jinja's, XML's, Python's from a template expression) as a
    :class:`TemplateError` naming it, with the line of its XML where known."""
    try:
        yield
    except TemplateError as exc:
        raise type(exc)(f"template {name}: {exc}") from exc
    except JinjaTemplateError as exc:
        unknown = _unknown_variable(exc, source)
        if unknown:  # as `templates check` names it, not Jinja's "'dict object' has no attribute …"
            raise TemplateError(f"template {name}: {unknown} (`templates check` lists every problem)") from exc
        raise TemplateError(f"template {name}: {exc}{_error_line(exc, source)}") from exc
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"template {name}: what it rendered is not well-formed XML ({exc})") from exc
    except (RecursionError, MemoryError) as exc:
        raise TemplateError(f"template {name}: rendering failed ({type(exc).__name__})") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        raise TemplateError(f"template {name}: rendering failed ({type(exc).__name__}: {exc})"
                            f"{_error_line(exc, source)}") from exc


def _unknown_variable(exc: BaseException, source: str) -> str | None:
    """For Jinja's undefined-variable error: the first variable the template reads that no context documents,
    named as ``templates check`` names it (with its nearest documented name), or None."""
    from jinja2.exceptions import UndefinedError

    if not isinstance(exc, UndefinedError):
        return None
    from .check import describe_unknown_variable

    return describe_unknown_variable(source)


def render_job(report: _Report, job: RenderJob) -> None:
    """Render ``job`` into ``report.out``; every error is a :class:`TemplateError` naming the template."""
    compiled = report.compiled[job.template]
    with _named_errors(job.template, compiled.source):
        _Part(report, job, compiled).render(xml_safe_context(job.context))


def render_xml_part(template: CompiledTemplate, context: dict[str, Any], limits: RenderLimits) -> bytes:
    """A header or footer of base.docx, rendered with the base context."""
    with _named_errors(template.name, template.source):
        with budget_for(limits):
            text = "".join(template.template.generate(xml_safe_context(context)))
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    if has_tabs_or_breaks(text):
        split_tabs_and_breaks(root)
    return xml_bytes(root)


class _Discard:
    def write(self, data: bytes) -> int:
        return len(data)


def trial_render(master: Master, compiled: CompiledTemplate, context: dict[str, Any], limits: RenderLimits) -> None:
    """Render ``compiled`` alone with ``context`` and discard the XML (``templates check``)."""
    report = _Report(master, {compiled.name: compiled}, limits, ())
    report.out = _Output(_Discard(), master.namespaces)  # type: ignore[arg-type]
    render_job(report, RenderJob(compiled.name, context, True, OutlineEntry("check", "", 0)))


def compose(templates: TemplateSet, base_context: dict[str, Any], jobs: list[RenderJob],
            limits: RenderLimits | None = None) -> RenderedReport:
    """The report of ``jobs`` on ``base.docx``: every template read and compiled now, rendered by ``write``."""
    limits = limits or RenderLimits.from_environment()
    master, compiled = compile_templates(templates, (job.template for job in jobs), limits)
    outline = tuple(job.outline for job in jobs if job.outline is not None)
    return RenderedReport(outline, master, compiled, base_context, jobs, limits)


__all__ = ["OutlineEntry", "RenderJob", "RenderedReport", "compose", "xml_safe_context"]
