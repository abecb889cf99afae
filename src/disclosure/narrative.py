"""第三部分 情况说明: the sentences of the twelve sections, as pure functions of tables and model (DESIGN.md §5).

Every figure in a sentence is read from a derived table (or, for last year's
figures and 政府采购, converted to 万元 once, like a table cell), never
recomputed differently.  The wording is the profile's (``phrases:`` in
``profiles/shanxi-13.yaml``); this module decides which pattern a condition
selects.  ``docs/narrative.md`` lists every pattern with its condition.

Rules every section follows:

* change on last year: increase → 比上年增加X万元，增长Y%; decrease → 比上年
  减少X万元，下降Y%; equal → 与上年持平; last year 0 → 比上年增加X万元 (no rate);
  no last-year figure → no comparison at all; the user's reason follows a
  change (主要原因是…), never an unchanged figure;
* shares of one breakdown add up to exactly 100.00% (largest remainder), a
  share of a zero whole is 0%;
* zero or absent items are phrased (本单位无"三公"经费预算。, 主要包括：无).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from . import money
from .model import BudgetModel, Comparison
from .numerals import chinese_number
from .profile import Profile, fill_placeholders, load_profile, unit_placeholders
from .tables import THREE_PUBLIC_ITEMS, BalanceTable, Row, Tables

# --------------------------------------------------------------------------- structures


@dataclass(frozen=True)
class Block:
    """A paragraph of a section, or a subheading such as （一）一般公共预算当年支出规模变化情况."""

    text: str
    kind: Literal["paragraph", "subheading"] = "paragraph"


@dataclass(frozen=True)
class Section:
    number: int
    heading: str
    blocks: tuple[Block, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Narrative:
    sections: dict[int, Section] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # e.g. shares adjusted to add up to 100.00%


# --------------------------------------------------------------------------- phrasing helpers

@dataclass(frozen=True)
class Writer:
    """What every section function needs: the model, its tables and the profile's wording."""

    model: BudgetModel
    tables: Tables
    profile: Profile
    notes: list[str] = field(default_factory=list)

    def phrase(self, key: str, **values: object) -> str:
        common = unit_placeholders(self.model.unit)
        common["subject"] = fill_placeholders(self.profile.phrase("subject"), common)
        common["subject_short"] = fill_placeholders(self.profile.phrase("subject_short"), common)
        return fill_placeholders(self.profile.phrase(key), {**common, **values})

    def class_name(self, row: Row) -> str:
        """The name of a 类 row's code (一般公共服务支出), not its printed label (一、一般公共服务支出)."""
        return self.tables.context.names.of_function(row.code)

    def last_year_wan(self, comparison: Comparison) -> Decimal:
        """Last year's figure in printed 万元 (rounded once, like a table cell)."""
        return money.yuan_to_wan(self.model.yuan(comparison.amount))

    def change(self, this_year: Decimal, comparison: Comparison | None, *, reason: bool = True) -> str:
        """``，比上年增加11.50万元，增长1.31%，主要原因是…`` or ``""`` without a last-year figure."""
        if comparison is None:
            return ""
        last = self.last_year_wan(comparison)
        delta = this_year - last
        rate = money.change_rate(this_year, last)
        if delta == 0:
            text = self.phrase("change_unchanged")
        elif delta > 0:
            key = "change_increase" if rate is not None else "change_increase_from_zero"
            text = self.phrase(key, delta=money.wan(delta), rate=money.percent(rate or Decimal(0)))
        else:
            text = self.phrase("change_decrease", delta=money.wan(-delta), rate=money.percent(rate or Decimal(0)))
        because = (comparison.reason or "").strip().rstrip("。")  # the sentence ends with its own 。
        if delta != 0 and reason and because:
            text += "，" + self.phrase("change_reason", reason=because)
        return "，" + text

    def shares(self, parts: Sequence[Decimal], what: str) -> list[str]:
        """Printed shares of ``parts`` in their sum, adding up to 100.00% (largest remainder)."""
        shares, adjusted = money.shares_summing_to_100(parts)
        if adjusted:
            self.notes.append(f"{what}: shares adjusted by the largest-remainder method to add up to 100.00%")
        return [money.percent(s) for s in shares]


