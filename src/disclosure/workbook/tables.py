"""The report's tables as a workbook (``build --xlsx``): one sheet per printed table, laid out as printed.

Titles, headers and merged cells are what the report prints, because they are taken from the same
Word template rendered with the same context: each table part of the profile is rendered once more
with every figure replaced by a marker, and the rendered Word table is copied cell by cell — its text,
its horizontal (``gridSpan``) and vertical (``vMerge``) merges, its column widths.  A cell holding a
marker becomes a number cell: the table's :class:`~decimal.Decimal` figure (derived at the table's
scale, so it is exactly the printed figure) with the table's number format (``0.00`` with a blank zero
in the Shanxi form, ``#,##0.00`` for a form that groups thousands).  A restyled template
(``--templates``) is honoured in the workbook too.  Notes printed under a table (``注：本表无数据``)
follow it on the sheet.

No figure is computed here, and nothing is written but through ``handle``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .. import money
from ..errors import OutputError
from ..money import NumberFormat
from ..report import PrintedTable, ReportContent
from .cells import fits_excel_number

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: a figure's marker, never in a report's text
_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class _Marking(NumberFormat):
    """A number format that prints a marker and remembers the figure (and its table and real format)."""

    table: str = ""
    figures: list[tuple[str, Decimal, NumberFormat]] = field(default_factory=list, compare=False, hash=False)
    real: NumberFormat | None = None

    def format(self, value: Decimal) -> str:
        self.figures.append((self.table, value, self.real or NumberFormat()))
        return f"{_OPEN}{len(self.figures) - 1}{_CLOSE}"


def excel_number_format(fmt: NumberFormat) -> str:
    """The Excel format that shows a figure as ``fmt`` prints it (``0.00;-0.00;;@``: a blank zero)."""
    if fmt.trim:
        number = "General"
    else:
        number = ("#,##0" if fmt.grouping else "0") + ("." + "0" * fmt.places if fmt.places else "")
    zero = "" if fmt.zero == "" else ("0" if fmt.zero == "0" else '"' + fmt.zero.replace('"', '""') + '"')
    return f"{number};-{number};{zero};@"


@dataclass
class _Block:
    """One Word table of a rendered part, with the paragraphs printed above and below it."""

    headings: list[str]
    tbl: Any
    notes: list[str] = field(default_factory=list)


def _blocks(document) -> list[_Block]:
    blocks: list[_Block] = []
    pending: list[str] = []
    for child in document.element.body:
        if child.tag == qn("w:p"):
            text = Paragraph(child, document).text.strip()
            if text:
                pending.append(text)
        elif child.tag == qn("w:tbl"):
            blocks.append(_Block(pending, child))
            pending = []
    if blocks:
        blocks[-1].notes = pending
    return blocks


@dataclass(frozen=True)
class _Cell:
    text: str
    row: int
    column: int
    rows: int = 1
    columns: int = 1


def _cell_text(tc) -> str:
    return "\n".join(Paragraph(p, None).text for p in tc.findall(qn("w:p")))


def table_grid(tbl) -> tuple[list[_Cell], int, int]:
    """The cells of a Word table with their spans (a vertically merged run is one cell), and its size."""
    origins: list[dict[str, Any]] = []
    open_by_column: dict[int, dict[str, Any]] = {}
    width = 0
    trs = tbl.findall(qn("w:tr"))
    for r, tr in enumerate(trs):
        column = 0
        before = tr.find(qn("w:trPr") + "/" + qn("w:gridBefore"))
        if before is not None:
            column = int(before.get(qn("w:val"), "0"))
        for tc in tr.findall(qn("w:tc")):
            properties = tc.find(qn("w:tcPr"))
            span_el = properties.find(qn("w:gridSpan")) if properties is not None else None
            span = int(span_el.get(qn("w:val"), "1")) if span_el is not None else 1
            vmerge = properties.find(qn("w:vMerge")) if properties is not None else None
            if vmerge is not None and vmerge.get(qn("w:val"), "continue") != "restart" and column in open_by_column:
                open_by_column[column]["rows"] = r - open_by_column[column]["row"] + 1
            else:
                origin = {"text": _cell_text(tc), "row": r, "column": column, "rows": 1, "columns": span}
                origins.append(origin)
                for c in range(column, column + span):
                    open_by_column.pop(c, None)
                if vmerge is not None:
                    open_by_column[column] = origin
            column += span
        width = max(width, column)
    return [_Cell(**o) for o in origins], len(trs), width


def _column_widths(tbl, count: int) -> list[float]:
    grid = tbl.find(qn("w:tblGrid"))
    twips = [int(col.get(qn("w:w"), "0") or 0) for col in grid.findall(qn("w:gridCol"))] if grid is not None else []
    # 1 twip = 1/1440 inch, an Excel width unit is about 7 pixels at 96 dpi; a little wider, as Excel's
    # default font is larger than the report's table font
    return [max(4.0, round((twips[i] if i < len(twips) else 1400) / 90, 1)) for i in range(count)]


def _sheet_name(label: str, title: str, taken: set[str]) -> str:
    base = _INVALID_SHEET_CHARACTERS.sub("_", label or title).strip("'") or "表"
    base = base[:31]
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


class _Sheet:
    def __init__(self, ws, width: int, figures: list[tuple[str, Decimal, NumberFormat]]):
        self.ws = ws
        self.width = max(width, 1)
        self.figures = figures
        self.row = 1

    def heading(self, text: str, *, title: bool = False) -> None:
        ws = self.ws
        if "\t" in text and not title:  # 单位名称：…<tab>单位：万元: left and right, as printed
            left, right = text.split("\t", 1)[0], text.rsplit("\t", 1)[-1]
            ws.cell(row=self.row, column=1, value=left).data_type = "s"
            if self.width > 1:
                cell = ws.cell(row=self.row, column=self.width, value=right.strip())
                cell.alignment = Alignment(horizontal="right")
                cell.data_type = "s"
        else:
            cell = ws.cell(row=self.row, column=1, value=text)
            cell.data_type = "s"
            if title:
                cell.font = Font(bold=True, size=14)
                cell.alignment = Alignment(horizontal="center")
                if self.width > 1:
                    ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=self.width)
        self.row += 1

    def value(self, text: str) -> tuple[Any, str | None]:
        """A cell's content: a figure (with its Excel format) when it is one marker, else its text."""
        stripped = text.strip()
        whole = _MARKER.fullmatch(stripped)
        if whole:
            _, figure, fmt = self.figures[int(whole.group(1))]
            quantum = Decimal(1).scaleb(-fmt.places)
            figure = money.round_half_up(figure, quantum)
            if fits_excel_number(figure):
                return figure, excel_number_format(fmt)
            return fmt.format(figure), None  # beyond Excel's 15 digits: the printed text
        return _MARKER.sub(lambda m: self._printed(int(m.group(1))), text), None

    def _printed(self, index: int) -> str:
        _, figure, fmt = self.figures[index]
        return fmt.format(figure)

    def table(self, tbl) -> None:
        cells, height, width = table_grid(tbl)
        ws, top = self.ws, self.row
        body_from = min((c.row for c in cells if _MARKER.search(c.text)), default=height)
        for cell in cells:
            value, number_format = self.value(cell.text)
            target = ws.cell(row=top + cell.row, column=cell.column + 1)
            if value != "":
                target.value = value
                if number_format is None:
                    target.data_type = "s"
                else:
                    target.number_format = number_format
            is_header = cell.row < body_from
            target.alignment = Alignment(horizontal="center" if is_header else None, vertical="center",
                                         wrap_text=is_header)
            if is_header:
                target.font = Font(bold=True)
                target.fill = _HEADER_FILL
            for r in range(cell.rows):
                for c in range(cell.columns):
                    ws.cell(row=top + cell.row + r, column=cell.column + 1 + c).border = _BORDER
            if cell.rows > 1 or cell.columns > 1:
                ws.merge_cells(start_row=top + cell.row, start_column=cell.column + 1,
                               end_row=top + cell.row + cell.rows - 1, end_column=cell.column + cell.columns)
        for index, w in enumerate(_column_widths(tbl, width), start=1):
            current = ws.column_dimensions[get_column_letter(index)].width or 0
            ws.column_dimensions[get_column_letter(index)].width = max(current, w)
        ws.freeze_panes = ws.cell(row=top + body_from, column=1)
        self.row = top + height


