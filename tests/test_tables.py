"""tables: the 13 tables as pure functions of the model, without any docx."""

from __future__ import annotations

from decimal import Decimal as D

from exploration import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import assert_all_invariants
from reference_figures import TABLE_2, TABLE_12

import disclosure
from disclosure import money
from disclosure.classification import bundled
from disclosure.model import BudgetModel
from disclosure.profile import load_profile
from disclosure.render.context import table_context
from disclosure.report import PrintedTable
from disclosure.tables import BalanceTable, Table, derive_tables

XIANG = sorted(c for c, code in bundled().function.codes.items() if code.level == "xiang")
ECONOMIC = sorted(c for c, code in bundled().economic.codes.items() if code.level == "kuan")
SOURCES = ["一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金"]


def printed(table, model: BudgetModel) -> list[list[str]]:
    """What the template prints for each row (codes, labels, cells), via the render context."""
    profile = load_profile()
    entry = PrintedTable(table.key, profile.table_spec(table.key), table, profile.number_format("table", "单位"))
    context = table_context(entry, profile, model)
    if isinstance(table, BalanceTable):
        return [[r["left_label"], *r["left"], r["right_label"], *r["right"]] for r in context["rows"]]
    return [[r["code"], r["label"], *r["cells"]] for r in context["rows"]]


def test_example_table_2_equals_reference(example, example_tables):
    assert printed(example_tables.income, example.model) == TABLE_2


def test_example_table_12_equals_reference(example, example_tables):
    rows = printed(example_tables.projects_current, example.model)
    assert [[label, *cells] for _, label, *cells in rows] == TABLE_12


def test_example_invariants(example_tables):
    assert_all_invariants(example_tables)


def test_example_empty_tables(example_tables):
    empty = [t.number for t in example_tables if t.is_empty]
    assert empty == [6, 7, 8, 9, 10, 11, 13]


def test_each_line_rounded_once_then_summed(example):
    # 3,097,016.27 元 prints as 309.70; the unit's total is the sum of printed figures
    tables = derive_tables(example.model)
    row = tables.projects_current.find(label="退休职工补贴医保取暖费及在职职工社保等")
    assert row.amount(0) == D("309.70")
    assert tables.projects_current.rows[0].amount(0) == D("887.70")


def _model(lines, projects=(), **extra) -> BudgetModel:
    return BudgetModel.model_validate(
        {"unit": {"name": "测试单位", "code": "999", "fiscal_year": 2025}, "projects": list(projects),
         "budget": {"lines": list(lines)}, **extra}
    )


def test_tail_difference_is_kept_in_rows_and_totals():
    # three lines of 33.33 元 each print 0.00; the total is their printed sum, 0.00, not 0.01
    lines = [{"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": code, "amount": "33.33"}
             for code in ("30101", "30102", "30103")]
    tables = derive_tables(_model(lines))
    assert tables.income.total("total") == D("0.00")
    assert_all_invariants(tables)


