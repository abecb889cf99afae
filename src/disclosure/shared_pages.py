"""Pages laid out once for many reports: the appended catalogue of a batch (docs/pdf.md, decision 66).

Every report that appends the 政府购买服务指导性目录 carries the same ~27 pages, and LibreOffice spends
more than half of such a report's conversion laying them out.  A batch lays them out **once**:

* :func:`split` finds, in a report written by :mod:`disclosure.render`, the part that starts at a
  bookmark (``appendix``) and ends where the next part starts, and gives a :class:`SharedPart`: the
  part alone as a document (:meth:`SharedPart.write_part`, the same page setup, styles and numbering,
  its footers and headers emptied but as tall as before) and a ``key`` equal for every report whose
  part lays out the same (its XML, styles, settings … compared, not assumed);
* :meth:`SharedPart.write_variant` writes the report with the part replaced by as many empty pages as
  the part took alone: LibreOffice lays out the rest of the report and gives every empty page the
  report's own footer (its title and its page number ``-N-``), and the pages after them their true
  numbers;
* :func:`compose` puts the part's pages in place of the empty ones, each with the report's footer of
  that page drawn on it (a form XObject), after checking that the empty pages are where the part was
  and that each report footer fits in the bottom margin (a footer that grows above it, a long title
  wrapping onto another line, shortens the page's text area, which the part laid out alone did not).

The PDF is page for page, line for line, the one LibreOffice makes of the whole report, with the
printed numbers and titles of each report; the .docx is never changed.  Anything unusual (other
sections, pictures in a footer, odd and even footers, a part that does not start and end on a new
page, a check that fails) makes :func:`split` return None or :func:`compose` raise
:class:`NotComposable`, and the report is converted whole.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

from .pdf import PdfError, libreoffice_destination_name

__all__ = ["NotComposable", "SharedPart", "compose", "split"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: settings that make a page's footer or margins depend on whether its number is odd or even
_PAGE_PARITY = ("evenAndOddHeaders", "mirrorMargins", "bookFoldPrinting", "bookFoldRevPrinting", "printTwoOnOne")
_OVERLAY = NameObject("/DisclosureReportPage")


class NotComposable(PdfError):
    """The converted report does not have the empty pages where the shared part goes (convert it whole)."""


@dataclass(frozen=True)
class SharedPart:
    """A part of one report (``docx``) that can be laid out once for many reports: see :func:`split`."""

    docx: Path
    bookmark: str
    next_bookmark: str | None
    key: str  #: equal for reports whose part lays out the same
    start: int  #: where the part is in the report's ``document.xml`` (characters)
    end: int
    bookmark_id: str
    bottom_margin: float  #: points: a report's footer above this would shorten the text area
    #: the report's parts as :func:`split` read them, and its headers and footers emptied (read once)
    package: _Package = field(repr=False, compare=False)
    blank_headers_footers: dict[str, bytes] = field(repr=False, compare=False)

    def write_part(self, target: Path) -> Path:
        """The part alone: the report's package with only the part in its body, footers emptied."""
        package = self.package
        document = _part_document(package.document, self.start, self.end)
        package.write(target, {package.document_name: document.encode("utf-8"), **self.blank_headers_footers})
        return target

    def write_variant(self, pages: int, target: Path) -> Path:
        """The report with the part replaced by ``pages`` empty pages (the first keeps the part's bookmark)."""
        if pages < 1:
            raise ValueError("a part has at least one page")
        package = self.package
        text = package.document
        empty = (f'<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:bookmarkStart w:id="{self.bookmark_id}" '
                 f'w:name="{self.bookmark}"/><w:bookmarkEnd w:id="{self.bookmark_id}"/></w:p>'
                 + "<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>" * (pages - 1))
        document = text[: self.start] + empty + text[self.end:]
        package.write(target, {package.document_name: document.encode("utf-8")})
        return target


def split(docx: Path, bookmark: str, next_bookmark: str | None) -> SharedPart | None:
    """The part of ``docx`` from the paragraph holding ``bookmark`` to the one holding ``next_bookmark``
    (or to the end), if it can be laid out on its own; else None.

    It can when it starts on a new page and the next part does too, the report has one section, no
    footer or header holds a picture, and footers do not alternate between odd and even pages.
    """
    package = _Package(docx)
    text = package.document
    if text.count("<w:sectPr") != 1 or any(word in package.settings for word in _PAGE_PARITY):
        return None
    found = _paragraph_start(text, bookmark)
    if found is None:
        return None
    start, bookmark_id = found
    if next_bookmark is None:
        end = text.rfind("<w:sectPr")
    else:
        following = _paragraph_start(text, next_bookmark)
        if following is None:
            return None
        end = following[0]
        if not _breaks_page(text, end):
            return None
    if end <= start or not _breaks_page(text, start):
        return None
    headers_footers = _blank_headers_footers(package)
    margin = re.search(r'<w:pgMar\b[^>]*\bw:bottom="(\d+)"', text[text.rfind("<w:sectPr"):])
    if headers_footers is None or margin is None:
        return None
    document = _part_document(text, start, end)
    digest = hashlib.sha256()
    for name in sorted(package.names):
        if name.startswith("docProps/"):
            continue  # title, author …: not laid out
        data = document.encode("utf-8") if name == package.document_name else headers_footers.get(name) or \
            package.read(name)
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return SharedPart(Path(docx), bookmark, next_bookmark, digest.hexdigest(), start, end, bookmark_id,
                      int(margin.group(1)) / 20, package, headers_footers)


