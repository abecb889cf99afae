"""The Shanghai district form (profile shanghai-district-9) read as its readers read it: 9 tables found by
their exact titles, 元 with separators, 类 | 款 | 项 columns, 编制说明 and the five 其他相关情况说明 sections."""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from docx.text.paragraph import Paragraph
from docx_reading import all_text, body_items, open_report, rows

import disclosure
from disclosure.pipeline import build, prepare

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "examples" / "shanghai-district-library-2025.yaml"
DEPARTMENT = ROOT / "examples" / "shanghai-district-culture-department-2025.yaml"
TITLES = ["财务收支预算总表", "收入预算总表", "支出预算总表", "财政拨款收支预算总表", "一般公共预算支出功能分类预算表",
          "政府性基金预算支出功能分类预算表", "国有资本经营预算支出功能分类预算表",
          "一般公共预算基本支出部门预算经济分类预算表", "“三公”经费和机关运行经费预算表"]
SECTIONS = ["一、2025年“三公”经费预算情况说明", "二、机关运行经费预算", "三、政府采购预算情况", "四、绩效目标设置情况",
            "五、国有资产占有使用情况"]


@pytest.fixture(scope="module")
def unit_report(tmp_path_factory):
    return open_report(build(UNIT, tmp_path_factory.mktemp("unit"), strict=True).docx)


@pytest.fixture(scope="module")
def department_report(tmp_path_factory):
    return open_report(build(DEPARTMENT, tmp_path_factory.mktemp("department"), strict=True).docx)


def table_titled(document, title: str):
    """The table under ``title`` in the body (the contents page lists the same title without a table)."""
    items = body_items(document)
    last = max(i for i, item in enumerate(items) if isinstance(item, Paragraph) and item.text.strip() == title)
    return next(item for item in items[last:] if not isinstance(item, Paragraph))


def paragraphs(document) -> list[str]:
    return [p.text for p in body_items(document) if isinstance(p, Paragraph) and p.text.strip()]


def after_contents(document) -> list[str]:
    """The body's paragraphs, the contents page (from 目录 to the first part) skipped as checkers skip it."""
    texts = paragraphs(document)
    start = texts.index("目录")
    first_part = texts[start + 1]
    return texts[texts.index(first_part, start + 2):]


@pytest.mark.parametrize(("fixture", "level"), [("unit_report", "预算单位"), ("department_report", "部门")])
def test_the_nine_tables_are_found_by_their_exact_titles_in_order(fixture, level, request):
    document = request.getfixturevalue(fixture)
    body = after_contents(document)
    found = [t for t in body if t.startswith("2025年") and t.endswith("表")]
    assert found == [f"2025年{level}{title}" for title in TITLES]
    for title in TITLES:
        assert rows(table_titled(document, f"2025年{level}{title}"))  # a table follows each title


def test_tables_print_元_with_separators_and_codes_in_three_columns(unit_report):
    assert all_text(unit_report).count("编制单位：上海市东滨区图书馆\t单位：元") == 8
    table = rows(table_titled(unit_report, "2025年预算单位支出预算总表"))
    assert table[0] == ["类", "款", "项", "功能分类科目名称", "合计", "基本支出", "项目支出"]
    assert table[1] == ["207", "", "", "文化旅游体育与传媒支出", "8,137,034.62", "5,087,034.62", "3,050,000.00"]
    assert table[3] == ["207", "01", "04", "图书馆", "7,187,034.62", "5,087,034.62", "2,100,000.00"]
    assert table[-1] == ["", "", "", "合计", "9,341,434.62", "6,291,434.62", "3,050,000.00"]  # 合计 last


def test_a_部门_prints_whole_元_and_two_columns_in_its_summary(department_report):
    table = rows(table_titled(department_report, "2025年部门财务收支预算总表"))
    assert table[0] == ["本年收入", "本年收入", "本年支出", "本年支出"]
    assert table[2] == ["一、财政拨款收入", "15,680,000", "一、文化旅游体育与传媒支出", "14,160,000"]
    assert table[-1] == ["收入总计", "15,880,000", "支出总计", "15,880,000"]


