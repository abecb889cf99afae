"""表间逻辑: consistency rules over the model and its derived tables (DESIGN.md §6).

Every rule yields :class:`Finding` objects with a rule id, a severity, a
message in Chinese and the YAML path of the field concerned (the CLI adds the
file and line).  Errors stop ``build`` (exit 1); warnings are printed, and
``--strict`` turns them into errors.  Each rule carries an example of a
failing model: ``docs/checks.md`` is generated from :data:`RULES`, and the
tests run every example and expect its rule to fire.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from . import money
from .classification import Classification, NameProblem, economic_lineage, function_lineage, resolve_names
from .load import PathElement, SourceMap, format_path
from .model import FISCAL_SOURCES, BudgetModel, ExpenditureKind, FundingSource, UnitType
from .tables import SOURCE_GROUPS, Tables, derive_tables, government_economic_code, unit_counts, unit_types


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


ERROR, WARNING = Severity.ERROR, Severity.WARNING


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
    """A rule's identity and documentation; the checks that apply it are registered in :data:`CHECKS`."""

    id: str
    severity: Severity
    summary: str
    description: str
    example: str  # a complete model (YAML) that fails this rule


RULES: dict[str, Rule] = {}
CHECKS: list[Callable[[BudgetModel, Tables], Iterator[Finding]]] = []

_HEAD = "unit: {name: 示例单位, code: '001', fiscal_year: 2025}\n"


def define(rule_id: str, severity: Severity, summary: str, description: str, example: str) -> None:
    """Register a rule; its example gets a default ``unit:`` unless it starts with its own."""
    RULES[rule_id] = Rule(rule_id, severity, summary, description,
                          example if example.startswith("unit:") else _HEAD + example)


def check(function: Callable[[BudgetModel, Tables], Iterator[Finding]]):
    """Register a check function (it may apply several rules)."""
    CHECKS.append(function)
    return function


def finding(rule_id: str, message: str, *path: PathElement) -> Finding:
    return Finding(rule_id, RULES[rule_id].severity, message, tuple(path))


def _figure(tables: Tables, amount: Decimal) -> str:
    """A figure of the tables checked, with its unit: 887.70万元 (or 1,234.56元 for a form in 元)."""
    scale = tables.scale
    text = money.NumberFormat(scale.unit, scale.places if scale.places is not None else 2, grouping=scale.unit == "元",
                              zero="0").format(amount)
    return f"{text}{scale.unit}"


def _line(fields: str) -> str:
    return f"budget:\n  lines:\n    - {{{fields}}}\n"


BASIC_LINE = "function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 10000"

# --------------------------------------------------------------------------- balance

define("income-equals-expenditure", ERROR, "收入预算等于支出预算",
       "Income is derived from the same lines as spending, so table 1 always balances. When the model also "
       "declares its 收入预算 (budget.income, as the budget system exports it), each source must equal the "
       "derived figure: otherwise income and expenditure disagree.",
       "budget:\n  income: {一般公共预算: 20000}\n  lines:\n    - {" + BASIC_LINE + "}\n")


