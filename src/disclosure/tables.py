"""The 13 预算公开表 as pure functions of the budget model (DESIGN.md §3, §4).

Every table is a pivot of the same facts, the budget lines.  Lines with the
same key (function 项, 基本/项目, project, source, 当年/上年结转, economic code)
are merged into one :class:`Atom`, whose 万元 figure is rounded **once**, half
up.  Every printed figure of every table is a sum of atoms' printed figures, so

* each printed subtotal and total equals the sum of the printed rows under it;
* the same fact prints the same figure in every table (table 2's 2012902 ×
  一般公共预算 and table 12's project, table 1's 本年支出合计 and table 3's 合计 …).

Where a printed figure differs from the rounded exact amount (尾差),
:mod:`disclosure.checks` warns.  Nothing here touches docx.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from . import money
from .classification import (
    Classification,
    bundled,
    economic_lineage,
    function_lineage,
    is_personnel_economic,
    resolve_names,
)
from .model import (
    FISCAL_SOURCES,
    BudgetModel,
    ExpenditureKind,
    FundingSource,
)
from .numerals import chinese_number

ZERO = money.ZERO
T = TypeVar("T")
K = TypeVar("K")


# --------------------------------------------------------------------------- atoms


@dataclass(frozen=True)
class Atom:
    """Budget lines sharing one key, merged: the unit every printed figure is a sum of."""

    function: str
    kind: ExpenditureKind
    project: str | None
    source: FundingSource
    carry_over: bool
    economic: str | None
    yuan: Decimal  # exact
    wan: Decimal  # printed 万元, rounded once
    line_indexes: tuple[int, ...] = ()  # indexes into model.budget.lines

    @property
    def is_basic(self) -> bool:
        return self.kind is ExpenditureKind.BASIC

    @property
    def is_project(self) -> bool:
        return self.kind is ExpenditureKind.PROJECT

    @property
    def is_fiscal(self) -> bool:
        return self.source.is_fiscal

    @property
    def is_current(self) -> bool:
        return not self.carry_over


def derive_atoms(model: BudgetModel) -> tuple[Atom, ...]:
    """Merge the model's lines by key (in order of first appearance) and round each merged amount once."""
    sums: dict[tuple, Decimal] = {}
    indexes: dict[tuple, list[int]] = defaultdict(list)
    for i, line in enumerate(model.budget.lines):
        key = (line.function, line.kind, line.project, line.source, line.carry_over, line.economic)
        sums[key] = sums.get(key, ZERO) + model.yuan(line.amount)
        indexes[key].append(i)
    return tuple(
        Atom(*key, yuan=amount, wan=money.yuan_to_wan(amount), line_indexes=tuple(indexes[key]))
        for key, amount in sums.items()
    )


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Items grouped by ``key``, groups and items in order of first appearance."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def wan_sum(atoms: Iterable[Atom]) -> Decimal:
    """Printed 万元 figure of a set of atoms: the sum of their printed figures."""
    return money.total(a.wan for a in atoms)


# --------------------------------------------------------------------------- table structures


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """One printed row: its code and label(s), and its 万元 figures in column order."""

    label: str
    amounts: tuple[Decimal, ...]
    code: str = ""
    level: int = 0  # 0: 合计/total rows; 1 类 (or unit); 2 款 (or project); 3 项
    is_total: bool = False
    label2: str = ""  # a second label column (table 6: 政府预算经济科目)

    def amount(self, index: int = 0) -> Decimal:
        return self.amounts[index]

    @property
    def is_zero(self) -> bool:
        return all(a == 0 for a in self.amounts)


@dataclass(frozen=True)
class Table:
    """A table of rows under amount columns; ``rows[0]`` is its 合计 row where it has one."""

    number: int
    key: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def is_empty(self) -> bool:
        """No figure to print: the table keeps its header and says 注：本表无数据."""
        return all(r.is_zero for r in self.rows)

    def column_index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def value(self, row: Row, column: str) -> Decimal:
        return row.amounts[self.column_index(column)]

    @property
    def total_row(self) -> Row:
        return next(r for r in self.rows if r.is_total)

    def total(self, column: str) -> Decimal:
        return self.value(self.total_row, column)

    def find(self, *, code: str | None = None, label: str | None = None) -> Row | None:
        for row in self.rows:
            if (code is None or row.code == code) and (label is None or row.label == label):
                return row
        return None



