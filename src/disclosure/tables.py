"""The 预算公开表 as pure functions of the budget model (DESIGN.md §3, §4).

Every table is a pivot of the same facts, the budget lines.  Lines with the
same key (function 项, 基本/项目, project, source, 当年/上年结转, economic code,
unit) are merged into one :class:`Atom`.  A table is derived at a
:class:`~disclosure.money.Scale` — the unit and decimals it prints (万元 with two
decimals in the Shanxi form, 元 in the Shanghai form) — and each atom's amount is
rounded to that scale **once**, half up.  Every printed figure of a table is a
sum of those rounded atoms, so

* each printed subtotal and total equals the sum of the printed rows under it;
* within one scale, the same fact prints the same figure in every table (table
  2's 2012902 × 一般公共预算 and table 12's project, table 1's 本年支出合计 and
  table 3's 合计 …).

Where a printed figure differs from the rounded exact amount (尾差),
:mod:`disclosure.checks` warns.  Which tables a report prints, with which
options and at which scale, is the profile's (:data:`TABLE_DERIVATIONS` lists
every derivation with its options).  Nothing here touches docx.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

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
    UNIT_FUND_SOURCES,
    BudgetModel,
    ExpenditureKind,
    FundingSource,
    UnitType,
)
from .money import WAN, Scale
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
    unit: str | None  # 部门 reports: the subunit (the line's, or its project's)
    yuan: Decimal  # exact
    line_indexes: tuple[int, ...] = ()  # indexes into model.budget.lines
    index: int = 0  # position in the atoms of the model

    @property
    def wan(self) -> Decimal:
        """The printed 万元 figure (two decimals) of the Shanxi form, rounded once."""
        return WAN.of(self.yuan)

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
    """Merge the model's lines by key (in order of first appearance); amounts stay exact 元."""
    project_units = {p.name: p.unit for p in model.projects}
    sums: dict[tuple, Decimal] = {}
    indexes: dict[tuple, list[int]] = {}
    for i, line in enumerate(model.budget.lines):
        unit = line.unit or (project_units.get(line.project) if line.project else None)
        key = (line.function, line.kind, line.project, line.source, line.carry_over, line.economic, unit)
        sums[key] = sums.get(key, ZERO) + model.yuan(line.amount)
        indexes.setdefault(key, []).append(i)
    return tuple(
        Atom(*key, yuan=amount, line_indexes=tuple(indexes[key]), index=n)
        for n, (key, amount) in enumerate(sums.items())
    )


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Items grouped by ``key``, groups and items in order of first appearance."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def wan_sum(atoms: Iterable[Atom]) -> Decimal:
    """Printed 万元 figure (Shanxi form) of a set of atoms: the sum of their printed figures."""
    return money.total(a.wan for a in atoms)