def compose(variant_pdf: Path, part_pdf: Path, part: SharedPart, target: Path) -> Path:
    """``variant_pdf`` (converted :meth:`SharedPart.write_variant`) with the part's pages in place of its empty
    pages, each with the report's footer of that page; written to ``target``.

    Raises:
        NotComposable: the empty pages are not where and as many as the part's pages, a page size
            differs, or a footer rises above the bottom margin.
    """
    variant, shared = PdfReader(variant_pdf), PdfReader(part_pdf)
    first = _destination_page(variant, part.bookmark)
    count = len(shared.pages)
    if first is None:
        raise NotComposable(f"bookmark {part.bookmark!r} has no destination in the converted report")
    after = _destination_page(variant, part.next_bookmark) if part.next_bookmark else len(variant.pages)
    if after != first + count or len(variant.pages) < first + count:
        raise NotComposable(f"the report has {after}−{first} empty pages for the {count} pages of {part.bookmark!r}")
    for number in range(count):
        page, own = variant.pages[first + number], shared.pages[number]
        if [round(float(x), 1) for x in page.mediabox] != [round(float(x), 1) for x in own.mediabox]:
            raise NotComposable(f"page {first + number + 1} is not the size of the part's pages")
        if _footer_top(page) >= float(page.mediabox.bottom) + part.bottom_margin:
            raise NotComposable(f"the footer of page {first + number + 1} rises above the bottom margin")
    writer = PdfWriter()
    writer.append(variant, pages=(0, first), import_outline=False)
    writer.append(shared, import_outline=False)
    writer.append(variant, pages=(first + count, len(variant.pages)), import_outline=False)
    for number in range(count):
        _draw_over(writer, writer.pages[first + number], variant.pages[first + number])
    with open(target, "wb") as handle:
        writer.write(handle)
    return target


# --------------------------------------------------------------------------- the package


class _Package:
    """A .docx read as its parts (names and bytes), and written again with some parts replaced."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with zipfile.ZipFile(self.path) as archive:
            self.infos = archive.infolist()
            self._data = {info.filename: archive.read(info) for info in self.infos}
        self.names = list(self._data)
        self.document_name = _main_document(self._data.get("_rels/.rels", b""))
        self.document = self._data[self.document_name].decode("utf-8")
        self.settings = b"".join(data for name, data in self._data.items()
                                 if name.startswith("word/settings")).decode("utf-8", "replace")

    def read(self, name: str) -> bytes:
        return self._data[name]

    def related(self, kinds: tuple[str, ...]) -> list[str]:
        """Parts the main document relates to with a relationship type ending in one of ``kinds``."""
        folder, _, base = self.document_name.rpartition("/")
        rels = self._data.get(f"{folder}/_rels/{base}.rels", b"")
        found = []
        for rel in etree.fromstring(rels).iter("{http://schemas.openxmlformats.org/package/2006/relationships}"
                                               "Relationship") if rels else ():
            if rel.get("Type", "").rsplit("/", 1)[-1] in kinds and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                found.append(target.lstrip("/") if target.startswith("/") else f"{folder}/{target}")
        return found

    def write(self, target: Path, replaced: dict[str, bytes]) -> None:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for info in self.infos:
                archive.writestr(info, replaced.get(info.filename, self._data[info.filename]),
                                 compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def _main_document(package_rels: bytes) -> str:
    match = re.search(rb'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"|Target="/?([^"]+)"[^>]*Type="[^"]*'
                      rb'/officeDocument"', package_rels)
    if not match:
        return "word/document.xml"
    return (match.group(1) or match.group(2)).decode()


def _paragraph_start(text: str, bookmark: str) -> tuple[int, str] | None:
    """Where the body paragraph holding the start of ``bookmark`` begins, and the bookmark's id."""
    marks = list(re.finditer(rf'<w:bookmarkStart\b[^>]*\bw:name="{re.escape(bookmark)}"[^>]*/>', text))
    if len(marks) != 1:
        return None
    position = marks[0].start()
    start = max(text.rfind("<w:p>", 0, position), text.rfind("<w:p ", 0, position))
    if start < 0 or "</w:p>" in text[start:position] or "<w:tc" in text[start:position]:
        return None
    identifier = re.search(r'\bw:id="(\d+)"', marks[0].group(0))
    return (start, identifier.group(1)) if identifier else None


def _breaks_page(text: str, paragraph: int) -> bool:
    """Whether the paragraph starting at ``paragraph`` starts a new page (its own properties say so)."""
    end = text.find("</w:pPr>", paragraph)
    properties = text[paragraph:end] if end >= 0 and "</w:p>" not in text[paragraph:end] else ""
    found = re.search(r"<w:pageBreakBefore\b([^>]*)/>", properties)
    return bool(found) and not re.search(r'w:val="(0|false|off)"', found.group(1))


