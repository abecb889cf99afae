"""Editing a budget workbook the way a finance officer does: openpyxl writing values into cells found by header."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

HEADER_ROW = 2  # the writer puts a note in row 1 and the headers in row 2


def header_columns(ws, row: int = HEADER_ROW) -> dict[str, int]:
    return {str(c.value).strip(): c.column for c in ws[row] if c.value is not None}


def form_row(ws, label: str) -> int:
    """The row of a form (单位信息, 上年数 …) whose 项目 is ``label``."""
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == label:
            return row
    raise KeyError(label)


class Officer:
    """Opens a workbook, changes cells by sheet, header and data row, and saves it."""

    def __init__(self, path: Path):
        self.path = path
        self.book = openpyxl.load_workbook(path)

    def cell(self, sheet: str, header: str, row: int):
        """The cell under ``header`` in data row ``row`` (1 = the first row below the header)."""
        ws = self.book[sheet]
        return ws.cell(row=HEADER_ROW + row, column=header_columns(ws)[header])

    def set(self, sheet: str, header: str, row: int, value: Any, number_format: str | None = None) -> str:
        cell = self.cell(sheet, header, row)
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return f"{sheet}!{cell.coordinate}"

    def fill_form(self, sheet: str, values: dict[str, Any]) -> None:
        ws = self.book[sheet]
        for label, value in values.items():
            ws.cell(row=form_row(ws, label), column=2, value=value)

    def append(self, sheet: str, values: dict[str, Any]) -> int:
        """Write ``values`` (by header) into the first empty data row; returns its sheet row."""
        ws = self.book[sheet]
        columns = header_columns(ws)
        row = HEADER_ROW + 1
        while any(ws.cell(row=row, column=c).value is not None for c in columns.values()):
            row += 1
        for header, value in values.items():
            ws.cell(row=row, column=columns[header], value=value)
        return row

    def save(self, path: Path | None = None) -> Path:
        target = path or self.path
        self.book.save(target)
        return target