# --------------------------------------------------------------------------- table structures


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    """One printed row: its code and label(s), and its figures (in the table's scale) in column order."""

    label: str
    amounts: tuple[Decimal, ...]
    code: str = ""
    level: int = 0  # 0: 合计/total rows; 1 类 (or unit); 2 款 (or project); 3 项
    is_total: bool = False
    label2: str = ""  # a second label column (table 6: 政府预算经济科目)
    name: str = ""  # the label without its ordinal (一、一般公共服务支出 → 一般公共服务支出)

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
    scale: Scale = WAN

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
    """A two-sided table (收入 | 支出): tables 1, 4 and 9 of the Shanxi form, the Shanghai 财务收支预算总表.

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
    scale: Scale = WAN

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
    government_economic: Mapping[str, str]  # 政府经济 款 → name

    def of_function(self, code: str) -> str:
        return self.function.get(code, code)

    def of_economic(self, code: str) -> str:
        return self.economic.get(code, code)

    def of_government(self, code: str) -> str:
        return self.government_economic.get(code, code)


def resolve_model_names(model: BudgetModel, classification: Classification) -> Names:
    """Names for every function and economic code (and their parents) the lines use."""
    function_codes = {c for line in model.budget.lines for c in function_lineage(line.function)}
    economic_codes = {c for line in model.budget.lines if line.economic for c in economic_lineage(line.economic)}
    function, _ = resolve_names(function_codes, model.budget.function_names, classification.function)
    economic, _ = resolve_names(economic_codes, model.budget.economic_names, classification.economic)
    government = {code: entry.name for code, entry in classification.government_economic.codes.items()}
    for text in model.budget.government_economic.values():
        code, _, name = text.partition(" ")
        government.setdefault(code, name.strip())
    return Names(function, economic, government)


def unit_types(model: BudgetModel) -> dict[str | None, UnitType | None]:
    """Each unit's type: the report's unit (key None) and every subunit (by name; the report's when not given)."""
    types: dict[str | None, UnitType | None] = {None: model.unit.type}
    for sub in model.unit.subunits:
        types[sub.name] = sub.type or model.unit.type
    return types


def unit_counts(model: BudgetModel) -> dict[str, int]:
    """机关, 参公事业单位, 事业单位 and 预算单位 counted from ``unit.subunits`` (with their types), unless
    ``unit.counts`` gives them; a 单位 counts itself."""
    units = model.unit.subunits if model.unit.level == "部门" else []
    types = [s.type or model.unit.type for s in units] if units else [model.unit.type]
    derived = {
        "administrative": sum(t is UnitType.ADMINISTRATIVE for t in types),
        "civil_service_institutions": sum(t is UnitType.CIVIL_SERVICE_INSTITUTION for t in types),
        "institutions": sum(t is UnitType.INSTITUTION for t in types),
        "budget_units": len(units) or 1,
    }
    given = model.unit.counts
    if given is not None:
        derived.update({k: v for k, v in given.model_dump().items() if v is not None})
    return derived


def government_economic_code(
    model: BudgetModel, classification: Classification, economic: str, unit: str | None,
    types: Mapping[str | None, UnitType | None] | None = None,
) -> str | None:
    """The 政府预算经济分类 款 of a 部门预算经济分类 款 for ``unit`` (its type picks the 机关 or 事业单位 column);
    the model's own ``budget.government_economic`` entry first.  None when neither knows the code."""
    declared = model.budget.government_economic.get(economic)
    if declared is not None:
        return declared.split()[0]
    types = types if types is not None else unit_types(model)
    unit_type = types.get(unit, model.unit.type)
    side = (unit_type or UnitType.ADMINISTRATIVE).economic_side
    return classification.government_code(economic, side)


# --------------------------------------------------------------------------- derivation context


@dataclass(frozen=True)
class Context:
    """What every table is derived from: the model, its atoms, the resolved names and the scale."""

    model: BudgetModel
    classification: Classification
    atoms: tuple[Atom, ...]
    names: Names
    scale: Scale = WAN
    project_totals: Mapping[tuple[str, bool], Decimal] = field(default_factory=dict)
    printed: tuple[Decimal, ...] = ()  # each atom at ``scale``, by atom index

    def at(self, scale: Scale) -> Context:
        """This context at another scale (atoms rounded anew, once each)."""
        if scale == self.scale and self.printed:
            return self
        return Context(self.model, self.classification, self.atoms, self.names, scale, self.project_totals,
                       tuple(scale.of(a.yuan) for a in self.atoms))

    def sum(self, atoms: Iterable[Atom]) -> Decimal:
        """The printed figure of a set of atoms: the sum of their figures at this scale."""
        printed = self.printed
        return money.total(printed[a.index] for a in atoms)

    def declared(self, amount: Decimal) -> Decimal:
        """A declared figure of the model (三公, 机关运行经费, income items) at this scale, rounded once."""
        return self.scale.of(self.model.yuan(amount))

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


def derivation_context(model: BudgetModel, classification: Classification | None = None, scale: Scale = WAN) -> Context:
    """The context tables of ``model`` are derived from, at ``scale``."""
    classification = classification or bundled()
    atoms = derive_atoms(model)
    base = Context(model, classification, atoms, resolve_model_names(model, classification), scale,
                   project_totals(atoms))
    return Context(base.model, base.classification, atoms, base.names, scale, base.project_totals,
                   tuple(scale.of(a.yuan) for a in atoms))


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
    ctx: Context, atoms: Sequence[Atom], columns: Sequence[Predicate], *, total_column: bool = True
) -> tuple[Row, ...]:
    """合计, then 类 → 款 → 项 rows of the function codes the atoms use (tables 2, 3, 5, 8, 9).

    A 项 cell is the sum of the printed figures of the atoms its column's
    predicate selects; 款, 类 and 合计 rows are sums of the rows below; the
    合计 column (when ``total_column``) is the sum of the other columns.
    Codes whose every cell is zero are left out.
    """
    names = ctx.names
    leaves: dict[str, tuple[Decimal, ...]] = {}
    for code, selected in sorted(group_by(atoms, lambda a: a.function).items()):
        parts = tuple(ctx.sum(a for a in selected if predicate(a)) for predicate in columns)
        amounts = _with_total_column(parts) if total_column else parts
        if any(amounts):
            leaves[code] = amounts
    width = len(columns) + (1 if total_column else 0)

    def subtotal(codes: Iterable[str]) -> tuple[Decimal, ...]:
        chosen = [leaves[c] for c in codes]
        return tuple(money.total(col) for col in zip(*chosen)) if chosen else (ZERO,) * width

    rows: list[Row] = [Row(TOTAL_LABEL, subtotal(leaves), is_total=True)]
    for lei, in_lei in group_by(leaves, lambda c: c[:3]).items():
        rows.append(Row(names.of_function(lei), subtotal(in_lei), code=lei, level=1, name=names.of_function(lei)))
        for kuan, in_kuan in group_by(in_lei, lambda c: c[:5]).items():
            rows.append(Row(names.of_function(kuan), subtotal(in_kuan), code=kuan, level=2,
                            name=names.of_function(kuan)))
            rows.extend(Row(names.of_function(x), leaves[x], code=x, level=3, name=names.of_function(x))
                        for x in in_kuan)
    return tuple(rows)