def test_a_单位_splits_spending_into_personnel_public_and_project(unit_report):
    table = rows(table_titled(unit_report, "2025年预算单位财务收支预算总表"))
    assert table[1][3:7] == ["合计", "基本支出", "基本支出", "项目支出"]
    assert table[2][3:7] == ["合计", "人员经费", "公用经费", "项目支出"]
    total = table[-1]
    assert total[0] == "收入总计" and total[2] == "支出总计"
    assert D(total[3].replace(",", "")) == sum(D(x.replace(",", "")) for x in total[4:7])


def test_three_public_and_operating_costs_print_in_one_row_in_万元(department_report):
    table = rows(table_titled(department_report, "2025年部门“三公”经费和机关运行经费预算表"))
    assert table[-1] == ["12", "0", "1.5", "10.5", "0", "10.5", "39"]
    assert "编制部门：上海市东滨区文化和旅游局\t单位：万元" in all_text(department_report)


def test_the_编制说明_prints_exact_totals_rounded_once_and_one_item_per_项(unit_report):
    texts = paragraphs(unit_report)
    start = texts.index("二、2025年单位预算编制说明", texts.index("目录") + 20)
    first = texts[start + 1]
    # 9,341,434.62 元 is 934.14万元 rounded once
    assert first.startswith("2025年，上海市东滨区图书馆收入预算934.14万元，其中：财政拨款收入894.14万元，比2024年预算增加34.14万元；")
    assert "财政拨款收入支出增加的主要原因是图书文献采购项目和人员经费增加。" in texts
    items = [t for t in texts if re.match(r"^\d+\. “", t)]
    assert items[0] == ("1. “文化旅游体育与传媒支出（类）文化和旅游（款）图书馆（项）”科目693.70万元，"
                        "主要用于保障图书馆日常运行、人员工资福利和图书文献采购、数字图书馆运维。")
    assert len(items) == 6


def test_the_five_sections_of_其他相关情况说明(unit_report, department_report):
    for document in (unit_report, department_report):
        body = after_contents(document)
        start = body.index("四、其他相关情况说明")
        assert [t for t in body[start:] if t in SECTIONS] == SECTIONS
    unit = paragraphs(unit_report)
    assert "（一）因公出国（境）费0万元，与2024年预算持平，主要原因是本单位无因公出国（境）计划。" in unit
    assert "2025年上海市东滨区图书馆财政拨款的机关运行经费预算为0万元。" in unit
    assert ("2025年本单位面向中小企业预留政府采购项目预算金额180.00万元，其中，预留给小型和微型企业的政府采购项目预算为"
            "120.00万元。") in unit
    assert "2025年度，本单位编报绩效目标的项目共3个，涉及项目预算资金305.00万元。" in unit
    department = paragraphs(department_report)
    assert ("2025年上海市东滨区文化和旅游局下属1家机关和1家参公事业单位财政拨款的机关运行经费预算为39.00万元。"
            in department)
    assert ("按照本区预算绩效管理工作的总体要求，本部门3个预算单位开展了2025年项目预算绩效目标编报工作，编报绩效目标的项目5个，"
            "涉及项目预算资金520.00万元。") in department
    assert any(t.startswith("截至2024年8月31日，上海市东滨区文化和旅游局共有车辆5辆，其中：") for t in department)


def test_a_部门_explains_its_major_projects_under_seven_headings(department_report):
    texts = paragraphs(department_report)
    start = texts.index("公共文化配送", texts.index("五、项目经费情况说明", texts.index("目录") + 20))
    headings = ["一、项目概况", "二、立项依据", "三、实施主体", "四、实施方案", "五、实施周期", "六、年度预算安排", "七、绩效目标"]
    assert [t for t in texts[start:start + 15] if t in headings] == headings
    assert "公共文化配送项目绩效目标表" in texts


