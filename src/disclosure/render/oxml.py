"""Low-level WordprocessingML helpers the python-docx API lacks (page breaks, bookmarks, merges, text).

Like python-docx's own ``docx.oxml`` layer, these functions work on lxml
elements and know nothing of budgets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

#: Characters XML 1.0 forbids in text (C0 controls other than tab, newline, carriage return).
FORBIDDEN_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

MERGE_CAPTION = re.compile(r"^\s*merge-repeated\s*:\s*([\d\s,]+)$")


def xml_safe(text: str) -> str:
    """``text`` without the control characters XML cannot hold (the loader refuses them earlier), and with
    carriage returns as line breaks (an XML parser would turn a raw one into a newline inside the text)."""
    return FORBIDDEN_XML_CHARS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def set_page_break_before(paragraph) -> None:
    """Start ``paragraph`` on a new page (w:pageBreakBefore), creating no empty paragraph."""
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        paragraph.insert(0, ppr)
    if ppr.find(qn("w:pageBreakBefore")) is None:
        el = OxmlElement("w:pageBreakBefore")
        # pageBreakBefore follows pStyle, keepNext, keepLines in the schema
        anchor = None
        for tag in ("w:keepLines", "w:keepNext", "w:pStyle"):
            anchor = ppr.find(qn(tag))
            if anchor is not None:
                break
        if anchor is None:
            ppr.insert(0, el)
        else:
            anchor.addnext(el)


def add_bookmark(paragraph, name: str, bookmark_id: int) -> None:
    """Wrap the start of ``paragraph`` in a bookmark ``name`` (PDF export turns it into a destination)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    ppr = paragraph.find(qn("w:pPr"))
    index = 0 if ppr is None else list(paragraph).index(ppr) + 1
    paragraph.insert(index, start)
    paragraph.append(end)


def cell_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _grid_cells(tr) -> list[tuple[int, int, object]]:
    """(grid column, span, tc) of each cell of a row."""
    out = []
    column = 0
    before = tr.find(qn("w:trPr") + "/" + qn("w:gridBefore"))
    if before is not None:
        column = int(before.get(qn("w:val"), "0"))
    for tc in tr.findall(qn("w:tc")):
        span_el = tc.find(qn("w:tcPr") + "/" + qn("w:gridSpan"))
        span = int(span_el.get(qn("w:val"), "1")) if span_el is not None else 1
        out.append((column, span, tc))
        column += span
    return out


def _set_vmerge(tc, value: str | None) -> None:
    tcpr = tc.find(qn("w:tcPr"))
    if tcpr is None:
        tcpr = OxmlElement("w:tcPr")
        tc.insert(0, tcpr)
    for old in tcpr.findall(qn("w:vMerge")):
        tcpr.remove(old)
    el = OxmlElement("w:vMerge")
    if value:
        el.set(qn("w:val"), value)
    # vMerge follows tcW and gridSpan and hMerge in the schema
    anchor = None
    for tag in ("w:hMerge", "w:gridSpan", "w:tcW", "w:cnfStyle"):
        anchor = tcpr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is None:
        tcpr.insert(0, el)
    else:
        anchor.addnext(el)


def _clear_text(tc) -> None:
    paragraphs = tc.findall(qn("w:p"))
    for p in paragraphs[1:]:
        tc.remove(p)
    for r in paragraphs[0].findall(qn("w:r")) if paragraphs else []:
        paragraphs[0].remove(r)


def merge_repeated_cells(tbl, columns: Iterable[int]) -> None:
    """Merge vertically the runs of equal, non-empty cells in the grid ``columns`` of ``tbl``.

    ``columns`` are nested: a cell of a later column merges with the one above
    only if the earlier columns' cells of both rows are equal too (二级指标
    merge within their 一级指标).  Cells already merged in the template are
    left as they are.  This is how the performance sheet's indicator rows,
    rendered one per 三级指标, get their merged 一级/二级 cells.
    """
    columns = list(columns)
    rows = [
        {col: (tc, cell_text(tc)) for col, span, tc in _grid_cells(tr) if span == 1}
        for tr in tbl.findall(qn("w:tr"))
    ]

    def mergeable(tc) -> bool:
        return tc.find(qn("w:tcPr") + "/" + qn("w:vMerge")) is None

    for depth, column in enumerate(columns):
        keys = columns[: depth + 1]
        start = 0
        while start < len(rows):
            first = rows[start].get(column)
            end = start + 1
            if first is not None and first[1] and mergeable(first[0]):
                while end < len(rows):
                    here = rows[end].get(column)
                    if here is None or not mergeable(here[0]):
                        break
                    same = all(
                        rows[end].get(k) is not None and rows[start].get(k) is not None
                        and rows[end][k][1] == rows[start][k][1]
                        for k in keys
                    )
                    if not same:
                        break
                    end += 1
            if end - start > 1:
                _set_vmerge(first[0], "restart")
                for i in range(start + 1, end):
                    tc = rows[i][column][0]
                    _set_vmerge(tc, "continue")
                    _clear_text(tc)
            start = end
        # cells merged at this depth are no longer candidates for deeper columns' comparisons:
        # their text is kept in `rows`, so nested keys still compare on the original texts.


def apply_merge_captions(body) -> None:
    """Merge repeated cells in every table whose Alt Text title reads ``merge-repeated: 0, 1, 2``."""
    for tbl in body.iter(qn("w:tbl")):
        caption = tbl.find(qn("w:tblPr") + "/" + qn("w:tblCaption"))
        if caption is None:
            continue
        match = MERGE_CAPTION.match(caption.get(qn("w:val"), ""))
        if match:
            columns = [int(c) for c in re.split(r"[\s,]+", match.group(1).strip()) if c]
            merge_repeated_cells(tbl, columns)