def class_rows(
    ctx: Context, atoms: Sequence[Atom], columns: Sequence[Predicate], *, classes: Literal["fixed", "present"] = "fixed"
) -> tuple[Row, ...]:
    """The expenditure rows of a 收支总表, one per 类, numbered 一、二、…, with a 合计/小计 column first.

    ``fixed``: the 30 classes of the Shanxi form in their fixed order (tables 1 and 4), a 类 the list lacks
    (a user's classification edition) printed after the thirty, so no amount is ever dropped from the
    totals.  ``present``: only the classes with money, in code order (the Shanghai 财务收支预算总表).
    """
    by_class = group_by(atoms, lambda a: a.function[:3])

    def amounts_of(lei: str) -> tuple[Decimal, ...]:
        selected = by_class.get(lei, [])
        return _with_total_column([ctx.sum(a for a in selected if predicate(a)) for predicate in columns])

    rows: list[Row] = []
    if classes == "fixed":
        rows = [Row(c.label, amounts_of(c.code), code=c.code, level=1, name=c.name)
                for c in ctx.classification.summary_classes]
        listed = {c.code for c in ctx.classification.summary_classes}
        others = sorted(set(by_class) - listed)
    else:
        others = sorted(lei for lei in by_class if any(amounts_of(lei)))
    for offset, lei in enumerate(others, start=len(rows) + 1):
        name = ctx.names.of_function(lei)
        rows.append(Row(f"{chinese_number(offset)}、{name}", amounts_of(lei), code=lei, level=1, name=name))
    return tuple(rows)


def _source_in(sources: Sequence[FundingSource]) -> Predicate:
    chosen = frozenset(sources)
    return lambda a: a.source in chosen


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


# --------------------------------------------------------------------------- source groups


class SourceGroup(BaseModel):
    """A column or row that sums some funding sources: e.g. 单位资金 = its five kinds, or the Shanghai
    form's 其他收入 = 单位资金 (kind not given) + 上级补助收入 + 附属单位上缴收入 + 其他收入."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    key: str = Field(description="Column key (templates and checks refer to it).")
    label: str = Field(description="The column header or row label as printed.")
    sources: tuple[FundingSource, ...] = Field(description="The funding sources it sums.")
    carry_over: Literal["exclude", "only", "include"] = Field(
        "exclude", description="This year's money only (exclude), 上年结转 only (only), or both (include).",
    )

    def selects(self) -> Predicate:
        chosen = frozenset(self.sources)
        if self.carry_over == "include":
            return lambda a: a.source in chosen
        wanted = self.carry_over == "only"
        return lambda a: a.source in chosen and a.carry_over == wanted


def _group(key: str, label: str, sources: Sequence[FundingSource], carry_over: str = "exclude") -> SourceGroup:
    return SourceGroup(key=key, label=label, sources=tuple(sources), carry_over=carry_over)  # type: ignore[arg-type]


#: The five income sources of the Shanxi form's tables 1, 2 and 12 (单位资金 sums its kinds).
SOURCE_GROUPS: tuple[SourceGroup, ...] = (
    _group("general", "一般公共预算", [FundingSource.GENERAL]),
    _group("fund", "政府性基金预算", [FundingSource.FUND]),
    _group("state_capital", "国有资本经营预算", [FundingSource.STATE_CAPITAL]),
    _group("special_account", "财政专户管理资金", [FundingSource.SPECIAL_ACCOUNT]),
    _group("unit_funds", "单位资金", UNIT_FUND_SOURCES),
)
FISCAL_GROUPS = SOURCE_GROUPS[:3]
SOURCE_COLUMNS = tuple(Column(g.key, g.label) for g in SOURCE_GROUPS)
FISCAL_COLUMNS = SOURCE_COLUMNS[:3]
KIND_COLUMNS = (Column("total", "合计"), Column("basic", "基本支出"), Column("project", "项目支出"))


# --------------------------------------------------------------------------- options


class Options(BaseModel):
    """Options of a derivation, given in the profile's ``tables.<name>.options``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class NoOptions(Options):
    pass


class KindOptions(Options):
    """A table of one source by function code, or of its 基本支出 by economic code: whether 上年结转 counts."""

    carry_over: Literal["exclude", "include"] = Field(
        "exclude",
        description="exclude: this year's money only (the Shanxi form's tables 5, 6 and 8 say 不含上年结转); "
        "include: with the money carried over, as tables 3 and 4 count it (the Shanghai form, decision 71).",
    )

    def selects(self, atom: Atom) -> bool:
        return self.carry_over == "include" or atom.is_current


KIND_DEFAULTS = KindOptions()


class BasicEconomicOptions(KindOptions):
    """一般公共预算基本支出 by 部门预算经济分类 (Shanxi table 6, Shanghai table 8)."""

    government_codes: bool = Field(
        True,
        description="true: a 款 is printed once per 政府预算经济分类 款 it maps to, beside it (Shanxi table 6); "
        "false: once, as a form that prints no government code shows it (the Shanghai form).",
    )


BASIC_ECONOMIC_DEFAULTS = BasicEconomicOptions()


class IncomeOptions(Options):
    """收入总表 (Shanxi table 2, Shanghai 收入预算总表): its source columns."""

    columns: tuple[SourceGroup, ...] = Field(
        (*SOURCE_GROUPS, _group("carry_over", "上年结转", list(FundingSource), "only")),
        description="The income columns after 合计, each a group of sources; default: the Shanxi form's five "
        "sources (this year) and 上年结转.",
    )