def test_one_profile_serves_both_levels():
    unit, department = prepare(UNIT), prepare(DEPARTMENT)
    assert unit.profile is department.profile
    assert [p.template for p in unit.profile.parts_for("单位") if p.content == "table"][0] == "sh-table-01-unit.docx"
    assert [p.template for p in department.profile.parts_for("部门") if p.content == "table"][0] == \
        "sh-table-01-department.docx"
    assert disclosure.load(UNIT).model.report.profile == "shanghai-district-9"


# --------------------------------------------------------------------------- a checker of the form

# How public checkers of this form read a report (the budget rules of GovBudgetChecker, as researched for
# this test): the prose is matched by these patterns, the first match in the text wins, and each figure is
# compared with its table, converted to 万元 and rounded to two places.
PROSE_VS_TABLES = {
    r"收入预算\s*([0-9,]+(?:\.[0-9]+)?)\s*万元": ("财务收支预算总表", "收入总计"),
    r"支出预算\s*([0-9,]+(?:\.[0-9]+)?)\s*万元": ("财务收支预算总表", "支出总计"),
    r"财政拨款支出预算\s*([0-9,]+(?:\.[0-9]+)?)\s*万元": ("财政拨款收支预算总表", "支出总计"),
}


def _yuan(text: str) -> D:
    return D(text.replace(",", "") or "0")


@pytest.mark.parametrize(("fixture", "level"), [("unit_report", "预算单位"), ("department_report", "部门")])
def test_a_checker_of_the_form_finds_the_prose_equal_to_the_tables(fixture, level, request):
    document = request.getfixturevalue(fixture)
    text = "\n".join(after_contents(document))
    for pattern, (title, label) in PROSE_VS_TABLES.items():
        prose = D(re.search(pattern, text).group(1).replace(",", ""))
        table = rows(table_titled(document, f"2025年{level}{title}"))
        row = next(r for r in table if label in r)
        value = _yuan(row[row.index(label) + 1])
        assert prose == (value / 10000).quantize(D("0.01")), (pattern, prose, value)
    # 三公 and 机关运行经费: the table (万元) read by position against the sentences
    three = rows(table_titled(document, f"2025年{level}“三公”经费和机关运行经费预算表"))[-1]
    total, outbound, reception, vehicles, purchase, operation, running = (_yuan(x) for x in three)
    assert total == outbound + reception + vehicles and vehicles == purchase + operation
    for pattern, value in ((r"三公”?\s*经费预算数(?:为)?\s*([0-9,]+(?:\.[0-9]+)?)\s*万元", total),
                           (r"因公出国（?境）?费\s*([0-9,]+(?:\.[0-9]+)?)\s*万元", outbound),
                           (r"公务接待费\s*([0-9,]+(?:\.[0-9]+)?)\s*万元", reception),
                           (r"机关运行经费预算(?:为)?\s*([0-9,]+(?:\.[0-9]+)?)\s*万元", running)):
        assert D(re.search(pattern, text).group(1).replace(",", "")) == value, pattern


@pytest.mark.parametrize(("fixture", "level", "other"), [("unit_report", "单位", "部门"), ("department_report", "部门", "单位")])
def test_a_checker_of_the_form_finds_the_contents_the_years_and_the_wording_clean(fixture, level, other, request):
    document = request.getfixturevalue(fixture)
    texts = paragraphs(document)
    contents = texts[texts.index("目录"):texts.index(texts[texts.index("目录") + 1], texts.index("目录") + 2)]
    # nine table lines in the contents: lines starting with the year and ending with a table's name
    assert len([t for t in contents if re.match(r"^\s*20\d{2}.*(?:总表|预算表|经费.*表)", t)]) == 9
    # a line about the budget names only the budget year or the year before (截至… dates excepted)
    for line in texts:
        if re.search("预算|决算|目录|报告|表", line) and not re.search("截至|立项依据|依据", line):
            assert set(re.findall(r"(?<!\d)(20\d{2})(?:\s*年)?(?!\d)", line)) <= {"2025", "2024"}, line
    assert f"{other}预算安排" not in "\n".join(texts)
    assert not re.search(r"[Xx]{2,}|待填写|。{2,}|[；;]\s*。", "\n".join(texts))
    # an empty table of 政府性基金 or 国有资本经营预算 says why, in the words checkers look for
    body = "\n".join(after_contents(document))
    for title, phrase in (("政府性基金预算支出功能分类预算表", "无政府性基金预算财政拨款安排"),
                          ("国有资本经营预算支出功能分类预算表", "无国有资本经营预算财政拨款安排")):
        table = rows(table_titled(document, f"2025年{'预算单位' if level == '单位' else '部门'}{title}"))
        empty = all(not any(c.strip() for c in r[4:]) for r in table[1:])
        assert not empty or phrase in body, title


