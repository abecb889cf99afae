"""Where every field of the budget model lives in a workbook: sheets, columns and rows, derived from the model.

The model (:mod:`disclosure.model`) is the source of truth.  This module names the sheets and
which part of the model each holds; the columns of a table and the rows of a form are the fields
of the model class found there, in the model's order, so a field added to the model gets its
column (or row) without workbook code.  Headers are the Chinese labels of :data:`LABELS`, or, for
a field not listed there, the Chinese term its description starts with.

Sheet kinds:

* :class:`Form` — one row per scalar field (``项目 | 内容 | 说明 | 字段``): 单位信息, 政府采购, 国有资产, 上年数;
* :class:`Table` — one row per item of a list of models (预算明细, 项目, 下属单位, 名词解释, PDF附件);
* :class:`Child` — one row per item of a :class:`Table`, found by its key column (项目绩效, 项目说明 by 项目名称);
* :class:`Indicators` — the performance indicators 一级 → 二级 → [三级] as rows (绩效指标);
* :class:`Keyed` — a mapping by a fixed set of keys, one row per key (三公经费, 机关运行经费, 收入预算);
* :class:`Tagged` — several collections of one shape in one table, told apart by a 类别 column (科目名称, 收入科目);
* :class:`Texts` — prose, one paragraph per row under its 栏目 (说明文字);
* the generic sheet 其他 — ``字段 | 值`` rows for any field no sheet above holds (a field added to the
  model at the top level, an empty list that must stay empty, ``appendix: null``).
"""

from __future__ import annotations

import datetime as _dt
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .. import model as m

ModelPath = tuple[str | int, ...]

#: A cell holding exactly this is the empty text (a blank cell is "not given").
EMPTY_TEXT = '""'
#: Values of the generic sheet for an empty list, an empty mapping and null.
EMPTY_LIST, EMPTY_MAPPING, NULL = "[]", "{}", "null"

GUIDE_SHEET = "填写说明"
GENERIC_SHEET = "其他"

YES, NO = "是", "否"


class Kind(str, Enum):
    """What a cell holds, as the guide names it."""

    TEXT = "文本"
    MONEY = "金额"
    NUMBER = "数值"
    INTEGER = "整数"
    BOOL = "是/否"
    DATE = "日期"
    CHOICE = "选项"


# --------------------------------------------------------------------------- labels