class SummaryOptions(Options):
    """收支总表 (Shanxi tables 1 and 4): which class rows, which footer."""

    classes: Literal["fixed", "present"] = Field(
        "fixed", description="fixed: the 30 classes of the form in order; present: the classes with money, in code order.",
    )
    footer: Literal["full", "totals"] = Field(
        "full",
        description="full: 本年收入合计 | 本年支出合计, 上年结转 | 年终结转 (with its detail) and 收入总计 | 支出总计; "
        "totals: 收入总计 | 支出总计 only, 上年结转 (when there is any) printed as the last income row.",
    )


class IncomeRow(BaseModel):
    """An income row of a 财务收支预算总表, with the rows it sums (1. 一般公共预算资金 …)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    label: str
    sources: tuple[FundingSource, ...] = ()
    children: tuple[IncomeRow, ...] = ()

    def all_sources(self) -> tuple[FundingSource, ...]:
        return self.sources + tuple(s for child in self.children for s in child.all_sources())


def _income_row(label: str, sources: Sequence[FundingSource] = (), children: Sequence[IncomeRow] = ()) -> IncomeRow:
    return IncomeRow(label=label, sources=tuple(sources), children=tuple(children))


class FinancialSummaryOptions(Options):
    """财务收支预算总表 (the Shanghai form's table 1): income rows by source, spending by class and kind."""

    income: tuple[IncomeRow, ...] = Field(
        (
            _income_row("一、财政拨款收入", children=(
                _income_row("1. 一般公共预算资金", [FundingSource.GENERAL]),
                _income_row("2. 政府性基金", [FundingSource.FUND]),
                _income_row("3. 国有资本经营预算", [FundingSource.STATE_CAPITAL]),
            )),
            _income_row("二、事业收入", [FundingSource.OPERATIONS, FundingSource.SPECIAL_ACCOUNT]),
            _income_row("三、事业单位经营收入", [FundingSource.BUSINESS]),
            _income_row("四、其他收入", [FundingSource.UNIT, FundingSource.HIGHER_LEVEL_GRANT,
                                     FundingSource.AFFILIATE_REMITTANCE, FundingSource.OTHER]),
        ),
        description="Income rows; a row with children prints their sum and then them. Every source must be in "
        "exactly one row (上年结转 money is counted with its source).",
    )
    income_total_label: str = "收入总计"
    expenditure_total_label: str = "支出总计"


NO_OPTIONS = NoOptions()
SUMMARY_DEFAULTS = SummaryOptions()
INCOME_DEFAULTS = IncomeOptions()
FINANCIAL_SUMMARY_DEFAULTS = FinancialSummaryOptions()


# --------------------------------------------------------------------------- the tables


def _income_rows_by_group(ctx: Context, atoms: Sequence[Atom], groups: Sequence[SourceGroup]) -> tuple[Row, ...]:
    """一、… 二、… rows: the money of each source group."""
    return tuple(
        _row(f"{chinese_number(i)}、{group.label}", [ctx.sum(a for a in atoms if group.selects()(a))], name=group.label)
        for i, group in enumerate(groups, start=1)
    )


def _balance_table(
    ctx: Context,
    number: int,
    key: str,
    expenditure_columns: tuple[Column, ...],
    income: tuple[Row, ...],
    expenditure: tuple[Row, ...],
    carried_in: Row,
    carried_details: Sequence[Row] = (),
    footer: str = "full",
) -> BalanceTable:
    """A 收支总表 (tables 1 and 4): income | spending, then 本年合计, 结转 (with its details) and 总计.

    收入总计 = 本年收入合计 + 上年结转 and 支出总计 = 本年支出合计 + 年终结转 (always 0 in a budget), each
    the sum of the printed rows above it.  With ``footer="totals"`` only 收入总计 | 支出总计 are printed
    under the rows, 上年结转 (when not zero) being the last income row.
    """
    if footer == "totals":
        if not carried_in.is_zero:
            income = (*income, Row(carried_in.label, carried_in.amounts, level=1, name=carried_in.label))
        return BalanceTable(
            number, key, (Column("amount", "金额"),), expenditure_columns, income, expenditure,
            ((_row("收入总计", _sum_rows(income), is_total=True),
              _row("支出总计", _sum_rows(expenditure) or (ZERO,) * len(expenditure_columns), is_total=True)),),
            ctx.scale,
        )
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
        ctx.scale,
    )


def derive_summary_table(ctx: Context, options: SummaryOptions = SUMMARY_DEFAULTS) -> BalanceTable:
    """预算公开表1 收支总表: income by the five sources; expenditure by class (合计, 当年, 上年结转)."""
    atoms = ctx.atoms
    return _balance_table(
        ctx,
        1,
        "summary",
        (Column("total", "合计"), Column("current", "当年预算安排"), Column("carry_over", "上年结转安排")),
        _income_rows_by_group(ctx, atoms, SOURCE_GROUPS),
        class_rows(ctx, atoms, [_is_current, _is_carry_over], classes=options.classes),
        _row("上年结转", [ctx.sum(a for a in atoms if a.carry_over)]),
        footer=options.footer,
    )