def test_a_部门_counts_its_budget_units_alike_in_概况_and_in_the_performance_section():
    """``unit.counts.budget_units`` (when the model gives it) is the count of both sentences that print one."""
    from disclosure.model import UnitCounts

    prepared = prepare(DEPARTMENT)
    model = prepared.loaded.model
    unit = model.unit.model_copy(update={"counts": UnitCounts(budget_units=12)})
    from disclosure.narrative import narrate
    from disclosure.tables import derive_tables

    changed = model.model_copy(update={"unit": unit})
    narrative = narrate(changed, derive_tables(changed, prepared.classification), prepared.profile)
    assert "预算单位共12个，包括：" in narrative.included_units
    assert any("本部门12个预算单位开展了" in section.text for section in narrative.sections.values())


def test_money_carried_over_counts_alike_in_tables_4_5_and_8_and_in_the_编制说明(tmp_path: Path):
    """Tables 3 and 4 count 上年结转; so do tables 5 to 8 of this form (their titles do not exclude it), or table
    4's 一般公共预算 column and the 编制说明 would disagree with table 5 (decision 71)."""
    text = UNIT.read_text(encoding="utf-8").replace(
        "  lines:\n",
        "  lines:\n"
        "    - {function: 2070104, kind: 基本支出, source: 一般公共预算, economic: 30201, amount: 65432.20, carry_over: true}\n",
        1)
    model = tmp_path / "carried.yaml"
    model.write_text(text, encoding="utf-8")
    document = open_report(build(model, tmp_path / "out").docx)
    fiscal = rows(table_titled(document, "2025年预算单位财政拨款收支预算总表"))
    general_column = _yuan(next(r for r in fiscal if "支出总计" in r)[-3])
    general = rows(table_titled(document, "2025年预算单位一般公共预算支出功能分类预算表"))  # 合计 last
    table_5_total, table_5_basic = (_yuan(x) for x in general[-1][-3:-1])
    economic = rows(table_titled(document, "2025年预算单位一般公共预算基本支出部门预算经济分类预算表"))
    table_8_total = _yuan(economic[-1][-3])
    assert general_column == table_5_total and table_5_basic == table_8_total
    prose = re.search(r"一般公共预算拨款支出预算([0-9,.]+)万元", "\n".join(after_contents(document))).group(1)
    assert D(prose.replace(",", "")) == (table_5_total / 10000).quantize(D("0.01"))
    # and the carried-over 65,432.20 is in them
    plain = rows(table_titled(open_report(build(UNIT, tmp_path / "plain").docx), "2025年预算单位一般公共预算支出功能分类预算表"))
    assert table_5_total - _yuan(plain[-1][-3]) == D("65432.20")


def test_a_部门_prints_each_economic_款_once_in_table_8(department_report):
    """The form prints no 政府预算经济分类, so a 款 whose units map to two government codes is still one row."""
    table = rows(table_titled(department_report, "2025年部门一般公共预算基本支出部门预算经济分类预算表"))
    codes = [(r[0], r[1]) for r in table[1:] if r[0]]
    assert len(codes) == len(set(codes)), codes
    for lei in {c for c, _ in codes}:
        class_row = next(r for r in table if r[0] == lei and not r[1])
        assert _yuan(class_row[-3]) == sum(_yuan(r[-3]) for r in table if r[0] == lei and r[1])
