"""The sheet 填写说明: how to fill the workbook, generated from the layout and the model's field descriptions.

Nothing here is written by hand per field: a field added to the model appears with its description
the next time a workbook is written, so the guide cannot drift from the model.
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from . import layout as L
from .read import HEADER_ROWS, MAX_ROWS, NOTE_PREFIX

RULES = (
    "本工作簿是一个单位一年的预算模型，用 python -m disclosure build 本文件.xlsx 生成预算公开报告。",
    "金额按“单位信息”的金额单位（元或万元）填写，数字或数字文本均可，最多两位小数；多于两位小数（包括计算产生的"
    "0.30000000000000004 之类）报错，不会自动舍入。",
    "留空表示不填（使用默认值）；要填写“空文字”时写 \"\"（两个英文双引号）。",
    f"按表头文字找列：可以调整列的顺序、在表头上方加行（表头须在前{HEADER_ROWS}行内），但不要改表头文字；"
    f"以“{NOTE_PREFIX}”开头的列不读取，可作自己的备注。",
    "工作表按名称读取：不要改名；本说明没有列出的其他工作表不读取。隐藏的行和列照常读取（隐藏不等于删除）。",
    "公式：读取 Excel 保存的计算结果；从不计算公式，没有保存结果的公式报错。宏从不运行（.xlsm 只读数据）。",
    f"每个工作表最多 {MAX_ROWS} 行。",
    "绩效指标表中项目名称、一级指标、二级指标留空表示与上一行相同，可合并单元格。",
    "说明文字表中栏目留空表示与上一行相同；同一栏目的多段按行序排列。",
    f"“{L.GENERIC_SHEET}”表放其他表没有位置的字段（很少用）：字段路径如 unit.counts，值 [] 为空列表、{{}} 为空项、"
    "null 为空值。",
)

COLUMNS = ("工作表", "栏目", "类型", "必填", "可选值", "默认值", "字段", "说明")


def guide_rows() -> Iterator[tuple[str, str, str, str, str, str, str, str]]:
    """One row per column or row of every sheet: where it is, what it takes, and the model's description."""
    for spec in L.SHEETS:
        yield (spec.name, "", "", "", "", "", "", spec.note)
        if isinstance(spec, L.Form):
            for leaf in spec.rows():
                yield _leaf_row(spec.name, leaf, leaf.path)
        elif isinstance(spec, L.Table):
            for leaf in spec.columns():
                yield _leaf_row(spec.name, leaf, (*spec.collection, "[]", *leaf.path))
        elif isinstance(spec, L.Child):
            yield (spec.name, spec.key_label, L.Kind.TEXT.value, "是", "", "", "", "对应“项目”表的项目名称。")
            for leaf in spec.columns():
                yield _leaf_row(spec.name, leaf, (*spec.collection, "[]", *leaf.path))
        elif isinstance(spec, L.Indicators):
            yield (spec.name, spec.key_label, L.Kind.TEXT.value, "是", "", "", "", "对应“项目”表的项目名称。")
            path = (*spec.collection, "[]", *spec.part)
            description = L.field_description((*spec.collection, 0, *spec.part))
            yield (spec.name, spec.levels[0], L.Kind.TEXT.value, "是", "", "", L.format_pattern(path), description)
            yield (spec.name, spec.levels[1], L.Kind.TEXT.value, "是", "", "", "", "")
            for leaf in spec.columns():
                yield _leaf_row(spec.name, leaf, (*path, "[]", "[]", "[]", *leaf.path))
        elif isinstance(spec, L.Keyed):
            yield (spec.name, spec.key_label, L.Kind.CHOICE.value, "是", "、".join(spec.fixed_keys()), "",
                   L.format_model_path(spec.mapping), L.field_description(spec.mapping))
            for leaf in spec.columns():
                yield _leaf_row(spec.name, leaf, (*spec.mapping, "[]", *leaf.path))
        elif isinstance(spec, L.Tagged):
            yield (spec.name, spec.tag_label, L.Kind.CHOICE.value, "是", "、".join(spec.tags()), "", "",
                   "本行属于哪一类。")
            for tag, path in spec.tags().items():
                yield (spec.name, f"{spec.tag_label}：{tag}", "", "", "", "", L.format_model_path(path),
                       L.field_description(path))
            for leaf in spec.columns():
                yield _leaf_row(spec.name, leaf, leaf.path if spec.is_mapping else ("[]", *leaf.path))
        elif isinstance(spec, L.Texts):
            for label, (path, is_list) in spec.sections().items():
                yield (spec.name, label, L.Kind.TEXT.value, "", "多段" if is_list else "一段", "",
                       L.format_model_path(path), L.field_description(path))
    yield (L.GENERIC_SHEET, "", "", "", "", "", "", "其他表没有位置的字段：字段 | 值 | 说明。")


