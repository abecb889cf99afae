"""The 13 tables of the built example report, read back from the .docx, equal the reference's."""

from __future__ import annotations

import pytest
from docx_reading import all_text, open_report, paragraphs_after_table, rows, table_after
from reference_figures import EMPTY_TABLES, HEADER_ROWS, TABLE_1, TABLE_2, TABLE_3, TABLE_4, TABLE_5, TABLE_12, TITLES


@pytest.fixture(scope="module")
def report(example_docx):
    return open_report(example_docx)


def data_rows(report, number: int) -> list[list[str]]:
    return rows(table_after(report, TITLES[number]))[HEADER_ROWS[number]:]


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, TABLE_1), (2, TABLE_2), (3, TABLE_3), (4, TABLE_4), (5, TABLE_5), (12, TABLE_12)],
)
def test_table_rows_equal_the_reference(report, number, expected):
    assert data_rows(report, number) == expected


@pytest.mark.parametrize("number", EMPTY_TABLES)
def test_empty_tables_keep_their_header_and_say_so(report, number):
    table = table_after(report, TITLES[number])
    header = rows(table)[: HEADER_ROWS[number]]
    assert header and all(any(cell for cell in row) for row in header)
    body = data_rows(report, number)
    assert all(cell in ("", "合计", "部门合计", "晋城市总工会", "因公出国（境）费", "公务接待费", "公务用车购置及运行费",
                        "①公务用车购置费", "②公务用车运行维护费") for row in body for cell in row)
    # the note follows the table, before the next table's number line
    assert paragraphs_after_table(report, TITLES[number])[0] == "注：本表无数据"


def test_non_empty_tables_carry_no_empty_note(report):
    for number in (1, 2, 3, 4, 5, 12):
        assert "注：本表无数据" not in paragraphs_after_table(report, TITLES[number])[:1], number


def test_every_table_has_its_number_title_and_unit_line(report):
    text = all_text(report)
    for number, title in TITLES.items():
        assert f"预算公开表{number}" in text
        assert title in text
    assert text.count("单位名称：晋城市总工会\t单位：万元") == 13


def test_header_cells_are_merged_like_the_reference(report):
    # 预算公开表2: 项目 spans 科目编码 + 科目名称, 本年收入 spans the five sources
    # (a header word too long for its column is printed on two lines, broken between words: 国有资本⏎经营预算)
    header = [[cell.replace("\n", "") for cell in row] for row in rows(table_after(report, TITLES[2]))[:2]]
    assert header[0][:2] == ["项目", "项目"]
    assert header[0][3:8] == ["本年收入"] * 5
    assert header[1][3:8] == ["一般公共预算", "政府性基金", "国有资本经营预算", "财政专户管理资金", "单位资金"]
    # 合计 and 上年结转 span both header rows
    assert header[0][2] == header[1][2] == "合计"
    assert header[0][8] == header[1][8] == "上年结转"
    # 预算公开表12: the numbered row 1 … 7
    assert rows(table_after(report, TITLES[12]))[2] == [str(i) for i in range(1, 8)]


def test_table_12_indents_unit_and_projects_like_the_reference(report):
    table = table_after(report, TITLES[12])
    names = [row.cells[0].text for row in table.rows[3:]]
    assert names[0] == "　晋城市总工会"
    assert all(name.startswith("　　") for name in names[1:])