@dataclass(frozen=True)
class BalanceTable:
    """A two-sided table (收入 | 支出): tables 1, 4 and 9.

    ``income`` and ``expenditure`` are printed side by side from the top;
    ``footer`` pairs are printed under them (本年收入合计 | 本年支出合计, …).
    """

    number: int
    key: str
    income_columns: tuple[Column, ...]
    expenditure_columns: tuple[Column, ...]
    income: tuple[Row, ...]
    expenditure: tuple[Row, ...]
    footer: tuple[tuple[Row | None, Row | None], ...] = ()

    @property
    def is_empty(self) -> bool:
        rows = [*self.income, *self.expenditure, *(r for pair in self.footer for r in pair if r)]
        return all(r.is_zero for r in rows)

    def footer_row(self, label: str) -> Row:
        for left, right in self.footer:
            for row in (left, right):
                if row is not None and row.label == label:
                    return row
        raise KeyError(label)

    def income_row(self, label: str) -> Row:
        return next(r for r in self.income if r.label.endswith(label))


AnyTable = Table | BalanceTable


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class Names:
    """Names of the codes a model uses, resolved against the classification in use."""

    function: Mapping[str, str]
    economic: Mapping[str, str]
    government_economic: Mapping[str, str]  # 部门经济 款 → '50101 工资奖金津补贴'

    def of_function(self, code: str) -> str:
        return self.function.get(code, code)

    def of_economic(self, code: str) -> str:
        return self.economic.get(code, code)


def resolve_model_names(model: BudgetModel, classification: Classification) -> Names:
    """Names for every function and economic code (and their parents) the lines use."""
    function_codes = {c for line in model.budget.lines for c in function_lineage(line.function)}
    economic_codes = {c for line in model.budget.lines if line.economic for c in economic_lineage(line.economic)}
    function, _ = resolve_names(function_codes, model.budget.function_names, classification.function)
    economic, _ = resolve_names(economic_codes, model.budget.economic_names, classification.economic)
    government: dict[str, str] = {}
    for code in economic_codes:
        if len(code) != 5:
            continue
        if code in model.budget.government_economic:
            government[code] = model.budget.government_economic[code]
            continue
        gov = classification.economic_to_government.get(code)
        entry = classification.government_economic.get(gov) if gov else None
        if entry is not None:
            government[code] = f"{entry.code} {entry.name}"
    return Names(function, economic, government)


# --------------------------------------------------------------------------- shared pivots

Predicate = Callable[[Atom], bool]

TOTAL_LABEL = "合计"


def _sum_rows(rows: Sequence[Row]) -> tuple[Decimal, ...]:
    if not rows:
        return ()
    return tuple(money.total(col) for col in zip(*(r.amounts for r in rows)))


def _with_total_column(parts: Sequence[Decimal]) -> tuple[Decimal, ...]:
    return (money.total(parts), *parts)


def function_code_rows(
    atoms: Sequence[Atom], columns: Sequence[Predicate], names: Names, *, total_column: bool = True
) -> tuple[Row, ...]:
    """合计, then 类 → 款 → 项 rows of the function codes the atoms use (tables 2, 3, 5, 8, 9).

    A 项 cell is the sum of the printed figures of the atoms its column's
    predicate selects; 款, 类 and 合计 rows are sums of the rows below; the
    合计 column (when ``total_column``) is the sum of the other columns.
    Codes whose every cell is zero are left out.
    """
    leaves: dict[str, tuple[Decimal, ...]] = {}
    for code, selected in sorted(group_by(atoms, lambda a: a.function).items()):
        parts = tuple(wan_sum(a for a in selected if predicate(a)) for predicate in columns)
        amounts = _with_total_column(parts) if total_column else parts
        if any(amounts):
            leaves[code] = amounts
    width = len(columns) + (1 if total_column else 0)

    def subtotal(codes: Iterable[str]) -> tuple[Decimal, ...]:
        chosen = [leaves[c] for c in codes]
        return tuple(money.total(col) for col in zip(*chosen)) if chosen else (ZERO,) * width

    rows: list[Row] = [Row(TOTAL_LABEL, subtotal(leaves), is_total=True)]
    for lei, in_lei in group_by(leaves, lambda c: c[:3]).items():
        rows.append(Row(names.of_function(lei), subtotal(in_lei), code=lei, level=1))
        for kuan, in_kuan in group_by(in_lei, lambda c: c[:5]).items():
            rows.append(Row(names.of_function(kuan), subtotal(in_kuan), code=kuan, level=2))
            rows.extend(Row(names.of_function(x), leaves[x], code=x, level=3) for x in in_kuan)
    return tuple(rows)