def derive_income_table(ctx: Context, options: IncomeOptions = INCOME_DEFAULTS) -> Table:
    """预算公开表2 收入总表: function codes × (合计, then one column per source group of the options)."""
    return Table(
        2,
        "income",
        (Column("total", "合计"), *(Column(g.key, g.label) for g in options.columns)),
        function_code_rows(ctx, ctx.atoms, [g.selects() for g in options.columns]),
        ctx.scale,
    )


def derive_expenditure_table(ctx: Context, options: NoOptions = NO_OPTIONS) -> Table:
    """预算公开表3 支出总表: function codes × (合计, 基本支出, 项目支出), all money incl. 上年结转."""
    return Table(3, "expenditure", KIND_COLUMNS, function_code_rows(ctx, ctx.atoms, [_is_basic, _is_project]),
                 ctx.scale)


def derive_fiscal_summary_table(ctx: Context, options: SummaryOptions = SUMMARY_DEFAULTS) -> BalanceTable:
    """预算公开表4 财政拨款收支总表: the fiscal part of table 1, by the three fiscal sources."""
    fiscal = [a for a in ctx.atoms if a.is_fiscal]
    current = [_group(g.key, g.label, g.sources, "exclude") for g in FISCAL_GROUPS]
    carried = _income_rows_by_group(ctx, fiscal, [_group(g.key, g.label, g.sources, "only") for g in FISCAL_GROUPS])
    return _balance_table(
        ctx,
        4,
        "fiscal_summary",
        (Column("total", "小计"), *FISCAL_COLUMNS),
        _income_rows_by_group(ctx, fiscal, current),
        class_rows(ctx, fiscal, [_source_in(g.sources) for g in FISCAL_GROUPS], classes=options.classes),
        _row("上年财政拨款结转", _sum_rows(carried)),
        carried,
        footer=options.footer,
    )


def _kind_table(ctx: Context, number: int, key: str, source: FundingSource, options: KindOptions) -> Table:
    atoms = [a for a in ctx.atoms if a.source is source and options.selects(a)]
    return Table(number, key, KIND_COLUMNS, function_code_rows(ctx, atoms, [_is_basic, _is_project]), ctx.scale)


def derive_general_public_table(ctx: Context, options: KindOptions = KIND_DEFAULTS) -> Table:
    """预算公开表5 一般公共预算支出预算表（不含上年结转）: 一般公共预算, this year's money (or with 上年结转, by
    the options), by function code."""
    return _kind_table(ctx, 5, "general_public", FundingSource.GENERAL, options)


UNCODED_ECONOMIC_LABEL = "未填经济分类"


def derive_basic_economic_table(ctx: Context, options: BasicEconomicOptions = BASIC_ECONOMIC_DEFAULTS) -> Table:
    """预算公开表6 一般公共预算安排基本支出分经济科目表（不含上年结转）.

    Rows: 合计, then 部门预算经济分类 类 → 款, each 款 with the 政府预算经济分类 款 it maps to for the
    unit's type (a 部门 whose units differ in type may print one 款 twice, once per 政府经济 款);
    columns 合计, 人员经费 (classes 301, 303), 公用经费 (the rest).  A 款 without a mapping prints an
    empty second label, which the check ``economic-code-unmapped`` refuses before any report is written.
    This year's money, or with 上年结转 by the options (as table 5's 基本支出 column counts it). A form that
    prints no government code (``government_codes: false``) gets each 款 once, with no second label.
    """
    atoms = [a for a in ctx.atoms if a.source is FundingSource.GENERAL and options.selects(a) and a.is_basic]
    names = ctx.names
    types = unit_types(ctx.model)

    def amounts(selected: Iterable[Atom], code: str) -> tuple[Decimal, ...]:
        value = ctx.sum(selected)
        personnel = is_personnel_economic(code)
        return (value, value if personnel else ZERO, ZERO if personnel else value)

    def government(atom: Atom) -> str:
        assert atom.economic is not None
        if not options.government_codes:
            return ""
        return government_economic_code(ctx.model, ctx.classification, atom.economic, atom.unit, types) or ""

    coded = [a for a in atoms if a.economic]
    rows: list[Row] = []
    for lei, in_class in sorted(group_by(coded, lambda a: (a.economic or "")[:3]).items()):
        rows.append(Row(f"{lei} {names.of_economic(lei)}", amounts(in_class, lei), code=lei, level=1,
                        name=names.of_economic(lei)))
        pairs = group_by(in_class, lambda a: (a.economic or "", government(a)))
        for (kuan, gov), selected in sorted(pairs.items()):
            rows.append(
                Row(
                    f"{kuan} {names.of_economic(kuan)}",
                    amounts(selected, kuan),
                    code=kuan,
                    level=2,
                    label2=f"{gov} {names.of_government(gov)}" if gov else "",
                    name=names.of_economic(kuan),
                )
            )
    uncoded = [a for a in atoms if not a.economic]
    if uncoded:
        value = ctx.sum(uncoded)
        rows.append(Row(UNCODED_ECONOMIC_LABEL, (value, ZERO, value), level=1, name=UNCODED_ECONOMIC_LABEL))
    top = [r for r in rows if r.level == 1]
    return Table(
        6,
        "basic_by_economic",
        (Column("total", "合计"), Column("personnel", "人员经费"), Column("public", "公用经费")),
        (Row(TOTAL_LABEL, _sum_rows(top) or (ZERO,) * 3, is_total=True), *rows),
        ctx.scale,
    )