#: Chinese headers of the fields, by ``Class.field``.  A field missing here is labelled with the Chinese term
#: its description starts with (or its name), so a new field still gets a header.
LABELS: dict[str, str] = {
    "Unit.name": "单位名称", "Unit.code": "单位代码", "Unit.level": "单位或部门", "Unit.type": "单位类型",
    "Unit.department": "主管部门", "Unit.region": "行政区划", "Unit.tier": "预算级次", "Unit.fiscal_year": "预算年度",
    "Unit.amount_unit": "金额单位", "Unit.subunits": "下属单位", "Unit.counts": "单位数量",
    "Department.name": "名称", "Department.code": "代码",
    "UnitCounts.administrative": "行政单位数", "UnitCounts.civil_service_institutions": "参公事业单位数",
    "UnitCounts.institutions": "事业单位数", "UnitCounts.budget_units": "预算单位数",
    "Subunit.name": "单位名称", "Subunit.type": "单位类型", "Subunit.code": "单位代码",
    "Report.profile": "报告格式", "Report.title": "报告标题", "Report.output_name": "输出文件名",
    "Report.attachments": "PDF附件",
    "PdfAttachment.file": "PDF文件", "PdfAttachment.title": "书签标题", "PdfAttachment.after": "插在其后",
    "Overview.intro": "职责引言", "Overview.duties_lead": "职责引导语", "Overview.duties": "单位职责",
    "Overview.organisation": "机构设置情况",
    "Project.name": "项目名称", "Project.category": "项目类别", "Project.attribute": "项目属性",
    "Project.period_years": "项目期（年）", "Project.unit": "所属单位", "Project.performance": "绩效目标表",
    "Project.explanation": "项目经费情况说明",
    "PerformanceSheet.competent_department": "主管部门及代码", "PerformanceSheet.implementing_unit": "实施单位",
    "PerformanceSheet.funds": "", "PerformanceSheet.overview": "项目概况", "PerformanceSheet.basis": "立项依据",
    "PerformanceSheet.necessity": "项目设立必要性", "PerformanceSheet.safeguards": "保证项目实施的制度、措施",
    "PerformanceSheet.plan": "项目实施计划", "PerformanceSheet.goal_period": "总体目标（实施期）",
    "PerformanceSheet.goal_annual": "总体目标（年度）", "PerformanceSheet.indicators": "绩效指标",
    "PerformanceSheet.responsible": "负责人", "PerformanceSheet.handler": "经办人",
    "PerformanceSheet.phone": "联系电话", "PerformanceSheet.filled_on": "填报日期",
    "DeclaredFunds.period": "实施期资金", "DeclaredFunds.annual": "年度资金",
    "SheetFunds.central": "中央财政资金", "SheetFunds.provincial": "省级财政资金",
    "SheetFunds.local": "市县（区）财政资金", "SheetFunds.self_raised": "单位自筹", "SheetFunds.other": "其他资金",
    "Indicator.name": "三级指标", "Indicator.value": "指标值", "Indicator.annual_value": "年度指标值",
    "ProjectExplanation.overview": "项目概况", "ProjectExplanation.basis": "立项依据",
    "ProjectExplanation.implementer": "实施主体", "ProjectExplanation.plan": "实施方案",
    "ProjectExplanation.period": "实施周期", "ProjectExplanation.annual_budget": "年度预算安排",
    "ProjectExplanation.targets": "绩效目标",
    "BudgetLine.function": "功能分类科目编码", "BudgetLine.kind": "支出类型", "BudgetLine.project": "项目名称",
    "BudgetLine.source": "资金来源", "BudgetLine.carry_over": "上年结转", "BudgetLine.economic": "经济分类科目编码",
    "BudgetLine.amount": "金额", "BudgetLine.unit": "所属单位",
    "Budget.usage": "科目用途", "Budget.function_names": "功能科目名称", "Budget.economic_names": "经济科目名称",
    "Budget.income": "收入预算", "Budget.government_economic": "政府经济分类对照",
    "IncomeItem.code": "收入科目编码", "IncomeItem.name": "科目名称", "IncomeItem.amount": "金额",
    "BudgetModel.fund_income": "政府性基金预算收入", "BudgetModel.state_capital_income": "国有资本经营预算收入",
    "BudgetModel.three_public": "三公经费", "BudgetModel.operating_costs": "机关运行经费",
    "BudgetModel.government_purchase": "政府购买服务", "BudgetModel.other_notes": "其他说明",
    "ThreePublicCosts.outbound_travel": "因公出国（境）费", "ThreePublicCosts.official_reception": "公务接待费",
    "ThreePublicCosts.vehicle_purchase": "公务用车购置费", "ThreePublicCosts.vehicle_operation": "公务用车运行维护费",
    "Procurement.goods": "政府采购货物预算", "Procurement.works": "政府采购工程预算",
    "Procurement.services": "政府采购服务预算", "Procurement.reserved_for_smes": "面向中小企业预留",
    "Procurement.reserved_for_small_micro": "其中预留给小型和微型企业",
    "Comparison.amount": "金额", "Comparison.reason": "主要原因",
    "LastYear.basis": "上年数口径", "LastYear.total": "上年收支预算总计", "LastYear.fiscal": "上年财政拨款",
    "LastYear.general_public_current": "上年一般公共预算当年支出", "LastYear.three_public": "上年“三公”经费",
    "LastYear.operating_costs": "上年机关运行经费",
    "FiscalComparison.by_source": "分来源", "ThreePublicComparison.items": "分项",
    "ThreePublicComparison.reasons": "分项原因",
    "ThreePublicReasons.outbound_travel": "因公出国（境）费", "ThreePublicReasons.official_reception": "公务接待费",
    "ThreePublicReasons.vehicles": "公务用车购置及运行费", "ThreePublicReasons.vehicle_purchase": "公务用车购置费",
    "ThreePublicReasons.vehicle_operation": "公务用车运行维护费",
    "PerformanceSummary.overall_target": "公开单位整体绩效目标", "PerformanceSummary.sheet_order": "绩效目标表顺序",
    "Assets.as_of": "截至日期", "Assets.vehicles": "公务用车", "Assets.office_area_m2": "办公用房面积（平方米）",
    "Assets.equipment_over_500k": "50万元以上通用设备（台套）", "Assets.equipment_over_1m": "100万元以上通用设备（台套）",
    "Assets.planned_vehicles": "拟购车辆", "Assets.planned_equipment_over_1m": "拟购100万元以上设备（台套）",
    "Vehicles.establishment": "编制数", "Vehicles.actual": "实有数", "VehicleKinds.other": "其他用车",
    "Glossary.entries": "名词解释", "Glossary.replace_defaults": "只印本表名词",
    "GlossaryEntry.term": "名词", "GlossaryEntry.text": "解释",
    "Appendix.catalogue": "目录", "Appendix.title": "目录标题", "Appendix.notice": "转发通知",
}