def summary_class_rows(
    atoms: Sequence[Atom], columns: Sequence[Predicate], names: Names, classification: Classification
) -> tuple[Row, ...]:
    """The 30 expenditure rows of a 收支总表 in fixed order (tables 1 and 4), with a 合计/小计 column first.

    A 类 the fixed list lacks (a user's classification edition) is printed
    after the thirty, so no amount is ever dropped from the totals.
    """
    by_class = group_by(atoms, lambda a: a.function[:3])

    def amounts_of(lei: str) -> tuple[Decimal, ...]:
        selected = by_class.get(lei, [])
        return _with_total_column([wan_sum(a for a in selected if predicate(a)) for predicate in columns])

    rows = [Row(c.label, amounts_of(c.code), code=c.code, level=1) for c in classification.summary_classes]
    listed = {c.code for c in classification.summary_classes}
    extra = sorted({a.function[:3] for a in atoms} - listed)
    for offset, lei in enumerate(extra, start=len(rows) + 1):
        rows.append(Row(f"{chinese_number(offset)}、{names.of_function(lei)}", amounts_of(lei), code=lei, level=1))
    return tuple(rows)


def _source_is(source: FundingSource) -> Predicate:
    return lambda a: a.source is source


def _current_source(source: FundingSource) -> Predicate:
    return lambda a: a.source is source and a.is_current


def _is_basic(a: Atom) -> bool:
    return a.is_basic


def _is_project(a: Atom) -> bool:
    return a.is_project


def _is_current(a: Atom) -> bool:
    return a.is_current


def _is_carry_over(a: Atom) -> bool:
    return a.carry_over


def _row(label: str, amounts: Sequence[Decimal], **kw: object) -> Row:
    return Row(label, tuple(amounts), **kw)  # type: ignore[arg-type]


SOURCE_COLUMNS = (
    Column("general", "一般公共预算"),
    Column("fund", "政府性基金预算"),
    Column("state_capital", "国有资本经营预算"),
    Column("special_account", "财政专户管理资金"),
    Column("unit_funds", "单位资金"),
)
FISCAL_COLUMNS = SOURCE_COLUMNS[:3]
KIND_COLUMNS = (Column("total", "合计"), Column("basic", "基本支出"), Column("project", "项目支出"))

# --------------------------------------------------------------------------- tables 1–13


def _income_by_source(atoms: Sequence[Atom], sources: Sequence[FundingSource], *, carry_over: bool) -> tuple[Row, ...]:
    """一、… 二、… rows: this year's (or carried-over) money of each source."""
    return tuple(
        _row(f"{chinese_number(i)}、{source.value}",
             [wan_sum(a for a in atoms if a.source is source and a.carry_over == carry_over)])
        for i, source in enumerate(sources, start=1)
    )


def _balance_table(
    number: int,
    key: str,
    expenditure_columns: tuple[Column, ...],
    income: tuple[Row, ...],
    expenditure: tuple[Row, ...],
    carried_in: Row,
    carried_details: Sequence[Row] = (),
) -> BalanceTable:
    """A 收支总表 (tables 1 and 4): income | spending, then 本年合计, 结转 (with its details) and 总计.

    收入总计 = 本年收入合计 + 上年结转 and 支出总计 = 本年支出合计 + 年终结转 (always 0 in a budget), each
    the sum of the printed rows above it.
    """
    income_total = _row("本年收入合计", _sum_rows(income), is_total=True)
    spending_total = _row("本年支出合计", _sum_rows(expenditure), is_total=True)
    carried_out = _row("年终结转", [ZERO] * len(expenditure_columns))
    return BalanceTable(
        number,
        key,
        (Column("amount", "金额"),),
        expenditure_columns,
        income,
        expenditure,
        (
            (income_total, spending_total),
            (carried_in, carried_out),
            *((row, None) for row in carried_details),
            (
                _row("收入总计", _sum_rows([income_total, carried_in]), is_total=True),
                _row("支出总计", _sum_rows([spending_total, carried_out]), is_total=True),
            ),
        ),
    )


