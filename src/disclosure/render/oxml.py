"""WordprocessingML element rules: page breaks, bookmarks, merged cells, tabs and breaks, table grids, styles.

Like python-docx's own ``docx.oxml`` layer, these functions work on lxml elements (``p`` is a ``w:p``,
``tbl`` a ``w:tbl``, ``tc`` a ``w:tc``) and know nothing of budgets or templates.  Where the schema fixes
the order of children, it is written down once (``*_ORDER``) and :func:`insert_in_order` uses it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {
    "w": W_NS,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "v": "urn:schemas-microsoft-com:vml",
}


@functools.cache
def qn(tag: str) -> str:
    """``w:p`` → ``{http://…/main}p``."""
    prefix, local = tag.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


W_P, W_TBL, W_TR, W_TC, W_T, W_R = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:t"), qn("w:r")
W_PPR, W_TCPR, W_VAL, W_ID, W_NAME = qn("w:pPr"), qn("w:tcPr"), qn("w:val"), qn("w:id"), qn("w:name")
W_BOOKMARK_START, W_BOOKMARK_END = qn("w:bookmarkStart"), qn("w:bookmarkEnd")
W_STYLE, W_STYLE_ID = qn("w:style"), qn("w:styleId")
W_TRPR, W_GRID_BEFORE, W_GRID_SPAN, W_VMERGE = qn("w:trPr"), qn("w:gridBefore"), qn("w:gridSpan"), qn("w:vMerge")
STYLE_REFERENCES = (qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle"))
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

#: children of w:pPr in schema order (CT_PPr)
PPR_ORDER = tuple(qn(f"w:{t}") for t in (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
    "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
    "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))
#: children of w:tcPr in schema order (CT_TcPr)
TCPR_ORDER = tuple(qn(f"w:{t}") for t in (
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection",
    "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge", "tcPrChange"))
#: children of w:p that come before its runs

#: Characters XML 1.0 forbids in text (C0 controls other than tab, newline, carriage return).
FORBIDDEN_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

MERGE_CAPTION = re.compile(r"^\s*merge-repeated\s*:\s*([\d\s,]+)$")
_GRID_SPANS = etree.XPath("w:tr/w:tc/w:tcPr/w:gridSpan", namespaces={"w": W_NS})
_VERTICAL_MERGES = etree.XPath("w:tr/w:tc/w:tcPr/w:vMerge", namespaces={"w": W_NS})
_GRID_BEFORES = etree.XPath("w:tr/w:trPr/w:gridBefore", namespaces={"w": W_NS})


def element(tag: str, **attributes: str) -> etree._Element:
    """A new element ``tag`` (``w:p``) with ``w:``-prefixed attributes (``val="x"`` → ``w:val="x"``)."""
    el = etree.Element(qn(tag), nsmap={"w": W_NS})
    for name, value in attributes.items():
        el.set(qn(f"w:{name}"), value)
    return el


def xml_safe(text: str) -> str:
    """``text`` without the control characters XML cannot hold (the loader refuses them earlier), and with
    carriage returns as line breaks (an XML parser would turn a raw one into a newline inside the text)."""
    return FORBIDDEN_XML_CHARS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


@functools.lru_cache(maxsize=256)
def _successors(order: tuple[str, ...], tag: str) -> frozenset[str]:
    return frozenset(order[order.index(tag) + 1:])


def insert_in_order(parent: etree._Element, child: etree._Element, order: tuple[str, ...]) -> etree._Element:
    """Insert ``child`` into ``parent`` where the schema sequence ``order`` puts it (before its successors)."""
    successors = _successors(order, child.tag)
    for index, sibling in enumerate(parent):
        if sibling.tag in successors:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def get_or_add(parent: etree._Element, tag: str, order: tuple[str, ...]) -> etree._Element:
    found = child(parent, qn(tag))
    # made inside the parent, so it takes the parent's w: declaration instead of bringing its own
    return found if found is not None else insert_in_order(parent, etree.SubElement(parent, qn(tag)), order)


# --------------------------------------------------------------------------- the start of a part


def set_page_break_before(p: etree._Element) -> None:
    """Start paragraph ``p`` on a new page (w:pageBreakBefore), creating no empty paragraph."""
    ppr = p.find(W_PPR)
    if ppr is None:
        ppr = element("w:pPr")
        p.insert(0, ppr)
    get_or_add(ppr, "w:pageBreakBefore", PPR_ORDER)


def add_bookmark(p: etree._Element, name: str, bookmark_id: int) -> None:
    """Wrap the start of paragraph ``p`` in a bookmark ``name`` (PDF export turns it into a destination)."""
    ppr = p.find(W_PPR)
    index = 0 if ppr is None else p.index(ppr) + 1
    p.insert(index, etree.SubElement(p, W_BOOKMARK_START, {W_ID: str(bookmark_id), W_NAME: name}))
    etree.SubElement(p, W_BOOKMARK_END, {W_ID: str(bookmark_id)})


# --------------------------------------------------------------------------- merged cells


def cell_text(tc: etree._Element) -> str:
    return "".join(tc.itertext(W_T, with_tail=False))


def child(parent: etree._Element, tag: str) -> etree._Element | None:
    """The first child of ``parent`` tagged ``tag`` (faster than ``find``, which parses a path every call)."""
    for el in parent:
        if el.tag == tag:
            return el
    return None


def _properties(el: etree._Element, tag: str) -> etree._Element | None:
    """``w:tcPr`` of a ``w:tc``, ``w:trPr`` of a ``w:tr``: first in the schema when present."""
    return el[0] if len(el) and el[0].tag == tag else None


def grid_cells(tr: etree._Element) -> list[tuple[int, int, etree._Element]]:
    """(grid column, span, tc) of each cell of row ``tr``."""
    out = []
    column = 0
    trpr = child(tr, W_TRPR)
    before = child(trpr, W_GRID_BEFORE) if trpr is not None else None
    if before is not None:
        column = int(before.get(W_VAL, "0"))
    for tc in tr.iterchildren(W_TC):
        tcpr = _properties(tc, W_TCPR)
        span_el = child(tcpr, W_GRID_SPAN) if tcpr is not None else None
        span = int(span_el.get(W_VAL, "1")) if span_el is not None else 1
        out.append((column, span, tc))
        column += span
    return out


def set_vmerge(tc: etree._Element, value: str | None) -> None:
    """Give ``tc`` a ``w:vMerge`` (``restart``; None: a continued cell), replacing any it had."""
    tcpr = _properties(tc, W_TCPR)
    if tcpr is None:
        tcpr = tc.makeelement(W_TCPR)
        tc.insert(0, tcpr)
    old = child(tcpr, W_VMERGE)
    if old is not None:
        tcpr.remove(old)
    vmerge = insert_in_order(tcpr, tcpr.makeelement(W_VMERGE), TCPR_ORDER)
    if value:
        vmerge.set(W_VAL, value)


def clear_cell_text(tc: etree._Element) -> None:
    """Empty a continued cell as Word does: its first paragraph (properties kept) without runs, no other."""
    paragraphs = list(tc.iterchildren(W_P))
    for p in paragraphs[1:]:
        tc.remove(p)
    for r in list(paragraphs[0].iterchildren(W_R)) if paragraphs else []:
        paragraphs[0].remove(r)


def merge_repeated_cells(tbl: etree._Element, columns: Iterable[int]) -> None:
    """Merge vertically the runs of equal, non-empty cells in the grid ``columns`` of ``tbl``.

    ``columns`` are nested: a cell of a later column merges with the one above
    only if the earlier columns' cells of both rows are equal too (二级指标
    merge within their 一级指标).  Cells already merged in the template are
    left as they are.  This is how the performance sheet's indicator rows,
    rendered one per 三级指标, get their merged 一级/二级 cells.
    """
    columns = list(columns)
    wanted = set(columns)
    # the few cells with a span or a merge, found in one pass each (walking every cell's properties from
    # Python costs more than the rest of the merge)
    spans = {el.getparent().getparent(): int(el.get(W_VAL, "1")) for el in _GRID_SPANS(tbl)}
    merged = {el.getparent().getparent() for el in _VERTICAL_MERGES(tbl)}
    before = {el.getparent().getparent(): int(el.get(W_VAL, "0")) for el in _GRID_BEFORES(tbl)}
    # per row: grid column → [tc, its text, whether it is (now) part of a vertical merge]
    rows = []
    for tr in tbl.iterchildren(W_TR):
        cells = {}
        column = before.get(tr, 0) if before else 0
        for tc in tr.iterchildren(W_TC):
            span = spans.get(tc, 1)
            if span == 1 and column in wanted:
                cells[column] = [tc, "".join(tc.itertext(W_T, with_tail=False)), tc in merged]
            column += span
        rows.append(cells)
    count = len(rows)
    texts = {c: [row[c][1] if c in row else None for row in rows] for c in wanted}
    for depth, column in enumerate(columns):
        keys = columns[: depth + 1]
        # a row continues a run when the texts of this column and of the outer ones all equal the run's first
        composite = list(zip(*(texts[k] for k in keys)))
        cells = [row.get(column) for row in rows]
        start = 0
        while start < count:
            first = cells[start]
            end = start + 1
            if first is not None and first[1] and not first[2] and None not in composite[start]:
                key = composite[start]
                while end < count and composite[end] == key and cells[end] is not None and not cells[end][2]:
                    end += 1
            if end - start > 1:
                set_vmerge(first[0], "restart")
                first[2] = True
                for cell in cells[start + 1: end]:
                    set_vmerge(cell[0], "continue")
                    cell[2] = True
                    clear_cell_text(cell[0])
            start = end
        # cells merged at this depth are no longer candidates for deeper columns' comparisons:
        # their text is kept in `texts`, so nested keys still compare on the original texts.


def merge_columns(tbl: etree._Element) -> list[int] | None:
    """The grid columns the Alt Text title of ``tbl`` asks to merge (``merge-repeated: 0, 1, 2``), or None."""
    caption = tbl.find(qn("w:tblPr") + "/" + qn("w:tblCaption"))
    if caption is None:
        return None
    match = MERGE_CAPTION.match(caption.get(W_VAL, ""))
    if not match:
        return None
    return [int(c) for c in re.split(r"[\s,]+", match.group(1).strip()) if c]


def apply_merge_captions(root: etree._Element) -> None:
    """Merge repeated cells in every table under (or being) ``root`` whose Alt Text title asks for it."""
    for tbl in root.iter(W_TBL):
        columns = merge_columns(tbl)
        if columns:
            merge_repeated_cells(tbl, columns)


# --------------------------------------------------------------------------- tabs and line breaks in values


def split_tabs_and_breaks(root: etree._Element) -> None:
    """Turn tabs and newlines inside ``w:t`` texts into ``w:tab`` and ``w:br`` of the same run.

    A value with a line break (a sentence typed on two lines) prints as two lines in Word, as docxtpl's
    listing pass did; only parts that hold such a value are walked.
    """
    for t in list(root.iter(W_T)):
        text = t.text or ""
        if "\t" not in text and "\n" not in text:
            continue
        pieces = re.split(r"([\t\n])", text)
        parent, index = t.getparent(), t.getparent().index(t)
        parent.remove(t)
        for piece in pieces:
            if piece in ("\t", "\n"):
                new = element("w:tab" if piece == "\t" else "w:br")
            elif piece:
                new = element("w:t")
                new.text = piece
                new.set(XML_SPACE, "preserve")
            else:
                continue
            parent.insert(index, new)
            index += 1


# --------------------------------------------------------------------------- table grids


def fit_grid(tbl: etree._Element) -> None:
    """Make the grid of ``tbl`` as wide as its widest row, keeping the table's width.

    Column loops (``{%tc for %}``) change the number of cells of a row; Word needs one ``w:gridCol`` per
    grid column (docxtpl's ``fix_tables`` did the same).
    """
    grid = tbl.find(qn("w:tblGrid"))
    if grid is None:
        return
    columns = grid.findall(qn("w:gridCol"))
    widest = max((sum(span for _, span, _ in grid_cells(tr)) for tr in tbl.iter(W_TR)), default=0)
    if widest == len(columns) or widest == 0:
        return
    widths = [float(c.get(qn("w:w"), "0")) for c in columns]
    total = sum(widths)
    for column in columns:
        grid.remove(column)
    if widest > len(columns):  # more cells: every column gets an equal share of the table's width
        widths = [total / widest] * widest
    else:  # fewer: the columns that remain share the width of those removed
        removed = sum(widths[widest:])
        widths = [w + removed / widest for w in widths[:widest]]
    for width in widths:
        grid.append(element("w:gridCol", w=str(int(width))))


# --------------------------------------------------------------------------- styles


#: what two definitions of a style may differ in and still be the same style
IGNORED_STYLE_TAGS = frozenset(qn(f"w:{t}") for t in ("name", "rsid", "qFormat", "uiPriority", "semiHidden",
                                                       "unhideWhenUsed", "locked", "personal", "autoRedefine"))


def same_element(a: etree._Element, b: etree._Element, ignored: frozenset[str] = frozenset()) -> bool:
    """Equal tag, attributes, text and children, in order, leaving out children tagged ``ignored``."""
    if a.tag != b.tag or dict(a.attrib) != dict(b.attrib) or (a.text or "").strip() != (b.text or "").strip():
        return False
    mine = [c for c in a if c.tag not in ignored and isinstance(c.tag, str)]
    theirs = [c for c in b if c.tag not in ignored and isinstance(c.tag, str)]
    return len(mine) == len(theirs) and all(same_element(x, y, ignored) for x, y in zip(mine, theirs))


def style_name(style: etree._Element) -> str | None:
    name = style.find(W_NAME)
    return None if name is None else name.get(W_VAL)


def rename_style(style: etree._Element, style_id: str, name: str | None) -> None:
    style.set(W_STYLE_ID, style_id)
    if name is not None:
        found = style.find(W_NAME)
        if found is None:
            found = etree.SubElement(style, W_NAME)
            style.insert(0, found)
        found.set(W_VAL, name)


def style_references(root: etree._Element) -> Iterable[etree._Element]:
    """Every ``w:pStyle``/``w:rStyle``/``w:tblStyle`` under ``root``."""
    return root.iter(*STYLE_REFERENCES)