_LEADING_TERM = re.compile(r"^([^\sA-Za-z,.;:(]*[\u4e00-\u9fff][^\s,.;:(]*)")


def label_of(owner: type[BaseModel], name: str) -> str:
    """The Chinese header of ``owner.name``."""
    for cls in owner.__mro__:  # Vehicles inherits VehicleKinds' labels
        candidate = f"{getattr(cls, '__name__', '')}.{name}"
        if candidate in LABELS:
            return LABELS[candidate]
    info = owner.model_fields[name]
    match = _LEADING_TERM.match(info.description or "")
    return match.group(1) if match else name


def _joined(prefix: str, label: str) -> str:
    return f"{prefix}·{label}" if prefix and label else prefix or label


# --------------------------------------------------------------------------- types of fields

_MONEY_MARK = typing.get_args(m.Money)[1]  # the BeforeValidator every Money field carries


def peel(annotation: Any, metadata: list[Any] | None = None) -> tuple[Any, list[Any], bool]:
    """``(type, metadata, optional)`` of an annotation: Annotated and ``| None`` peeled off."""
    metadata = list(metadata or [])
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            args = typing.get_args(annotation)
            rest = [a for a in args if a is not type(None)]
            optional = optional or len(rest) < len(args)
            if len(rest) != 1:
                return Union[tuple(rest)], metadata, optional  # noqa: UP007 - several types: str | int
            annotation = rest[0]
        else:
            return annotation, metadata, optional


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def scalar_kind(tp: Any, metadata: list[Any]) -> tuple[Kind, tuple[str, ...]]:
    """The kind of cell a scalar type takes, and its allowed values (from the model's Enum or Literal)."""
    if any(item is _MONEY_MARK for item in metadata):
        return Kind.MONEY, ()
    if isinstance(tp, type) and issubclass(tp, Enum):
        return Kind.CHOICE, tuple(str(member.value) for member in tp)
    if typing.get_origin(tp) is Literal:
        return Kind.CHOICE, tuple(str(arg) for arg in typing.get_args(tp))
    if tp is bool:
        return Kind.BOOL, (YES, NO)
    if tp is int:
        return Kind.INTEGER, ()
    if tp is Decimal:
        return Kind.NUMBER, ()
    if tp is _dt.date:
        return Kind.DATE, ()
    return Kind.TEXT, ()


def is_scalar(tp: Any) -> bool:
    return not is_model(tp) and typing.get_origin(tp) not in (list, dict)