@check
def check_balance(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    for table in (tables.summary, tables.fiscal_summary):
        income = table.footer_row("收入总计").amount(0)
        spending = table.footer_row("支出总计").amount(0)
        if income != spending:  # a derivation fault, never a model's
            yield finding("income-equals-expenditure",
                          f"预算公开表{table.number}收入总计{_figure(tables, income)}与支出总计{_figure(tables, spending)}不等", "budget", "lines")
    derived = {group.label: row.amount(0) for group, row in zip(SOURCE_GROUPS, tables.summary.income)}
    derived.update((source.value, amount) for source, amount in tables.unit_fund_kinds().items())
    derived["上年结转"] = tables.summary.footer_row("上年结转").amount(0)
    for source, amount in model.budget.income.items():
        declared = tables.context.declared(amount)
        if declared != derived[source]:
            yield finding("income-equals-expenditure",
                          f"申报的{source}收入{_figure(tables, declared)}与按支出预算行计算的{_figure(tables, derived[source])}不等",
                          "budget", "income", source)


# --------------------------------------------------------------------------- codes

define("code-name-conflict", ERROR, "科目名称与所用分类不一致",
       "A code the classification in use knows takes its name from it; a different name given in "
       "budget.function_names / economic_names is an error (the printed name would contradict the 科目).",
       "budget:\n  function_names: {2012902: 行政运行}\n  lines:\n    - {" + BASIC_LINE + "}\n")
define("code-name-missing", ERROR, "分类中没有的科目未给出名称",
       "A code the classification in use does not know (the bundled lists are partial) needs its name in "
       "budget.function_names (any level: 类, 款, 项) or budget.economic_names.",
       _line("function: 2019901, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 10000"))
define("code-unverified", WARNING, "科目不在所用分类中，名称取自模型",
       "A code unknown to the classification, named in the model: printed with that name, but it cannot be "
       "verified. Pass a fuller classification with --classification to verify it.",
       "budget:\n  function_names: {20199: 其他一般公共服务支出, 2019901: 自编项目}\n"
       "  lines:\n    - {function: 2019901, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 10000}\n")
define("class-not-in-summary", WARNING, "功能分类类级科目不在收支总表的30类中",
       "Tables 1 and 4 list the 30 expenditure classes in fixed order; a 类 outside them (a newer edition) is "
       "printed after the thirty, which a reviewer will question.",
       "budget:\n  function_names: {218: 新设类, 21801: 新设款, 2180101: 新设项}\n"
       "  lines:\n    - {function: 2180101, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 10000}\n")


@check
def check_code_names(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    classification = tables.context.classification
    function_codes: dict[str, tuple[PathElement, ...]] = {}
    economic_codes: dict[str, tuple[PathElement, ...]] = {}
    for i, line in enumerate(model.budget.lines):
        for code in function_lineage(line.function):
            function_codes.setdefault(code, ("budget", "lines", i, "function"))
        for code in economic_lineage(line.economic or ""):
            economic_codes.setdefault(code, ("budget", "lines", i, "economic"))
    for code in model.budget.function_names:
        function_codes.setdefault(code, ("budget", "function_names", code))
    for code in model.budget.economic_names:
        economic_codes.setdefault(code, ("budget", "economic_names", code))
    yield from _name_findings(function_codes, model.budget.function_names, "function_names",
                              classification.function, "功能")
    yield from _name_findings(economic_codes, model.budget.economic_names, "economic_names",
                              classification.economic, "经济")


def _name_findings(codes: dict[str, tuple[PathElement, ...]], given, key: str, code_list, what: str) -> Iterator[Finding]:
    _, issues = resolve_names(codes, given, code_list)
    for issue in issues:
        where = ("budget", key, issue.code) if issue.code in given else codes[issue.code]
        if issue.problem is NameProblem.CONTRADICTS_LIST:
            yield finding("code-name-conflict", f"{what}科目{issue.code}的名称应为“{issue.listed_name}”"
                          f"（{code_list.source}），模型中为“{issue.given_name}”", *where)
        elif issue.problem is NameProblem.MISSING:
            yield finding("code-name-missing", f"{what}科目{issue.code}不在所用分类（{code_list.source}）中，"
                          f"请在budget.{key}中给出其名称", *where)
        else:
            yield finding("code-unverified", f"{what}科目{issue.code}“{issue.given_name}”不在所用分类中，"
                          "名称取自模型，无法核对", *where)


@check
def check_summary_classes(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    listed = {c.code for c in tables.context.classification.summary_classes}
    seen: set[str] = set()
    for i, line in enumerate(model.budget.lines):
        lei = line.function[:3]
        if lei not in listed and lei not in seen:
            seen.add(lei)
            yield finding("class-not-in-summary", f"功能分类类级科目{lei}不在收支总表的30个支出类别中，已排在其后",
                          "budget", "lines", i, "function")


# --------------------------------------------------------------------------- lines and projects

define("basic-line-needs-economic-code", ERROR, "一般公共预算基本支出须有经济分类科目",
       "Every 基本支出 line of 一般公共预算 needs its 部门预算经济分类 款 code: table 6 is built from it.",
       _line("function: 2012902, kind: 基本支出, source: 一般公共预算, amount: 10000"))
define("line-project", ERROR, "项目支出须指明已声明的项目，基本支出不得指明项目",
       "A 项目支出 line names a project declared under projects; a 基本支出 line names none.",
       _line("function: 2012902, kind: 项目支出, project: 未声明的项目, source: 一般公共预算, amount: 10000"))
define("duplicate-project", ERROR, "项目名称重复", "Project names identify projects: each is declared once, across "
       "the whole report (in a 部门, two units' projects of one name need names of their own, e.g. with the unit's).",
       "projects:\n  - {name: 甲, category: 特定目标类}\n  - {name: 甲, category: 其他运转类}\n")
define("zero-line", WARNING, "预算行金额为0", "A budget line of amount 0 prints nothing; it is usually a slip.",
       _line("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 0"))
define("project-without-money", WARNING, "已声明的项目没有预算行",
       "A declared project with no line this year or carried over: it prints nowhere except its sheet.",
       "projects:\n  - {name: 甲, category: 特定目标类}\n")
define("sheet-period-funds-derived", WARNING, "多年项目的绩效目标表写明实施期资金",
       "A sheet that declares no funds takes them from this year's lines, for 年度 and 实施期 alike: a project of "
       "several years (period_years 2 to 98; 99 is a 经常性项目's, whose 实施期 is the year) would print one year's "
       "money as its 实施期资金总额. Declare performance.funds.period (and annual).",
       "projects:\n  - name: 甲\n    category: 特定目标类\n    period_years: 3\n    performance: {overview: 甲}\n"
       + _line("function: 2012902, kind: 项目支出, project: 甲, source: 一般公共预算, amount: 10000"))
define("sheet-without-money-this-year", WARNING, "绩效目标表的项目本年没有预算",
       "A project whose sheet derives its funds from the lines but whose lines are all 上年结转: the sheet "
       "prints 0 as its funds, and section 十 does not count the project (it counts table 12's). Declare the "
       "sheet's funds (performance.funds) or leave the form out.",
       "projects:\n  - name: 甲\n    category: 特定目标类\n    performance: {overview: 甲}\n"
       + _line("function: 2012902, kind: 项目支出, project: 甲, source: 一般公共预算, amount: 10000, carry_over: true"))


@check
def check_lines(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    declared = {p.name for p in model.projects}
    for i, line in enumerate(model.budget.lines):
        path = ("budget", "lines", i)
        if line.kind is ExpenditureKind.BASIC and line.source is FundingSource.GENERAL and not line.economic:
            yield finding("basic-line-needs-economic-code",
                          "一般公共预算基本支出须填写部门预算经济分类款级科目（economic），预算公开表6据此编制", *path, "economic")
        if line.kind is ExpenditureKind.PROJECT:
            if not line.project:
                yield finding("line-project", "项目支出须填写所属项目（project）", *path, "project")
            elif line.project not in declared:
                yield finding("line-project", f"项目“{line.project}”未在projects中声明{_did_you_mean(line.project, declared)}",
                              *path, "project")
        elif line.project:
            yield finding("line-project", f"基本支出不应指明项目（“{line.project}”）", *path, "project")
        if line.amount == 0:
            yield finding("zero-line", "预算行金额为0，报表中不显示", *path, "amount")


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    """``（是否为“甲项目”？）`` for the nearest known name, or nothing."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"（是否为“{close[0]}”？）" if close else ""


@check
def check_projects(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    with_lines = {line.project for line in model.budget.lines if line.project}
    this_year = {line.project for line in model.budget.lines if line.project and not line.carry_over}
    for i, project in enumerate(model.projects):
        if project.name in seen:
            also = "；部门内各单位的项目名称也须不同，可加单位名区分" if model.unit.level == "部门" else ""
            yield finding("duplicate-project", f"项目“{project.name}”重复声明（首次见projects[{seen[project.name]}]）{also}",
                          "projects", i, "name")
            continue
        seen[project.name] = i
        if project.name not in with_lines:
            yield finding("project-without-money", f"项目“{project.name}”没有预算行", "projects", i, "name")
        elif project.performance is not None and project.performance.funds is None \
                and 1 < project.period_years < 99 and project.name in this_year:  # 99: 经常性, its 实施期 is the year
            yield finding("sheet-period-funds-derived", f"项目“{project.name}”项目期{project.period_years}年，绩效目标表"
                          "未填资金，实施期资金将按本年预算印出；请填写performance.funds.period", "projects", i, "performance")
        elif project.name not in this_year and project.performance is not None and project.performance.funds is None:
            yield finding("sheet-without-money-this-year", f"项目“{project.name}”只有上年结转资金，绩效目标表资金将按本年"
                          "预算行印为0，十、也不计此项目", "projects", i, "performance")


define("unknown-unit", ERROR, "行或项目所属单位须是本部门所列单位",
       "A line's or project's unit names one of unit.subunits (a 部门 report consolidates those units); a name "
       "that is not there (a typo) would print a unit of its own in table 12 and take the wrong 经济分类 mapping.",
       "unit: {name: 示例部门, code: '001', level: 部门, fiscal_year: 2025, subunits: [甲单位]}\n"
       "projects:\n  - {name: 甲, category: 特定目标类, unit: 乙单位}\n"
       + _line("function: 2012902, kind: 项目支出, project: 甲, source: 一般公共预算, amount: 10000"))
define("duplicate-subunit", ERROR, "部门所列单位不重复",
       "Each unit of a 部门 is listed once in unit.subunits: a second entry would silently replace the first's "
       "type, and with it table 6's 经济分类 mapping.",
       "unit: {name: 示例部门, code: '001', level: 部门, fiscal_year: 2025, subunits: [甲单位, 甲单位]}\n")
define("subunits-in-unit-report", ERROR, "单位预算不列下属单位",
       "unit.subunits are the units a 部门 report consolidates; a 单位 report (unit.level 单位) prints one unit, and "
       "with subunits its table 12 would start with a subunit instead of the unit. Set level: 部门, or drop them.",
       "unit: {name: 示例单位, code: '001', fiscal_year: 2025, subunits: [甲单位]}\n")
define("line-unit-differs", ERROR, "项目支出行的单位与项目一致",
       "A project's lines belong to the project's unit (table 12 and table 6 take the project's); a line that names "
       "another unit contradicts it.",
       "unit: {name: 示例部门, code: '001', level: 部门, fiscal_year: 2025, subunits: [甲单位, 乙单位]}\n"
       "projects:\n  - {name: 甲, category: 特定目标类, unit: 甲单位}\n"
       + _line("function: 2012902, kind: 项目支出, project: 甲, unit: 乙单位, source: 一般公共预算, amount: 10000"))
define("line-unit-missing", WARNING, "部门预算的基本支出行写明所属单位",
       "In a 部门 report a basic line without unit belongs to none of the units it lists: table 6 maps it with the "
       "部门's own type (a school's wages under an 教育局 would map as a 机关's).",
       "unit: {name: 示例部门, code: '001', level: 部门, type: 行政单位, fiscal_year: 2025, "
       "subunits: [{name: 甲学校, type: 事业单位}]}\n" + _line(BASIC_LINE))
define("project-unit-missing", WARNING, "部门预算的项目写明所属单位",
       "In a 部门 report a project without unit is printed under the 部门's own name in tables 12 and 13, which is "
       "none of the units it lists.",
       "unit: {name: 示例部门, code: '001', level: 部门, fiscal_year: 2025, subunits: [甲单位]}\n"
       "projects:\n  - {name: 甲, category: 特定目标类}\n"
       + _line("function: 2012902, kind: 项目支出, project: 甲, unit: 甲单位, source: 一般公共预算, amount: 10000"))


def _known_units(model: BudgetModel) -> set[str]:
    """The units lines and projects may name: the report's unit and those it lists."""
    return {s.name for s in model.unit.subunits} | {model.unit.name}


def _consolidating(model: BudgetModel) -> bool:
    """A 部门 that consolidates the units it lists (not itself among them): its lines and projects name theirs."""
    names = {s.name for s in model.unit.subunits}
    return bool(names) and model.unit.level == "部门" and model.unit.name not in names


@check
def check_subunits(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    names = [s.name for s in model.unit.subunits]
    if names and model.unit.level != "部门":
        yield finding("subunits-in-unit-report", f"单位预算（unit.level为{model.unit.level}）不列下属单位；部门预算请写"
                      "level: 部门", "unit", "subunits")
    for i, name in enumerate(names):
        if name in names[:i]:
            yield finding("duplicate-subunit", f"单位“{name}”重复列出（首次见unit.subunits[{names.index(name)}]）",
                          "unit", "subunits", i)


@check
def check_project_units(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    known, consolidating = _known_units(model), _consolidating(model)
    for i, project in enumerate(model.projects):
        if project.unit and project.unit not in known:
            yield finding("unknown-unit", f"项目“{project.name}”的单位“{project.unit}”不在unit.subunits中"
                          f"{_did_you_mean(project.unit, known)}", "projects", i, "unit")
        if not project.unit and consolidating:
            on_lines = sorted({line.unit for line in model.budget.lines if line.project == project.name and line.unit})
            hint = f"（其预算行写的是{'、'.join(on_lines)}）" if on_lines else ""
            yield finding("project-unit-missing", f"项目“{project.name}”未写所属单位（unit），表12将列在部门名下{hint}",
                          "projects", i, "name")


@check
def check_line_units(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    known, consolidating = _known_units(model), _consolidating(model)
    declared = Counter(p.name for p in model.projects)
    units_of = {p.name: p.unit for p in model.projects if declared[p.name] == 1}  # twice: duplicate-project's
    for i, line in enumerate(model.budget.lines):
        if consolidating and not line.unit and not line.project:
            yield finding("line-unit-missing", "部门预算的预算行未写所属单位（unit），预算公开表6按部门的类型对应政府经济分类",
                          "budget", "lines", i)
        if line.unit and line.unit not in known:
            yield finding("unknown-unit", f"预算行的单位“{line.unit}”不在unit.subunits中{_did_you_mean(line.unit, known)}",
                          "budget", "lines", i, "unit")
        elif line.unit and line.project and units_of.get(line.project) and line.unit != units_of[line.project]:
            yield finding("line-unit-differs", f"预算行的单位“{line.unit}”与项目“{line.project}”的单位"
                          f"“{units_of[line.project]}”不同", "budget", "lines", i, "unit")


define("economic-code-unmapped", ERROR, "部门经济分类科目须有对应的政府经济分类科目",
       "Table 6 prints each 部门预算经济分类 款 with the 政府预算经济分类 款 it maps to for the unit's type "
       "(机关 or 事业单位). A code the mapping in use does not cover (a code of a newer edition, from "
       "--economic-classification or budget.economic_names) needs its 政府经济分类 in budget.government_economic; "
       "the table never prints an empty cell.",
       "budget:\n  economic_names: {30250: 自编科目}\n"
       + "  lines:\n    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30250, amount: 10000}\n")
define("unit-type-missing", WARNING, "未填写单位类型",
       "unit.type (行政单位, 参照公务员法管理事业单位 or 事业单位) decides table 6's 政府预算经济分类: a 事业单位's "
       "wages are 50501, a 机关's 50101. Without it the 机关 mapping is used; say the type to be sure.",
       _line(BASIC_LINE))
define("subunit-type-inherited", WARNING, "部门所列单位未填类型",
       "A unit of a 部门 listed without its type takes the 部门's for table 6's 政府预算经济分类 — a school listed "
       "by name under an 教育局 (行政单位) would map its wages as a 机关's. Give each unit's type.",
       "unit: {name: 示例部门, code: '001', level: 部门, type: 行政单位, fiscal_year: 2025, subunits: [甲学校]}\n"
       + _line("function: 2050201, kind: 基本支出, source: 一般公共预算, economic: 30101, unit: 甲学校, amount: 10000"))


@check
def check_economic_mapping(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    ctx = tables.context
    types = unit_types(model)
    needs_type = False
    for i, line in enumerate(model.budget.lines):
        if not (line.economic and line.kind is ExpenditureKind.BASIC and line.source is FundingSource.GENERAL
                and not line.carry_over):
            continue
        unit = line.unit
        needs_type = needs_type or types.get(unit, model.unit.type) is None
        if government_economic_code(model, ctx.classification, line.economic, unit, types) is None:
            side = (types.get(unit, model.unit.type) or UnitType.ADMINISTRATIVE).economic_side
            yield finding("economic-code-unmapped",
                          f"部门经济分类科目{line.economic}没有对应的政府预算经济分类科目（{side}），"
                          "请在budget.government_economic中给出，如“50299 其他商品和服务支出”",
                          "budget", "lines", i, "economic")
    if needs_type:
        yield finding("unit-type-missing", "未填写单位类型（行政单位、参照公务员法管理事业单位或事业单位），"
                      "预算公开表6按机关口径对应政府预算经济分类", "unit", "type")
    if model.unit.type is not None:
        mapped = {line.unit for line in model.budget.lines
                  if line.economic and line.kind is ExpenditureKind.BASIC and line.source is FundingSource.GENERAL}
        for i, sub in enumerate(model.unit.subunits):
            if sub.type is None and sub.name in mapped:
                yield finding("subunit-type-inherited", f"单位“{sub.name}”未填类型，预算公开表6按部门的类型"
                              f"（{model.unit.type.value}）对应政府预算经济分类", "unit", "subunits", i)


# --------------------------------------------------------------------------- performance sheets

define("sheet-funds-match-lines", ERROR, "绩效目标表资金与项目预算一致",
       "A performance sheet that declares its funds must total exactly the project's lines of this year "
       "(in 元); leave funds out to have them derived from the lines.",
       "projects:\n  - name: 甲\n    category: 特定目标类\n    performance: {funds: {period: {local: 9000}}}\n"
       + "budget:\n  lines:\n    - {function: 2012902, kind: 项目支出, project: 甲, source: 一般公共预算, amount: 10000}\n")
define("project-without-sheet", WARNING, "项目没有绩效目标表",
       "Every project with money this year is expected to publish its 绩效目标表 (十、绩效管理情况).",
       "projects:\n  - {name: 甲, category: 特定目标类}\n"
       + "budget:\n  lines:\n    - {function: 2012902, kind: 项目支出, project: 甲, source: 一般公共预算, amount: 10000}\n")
define("sheet-order-unknown", ERROR, "绩效目标表排序中的项目不存在",
       "performance.sheet_order names projects with a performance sheet; a name that is not one of them "
       "(a typo) would silently change the order.",
       "performance: {sheet_order: [不存在的项目]}\n")
define("sheet-without-indicators", WARNING, "绩效目标表没有产出指标",
       "A published sheet with no 产出指标 at all: the form would print only empty rows.",
       "projects:\n  - {name: 甲, category: 特定目标类, performance: {overview: 概况}}\n"
       + "budget:\n  lines:\n    - {function: 2012902, kind: 项目支出, project: 甲, source: 一般公共预算, amount: 10000}\n")


@check
def check_sheets(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    with_sheet = {p.name for p in model.projects if p.performance is not None}
    for i, name in enumerate(model.performance.sheet_order):
        if name not in with_sheet:
            yield finding("sheet-order-unknown", f"“{name}”不是有绩效目标表的项目", "performance", "sheet_order", i)
    for i, project in enumerate(model.projects):
        sheet = project.performance
        this_year = tables.context.project_yuan(project.name)
        if sheet is None:
            if this_year > 0:
                yield finding("project-without-sheet", f"项目“{project.name}”未填绩效目标表", "projects", i)
            continue
        if not any(sheet.indicators.get("产出指标", {}).values()):
            yield finding("sheet-without-indicators", f"项目“{project.name}”的绩效目标表没有产出指标",
                          "projects", i, "performance", "indicators")
        if sheet.funds is not None:
            annual = sheet.funds.annual or sheet.funds.period
            declared = model.yuan(annual.total)
            if declared != this_year:
                yield finding("sheet-funds-match-lines", f"项目“{project.name}”绩效目标表年度资金{money.yuan(declared)}元"
                              f"与其本年预算{money.yuan(this_year)}元不一致", "projects", i, "performance", "funds")


# --------------------------------------------------------------------------- declared figures

THREE_PUBLIC_ECONOMIC = {
    "outbound_travel": ("30212",),
    "official_reception": ("30217",),
    "vehicle_operation": ("30231",),
    "vehicle_purchase": ("30913", "31013"),
}

define("three-public-matches-lines", ERROR, "“三公”经费与经济分类科目一致",
       "Where the lines carry 三公 economic codes (30212 因公出国（境）费用, 30217 公务接待费, 30231 公务用车运行"
       "维护费, 30913/31013 公务用车购置), the declared figure of that item and fiscal source must equal them.",
       "three_public:\n  一般公共预算: {official_reception: 5000}\n"
       + _line("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30217, amount: 8000"))
define("operating-costs-within-public-spending", ERROR, "机关运行经费不超过行政单位和参公事业单位的公用经费",
       "机关运行经费 is the 公用经费 of 基本支出 that 行政单位 and 参公事业单位 pay from 财政拨款 (glossary 四): "
       "where table 6 has 公用经费, the declared 一般公共预算 机关运行经费 cannot exceed theirs — a 事业单位's "
       "公用经费 does not count (a unit of no given type counts, as table 6 maps it as 机关).",
       "operating_costs: {一般公共预算: 50000}\n"
       + _line("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30201, amount: 10000"))
define("operating-costs-declared", WARNING, "行政单位和参公事业单位申报机关运行经费",
       "机关运行经费 is the 公用经费 of 行政单位 and 参公事业单位 (glossary 四): where the report has such a unit "
       "and table 6 has 一般公共预算 公用经费 but nothing is declared, table 11 and section 八 would give 0 "
       "while table 6 shows it. Declare operating_costs (or give the unit's type, if it is a 事业单位).",
       "unit: {name: 示例单位, code: '001', fiscal_year: 2025, type: 行政单位}\n"
       + _line("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30201, amount: 10000"))
define("declared-without-lines", WARNING, "申报的“三公”经费或机关运行经费没有对应的财政拨款",
       "三公 or 机关运行经费 declared for a fiscal source that has no money in the budget lines.",
       "operating_costs: {政府性基金预算: 10000}\n" + _line(BASIC_LINE))
define("fund-income-matches-spending", WARNING, "政府性基金收入与支出一致",
       "Table 7's declared 政府性基金预算收入 should equal table 8's 合计 (this year's 政府性基金 spending); "
       "likewise table 9's two sides for 国有资本经营预算.",
       "fund_income:\n  - {code: 1030148, name: 国有土地使用权出让收入, amount: 20000}\n"
       + _line("function: 2120102, kind: 项目支出, project: 甲, source: 政府性基金预算, amount: 10000")
       + "projects:\n  - {name: 甲, category: 特定目标类}\n")
define("procurement-within-budget", ERROR, "政府采购预算不超过支出总计",
       "政府采购预算 (九、) is part of the year's spending: it cannot exceed table 1's 支出总计.",
       "procurement: {goods: 50000}\n" + _line(BASIC_LINE))


@check
def check_three_public(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    for source in FISCAL_SOURCES:
        declared = model.three_public.get(source.value)  # type: ignore[call-overload]
        for item, codes in THREE_PUBLIC_ECONOMIC.items():
            coded = money.total(model.yuan(line.amount) for line in model.budget.lines
                                if line.source is source and not line.carry_over and line.economic in codes)
            stated = model.yuan(getattr(declared, item)) if declared is not None else Decimal(0)
            if coded and stated != coded:
                yield finding("three-public-matches-lines",
                              f"{source.value}“三公”经费{item}申报{money.yuan(stated)}元，经济分类科目{'/'.join(codes)}"
                              f"合计{money.yuan(coded)}元", "three_public", source.value, item)


@check
def check_operating_costs(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    declared = model.operating_costs.get("一般公共预算")
    public = tables.basic_by_economic.total("public")
    if declared is None or not public:  # table 6 has no 公用经费 to judge by
        return
    printed, organs = tables.context.declared(declared), tables.organs_public_spending
    if printed > organs:
        whose = "" if organs == public else f"（事业单位的{_figure(tables, public - organs)}不计入）"
        yield finding("operating-costs-within-public-spending",
                      f"机关运行经费{_figure(tables, printed)}超过行政单位和参公事业单位的一般公共预算基本支出公用经费"
                      f"{_figure(tables, organs)}{whose}", "operating_costs", "一般公共预算")


@check
def check_operating_costs_declared(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    if any(model.operating_costs.values()):
        return
    organs = tables.organs_public_spending
    counts = unit_counts(model)
    if organs and counts["administrative"] + counts["civil_service_institutions"]:
        yield finding("operating-costs-declared",
                      f"行政单位和参公事业单位的一般公共预算基本支出公用经费{_figure(tables, organs)}，但未申报机关运行经费"
                      "（它们的公用经费即机关运行经费），表11和八、将把机关运行经费写作0", "operating_costs")


@check
def check_declared_sources_have_lines(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    funded = {line.source.value for line in model.budget.lines if line.amount}
    for source, costs in model.three_public.items():
        if any(costs.model_dump().values()) and source not in funded:
            yield finding("declared-without-lines", f"{source}没有预算行，却申报了“三公”经费", "three_public", source)
    for source, amount in model.operating_costs.items():
        if amount and source not in funded:
            yield finding("declared-without-lines", f"{source}没有预算行，却申报了机关运行经费", "operating_costs", source)


@check
def check_income_tables_match_spending(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    fund_spending = tables.fund_expenditure.total("total")
    fund_income = tables.fund_income.total("amount")
    if (model.fund_income or fund_spending) and fund_income != fund_spending:
        yield finding("fund-income-matches-spending",
                      f"政府性基金预算收入{_figure(tables, fund_income)}与本年政府性基金支出{_figure(tables, fund_spending)}不等", "fund_income")
    capital = tables.state_capital
    capital_income, capital_spending = capital.income[0].amount(0), capital.expenditure[0].amount(0)
    if (model.state_capital_income or capital_spending) and capital_income != capital_spending:
        yield finding("fund-income-matches-spending",
                      f"国有资本经营预算收入{_figure(tables, capital_income)}与本年国有资本经营预算支出{_figure(tables, capital_spending)}不等",
                      "state_capital_income")


@check
def check_procurement(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    procurement, budget = tables.procurement.total, tables.summary.footer_row("支出总计").amount(0)
    if procurement > budget:
        yield finding("procurement-within-budget", f"政府采购预算{_figure(tables, procurement)}超过支出总计{_figure(tables, budget)}",
                      "procurement")


# --------------------------------------------------------------------------- assets

define("vehicle-costs-without-vehicles", WARNING, "有公务用车运行维护费但无公务用车",
       "公务用车运行维护费 budgeted (table 10) while 十一 reports no vehicle held.",
       "three_public:\n  一般公共预算: {vehicle_operation: 10000}\n"
       + _line("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30231, amount: 10000"))
define("vehicles-add-up", WARNING, "公务用车分类合计与实有数一致",
       "十一's vehicles by kind should add up to the vehicles held (实有), and 实有 should not exceed 编制.",
       "assets: {vehicles: {establishment: 2, actual: 3, leadership: 1}}\n")
define("equipment-counts", ERROR, "100万元以上设备数不超过50万元以上设备数",
       "Equipment over 100万元 is also over 50万元: its count cannot be larger.",
       "assets: {equipment_over_500k: 1, equipment_over_1m: 2}\n")


@check
def check_assets(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    operation = tables.three_public.find(label="②公务用车运行维护费")
    vehicles = model.assets.vehicles
    if operation is not None and operation.amount(0) and vehicles.actual == 0:
        yield finding("vehicle-costs-without-vehicles",
                      f"安排公务用车运行维护费{_figure(tables, operation.amount(0))}，但实有公务用车为0辆", "assets", "vehicles", "actual")
    kinds = vehicles.total
    if kinds != vehicles.actual:
        yield finding("vehicles-add-up", f"各类公务用车合计{kinds}辆，与实有{vehicles.actual}辆不等", "assets", "vehicles")
    if vehicles.actual > vehicles.establishment:
        yield finding("vehicles-add-up", f"实有公务用车{vehicles.actual}辆超过编制{vehicles.establishment}辆",
                      "assets", "vehicles", "actual")
    if model.assets.equipment_over_1m > model.assets.equipment_over_500k:
        yield finding("equipment-counts", "100万元以上通用设备数多于50万元以上通用设备数", "assets", "equipment_over_1m")


# --------------------------------------------------------------------------- last year, rounding

define("change-needs-reason", WARNING, "较上年变动超过30%须说明原因",
       "A change on last year above 30% (either way), or from zero, with no reason text: a reviewer asks why.",
       "last_year: {total: {amount: 5000}}\n" + _line(BASIC_LINE))
define("rounding-difference", WARNING, "尾差：表中合计与精确金额四舍五入不同",
       "Each printed figure is a sum of lines rounded once; where a printed total differs from the exact total "
       "rounded (尾差), the finding says which table and by how much.",
       "budget:\n  lines:\n"
       + "".join(f"    - {{function: 2012902, kind: 基本支出, source: 一般公共预算, economic: {c}, amount: 33.33}}\n"
                 for c in (30101, 30102, 30103)))


@check
def check_change_reasons(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
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
        last = tables.context.declared(comparison.amount)
        rate = money.change_rate(current, last)
        if (rate is not None and abs(rate) > 30) or (rate is None and current):
            change = money.percent(rate) if rate is not None else "（上年为0）"
            yield finding("change-needs-reason",
                          f"较上年{'增加' if current >= last else '减少'}{change}，未说明原因（reason）", "last_year", key)


@check
def check_rounding(model: BudgetModel, tables: Tables) -> Iterator[Finding]:
    exact = tables.scale.of(money.total(model.yuan(line.amount) for line in model.budget.lines))
    printed = tables.summary.footer_row("支出总计").amount(0)
    if exact != printed:
        yield finding("rounding-difference", f"预算公开表1支出总计按行加总为{_figure(tables, printed)}，精确金额四舍五入为"
                      f"{_figure(tables, exact)}，尾差{_figure(tables, printed - exact)}", "budget", "lines")
    project_rows = {row.label: row for row in tables.projects_current.rows if row.level == 2}
    for i, project in enumerate(model.projects):
        row = project_rows.get(project.name)
        if row is None:
            continue
        exact_project = tables.scale.of(tables.context.project_yuan(project.name))
        if row.amount(0) != exact_project:
            yield finding("rounding-difference", f"预算公开表12项目“{project.name}”为{_figure(tables, row.amount(0))}，"
                          f"精确金额四舍五入为{_figure(tables, exact_project)}", "projects", i)


# --------------------------------------------------------------------------- running


def run_checks(model: BudgetModel, tables: Tables | None = None, classification: Classification | None = None) -> list[Finding]:
    """All findings for ``model``: errors first, then warnings, each in rule and file order."""
    tables = tables or derive_tables(model, classification)
    findings = [f for check_function in CHECKS for f in check_function(model, tables)]
    return sorted(findings, key=lambda f: 0 if f.is_error else 1)


def has_errors(findings: Sequence[Finding], *, strict: bool = False) -> bool:
    return any(f.is_error or strict for f in findings)


def finding_lines(findings: Sequence[Finding], source: SourceMap | None, *, strict: bool = False) -> list[str]:
    """The findings as printed: ``error: unit.yaml:4 budget.lines[0].project: [line-project] …``."""
    lines = []
    for finding in findings:
        where = source.where(finding.path) if source is not None else ""
        label = "error" if finding.is_error or strict else "warning"
        lines.append(f"{label}: {finding.describe(where)}")
    return lines