def _income_item_rows(ctx: Context, items: Sequence) -> tuple[Row, ...]:
    rows = [Row(item.name, (ctx.declared(item.amount),), code=item.code, level=1, name=item.name) for item in items]
    return (Row(TOTAL_LABEL, _sum_rows(rows) or (ZERO,), is_total=True), *rows)


def derive_fund_income_table(ctx: Context, options: NoOptions = NO_OPTIONS) -> Table:
    """预算公开表7 政府性基金预算收入表: the declared 政府性基金 income by income code."""
    return Table(7, "fund_income", (Column("amount", "政府性基金收入预算"),),
                 _income_item_rows(ctx, ctx.model.fund_income), ctx.scale)


def derive_fund_expenditure_table(ctx: Context, options: KindOptions = KIND_DEFAULTS) -> Table:
    """预算公开表8 政府性基金预算支出表（不含上年结转）: 政府性基金 this year's money (or with 上年结转, by the
    options) by function code."""
    return _kind_table(ctx, 8, "fund_expenditure", FundingSource.FUND, options)


def derive_state_capital_expenditure_table(ctx: Context, options: KindOptions = KIND_DEFAULTS) -> Table:
    """国有资本经营预算支出 by function code (this year's money, or with 上年结转 by the options): the
    Shanghai form's table 7, and the spending side of the Shanxi form's table 9."""
    return _kind_table(ctx, 9, "state_capital_expenditure", FundingSource.STATE_CAPITAL, options)


def derive_state_capital_table(ctx: Context, options: NoOptions = NO_OPTIONS) -> BalanceTable:
    """预算公开表9 国有资本经营预算收支预算表: declared income | 国有资本 expenditure by function code."""
    spending = derive_state_capital_expenditure_table(ctx)
    return BalanceTable(
        9,
        "state_capital",
        (Column("amount", "国有资本经营收入预算"),),
        KIND_COLUMNS,
        _income_item_rows(ctx, ctx.model.state_capital_income),
        spending.rows,
        (),
        ctx.scale,
    )


THREE_PUBLIC_ITEMS = (
    ("outbound_travel", "因公出国（境）费"),
    ("official_reception", "公务接待费"),
    ("vehicle_purchase", "①公务用车购置费"),
    ("vehicle_operation", "②公务用车运行维护费"),
)
VEHICLES_LABEL = "公务用车购置及运行费"


def derive_three_public_table(ctx: Context, options: NoOptions = NO_OPTIONS) -> Table:
    """预算公开表10 财政拨款安排"三公"经费支出预算表, from the declared figures by fiscal source.

    Rows as printed: 因公出国（境）费, 公务接待费, 公务用车购置及运行费 (= ① + ②),
    ①公务用车购置费, ②公务用车运行维护费, 合计 (= the first three).
    """
    declared = ctx.model.three_public

    def item(field_name: str) -> tuple[Decimal, ...]:
        parts = [ctx.declared(getattr(declared[s.value], field_name)) if s.value in declared else ZERO
                 for s in FISCAL_SOURCES]
        return _with_total_column(parts)

    outbound, reception, purchase, operation = (item(name) for name, _ in THREE_PUBLIC_ITEMS)
    vehicles = _sum_rows([Row("", purchase), Row("", operation)])
    rows = (
        Row(THREE_PUBLIC_ITEMS[0][1], outbound, level=1, code="outbound_travel"),
        Row(THREE_PUBLIC_ITEMS[1][1], reception, level=1, code="official_reception"),
        Row(VEHICLES_LABEL, vehicles, level=1, code="vehicles"),
        Row(THREE_PUBLIC_ITEMS[2][1], purchase, level=2, code="vehicle_purchase"),
        Row(THREE_PUBLIC_ITEMS[3][1], operation, level=2, code="vehicle_operation"),
    )
    total = Row(TOTAL_LABEL, _sum_rows(rows[:3]), is_total=True)
    return Table(10, "three_public", (Column("total", "合计"), *FISCAL_COLUMNS), (*rows, total), ctx.scale)


def derive_operating_costs_table(ctx: Context, options: NoOptions = NO_OPTIONS) -> Table:
    """预算公开表11 财政拨款安排机关运行经费预算表: 部门合计, then the unit, by fiscal source."""
    declared = ctx.model.operating_costs
    parts = [ctx.declared(declared[s.value]) if s.value in declared else ZERO for s in FISCAL_SOURCES]
    amounts = _with_total_column(parts)
    return Table(
        11,
        "operating_costs",
        (Column("total", "合计"), *FISCAL_COLUMNS),
        (Row("部门合计", amounts, is_total=True), Row(ctx.model.unit.name, amounts, level=1)),
        ctx.scale,
    )