def derive_summary_table(ctx: Context) -> BalanceTable:
    """预算公开表1 收支总表: income by the five sources; expenditure by the 30 classes (合计, 当年, 上年结转)."""
    atoms = ctx.atoms
    return _balance_table(
        1,
        "summary",
        (Column("total", "合计"), Column("current", "当年预算安排"), Column("carry_over", "上年结转安排")),
        _income_by_source(atoms, list(FundingSource), carry_over=False),
        summary_class_rows(atoms, [_is_current, _is_carry_over], ctx.names, ctx.classification),
        _row("上年结转", [wan_sum(a for a in atoms if a.carry_over)]),
    )


def derive_income_table(ctx: Context) -> Table:
    """预算公开表2 收入总表: function codes × (合计, five sources of this year's income, 上年结转)."""
    columns = [_current_source(s) for s in FundingSource] + [_is_carry_over]
    return Table(
        2,
        "income",
        (Column("total", "合计"), *SOURCE_COLUMNS, Column("carry_over", "上年结转")),
        function_code_rows(ctx.atoms, columns, ctx.names),
    )


def derive_expenditure_table(ctx: Context) -> Table:
    """预算公开表3 支出总表: function codes × (合计, 基本支出, 项目支出), all money incl. 上年结转."""
    return Table(3, "expenditure", KIND_COLUMNS, function_code_rows(ctx.atoms, [_is_basic, _is_project], ctx.names))


def derive_fiscal_summary_table(ctx: Context) -> BalanceTable:
    """预算公开表4 财政拨款收支总表: the fiscal part of table 1, by the three fiscal sources."""
    fiscal = [a for a in ctx.atoms if a.is_fiscal]
    carried = _income_by_source(fiscal, FISCAL_SOURCES, carry_over=True)
    return _balance_table(
        4,
        "fiscal_summary",
        (Column("total", "小计"), *FISCAL_COLUMNS),
        _income_by_source(fiscal, FISCAL_SOURCES, carry_over=False),
        summary_class_rows(fiscal, [_source_is(s) for s in FISCAL_SOURCES], ctx.names, ctx.classification),
        _row("上年财政拨款结转", _sum_rows(carried)),
        carried,
    )


def _kind_table(ctx: Context, number: int, key: str, source: FundingSource) -> Table:
    atoms = [a for a in ctx.atoms if a.source is source and a.is_current]
    return Table(number, key, KIND_COLUMNS, function_code_rows(atoms, [_is_basic, _is_project], ctx.names))


def derive_general_public_table(ctx: Context) -> Table:
    """预算公开表5 一般公共预算支出预算表（不含上年结转）: 一般公共预算, this year's money, by function code."""
    return _kind_table(ctx, 5, "general_public", FundingSource.GENERAL)


UNCODED_ECONOMIC_LABEL = "未填经济分类"