def literal_keys(tp: Any) -> tuple[str, ...] | None:
    """The fixed keys of ``dict[Literal[...], …]`` (None for a mapping with free keys)."""
    if typing.get_origin(tp) is not dict:
        return None
    key, _ = typing.get_args(tp)
    key, _, _ = peel(key)
    return tuple(typing.get_args(key)) if typing.get_origin(key) is Literal else None


# --------------------------------------------------------------------------- leaves


@dataclass(frozen=True)
class Leaf:
    """A scalar field of the model as one cell: its path (relative to the sheet's item), header and kind."""

    path: tuple[str, ...]
    label: str
    kind: Kind
    choices: tuple[str, ...] = ()
    required: bool = False  # no default in its model class
    description: str = ""
    default: Any = None
    optional: tuple[tuple[str, ...], ...] = ()  # prefixes that are optional sub-models (absent when all blank)
    owner: str = ""  # Class.field, for the guide


def _default(info: FieldInfo) -> Any:
    if info.is_required():
        return None
    return info.get_default(call_default_factory=True)


def leaves(
    cls: type[BaseModel],
    *,
    exclude: tuple[tuple[str, ...], ...] = (),
    prefix: tuple[str, ...] = (),
    label: str = "",
    optional: tuple[tuple[str, ...], ...] = (),
) -> list[Leaf]:
    """Every scalar field under ``cls`` that fits one cell, in the model's order.

    Sub-models are flattened (``实施期资金·中央财政资金``); a mapping with fixed keys (``dict[Literal[…], X]``)
    gives one cell per key.  Lists and mappings with free keys are not cells: :func:`nested_fields` names them.
    """
    out: list[Leaf] = []
    for name, info in cls.model_fields.items():
        path = (*prefix, name)
        if path in exclude:
            continue
        tp, metadata, is_optional = peel(info.annotation, info.metadata)
        text = _joined(label, label_of(cls, name))
        if is_model(tp):
            inner = (*optional, path) if is_optional else optional
            out += leaves(tp, exclude=exclude, prefix=path, label=text, optional=inner)
            continue
        keys = literal_keys(tp)
        if keys is not None:
            value, value_meta, _ = peel(typing.get_args(tp)[1])
            for key in keys:
                if (*path, key) in exclude:
                    continue
                if is_model(value):
                    out += leaves(value, exclude=exclude, prefix=(*path, key), label=_joined(text, key),
                                  optional=(*optional, (*path, key)))
                elif is_scalar(value):
                    kind, choices = scalar_kind(value, value_meta)
                    out.append(Leaf((*path, key), _joined(text, key), kind, choices, False, info.description or "",
                                    None, optional, f"{cls.__name__}.{name}"))
            continue
        if not is_scalar(tp):
            continue
        kind, choices = scalar_kind(tp, metadata)
        out.append(Leaf(path, text, kind, choices, info.is_required(), info.description or "", _default(info),
                        optional, f"{cls.__name__}.{name}"))
    return out


def field_at(path: ModelPath) -> tuple[Any, list[Any], bool, FieldInfo | None, type[BaseModel] | None]:
    """``(type, metadata, optional, field info, owner class)`` of the model at ``path`` (an int or any key
    steps into a list item or a mapping value)."""
    tp: Any = m.BudgetModel
    metadata: list[Any] = []
    optional = False
    info: FieldInfo | None = None
    owner: type[BaseModel] | None = None
    for element in path:
        if is_model(tp) and isinstance(element, str) and element in tp.model_fields:
            owner, info = tp, tp.model_fields[element]
            tp, metadata, optional = peel(info.annotation, info.metadata)
        elif typing.get_origin(tp) is list:
            tp, metadata, optional = peel(typing.get_args(tp)[0])
        elif typing.get_origin(tp) is dict:
            tp, metadata, optional = peel(typing.get_args(tp)[1])
        else:
            raise KeyError(path)
    return tp, metadata, optional, info, owner


def item_model(path: ModelPath) -> type[BaseModel]:
    """The model class of the items of the list at ``path``."""
    tp = field_at(path)[0]
    item, _, _ = peel(typing.get_args(tp)[0])
    assert is_model(item), path
    return item