def _project_table(
    ctx: Context, number: int, key: str, atoms: Sequence[Atom], groups: Sequence[SourceGroup]
) -> Table:
    model = ctx.model
    selectors = [_source_in(g.sources) for g in groups]

    def amounts(selected: Sequence[Atom]) -> tuple[Decimal, ...]:
        return _with_total_column([ctx.sum(a for a in selected if chosen(a)) for chosen in selectors])

    unit_by_project = {p.name: p.unit or model.unit.name for p in model.projects}
    sources = frozenset(s for g in groups for s in g.sources)

    def unit_of(name: str) -> str:
        return unit_by_project.get(name, model.unit.name)

    by_project = group_by((a for a in atoms if a.source in sources and a.project), lambda a: a.project or "")
    order = [n for n in unit_by_project if n in by_project] + sorted(set(by_project) - set(unit_by_project))
    subunits = [s.name for s in model.unit.subunits] if model.unit.level == "部门" else []
    units = list(dict.fromkeys([*subunits, *map(unit_of, order)]))
    by_unit = group_by(order, unit_of)
    rows: list[Row] = []
    for unit in units:
        project_rows = [Row(n, amounts(by_project[n]), level=2, name=n) for n in by_unit.get(unit, [])]
        if project_rows:
            rows.append(Row(unit, _sum_rows(project_rows), level=1, is_total=len(units) == 1, name=unit))
            rows.extend(project_rows)
    if len(units) != 1 or not rows:
        unit_rows = [r for r in rows if r.level == 1]
        width = len(groups) + 1
        rows.insert(0, Row(TOTAL_LABEL if model.unit.level == "部门" else model.unit.name,
                           _sum_rows(unit_rows) or (ZERO,) * width, is_total=True))
    return Table(number, key, (Column("total", "合计"), *(Column(g.key, g.label) for g in groups)), tuple(rows),
                 ctx.scale)


def derive_current_projects_table(ctx: Context, options: NoOptions = NO_OPTIONS) -> Table:
    """预算公开表12 项目支出预算表（本年预算）: the unit, then each project's this-year money by source."""
    atoms = [a for a in ctx.atoms if a.is_project and a.is_current]
    return _project_table(ctx, 12, "projects_current", atoms, SOURCE_GROUPS)


def derive_carry_over_projects_table(ctx: Context, options: NoOptions = NO_OPTIONS) -> Table:
    """预算公开表13 项目支出预算表（上年结转）: the unit, then each project's 上年结转 fiscal money."""
    atoms = [a for a in ctx.atoms if a.is_project and a.carry_over]
    return _project_table(ctx, 13, "projects_carry_over", atoms, FISCAL_GROUPS)


FINANCIAL_SUMMARY_COLUMNS = (
    Column("total", "合计"),
    Column("basic", "基本支出"),
    Column("personnel", "人员经费"),
    Column("public", "公用经费"),
    Column("project", "项目支出"),
)


def _is_personnel(a: Atom) -> bool:
    return a.is_basic and a.economic is not None and is_personnel_economic(a.economic)


def _is_public(a: Atom) -> bool:
    return a.is_basic and not _is_personnel(a)


def derive_financial_summary_table(
    ctx: Context, options: FinancialSummaryOptions = FINANCIAL_SUMMARY_DEFAULTS
) -> BalanceTable:
    """财务收支预算总表 (the Shanghai form's table 1): income rows by source group (a 财政拨款收入 row summing
    its sources, then them), spending by class in code order with 合计, 基本支出 (人员经费 = economic classes
    301 and 303, 公用经费 = the rest of 基本支出), 项目支出; 收入总计 | 支出总计 under them.  上年结转 money is
    counted with its source, so 收入总计 = 支出总计.  A 部门 report prints the 合计 column only."""
    atoms = ctx.atoms
    income: list[Row] = []
    for top in options.income:
        income.append(_row(top.label, [ctx.sum(a for a in atoms if a.source in top.all_sources())], level=1,
                           name=top.label))
        for child in top.children:
            income.append(_row(child.label, [ctx.sum(a for a in atoms if a.source in child.all_sources())], level=2,
                               name=child.label))
    spending = class_rows(ctx, atoms, [_is_basic, _is_personnel, _is_public, _is_project], classes="present")
    # the 合计 column of class_rows sums all four predicates; 基本支出 already holds 人员 + 公用: recompute
    spending = tuple(
        Row(r.label, (r.amounts[1] + r.amounts[4], *r.amounts[1:]), code=r.code, level=r.level, name=r.name)
        for r in spending
    )
    top_rows = [r for r in income if r.level == 1]
    income_total = _row(options.income_total_label, _sum_rows(top_rows) or (ZERO,), is_total=True)
    spending_total = _row(options.expenditure_total_label, _sum_rows(spending) or (ZERO,) * 5, is_total=True)
    return BalanceTable(
        1, "financial_summary", (Column("amount", "预算数"),), FINANCIAL_SUMMARY_COLUMNS,
        tuple(income), spending, ((income_total, spending_total),), ctx.scale,
    )


# --------------------------------------------------------------------------- all tables


@dataclass(frozen=True)
class Derivation:
    """A table this library can derive: its function and the options a profile may give it."""

    function: Callable[..., AnyTable]
    options: type[Options] = NoOptions

    def __call__(self, ctx: Context, options: Mapping[str, Any] | Options | None = None) -> AnyTable:
        if not isinstance(options, Options):
            options = self.options.model_validate(dict(options or {}))
        return self.function(ctx, options)


