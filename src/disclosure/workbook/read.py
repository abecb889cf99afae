"""An Excel workbook → plain model data and a source map, like a YAML file (:func:`load_workbook_model`).

The workbook is data, never code: it is opened with openpyxl in read-only mode, formulas are never
evaluated (the result Excel saved is read; a formula without one is an error naming the cell), and
macros (``.xlsm``) are never run — their code is not even read.  Before anything is parsed the file is
checked: its size, that it is a zip package with a workbook in it (not a renamed text file, not an
encrypted or Excel 97–2003 file), its unpacked size, and each sheet's row count (from the sheet's
dimension, then while streaming), so a million-row sheet is refused without reading it.

Sheets and columns are found by their names and header texts (:mod:`disclosure.workbook.layout`), not by
position: the header row may be anywhere in the first rows, columns in any order.  Sheets the layout does
not know are ignored (unless a known sheet is missing and one of them looks like it); hidden rows and
columns are read like visible ones (hiding is a view, not a deletion).  Every problem names the file,
the sheet and the cell.
"""

from __future__ import annotations

import difflib
import functools
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import FileRefused, read_regular_file
from ..heap import collector_paused
from ..load import MAX_BYTES, LoadedModel, LoadError, Problem, SourceMap, loaded_from
from . import layout as L
from .cells import BLANK, CellError, is_blank, read_cell
from .layout import ModelPath

#: Largest unpacked size of a workbook's parts (a zip bomb is refused before it is unpacked).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: Most rows a sheet may have.
MAX_ROWS = 100_000
#: Columns read (a sheet's used range may reach column XFD; the layout's widest table has ~25 columns).
MAX_COLUMNS = 256
#: The header row is looked for in this many rows from the top.
HEADER_ROWS = 10
#: A column whose header starts with this is the user's own notes: never read.
NOTE_PREFIX = "备注"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


# --------------------------------------------------------------------------- the file


def _read_bytes(path: Path, shown: str) -> bytes:
    """The workbook's bytes: a regular file under the model's size cap (a FIFO or device is refused unread)."""
    try:
        return read_regular_file(path, MAX_BYTES, "an Excel workbook (.xlsx)")
    except FileRefused as exc:
        raise LoadError([Problem(shown, exc.reason)]) from None