def field_label(path: ModelPath) -> str:
    _, _, _, _, owner = field_at(path)
    assert owner is not None
    return label_of(owner, str(path[-1]))


def field_description(path: ModelPath) -> str:
    info = field_at(path)[3]
    return (info.description or "") if info else ""


# --------------------------------------------------------------------------- sheets


@dataclass(frozen=True)
class Root:
    """A part of the model a form holds: a sub-model (its fields become rows) or one scalar field."""

    path: tuple[str, ...]
    label: str = ""  # prefix of its rows' labels
    exclude: tuple[tuple[str, ...], ...] = ()  # absolute paths left to other sheets


@dataclass(frozen=True)
class Form:
    """``项目 | 内容 | 说明 | 字段``: one row per scalar field of its roots."""

    name: str
    roots: tuple[Root, ...]
    note: str = ""
    headers: tuple[str, str, str, str] = ("项目", "内容", "说明", "字段")

    def rows(self) -> list[Leaf]:
        out: list[Leaf] = []
        for root in self.roots:
            tp, metadata, optional, info, owner = field_at(root.path)
            if is_model(tp):
                inner = (root.path,) if optional else ()
                out += leaves(tp, exclude=root.exclude, prefix=root.path, label=root.label, optional=inner)
            else:
                assert info is not None and owner is not None
                kind, choices = scalar_kind(tp, metadata)
                label = _joined(root.label, label_of(owner, root.path[-1]))
                out.append(Leaf(root.path, label, kind, choices, info.is_required(), info.description or "",
                                _default(info), (), f"{owner.__name__}.{root.path[-1]}"))
        return out


@dataclass(frozen=True)
class Table:
    """One row per item of the list of models at ``collection``; columns are the item's scalar fields."""

    name: str
    collection: tuple[str, ...]
    exclude: tuple[tuple[str, ...], ...] = ()  # relative to an item
    note: str = ""

    def columns(self) -> list[Leaf]:
        return leaves(item_model(self.collection), exclude=self.exclude)


@dataclass(frozen=True)
class Child:
    """One row per item of a :class:`Table`'s list that has the optional sub-model ``part``, found by ``key``."""

    name: str
    collection: tuple[str, ...]
    key: str  # the field naming an item (项目名称)
    part: tuple[str, ...]
    exclude: tuple[tuple[str, ...], ...] = ()  # relative to an item
    note: str = ""

    @property
    def key_label(self) -> str:
        return label_of(item_model(self.collection), self.key)

    def columns(self) -> list[Leaf]:
        tp = field_at((*self.collection, 0, *self.part))[0]
        return leaves(tp, exclude=self.exclude, prefix=self.part)


@dataclass(frozen=True)
class Indicators:
    """``项目名称 | 一级指标 | 二级指标 | 三级指标 | 指标值 | 年度指标值``: the mapping 一级 → 二级 → [三级] as rows."""

    name: str
    collection: tuple[str, ...]
    key: str
    part: tuple[str, ...]  # relative to an item: the indicators mapping
    levels: tuple[str, str] = ("一级指标", "二级指标")
    note: str = ""

    @property
    def key_label(self) -> str:
        return label_of(item_model(self.collection), self.key)

    def columns(self) -> list[Leaf]:
        tp = field_at((*self.collection, 0, *self.part))[0]
        inner, _, _ = peel(typing.get_args(tp)[1])  # dict[二级, list[Indicator]]
        items, _, _ = peel(typing.get_args(inner)[1])
        indicator, _, _ = peel(typing.get_args(items)[0])
        return leaves(indicator)


@dataclass(frozen=True)
class Keyed:
    """One row per key of a mapping with fixed keys (every key is listed; a blank row is a key not given)."""

    name: str
    mapping: tuple[str, ...]
    key_label: str
    value_label: str = "金额"
    note: str = ""

    def fixed_keys(self) -> tuple[str, ...]:
        keys = literal_keys(field_at(self.mapping)[0])
        assert keys is not None, self.mapping
        return keys

    def columns(self) -> list[Leaf]:
        tp = field_at(self.mapping)[0]
        value, metadata, _ = peel(typing.get_args(tp)[1])
        if is_model(value):
            return leaves(value)
        kind, choices = scalar_kind(value, metadata)
        return [Leaf((), self.value_label, kind, choices, True, field_description(self.mapping))]