TABLE_DERIVATIONS: dict[str, Derivation] = {
    "summary": Derivation(derive_summary_table, SummaryOptions),
    "income": Derivation(derive_income_table, IncomeOptions),
    "expenditure": Derivation(derive_expenditure_table),
    "fiscal_summary": Derivation(derive_fiscal_summary_table, SummaryOptions),
    "general_public": Derivation(derive_general_public_table, KindOptions),
    "basic_by_economic": Derivation(derive_basic_economic_table, BasicEconomicOptions),
    "fund_income": Derivation(derive_fund_income_table),
    "fund_expenditure": Derivation(derive_fund_expenditure_table, KindOptions),
    "state_capital": Derivation(derive_state_capital_table),
    "three_public": Derivation(derive_three_public_table),
    "operating_costs": Derivation(derive_operating_costs_table),
    "projects_current": Derivation(derive_current_projects_table),
    "projects_carry_over": Derivation(derive_carry_over_projects_table),
    "financial_summary": Derivation(derive_financial_summary_table, FinancialSummaryOptions),
    "state_capital_expenditure": Derivation(derive_state_capital_expenditure_table, KindOptions),
}
"""Every table this library can derive, by key; a profile picks, orders, configures and scales them."""

#: The thirteen tables of the Shanxi form, derived with their default options by :func:`derive_tables`.
STANDARD_TABLES = (
    "summary", "income", "expenditure", "fiscal_summary", "general_public", "basic_by_economic", "fund_income",
    "fund_expenditure", "state_capital", "three_public", "operating_costs", "projects_current",
    "projects_carry_over",
)


@dataclass(frozen=True)
class ProcurementFigures:
    """政府采购预算 at a scale (九、政府采购情况): each declared amount rounded once, the total their sum."""

    goods: Decimal
    works: Decimal
    services: Decimal
    reserved_for_smes: Decimal = ZERO
    reserved_for_small_micro: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.goods + self.works + self.services


def derive_procurement(model: BudgetModel, scale: Scale = WAN) -> ProcurementFigures:
    p = model.procurement
    return ProcurementFigures(*(scale.of(model.yuan(a)) for a in (
        p.goods, p.works, p.services, p.reserved_for_smes, p.reserved_for_small_micro)))


@dataclass(frozen=True)
class Tables:
    """The thirteen standard tables of a model at one scale, by key (``tables['summary']``) and by attribute.

    :meth:`derive` gives any other table (a derivation with options) at this context's scale.
    """

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

    @property
    def scale(self) -> Scale:
        return self.context.scale

    def derive(self, key: str, options: Mapping[str, Any] | None = None, scale: Scale | None = None) -> AnyTable:
        """The derivation ``key`` with ``options``, at ``scale`` (this one's by default)."""
        ctx = self.context if scale is None else self.context.at(scale)
        if not options and ctx is self.context and key in self.by_key:
            return self.by_key[key]
        return TABLE_DERIVATIONS[key](ctx, options)

    def unit_fund_kinds(self) -> dict[FundingSource, Decimal]:
        """单位资金 by kind (事业收入, 事业单位经营收入, 上级补助收入, …, not 单位资金 given without a kind): this
        year's money of each, as printed — the kinds section 二 names after table 1's 单位资金, and the
        figures a declared 收入预算 is checked against."""
        current = [a for a in self.atoms if a.is_current]
        return {source: self.context.sum(a for a in current if a.source is source)
                for source in UNIT_FUND_SOURCES if source is not FundingSource.UNIT}

    @functools.cached_property
    def organs_public_spending(self) -> Decimal:
        """Table 6's 公用经费 of 行政单位 and 参公事业单位 — and of lines whose unit has no type, which table 6
        maps as 机关 — as printed: what 机关运行经费 can be at most (glossary 四: their 公用经费 of 财政拨款
        基本支出); a 事业单位's 公用经费 is not 机关运行经费."""
        model = self.context.model
        types = unit_types(model)
        organs = (UnitType.ADMINISTRATIVE, UnitType.CIVIL_SERVICE_INSTITUTION, None)
        return self.context.sum(
            a for a in self.atoms
            if a.source is FundingSource.GENERAL and a.is_current and a.is_basic
            and not (a.economic and is_personnel_economic(a.economic))
            and types.get(a.unit, model.unit.type) in organs)

    def at(self, scale: Scale) -> Tables:
        """The standard tables at another scale."""
        if scale == self.scale:
            return self
        return _standard_tables(self.context.at(scale))

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


def _standard_tables(context: Context) -> Tables:
    return Tables(
        context,
        {key: TABLE_DERIVATIONS[key](context) for key in STANDARD_TABLES},
        derive_procurement(context.model, context.scale),
    )


def derive_tables(model: BudgetModel, classification: Classification | None = None, scale: Scale = WAN) -> Tables:
    """Derive the 13 standard tables of ``model`` (DESIGN.md §3) with ``classification`` (bundled by default),
    at ``scale`` (万元 with two decimals by default)."""
    return _standard_tables(derivation_context(model, classification, scale))