def _leaf_row(sheet: str, leaf: L.Leaf, path: L.ModelPath) -> tuple[str, str, str, str, str, str, str, str]:
    default = leaf.default.value if hasattr(leaf.default, "value") else leaf.default
    if isinstance(default, bool):
        default = L.YES if default else L.NO
    # a default of a field inside an optional part applies only when the part is given
    shown_default = "" if default in (None, "", [], {}) or leaf.optional else str(default)
    required = "是" if leaf.required and not leaf.optional else ""
    choices = "、".join(leaf.choices) if leaf.kind is L.Kind.CHOICE else ""
    return (sheet, leaf.label, leaf.kind.value, required, choices, shown_default, L.format_pattern(path),
            leaf.description)


def write_guide(ws: Worksheet, profile=None) -> None:
    ws.cell(row=1, column=1, value="填写说明").font = Font(bold=True, size=14)
    row = 2
    for number, rule in enumerate(RULES, start=1):
        ws.cell(row=row, column=1, value=f"{number}. {rule}")
        row += 1
    if profile is not None:
        ws.cell(row=row, column=1, value=f"报告格式：{profile.name}（{profile.description}）")
        row += 1
    row += 1
    for column, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=row, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for values in guide_rows():
        row += 1
        for column, value in enumerate(values, start=1):
            ws.cell(row=row, column=column, value=value).data_type = "s"
        if not values[1]:
            ws.cell(row=row, column=1).font = Font(bold=True)
        ws.cell(row=row, column=8).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGH", (14, 30, 8, 6, 30, 12, 40, 80)):
        ws.column_dimensions[letter].width = width


def workbook_reference() -> str:
    """docs/workbook-reference.md: every sheet with its columns (or rows), from the same rows as 填写说明."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Workbook reference",
        "",
        "<!-- generated by tools/make_docs.py from the code; do not edit by hand -->",
        "",
        "The sheets of the budget workbook (`python -m disclosure init --xlsx unit.xlsx`), in order, with every",
        "column (or, for a form such as 单位信息, every row): its kind, whether it must be filled, the allowed",
        "values, the default, the model field it fills and the field's description from the model. The same",
        "table is the workbook's own sheet 填写说明. How the workbook is read: [user-guide.md](user-guide.md).",
        "",
        "Rules:",
        "",
        *(f"{n}. {rule}" for n, rule in enumerate(RULES, start=1)),
        "",
    ]
    for row in guide_rows():
        sheet, label = row[0], row[1]
        if not label:
            lines += ["", f"## {sheet}", "", row[7], "", "| 栏目 | 类型 | 必填 | 可选值 | 默认值 | 字段 | 说明 |",
                      "| --- | --- | --- | --- | --- | --- | --- |"]
            continue
        field = f"`{row[6]}`" if row[6] else ""
        lines.append(f"| {cell(label)} | {row[2]} | {row[3]} | {cell(row[4])} | {cell(row[5])} | {field} | "
                     f"{cell(row[7])} |")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"