@dataclass(frozen=True)
class Tagged:
    """Several collections of one shape in one table, the 类别 column naming the collection of each row: lists of
    one model, or mappings from a code to a text."""

    name: str
    collections: tuple[tuple[str, ...], ...]
    tag_label: str = "类别"
    key_label: str = "编码"
    value_label: str = "内容"
    note: str = ""

    def tags(self) -> dict[str, tuple[str, ...]]:
        return {field_label(path): path for path in self.collections}

    @property
    def is_mapping(self) -> bool:
        return typing.get_origin(field_at(self.collections[0])[0]) is dict

    def columns(self) -> list[Leaf]:
        if not self.is_mapping:
            return leaves(item_model(self.collections[0]))
        return [Leaf(("key",), self.key_label, Kind.TEXT, (), True, "编码 (code) of the entry."),
                Leaf(("value",), self.value_label, Kind.TEXT, (), True, "名称或说明 of the entry.")]


@dataclass(frozen=True)
class Texts:
    """``栏目 | 内容``: prose fields, one paragraph per row (a list takes as many rows as it has entries)."""

    name: str
    fields: tuple[tuple[str, ...], ...]
    headers: tuple[str, str] = ("栏目", "内容")
    note: str = ""

    def sections(self) -> dict[str, tuple[tuple[str, ...], bool]]:
        """栏目 label → (model path, is a list)."""
        out = {}
        for path in self.fields:
            tp = field_at(path)[0]
            out[field_label(path) if path[0] != "appendix" else f"附录{field_label(path)}"] = (
                path, typing.get_origin(tp) is list)
        return out


Sheet = Form | Table | Child | Indicators | Keyed | Tagged | Texts

SHEETS: tuple[Sheet, ...] = (
    Form("单位信息", (
        Root(("unit",), exclude=(("unit", "subunits"),)),
        Root(("report",), exclude=(("report", "attachments"),)),
        Root(("performance", "overall_target")),
        Root(("glossary", "replace_defaults"), label="名词解释"),
        Root(("appendix",), label="附录", exclude=(("appendix", "notice"),)),
    ), note="单位的基本信息。每行一项，在“内容”列填写；留空即不填（用默认值）。"),
    Table("预算明细", ("budget", "lines"),
          note="每行一笔预算：一个功能分类项级科目、一种资金来源、基本支出或项目支出（项目支出写项目名称）、当年或上年结转。"),
    Table("项目", ("projects",), exclude=(("performance",), ("explanation",)),
          note="每行一个二级项目，按报告中项目支出表的顺序。"),
    Child("项目绩效", ("projects",), "name", ("performance",), exclude=(("performance", "indicators"),),
          note="每个公开绩效目标表的项目一行，按项目名称对应“项目”表；资金留空则由预算明细推算。"),
    Indicators("绩效指标", ("projects",), "name", ("performance", "indicators"),
               note="每行一个三级指标。项目名称、一级指标、二级指标留空表示与上一行相同（可合并单元格）。"),
    Child("项目说明", ("projects",), "name", ("explanation",),
          note="项目经费情况说明（报告格式有此部分时填写），每个项目一行。"),
    Keyed("三公经费", ("three_public",), "资金来源", note="财政拨款安排的“三公”经费，按资金来源各一行。"),
    Keyed("机关运行经费", ("operating_costs",), "资金来源", note="财政拨款安排的机关运行经费，按资金来源各一行。"),
    Form("政府采购", (Root(("procurement",)),), note="政府采购预算。"),
    Form("国有资产", (Root(("assets",)),), note="国有资产占有使用情况；截至日期留空时用报告格式的日期。"),
    Form("上年数", (Root(("last_year",)),), note="上年预算数及变动原因，用于“比上年增加/减少”的说明。"),
    Keyed("收入预算", ("budget", "income"), "收入来源",
          note="预算系统申报的收入（可不填）；填写后须与预算明细推算的收入相等。"),
    Tagged("收入科目", (("fund_income",), ("state_capital_income",)),
           note="政府性基金预算收入和国有资本经营预算收入，按收入分类科目。"),
    Tagged("科目名称", (("budget", "function_names"), ("budget", "economic_names"), ("budget", "government_economic"),
                     ("budget", "usage")),
           note="所用分类中没有的科目名称、经济分类对照和项级科目的主要用途。"),
    Texts("说明文字", (("overview", "intro"), ("overview", "duties_lead"), ("overview", "duties"),
                   ("overview", "organisation"), ("government_purchase",), ("other_notes",),
                   ("performance", "sheet_order"), ("appendix", "notice")),
          note="报告中的文字，每段一行；同一栏目多段按行序排列。"),
    Table("下属单位", ("unit", "subunits"), note="部门预算：所属各单位。"),
    Table("名词解释", ("glossary", "entries"), note="替换或增加的名词解释。"),
    Table("PDF附件", ("report", "attachments"), note="合并进PDF报告的PDF文件（build --pdf）。"),
)