def tables_workbook(content: ReportContent, templates=None) -> Workbook:
    """The workbook of the report's printed tables (``templates``: a :class:`~disclosure.render.TemplateSet`,
    a folder replacing default templates by name, or None for the defaults)."""
    from ..render import TemplateSet
    from ..render import context as ctx

    template_set = templates if isinstance(templates, TemplateSet) else TemplateSet.create(templates)
    model, profile = content.model, content.profile
    base = ctx.base_context(model, profile)
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for part in profile.parts_for(model.unit.level):
        if part.content != "table":
            continue
        figures: list[tuple[str, Decimal, NumberFormat]] = []
        marked = [_marked(content.printed[name], figures) for name in part.table_names]
        context = {**base, "part_title": ctx.part_title(part, model, profile),
                   **ctx.tables_context(marked, profile, model)}
        document = _rendered_part(template_set, part.template, base, context)
        for name, blocks in _assign(_blocks(document), part.table_names, figures).items():
            table_context = context["tables"][name]
            sheet_name = _sheet_name(table_context["label"], table_context["title"], taken)
            width = max((table_grid(b.tbl)[2] for b in blocks), default=1)
            sheet = _Sheet(book.create_sheet(sheet_name), width, figures)
            for number, block in enumerate(blocks):
                if number:
                    sheet.row += 1
                for text in block.headings:
                    sheet.heading(text, title=text == table_context["title"])
                sheet.table(block.tbl)
                for note in block.notes:
                    sheet.heading(note)
            _page_setup(sheet.ws, width)
    return book


