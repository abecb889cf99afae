"""A budget model (or nothing: the fill-in template) → the finance officer's workbook.

The sheets, their columns and rows come from :mod:`disclosure.workbook.layout`; every value of the
model is written where the reader (:mod:`disclosure.workbook.read`) finds it again, so a model written
and read back is the same model (``convert`` checks this every time).  What no dedicated sheet can
hold — an optional part given empty, ``appendix: null``, an empty list that is not "absent" — goes to
the generic sheet 其他 as ``字段 | 值`` rows.

Lists of allowed values (sources, kinds, categories, unit types, …) are data validations built from the
model's enums and literals; the sheet 填写说明 is generated from the model's field descriptions.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import UsageError
from ..model import BudgetModel
from . import layout as L
from .cells import NUMBER_FORMATS, ValueTooLarge, cell_value
from .read import get_path

#: Rows data validations and column formats cover below the header (Excel's last row).
LAST_ROW = 1_048_576
#: Fields whose being given at all (even as null) changes the report: written to 其他 as ``null`` when so.
PRESENCE_MATTERS = (("appendix",),)


class WorkbookWriteError(UsageError):
    """A model value a workbook cannot hold (a text longer than a cell, a duplicated project name …)."""


_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FONT = Font(italic=True, color="595959")
_BOLD = Font(bold=True)
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")

_WIDE_TEXT = 48  # width of a column of long texts (项目概况 …)


def _project_names_range() -> str | None:
    """Where the 项目 sheet lists the projects' names (a validation list for every sheet naming a project);
    known from the layout before any sheet is written, so sheets placed before 项目 get the list too."""
    for spec in L.SHEETS:
        if isinstance(spec, L.Table) and spec.collection == ("projects",):
            for column, leaf in enumerate(spec.columns(), start=1):
                if leaf.owner == "Project.name":
                    letter = get_column_letter(column)
                    return f"{quote_sheetname(spec.name)}!${letter}$3:${letter}${LAST_ROW}"
    return None


class _Writer:
    def __init__(self, model: BudgetModel | None, profile=None, profile_name: str | None = None):
        self.model = model
        self.profile_name = profile_name  # as the user named it (a bundled name or a file)
        self.data: dict[str, Any] = model.model_dump(mode="python") if model is not None else {}
        self.profile = profile
        self.book = Workbook()
        self.book.remove(self.book.active)
        self.generic: list[tuple[L.ModelPath, Any]] = []
        self.project_column = _project_names_range()  # the 项目名称 range other sheets validate against

    # ----------------------------------------------------------------- cells

    def put(self, ws: Worksheet, row: int, column: int, value: Any, kind: L.Kind, where: L.ModelPath = ()) -> None:
        try:
            content, as_text = cell_value(value, kind)
        except ValueTooLarge as exc:
            raise WorkbookWriteError(f"{L.format_model_path(where)}: {exc}") from None
        cell = ws.cell(row=row, column=column)
        if content is None:
            return
        cell.value = content
        if as_text:
            cell.data_type = "s"  # never a formula (=…) or an error value (#N/A): text is text
        cell.number_format = NUMBER_FORMATS[kind] if not as_text else "@"

    def sheet(self, name: str, note: str, headers: list[str], kinds: list[L.Kind], widths: list[int]) -> Worksheet:
        """A sheet with its note in row 1 and its header in row 2; returns it (data starts in row 3)."""
        ws = self.book.create_sheet(name)
        ws.cell(row=1, column=1, value=note).font = _NOTE_FONT
        for column, (header, kind, width) in enumerate(zip(headers, kinds, widths), start=1):
            cell = ws.cell(row=2, column=column, value=header)
            cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            letter = get_column_letter(column)
            ws.column_dimensions[letter].width = width
            ws.column_dimensions[letter].number_format = NUMBER_FORMATS[kind]
            if width >= _WIDE_TEXT:
                ws.column_dimensions[letter].alignment = _WRAP
        ws.freeze_panes = "A3"
        return ws

    def choices(self, ws: Worksheet, cells: str, values: Iterable[str], *, strict: bool = True) -> None:
        values = list(values)
        if not values:
            return
        formula = '"' + ",".join(values) + '"'
        if len(formula) > 255:  # Excel's limit on a list written in the validation itself
            return
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
        if not strict:
            validation.errorStyle = "information"
        validation.error = "请从列表中选择"
        ws.add_data_validation(validation)
        validation.add(cells)

    def list_from(self, ws: Worksheet, cells: str, source: str) -> None:
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.errorStyle = "warning"
        validation.error = "不在“项目”表的项目名称中"
        ws.add_data_validation(validation)
        validation.add(cells)

    def column_choices(self, ws: Worksheet, column: int, leaf: L.Leaf) -> None:
        letter = get_column_letter(column)
        if leaf.kind in (L.Kind.CHOICE, L.Kind.BOOL):
            self.choices(ws, f"{letter}3:{letter}{LAST_ROW}", leaf.choices)

    # ----------------------------------------------------------------- the sheets

    def write(self) -> Workbook:
        from .guide import write_guide

        write_guide(self.book.create_sheet(L.GUIDE_SHEET), self.profile)
        writers = {L.Form: self.form, L.Table: self.table, L.Child: self.child, L.Indicators: self.indicators,
                   L.Keyed: self.keyed, L.Tagged: self.tagged, L.Texts: self.texts}
        for spec in L.SHEETS:
            writers[type(spec)](spec)  # type: ignore[operator]
        self.presence()
        self.unplaced()
        self.generic_sheet()
        self.book.active = 1
        return self.book

    def form(self, spec: L.Form) -> None:
        rows = spec.rows()
        ws = self.sheet(spec.name, spec.note, list(spec.headers), [L.Kind.TEXT, L.Kind.TEXT, L.Kind.TEXT, L.Kind.TEXT],
                        [34, 30, 60, 36])
        ws.column_dimensions["B"].number_format = "General"  # each row's cell gets its own format
        for number, leaf in enumerate(rows, start=3):
            value = get_path(self.data, leaf.path)
            if leaf.path == ("report", "profile") and self.model is None and self.profile_name:
                value = self.profile_name
            ws.cell(row=number, column=1, value=leaf.label).border = _BORDER
            self.put(ws, number, 2, value, leaf.kind, leaf.path)
            ws.cell(row=number, column=2).border = _BORDER
            if value is None:
                ws.cell(row=number, column=2).number_format = NUMBER_FORMATS[leaf.kind]
            ws.cell(row=number, column=3, value=hint(leaf)).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=number, column=4, value=L.format_model_path(leaf.path)).font = _NOTE_FONT
            if leaf.kind in (L.Kind.CHOICE, L.Kind.BOOL):
                self.choices(ws, f"B{number}", leaf.choices)
        self.empty_parts(rows, ())

    def empty_parts(self, leaves: list[L.Leaf], base: L.ModelPath) -> None:
        """An optional part given with nothing in it (all its cells blank) would read back as absent: 其他 says {}."""
        for prefix in dict.fromkeys(p for leaf in leaves for p in leaf.optional):
            part = get_path(self.data, (*base, *prefix))
            if part is None:
                continue
            inside = [leaf for leaf in leaves if leaf.path[: len(prefix)] == prefix]
            if all(get_path(self.data, (*base, *leaf.path)) is None for leaf in inside):
                self.generic.append(((*base, *prefix), {}))

    def _table_rows(self, ws: Worksheet, leaves: list[L.Leaf], items: list[tuple[L.ModelPath, dict]], first: int,
                    column: int = 1) -> int:
        number = first
        for base, item in items:
            for offset, leaf in enumerate(leaves):
                self.put(ws, number, column + offset, get_path(item, leaf.path), leaf.kind, (*base, *leaf.path))
            number += 1
        return number

    @staticmethod
    def _widths(leaves: list[L.Leaf]) -> list[int]:
        wide = ("概况", "依据", "必要性", "措施", "计划", "目标", "说明", "解释", "原因", "方案", "安排", "主体", "周期")
        return [_WIDE_TEXT if leaf.kind is L.Kind.TEXT and any(w in leaf.label for w in wide)
                else max(12, min(30, 2 * len(leaf.label) + 2)) for leaf in leaves]

    def table(self, spec: L.Table) -> None:
        leaves = spec.columns()
        ws = self.sheet(spec.name, spec.note, [leaf.label for leaf in leaves], [leaf.kind for leaf in leaves],
                        self._widths(leaves))
        items = get_path(self.data, spec.collection) or []
        self._table_rows(ws, leaves, [((*spec.collection, i), item) for i, item in enumerate(items)], 3)
        for column, leaf in enumerate(leaves, start=1):
            self.column_choices(ws, column, leaf)
            if leaf.owner == "BudgetLine.project" and self.project_column:
                letter = get_column_letter(column)
                self.list_from(ws, f"{letter}3:{letter}{LAST_ROW}", self.project_column)
        for i in range(len(items)):
            self.empty_parts(leaves, (*spec.collection, i))

    def _unique_keys(self, collection: tuple[str, ...], key: str, part: tuple[str, ...]) -> list[tuple[int, dict]]:
        items = get_path(self.data, collection) or []
        chosen = [(i, item) for i, item in enumerate(items) if get_path(item, part) is not None]
        names = [str(item.get(key)) for item in items]
        for _, item in chosen:
            if names.count(str(item.get(key))) > 1:
                raise WorkbookWriteError(
                    f"{L.format_model_path(collection)}: the name {item.get(key)!r} is used by several items; a "
                    "workbook finds a project's performance sheet and explanation by its name, so names must be unique")
        return chosen

    def child(self, spec: L.Child) -> None:
        leaves = spec.columns()
        key_leaf = L.Leaf((spec.key,), spec.key_label, L.Kind.TEXT)
        ws = self.sheet(spec.name, spec.note, [spec.key_label, *(leaf.label for leaf in leaves)],
                        [L.Kind.TEXT, *(leaf.kind for leaf in leaves)], [24, *self._widths(leaves)])
        chosen = self._unique_keys(spec.collection, spec.key, spec.part)
        self._table_rows(ws, [key_leaf, *leaves], [((*spec.collection, i), item) for i, item in chosen], 3)
        for column, leaf in enumerate(leaves, start=2):
            self.column_choices(ws, column, leaf)
        if self.project_column:
            self.list_from(ws, f"A3:A{LAST_ROW}", self.project_column)
        for i, _ in chosen:
            self.empty_parts([L.Leaf(leaf.path, leaf.label, leaf.kind, optional=tuple(
                p for p in leaf.optional if len(p) > len(spec.part))) for leaf in leaves], (*spec.collection, i))

    def indicators(self, spec: L.Indicators) -> None:
        leaves = spec.columns()
        level1, level2 = spec.levels
        headers = [spec.key_label, level1, level2, *(leaf.label for leaf in leaves)]
        ws = self.sheet(spec.name, spec.note, headers, [L.Kind.TEXT] * len(headers), [24, 14, 18, 30, 24, 24])
        number = 3
        for i, item in self._unique_keys(spec.collection, spec.key, spec.part):
            base = (*spec.collection, i, *spec.part)
            mapping = get_path(item, spec.part) or {}
            name = item.get(spec.key)
            for first, groups in mapping.items():
                if not groups:
                    self._indicator_row(ws, number, [name, first], base)
                    number += 1
                for second, indicators in groups.items():
                    if not indicators:
                        self._indicator_row(ws, number, [name, first, second], base)
                        number += 1
                    for k, indicator in enumerate(indicators):
                        self._indicator_row(ws, number, [name, first, second], base)
                        for offset, leaf in enumerate(leaves, start=4):
                            self.put(ws, number, offset, get_path(indicator, leaf.path), leaf.kind,
                                     (*base, first, second, k, *leaf.path))
                        number += 1
        sheet_spec = self.profile.performance_sheet if self.profile is not None else None
        if sheet_spec is not None and sheet_spec.indicators:
            self.choices(ws, f"B3:B{LAST_ROW}", sheet_spec.indicators, strict=False)
            seconds = [s for values in sheet_spec.indicators.values() for s in values]
            self.choices(ws, f"C3:C{LAST_ROW}", seconds, strict=False)
        if self.project_column:
            self.list_from(ws, f"A3:A{LAST_ROW}", self.project_column)

    def _indicator_row(self, ws: Worksheet, number: int, texts: list[Any], base: L.ModelPath) -> None:
        for column, text in enumerate(texts, start=1):
            self.put(ws, number, column, text, L.Kind.TEXT, base)

    def keyed(self, spec: L.Keyed) -> None:
        leaves = spec.columns()
        ws = self.sheet(spec.name, spec.note, [spec.key_label, *(leaf.label for leaf in leaves)],
                        [L.Kind.TEXT, *(leaf.kind for leaf in leaves)], [22, *(max(16, 2 * len(x.label) + 2)
                                                                              for x in leaves)])
        mapping = get_path(self.data, spec.mapping) or {}
        for number, key in enumerate(spec.fixed_keys(), start=3):
            ws.cell(row=number, column=1, value=key).border = _BORDER
            if key not in mapping:
                continue
            value = mapping[key]
            for column, leaf in enumerate(leaves, start=2):
                cell = value if leaf.path == () else get_path(value, leaf.path)
                self.put(ws, number, column, cell, leaf.kind, (*spec.mapping, key, *leaf.path))
            if leaves[0].path != () and all(get_path(value, leaf.path) is None for leaf in leaves):
                self.generic.append(((*spec.mapping, key), {}))

    def tagged(self, spec: L.Tagged) -> None:
        leaves = spec.columns()
        ws = self.sheet(spec.name, spec.note, [spec.tag_label, *(leaf.label for leaf in leaves)],
                        [L.Kind.TEXT, *(leaf.kind for leaf in leaves)], [22, *(max(16, 2 * len(x.label) + 2)
                                                                              for x in leaves)])
        number = 3
        for tag, path in spec.tags().items():
            collection = get_path(self.data, path) or ({} if spec.is_mapping else [])
            entries = (collection.items() if spec.is_mapping else enumerate(collection))
            for key, entry in entries:
                ws.cell(row=number, column=1, value=tag)
                if spec.is_mapping:
                    self.put(ws, number, 2, key, L.Kind.TEXT, (*path, key))
                    self.put(ws, number, 3, entry, L.Kind.TEXT, (*path, key))
                else:
                    for column, leaf in enumerate(leaves, start=2):
                        self.put(ws, number, column, get_path(entry, leaf.path), leaf.kind, (*path, key, *leaf.path))
                number += 1
        self.choices(ws, f"A3:A{LAST_ROW}", spec.tags())
        for column, leaf in enumerate(leaves, start=2):
            self.column_choices(ws, column, leaf)

    def texts(self, spec: L.Texts) -> None:
        ws = self.sheet(spec.name, spec.note, list(spec.headers), [L.Kind.TEXT, L.Kind.TEXT], [18, 100])
        ws.column_dimensions["B"].alignment = _WRAP
        number = 3
        for label, (path, is_list) in spec.sections().items():
            value = get_path(self.data, path)
            if self.model is None:  # the template lists every 栏目 once
                ws.cell(row=number, column=1, value=label)
                number += 1
                continue
            if is_list:
                if value == [] and L.field_at(path)[3].get_default(call_default_factory=True) is None:
                    self.generic.append((path, []))
                for index, paragraph in enumerate(value or []):
                    ws.cell(row=number, column=1, value=label)
                    self.put(ws, number, 2, paragraph, L.Kind.TEXT, (*path, index))
                    number += 1
            elif value is not None:
                ws.cell(row=number, column=1, value=label)
                self.put(ws, number, 2, value, L.Kind.TEXT, path)
                number += 1
        self.choices(ws, f"A3:A{LAST_ROW}", spec.sections())

    def presence(self) -> None:
        if self.model is None:
            return
        for path in PRESENCE_MATTERS:
            parent = functools.reduce(getattr, path[:-1], self.model)
            if path[-1] in parent.model_fields_set and get_path(self.data, path) is None:
                self.generic.append((path, None))

    def unplaced(self) -> None:
        """Fields no dedicated sheet holds (a field added to the model at a place the layout does not cover)."""
        if self.model is None:
            return
        generic = set(L.coverage().generic)
        if not generic:
            return

        def walk(value: Any, path: L.ModelPath) -> None:
            if L.pattern_of(path) in generic:
                self._generic_value(value, path)
                return
            if isinstance(value, dict):
                for key, inner in value.items():
                    walk(inner, (*path, key))
            elif isinstance(value, list):
                for index, inner in enumerate(value):
                    walk(inner, (*path, index))

        walk(self.data, ())

    def _generic_value(self, value: Any, path: L.ModelPath) -> None:
        if isinstance(value, dict) and value:
            for key, inner in value.items():
                self._generic_value(inner, (*path, key))
        elif isinstance(value, list) and value:
            for index, inner in enumerate(value):
                self._generic_value(inner, (*path, index))
        else:
            self.generic.append((path, value))

    def generic_sheet(self) -> None:
        ws = self.sheet(L.GENERIC_SHEET, "其他表没有位置的字段，每行一个：字段路径和值（少用）。[] 为空列表，{} 为空项，null 为空值。",
                        list(L.GENERIC_HEADERS), [L.Kind.TEXT, L.Kind.TEXT, L.Kind.TEXT], [40, 40, 60])
        ws.column_dimensions["B"].number_format = "General"
        for number, (path, value) in enumerate(self.generic, start=3):
            ws.cell(row=number, column=1, value=L.format_model_path(path))
            if value is None:
                ws.cell(row=number, column=2, value=L.NULL)
            elif value == [] or value == {}:
                ws.cell(row=number, column=2, value=L.EMPTY_LIST if value == [] else L.EMPTY_MAPPING)
            else:
                tp, metadata, _, _, _ = L.field_at(path)
                kind = L.scalar_kind(tp, metadata)[0] if L.is_scalar(tp) else L.Kind.TEXT
                self.put(ws, number, 2, value, kind, path)
            ws.cell(row=number, column=3, value=L.field_description(path))


def hint(leaf: L.Leaf) -> str:
    """The 说明 of a form row: kind, choices, default and whether it must be given."""
    parts = [leaf.kind.value]
    if leaf.choices and leaf.kind is L.Kind.CHOICE:
        parts.append("：" + "、".join(leaf.choices))
    if leaf.required and not leaf.optional:
        parts.append("，必填")
    elif leaf.default not in (None, "", [], {}) and not leaf.optional:
        default = leaf.default.value if hasattr(leaf.default, "value") else leaf.default
        if isinstance(default, bool):
            default = L.YES if default else L.NO
        parts.append(f"，默认 {default}")
    return "".join(parts)


def model_workbook(model: BudgetModel | None, *, profile=None, profile_name: str | None = None) -> Workbook:
    """The officer's workbook of ``model``; ``None`` gives the empty fill-in template (of ``profile``, whose
    ``profile_name`` is written as the template's 报告格式)."""
    return _Writer(model, profile, profile_name).write()


def write_model_workbook(model: BudgetModel | None, handle: BinaryIO, *, profile=None,
                         profile_name: str | None = None) -> None:
    """Write the workbook of ``model`` (or the template) to a binary ``handle``."""
    model_workbook(model, profile=profile, profile_name=profile_name).save(handle)