SHEET_NAMES = (GUIDE_SHEET, *(s.name for s in SHEETS), GENERIC_SHEET)
#: Sheets a workbook must have; any other known sheet may be missing (nothing of it is given).
REQUIRED_SHEETS = ("单位信息",)

#: Sheets the reader never looks at (the guide, and the lists data validation uses).
IGNORED_SHEETS = (GUIDE_SHEET,)


def sheet(name: str) -> Sheet:
    return next(s for s in SHEETS if s.name == name)


# --------------------------------------------------------------------------- placement


@dataclass(frozen=True)
class Placement:
    """Where a field (a path pattern, list items as ``[]``) lives: its sheet and its header or row label."""

    path: tuple[str, ...]
    sheet: str
    label: str


def placements() -> list[Placement]:
    """Every field the dedicated sheets hold."""
    out: list[Placement] = []
    for spec in SHEETS:
        if isinstance(spec, Form):
            out += [Placement(leaf.path, spec.name, leaf.label) for leaf in spec.rows()]
        elif isinstance(spec, Table):
            out += [Placement((*spec.collection, "[]", *leaf.path), spec.name, leaf.label) for leaf in spec.columns()]
            out.append(Placement(spec.collection, spec.name, "（每行一项）"))
        elif isinstance(spec, Child):
            out += [Placement((*spec.collection, "[]", *leaf.path), spec.name, leaf.label) for leaf in spec.columns()]
            out.append(Placement((*spec.collection, "[]", *spec.part), spec.name, "（每行一项）"))
        elif isinstance(spec, Indicators):
            base = (*spec.collection, "[]", *spec.part)
            out.append(Placement(base, spec.name, field_label((*spec.collection, 0, *spec.part))))
            out.append(Placement((*base, "[]"), spec.name, spec.levels[0]))
            out.append(Placement((*base, "[]", "[]"), spec.name, spec.levels[1]))
            out.append(Placement((*base, "[]", "[]", "[]"), spec.name, "（每行一项）"))
            out += [Placement((*base, "[]", "[]", "[]", *leaf.path), spec.name, leaf.label) for leaf in spec.columns()]
        elif isinstance(spec, Keyed):
            out.append(Placement(spec.mapping, spec.name, spec.key_label))
            for key in spec.fixed_keys():
                out += [Placement((*spec.mapping, key, *leaf.path), spec.name, leaf.label) for leaf in spec.columns()]
        elif isinstance(spec, Tagged):
            for tag, path in spec.tags().items():
                out.append(Placement(path, spec.name, tag))
                if not spec.is_mapping:
                    out += [Placement((*path, "[]", *leaf.path), spec.name, leaf.label) for leaf in spec.columns()]
        elif isinstance(spec, Texts):
            out += [Placement(path, spec.name, label) for label, (path, _) in spec.sections().items()]
    return out