def _nonzero(rows: Sequence[Row], index: int = 0) -> list[Row]:
    return [r for r in rows if r.amount(index) != 0]


# --------------------------------------------------------------------------- sections 一 … 十二


def section_changes(w: Writer) -> list[Block]:
    """一、收支数据变动情况及原因: totals of table 1, this year vs 上年结转, change on last year with the reason."""
    t1 = w.tables.summary
    income_total = t1.footer_row("收入总计").amount(0)
    spending = t1.footer_row("本年支出合计")
    spending_total = t1.footer_row("支出总计").amount(0)
    comparison = w.model.last_year.total
    return [
        Block(
            w.phrase(
                "totals",
                income_total=money.wan(income_total),
                income_current=money.wan(t1.footer_row("本年收入合计").amount(0)),
                income_carry_over=money.wan(t1.footer_row("上年结转").amount(0)),
                income_change=w.change(income_total, comparison),
                spending_total=money.wan(spending_total),
                spending_current=money.wan(spending.amount(1)),
                spending_carry_over=money.wan(spending.amount(2)),
                spending_change=w.change(spending_total, comparison),
            )
        )
    ]


def section_income(w: Writer) -> list[Block]:
    """二、收入预算情况说明: 收入总计 and each source of table 1 (and 上年结转) with its share."""
    t1 = w.tables.summary
    amounts = [row.amount(0) for row in t1.income] + [t1.footer_row("上年结转").amount(0)]
    labels = w.profile.phrase_list("income_labels")
    shares = w.shares(amounts, "二、收入预算")
    items = "；".join(
        w.phrase("income_item", label=label, amount=money.wan(amount), share=share)
        for label, amount, share in zip(labels, amounts, shares)
    )
    return [Block(w.phrase("income", total=money.wan(t1.footer_row("收入总计").amount(0)), items=items))]


def section_spending(w: Writer) -> list[Block]:
    """三、支出预算情况说明: table 3's 合计 split into 基本支出 and 项目支出 with shares."""
    t3 = w.tables.expenditure
    basic, project = t3.total("basic"), t3.total("project")
    basic_share, project_share = w.shares([basic, project], "三、支出预算")
    return [
        Block(
            w.phrase(
                "spending",
                total=money.wan(t3.total("total")),
                basic=money.wan(basic),
                basic_share=basic_share,
                project=money.wan(project),
                project_share=project_share,
            )
        )
    ]


def section_fiscal(w: Writer) -> list[Block]:
    """四、财政拨款收支预算总体情况说明: table 4's total by fiscal source, this year vs 上年结转, the classes spent on."""
    t4: BalanceTable = w.tables.fiscal_summary
    total = t4.footer_row("收入总计").amount(0)
    if total == 0:
        return [Block(w.phrase("fiscal_none"))]
    by_source = t4.footer_row("支出总计").amounts  # 小计, 一般公共预算, 政府性基金预算, 国有资本经营预算
    classes = "、".join(
        w.phrase("fiscal_class", name=w.class_name(row), amount=money.wan(row.amount(0))) for row in _nonzero(t4.expenditure)
    )
    return [
        Block(
            w.phrase(
                "fiscal",
                total=money.wan(total),
                general=money.wan(by_source[1]),
                fund=money.wan(by_source[2]),
                state_capital=money.wan(by_source[3]),
                current=money.wan(t4.footer_row("本年收入合计").amount(0)),
                carry_over=money.wan(t4.footer_row("上年财政拨款结转").amount(0)),
                classes=classes + w.profile.phrase("fiscal_classes_tail"),
            )
        )
    ]


