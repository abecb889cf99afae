"""项目支出绩效目标表: one sheet per project, laid out like the form, derived from the model (DESIGN.md §5 十、).

Funds are printed in 元.  When a sheet declares no funds they are derived
from the project's lines of this year: 财政拨款 fills the column of the
unit's own 预算级次 — 省级财政资金 for a 省级 unit (a 直辖市's 市级 one too),
市县（区）财政资金 otherwise (decision 70) — 单位资金 and 财政专户管理资金 fill
单位自筹, the other columns are 0 and 其他资金 is left blank; the 实施期 column
repeats the 年度 one.  Declared funds are checked against the lines
(:mod:`disclosure.checks`, ``sheet-funds-match-lines``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import money
from .model import BudgetLine, BudgetModel, Indicator, Project, SheetFunds
from .profile import Profile

ZERO = money.ZERO


@dataclass(frozen=True)
class Funds:
    """One funds column of the sheet, exact 元; ``other`` None prints blank."""

    central: Decimal
    provincial: Decimal
    local: Decimal
    self_raised: Decimal
    other: Decimal | None

    @property
    def total(self) -> Decimal:
        return money.total([self.central, self.provincial, self.local, self.self_raised, self.other or ZERO])


@dataclass(frozen=True)
class IndicatorRow:
    """One printed row of the indicator table: 一级, 二级, 三级 and the values for 实施期 and 年度."""

    level1: str
    level2: str
    name: str = ""
    value: str = ""
    annual_value: str = ""


@dataclass(frozen=True)
class Sheet:
    project: Project
    competent_department: str
    implementing_unit: str
    period_funds: Funds
    annual_funds: Funds
    indicators: tuple[IndicatorRow, ...]

    @property
    def name(self) -> str:
        return self.project.name


#: 预算级次 of a province's own budget, as ``unit.tier`` writes it
PROVINCIAL_TIERS = frozenset({"省级", "省本级", "自治区级", "自治区本级"})
#: the 直辖市, whose 市级 budget is a province's
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")


def is_provincial(tier: str | None, region: str | None) -> bool:
    """The unit's 财政拨款 is 省级财政资金: its tier is a province's, or 市级 of a 直辖市 (region 上海市…)."""
    tier = (tier or "").strip()
    if tier in PROVINCIAL_TIERS:
        return True
    return tier in ("市级", "市本级") and (region or "").strip().startswith(MUNICIPALITIES)


def derived_funds(model: BudgetModel, lines: Sequence[BudgetLine]) -> Funds:
    """A project's ``lines`` of this year by source, exact 元, in the columns of the form: 财政拨款 under the
    unit's own 预算级次 (:func:`is_provincial`), the rest under 单位自筹."""
    fiscal = money.total(model.yuan(line.amount) for line in lines if line.source.is_fiscal)
    own = money.total(model.yuan(line.amount) for line in lines if not line.source.is_fiscal)
    if is_provincial(model.unit.tier, model.unit.region):
        return Funds(ZERO, fiscal, ZERO, own, None)
    return Funds(ZERO, ZERO, fiscal, own, None)


def current_lines_by_project(model: BudgetModel) -> dict[str, list[BudgetLine]]:
    """This year's lines of each project, gathered in one pass over the lines."""
    by_project: dict[str, list[BudgetLine]] = {}
    for line in model.budget.lines:
        if line.project is not None and not line.carry_over:
            by_project.setdefault(line.project, []).append(line)
    return by_project


def _declared(model: BudgetModel, funds: SheetFunds) -> Funds:
    other = model.yuan(funds.other) if funds.other is not None else None
    return Funds(model.yuan(funds.central), model.yuan(funds.provincial), model.yuan(funds.local),
                 model.yuan(funds.self_raised), other)


def sheet_funds(model: BudgetModel, project: Project, lines: Sequence[BudgetLine]) -> tuple[Funds, Funds]:
    """(实施期, 年度) funds of the project's sheet: declared, or derived from its ``lines`` of this year."""
    declared = project.performance.funds if project.performance else None
    if declared is None:
        funds = derived_funds(model, lines)
        return funds, funds
    period = _declared(model, declared.period)
    annual = _declared(model, declared.annual) if declared.annual is not None else period
    return period, annual


def indicator_rows(indicators: dict[str, dict[str, list[Indicator]]], skeleton: dict[str, list[str]]) -> tuple[IndicatorRow, ...]:
    """The indicator table row by row: the form's 一级/二级 in order (empty ones as one blank row), then others."""
    rows: list[IndicatorRow] = []
    level1_names = list(skeleton) + [name for name in indicators if name not in skeleton]
    for level1 in level1_names:
        given = indicators.get(level1, {})
        level2_names = list(skeleton.get(level1, [])) + [n for n in given if n not in skeleton.get(level1, [])]
        for level2 in level2_names:
            items = given.get(level2, [])
            if not items:
                rows.append(IndicatorRow(level1, level2))
            rows.extend(IndicatorRow(level1, level2, i.name, i.value, i.annual) for i in items)
    return tuple(rows)


def sheet_order(model: BudgetModel) -> list[Project]:
    """Projects with a sheet, in ``performance.sheet_order`` first, then in declaration order."""
    with_sheet = [p for p in model.projects if p.performance is not None]
    by_name = {p.name: p for p in with_sheet}
    placed = [name for name in dict.fromkeys(model.performance.sheet_order) if name in by_name]
    first = set(placed)
    return [by_name[name] for name in placed] + [p for p in with_sheet if p.name not in first]


def competent_department(model: BudgetModel) -> str:
    """主管部门及代码 as the sheet prints it: ``{code}-{name}`` of unit.department, or of the unit itself when it
    is its own 主管部门 (no department given)."""
    department = model.unit.department
    if department is not None:
        return f"{department.code}-{department.name}"
    return f"{model.unit.code}-{model.unit.name}"


def derive_sheets(model: BudgetModel, profile: Profile) -> list[Sheet]:
    """Every published performance sheet, in print order."""
    skeleton = profile.performance_sheet.indicators if profile.performance_sheet else {}
    unit = model.unit
    sheets = []
    lines = current_lines_by_project(model)
    for project in sheet_order(model):
        form = project.performance
        assert form is not None
        period, annual = sheet_funds(model, project, lines.get(project.name, ()))
        sheets.append(
            Sheet(
                project=project,
                competent_department=form.competent_department or competent_department(model),
                implementing_unit=form.implementing_unit or project.unit or unit.name,
                period_funds=period,
                annual_funds=annual,
                indicators=indicator_rows(form.indicators, skeleton),
            )
        )
    return sheets