def model_fields(cls: type[BaseModel] = m.BudgetModel, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every field of the model as a path pattern (list items ``[]``, fixed mapping keys by name, free keys
    ``[]``); sub-models yield their own path and their fields'."""
    for name, info in cls.model_fields.items():
        path = (*prefix, name)
        yield path
        yield from _type_fields(peel(info.annotation)[0], path)


def _type_fields(tp: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if is_model(tp):
        yield from model_fields(tp, path)
    elif typing.get_origin(tp) is list:
        item = peel(typing.get_args(tp)[0])[0]
        if not is_scalar(item):
            yield (*path, "[]")
            yield from _type_fields(item, (*path, "[]"))
    elif typing.get_origin(tp) is dict:
        keys = literal_keys(tp)
        value = peel(typing.get_args(tp)[1])[0]
        for key in keys or ("[]",):
            if keys is not None or not is_scalar(value):
                yield (*path, key)
            yield from _type_fields(value, (*path, key))


@dataclass(frozen=True)
class Coverage:
    placed: dict[tuple[str, ...], Placement] = field(default_factory=dict)
    generic: tuple[tuple[str, ...], ...] = ()


def coverage() -> Coverage:
    """Which fields the dedicated sheets hold, and which only the generic sheet 其他 can.  A sub-model or a
    collection counts as held when some field under it is (its other fields are listed on their own)."""
    placed = {p.path: p for p in placements()}
    containers = {path[:n] for path in placed for n in range(1, len(path))}
    generic = tuple(path for path in model_fields() if path not in placed and path not in containers)
    return Coverage(placed, generic)


def pattern_of(path: ModelPath) -> tuple[str, ...]:
    """The pattern of a concrete path, as :func:`model_fields` names it: list items and free mapping keys ``[]``."""
    out: list[str] = []
    tp: Any = m.BudgetModel
    for element in path:
        if is_model(tp) and isinstance(element, str) and element in tp.model_fields:
            out.append(element)
            tp = peel(tp.model_fields[element].annotation)[0]
        elif typing.get_origin(tp) is list:
            out.append("[]")
            tp = peel(typing.get_args(tp)[0])[0]
        elif typing.get_origin(tp) is dict:
            out.append(str(element) if literal_keys(tp) is not None else "[]")
            tp = peel(typing.get_args(tp)[1])[0]
        else:
            out.append("[]" if isinstance(element, int) else str(element))
    return tuple(out)


# --------------------------------------------------------------------------- the generic sheet

#: Headers of the generic sheet 其他.
GENERIC_HEADERS = ("字段", "值", "说明")

_PATH_TOKEN = re.compile(r'\.?([^\s.\[\]"\']+)|\[(\d+)\]|\["([^"]*)"\]')


def format_model_path(path: ModelPath) -> str:
    """``('budget', 'lines', 3, 'amount')`` → ``budget.lines[3].amount`` (as errors print paths)."""
    from ..load import format_path

    return format_path(path)


def format_pattern(path: tuple[str | int, ...]) -> str:
    """A path through every item of its lists: ``('projects', '[]', 'name')`` → ``projects[].name`` (the guide)."""
    return "".join(f"{p}" if p == "[]" else f".{p}" for p in path).lstrip(".")


def parse_model_path(text: str) -> ModelPath:
    """``budget.lines[3].amount`` → ``('budget', 'lines', 3, 'amount')``; the inverse of :func:`format_model_path`."""
    text = text.strip()
    out: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PATH_TOKEN.match(text, position)
        if match is None or match.end() == position or (match.group(1) and position and text[position] != "."):
            raise ValueError(text)
        name, index, quoted = match.groups()
        out.append(int(index) if index is not None else quoted if quoted is not None else name)
        position = match.end()
    if not out:
        raise ValueError(text)
    return tuple(out)
