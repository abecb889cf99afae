"""Reading a generated report back the way a user would: with python-docx, by what is printed."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph


def body_items(document) -> list[Paragraph | Table]:
    """Paragraphs and tables of the body, in document order."""
    items: list[Paragraph | Table] = []
    for child in document.element.body:
        if child.tag == qn("w:p"):
            items.append(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            items.append(Table(child, document))
    return items


def table_after(document, title: str) -> Table:
    """The first table printed after the paragraph whose text is ``title``."""
    seen = False
    for item in body_items(document):
        if isinstance(item, Paragraph) and item.text.strip() == title:
            seen = True
        elif seen and isinstance(item, Table):
            return item
    raise AssertionError(f"no table after a paragraph {title!r}")


def paragraphs_after(document, title: str, until: str | None = None) -> list[str]:
    """Texts of the paragraphs after ``title`` (up to the paragraph ``until``, excluded)."""
    texts: list[str] = []
    seen = False
    for item in body_items(document):
        if not isinstance(item, Paragraph):
            continue
        text = item.text.strip()
        if seen and until is not None and text == until:
            break
        if seen and text:
            texts.append(text)
        if text == title:
            seen = True
    return texts


def rows(table: Table) -> list[list[str]]:
    """The cell texts of each row; a merged cell appears once per grid column it covers (python-docx)."""
    return [[cell.text.strip() for cell in row.cells] for row in table.rows]


def open_report(path: Path):
    return docx.Document(str(path))


def all_text(document) -> str:
    parts = []
    for item in body_items(document):
        if isinstance(item, Paragraph):
            parts.append(item.text)
        else:
            parts.extend(cell.text for row in item.rows for cell in row.cells)
    return "\n".join(parts)


def paragraphs_after_table(document, title: str) -> list[str]:
    """Non-empty paragraph texts after the table that follows ``title``, up to the next table."""
    texts: list[str] = []
    state = "title"
    for item in body_items(document):
        if state == "title" and isinstance(item, Paragraph) and item.text.strip() == title:
            state = "table"
        elif state == "table" and isinstance(item, Table):
            state = "after"
        elif state == "after":
            if isinstance(item, Table):
                break
            if item.text.strip():
                texts.append(item.text.strip())
    return texts


def merge_marks(tbl) -> list[list[str]]:
    """A table's cells as a reader sees its vertical merges: ``text``, ``text^`` (a merge restarts) or ``~``
    (the cell continues the merge above). ``tbl`` is a ``w:tbl`` element (lxml or python-docx)."""
    out = []
    for tr in tbl.iter(qn("w:tr")):
        row = []
        for tc in tr.iter(qn("w:tc")):
            vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            value = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            if vmerge is None:
                row.append(value)
            else:
                row.append(f"{value}^" if vmerge.get(qn("w:val")) == "restart" else "~")
        out.append(row)
    return out
