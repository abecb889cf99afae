"""The internal invariants of DESIGN.md §6, as assertions over derived tables (used by several tests)."""

from __future__ import annotations

from decimal import Decimal

from disclosure.model import FundingSource
from disclosure.tables import BalanceTable, Row, Table, Tables, wan_sum


def _column_sums(rows: list[Row]) -> tuple[Decimal, ...]:
    return tuple(sum(col, Decimal(0)) for col in zip(*(r.amounts for r in rows)))


def assert_function_table_adds_up(table: Table, *, total_column: bool = True) -> None:
    """合计 = Σ 类, 类 = Σ its 款, 款 = Σ its 项; the 合计 column = Σ the other columns."""
    rows = list(table.rows)
    total = rows[0]
    assert total.is_total
    classes = [r for r in rows if r.level == 1]
    if classes:
        assert total.amounts == _column_sums(classes), table.key
    for parent in (r for r in rows if r.level in (1, 2)):
        children = [r for r in rows if r.level == parent.level + 1 and r.code.startswith(parent.code)]
        assert parent.amounts == _column_sums(children), (table.key, parent.code)
    if total_column:
        for row in rows:
            assert row.amounts[0] == sum(row.amounts[1:], Decimal(0)), (table.key, row.label)


def assert_balance_table_adds_up(table: BalanceTable) -> None:
    income_total = table.footer_row("本年收入合计")
    spending_total = table.footer_row("本年支出合计")
    assert income_total.amounts == _column_sums(list(table.income))
    assert spending_total.amounts == _column_sums(list(table.expenditure))
    for row in table.expenditure:
        assert row.amounts[0] == sum(row.amounts[1:], Decimal(0))
    assert table.footer_row("收入总计").amount(0) == table.footer_row("支出总计").amount(0)


def assert_project_table_adds_up(table: Table) -> None:
    total = table.rows[0]
    units = [r for r in table.rows if r.level == 1] or [total]
    projects = [r for r in table.rows if r.level == 2]
    if projects:
        assert total.amounts == _column_sums(units if total.level == 0 else projects)
    for row in table.rows:
        assert row.amounts[0] == sum(row.amounts[1:], Decimal(0))


def assert_all_invariants(tables: Tables) -> None:
    """Every printed total = Σ printed rows; the same figure is the same in every table."""
    for key in ("income", "expenditure", "general_public", "fund_expenditure"):
        assert_function_table_adds_up(tables[key])  # type: ignore[arg-type]
    assert_balance_table_adds_up(tables.summary)
    assert_balance_table_adds_up(tables.fiscal_summary)
    assert_project_table_adds_up(tables.projects_current)
    assert_project_table_adds_up(tables.projects_carry_over)

    atoms = tables.atoms
    t1, t2, t3, t4 = tables.summary, tables.income, tables.expenditure, tables.fiscal_summary
    # table 1 totals = table 2 合计 = table 3 合计
    assert t1.footer_row("收入总计").amount(0) == t2.total("total") == t3.total("total")
    assert t1.footer_row("本年支出合计").amount(0) == t3.total("total")
    # table 4 = fiscal part of table 1
    fiscal = wan_sum(a for a in atoms if a.is_fiscal)
    assert t4.footer_row("支出总计").amount(0) == fiscal
    for row1, row4 in zip(t1.expenditure, t4.expenditure):
        assert row1.code == row4.code
        assert row4.amount(0) == wan_sum(a for a in atoms if a.is_fiscal and a.function[:3] == row1.code)
    # table 5 合计 = 一般公共预算 current-year income of tables 1/4 = table 2's 一般公共预算 column
    general = tables.general_public.total("total")
    assert general == t4.income_row("一般公共预算").amount(0) == t1.income_row("一般公共预算").amount(0)
    assert general == t2.total("general")
    # table 6 合计 = table 5 基本支出
    assert tables.basic_by_economic.total("total") == tables.general_public.total("basic")
    # table 8 = fund part
    assert tables.fund_expenditure.total("total") == t2.total("fund")
    # table 12 合计 = this year's project money; table 13 = fiscal carry-over project money
    assert tables.projects_current.rows[0].amount(0) == wan_sum(a for a in atoms if a.is_project and a.is_current)
    assert tables.projects_carry_over.rows[0].amount(0) == wan_sum(
        a for a in atoms if a.is_project and a.carry_over and a.is_fiscal
    )
    # the same 项 prints the same figure in tables 2, 3, 5 and 8
    for row in t2.rows:
        if row.level != 3:
            continue
        row3 = t3.find(code=row.code)
        assert row3 is not None and row3.amount(0) == row.amount(0)
        row5 = tables.general_public.find(code=row.code)
        assert (row5.amount(0) if row5 else Decimal(0)) == t2.value(row, "general")
        row8 = tables.fund_expenditure.find(code=row.code)
        assert (row8.amount(0) if row8 else Decimal(0)) == t2.value(row, "fund")
    # carry-over income = carry-over spending
    assert t1.footer_row("上年结转").amount(0) == wan_sum(a for a in atoms if a.carry_over)
    assert t1.footer_row("上年结转").amount(0) == t2.total("carry_over")
    assert FundingSource.GENERAL.is_fiscal