def check_package(data: bytes, shown: str) -> None:
    """Refuse what is not an .xlsx/.xlsm workbook, with what it seems to be instead."""

    def fail(message: str) -> LoadError:
        return LoadError([Problem(shown, message)])

    if not data:
        raise fail("is empty; expected an Excel workbook (.xlsx)")
    if data.startswith(_OLE):
        if _utf16("EncryptionInfo") in data or _utf16("EncryptedPackage") in data:
            raise fail("is encrypted (protected by a password to open); save a copy without the password "
                       "(Excel: File › Info › Protect Workbook › Encrypt with Password, clear it)")
        if _utf16("Workbook") in data or _utf16("Book") in data:
            raise fail("is an Excel 97–2003 workbook (.xls); save it as an Excel workbook (.xlsx)")
        raise fail("is an OLE compound file (an old Office format), not an Excel workbook (.xlsx)")
    if not data.startswith(b"PK"):
        head = data[:4096]
        if b"\x00" not in head:
            try:
                head.decode("utf-8")
                hint = "it is a text file (a YAML model must be named .yaml)"
            except UnicodeDecodeError:
                hint = "it is a text file or another format"
        else:
            hint = "it is another binary format"
        raise fail(f"is not an Excel workbook (.xlsx): {hint}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise fail(f"is damaged or not an Excel workbook: not a readable zip package ({exc})") from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise fail("is a Word document, not an Excel workbook")
        if "ppt/presentation.xml" in names:
            raise fail("is a PowerPoint presentation, not an Excel workbook")
        if "content.xml" in names:
            raise fail("is an OpenDocument file; save it as an Excel workbook (.xlsx)")
        raise fail("is a zip file without a workbook in it, not an Excel workbook (.xlsx)")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise fail(f"unpacks to {unpacked} bytes; a budget workbook is expected to unpack to under "
                   f"{MAX_UNPACKED_BYTES} bytes")


def _open(data: bytes, shown: str, *, data_only: bool):
    import openpyxl

    try:
        with warnings.catch_warnings():  # openpyxl warns about parts it drops (extensions, VBA): not the user's
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        raise LoadError([Problem(shown, f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})")]) from None


# --------------------------------------------------------------------------- cells of a sheet


@dataclass(frozen=True)
class Cell:
    value: Any
    data_type: str
    formula: bool = False


_EMPTY = Cell(None, "n")


@functools.lru_cache(maxsize=MAX_COLUMNS)
def column_letter(index: int) -> str:
    """``0`` → ``A``."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


@dataclass
class Grid:
    """A sheet's cells, by row number (1-based) and column index (0-based)."""

    name: str
    rows: dict[int, list[Cell]] = field(default_factory=dict)

    def ref(self, row: int, column: int | None = None) -> str:
        return f"{self.name}!{column_letter(column)}{row}" if column is not None else f"{self.name}!{row}:{row}"

    def cell(self, row: int, column: int) -> Cell:
        cells = self.rows.get(row, ())
        return cells[column] if column < len(cells) else _EMPTY

    def text(self, row: int, column: int) -> str:
        value = self.cell(row, column).value
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def row_numbers(self) -> list[int]:
        return sorted(self.rows)


def _sheet_grid(book, formulas_book, title: str, shown: str) -> Grid:
    worksheet = book[title]
    declared = worksheet.max_row  # from the sheet's <dimension>, without reading its rows
    if declared is not None and declared > MAX_ROWS:
        raise LoadError([Problem(shown, f"has {declared} rows (used range {worksheet.calculate_dimension()}); a "
                                        f"sheet of a budget workbook may have at most {MAX_ROWS} — delete the rows "
                                        "below the data", cell=title)])
    grid = Grid(title.strip())
    with_formulas: list[tuple[int, int]] = []
    # rows are padded to the declared width; without a dimension, each row is as wide as its last cell
    columns = min(worksheet.max_column, MAX_COLUMNS) if worksheet.max_column else None
    for count, cells in enumerate(worksheet.iter_rows(max_col=columns), start=1):
        if count > MAX_ROWS:
            raise LoadError([Problem(shown, f"has more than {MAX_ROWS} rows; a sheet of a budget workbook may have "
                                            f"at most {MAX_ROWS}", cell=title)])
        row: list[Cell] = []
        number = None
        for cell in cells[:MAX_COLUMNS]:
            value = getattr(cell, "value", None)
            if number is None and getattr(cell, "row", None) is not None:
                number = cell.row
            data_type = getattr(cell, "data_type", "n") or "n"
            if data_type == "f":
                with_formulas.append((cell.row, cell.column - 1))
                row.append(Cell(None, "n", formula=True))
            else:
                row.append(Cell(value, data_type))
        if number is not None and any(c.value is not None or c.formula for c in row):
            while row and row[-1].value is None and not row[-1].formula:
                row.pop()
            grid.rows[number] = row
    if with_formulas:
        _cached_results(formulas_book(), title, grid, with_formulas)
    return grid


def _cached_results(book, title: str, grid: Grid, cells: list[tuple[int, int]]) -> None:
    """Fill the formula cells of ``grid`` with the results Excel saved (None where there is none)."""
    wanted = set(cells)
    first, last = min(r for r, _ in cells), max(r for r, _ in cells)
    for row in book[title].iter_rows(min_row=first, max_row=last, max_col=MAX_COLUMNS):
        for cell in row:
            key = (getattr(cell, "row", None), getattr(cell, "column", 1) - 1)
            if key in wanted:
                data_type = getattr(cell, "data_type", "n") or "n"
                grid.rows[key[0]][key[1]] = Cell(cell.value, data_type, formula=True)


# --------------------------------------------------------------------------- headers


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Header:
    row: int
    columns: dict[str, int]  # header text → column index


def find_header(grid: Grid, known: list[str]) -> Header | None:
    """The row (among the first :data:`HEADER_ROWS` rows with cells) holding most of the ``known`` headers."""
    wanted = {_normal(k) for k in known}
    best: Header | None = None
    best_score = 0
    for number in grid.row_numbers()[:HEADER_ROWS]:
        columns = {}
        for index, cell in enumerate(grid.rows[number]):
            if isinstance(cell.value, str) and _normal(cell.value) in wanted:
                columns.setdefault(_normal(cell.value), index)
        if len(columns) > best_score:
            best, best_score = Header(number, columns), len(columns)
    return best


# --------------------------------------------------------------------------- the reader


def set_path(data: dict[str, Any], path: ModelPath, value: Any) -> None:
    """Put ``value`` at ``path`` of ``data``, creating mappings (and appending list items) on the way."""
    target: Any = data
    for element, following in zip(path, path[1:]):
        fresh: Any = [] if isinstance(following, int) else {}
        if isinstance(target, list):
            assert isinstance(element, int)
            if element == len(target):
                target.append(fresh)
            target = target[element]
        else:
            if target.get(element) is None:
                target[element] = fresh
            target = target[element]
    last = path[-1]
    if isinstance(target, list):
        assert isinstance(last, int)
        if last == len(target):
            target.append(value)
        else:
            target[last] = value
    else:
        target[last] = value


def get_path(data: Any, path: ModelPath) -> Any:
    for element in path:
        if isinstance(data, dict):
            data = data.get(element)
        elif isinstance(data, list) and isinstance(element, int) and element < len(data):
            data = data[element]
        else:
            return None
    return data


class _Reader:
    def __init__(self, shown: str, book, formulas_book):
        self.file = shown
        self.book = book
        self._formulas_book = formulas_book
        self.titles = {title.strip(): title for title in book.sheetnames}
        self.data: dict[str, Any] = {}
        self.cells: dict[ModelPath, str] = {}
        self.problems: list[Problem] = []
        self.set_by: dict[ModelPath, str] = {}  # model path → the cell that set it (for the generic sheet)

    # ----------------------------------------------------------------- helpers

    def problem(self, cell: str | None, message: str, path: ModelPath = ()) -> None:
        self.problems.append(Problem(self.file, message, tuple(path), cell=cell))

    def grid(self, name: str) -> Grid | None:
        title = self.titles.get(name)
        if title is None:
            return None
        return _sheet_grid(self.book, self._formulas_book, title, self.file)

    def value(self, grid: Grid, row: int, column: int | None, leaf: L.Leaf, path: ModelPath) -> Any:
        """The model value of a cell (``BLANK`` when blank or absent), recording where ``path`` is."""
        if column is None:
            return BLANK
        ref = grid.ref(row, column)
        self.cells.setdefault(tuple(path), ref)
        cell = grid.cell(row, column)
        if cell.formula and cell.value is None:
            self.problem(ref, "a formula without a saved result (the file was written by a program that does not "
                              "calculate): open and save it in Excel, or enter the value", path)
            return BLANK
        try:
            return read_cell(cell.value, cell.data_type, leaf.kind)
        except CellError as exc:
            self.problem(ref, str(exc), path)
            return BLANK

    def put(self, path: ModelPath, value: Any, ref: str) -> None:
        set_path(self.data, path, value)
        self.set_by[tuple(path)] = ref

    def header(self, grid: Grid, known: list[str], required: list[str], *, has_data: bool = True) -> Header | None:
        """The header row; unknown headers and missing required ones are problems naming the cells."""
        header = find_header(grid, known)
        if header is None:
            if grid.rows and has_data:
                self.problem(grid.name, f"no header row found in the first {HEADER_ROWS} rows; expected the "
                                        f"columns {'、'.join(known)}")
            return None
        seen: dict[str, int] = {}
        for index, cell in enumerate(grid.rows[header.row]):
            if not isinstance(cell.value, str) or not cell.value.strip():
                continue
            text = _normal(cell.value)
            if text.startswith(NOTE_PREFIX):
                continue
            if text in seen:
                self.problem(grid.ref(header.row, index), f"the column {text} appears twice (also "
                                                          f"{grid.ref(header.row, seen[text])})")
            elif text not in {_normal(k) for k in known}:
                close = difflib.get_close_matches(text, known, n=1, cutoff=0.5)
                hint = f"did you mean {close[0]}? " if close else ""
                self.problem(grid.ref(header.row, index), f"unknown column {text!r}; {hint}known columns: "
                                                          f"{'、'.join(known)} (a column of your own notes starts "
                                                          f"with {NOTE_PREFIX})")
            seen.setdefault(text, index)
        if any(r > header.row for r in grid.rows):
            for name in required:
                if _normal(name) not in header.columns:
                    self.problem(grid.ref(header.row), f"the column {name} is missing from the header row (found: "
                                                       f"{'、'.join(sorted(header.columns, key=header.columns.get))})")
        return header

    def data_rows(self, grid: Grid, header: Header, columns: list[int]) -> Iterator[int]:
        """Rows below the header with anything in the given columns."""
        for number in grid.row_numbers():
            if number <= header.row:
                continue
            cells = [grid.cell(number, c) for c in columns]
            if any(not is_blank(c.value) or c.formula for c in cells):
                yield number

    # ----------------------------------------------------------------- sheets

    def read(self) -> tuple[dict[str, Any], SourceMap]:
        self.check_sheets()
        readers = {L.Form: self.form, L.Table: self.table, L.Child: self.child, L.Indicators: self.indicators,
                   L.Keyed: self.keyed, L.Tagged: self.tagged, L.Texts: self.texts}
        for spec in L.SHEETS:
            grid = self.grid(spec.name)
            if grid is not None:
                readers[type(spec)](spec, grid)  # type: ignore[operator]
        generic = self.grid(L.GENERIC_SHEET)
        if generic is not None:
            self.generic(generic)
        if self.problems:
            raise LoadError(self.problems)
        for path, ref in list(self.cells.items()):
            for n in range(len(path)):
                self.cells.setdefault(path[:n], ref)
        return self.data, SourceMap(self.file, cells=self.cells)

    def check_sheets(self) -> None:
        known = set(L.SHEET_NAMES)
        missing = [name for name in L.SHEET_NAMES if name not in self.titles and name not in L.IGNORED_SHEETS]
        for title in self.titles:
            if title in known:
                continue
            close = difflib.get_close_matches(title, missing, n=1, cutoff=0.6)
            if close:
                self.problem(title, f"is not a sheet the workbook is read from; did you mean {close[0]}? (rename it: "
                                    f"sheets with other names are ignored)")
        for name in L.REQUIRED_SHEETS:
            if name not in self.titles and not self.problems:
                sheets = "、".join(self.titles) or "none"
                self.problem(None, f"has no sheet {name} (its sheets: {sheets}); start from `python -m disclosure "
                                   "init --xlsx` or `convert`")
        if self.problems:
            raise LoadError(self.problems)

    def form(self, spec: L.Form, grid: Grid) -> None:
        rows = spec.rows()
        item, content, _, path_header = spec.headers
        header = self.header(grid, list(spec.headers), [item, content])
        if header is None or item not in header.columns or content not in header.columns:
            return
        by_label = {_normal(leaf.label): leaf for leaf in rows}
        by_path = {L.format_model_path(leaf.path): leaf for leaf in rows}
        label_column, value_column = header.columns[item], header.columns[content]
        path_column = header.columns.get(path_header)
        seen: dict[tuple[str, ...], str] = {}
        for root in spec.roots:  # a required part (unit) is there, so that its missing fields are named one by one
            info = L.field_at(root.path)[3]
            if info is not None and info.is_required() and get_path(self.data, root.path) is None:
                set_path(self.data, root.path, {})
        for number in self.data_rows(grid, header, [label_column, value_column]):
            label = grid.text(number, label_column)
            leaf = by_label.get(_normal(label))
            if leaf is None and path_column is not None:
                leaf = by_path.get(grid.text(number, path_column))
            if leaf is None:
                if not label and is_blank(grid.cell(number, value_column).value):
                    continue
                close = difflib.get_close_matches(label, [r.label for r in rows], n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]}?" if close else ""
                self.problem(grid.ref(number, label_column), f"unknown item {label!r} in {spec.name}{hint}")
                continue
            if leaf.path in seen:
                self.problem(grid.ref(number, label_column), f"{leaf.label} is given twice (also {seen[leaf.path]})",
                             leaf.path)
                continue
            seen[leaf.path] = grid.ref(number, label_column)
            value = self.value(grid, number, value_column, leaf, leaf.path)
            if value is not BLANK:
                self.put(leaf.path, value, grid.ref(number, value_column))

    def _columns(self, grid: Grid, header: Header, leaves: list[L.Leaf]) -> dict[tuple[str, ...], int | None]:
        return {leaf.path: header.columns.get(_normal(leaf.label)) for leaf in leaves}

    def _read_item(self, grid: Grid, number: int, leaves: list[L.Leaf], columns: dict, base: ModelPath) -> dict:
        item: dict[str, Any] = {}
        for leaf in leaves:
            path = (*base, *leaf.path)
            value = self.value(grid, number, columns[leaf.path], leaf, path)
            if value is not BLANK:
                set_path(item, leaf.path, value)
                self.set_by[path] = grid.ref(number, columns[leaf.path])
        return item

    def table(self, spec: L.Table, grid: Grid) -> None:
        leaves = spec.columns()
        required = [leaf.label for leaf in leaves if leaf.required and not leaf.optional]
        header = self.header(grid, [leaf.label for leaf in leaves], required)
        if header is None:
            return
        columns = self._columns(grid, header, leaves)
        present = [c for c in columns.values() if c is not None]
        items = []
        for number in self.data_rows(grid, header, present):
            index = len(items)
            base = (*spec.collection, index)
            self.cells.setdefault(base, grid.ref(number, min(present)))
            items.append(self._read_item(grid, number, leaves, columns, base))
        if items:
            set_path(self.data, spec.collection, items)
            self.set_by[spec.collection] = grid.name

    def _find_item(self, grid: Grid, number: int, column: int, collection: tuple[str, ...], key: str,
                   label: str, table: str) -> int | None:
        """The index of the item of ``collection`` whose ``key`` is the cell's text."""
        ref = grid.ref(number, column)
        name = grid.text(number, column)
        if not name:
            self.problem(ref, f"{label} is missing")
            return None
        items = get_path(self.data, collection) or []
        matches = [i for i, item in enumerate(items) if str(item.get(key, "")).strip() == name]
        if not matches:
            self.problem(ref, f"no row of {table} has the {label} {name!r}")
            return None
        if len(matches) > 1:
            rows = "、".join(self.cells.get((*collection, i), "?") for i in matches)
            self.problem(ref, f"the {label} {name!r} names several rows of {table} ({rows}); names must be unique")
            return None
        return matches[0]

    def child(self, spec: L.Child, grid: Grid) -> None:
        leaves = spec.columns()
        key_label = spec.key_label
        header = self.header(grid, [key_label, *(leaf.label for leaf in leaves)], [key_label])
        if header is None or _normal(key_label) not in header.columns:
            return
        key_column = header.columns[_normal(key_label)]
        columns = self._columns(grid, header, leaves)
        table = self._table_of(spec.collection)
        done: dict[int, str] = {}
        for number in self.data_rows(grid, header, [key_column, *(c for c in columns.values() if c is not None)]):
            index = self._find_item(grid, number, key_column, spec.collection, spec.key, key_label, table)
            if index is None:
                continue
            if index in done:
                self.problem(grid.ref(number, key_column), f"a second row for {grid.text(number, key_column)!r} "
                                                           f"(the first is {done[index]})")
                continue
            done[index] = grid.ref(number, key_column)
            base = (*spec.collection, index)
            self.cells.setdefault((*base, *spec.part), grid.ref(number, key_column))
            item = self._read_item(grid, number, leaves, columns, base)
            part = get_path(item, spec.part) or {}
            existing = get_path(self.data, (*base, *spec.part))
            if isinstance(existing, dict):
                existing.update(part)
            else:
                set_path(self.data, (*base, *spec.part), part)

    def _table_of(self, collection: tuple[str, ...]) -> str:
        return next((s.name for s in L.SHEETS if isinstance(s, L.Table) and s.collection == collection), "?")

    def indicators(self, spec: L.Indicators, grid: Grid) -> None:
        leaves = spec.columns()
        key_label = spec.key_label
        level1, level2 = spec.levels
        labels = [key_label, level1, level2, *(leaf.label for leaf in leaves)]
        header = self.header(grid, labels, [key_label, level1, level2])
        if header is None or any(_normal(x) not in header.columns for x in (key_label, level1, level2)):
            return
        key_column, l1_column, l2_column = (header.columns[_normal(x)] for x in (key_label, level1, level2))
        columns = self._columns(grid, header, leaves)
        name_leaf = next(leaf for leaf in leaves if leaf.required)
        table = self._table_of(spec.collection)
        previous: tuple[int | None, str, str] = (None, "", "")
        for number in self.data_rows(grid, header, [key_column, l1_column, l2_column,
                                                    *(c for c in columns.values() if c is not None)]):
            key_text, l1_text, l2_text = (grid.text(number, c) for c in (key_column, l1_column, l2_column))
            if key_text:
                index = self._find_item(grid, number, key_column, spec.collection, spec.key, key_label, table)
                if index is None:
                    previous = (None, "", "")
                    continue
            elif previous[0] is not None:
                index = previous[0]  # blank: the same as the row above (merged cells read so)
            else:
                self.problem(grid.ref(number, key_column), f"{key_label} is missing")
                continue
            same_item = index == previous[0]
            if not l1_text and same_item:
                l1_text = previous[1]
                if not l2_text:
                    l2_text = previous[2]
            elif not l2_text and same_item and l1_text == previous[1]:
                l2_text = previous[2]
            base = (*spec.collection, index, *spec.part)
            item = self._read_item(grid, number, leaves, columns, ())
            has_indicator = bool(item)
            if not l1_text:
                self.problem(grid.ref(number, l1_column), f"{level1} is missing")
                continue
            mapping = get_path(self.data, base)
            if mapping is None:
                set_path(self.data, base, {})
                mapping = get_path(self.data, base)
            self.cells.setdefault((*base, l1_text), grid.ref(number, l1_column))
            group = mapping.setdefault(l1_text, {})
            if l2_text:
                self.cells.setdefault((*base, l1_text, l2_text), grid.ref(number, l2_column))
                indicators = group.setdefault(l2_text, [])
                if has_indicator:
                    at = (*base, l1_text, l2_text, len(indicators))
                    name_column = columns[name_leaf.path]
                    self.cells.setdefault(at, grid.ref(number, name_column if name_column is not None else l2_column))
                    for leaf in leaves:
                        if columns[leaf.path] is not None:
                            self.cells.setdefault((*at, *leaf.path), grid.ref(number, columns[leaf.path]))
                    indicators.append(item)
            elif has_indicator:
                self.problem(grid.ref(number, l2_column), f"{level2} is missing")
            previous = (index, l1_text, l2_text)

    def keyed(self, spec: L.Keyed, grid: Grid) -> None:
        leaves = spec.columns()
        header = self.header(grid, [spec.key_label, *(leaf.label for leaf in leaves)], [spec.key_label])
        if header is None or _normal(spec.key_label) not in header.columns:
            return
        key_column = header.columns[_normal(spec.key_label)]
        columns = self._columns(grid, header, leaves)
        keys = spec.fixed_keys()
        seen: dict[str, str] = {}
        for number in self.data_rows(grid, header, [c for c in columns.values() if c is not None]):
            key = grid.text(number, key_column)
            ref = grid.ref(number, key_column)
            if not key:
                self.problem(ref, f"{spec.key_label} is missing")
                continue
            if key not in keys:
                self.problem(ref, f"{spec.key_label} must be one of {'、'.join(keys)}, got {key!r}", spec.mapping)
                continue
            if key in seen:
                self.problem(ref, f"{key} is given twice (also {seen[key]})")
                continue
            seen[key] = ref
            base = (*spec.mapping, key)
            self.cells.setdefault(base, ref)
            if leaves and leaves[0].path == ():  # a mapping of amounts: the single value column
                value = self.value(grid, number, columns[()], leaves[0], base)
                if value is not BLANK:
                    self.put(base, value, grid.ref(number, columns[()]))
            else:
                self.put(base, self._read_item(grid, number, leaves, columns, base), ref)

    def tagged(self, spec: L.Tagged, grid: Grid) -> None:
        leaves = spec.columns()
        tags = spec.tags()
        header = self.header(grid, [spec.tag_label, *(leaf.label for leaf in leaves)],
                             [spec.tag_label, *(leaf.label for leaf in leaves if leaf.required)])
        if header is None or _normal(spec.tag_label) not in header.columns:
            return
        tag_column = header.columns[_normal(spec.tag_label)]
        columns = self._columns(grid, header, leaves)
        counts: dict[tuple[str, ...], int] = {}
        keys_seen: dict[tuple[tuple[str, ...], str], str] = {}
        for number in self.data_rows(grid, header, [c for c in columns.values() if c is not None]):
            tag = grid.text(number, tag_column)
            ref = grid.ref(number, tag_column)
            if tag not in tags:
                what = f"{spec.tag_label} is missing" if not tag else f"unknown {spec.tag_label} {tag!r}"
                self.problem(ref, f"{what}; one of {'、'.join(tags)}")
                continue
            path = tags[tag]
            if spec.is_mapping:
                key_leaf, value_leaf = leaves
                key = self.value(grid, number, columns[key_leaf.path], key_leaf, path)
                if key is BLANK:
                    self.problem(grid.ref(number, columns[key_leaf.path] or tag_column), f"{spec.key_label} is missing")
                    continue
                key = str(key).strip()
                if (path, key) in keys_seen:
                    self.problem(grid.ref(number, columns[key_leaf.path]), f"{tag} {key} is given twice (also "
                                                                           f"{keys_seen[(path, key)]})")
                    continue
                keys_seen[(path, key)] = grid.ref(number, columns[key_leaf.path])
                value = self.value(grid, number, columns[value_leaf.path], value_leaf, (*path, key))
                if value is BLANK:
                    self.problem(grid.ref(number, columns[value_leaf.path] or tag_column),
                                 f"{spec.value_label} is missing", (*path, key))
                    continue
                self.put((*path, key), value, ref)
            else:
                index = counts.get(path, 0)
                counts[path] = index + 1
                base = (*path, index)
                self.cells.setdefault(base, ref)
                self.put(base, self._read_item(grid, number, leaves, columns, base), ref)

    def texts(self, spec: L.Texts, grid: Grid) -> None:
        sections = spec.sections()
        section_header, content_header = spec.headers
        header = self.header(grid, list(spec.headers), list(spec.headers))
        if header is None or any(_normal(h) not in header.columns for h in spec.headers):
            return
        section_column, content_column = header.columns[section_header], header.columns[content_header]
        text_leaf = L.Leaf((), content_header, L.Kind.TEXT)
        current = ""
        for number in self.data_rows(grid, header, [section_column, content_column]):
            section = grid.text(number, section_column) or current  # blank: the same as above
            current = section
            ref = grid.ref(number, section_column)
            if section not in sections:
                what = f"{section_header} is missing" if not section else f"unknown {section_header} {section!r}"
                self.problem(ref, f"{what}; one of {'、'.join(sections)}")
                continue
            path, is_list = sections[section]
            value = self.value(grid, number, content_column, text_leaf, path)
            if value is BLANK:
                continue
            if is_list:
                items = get_path(self.data, path)
                index = len(items) if isinstance(items, list) else 0
                self.cells.setdefault((*path, index), grid.ref(number, content_column))
                self.put((*path, index), value, grid.ref(number, content_column))
            elif tuple(path) in self.set_by:
                self.problem(grid.ref(number, content_column), f"{section} takes one paragraph (the first is "
                                                               f"{self.set_by[tuple(path)]})", path)
            else:
                self.put(path, value, grid.ref(number, content_column))

    def generic(self, grid: Grid) -> None:
        path_header, value_header, _ = L.GENERIC_HEADERS
        header = self.header(grid, list(L.GENERIC_HEADERS), [path_header, value_header])
        if header is None or any(_normal(h) not in header.columns for h in (path_header, value_header)):
            return
        path_column, value_column = header.columns[path_header], header.columns[value_header]
        for number in self.data_rows(grid, header, [path_column, value_column]):
            ref = grid.ref(number, value_column)
            text = grid.text(number, path_column)
            try:
                path = L.parse_model_path(text)
                tp, metadata, _, _, _ = L.field_at(path)
            except (KeyError, ValueError):
                self.problem(grid.ref(number, path_column), f"unknown field {text!r} (write a field as in "
                                                            "docs/model-reference.md, e.g. unit.counts or "
                                                            "report.attachments[0].file)")
                continue
            raw = grid.cell(number, value_column)
            token = raw.value.strip() if isinstance(raw.value, str) else None
            if token in (L.NULL, L.EMPTY_LIST, L.EMPTY_MAPPING):
                value: Any = {L.NULL: None, L.EMPTY_LIST: [], L.EMPTY_MAPPING: {}}[token]
            else:
                kind = L.scalar_kind(tp, metadata)[0] if L.is_scalar(tp) else L.Kind.TEXT
                value = self.value(grid, number, value_column, L.Leaf(path, text, kind), path)
                if value is BLANK:
                    continue
            clash = next((p for p in self.set_by if p[: len(path)] == path or path[: len(p)] == p), None)
            if clash is not None and get_path(self.data, path) is not None:
                self.problem(ref, f"{text} is also given in {self.set_by[clash]}", path)
                continue
            try:
                self.put(path, value, ref)
            except (AssertionError, IndexError, AttributeError, TypeError):
                self.problem(grid.ref(number, path_column), f"{text}: list items must be given in order, from [0]",
                             path)
            self.cells[path] = ref


def read_workbook(path: Path | str) -> tuple[dict[str, Any], SourceMap]:
    """The plain model data of a workbook file and where each value came from; raises :class:`LoadError`."""
    path = Path(path)
    shown = str(path)
    data = _read_bytes(path, shown)
    return read_workbook_bytes(data, shown)


def read_workbook_bytes(data: bytes, shown: str) -> tuple[dict[str, Any], SourceMap]:
    check_package(data, shown)
    book = _open(data, shown, data_only=False)
    opened: list[Any] = []

    def formulas_book():
        if not opened:
            opened.append(_open(data, shown, data_only=True))
        return opened[0]

    try:
        return _Reader(shown, book, formulas_book).read()
    finally:
        book.close()
        for other in opened:
            other.close()


def load_workbook_model(path: Path | str) -> LoadedModel:
    """Read and validate a budget model workbook (.xlsx).  Raises :class:`LoadError` naming file, sheet and cell."""
    path = Path(path)
    with collector_paused():  # as a YAML model is read (decision 46)
        data, source = read_workbook(path)
        return loaded_from(data, source, path)


def loads_workbook(data: bytes, shown: str = "<workbook>") -> LoadedModel:
    """Validate a budget model workbook given as bytes."""
    with collector_paused():
        plain, source = read_workbook_bytes(data, shown)
        return loaded_from(plain, source)