def derive_basic_economic_table(ctx: Context) -> Table:
    """预算公开表6 一般公共预算安排基本支出分经济科目表（不含上年结转）.

    Rows: 合计, then 部门预算经济分类 类 → 款 with the matching 政府预算经济分类;
    columns 合计, 人员经费 (classes 301, 303), 公用经费 (the rest).
    """
    atoms = [a for a in ctx.atoms if a.source is FundingSource.GENERAL and a.is_current and a.is_basic]
    names = ctx.names

    def amounts(selected: Sequence[Atom], code: str) -> tuple[Decimal, ...]:
        value = wan_sum(selected)
        personnel = is_personnel_economic(code)
        return (value, value if personnel else ZERO, ZERO if personnel else value)

    rows: list[Row] = []
    for lei in sorted({a.economic[:3] for a in atoms if a.economic}):
        in_class = [a for a in atoms if a.economic and a.economic.startswith(lei)]
        rows.append(Row(f"{lei} {names.of_economic(lei)}", amounts(in_class, lei), code=lei, level=1))
        for kuan in sorted({a.economic for a in in_class if a.economic}):
            selected = [a for a in in_class if a.economic == kuan]
            rows.append(
                Row(
                    f"{kuan} {names.of_economic(kuan)}",
                    amounts(selected, kuan),
                    code=kuan,
                    level=2,
                    label2=names.government_economic.get(kuan, ""),
                )
            )
    uncoded = [a for a in atoms if not a.economic]
    if uncoded:
        rows.append(Row(UNCODED_ECONOMIC_LABEL, (wan_sum(uncoded), ZERO, wan_sum(uncoded)), level=1))
    top = [r for r in rows if r.level == 1]
    return Table(
        6,
        "basic_by_economic",
        (Column("total", "合计"), Column("personnel", "人员经费"), Column("public", "公用经费")),
        (Row(TOTAL_LABEL, _sum_rows(top) or (ZERO,) * 3, is_total=True), *rows),
    )


def _income_rows(ctx: Context, items: Sequence) -> tuple[Row, ...]:
    rows = [Row(item.name, (money.yuan_to_wan(ctx.model.yuan(item.amount)),), code=item.code, level=1) for item in items]
    return (Row(TOTAL_LABEL, _sum_rows(rows) or (ZERO,), is_total=True), *rows)


def derive_fund_income_table(ctx: Context) -> Table:
    """预算公开表7 政府性基金预算收入表: the declared 政府性基金 income by income code."""
    return Table(7, "fund_income", (Column("amount", "政府性基金收入预算"),), _income_rows(ctx, ctx.model.fund_income))


def derive_fund_expenditure_table(ctx: Context) -> Table:
    """预算公开表8 政府性基金预算支出表（不含上年结转）: 政府性基金 this year's money by function code."""
    return _kind_table(ctx, 8, "fund_expenditure", FundingSource.FUND)


def derive_state_capital_table(ctx: Context) -> BalanceTable:
    """预算公开表9 国有资本经营预算收支预算表: declared income | 国有资本 expenditure by function code."""
    spending = _kind_table(ctx, 9, "state_capital", FundingSource.STATE_CAPITAL)
    return BalanceTable(
        9,
        "state_capital",
        (Column("amount", "国有资本经营收入预算"),),
        KIND_COLUMNS,
        _income_rows(ctx, ctx.model.state_capital_income),
        spending.rows,
    )


THREE_PUBLIC_ITEMS = (
    ("outbound_travel", "因公出国（境）费"),
    ("official_reception", "公务接待费"),
    ("vehicle_purchase", "①公务用车购置费"),
    ("vehicle_operation", "②公务用车运行维护费"),
)
VEHICLES_LABEL = "公务用车购置及运行费"


def derive_three_public_table(ctx: Context) -> Table:
    """预算公开表10 财政拨款安排"三公"经费支出预算表, from the declared figures by fiscal source.

    Rows as printed: 因公出国（境）费, 公务接待费, 公务用车购置及运行费 (= ① + ②),
    ①公务用车购置费, ②公务用车运行维护费, 合计 (= the first three).
    """
    declared = ctx.model.three_public

    def item(field_name: str) -> tuple[Decimal, ...]:
        parts = [
            money.yuan_to_wan(ctx.model.yuan(getattr(declared[s.value], field_name))) if s.value in declared else ZERO
            for s in FISCAL_SOURCES
        ]
        return _with_total_column(parts)

    outbound, reception, purchase, operation = (item(name) for name, _ in THREE_PUBLIC_ITEMS)
    vehicles = _sum_rows([Row("", purchase), Row("", operation)])
    rows = (
        Row(THREE_PUBLIC_ITEMS[0][1], outbound, level=1),
        Row(THREE_PUBLIC_ITEMS[1][1], reception, level=1),
        Row(VEHICLES_LABEL, vehicles, level=1),
        Row(THREE_PUBLIC_ITEMS[2][1], purchase, level=2),
        Row(THREE_PUBLIC_ITEMS[3][1], operation, level=2),
    )
    total = Row(TOTAL_LABEL, _sum_rows(rows[:3]), is_total=True)
    return Table(10, "three_public", (Column("total", "合计"), *FISCAL_COLUMNS), (*rows, total))