def section_general_public(w: Writer) -> list[Block]:
    """五、一般公共预算支出情况说明: (一) table 5's 合计 and its change; (二) its classes (类 rows) with shares."""
    t5 = w.tables.general_public
    total = t5.total("total")
    classes = [r for r in t5.rows if r.level == 1 and r.amount(0) != 0]
    shares = w.shares([r.amount(0) for r in classes], "五、一般公共预算支出结构")
    structure = "；".join(
        w.phrase("general_class", name=w.class_name(r), amount=money.wan(r.amount(0)), share=s)
        for r, s in zip(classes, shares)
    ) or w.phrase("none")
    return [
        Block(w.phrase("general_scale_heading"), "subheading"),
        Block(w.phrase("general_scale", total=money.wan(total),
                       change=w.change(total, w.model.last_year.general_public_current))),
        Block(w.phrase("general_structure_heading"), "subheading"),
        Block(w.phrase("general_structure", total=money.wan(total), classes=structure)),
    ]


def section_basic(w: Writer) -> list[Block]:
    """六、一般公共预算基本支出情况说明: table 6's 人员经费 and 公用经费 with their non-zero 款 (主要包括…)."""
    t6 = w.tables.basic_by_economic

    def items(column: int) -> str:
        names = [w.tables.context.names.of_economic(r.code) for r in t6.rows if r.level == 2 and r.amount(column) != 0]
        return "、".join(names) or w.phrase("none")

    return [
        Block(w.phrase("basic", total=money.wan(t6.total("total")))),
        Block(w.phrase("basic_personnel", amount=money.wan(t6.total("personnel")), items=items(1))),
        Block(w.phrase("basic_public", amount=money.wan(t6.total("public")), items=items(2))),
    ]


def section_three_public(w: Writer) -> list[Block]:
    """七、"三公"经费: table 10's 合计 and each item, change on last year (and per item when last year's items are given)."""
    t10 = w.tables.three_public
    total = t10.total("total")
    if total == 0:
        return [Block(w.phrase("three_public_none"))]
    last = w.model.last_year.three_public
    values: dict[str, object] = {
        "total": money.wan(total),
        "change": w.change(total, last),
        "vehicles": money.wan(t10.find(label="公务用车购置及运行费").amount(0)),  # type: ignore[union-attr]
    }
    for key, label in THREE_PUBLIC_ITEMS:
        amount = t10.find(label=label).amount(0)  # type: ignore[union-attr]
        values[key] = money.wan(amount)
        item_last = getattr(last.items, key) if last is not None and last.items is not None else None
        values[f"{key}_change"] = w.change(amount, Comparison(amount=item_last), reason=False) if item_last is not None else ""
    return [Block(w.phrase("three_public", **values))]


def section_operating_costs(w: Writer) -> list[Block]:
    """八、机关运行经费: table 11's 部门合计 and its change on last year."""
    total = w.tables.operating_costs.total("total")
    if total == 0:
        return [Block(w.phrase("operating_costs_none"))]
    return [Block(w.phrase("operating_costs", total=money.wan(total),
                           change=w.change(total, w.model.last_year.operating_costs)))]


def section_procurement(w: Writer) -> list[Block]:
    """九、政府采购情况: total, then goods, works and services."""
    p = w.tables.procurement
    return [Block(w.phrase("procurement", total=money.wan(p.total), goods=money.wan(p.goods),
                           works=money.wan(p.works), services=money.wan(p.services)))]


