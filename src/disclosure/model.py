"""The budget model: every fact a 预算公开报告 is derived from (DESIGN.md §2, §3).

One YAML (or JSON) file describes one unit's budget for one year.  The atomic
fact is a :class:`BudgetLine`; every table and sentence of the report is
derived from the lines and the few declared figures below (三公, 机关运行经费,
政府采购, last year's figures, state assets).  Field descriptions are the model
reference (``docs/model-reference.md`` and ``schemas/budget-model.schema.json``
are generated from them).

Conventions:

* Amounts are exact decimals in ``unit.amount_unit`` (元 or 万元), at most two
  decimal places, never negative.  Write them unquoted (``3097016.27``) or
  quoted; they are never read as binary floats.  An amount is read as it looks:
  plain digits and a point (thousands may be grouped ``'1,234,567.89'`` in a
  string); YAML 1.1's other number forms (``0100000``, ``1:20``, ``1_000``,
  ``0x10``, ``+5``, ``1e3``) are errors, never silently converted.
* Codes are 政府收支分类科目 codes written as digits: 支出功能分类 项 (7 digits),
  部门预算经济分类 款 (5 digits), income codes as printed; their digits are kept
  as written (``001`` stays ``001``).
* Every object rejects unknown keys, so a misspelt key is an error, not a
  silently ignored fact.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from . import money

# --------------------------------------------------------------------------- scalar types

MAX_DECIMAL_PLACES = 2
#: No budget reaches 10^15 (元 or 万元); the bound keeps every sum exact in Decimal's 28 digits.
MAX_AMOUNT = Decimal(10) ** 15


#: An amount as written: digits without a leading zero (thousands may be grouped ``1,234,567`` in a
#: string), then at most one point with digits after it.  ASCII digits only.
_PLAIN_DECIMAL = re.compile(r"(0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)(\.[0-9]+)?", re.ASCII)
#: A whole number as written (a year, a count): digits without a leading zero.
_WHOLE_NUMBER = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_NOT_FINITE = {".nan": "NaN", "nan": "NaN", ".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity",
               "inf": "Infinity", "infinity": "Infinity", "-inf": "-Infinity"}


def _written(value: Any) -> str:
    """How a value reads in YAML, for a message (``true``, not ``True`` or ``1``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null (no value)"
    return str(value)


def _why_not_plain(text: str) -> str:
    """What a number written other than as a plain decimal would have meant, for the message."""
    digits = text.lstrip("+-")
    if "_" in text:
        return "; write it without _ (YAML 1.1 reads 1_000 as 1000, other programs as text)"
    if re.fullmatch(r"0[0-7]+", digits):
        return f"; a number has no leading zero (YAML 1.1 reads {digits} as the octal number {int(digits, 8)})"
    if re.fullmatch(r"0[0-9]+(\.[0-9]*)?", digits):
        return "; a number has no leading zero"
    if re.fullmatch(r"0[xXoObB][0-9a-fA-F]+", digits):
        return "; hexadecimal, octal and binary numbers are not accepted"
    if re.fullmatch(r"[0-9]+(:[0-9]+)+", digits):
        base60 = 0
        for part in digits.split(":"):
            base60 = base60 * 60 + int(part)
        return f"; YAML 1.1 reads {digits} as the base-60 number {base60}: write the number in digits"
    if re.search(r"[0-9][eE]", text):
        return "; write the number out in digits, without an exponent"
    if text.startswith("+"):
        return "; write it without +"
    if digits.startswith(".") or digits.endswith("."):
        return "; write digits on both sides of the point (0.5, 5.0)"
    if "," in text:
        return "; thousands separators must group by three digits (1,234,567.89)"
    return ""


def _parse_money(value: Any) -> Decimal:
    """Accept an exact amount: int, Decimal or its written text; refuse floats, NaN, ∞, negatives.

    Text (a YAML number is kept as written, see :mod:`disclosure.load`) must be a plain decimal:
    ``1234567.89``, or grouped by thousands in a string, ``'1,234,567.89'``.  Leading zeros
    (``0100000``), signs (``+5``), exponents (``1e3``), underscores (``1_000``), base-60 (``1:20``) and
    other bases (``0x10``) are refused, so a figure is never read other than as it looks.
    """
    if isinstance(value, bool) or value is None:
        raise PydanticCustomError("money_type", "expected an exact decimal amount, got {value}",
                                  {"value": _written(value)})
    if isinstance(value, float):
        raise PydanticCustomError(
            "money_float",
            "expected an exact decimal amount (write it in YAML, or pass a str/Decimal), got the float {value}",
            {"value": value},
        )
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.lower() in _NOT_FINITE:
            raise PydanticCustomError("money_finite", "expected a finite amount, got {value}",
                                      {"value": _NOT_FINITE[text.lower()]})
        plain = _PLAIN_DECIMAL.fullmatch(text.removeprefix("-"))
        if plain is None:
            raise PydanticCustomError(
                "money_syntax",
                "expected a decimal with at most 2 places, got '{value}'{why}",
                {"value": value, "why": _why_not_plain(text)},
            )
        if text.startswith("-"):
            raise PydanticCustomError("money_negative", "expected an amount ≥ 0, got {value}", {"value": text})
        value = Decimal(text.replace(",", ""))
    if not isinstance(value, Decimal):
        raise PydanticCustomError(
            "money_type",
            "expected a decimal with at most 2 places, got {kind}",
            {"kind": type(value).__name__},
        )
    if not value.is_finite():
        raise PydanticCustomError("money_finite", "expected a finite amount, got {value}", {"value": str(value)})
    if value < 0:
        raise PydanticCustomError("money_negative", "expected an amount ≥ 0, got {value}", {"value": str(value)})
    if value >= MAX_AMOUNT:
        raise PydanticCustomError(
            "money_large", "expected an amount below 10^15, got {value}", {"value": str(value)}
        )
    if money.decimal_places(value) > MAX_DECIMAL_PLACES:
        raise PydanticCustomError(
            "money_places",
            "expected a decimal with at most 2 places, got {value}",
            {"value": str(value)},
        )
    return value


def _parse_whole_number(value: Any) -> Any:
    """A year or a count: an int, or digits as written (``2024``); ``true``, ``0x10``, ``010`` are refused."""
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", "expected a whole number, got {value}", {"value": _written(value)})
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise PydanticCustomError("whole_number", "expected a whole number written in digits, got '{value}'{why}",
                                      {"value": value, "why": _why_not_plain(text)})
        return int(text)
    return value


def _parse_plain_decimal(value: Any) -> Any:
    """A measure (an area): a Decimal, an int, or a plain decimal as written (``1200.5``); never a float."""
    if isinstance(value, bool):
        raise PydanticCustomError("plain_decimal", "expected a number, got {value}", {"value": _written(value)})
    if isinstance(value, float):
        raise PydanticCustomError("area_float", "expected an exact area, got the float {value}", {"value": value})
    if isinstance(value, str):
        text = value.strip()
        if not _PLAIN_DECIMAL.fullmatch(text) or "," in text:
            raise PydanticCustomError("plain_decimal", "expected a number written in digits, got '{value}'{why}",
                                      {"value": value, "why": _why_not_plain(text)})
        return Decimal(text)
    return value


#: a year or a count, read as written (``2024``; not ``true``, ``0x10`` or ``010``)
WholeNumber = Annotated[int, BeforeValidator(_parse_whole_number)]
#: a count that may be absent (``Count | None``): its bound sits in the type, where the union keeps it
Count = Annotated[int, annotated_types.Ge(0), BeforeValidator(_parse_whole_number)]
#: a measure (an area), read as written (``1200.5``)
Measure = Annotated[Decimal, BeforeValidator(_parse_plain_decimal)]

Money = Annotated[
    Decimal,
    BeforeValidator(_parse_money),
    WithJsonSchema(
        {
            "anyOf": [
                # no multipleOf 0.01: validators divide in binary floating point, refusing 0.07 or 1234567.89
                {"type": "number", "minimum": 0, "exclusiveMaximum": 1e15},
                {"type": "string", "pattern": r"^\s*(0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)(\.[0-9]{1,2})?\s*$"},
            ],
            "description": "An exact amount in unit.amount_unit, ≥ 0, at most 2 decimal places.",
        }
    ),
]
"""An exact, non-negative amount with at most two decimal places, in the model's unit."""


_DIGITS = re.compile("[0-9]+", re.ASCII)


def _digits(length: int | tuple[int, ...], what: str) -> Any:
    lengths = (length,) if isinstance(length, int) else length

    def parse(value: Any) -> str:
        if isinstance(value, bool) or value is None:
            raise PydanticCustomError("code", "expected a {what}, got {value}", {"what": what, "value": _written(value)})
        # a code is its digits as written (a YAML number is kept as text: 001 stays 001); ASCII digits only
        text = str(value).strip() if isinstance(value, (int, str)) else None
        if text is None or not _DIGITS.fullmatch(text) or len(text) not in lengths:
            raise PydanticCustomError("code", "expected a {what}, got '{value}'", {"what": what, "value": value})
        return text

    pattern = "^(" + "|".join(rf"\d{{{n}}}" for n in lengths) + ")$"
    integers = [{"type": "integer", "minimum": 10 ** (n - 1), "maximum": 10**n - 1} for n in lengths]
    return Annotated[
        str,
        BeforeValidator(parse),
        WithJsonSchema({"anyOf": [{"type": "string", "pattern": pattern}, *integers], "description": what}),
    ]


FunctionItemCode = _digits(7, "7-digit 支出功能分类 项 code such as 2012902")
FunctionCode = _digits((3, 5, 7), "支出功能分类 code of 3 (类), 5 (款) or 7 (项) digits")
EconomicCode = _digits(5, "5-digit 部门预算经济分类 款 code such as 30101")
AnyEconomicCode = _digits((3, 5), "部门预算经济分类 code of 3 (类) or 5 (款) digits")
IncomeCode = _digits((3, 5, 7), "收入分类 code of 3, 5 or 7 digits")

Text = Annotated[str, Field(min_length=1)]


_LINE_BREAKING = re.compile("[\n\r\t\x0b\x0c\x85\u2028\u2029]")


def _one_line(value: str) -> str:
    if _LINE_BREAKING.search(value):
        raise PydanticCustomError("one_line", "a name is printed inside sentences and titles, on one line; expected "
                                  "no line break or tab, got '{value}'",
                                  {"value": _LINE_BREAKING.sub(lambda m: repr(m.group())[1:-1], value)})
    return value


#: a unit's, department's or project's name: printed inside sentences, titles and table cells
_NAME_SCHEMA = {"type": "string", "minLength": 1, "pattern": "^[^\\n\\t]*$"}
Name = Annotated[str, Field(min_length=1, json_schema_extra={"pattern": _NAME_SCHEMA["pattern"]}),
                 AfterValidator(_one_line)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        use_enum_values=False,
        defer_build=True,  # a class is built when first used: a build uses some of them, a process all of its time
    )


# --------------------------------------------------------------------------- enums


class FundingSource(str, Enum):
    """资金来源 of a budget line: the 财政拨款 sources, 财政专户管理资金, and 单位资金 by kind.

    单位资金 is "资金 other than 政府预算资金 and 财政专户管理资金": 事业收入, 事业单位经营收入,
    上级补助收入, 附属单位上缴收入 and 其他收入 (glossary 七).  ``单位资金`` itself stands for unit
    funds whose kind is not given; a form that shows the kinds (the Shanghai 收入预算总表) prints it
    as 其他收入.
    """

    GENERAL = "一般公共预算"
    FUND = "政府性基金预算"
    STATE_CAPITAL = "国有资本经营预算"
    SPECIAL_ACCOUNT = "财政专户管理资金"
    UNIT = "单位资金"
    OPERATIONS = "事业收入"
    BUSINESS = "事业单位经营收入"
    HIGHER_LEVEL_GRANT = "上级补助收入"
    AFFILIATE_REMITTANCE = "附属单位上缴收入"
    OTHER = "其他收入"

    @property
    def is_fiscal(self) -> bool:
        """财政拨款 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算 (glossary 十二)."""
        return self in FISCAL_SOURCES

    @property
    def is_unit_funds(self) -> bool:
        """单位资金: 单位资金 (kind not given) and its five kinds."""
        return self in UNIT_FUND_SOURCES


FISCAL_SOURCES = (FundingSource.GENERAL, FundingSource.FUND, FundingSource.STATE_CAPITAL)
UNIT_FUND_SOURCES = (
    FundingSource.UNIT,
    FundingSource.OPERATIONS,
    FundingSource.BUSINESS,
    FundingSource.HIGHER_LEVEL_GRANT,
    FundingSource.AFFILIATE_REMITTANCE,
    FundingSource.OTHER,
)


class ExpenditureKind(str, Enum):
    """支出类型: 基本支出 keeps the unit running, 项目支出 serves a declared project."""

    BASIC = "基本支出"
    PROJECT = "项目支出"


class ProjectCategory(str, Enum):
    """项目类别 as the 绩效管理 section counts them (十、绩效管理情况)."""

    PERSONNEL = "人员类"
    OPERATING = "其他运转类"
    SPECIFIC = "特定目标类"


class ProjectAttribute(str, Enum):
    """项目属性 as printed on the performance sheet."""

    ONE_OFF = "一次性项目"
    RECURRING = "经常性项目"

    @property
    def printed(self) -> str:
        """``一次性项目（1年结束）`` / ``经常性项目（长期开展）`` as on the sheet."""
        return {"一次性项目": "一次性项目（1年结束）", "经常性项目": "经常性项目（长期开展）"}[self.value]


FiscalSource = Literal["一般公共预算", "政府性基金预算", "国有资本经营预算"]
IncomeSourceKey = Literal[
    "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金",
    "事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入", "上年结转",
]


class UnitType(str, Enum):
    """单位类型: decides how 部门预算经济分类 maps to 政府预算经济分类 (the 基本支出 table by economic code).

    行政单位 and 参照公务员法管理事业单位 map to the 机关 codes (501–504 …); a 事业单位's 工资福利,
    商品和服务 and 资本性 spending map to 505/506 (对事业单位经常性/资本性补助).
    """

    ADMINISTRATIVE = "行政单位"
    CIVIL_SERVICE_INSTITUTION = "参照公务员法管理事业单位"
    INSTITUTION = "事业单位"

    @classmethod
    def _missing_(cls, value: object) -> UnitType | None:
        return _UNIT_TYPE_ALIASES.get(str(value).strip()) if isinstance(value, str) else None

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """The schema names the short spellings too (参公, 行政 …), which the model takes."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        schema["enum"] = [*schema["enum"], *_UNIT_TYPE_ALIASES]
        return schema

    @property
    def economic_side(self) -> Literal["机关", "事业单位"]:
        """The column of the 两套经济分类对照表 this type uses."""
        return "事业单位" if self is UnitType.INSTITUTION else "机关"


_UNIT_TYPE_ALIASES = {
    "行政": UnitType.ADMINISTRATIVE, "机关": UnitType.ADMINISTRATIVE, "行政机关": UnitType.ADMINISTRATIVE,
    "参公": UnitType.CIVIL_SERVICE_INSTITUTION, "参公单位": UnitType.CIVIL_SERVICE_INSTITUTION,
    "参公事业单位": UnitType.CIVIL_SERVICE_INSTITUTION,
    "参照公务员法管理的事业单位": UnitType.CIVIL_SERVICE_INSTITUTION, "事业": UnitType.INSTITUTION,
}

# --------------------------------------------------------------------------- unit and overview


class Department(_Model):
    """主管部门: the department a unit reports through (printed on performance sheets as 代码-名称)."""

    name: Name = Field(description="主管部门名称, e.g. 某县教育局.")
    code: Text = Field(description="主管部门代码, e.g. 305.")


class Subunit(_Model):
    """A unit consolidated in a 部门 report."""

    name: Name = Field(description="单位名称 as printed in the project tables and in 本部门's list of units.")
    type: UnitType | None = Field(None, description="单位类型; the 部门's own type when absent.")
    code: str | None = Field(None, description="单位代码 (optional).")


def _subunit(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class UnitCounts(_Model):
    """How many units of each kind a 部门 has (the Shanghai form's 机关运行经费 and 绩效目标 sentences)."""

    administrative: Count | None = Field(None, description="机关 (行政单位) count.")
    civil_service_institutions: Count | None = Field(None, description="参公事业单位 count.")
    institutions: Count | None = Field(None, description="事业单位 count.")
    budget_units: Count | None = Field(None, description="预算单位 count (all units whose budgets are included).")


class Unit(_Model):
    """预算单位: who publishes the report, for which year, in which unit amounts are written."""

    name: Name = Field(description="单位名称 as printed on every table, e.g. 晋城市总工会.")
    code: Text = Field(
        description="单位代码; for a unit that is its own 主管部门 (and when unit.department is absent) also the "
        "主管部门代码 printed on performance sheets as 代码-名称, e.g. 959-晋城市总工会."
    )
    level: Literal["单位", "部门"] = Field(
        "单位", description="单位 for a 单位预算公开报告, 部门 for a 部门预算 consolidating several units."
    )
    type: UnitType | None = Field(
        None,
        description="单位类型: 行政单位, 参照公务员法管理事业单位 (参公) or 事业单位. It decides the 政府预算经济分类 "
        "in the 基本支出 table by economic code (a 事业单位's wages map to 50501, not 50101). Absent: the 机关 "
        "mapping is used, with a warning when that table has figures.",
    )
    department: Department | None = Field(
        None, description="主管部门 (name and code), when it is not the unit itself."
    )
    region: str | None = Field(
        None,
        description="行政区划 as the form's titles print it, e.g. 晋城市, 陵川县, 上海市某某区 (fills {region} in the "
        "profile's titles; nothing of a place is printed when absent).",
    )
    tier: str | None = Field(
        None, description="预算级次 as titles print it: 省级, 市级, 县级, 区级 (fills {tier}, e.g. 晋城市市级预算部门…).",
    )
    fiscal_year: WholeNumber = Field(ge=2000, le=2100, description="预算年度, e.g. 2024.")
    amount_unit: Literal["元", "万元"] = Field(
        "元", description="Unit of every amount in this file (the profile decides how tables and sentences print)."
    )
    subunits: list[Annotated[Subunit, BeforeValidator(_subunit)]] = Field(
        default_factory=list,
        json_schema_extra=lambda schema: schema.update(items={"anyOf": [_NAME_SCHEMA, schema["items"]]}),
        description="部门 reports only: the units consolidated, each a name or {name, type, code} (projects and "
        "lines name theirs in project.unit / line.unit).",
    )
    counts: UnitCounts | None = Field(
        None, description="部门 reports: counts of 机关 / 参公事业单位 / 预算单位 when subunits does not list them all "
        "with their types.",
    )


class Overview(_Model):
    """第一部分 概况: 一、本单位职责 and 二、机构设置情况."""

    intro: str = Field("", description="The sentence before the duties, e.g. 晋城市总工会是全市……的领导机关。")
    duties_lead: str = Field("主要职责是：", description="The line introducing the numbered duties.")
    duties: list[Text] = Field(
        default_factory=list, description="职责, one entry per duty without its number (numbered 1. 2. … when printed)."
    )
    organisation: list[Text] = Field(
        default_factory=list,
        description="机构设置情况 paragraphs: founding, leadership, internal structure, subordinate units.",
    )


# --------------------------------------------------------------------------- budget lines


class BudgetLine(_Model):
    """One budget line: the atomic fact every table is a pivot of — an amount of one 支出功能分类 项, one source,
    基本支出 or 项目支出, this year's or carried over."""

    function: FunctionItemCode = Field(description="支出功能分类 项 code (7 digits), e.g. 2012902.")
    kind: ExpenditureKind = Field(description="基本支出 or 项目支出.")
    project: str | None = Field(None, description="Name of a declared project; required for 项目支出, absent for 基本支出.")
    source: FundingSource = Field(description="资金来源: 一般公共预算, 政府性基金预算, 国有资本经营预算, 财政专户管理资金 or 单位资金.")
    carry_over: bool = Field(False, description="true for 上年结转 money, false for this year's 当年预算安排.")
    economic: EconomicCode | None = Field(
        None,
        description="部门预算经济分类 款 code (5 digits); required for 基本支出 of 一般公共预算 (it fills the 基本支出 "
        "table by economic code).",
    )
    amount: Money = Field(description="Amount in unit.amount_unit.")
    unit: str | None = Field(
        None, description="部门 reports: the subunit the line belongs to (its type decides the economic code mapping); "
        "project lines take their project's unit.",
    )


class Budget(_Model):
    """The budget lines and the names of codes the bundled classification does not know."""

    lines: list[BudgetLine] = Field(default_factory=list, description="Every budget line of the year.")
    usage: dict[FunctionItemCode, Text] = Field(
        default_factory=dict,
        description="What the money of a 支出功能分类 项 is mainly used for (主要用于…), printed where a form lists "
        "its spending by 项 (the Shanghai 编制说明). Without the leading 主要用于 and the final 。.",
    )
    function_names: dict[FunctionCode, Text] = Field(
        default_factory=dict,
        description="Names of 支出功能分类 codes (any level) missing from the classification in use. "
        "A name given for a listed code must equal the listed name.",
    )
    economic_names: dict[AnyEconomicCode, Text] = Field(
        default_factory=dict, description="Names of 部门预算经济分类 codes missing from the classification in use."
    )
    income: dict[IncomeSourceKey, Money] = Field(
        default_factory=dict,
        description="收入预算 as the budget system declares it, by source (单位资金 by kind) and 上年结转 (optional). "
        "Income is derived "
        "from the lines; when given, each declared figure must equal the derived one (income-equals-expenditure).",
    )
    government_economic: dict[EconomicCode, Annotated[str, Field(pattern=r"^\d{5}\s+\S.*$")]] = Field(
        default_factory=dict,
        description="政府预算经济分类 for 部门经济分类 款 the bundled mapping lacks, as '50201 办公经费'.",
    )


class IncomeItem(_Model):
    """A declared income line by 收入分类 code (tables 7 and 9)."""

    code: IncomeCode = Field(description="收入分类科目编码 as printed.")
    name: Text = Field(description="科目名称 as printed.")
    amount: Money = Field(description="Amount in unit.amount_unit.")


# --------------------------------------------------------------------------- projects and performance


class Indicator(_Model):
    """A 三级指标 with its target value for the whole 实施期 and for the year."""

    name: Text = Field(description="三级指标, e.g. 供热面积.")
    value: str = Field("", description="指标值 for the 实施期, e.g. ＞30000平方米.")
    annual_value: str | None = Field(None, description="指标值 for the year when it differs from value.")

    @property
    def annual(self) -> str:
        return self.value if self.annual_value is None else self.annual_value


class SheetFunds(_Model):
    """项目资金（元） by source, one column of the performance sheet (实施期 or 年度)."""

    central: Money = Field(Decimal(0), description="中央财政资金.")
    provincial: Money = Field(Decimal(0), description="省级财政资金.")
    local: Money = Field(Decimal(0), description="市县（区）财政资金.")
    self_raised: Money = Field(Decimal(0), description="单位自筹.")
    other: Money | None = Field(None, description="其他资金 (blank when absent).")

    @property
    def total(self) -> Decimal:
        return money.total([self.central, self.provincial, self.local, self.self_raised, self.other or Decimal(0)])


class DeclaredFunds(_Model):
    period: SheetFunds = Field(description="实施期资金 by source.")
    annual: SheetFunds | None = Field(None, description="年度资金 by source; the 实施期 figures when absent.")


class PerformanceSheet(_Model):
    """项目支出绩效目标表: the performance-target sheet of one project (printed after 十、)."""

    competent_department: str | None = Field(
        None, description="主管部门及代码 as printed; default {code}-{name} of unit.department (of the unit itself when "
        "it names no department)."
    )
    implementing_unit: str | None = Field(None, description="实施单位; default the unit's name.")
    funds: DeclaredFunds | None = Field(
        None,
        description="项目资金 by source in unit.amount_unit. When absent it is derived from the project's lines: "
        "财政拨款 as 市县（区）财政资金, 单位资金 and 财政专户 as 单位自筹. When given, its total must equal the lines.",
    )
    overview: str = Field("", description="项目概况.")
    basis: str = Field("", description="立项依据.")
    necessity: str = Field("", description="项目设立必要性.")
    safeguards: str = Field("", description="保证项目实施的制度、措施.")
    plan: str = Field("", description="项目实施计划.")
    goal_period: str = Field("", description="总体目标 for the 实施期.")
    goal_annual: str | None = Field(None, description="总体目标 for the year; goal_period when absent.")
    indicators: dict[Text, dict[Text, list[Indicator]]] = Field(
        default_factory=dict,
        description="绩效指标 as 一级指标 → 二级指标 → list of 三级指标. The standard 一级/二级 of the form are "
        "printed even when empty; others given here are printed after them.",
    )
    responsible: str = Field("", description="负责人.")
    handler: str = Field("", description="经办人.")
    phone: str = Field("", description="联系电话.")
    filled_on: str = Field("", description="填报日期 as printed, e.g. 20240117172726.")

    @property
    def annual_goal(self) -> str:
        return self.goal_period if self.goal_annual is None else self.goal_annual


class ProjectExplanation(_Model):
    """项目经费情况说明 of a 部门 report (the Shanghai form): seven fixed headings, then the 绩效目标表."""

    overview: str = Field("", description="一、项目概况.")
    basis: str = Field("", description="二、立项依据.")
    implementer: str = Field("", description="三、实施主体.")
    plan: str = Field("", description="四、实施方案.")
    period: str = Field("", description="五、实施周期.")
    annual_budget: str = Field("", description="六、年度预算安排.")
    targets: str = Field("", description="七、绩效目标.")


class Project(_Model):
    """A declared project (二级项目), referenced by name from its budget lines."""

    name: Name = Field(description="项目名称 as printed in the project tables.")
    category: ProjectCategory = Field(description="项目类别: 人员类, 其他运转类 or 特定目标类.")
    attribute: ProjectAttribute = Field(
        ProjectAttribute.ONE_OFF, description="项目属性: 一次性项目 or 经常性项目."
    )
    period_years: WholeNumber = Field(1, ge=1, le=99, description="项目期 in years (经常性项目 print 99年).")
    unit: str | None = Field(None, description="部门 reports: the subunit carrying the project.")
    performance: PerformanceSheet | None = Field(None, description="Its 绩效目标表, if published.")
    explanation: ProjectExplanation | None = Field(
        None, description="项目经费情况说明 (部门 reports of forms that print one per major project).",
    )


# --------------------------------------------------------------------------- declared figures


class ThreePublicCosts(_Model):
    """"三公"经费 of one fiscal source, in unit.amount_unit."""

    outbound_travel: Money = Field(Decimal(0), description="因公出国（境）费.")
    official_reception: Money = Field(Decimal(0), description="公务接待费.")
    vehicle_purchase: Money = Field(Decimal(0), description="公务用车购置费.")
    vehicle_operation: Money = Field(Decimal(0), description="公务用车运行维护费.")


class Procurement(_Model):
    """政府采购预算 (政府采购情况)."""

    goods: Money = Field(Decimal(0), description="政府采购货物预算.")
    works: Money = Field(Decimal(0), description="政府采购工程预算.")
    services: Money = Field(Decimal(0), description="政府采购服务预算.")
    reserved_for_smes: Money = Field(
        Decimal(0), description="面向中小企业预留政府采购项目预算金额 (part of the total above).",
    )
    reserved_for_small_micro: Money = Field(
        Decimal(0), description="其中预留给小型和微型企业的政府采购项目预算 (part of reserved_for_smes).",
    )


class Comparison(_Model):
    """Last year's figure and the reason for the change (用户填写的原因)."""

    amount: Money = Field(description="Last year's figure, in unit.amount_unit.")
    reason: str | None = Field(None, description="主要原因, printed after 主要原因是; without the final 。.")


class ThreePublicReasons(_Model):
    """The reason printed after each 三公 item's change (主要原因是…), without the final 。."""

    outbound_travel: str | None = Field(None, description="因公出国（境）费.")
    official_reception: str | None = Field(None, description="公务接待费.")
    vehicles: str | None = Field(None, description="公务用车购置及运行费.")
    vehicle_purchase: str | None = Field(None, description="公务用车购置费.")
    vehicle_operation: str | None = Field(None, description="公务用车运行维护费.")


class ThreePublicComparison(Comparison):
    items: ThreePublicCosts | None = Field(None, description="Last year's 三公 by item, when each item's change is printed.")
    reasons: ThreePublicReasons = Field(
        default_factory=ThreePublicReasons, description="Per-item reasons (forms that print one per item)."
    )


class FiscalComparison(Comparison):
    """Last year's 财政拨款 (the Shanghai 编制说明 compares this year's with it, in total and by source)."""

    by_source: dict[FiscalSource, Money] = Field(
        default_factory=dict, description="上年 by fiscal source: 一般公共预算, 政府性基金预算, 国有资本经营预算.",
    )


class LastYear(_Model):
    """上年预算 figures the 情况说明 compares with."""

    basis: str = Field(
        "预算", description="What last year's figures are, as printed after the year: 预算 (上年预算) or 预算执行数.",
    )
    total: Comparison | None = Field(None, description="上年收支预算总计 (一、收支数据变动情况).")
    fiscal: FiscalComparison | None = Field(
        None, description="上年财政拨款收支预算, with the reason of the change (the Shanghai 编制说明).",
    )
    general_public_current: Comparison | None = Field(
        None, description="上年一般公共预算当年支出 (五、(一)).")
    three_public: ThreePublicComparison | None = Field(None, description="上年\"三公\"经费 (七、).")
    operating_costs: Comparison | None = Field(None, description="上年机关运行经费 (八、).")


class VehicleKinds(_Model):
    """公务用车 by kind: the kinds of every form (a form prints the kinds it lists)."""

    leadership: WholeNumber = Field(0, ge=0, description="领导用车 (forms that do not split it further).")
    ministerial: WholeNumber = Field(0, ge=0, description="部级领导干部用车.")
    principal_leaders: WholeNumber = Field(0, ge=0, description="主要领导干部用车.")
    confidential_communication: WholeNumber = Field(0, ge=0, description="机要通信用车.")
    emergency: WholeNumber = Field(0, ge=0, description="应急保障用车.")
    law_enforcement: WholeNumber = Field(0, ge=0, description="执法执勤用车.")
    special_technical: WholeNumber = Field(0, ge=0, description="特种专业技术用车.")
    institution_business: WholeNumber = Field(0, ge=0, description="事业单位业务用车.")
    retired_cadres: WholeNumber = Field(0, ge=0, description="离退休干部用车.")
    other: WholeNumber = Field(0, ge=0, description="其他用车 (其他公务用车).")

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in VehicleKinds.model_fields)


class Vehicles(VehicleKinds):
    """公务用车 held at the assets date (十一、1)."""

    establishment: WholeNumber = Field(0, ge=0, description="编制 (approved number).")
    actual: WholeNumber = Field(0, ge=0, description="实有 (held).")


class Assets(_Model):
    """国有资产占有使用情况 (十一、), as at 31 December of the previous year."""

    as_of: _dt.date | None = Field(
        None, description="截至日期; default the profile's (31 December of fiscal_year − 1 in shanxi-13).",
    )
    vehicles: Vehicles = Field(default_factory=Vehicles, description="公务用车 by kind.")
    office_area_m2: Measure = Field(Decimal(0), ge=0, lt=10**9, description="办公用房建筑总面积 in 平方米.")
    equipment_over_500k: WholeNumber = Field(0, ge=0, description="单位价值50万元（原值）以上的通用设备 台（套）.")
    equipment_over_1m: WholeNumber = Field(0, ge=0, description="单位价值100万元（原值）以上的通用设备 台（套）.")
    planned_vehicles: VehicleKinds = Field(
        default_factory=VehicleKinds, description="车辆 the budget plans to buy this year, by kind.",
    )
    planned_equipment_over_1m: WholeNumber = Field(
        0, ge=0, description="单价100万元（含）以上设备（不含车辆） the budget plans to buy this year, 台（套）.",
    )


class PerformanceSummary(_Model):
    """十、绩效管理情况 settings."""

    overall_target: bool = Field(True, description="Whether a 单位整体绩效目标 is published (十、1).")
    sheet_order: list[Text] = Field(
        default_factory=list,
        description="Project names in the order their sheets are printed; default: declaration order.",
    )


class GlossaryEntry(_Model):
    term: Text = Field(description="名词, e.g. 基本支出.")
    text: Text = Field(description="The whole entry as printed after its number, e.g. 基本支出：指……支出。")


class Glossary(_Model):
    """第四部分 名词解释: the bundled twelve terms, overridden or extended by term."""

    entries: list[GlossaryEntry] = Field(
        default_factory=list, description="Entries replacing a default of the same term, or appended."
    )
    replace_defaults: bool = Field(False, description="true: print only these entries.")


class Appendix(_Model):
    """The catalogue appended under 十二、(一) 政府购买服务指导性目录."""

    catalogue: str | None = Field(
        None,
        description="shanxi-batch-1 (bundled 山西省部门政府购买服务指导性目录（第一批）) or a CSV path "
        "(department,code,level,name,parent_code) relative to this file; absent: the profile's catalogue "
        "(its `appendix`), and an error when it names none — no province's catalogue is anyone's default.",
    )
    title: str | None = Field(None, description="Catalogue title for a CSV of your own.")
    notice: list[str] | None = Field(
        None, description="Forwarding notice paragraphs for a CSV of your own; the bundled notice otherwise."
    )


class PdfAttachment(_Model):
    """A PDF merged into the PDF report (``build --pdf``) at its place, e.g. a scanned official document."""

    file: Text = Field(description="Path of the PDF, relative to this model file.")
    title: Text = Field(description="Its outline (bookmark) title, e.g. 附件：政府购买服务指导性目录（扫描件）.")
    after: str | None = Field(
        None,
        description="Bookmark of the part it follows (part_1 … part_4, table_01 … table_13, sheet_01 …, appendix); "
        "inserted before the next entry of that level or higher. Absent: at the end.",
    )


class Report(_Model):
    """How the report is put together."""

    profile: str = Field("shanxi-13", description=(
        "Report profile: which tables and parts, in which order. A bundled profile's name, or the path of a "
        "profile file (.yaml); a relative path is looked up beside the model first, then in the current folder."))
    title: str | None = Field(
        None, description="Override of the report title (default: the profile's, e.g. {unit}{year}年{level}预算公开报告).",
    )
    output_name: str | None = Field(None, description="File name without extension; default {unit}-{year}-{level}预算公开.")
    attachments: list[PdfAttachment] = Field(
        default_factory=list, description="PDFs merged into the PDF report at their place (build --pdf)."
    )


# --------------------------------------------------------------------------- the model


class BudgetModel(_Model):
    """A unit's budget for one year: the single source of every table and sentence of its report."""

    unit: Unit = Field(description="Who publishes the report, for which year, in which unit amounts are written.")
    report: Report = Field(default_factory=Report, description="Profile and output file name.")
    overview: Overview = Field(default_factory=Overview, description="第一部分 概况: duties and organisation.")
    projects: list[Project] = Field(default_factory=list, description="Declared projects (二级项目).")
    budget: Budget = Field(default_factory=Budget, description="The budget lines and names of unlisted codes.")
    fund_income: list[IncomeItem] = Field(default_factory=list, description="政府性基金预算收入, by income code.")
    state_capital_income: list[IncomeItem] = Field(
        default_factory=list, description="国有资本经营预算收入, by income code."
    )
    three_public: dict[FiscalSource, ThreePublicCosts] = Field(
        default_factory=dict, description="财政拨款安排\"三公\"经费 by fiscal source."
    )
    operating_costs: dict[FiscalSource, Money] = Field(
        default_factory=dict, description="财政拨款安排机关运行经费 by fiscal source."
    )
    procurement: Procurement = Field(default_factory=Procurement, description="政府采购预算.")
    last_year: LastYear = Field(default_factory=LastYear, description="Last year's figures and reasons.")
    performance: PerformanceSummary = Field(
        default_factory=PerformanceSummary, description="十、绩效管理情况: overall target and sheet order."
    )
    assets: Assets = Field(default_factory=Assets, description="十一、国有资产占有使用情况.")
    government_purchase: str | None = Field(
        None, description="政府购买服务 text (十二、(一)); absent: 本单位无政府购买服务。"
    )
    other_notes: list[Text] = Field(default_factory=list, description="十二、(二) 其他 paragraphs.")
    glossary: Glossary = Field(default_factory=Glossary, description="第四部分 名词解释: overrides and additions.")
    appendix: Appendix | None = Field(
        None,
        description="A catalogue appended under 十二、(一), e.g. {catalogue: shanxi-batch-1} for the bundled "
        "山西省部门政府购买服务指导性目录（第一批）; absent or null: none (a profile may append one by default).",
    )

    @property
    def appendix_given(self) -> bool:
        """Whether the file says ``appendix:`` at all (``appendix: null`` turns a profile's default off)."""
        return "appendix" in self.model_fields_set

    def yuan(self, amount: Decimal) -> Decimal:
        """An amount of this model in 元, exactly."""
        return money.to_yuan(amount, self.unit.amount_unit)

    def project(self, name: str) -> Project | None:
        return next((p for p in self.projects if p.name == name), None)


# --------------------------------------------------------------------------- renamed fields

#: Fields that moved, old path → new path.  A file using the old spelling still loads: the value is
#: moved to the new place and a warning names the new spelling (changes to the model are additive).
RENAMED_FIELDS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("unit", "report_title"): ("report", "title"),
}


def move_renamed_fields(data: dict[str, Any]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Move every renamed field of plain model ``data`` to its new place, in place.

    Returns the (old, new) paths moved.  When both spellings are given, the new one wins and the old
    is dropped (still reported).
    """
    moved = []
    for old, new in RENAMED_FIELDS.items():
        parent = data
        for key in old[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or old[-1] not in parent:
            continue
        value = parent.pop(old[-1])
        target: Any = data
        for key in new[:-1]:
            if key not in target:
                target[key] = {}
            target = target[key]
            if not isinstance(target, dict):  # the new place holds a wrong value (report: a-string): it is left
                break                         # for the validation to report, not replaced by a mapping
        else:
            target.setdefault(new[-1], value)
            moved.append((old, new))
    return moved
