"""Any real unit, any place (issue 8): 单位资金 by kind, unit types and their 经济分类 mapping, no place in the
defaults, and a report whose every share, rate and 合计 an auditor can recompute from the printed figures."""

from __future__ import annotations

import copy
from decimal import Decimal as D
from pathlib import Path

import pytest
from auditor import audit, audit_paragraph, audit_tables
from docx_reading import all_text, open_report, rows, table_after
from exploration import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import disclosure
from disclosure.classification import bundled, same_name
from disclosure.load import LoadError, loads
from disclosure.model import BudgetModel, UnitType
from disclosure.pipeline import build
from disclosure.tables import derive_tables

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
ECONOMIC = sorted(c for c, code in bundled().economic.codes.items() if code.level == "kuan")
#: Economic codes of 三公 items: a generated model that declares 三公 must not contradict its lines.
THREE_PUBLIC_CODES = {"30212", "30217", "30231", "30913", "31013"}
XIANG = sorted(c for c, code in bundled().function.codes.items() if code.level == "xiang")
#: Words of the one place the library was first fitted to; no default may print them.
PLACE_WORDS = ("晋城", "山西", "省直", "晋市", "晋财")


@pytest.fixture(scope="module")
def built_examples(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("examples")
    return {path.name: build(path, out / path.stem, strict=True).docx for path in EXAMPLES}


def test_every_example_builds_under_strict_and_its_figures_recompute(built_examples):
    for name, report in built_examples.items():
        assert audit(open_report(report)) == [], name


def test_no_example_prints_a_place_its_model_does_not_give(built_examples):
    for path in EXAMPLES:
        text = all_text(open_report(built_examples[path.name]))
        model_text = path.read_text(encoding="utf-8")
        for word in PLACE_WORDS:
            if word in text:
                assert word in model_text, (path.name, word)


def test_each_report_describes_itself_not_its_template_in_its_file_properties(built_examples):
    """Word's 文件属性: the report's title, unit and year, never base.docx's dates or python-docx's note."""
    for path in EXAMPLES:
        properties = open_report(built_examples[path.name]).core_properties
        unit = disclosure.load(path).model.unit
        assert properties.author == unit.name and str(unit.fiscal_year) in properties.subject, path.name
        assert properties.created is None and properties.modified is None, (path.name, properties.created)
        assert "python-docx" not in properties.comments, path.name


def test_across_the_examples_every_one_of_the_thirteen_tables_has_data():
    with_data: set[int] = set()
    for path in EXAMPLES:
        loaded = disclosure.load(path)
        if loaded.model.report.profile != "shanxi-13":
            continue
        with_data |= {t.number for t in disclosure.derive_tables(loaded.model) if not t.is_empty}
    assert with_data == set(range(1, 14))


# --------------------------------------------------------------------------- the auditor itself


def test_the_auditor_catches_a_share_a_rate_and_a_total_that_do_not_recompute(built_examples):
    assert audit_paragraph("预算收入1266.19万元，主要包括一般公共预算拨款收入1251.19万元，占98.81%；单位资金15.00万元，占1.19%。")
    assert audit_paragraph("预算收入总计887.70万元，比上年增加11.50万元，增长1.32%。")
    assert not audit_paragraph("预算收入总计887.70万元，比上年增加11.50万元，增长1.31%。")
    # one cent more in one cell of each kind of table, and the auditor sees it
    cells = [("2025年预算支出总表", 3, 3), ("2025年预算收支总表", 7, 1), ("2025年项目支出预算表（本年预算）", 4, 1),
             ("2025年财政拨款安排“三公”经费支出预算表", 3, 2),
             ("2025年一般公共预算安排基本支出分经济科目表（不含上年结转）", 4, 2)]
    for title, row, column in cells:
        document = open_report(built_examples["county-school-2025.yaml"])
        cell = table_after(document, title).rows[row].cells[column]
        cell.paragraphs[0].runs[0].text = str(D(cell.text) + D("0.01"))
        assert audit_tables(document), title
    # a performance sheet's 年度资金总额 one 元 off its parts
    document = open_report(built_examples["county-school-2025.yaml"])
    assert audit_tables(document) == []
    sheet = next(t for t in document.tables if any("一级指标" in c.text for row in t.rows for c in row.cells))
    funds = next(row for row in sheet.rows if row.cells[0].text.startswith("项目资金"))
    total = funds.cells[6]
    total.paragraphs[0].runs[0].text = f"{D(total.text.replace(',', '')) + 1:,}"
    assert any("年度资金总额" in problem for problem in audit_tables(document))


# --------------------------------------------------------------------------- income by kind


def test_unit_funds_by_kind_fill_tables_1_to_3_and_section_two(built_examples):
    document = open_report(built_examples["county-school-2025.yaml"])
    table1 = rows(table_after(document, "2025年预算收支总表"))
    assert table1[7][:2] == ["五、单位资金", "71.00"]  # 事业收入 63.00 + 其他收入 8.00
    table2 = rows(table_after(document, "2025年预算收入总表"))
    assert table2[2][:9] == ["", "合计", "1274.76", "963.76", "50.00", "", "160.00", "71.00", "30.00"]
    [income] = [p.text for p in document.paragraphs if p.text.startswith("2025年度东源县第一中学预算收入1274.76")]
    assert "单位资金71.00万元，占5.57%（其中：事业收入63.00万元，其他收入8.00万元）" in income


def test_declared_income_by_kind_must_equal_the_lines():
    text = """
unit: {name: 某中学, code: '001', fiscal_year: 2025, type: 事业单位}
budget:
  income: {事业收入: 20000}
  lines:
    - {function: 2050204, kind: 基本支出, source: 事业收入, economic: 30201, amount: 10000}
"""
    findings = disclosure.validate(loads(text))
    assert [f.rule for f in findings if f.is_error] == ["income-equals-expenditure"]


# --------------------------------------------------------------------------- unit types and the mapping


@pytest.mark.parametrize("unit_type", list(UnitType))
def test_every_bundled_economic_code_maps_for_every_unit_type(unit_type):
    classification = bundled()
    side = unit_type.economic_side
    for code in ECONOMIC:
        government = classification.government_code(code, side)
        assert government is not None and classification.government_economic.get(government), (code, side)


def test_a_事业单位_maps_wages_and_running_costs_to_505_and_a_机关_to_501_502():
    def table6(unit_type: str) -> dict[str, str]:
        model = BudgetModel.model_validate({
            "unit": {"name": "某单位", "code": "001", "fiscal_year": 2025, "type": unit_type},
            "budget": {"lines": [
                {"function": "2050204", "kind": "基本支出", "source": "一般公共预算", "economic": code, "amount": 10000}
                for code in ("30107", "30217", "30231", "30305")
            ]},
        })
        return {r.code: r.label2 for r in derive_tables(model).basic_by_economic.rows if r.level == 2}

    assert table6("事业单位") == {"30107": "50501 工资福利支出", "30217": "50502 商品和服务支出",
                                  "30231": "50502 商品和服务支出", "30305": "50901 社会福利和救助"}
    assert table6("行政单位") == {"30107": "50101 工资奖金津补贴", "30217": "50206 公务接待费",
                                  "30231": "50208 公务用车运行维护费", "30305": "50901 社会福利和救助"}
    assert table6("参公") == table6("行政单位")  # an alias officers write


def test_a_部门_maps_each_units_lines_by_that_units_type(built_examples):
    document = open_report(built_examples["county-housing-department-2025.yaml"])
    table6 = rows(table_after(document, "2025年一般公共预算安排基本支出分经济科目表（不含上年结转）"))
    wages = [r[:3] for r in table6 if r[0] == "30101 基本工资"]
    assert wages == [["30101 基本工资", "50101 工资奖金津补贴", "270.00"], ["30101 基本工资", "50501 工资福利支出", "60.00"]]


def test_a_code_without_a_mapping_is_an_error_naming_its_line():
    text = """unit: {name: 某单位, code: '001', fiscal_year: 2025, type: 行政单位}
budget:
  economic_names: {30250: 自编科目}
  lines:
    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30250, amount: 10000}
"""
    loaded = loads(text, "unit.yaml")
    [finding] = [f for f in disclosure.validate(loaded) if f.rule == "economic-code-unmapped"]
    assert finding.is_error and loaded.source.where(finding.path) == "unit.yaml:5"
    given = text.replace("economic_names: {30250: 自编科目}",
                         "economic_names: {30250: 自编科目}\n  government_economic: {30250: 50299 其他商品和服务支出}")
    assert not [f for f in disclosure.validate(loads(given)) if f.rule == "economic-code-unmapped"]


def test_names_that_differ_only_in_bracket_width_or_spacing_are_the_same_name():
    assert same_name("维修(护)费", "维修（护）费") and same_name("因公出国（境） 费用", "因公出国(境)费用")
    assert not same_name("维修费", "维修（护）费")
    text = """unit: {name: 某单位, code: '001', fiscal_year: 2025, type: 行政单位}
operating_costs: {一般公共预算: 10000}
budget:
  economic_names: {30213: 维修(护)费}
  lines:
    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30213, amount: 10000}
"""
    assert disclosure.validate(loads(text)) == []


def test_the_主管部门_not_the_unit_is_printed_on_performance_sheets(built_examples):
    text = all_text(open_report(built_examples["county-school-2025.yaml"]))
    assert "305-东源县教育局" in text and "305001-东源县第一中学" not in text


def test_a_mistyped_project_name_gets_a_did_you_mean():
    text = """unit: {name: 某单位, code: '001', fiscal_year: 2025, type: 行政单位}
projects: [{name: 帮扶送温暖, category: 特定目标类}]
budget:
  lines:
    - {function: 2012902, kind: 项目支出, project: 帮扶送温暧, source: 一般公共预算, amount: 10000}
"""
    [finding] = [f for f in disclosure.validate(loads(text)) if f.rule == "line-project"]
    assert "是否为“帮扶送温暖”" in finding.message


def test_a_renamed_field_still_loads_with_a_notice_naming_its_new_spelling():
    loaded = loads("unit: {name: 某单位, code: '001', fiscal_year: 2025, report_title: 某单位报告}\n", "unit.yaml")
    assert loaded.model.report.title == "某单位报告"
    [notice] = loaded.notices
    assert str(notice) == "unit.yaml:1 unit.report_title: renamed: write report.title instead (the old spelling still works)"


def test_a_wrong_value_where_a_renamed_field_moves_is_reported_not_replaced():
    """report: a string, and the old unit.report_title: the string was replaced by {} to hold the title, so the
    report built in the default form without a word."""
    text = "unit: {name: 某单位, code: '001', fiscal_year: 2025, report_title: 某单位报告}\nreport: shanghai-district-9\n"
    with pytest.raises(LoadError) as info:
        loads(text, "unit.yaml")
    assert [str(p) for p in info.value.problems] == [
        "unit.yaml:2 report: Input should be a valid dictionary or instance of Report"]


# --------------------------------------------------------------------------- generated models


UNIT_TYPES = [t.value for t in UnitType]
SOURCES = ["一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金", "事业收入",
           "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入"]
amounts = st.decimals(min_value=D("0.01"), max_value=D(10) ** 7, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def unit_models(draw) -> dict:
    """A unit of any type with any sources, basic spending on bundled economic codes, projects, 三公 and last year."""
    projects = [f"项目{i}" for i in range(draw(st.integers(0, 3)))]
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        source = draw(st.sampled_from(SOURCES))
        line = {"function": draw(st.sampled_from(XIANG)), "source": source, "amount": str(draw(amounts)),
                "carry_over": draw(st.booleans()) if source in SOURCES[:3] else False}
        if projects and draw(st.booleans()):
            line |= {"kind": "项目支出", "project": draw(st.sampled_from(projects))}
        else:
            line |= {"kind": "基本支出", "economic": draw(st.sampled_from([c for c in ECONOMIC
                                                                         if c not in THREE_PUBLIC_CODES]))}
        lines.append(line)
    model = {
        "unit": {"name": "测试单位", "code": "001", "fiscal_year": 2025, "type": draw(st.sampled_from(UNIT_TYPES))},
        "projects": [{"name": name, "category": "特定目标类"} for name in projects],
        "budget": {"lines": lines},
    }
    if draw(st.booleans()):
        model["last_year"] = {"total": {"amount": str(draw(amounts))},
                              "general_public_current": {"amount": str(draw(amounts))}}
    if draw(st.booleans()):
        model["three_public"] = {"一般公共预算": {"official_reception": str(draw(amounts)),
                                                 "vehicle_operation": str(draw(amounts))}}
        model["last_year"] = {**model.get("last_year", {}), "three_public": {
            "amount": str(draw(amounts)), "items": {"official_reception": str(draw(amounts))}}}
    return model


@pytest.mark.slow
@given(unit_models())
@settings(max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_units_print_figures_an_auditor_recomputes_and_no_place(tmp_path_factory, data):
    model = BudgetModel.model_validate(copy.deepcopy(data))
    out = tmp_path_factory.mktemp("generated")
    report = build(model, out).docx
    document = open_report(report)
    assert audit(document) == []
    text = all_text(document)
    assert not [word for word in PLACE_WORDS if word in text]
    # every 款 row of table 6 prints its 政府预算经济分类 (never a blank cell)
    for row in derive_tables(model).basic_by_economic.rows:
        assert row.level != 2 or row.label2