def section_performance(w: Writer) -> list[Block]:
    """十、绩效管理情况: the overall target over 支出总计; projects of table 12 counted and summed by category."""
    model, t12 = w.model, w.tables.projects_current
    blocks = [Block(w.phrase("overall_heading"), "subheading")]
    if model.performance.overall_target:
        total = w.tables.summary.footer_row("支出总计").amount(0)
        blocks += [Block(w.phrase("overall", total=money.wan(total))), Block(w.phrase("overall_note"))]
    else:
        blocks.append(Block(w.phrase("overall_none")))
    blocks.append(Block(w.phrase("projects_heading"), "subheading"))
    rows = {r.label: r for r in t12.rows if r.level == 2}
    projects = [p for p in model.projects if p.name in rows and rows[p.name].amount(0) != 0]
    if not projects:
        blocks.append(Block(w.phrase("projects_none")))
        return blocks
    published = [p for p in projects if p.performance is not None]
    order = w.profile.performance_sheet.categories if w.profile.performance_sheet else []

    def by_category(chosen: list, key: str) -> str:
        categories = [c for c in order if any(p.category.value == c for p in chosen)]
        categories += sorted({p.category.value for p in chosen} - set(categories))
        return "；".join(
            w.phrase(key, category=c, count=sum(p.category.value == c for p in chosen),
                     amount=money.wan(money.total(rows[p.name].amount(0) for p in chosen if p.category.value == c)))
            for c in categories
        )

    total = money.total(rows[p.name].amount(0) for p in projects)
    published_total = money.total(rows[p.name].amount(0) for p in published)
    blocks.append(
        Block(
            w.phrase(
                "projects",
                count=len(projects),
                total=money.wan(total),
                categories=by_category(projects, "projects_category"),
                published_count=len(published),
                published_total=money.wan(published_total),
                published_share=money.percent(money.share(published_total, t12.rows[0].amount(0))),
                published_categories=by_category(published, "projects_published_category") or w.phrase("none"),
            )
        )
    )
    blocks.append(Block(w.phrase("projects_note")))
    return blocks


def _area(value: Decimal) -> str:
    return f"{value.normalize():f}" if value != value.to_integral_value() else str(int(value))


def section_assets(w: Writer) -> list[Block]:
    """十一、国有资产占有使用情况: vehicles by kind, office area, equipment over 50万/100万, at 31 December last year."""
    model = w.model
    assets = model.assets
    as_of = assets.as_of
    when = (f"{as_of.year}年{as_of.month}月{as_of.day}日" if as_of is not None
            else f"{model.unit.fiscal_year - 1}年12月31日")
    v = assets.vehicles
    return [
        Block(w.phrase("vehicles_heading"), "subheading"),
        Block(w.phrase("vehicles", as_of=when, **v.model_dump())),
        Block(w.phrase("buildings_heading"), "subheading"),
        Block(w.phrase("buildings", as_of=when, area=_area(assets.office_area_m2))),
        Block(w.phrase("equipment_heading"), "subheading"),
        Block(w.phrase("equipment", as_of=when, over_500k=assets.equipment_over_500k, over_1m=assets.equipment_over_1m)),
    ]


def section_other(w: Writer) -> list[Block]:
    """十二、其他说明: (一) 政府购买服务 (the user's text, or the none phrase); (二) other notes."""
    model = w.model
    purchase = model.government_purchase or w.phrase("purchase_none")
    others = [Block(text) for text in model.other_notes] or [Block(w.phrase("other_none"))]
    return [
        Block(w.phrase("purchase_heading"), "subheading"),
        *(Block(p) for p in purchase.split("\n") if p.strip()),
        Block(w.phrase("other_heading"), "subheading"),
        *others,
    ]