def test_same_key_lines_merge_before_rounding():
    line = {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30101", "amount": "50"}
    tables = derive_tables(_model([line, line]))  # 100 元 = 0.01 万元 (each alone would print 0.01 too)
    assert tables.income.total("total") == D("0.01")
    tables = derive_tables(_model([{**line, "amount": "49"}, {**line, "amount": "49"}]))  # 98 元 → 0.01
    assert tables.income.total("total") == D("0.01")


def test_basic_spending_by_economic_class(example):
    lines = [
        {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30101", "amount": "100000"},
        {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30201", "amount": "25000"},
        {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30302", "amount": "5000"},
        {"function": "2012902", "kind": "基本支出", "source": "单位资金", "economic": "30201", "amount": "99999"},
    ]
    t6 = derive_tables(_model(lines)).basic_by_economic
    assert [(r.label, r.label2, [str(a) for a in r.amounts]) for r in t6.rows] == [
        ("合计", "", ["13.00", "10.50", "2.50"]),
        ("301 工资福利支出", "", ["10.00", "10.00", "0"]),
        ("30101 基本工资", "50101 工资奖金津补贴", ["10.00", "10.00", "0"]),
        ("302 商品和服务支出", "", ["2.50", "0", "2.50"]),
        ("30201 办公费", "50201 办公经费", ["2.50", "0", "2.50"]),
        ("303 对个人和家庭的补助", "", ["0.50", "0.50", "0"]),
        ("30302 退休费", "50905 离退休费", ["0.50", "0.50", "0"]),  # every 款 maps (issue 8)
    ]


def test_carry_over_goes_to_its_own_columns_and_table_13():
    lines = [
        {"function": "2012902", "kind": "项目支出", "project": "甲", "source": "一般公共预算", "amount": "100000"},
        {"function": "2012902", "kind": "项目支出", "project": "甲", "source": "一般公共预算", "carry_over": True,
         "amount": "20000"},
    ]
    tables = derive_tables(_model(lines, [{"name": "甲", "category": "特定目标类"}]))
    assert tables.summary.footer_row("上年结转").amount(0) == D("2.00")
    assert tables.income.total("carry_over") == D("2.00")
    assert tables.projects_current.rows[0].amount(0) == D("10.00")
    assert tables.projects_carry_over.rows[0].amount(0) == D("2.00")
    assert tables.general_public.total("total") == D("10.00")  # table 5 excludes 上年结转
    assert_all_invariants(tables)


def test_a_class_outside_the_thirty_is_printed_after_them():
    lines = [{"function": "2180101", "kind": "项目支出", "project": "甲", "source": "单位资金", "amount": "10000"}]
    model = _model(lines, [{"name": "甲", "category": "特定目标类"}],
                   budget={"lines": lines, "function_names": {"218": "新类", "21801": "新款", "2180101": "新项"}})
    summary = derive_tables(model).summary
    assert summary.expenditure[-1].label == "三十一、新类"
    assert summary.footer_row("支出总计").amount(0) == D("1.00")


def test_three_public_table_rows_add_up():
    model = _model([], three_public={"一般公共预算": {"outbound_travel": "10000", "official_reception": "23456",
                                                    "vehicle_purchase": "0", "vehicle_operation": "30000"}})
    t10 = derive_tables(model).three_public
    by_label = {r.label: r for r in t10.rows}
    assert by_label["公务用车购置及运行费"].amount(0) == D("3.00")
    assert by_label["合计"].amount(0) == D("1.00") + D("2.35") + D("3.00")


# --------------------------------------------------------------------------- property-based


amounts = st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def models(draw):
    projects = [f"项目{i}" for i in range(draw(st.integers(0, 4)))]
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["基本支出", "项目支出"])) if projects else "基本支出"
        line = {
            "function": draw(st.sampled_from(XIANG)),
            "kind": kind,
            "source": draw(st.sampled_from(SOURCES)),
            "carry_over": draw(st.booleans()),
            "amount": str(draw(amounts)),
        }
        if kind == "项目支出":
            line["project"] = draw(st.sampled_from(projects))
        if kind == "基本支出" or draw(st.booleans()):
            line["economic"] = draw(st.sampled_from(ECONOMIC))
        lines.append(line)
    unit = draw(st.sampled_from(["元", "万元"]))
    return BudgetModel.model_validate(
        {
            "unit": {"name": "生成单位", "code": "001", "fiscal_year": 2025, "amount_unit": unit},
            "projects": [{"name": p, "category": "特定目标类"} for p in projects],
            "budget": {"lines": lines},
        }
    )


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_satisfy_every_invariant(model):
    assert_all_invariants(derive_tables(model))


@settings(max_examples=examples(60), deadline=None)
@given(models())
def test_printed_total_is_within_half_a_cent_per_line_of_the_exact_total(model):
    tables = derive_tables(model)
    exact = money.total(model.yuan(line.amount) for line in model.budget.lines) / 10000
    printed_total = tables.summary.footer_row("支出总计").amount(0)
    assert abs(printed_total - exact) <= D("0.005") * max(1, len(tables.atoms))


def test_public_api_derives_all_thirteen(example):
    tables = disclosure.derive_tables(example.model)
    assert [t.number for t in tables] == list(range(1, 14))
    assert all(isinstance(t, (Table, BalanceTable)) for t in tables)
