"""表间逻辑: consistency rules over the model and its derived tables (DESIGN.md §6).

Every rule yields :class:`Finding` objects with a rule id, a severity, a
message in Chinese and the YAML path of the field concerned (the CLI adds the
file and line).  Errors stop ``build``; warnings are printed (``--strict``
turns them into errors).  ``docs/checks.md`` lists every rule with an example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from . import money
from .classification import (
    Classification,
    NameProblem,
    economic_lineage,
    function_lineage,
    resolve_names,
)
from .load import PathElement, format_path
from .model import BudgetModel, ExpenditureKind, FundingSource
from .tables import Table, Tables, derive_tables


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    path: tuple[PathElement, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def describe(self, where: str = "") -> str:
        location = f"{where} " if where else ""
        field = f"{format_path(self.path)}: " if self.path else ""
        return f"{location}{field}[{self.rule}] {self.message}"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    check: Callable[[BudgetModel, Tables], Iterator[Finding]]


RULES: list[Rule] = []


def rule(rule_id: str, severity: Severity, summary: str):
    """Register a check function as a rule (its docstring is the rule's description in docs/checks.md)."""

    def register(function: Callable[[BudgetModel, Tables], Iterator[Finding]]):
        RULES.append(Rule(rule_id, severity, summary, function))
        return function

    return register


def _finding(rule_id: str, message: str, *path: PathElement) -> Finding:
    severity = next(r.severity for r in RULES if r.id == rule_id)
    return Finding(rule_id, severity, message, tuple(path))


ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _wan(amount: Decimal) -> str:
    return f"{money.wan(amount)}万元"


# --------------------------------------------------------------------------- balance


@rule("income-equals-expenditure", ERROR, "收入总计等于支出总计（含年终结转）")
def check_balance(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """Table 1: 收入总计 must equal 支出总计, and table 4 likewise for 财政拨款."""
    for table in (tables.summary, tables.fiscal_summary):
        income = table.footer_row("收入总计").amount(0)
        spending = table.footer_row("支出总计").amount(0)
        if income != spending:
            yield _finding(
                "income-equals-expenditure",
                f"预算公开表{table.number}收入总计{_wan(income)}与支出总计{_wan(spending)}不等",
                "budget",
                "lines",
            )


# --------------------------------------------------------------------------- codes


def _name_findings(
    codes_by_path: dict[str, tuple[PathElement, ...]],
    given: dict[str, str],
    given_path: tuple[PathElement, ...],
    code_list,
    what: str,
) -> Iterator[Finding]:
    _, issues = resolve_names(codes_by_path, given, code_list)
    for issue in issues:
        where = (*given_path, issue.code) if issue.code in given else codes_by_path[issue.code]
        if issue.problem is NameProblem.CONTRADICTS_LIST:
            yield _finding(
                "code-name-conflict",
                f"{what}科目{issue.code}的名称应为“{issue.listed_name}”（{code_list.source}），模型中为“{issue.given_name}”",
                *where,
            )
        elif issue.problem is NameProblem.MISSING:
            yield _finding(
                "code-name-missing",
                f"{what}科目{issue.code}不在所用分类（{code_list.source}）中，请在模型中给出其名称",
                *where,
            )
        else:
            yield _finding(
                "code-unverified",
                f"{what}科目{issue.code}“{issue.given_name}”不在所用分类中，名称取自模型，无法核对",
                *where,
            )


@rule("code-name-conflict", ERROR, "模型给出的科目名称与分类不一致")
def check_code_names(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """A code the classification in use knows takes its name from it; a different name in the model is an
    error, a code it does not know needs a name in the model (``code-name-missing``) and is reported as
    unverifiable (``code-unverified``)."""
    classification = tables.context.classification
    function_codes: dict[str, tuple[PathElement, ...]] = {}
    economic_codes: dict[str, tuple[PathElement, ...]] = {}
    for i, line in enumerate(model.budget.lines):
        for code in function_lineage(line.function):
            function_codes.setdefault(code, ("budget", "lines", i, "function"))
        if line.economic:
            for code in economic_lineage(line.economic):
                economic_codes.setdefault(code, ("budget", "lines", i, "economic"))
    for code in model.budget.function_names:
        function_codes.setdefault(code, ("budget", "function_names", code))
    for code in model.budget.economic_names:
        economic_codes.setdefault(code, ("budget", "economic_names", code))
    yield from _name_findings(
        function_codes, dict(model.budget.function_names), ("budget", "function_names"), classification.function, "功能"
    )
    yield from _name_findings(
        economic_codes, dict(model.budget.economic_names), ("budget", "economic_names"), classification.economic, "经济"
    )


rule("code-name-missing", ERROR, "分类中没有的科目未给出名称")(lambda m, t: iter(()))
rule("code-unverified", WARNING, "科目不在所用分类中，名称取自模型")(lambda m, t: iter(()))


@rule("class-not-in-summary", WARNING, "功能分类类级科目不在收支总表的30类中")
def check_summary_classes(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """Tables 1 and 4 list the 30 expenditure classes in fixed order; a 类 outside them is printed after
    the thirty, which a reviewer will question."""
    listed = {c.code for c in tables.context.classification.summary_classes}
    seen: set[str] = set()
    for i, line in enumerate(model.budget.lines):
        lei = line.function[:3]
        if lei not in listed and lei not in seen:
            seen.add(lei)
            yield _finding(
                "class-not-in-summary",
                f"功能分类类级科目{lei}不在收支总表的30个支出类别中，已排在其后",
                "budget", "lines", i, "function",
            )


# --------------------------------------------------------------------------- lines and projects


@rule("basic-line-needs-economic-code", ERROR, "一般公共预算基本支出须有经济分类科目")
def check_economic_codes(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """Every 基本支出 line of 一般公共预算 needs its 部门预算经济分类 款 code: table 6 is built from it."""
    for i, line in enumerate(model.budget.lines):
        if line.kind is ExpenditureKind.BASIC and line.source is FundingSource.GENERAL and not line.economic:
            yield _finding(
                "basic-line-needs-economic-code",
                "一般公共预算基本支出须填写部门预算经济分类款级科目（economic），预算公开表6据此编制",
                "budget", "lines", i, "economic",
            )


@rule("line-project", ERROR, "项目支出须指明已声明的项目，基本支出不得指明项目")
def check_line_projects(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """A 项目支出 line names a project declared under ``projects``; a 基本支出 line names none."""
    declared = {p.name for p in model.projects}
    for i, line in enumerate(model.budget.lines):
        if line.kind is ExpenditureKind.PROJECT:
            if not line.project:
                yield _finding("line-project", "项目支出须填写所属项目（project）", "budget", "lines", i, "project")
            elif line.project not in declared:
                yield _finding(
                    "line-project",
                    f"项目“{line.project}”未在projects中声明",
                    "budget", "lines", i, "project",
                )
        elif line.project:
            yield _finding(
                "line-project", f"基本支出不应指明项目（“{line.project}”）", "budget", "lines", i, "project"
            )


@rule("duplicate-project", ERROR, "项目名称重复")
def check_duplicate_projects(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """Project names identify projects: each is declared once."""
    seen: dict[str, int] = {}
    for i, project in enumerate(model.projects):
        if project.name in seen:
            yield _finding(
                "duplicate-project",
                f"项目“{project.name}”重复声明（首次见projects[{seen[project.name]}]）",
                "projects", i, "name",
            )
        else:
            seen[project.name] = i


def project_line_total(model: BudgetModel, name: str, *, carry_over: bool = False) -> Decimal:
    """Exact 元 total of a project's lines of this year (or of 上年结转)."""
    return money.total(
        model.yuan(line.amount)
        for line in model.budget.lines
        if line.project == name and line.carry_over == carry_over
    )


@rule("sheet-funds-match-lines", ERROR, "绩效目标表资金与项目预算一致")
def check_sheet_funds(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """A performance sheet that declares its 年度资金 must total exactly the project's lines of this year."""
    for i, project in enumerate(model.projects):
        sheet = project.performance
        if sheet is None or sheet.funds is None:
            continue
        annual = sheet.funds.annual or sheet.funds.period
        declared = model.yuan(annual.total)
        lines = project_line_total(model, project.name)
        if declared != lines:
            yield _finding(
                "sheet-funds-match-lines",
                f"项目“{project.name}”绩效目标表年度资金{money.yuan(declared)}元与其预算{money.yuan(lines)}元不一致",
                "projects", i, "performance", "funds",
            )


@rule("project-without-sheet", WARNING, "项目没有绩效目标表")
def check_projects_have_sheets(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """Every project with money this year is expected to publish its 绩效目标表."""
    for i, project in enumerate(model.projects):
        if project.performance is None and project_line_total(model, project.name) > 0:
            yield _finding("project-without-sheet", f"项目“{project.name}”未填绩效目标表", "projects", i)


# --------------------------------------------------------------------------- declared figures


THREE_PUBLIC_ECONOMIC = {
    "outbound_travel": ("30212",),
    "official_reception": ("30217",),
    "vehicle_operation": ("30231",),
    "vehicle_purchase": ("30913", "31013"),
}


@rule("three-public-matches-lines", ERROR, "“三公”经费与经济分类科目一致")
def check_three_public(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """Where the lines carry 三公 economic codes (30212, 30217, 30231, 30913/31013), the declared
    figure of that item and fiscal source must equal them."""
    for source, item_codes in ((s.value, THREE_PUBLIC_ECONOMIC) for s in (FundingSource.GENERAL, FundingSource.FUND, FundingSource.STATE_CAPITAL)):
        declared = model.three_public.get(source)  # type: ignore[call-overload]
        for item, codes in item_codes.items():
            coded = money.total(
                model.yuan(line.amount)
                for line in model.budget.lines
                if line.source.value == source and not line.carry_over and line.economic in codes
            )
            stated = model.yuan(getattr(declared, item)) if declared is not None else Decimal(0)
            if coded and stated != coded:
                yield _finding(
                    "three-public-matches-lines",
                    f"{source}“三公”经费{item}申报{money.yuan(stated)}元，经济分类科目{'/'.join(codes)}合计{money.yuan(coded)}元",
                    "three_public", source, item,
                )


@rule("operating-costs-match-table-6", ERROR, "机关运行经费与基本支出公用经费一致")
def check_operating_costs(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """机关运行经费 is the 公用经费 of 基本支出 paid from 财政拨款: where table 6 has 公用经费 and an
    amount is declared, 机关运行经费 (一般公共预算) must not exceed it."""
    declared = model.operating_costs.get("一般公共预算")
    public = tables.basic_by_economic.total("public")
    if declared is not None and public and money.yuan_to_wan(model.yuan(declared)) > public:
        yield _finding(
            "operating-costs-match-table-6",
            f"机关运行经费{_wan(money.yuan_to_wan(model.yuan(declared)))}超过一般公共预算基本支出公用经费{_wan(public)}",
            "operating_costs", "一般公共预算",
        )


@rule("vehicle-costs-without-vehicles", WARNING, "有公务用车经费但无公务用车")
def check_vehicles(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """公务用车运行维护费 budgeted while 十一 reports no vehicle held."""
    operation = tables.three_public.find(label="②公务用车运行维护费")
    if operation is not None and operation.amount(0) and model.assets.vehicles.actual == 0:
        yield _finding(
            "vehicle-costs-without-vehicles",
            f"安排公务用车运行维护费{_wan(operation.amount(0))}，但实有公务用车为0辆",
            "assets", "vehicles", "actual",
        )


@rule("change-needs-reason", WARNING, "较上年变动超过30%须说明原因")
def check_change_reasons(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """A change on last year above 30% (either way) with no reason text."""
    this_year = {
        "total": tables.summary.footer_row("收入总计").amount(0),
        "general_public_current": tables.general_public.total("total"),
        "three_public": tables.three_public.total("total"),
        "operating_costs": tables.operating_costs.total("total"),
    }
    for key, current in this_year.items():
        comparison = getattr(model.last_year, key)
        if comparison is None or comparison.reason:
            continue
        last = money.yuan_to_wan(model.yuan(comparison.amount))
        rate = money.change_rate(current, last)
        if (rate is not None and abs(rate) > 30) or (rate is None and current):
            yield _finding(
                "change-needs-reason",
                f"较上年{'增加' if current >= last else '减少'}{money.percent(rate) if rate is not None else ''}，未说明原因（reason）",
                "last_year", key,
            )


# --------------------------------------------------------------------------- rounding


def _exact_total_wan(model: BudgetModel) -> Decimal:
    return money.yuan_to_wan(money.total(model.yuan(line.amount) for line in model.budget.lines))


@rule("rounding-difference", WARNING, "尾差：表中合计与精确金额四舍五入不同")
def check_rounding(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    """Each printed figure is a sum of lines rounded once; where a printed total differs from the exact
    total rounded (尾差), say which table and by how much."""
    exact = _exact_total_wan(model)
    printed = tables.summary.footer_row("支出总计").amount(0)
    if exact != printed:
        yield _finding(
            "rounding-difference",
            f"收支总计按行加总为{_wan(printed)}，精确金额四舍五入为{_wan(exact)}，尾差{money.wan(printed - exact)}万元",
            "budget", "lines",
        )
    for i, project in enumerate(model.projects):
        row = tables.projects_current.find(label=project.name)
        if row is None or row.is_total:
            continue
        exact_project = money.yuan_to_wan(project_line_total(model, project.name))
        if row.amount(0) != exact_project:
            yield _finding(
                "rounding-difference",
                f"预算公开表12项目“{project.name}”为{_wan(row.amount(0))}，精确金额四舍五入为{_wan(exact_project)}",
                "projects", i,
            )


# --------------------------------------------------------------------------- running


def run_checks(model: BudgetModel, tables: Tables | None = None, classification: Classification | None = None) -> list[Finding]:
    """All findings for ``model``, errors first, each rule's findings in file order."""
    tables = tables or derive_tables(model, classification)
    findings = [f for r in RULES for f in r.check(model, tables)]
    return sorted(findings, key=lambda f: 0 if f.is_error else 1)


def has_errors(findings: Sequence[Finding], *, strict: bool = False) -> bool:
    return any(f.is_error or strict for f in findings)


_ = Table  # re-exported type for rule authors
