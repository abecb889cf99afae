"""第一部分, 第三部分 (with the performance sheets and the appended catalogue) and 第四部分 of the built
example, read back from the .docx, against the reference report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx_reading import all_text, body_items, open_report, rows
from reference_sentences import GLOSSARY_OPENINGS, SECTIONS, SHEETS

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "000_a620ed73b42e717d.txt"
TEXT_STYLES = {"Body Paragraph", "Subsection Heading"}


@pytest.fixture(scope="module")
def report(example_docx):
    return open_report(example_docx)


def section_texts(report, heading: str) -> list[str]:
    """The paragraphs under a section heading of 第三部分, up to the next heading, table or sheet."""
    texts: list[str] = []
    inside = False
    for item in body_items(report):
        if isinstance(item, Table):
            if inside:
                break
            continue
        text, style = item.text.strip(), item.style.name
        if inside:
            if style not in TEXT_STYLES:
                break
            if text:
                texts.append(text)
        elif style == "Section Heading" and text == heading:
            inside = True
    return texts


@pytest.mark.parametrize("heading", list(SECTIONS))
def test_each_section_reads_like_the_reference(report, heading):
    assert section_texts(report, heading) == SECTIONS[heading]


def test_sections_are_numbered_one_to_twelve_in_order(report):
    headings = [p.text for p in report.paragraphs if p.style.name == "Section Heading"]
    part_3 = headings[headings.index("一、单位预算收支数据变动情况及原因"):]
    assert [h.split("、")[0] for h in part_3[:12]] == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def test_part_1_has_the_numbered_duties_and_organisation(report, example):
    text = all_text(report)
    assert "第一部分　概况" in text and "一、本单位职责" in text and "二、机构设置情况" in text
    duties = [p.text for p in report.paragraphs if re.match(r"^\d\.", p.text)]
    assert len(duties) == 9
    assert duties[0].startswith("1.发挥党联系职工群众的桥梁和纽带")
    assert duties[-1] == "9.承办市委、市政府及省总工会交办的其他事项。"
    assert "晋城市总工会成立于1987年5月，于1985年随市管县体制改革筹建。" in text
    assert "辖有县（市、区）、开发区共7个县级总工会；84个乡镇（街道）工会。" in text


def test_part_1_texts_are_the_reference_texts(report):
    reference = re.sub(r"\s+", "", REFERENCE.read_text(encoding="utf-8")) if REFERENCE.exists() else None
    if reference is None:
        pytest.skip("the shared reference text is not available")
    for paragraph in report.paragraphs:
        if re.match(r"^\d\.", paragraph.text):
            assert re.sub(r"\s+", "", paragraph.text) in reference


def _sheet_tables(report) -> list[tuple[str, Table]]:
    """(title paragraph, table) of each performance sheet."""
    sheets, title = [], None
    for item in body_items(report):
        if isinstance(item, Paragraph) and item.style.name == "Sheet Title":
            title = item.text
        elif isinstance(item, Table) and title is not None:
            sheets.append((title, item))
            title = None
    return sheets


def test_five_performance_sheets_in_the_reference_order(report):
    sheets = _sheet_tables(report)
    assert [title for title, _ in sheets] == ["晋城市市级预算部门（单位）项目支出绩效目标表"] * 5
    for (name, attribute, period, funds, _filled_on), (_, table) in zip(SHEETS, sheets):
        grid = rows(table)
        assert grid[0][2] == name
        assert grid[1][2] == "959-晋城市总工会" and grid[1][5] == "晋城市总工会"
        assert grid[2][2] == attribute and grid[2][5] == period
        assert grid[3][3] == funds and grid[3][6] == funds  # 实施期资金总额 / 年度资金总额
        assert grid[6][3] == funds and grid[6][6] == funds  # 市县（区）财政资金
        assert [grid[r][3] for r in (4, 5, 7)] == ["0", "0", "0"]  # 中央, 省级, 单位自筹
        assert grid[8][3] == ""  # 其他资金 is blank, as printed
    footers = [p.text for p in report.paragraphs if p.text.startswith("负责人：")]
    assert [f.rsplit("：", 1)[1] for f in footers] == [s[4] for s in SHEETS]


def test_indicator_rows_are_merged_by_level_like_the_form(report):
    _, table = _sheet_tables(report)[0]  # 工人文化宫运行经费
    grid = rows(table)
    start = next(i for i, row in enumerate(grid) if row[1] == "一级指标")
    indicators = grid[start + 1:]
    # 绩效指标 spans the header and every indicator row; 一级 and 二级 cells span their groups
    assert all(row[0].replace("\n", "") == "绩效指标" for row in grid[start:])  # printed one character a line
    assert [row[3] for row in indicators[:5]] == ["供热面积", "管理面积", "用水指标", "用电指标", "日常维修维护"]
    assert [row[4] for row in indicators[:2]] == ["＞30000平方米", "＞20000平方米"]
    assert {row[1] for row in indicators[:14]} == {"产出指标"}
    assert [row[2] for row in indicators[:5]] == ["数量指标"] * 5
    tcs = table._tbl.tr_lst[start + 1].tc_lst  # the first indicator row: 一级 and 二级 restart a merge
    assert tcs[1].vMerge == "restart" and tcs[2].vMerge == "restart"
    assert table._tbl.tr_lst[start + 2].tc_lst[1].vMerge == "continue"
    # the form's empty 二级 are printed: 经济效益指标 with no indicator under it
    economic = [row for row in indicators if row[2] == "经济效益指标"]
    assert economic and economic[0][3] == "" and economic[0][4] == ""
    assert indicators[-1][1:5] == ["满意度指标", "服务对象满意度指标", "职工/群众满意度", "≥90%"]
    # 实施期 and 年度 side by side
    assert indicators[0][5:8] == ["数量指标", "供热面积", "＞30000平方米"]


def test_sheet_texts_are_printed_in_full(report, example):
    text = all_text(report)
    for project in example.model.projects:
        sheet = project.performance
        for field in (sheet.overview, sheet.basis, sheet.necessity, sheet.safeguards, sheet.plan, sheet.goal_period):
            assert field in text


def test_appended_catalogue_follows_section_12(report):
    text = all_text(report)
    assert "晋城市财政局关于转发山西省部门政府购买服务指导性目录（第一批）的通知" in text
    assert "晋市财综〔2021〕58号" in text
    assert ("现将《山西省财政厅关于印发〈山西省部门政府购买服务指导性目录〉（第一批）的通知》（晋财综〔2021〕63号）"
            "转发给你们，请遵照执行。") in text
    assert "山西省部门政府购买服务指导性目录（第一批）" in text
    assert "晋城市财政局办公室 2021年11月15日印发" in text
    catalogue = [t for t in (i for i in body_items(report) if isinstance(i, Table)) if rows(t)[0][:2] == ["代码", "一级目录"]]
    assert len(catalogue) == 1
    grid = rows(catalogue[0])[1:]
    departments = [row[0] for row in grid if len(set(row)) == 1]
    assert len(departments) == 32 and departments[0] == "宣传部" and departments[-1] == "人民检察院"
    items = [row for row in grid if len(set(row)) > 1]
    assert len(items) == 1046
    assert items[0] == ["A", "公共服务", "", "", ""]
    assert items[3] == ["A150201", "", "", "", "党的路线、方针、政策的宣传服务"]
    assert items[-1] == ["A180701", "", "", "", "12309政务热线服务"]


def test_part_4_glossary_has_the_twelve_terms(report):
    entries = [p.text for p in report.paragraphs if p.style.name == "Glossary Entry" and p.text]
    assert len(entries) == 12
    for entry, opening in zip(entries, GLOSSARY_OPENINGS):
        assert entry.startswith(opening)


def test_parts_in_the_reference_order(report):
    titles = [p.text for p in report.paragraphs if p.style.name == "Part Title"]
    assert titles == ["第一部分　概况", "第二部分　2024年单位预算报表", "第三部分　2024年度单位预算情况说明",
                      "第四部分　名词解释"]