def derive_operating_costs_table(ctx: Context) -> Table:
    """预算公开表11 财政拨款安排机关运行经费预算表: 部门合计, then the unit, by fiscal source."""
    declared = ctx.model.operating_costs
    parts = [
        money.yuan_to_wan(ctx.model.yuan(declared[s.value])) if s.value in declared else ZERO for s in FISCAL_SOURCES
    ]
    amounts = _with_total_column(parts)
    return Table(
        11,
        "operating_costs",
        (Column("total", "合计"), *FISCAL_COLUMNS),
        (Row("部门合计", amounts, is_total=True), Row(ctx.model.unit.name, amounts, level=1)),
    )


def _project_table(
    ctx: Context, number: int, key: str, atoms: Sequence[Atom], sources: Sequence[FundingSource], columns: tuple[Column, ...]
) -> Table:
    model = ctx.model

    def amounts(selected: Sequence[Atom]) -> tuple[Decimal, ...]:
        return _with_total_column([wan_sum(a for a in selected if a.source is s) for s in sources])

    unit_by_project = {p.name: p.unit or model.unit.name for p in model.projects}

    def unit_of(name: str) -> str:
        return unit_by_project.get(name, model.unit.name)

    by_project = group_by((a for a in atoms if a.source in sources and a.project), lambda a: a.project or "")
    order = [n for n in unit_by_project if n in by_project] + sorted(set(by_project) - set(unit_by_project))
    units = list(dict.fromkeys([*(model.unit.subunits if model.unit.level == "部门" else []), *map(unit_of, order)]))
    by_unit = group_by(order, unit_of)
    rows: list[Row] = []
    for unit in units:
        project_rows = [Row(n, amounts(by_project[n]), level=2) for n in by_unit.get(unit, [])]
        if project_rows:
            rows.append(Row(unit, _sum_rows(project_rows), level=1, is_total=len(units) == 1))
            rows.extend(project_rows)
    if len(units) != 1 or not rows:
        unit_rows = [r for r in rows if r.level == 1]
        width = len(sources) + 1
        rows.insert(0, Row(TOTAL_LABEL if model.unit.level == "部门" else model.unit.name,
                           _sum_rows(unit_rows) or (ZERO,) * width, is_total=True))
    return Table(number, key, (Column("total", "合计"), *columns), tuple(rows))


def derive_current_projects_table(ctx: Context) -> Table:
    """预算公开表12 项目支出预算表（本年预算）: the unit, then each project's this-year money by source."""
    atoms = [a for a in ctx.atoms if a.is_project and a.is_current]
    return _project_table(ctx, 12, "projects_current", atoms, list(FundingSource), SOURCE_COLUMNS)


def derive_carry_over_projects_table(ctx: Context) -> Table:
    """预算公开表13 项目支出预算表（上年结转）: the unit, then each project's 上年结转 fiscal money."""
    atoms = [a for a in ctx.atoms if a.is_project and a.carry_over]
    return _project_table(ctx, 13, "projects_carry_over", atoms, list(FISCAL_SOURCES), FISCAL_COLUMNS)


# --------------------------------------------------------------------------- all tables


@dataclass(frozen=True)
class Context:
    """What every table is derived from: the model, its atoms and the resolved names."""

    model: BudgetModel
    classification: Classification
    atoms: tuple[Atom, ...]
    names: Names
    project_totals: Mapping[tuple[str, bool], Decimal] = field(default_factory=dict)

    def project_yuan(self, name: str, *, carry_over: bool = False) -> Decimal:
        """Exact 元 total of a project's lines of this year (or of 上年结转)."""
        return self.project_totals.get((name, carry_over), ZERO)


def project_totals(atoms: Iterable[Atom]) -> dict[tuple[str, bool], Decimal]:
    """Exact 元 per (project, carry_over), summed once for every project (no per-project scan of the lines)."""
    totals: dict[tuple[str, bool], Decimal] = {}
    for atom in atoms:
        if atom.project is not None:
            key = (atom.project, atom.carry_over)
            totals[key] = totals.get(key, ZERO) + atom.yuan
    return totals