def _renumber(text: str, pattern: str) -> str:
    """Ids matched by ``pattern`` (one group: the number) numbered 0, 1, … in order of first use."""
    numbers: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        number = numbers.setdefault(match.group(2), str(len(numbers)))
        return f"{match.group(1)}{number}{match.group(3)}"

    return re.sub(pattern, replace, text)


def _part_document(text: str, start: int, end: int) -> str:
    """The main document with only ``text[start:end]`` in its body (ids numbered from 0, so that the same
    part in two reports gives the same document), its section without a separate first page."""
    body = text.index("<w:body>") + len("<w:body>")
    section_start, body_end = text.rfind("<w:sectPr"), text.rindex("</w:body>")
    section = re.sub(r"<w:titlePg\b[^>]*/>", "", text[section_start:body_end])
    span = text[start:end]
    span = _renumber(span, r'(<w:bookmark(?:Start|End)\b[^>]*\bw:id=")(\d+)(")')
    span = _renumber(span, r'(<wp:docPr\b[^>]*\bid=")(\d+)(")')
    span = _renumber(span, r'(<pic:cNvPr\b[^>]*\bid=")(\d+)(")')
    return text[:body] + span + section + text[body_end:]


def _blank_headers_footers(package: _Package) -> dict[str, bytes] | None:
    """Every header and footer with its text turned into spaces (one wide, one narrow per run, as the
    text had them), so that they take the height they had and print nothing; None if one holds a
    picture, a shape or an object (which would be drawn twice)."""
    blanked = {}
    for name in package.related(("header", "footer")):
        try:
            root = etree.fromstring(package.read(name))
        except (KeyError, etree.XMLSyntaxError):
            return None
        if any(el.tag.rsplit("}", 1)[-1] in ("drawing", "pict", "object", "AlternateContent") for el in root.iter()
               if isinstance(el.tag, str)):
            return None
        for simple in list(root.iter(f"{{{_W}}}fldSimple")):  # a field: keep its shown runs, drop the code
            parent = simple.getparent()
            index = parent.index(simple)
            for offset, child in enumerate(list(simple)):
                parent.insert(index + offset, child)
            parent.remove(simple)
        for el in list(root.iter(f"{{{_W}}}fldChar", f"{{{_W}}}instrText", f"{{{_W}}}delInstrText")):
            el.getparent().remove(el)
        for t in root.iter(f"{{{_W}}}t"):
            text = t.text or ""
            wide = any(unicodedata.east_asian_width(c) in "WF" for c in text)
            narrow = any(not c.isspace() and unicodedata.east_asian_width(c) not in "WF" for c in text)
            t.text = ("\u3000" if wide else "") + (" " if narrow or not wide else "")
            t.set(_XML_SPACE, "preserve")
        blanked[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return blanked


# --------------------------------------------------------------------------- the PDF


def _destination_page(reader: PdfReader, bookmark: str | None) -> int | None:
    if bookmark is None:
        return None
    destinations = {str(name).lstrip("/"): dest for name, dest in reader.named_destinations.items()}
    dest = destinations.get(bookmark) or destinations.get(libreoffice_destination_name(bookmark))
    if dest is None:
        return None
    page = reader.get_destination_page_number(dest)
    return page if page is not None and page >= 0 else None


def _footer_top(page: PageObject) -> float:
    """The top of the highest line of text on ``page`` (an empty page of the report: its footer), taken
    as its baseline plus 1.1 times the font size (a single-spaced CJK line rises about that high)."""
    high = float("-inf")

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        nonlocal high
        if not text.strip():
            return
        matrix = _multiply(tm, cm)
        scale = (matrix[2] ** 2 + matrix[3] ** 2) ** 0.5 or 1.0
        high = max(high, matrix[5] + 1.1 * size * scale)
    page.extract_text(visitor_text=visit)
    return high


def _multiply(a: list[float], b: list[float]) -> list[float]:
    """The PDF matrix product ``a × b`` (six numbers each: a b c d e f)."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def _draw_over(writer: PdfWriter, page: PageObject, report_page: PageObject) -> None:
    """Draw ``report_page`` (an empty page of the report: its footer) over ``page``, as a form XObject."""
    contents = report_page.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(float(x)) for x in report_page.mediabox)
    resources = report_page.get("/Resources")
    form[NameObject("/Resources")] = resources.get_object().clone(writer) if resources is not None else \
        DictionaryObject()
    reference = writer._add_object(form.flate_encode())
    # the part's pages share one resource dictionary: each gets its own copy, naming its own footer
    shared = page.get("/Resources")
    page_resources = DictionaryObject(shared.get_object()) if shared is not None else DictionaryObject()
    xobjects = page_resources.get("/XObject")
    xobjects = DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
    xobjects[_OVERLAY] = reference
    page_resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = page_resources
    own = page.get_contents()
    stream = DecodedStreamObject()
    stream.set_data(b"q\n" + (own.get_data() if own is not None else b"") + b"\nQ\nq " + _OVERLAY.encode() +
                    b" Do Q\n")
    page.replace_contents(stream.flate_encode())
