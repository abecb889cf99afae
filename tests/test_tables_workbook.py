"""``build --xlsx``: the report's tables as a workbook, cell for cell what the .docx prints (issue 11)."""

from __future__ import annotations

import contextlib
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx_reading import open_report, paragraphs_after_table, rows, table_after
from reference_figures import EMPTY_TABLES, TITLES

from disclosure.cli import main
from disclosure.money import NumberFormat
from disclosure.workbook.convert import convert
from disclosure.workbook.tables import excel_number_format


def _build(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["build", *args])
    return code, err.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory, example_path):
    out = tmp_path_factory.mktemp("tables")
    code, err = _build(str(example_path), "-o", str(out), "--xlsx")
    assert code == 0, err
    [docx] = out.glob("*.docx")
    return open_report(docx), openpyxl.load_workbook(docx.with_suffix(".xlsx"))


def _printed(cell) -> str:
    """A workbook cell as the report prints it: a figure by its number format, text as it is."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert cell.number_format == "0.00;-0.00;;@", cell.number_format
        figure = Decimal(repr(value))
        return "" if figure == 0 else f"{figure:.2f}"
    return str(value).strip()  # as tests/docx_reading.py reads the Word cells


def _sheet_grid(ws, first: int, height: int, width: int) -> list[list[str]]:
    """The sheet's rows ``first``… as python-docx reads a Word table: a merged cell repeated over its area."""
    grid = [[_printed(ws.cell(row=first + r, column=1 + c)) for c in range(width)] for r in range(height)]
    for merged in ws.merged_cells.ranges:
        if merged.min_row < first or merged.min_row >= first + height:
            continue
        text = _printed(ws.cell(row=merged.min_row, column=merged.min_col))
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[r - first][c - 1] = text
    return grid


@pytest.mark.parametrize("number", sorted(TITLES))
def test_each_sheet_is_its_table_as_printed(built, number: int):
    document, book = built
    ws = book[f"预算公开表{number}"]
    printed = rows(table_after(document, TITLES[number]))
    assert [ws.cell(row=r, column=1).value for r in (1, 2, 3)] == [f"预算公开表{number}", TITLES[number],
                                                                   "单位名称：晋城市总工会"]
    assert ws.cell(row=3, column=len(printed[0])).value == "单位：万元"
    assert _sheet_grid(ws, 4, len(printed), len(printed[0])) == printed
    after = ws.cell(row=4 + len(printed), column=1).value
    if number in EMPTY_TABLES:
        assert after == "注：本表无数据" == paragraphs_after_table(document, TITLES[number])[0]
    else:
        assert after is None


def test_the_figures_are_numbers_exactly_the_reports(built):
    document, book = built
    figures = 0
    for number, title in TITLES.items():
        ws = book[f"预算公开表{number}"]
        printed = rows(table_after(document, title))
        for r, row in enumerate(printed):
            for c, text in enumerate(row):
                value = ws.cell(row=4 + r, column=1 + c).value
                if isinstance(value, (int, float)) and text:
                    assert Decimal(repr(value)) == Decimal(text), (number, r, c)
                    figures += 1
    assert figures > 80
    # 预算公开表12: the unit's total and a project, as numbers
    ws = book["预算公开表12"]
    assert [ws.cell(row=7, column=c).value for c in (1, 2, 3)] == ["\u3000晋城市总工会", 887.7, 887.7]


def test_merged_header_cells_are_merged_on_the_sheet(built):
    _, book = built
    merged = {str(r) for r in book["预算公开表2"].merged_cells.ranges}
    assert {"A4:B4", "C4:C5", "D4:H4", "I4:I5", "A2:I2"} <= merged  # 项目, 合计, 本年收入, 上年结转, the title


def test_excel_formats_show_figures_as_printed():
    assert excel_number_format(NumberFormat()) == "0.00;-0.00;;@"
    assert excel_number_format(NumberFormat(unit="元", places=2, grouping=True, zero="0")) == "#,##0.00;-#,##0.00;0;@"
    assert excel_number_format(NumberFormat(places=0, zero="-")) == '0;-0;"-";@'


def test_a_restyled_template_is_what_the_workbook_shows(example_path, tmp_path):
    source = Path(__file__).resolve().parents[1] / "templates" / "docx" / "table-10-three-public.docx"
    templates = tmp_path / "templates"
    templates.mkdir()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(templates / source.name, "w") as changed:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(">合计<".encode(), ">总计<".encode())
            changed.writestr(item, data)
    code, err = _build(str(example_path), "-o", str(tmp_path / "out"), "--xlsx", "--templates", str(templates))
    assert code == 0, err
    [workbook] = (tmp_path / "out").glob("*.xlsx")
    ws = openpyxl.load_workbook(workbook)["预算公开表10"]
    assert ws["B5"].value == "总计"


def test_a_refused_model_writes_no_tables(tmp_path):
    model = tmp_path / "unit.yaml"
    model.write_text("unit: {name: 甲, code: '1', fiscal_year: 2025}\nbudget:\n  lines:\n"
                     "    - {function: 2012902, kind: 项目支出, project: 无此项目, source: 一般公共预算, amount: 1}\n",
                     encoding="utf-8")
    code, err = _build(str(model), "-o", str(tmp_path / "out"), "--xlsx")
    assert code == 1 and "[line-project]" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_tables_never_replace_the_workbook_they_are_built_from(example_path, tmp_path):
    model = tmp_path / "unit.xlsx"
    convert(example_path, model)
    before = model.read_bytes()
    code, err = _build(str(model), "-o", str(tmp_path), "--name", "unit", "--xlsx")
    assert code == 2 and "is the model being built" in err
    assert model.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["unit.xlsx"]