TABLE_DERIVATIONS: dict[str, Callable[[Context], AnyTable]] = {
    "summary": derive_summary_table,
    "income": derive_income_table,
    "expenditure": derive_expenditure_table,
    "fiscal_summary": derive_fiscal_summary_table,
    "general_public": derive_general_public_table,
    "basic_by_economic": derive_basic_economic_table,
    "fund_income": derive_fund_income_table,
    "fund_expenditure": derive_fund_expenditure_table,
    "state_capital": derive_state_capital_table,
    "three_public": derive_three_public_table,
    "operating_costs": derive_operating_costs_table,
    "projects_current": derive_current_projects_table,
    "projects_carry_over": derive_carry_over_projects_table,
}
"""Every table this library can derive, by key; a profile picks and orders them."""


@dataclass(frozen=True)
class ProcurementFigures:
    """政府采购预算 in printed 万元 (九、政府采购情况): each declared amount rounded once, total their sum."""

    goods: Decimal
    works: Decimal
    services: Decimal

    @property
    def total(self) -> Decimal:
        return self.goods + self.works + self.services


def derive_procurement(model: BudgetModel) -> ProcurementFigures:
    p = model.procurement
    return ProcurementFigures(*(money.yuan_to_wan(model.yuan(a)) for a in (p.goods, p.works, p.services)))


@dataclass(frozen=True)
class Tables:
    """All derived tables of a model, by key (``tables['summary']``) and by attribute."""

    context: Context
    by_key: Mapping[str, AnyTable] = field(default_factory=dict)
    procurement: ProcurementFigures = ProcurementFigures(ZERO, ZERO, ZERO)

    def __getitem__(self, key: str) -> AnyTable:
        return self.by_key[key]

    def __iter__(self) -> Iterator[AnyTable]:
        return iter(self.by_key.values())

    @property
    def atoms(self) -> tuple[Atom, ...]:
        return self.context.atoms

    # typed accessors used by the narrative
    @property
    def summary(self) -> BalanceTable:
        return self.by_key["summary"]  # type: ignore[return-value]

    @property
    def income(self) -> Table:
        return self.by_key["income"]  # type: ignore[return-value]

    @property
    def expenditure(self) -> Table:
        return self.by_key["expenditure"]  # type: ignore[return-value]

    @property
    def fiscal_summary(self) -> BalanceTable:
        return self.by_key["fiscal_summary"]  # type: ignore[return-value]

    @property
    def general_public(self) -> Table:
        return self.by_key["general_public"]  # type: ignore[return-value]

    @property
    def basic_by_economic(self) -> Table:
        return self.by_key["basic_by_economic"]  # type: ignore[return-value]

    @property
    def fund_income(self) -> Table:
        return self.by_key["fund_income"]  # type: ignore[return-value]

    @property
    def fund_expenditure(self) -> Table:
        return self.by_key["fund_expenditure"]  # type: ignore[return-value]

    @property
    def state_capital(self) -> BalanceTable:
        return self.by_key["state_capital"]  # type: ignore[return-value]

    @property
    def three_public(self) -> Table:
        return self.by_key["three_public"]  # type: ignore[return-value]

    @property
    def operating_costs(self) -> Table:
        return self.by_key["operating_costs"]  # type: ignore[return-value]

    @property
    def projects_current(self) -> Table:
        return self.by_key["projects_current"]  # type: ignore[return-value]

    @property
    def projects_carry_over(self) -> Table:
        return self.by_key["projects_carry_over"]  # type: ignore[return-value]


def derive_tables(model: BudgetModel, classification: Classification | None = None) -> Tables:
    """Derive all 13 tables of ``model`` (DESIGN.md §3) with ``classification`` (bundled by default)."""
    classification = classification or bundled()
    atoms = derive_atoms(model)
    context = Context(model, classification, atoms, resolve_model_names(model, classification), project_totals(atoms))
    return Tables(
        context,
        {key: derive(context) for key, derive in TABLE_DERIVATIONS.items()},
        derive_procurement(model),
    )