def _rendered_part(template_set, template: str, base: dict[str, Any], context: dict[str, Any]):
    """The part's template rendered alone, by the report's own engine, and read back as a Word document."""
    import io

    import docx

    from ..render.compose import RenderJob, compose

    buffer = io.BytesIO()
    compose(template_set, base, [RenderJob(template, context)]).write(buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def _marked(printed: PrintedTable, figures: list) -> PrintedTable:
    real = printed.number_format
    marking = _Marking(real.unit, real.places, real.grouping, real.zero, real.trim, table=printed.name,
                       figures=figures, real=real)
    return replace(printed, number_format=marking)


def _assign(blocks: list[_Block], names: list[str], figures: list) -> dict[str, list[_Block]]:
    """Which Word table prints which profile table: by the figures' markers in it, else in order."""
    if len(names) == 1:
        return {names[0]: blocks}
    out: dict[str, list[_Block]] = {name: [] for name in names}
    unmarked = []
    for block in blocks:
        cells, _, _ = table_grid(block.tbl)
        found = [figures[int(i)][0] for c in cells for i in _MARKER.findall(c.text)]
        if found:
            out[found[0]].append(block)
        else:
            unmarked.append(block)
    for block in unmarked:
        name = next((n for n in names if not out[n]), names[-1])
        out[name].append(block)
    return {name: found for name, found in out.items() if found}


def _page_setup(ws, width: int) -> None:
    ws.page_setup.orientation = "landscape" if width > 6 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def write_tables_workbook(content: ReportContent, handle: BinaryIO, *, templates=None) -> None:
    """Write the report's printed tables as a workbook to the binary ``handle`` (see :func:`tables_workbook`)."""
    tables_workbook(content, templates).save(handle)


def tables_path(report: Path, model_path: Path | None) -> Path:
    """Where ``build --xlsx`` writes the tables: beside the report, never over the workbook it was built from."""
    target = report.with_suffix(".xlsx")
    if model_path is not None and target.exists() and target.resolve() == Path(model_path).resolve():
        raise OutputError(f"{target}: is the model being built; give the report another name (--name)")
    return target