#: The condition that selects each phrase of a profile, by section; docs/narrative.md is generated from it.
PHRASE_CONDITIONS: dict[str, tuple[str, str]] = {
    "subject": ("all", "subject of most sentences"),
    "subject_short": ("all", "subject of 九 and 十 (the reference writes 2024年 there, not 2024年度)"),
    "change_increase": ("一 五 七 八", "this year above last year, last year not zero"),
    "change_increase_from_zero": ("一 五 七 八", "last year's figure is zero and this year's is not (no rate)"),
    "change_decrease": ("一 五 七 八", "this year below last year"),
    "change_unchanged": ("一 五 七 八", "this year equals last year (no reason is printed)"),
    "change_reason": ("一 五 七 八", "a change, and the model gives last_year.….reason"),
    "none": ("五 六 十", "an empty list of classes or items (主要包括：无)"),
    "totals": ("一", "always; the change clauses are empty without last_year.total"),
    "income": ("二", "always"),
    "income_item": ("二", "each source of table 1 and 上年结转, zero ones included"),
    "income_labels": ("二", "the labels of the six income items, in order"),
    "spending": ("三", "always"),
    "fiscal": ("四", "财政拨款 total (table 4) is not zero"),
    "fiscal_class": ("四", "each class of table 4 with a non-zero 小计"),
    "fiscal_classes_tail": ("四", "after the list of classes"),
    "fiscal_none": ("四", "财政拨款 total is zero"),
    "general_scale_heading": ("五", "always"),
    "general_scale": ("五", "always; the change clause is empty without last_year.general_public_current"),
    "general_structure_heading": ("五", "always"),
    "general_structure": ("五", "always; classes are table 5's 类 rows, or the none phrase"),
    "general_class": ("五", "each non-zero 类 of table 5, with its share of table 5's 合计"),
    "basic": ("六", "always"),
    "basic_personnel": ("六", "always; items are table 6's non-zero 款 of classes 301 and 303, or none"),
    "basic_public": ("六", "always; items are table 6's other non-zero 款, or none"),
    "three_public_none": ("七", "table 10's 合计 is zero"),
    "three_public": ("七", "table 10's 合计 is not zero; per-item changes need last_year.three_public.items"),
    "operating_costs_none": ("八", "table 11's 部门合计 is zero"),
    "operating_costs": ("八", "table 11's 部门合计 is not zero"),
    "procurement": ("九", "always (zero amounts are printed, as the reference does)"),
    "overall_heading": ("十", "always"),
    "overall": ("十", "performance.overall_target is true; the amount is table 1's 支出总计"),
    "overall_none": ("十", "performance.overall_target is false"),
    "overall_note": ("十", "performance.overall_target is true"),
    "projects_heading": ("十", "always"),
    "projects": ("十", "table 12 has projects with money this year"),
    "projects_category": ("十", "each category with projects, in the profile's category order"),
    "projects_published_category": ("十", "each category with published sheets"),
    "projects_none": ("十", "table 12 has no project with money this year"),
    "projects_note": ("十", "table 12 has projects"),
    "vehicles_heading": ("十一", "always"),
    "vehicles": ("十一", "always, at assets.as_of or 31 December of the previous year"),
    "buildings_heading": ("十一", "always"),
    "buildings": ("十一", "always"),
    "equipment_heading": ("十一", "always"),
    "equipment": ("十一", "always"),
    "purchase_heading": ("十二", "always"),
    "purchase_none": ("十二", "the model gives no government_purchase text"),
    "other_heading": ("十二", "always"),
    "other_none": ("十二", "the model gives no other_notes"),
}


SECTION_WRITERS: dict[int, Callable[[Writer], list[Block]]] = {
    1: section_changes,
    2: section_income,
    3: section_spending,
    4: section_fiscal,
    5: section_general_public,
    6: section_basic,
    7: section_three_public,
    8: section_operating_costs,
    9: section_procurement,
    10: section_performance,
    11: section_assets,
    12: section_other,
}


def narrate(model: BudgetModel, tables: Tables, profile: Profile | None = None) -> Narrative:
    """The sections of 第三部分 the profile names, numbered 一、二、… with cn2an."""
    profile = profile or load_profile(model.report.profile)
    writer = Writer(model, tables, profile)
    sections = {}
    for number, title in profile.sections.items():
        heading = f"{chinese_number(number)}、{fill_placeholders(title, unit_placeholders(model.unit))}"
        sections[number] = Section(number, heading, tuple(SECTION_WRITERS[number](writer)))
    return Narrative(sections, tuple(writer.notes))
