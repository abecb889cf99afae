"""The report's prose: the sentences of every section, as pure functions of tables and model (DESIGN.md §5).

A profile lists its prose sections (``sections:``), each with a heading and a *writer*, and the
sentence patterns (``phrases:``).  A writer — a function of this module, :data:`SECTION_WRITERS` —
decides which pattern a condition selects and fills it with figures read from the derived tables;
the wording is the profile's.  ``docs/narrative.md`` lists every writer, pattern and condition.

Figures: a sentence's amount is, by the profile's ``prose_totals``, either the table's printed
figure (``printed``: a sum of lines each rounded once, as the Shanxi form prints) or the exact total
rounded once (``exact``: the Shanghai form, whose tables print 元).  Either way every share, rate
and change is computed from the figures *as printed* in the sentence, so a reader recomputing
part ÷ whole × 100 (rounded half up to 2 places) gets the printed share — shares are never
adjusted to add up to 100.00%.

Rules every section follows:

* change on last year: increase → 比上年增加X万元，增长Y%; decrease → 比上年减少X万元，下降Y%;
  equal → 与上年持平; last year 0 → 比上年增加X万元 (no rate); no last-year figure → no
  comparison at all; the user's reason follows a change (主要原因是…), and follows an unchanged
  figure only where the profile has a ``change_reason_unchanged`` pattern;
* a share of a zero whole is 0%;
* zero or absent items are phrased (本单位无"三公"经费预算。, 主要包括：无) where the profile has the
  pattern for it (``*_none``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

from . import money
from .model import FISCAL_SOURCES, BudgetModel, Comparison, FundingSource
from .money import NumberFormat, Scale
from .profile import Profile, fill_placeholders, load_profile, report_placeholders
from .tables import THREE_PUBLIC_ITEMS, VEHICLES_LABEL, Atom, BalanceTable, Row, Tables, unit_counts

# --------------------------------------------------------------------------- structures


@dataclass(frozen=True)
class Block:
    """A paragraph of a section, or a subheading such as （一）一般公共预算当年支出规模变化情况."""

    text: str
    kind: Literal["paragraph", "subheading"] = "paragraph"


@dataclass(frozen=True)
class Section:
    number: int | str
    heading: str
    blocks: tuple[Block, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Narrative:
    sections: dict[int | str, Section] = field(default_factory=dict)
    #: 概况's sentence naming a 部门's units (the profile's ``included_units``), "" when there is none
    included_units: str = ""


# --------------------------------------------------------------------------- phrasing helpers


@dataclass
class Writer:
    """What every section function needs: the model, its tables at the prose scale and the profile's wording."""

    model: BudgetModel
    tables: Tables
    profile: Profile
    prose: NumberFormat = field(default_factory=lambda: NumberFormat(zero="0"))
    common: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        level = self.model.unit.level
        self.common = {**report_placeholders(self.model, self.profile),
                       "basis": self.model.last_year.basis}
        for key in ("subject", "subject_short"):
            if self.profile.has_phrase(key, level):
                self.common[key] = fill_placeholders(self.profile.phrase(key, level), self.common)

    @property
    def level(self) -> str:
        return self.model.unit.level

    @property
    def legacy(self) -> bool:
        """A profile of version 0.1: change clauses carry their leading ， and the reason."""
        return self.profile.version == 1

    def has(self, key: str) -> bool:
        return self.profile.has_phrase(key, self.level)

    @cached_property
    def tables_in_prose_unit(self) -> Tables:
        """The tables with each figure rounded once to the sentences' places: what a table printed in the
        sentences' unit shows (三公 and 机关运行经费 in 万元), which its sentence repeats — also where the
        profile's other sentences round exact totals once (``prose_totals: exact``)."""
        return self.tables.at(Scale(self.prose.unit, self.prose.places))

    def phrase(self, key: str, **values: object) -> str:
        return fill_placeholders(self.profile.phrase(key, self.level), {**self.common, **values})

    def blocks(self, key: str, kind: Literal["paragraph", "subheading"] = "paragraph", **values: object) -> list[Block]:
        """The filled pattern ``key`` as paragraphs: a line break in the pattern starts a new paragraph."""
        return [Block(line, kind) for line in self.phrase(key, **values).split("\n") if line.strip()]

    # figures ------------------------------------------------------------------

    def figure(self, value: Decimal) -> Decimal:
        """A figure as the sentence prints it (rounded half up to the prose format's places)."""
        return money.round_half_up(value, Decimal(1).scaleb(-self.prose.places))

    def money(self, value: Decimal) -> str:
        """A figure as printed in a sentence (``887.70``, ``18,976.76``, zero as the profile says)."""
        return self.prose.format(self.figure(value))

    def last_year_figure(self, amount: Decimal) -> Decimal:
        """Last year's figure as printed (in the prose unit, rounded once)."""
        return self.figure(self.tables.scale.of(self.model.yuan(amount)))

    def share(self, part: Decimal, whole: Decimal) -> str:
        """``part / whole`` of the two figures *as printed*, half up to 2 places (a reader's recomputation)."""
        part = self.figure(part)
        return money.percent(money.share(part, self.figure(whole)), of_something=part != 0)

    def class_name(self, row: Row) -> str:
        """The name of a 类 row's code (一般公共服务支出), not its printed label (一、一般公共服务支出)."""
        return self.tables.context.names.of_function(row.code)

    # changes ------------------------------------------------------------------

    def change(self, this_year: Decimal, last: Decimal | None, reason: str | None = None) -> tuple[str, str]:
        """(change clause, reason clause) of a figure against last year's; ``("", "")`` without last year's.

        The change clause is ``比上年增加X万元，增长Y%`` (the profile's ``change_*`` patterns), the reason clause
        ``主要原因是…`` (``change_reason``); an unchanged figure has no reason clause unless the profile has
        ``change_reason_unchanged``.
        """
        if last is None:
            return "", ""
        this_year = self.figure(this_year)
        delta = this_year - last
        rate = money.change_rate(this_year, last)
        values = {"delta": self.money(abs(delta)), "rate": money.percent(rate or Decimal(0), of_something=delta != 0),
                  "last": self.money(last)}
        if delta == 0:
            text = self.phrase("change_unchanged", **values)
        elif delta > 0:
            text = self.phrase("change_increase" if rate is not None else "change_increase_from_zero", **values)
        else:
            text = self.phrase("change_decrease", **values)
        because = (reason or "").strip().rstrip(_CLOSING_PUNCTUATION)  # the pattern gives the clause its own
        if not because:
            return text, ""
        if delta == 0:
            key = "change_reason_unchanged"
            return text, (self.phrase(key, reason=because) if self.has(key) else "")
        return text, self.phrase("change_reason", reason=because)

    def had_last_year(self, comparison: Comparison | None) -> bool:
        """Last year's figure is given and prints as more than zero: a figure that fell to zero this year is
        then a decrease to explain (比上年减少…，下降100%，主要原因是…), not a ``*_none`` sentence."""
        return comparison is not None and self.last_year_figure(comparison.amount) != 0

    def compared(self, this_year: Decimal, comparison: Comparison | None, prefix: str = "") -> dict[str, str]:
        """:meth:`versus` last year's :class:`Comparison` (its amount and reason), or nothing to compare with."""
        if comparison is None:
            return self.versus(this_year, None, None, prefix)
        return self.versus(this_year, comparison.amount, comparison.reason, prefix)

    def versus(self, this_year: Decimal, last_yuan: Decimal | None, reason: str | None, prefix: str) -> dict[str, str]:
        """The placeholders ``{<prefix>change}`` and ``{<prefix>reason}`` of a figure against last year's (an
        amount of the model, or None). Profiles of version 0.1 get ``{<prefix>change}`` = ``，change，reason``
        (their patterns have no optional groups)."""
        last = self.last_year_figure(last_yuan) if last_yuan is not None else None
        return self.against(this_year, last, reason, prefix)

    def against(self, this_year: Decimal, last: Decimal | None, reason: str | None, prefix: str) -> dict[str, str]:
        """:meth:`versus` with last year's figure as printed (None: nothing to compare with)."""
        change, because = self.change(this_year, last, reason)
        if self.legacy:
            return {f"{prefix}change": "".join(f"，{p}" for p in (change, because) if p), f"{prefix}reason": because}
        return {f"{prefix}change": change, f"{prefix}reason": because}


#: what a user's reason may end with that the sentence adds itself (主要原因是…；。 would print twice)
_CLOSING_PUNCTUATION = "。；;，,、．.！!？? \u3000"


def _nonzero(rows: Sequence[Row], index: int = 0) -> list[Row]:
    return [r for r in rows if r.amount(index) != 0]


def _sum(w: Writer, atoms: Sequence[Atom]) -> Decimal:
    return w.tables.context.sum(atoms)


# --------------------------------------------------------------------------- the Shanxi form's sections 一 … 十二


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
                income_total=w.money(income_total),
                income_current=w.money(t1.footer_row("本年收入合计").amount(0)),
                income_carry_over=w.money(t1.footer_row("上年结转").amount(0)),
                **w.compared(income_total, comparison, "income_"),
                spending_total=w.money(spending_total),
                spending_current=w.money(spending.amount(1)),
                spending_carry_over=w.money(spending.amount(2)),
                **w.compared(spending_total, comparison, "spending_"),
            )
        )
    ]


def _unit_fund_kinds(w: Writer) -> str:
    """单位资金 by kind (事业收入…), this year's money, as the profile's ``income_unit_kinds`` clause."""
    if not w.has("income_unit_kinds"):
        return ""
    named = [w.phrase("income_unit_kind", label=source.value, amount=w.money(amount))
             for source, amount in w.tables.unit_fund_kinds().items() if amount]
    return w.phrase("income_unit_kinds", kinds="，".join(named)) if named else ""


def section_income(w: Writer) -> list[Block]:
    """二、收入预算情况说明: 收入总计 and each source of table 1 (and 上年结转) with its share of the total;
    单位资金 names its kinds (事业收入, 事业单位经营收入, …) that are not zero."""
    t1 = w.tables.summary
    amounts = [row.amount(0) for row in t1.income] + [t1.footer_row("上年结转").amount(0)]
    total = t1.footer_row("收入总计").amount(0)
    labels = w.profile.phrase_list("income_labels", w.level)
    items = []
    for index, (label, amount) in enumerate(zip(labels, amounts)):
        item = w.phrase("income_item", label=label, amount=w.money(amount), share=w.share(amount, total))
        if index == 4:  # 单位资金
            item += _unit_fund_kinds(w)
        items.append(item)
    return [Block(w.phrase("income", total=w.money(total), items="；".join(items)))]


def section_spending(w: Writer) -> list[Block]:
    """三、支出预算情况说明: table 3's 合计 split into 基本支出 and 项目支出 with shares."""
    t3 = w.tables.expenditure
    total, basic, project = t3.total("total"), t3.total("basic"), t3.total("project")
    return [
        Block(
            w.phrase(
                "spending",
                total=w.money(total),
                basic=w.money(basic),
                basic_share=w.share(basic, total),
                project=w.money(project),
                project_share=w.share(project, total),
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
        w.phrase("fiscal_class", name=w.class_name(row), amount=w.money(row.amount(0))) for row in _nonzero(t4.expenditure)
    )
    return [
        Block(
            w.phrase(
                "fiscal",
                total=w.money(total),
                general=w.money(by_source[1]),
                fund=w.money(by_source[2]),
                state_capital=w.money(by_source[3]),
                current=w.money(t4.footer_row("本年收入合计").amount(0)),
                carry_over=w.money(t4.footer_row("上年财政拨款结转").amount(0)),
                classes=classes + w.phrase("fiscal_classes_tail"),
            )
        )
    ]


def section_general_public(w: Writer) -> list[Block]:
    """五、一般公共预算支出情况说明: (一) table 5's 合计 and its change; (二) its classes (类 rows) with shares."""
    t5 = w.tables.general_public
    total = t5.total("total")
    classes = [r for r in t5.rows if r.level == 1 and r.amount(0) != 0]
    structure = "；".join(
        w.phrase("general_class", name=w.class_name(r), amount=w.money(r.amount(0)), share=w.share(r.amount(0), total))
        for r in classes
    ) or w.phrase("none")
    return [
        Block(w.phrase("general_scale_heading"), "subheading"),
        Block(w.phrase("general_scale", total=w.money(total),
                       **w.compared(total, w.model.last_year.general_public_current))),
        Block(w.phrase("general_structure_heading"), "subheading"),
        Block(w.phrase("general_structure", total=w.money(total), classes=structure)),
    ]


def section_basic(w: Writer) -> list[Block]:
    """六、一般公共预算基本支出情况说明: table 6's 人员经费 and 公用经费 with their non-zero 款 (主要包括…)."""
    t6 = w.tables.basic_by_economic

    def items(column: int) -> str:
        names = [w.tables.context.names.of_economic(r.code) for r in t6.rows if r.level == 2 and r.amount(column) != 0]
        return "、".join(dict.fromkeys(names)) or w.phrase("none")

    return [
        Block(w.phrase("basic", total=w.money(t6.total("total")))),
        Block(w.phrase("basic_personnel", amount=w.money(t6.total("personnel")), items=items(1))),
        Block(w.phrase("basic_public", amount=w.money(t6.total("public")), items=items(2))),
    ]


def _three_public_figures(w: Writer) -> dict[str, Decimal]:
    """三公 by item (and 公务用车购置及运行费, 合计) as table 10 prints them in 万元 (its 合计 column): the
    sentence's total is the sum of the items it lists."""
    t10 = w.tables_in_prose_unit.three_public
    figures = {row.code: row.amount(0) for row in t10.rows if row.code}
    figures["total"] = t10.total("total")
    return figures


def _three_public_exact(model: BudgetModel) -> dict[str, Decimal]:
    """三公 by item (and 公务用车购置及运行费, 合计) in exact 元, summed over the fiscal sources."""
    exact = {key: money.total(model.yuan(getattr(costs, key)) for costs in model.three_public.values())
             for key, _ in THREE_PUBLIC_ITEMS}
    exact["vehicles"] = exact["vehicle_purchase"] + exact["vehicle_operation"]
    exact["total"] = money.total(exact[key] for key, _ in THREE_PUBLIC_ITEMS)
    return exact


def _three_public_last_year(w: Writer, figures: dict[str, Decimal]) -> dict[str, Decimal | None]:
    """Last year's 三公, by the keys of ``figures``, as this year's are printed: each item rounded once — or this
    year's figure when the amounts are equal in 元 (持平, though this year's sources round apart) — and the
    subtotal and total the sums of those items, so that the total's change is the sum of the items' changes.
    Without last year's items, its total rounded once (this year's when equal in 元). None where last year
    gives nothing to compare with."""
    last = w.model.last_year.three_public
    lasts: dict[str, Decimal | None] = {key: None for key in figures}
    if last is None:
        return lasts
    exact = _three_public_exact(w.model)
    if last.items is None:
        equal = exact["total"] == w.model.yuan(last.amount)
        lasts["total"] = figures["total"] if equal else w.last_year_figure(last.amount)
        return lasts
    items = {}
    for key, _ in THREE_PUBLIC_ITEMS:
        amount = getattr(last.items, key)
        items[key] = figures[key] if exact[key] == w.model.yuan(amount) else w.last_year_figure(amount)
    lasts.update(items)
    lasts["vehicles"] = items["vehicle_purchase"] + items["vehicle_operation"]
    lasts["total"] = money.total(items.values())
    return lasts


def section_three_public(w: Writer) -> list[Block]:
    """"三公"经费: table 10's 合计 and each item, each with its change on last year (per item only when last
    year's items are given) and, where the profile prints them, per-item reasons."""
    figures = _three_public_figures(w)
    total = figures["total"]
    last = w.model.last_year.three_public
    if total == 0 and not w.had_last_year(last) and w.has("three_public_none"):
        return w.blocks("three_public_none")
    lasts = _three_public_last_year(w, figures)
    values: dict[str, object] = {"total": w.money(total),
                                 **w.against(total, lasts["total"], last.reason if last else None, "")}
    for key in [*(key for key, _ in THREE_PUBLIC_ITEMS), "vehicles"]:
        values[key] = w.money(figures[key])
        reason = getattr(last.reasons, key) if last is not None else None
        values.update(w.against(figures[key], lasts[key], reason, f"{key}_"))
        if w.legacy:  # 0.1 printed an item's change without its reason
            values[f"{key}_change"] = (f"，{w.change(figures[key], lasts[key])[0]}" if lasts[key] is not None else "")
    values["vehicles_label"] = VEHICLES_LABEL
    return w.blocks("three_public", **values)


def section_operating_costs(w: Writer) -> list[Block]:
    """机关运行经费: table 11's 部门合计 as printed (万元), its change on last year, and (部门) the counts of 机关
    and 参公事业单位."""
    total = w.tables_in_prose_unit.operating_costs.total("total")
    last = w.model.last_year.operating_costs
    if total == 0 and not w.had_last_year(last) and w.has("operating_costs_none"):
        return w.blocks("operating_costs_none")
    counts = unit_counts(w.model)
    return w.blocks("operating_costs", total=w.money(total), **w.compared(total, last),
                    administrative_count=_count(counts["administrative"]),
                    civil_service_count=_count(counts["civil_service_institutions"]))


def section_procurement(w: Writer) -> list[Block]:
    """政府采购: total, then goods, works and services; the amounts reserved for 中小企业 and 小型和微型企业."""
    p = w.tables.procurement
    return w.blocks("procurement", total=w.money(p.total), goods=w.money(p.goods), works=w.money(p.works),
                    services=w.money(p.services), smes=w.money(p.reserved_for_smes),
                    small_micro=w.money(p.reserved_for_small_micro))


def _current_projects(w: Writer) -> tuple[dict[str, Row], list]:
    rows = {r.label: r for r in w.tables.projects_current.rows if r.level == 2}
    projects = [p for p in w.model.projects if p.name in rows and rows[p.name].amount(0) != 0]
    return rows, projects


def section_performance(w: Writer) -> list[Block]:
    """十、绩效管理情况: the overall target over 支出总计; projects of table 12 counted and summed by category, and
    the published ones' share of table 3's 项目支出 (decision 69)."""
    model = w.model
    blocks = [Block(w.phrase("overall_heading"), "subheading")]
    if model.performance.overall_target:
        total = w.tables.summary.footer_row("支出总计").amount(0)
        blocks += [Block(w.phrase("overall", total=w.money(total))), Block(w.phrase("overall_note"))]
    else:
        blocks.append(Block(w.phrase("overall_none")))
    blocks.append(Block(w.phrase("projects_heading"), "subheading"))
    rows, projects = _current_projects(w)
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
                     amount=w.money(money.total(rows[p.name].amount(0) for p in chosen if p.category.value == c)))
            for c in categories
        )

    total = money.total(rows[p.name].amount(0) for p in projects)
    if not published and w.has("projects_unpublished"):
        blocks.append(Block(w.phrase("projects_unpublished", count=len(projects), total=w.money(total),
                                     categories=by_category(projects, "projects_category"))))
        return blocks
    published_total = money.total(rows[p.name].amount(0) for p in published)
    blocks.append(
        Block(
            w.phrase(
                "projects",
                count=len(projects),
                total=w.money(total),
                categories=by_category(projects, "projects_category"),
                published_count=len(published),
                published_total=w.money(published_total),
                # of 项目支出 as table 3 and section 三 print it (carry-over included): the 总额 a reader finds
                published_share=w.share(published_total, w.tables.expenditure.total("project")),
                published_categories=by_category(published, "projects_published_category") or w.phrase("none"),
            )
        )
    )
    blocks.append(Block(w.phrase("projects_note")))
    return blocks


def _area(value: Decimal) -> str:
    return f"{value.normalize():f}" if value != value.to_integral_value() else str(int(value))


def _as_of(w: Writer) -> str:
    as_of = w.model.assets.as_of or w.profile.assets_date(w.model.unit.fiscal_year)
    return f"{as_of.year}年{as_of.month}月{as_of.day}日"


def _asset_values(w: Writer) -> dict[str, object]:
    """Vehicles held and planned by kind, office area and equipment, as the assets patterns print them."""
    assets = w.model.assets
    held, planned = assets.vehicles, assets.planned_vehicles
    values: dict[str, object] = {"as_of": _as_of(w), **held.model_dump()}
    values.update({f"planned_{k}": v for k, v in planned.model_dump().items()})
    values.update(
        held_total=held.actual or held.total,
        planned_total=planned.total,
        area=_area(assets.office_area_m2),
        over_500k=assets.equipment_over_500k,
        over_1m=assets.equipment_over_1m,
        planned_over_1m=assets.planned_equipment_over_1m,
    )
    return values


def section_assets(w: Writer) -> list[Block]:
    """十一、国有资产占有使用情况: vehicles by kind, office area, equipment over 50万/100万, at the assets date."""
    values = _asset_values(w)
    return [
        Block(w.phrase("vehicles_heading"), "subheading"),
        Block(w.phrase("vehicles", **values)),
        Block(w.phrase("buildings_heading"), "subheading"),
        Block(w.phrase("buildings", **values)),
        Block(w.phrase("equipment_heading"), "subheading"),
        Block(w.phrase("equipment", **values)),
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


# --------------------------------------------------------------------------- sections of other forms


def _count(value: int) -> str:
    return str(value)


def section_budget_summary(w: Writer) -> list[Block]:
    """编制说明 (the Shanghai form): income by the profile's income groups, 财政拨款收入 with its change;
    spending with 财政拨款支出 and each fiscal source, each with its change; the reason of the change; then
    财政拨款支出主要内容 — one item per 功能分类 项 with 财政拨款 money, in code order, with its usage text."""
    atoms = w.tables.atoms
    last = w.model.last_year.fiscal
    values: dict[str, object] = {}
    total = _sum(w, atoms)
    fiscal_atoms = [a for a in atoms if a.is_fiscal]
    fiscal = _sum(w, fiscal_atoms)
    values.update(income_total=w.money(total), spending_total=w.money(total), fiscal=w.money(fiscal))
    for group in w.profile.income_groups:
        values[group.key] = w.money(_sum(w, [a for a in atoms if a.source in group.sources]))
    values.update(w.versus(fiscal, last.amount if last else None, None, "fiscal_"))
    for source in FISCAL_SOURCES:
        key = _FISCAL_KEYS[source]
        amount = _sum(w, [a for a in fiscal_atoms if a.source is source])
        values[key] = w.money(amount)
        last_amount = last.by_source.get(source.value) if last is not None else None  # type: ignore[call-overload]
        values.update(w.versus(amount, last_amount, None, f"{key}_"))
    blocks = w.blocks("budget_summary", **values)
    if last is not None and last.reason and w.figure(fiscal) != w.last_year_figure(last.amount):
        key = "budget_reason_increase" if w.figure(fiscal) > w.last_year_figure(last.amount) else "budget_reason_decrease"
        blocks += w.blocks(key, reason=last.reason.strip().rstrip("。"))
    items = _fiscal_items(w, fiscal_atoms)
    if items:
        blocks += w.blocks("budget_items_heading")
        blocks += items
    return blocks


_FISCAL_KEYS = {FundingSource.GENERAL: "general", FundingSource.FUND: "fund", FundingSource.STATE_CAPITAL: "state_capital"}


def _fiscal_items(w: Writer, fiscal_atoms: Sequence[Atom]) -> list[Block]:
    """One item per 功能分类 项 with 财政拨款 money, in code order: names of 类, 款, 项, amount, usage."""
    names = w.tables.context.names
    by_code: dict[str, list[Atom]] = {}
    for atom in fiscal_atoms:
        by_code.setdefault(atom.function, []).append(atom)
    blocks = []
    number = 0
    for code in sorted(by_code):
        amount = _sum(w, by_code[code])
        if w.figure(amount) == 0:
            continue
        number += 1
        blocks += w.blocks(
            "budget_item", n=number, code=code, lei=names.of_function(code[:3]), kuan=names.of_function(code[:5]),
            xiang=names.of_function(code), amount=w.money(amount),
            usage=w.model.budget.usage.get(code, "").strip().removeprefix("主要用于").rstrip("。"),
        )
    return blocks


def section_performance_targets(w: Writer) -> list[Block]:
    """绩效目标设置情况 (the Shanghai form): the projects with a performance sheet and money this year, their
    count and money; (部门) how many 预算单位 reported targets."""
    rows, projects = _current_projects(w)
    with_targets = [p for p in projects if p.performance is not None]
    amount = money.total(rows[p.name].amount(0) for p in with_targets)
    counts = unit_counts(w.model)
    return w.blocks("performance_targets", count=len(with_targets), amount=w.money(amount),
                    units_count=counts["budget_units"])


def section_state_assets(w: Writer) -> list[Block]:
    """国有资产占有使用情况 (the Shanghai form): vehicles held by kind and equipment at the assets date;
    vehicles and equipment the budget plans to buy."""
    return w.blocks("state_assets", **_asset_values(w))


SECTION_WRITERS: dict[str, Callable[[Writer], list[Block]]] = {
    "changes": section_changes,
    "income": section_income,
    "spending": section_spending,
    "fiscal": section_fiscal,
    "general_public": section_general_public,
    "basic": section_basic,
    "three_public": section_three_public,
    "operating_costs": section_operating_costs,
    "procurement": section_procurement,
    "performance": section_performance,
    "assets": section_assets,
    "other": section_other,
    "budget_summary": section_budget_summary,
    "performance_targets": section_performance_targets,
    "state_assets": section_state_assets,
}
"""Every section writer, by the name a profile's ``sections`` give it."""


def prose_tables(tables: Tables, profile: Profile, level: str) -> Tables:
    """The tables a report's sentences read: at the prose unit, each line rounded once (``printed``), or exact
    (``exact``: a sentence prints the exact total rounded once)."""
    prose = profile.number_format("prose", level)
    places = prose.places if profile.prose_totals == "printed" else None
    return tables.at(Scale(prose.unit, places))


def narrate(model: BudgetModel, tables: Tables, profile: Profile | None = None) -> Narrative:
    """The sections the profile names, each headed as the profile says, written by its writer."""
    profile = profile or load_profile(model.report.profile)
    level = model.unit.level
    writer = Writer(model, prose_tables(tables, profile, level), profile, profile.number_format("prose", level))
    values = report_placeholders(model, profile)
    sections = {}
    for key in profile.sections:
        spec = profile.section_spec(key)
        sections[key] = Section(key, profile.section_heading(key, values), tuple(SECTION_WRITERS[spec.writer](writer)))
    return Narrative(sections, included_units(writer))


def included_units(w: Writer) -> str:
    """概况 of a 部门: the sentence naming its units, counted as 五 counts 预算单位 (:func:`unit_counts`)."""
    units = [s.name for s in w.model.unit.subunits]
    if not units or not w.has("included_units"):
        return ""
    return w.phrase("included_units", units="、".join(units), count=unit_counts(w.model)["budget_units"])



#: The sentence patterns each writer uses, with the condition that selects each; ``docs/narrative.md`` is
#: generated from it and from the bundled profiles.  ``common`` patterns serve every writer.  A pattern
#: ``key@部门`` (or ``key@单位``) replaces ``key`` in reports of that level.
PHRASES: dict[str, dict[str, str]] = {
    "common": {
        "subject": "subject of most Shanxi sentences ({subject}), when the profile has it",
        "subject_short": "subject of 九 and 十 of the Shanxi form (the reference writes 2024年 there, not 2024年度)",
        "change_increase": "this year above last year, last year not zero ({delta}, {rate}, {last})",
        "change_increase_from_zero": "last year's figure is zero and this year's is not (no rate)",
        "change_decrease": "this year below last year",
        "change_unchanged": "this year equals last year",
        "change_reason": "a change, and the model gives its reason",
        "change_reason_unchanged": "an unchanged figure whose reason the model gives (without it: no reason printed)",
        "none": "an empty list of classes or items (主要包括：无)",
    },
    "changes": {"totals": "always; each change clause is empty without last_year.total"},
    "income": {
        "income": "always",
        "income_item": "each source of table 1 and 上年结转, zero ones included, with its share of 收入总计",
        "income_labels": "the labels of the six income items, in order",
        "income_unit_kinds": "单位资金 has kinds (事业收入 …) that are not zero: after its share",
        "income_unit_kind": "each such kind, joined by ，",
    },
    "spending": {"spending": "always"},
    "fiscal": {
        "fiscal": "财政拨款 total (table 4) is not zero",
        "fiscal_class": "each class of table 4 with a non-zero 小计",
        "fiscal_classes_tail": "after the list of classes",
        "fiscal_none": "财政拨款 total is zero",
    },
    "general_public": {
        "general_scale_heading": "always",
        "general_scale": "always; the change clause is empty without last_year.general_public_current",
        "general_structure_heading": "always",
        "general_structure": "always; classes are table 5's 类 rows, or the none pattern",
        "general_class": "each non-zero 类 of table 5, with its share of table 5's 合计",
    },
    "basic": {
        "basic": "always",
        "basic_personnel": "always; items are table 6's non-zero 款 of classes 301 and 303, or none",
        "basic_public": "always; items are table 6's other non-zero 款, or none",
    },
    "three_public": {
        "three_public_none": "table 10's 合计 is zero, last year's is not given or zero, and the profile has this "
                             "pattern",
        "three_public": "otherwise; {x_change}/{x_reason} of each item (outbound_travel, official_reception, vehicles, "
                        "vehicle_purchase, vehicle_operation) need last_year.three_public.items / .reasons",
    },
    "operating_costs": {
        "operating_costs_none": "table 11's 部门合计 is zero, last year's is not given or zero, and the profile "
                                "has this pattern",
        "operating_costs": "otherwise ({administrative_count}, {civil_service_count}: 机关 and 参公事业单位 of a 部门)",
    },
    "procurement": {"procurement": "always (zero amounts are printed); {smes}, {small_micro}: the reserved amounts"},
    "performance": {
        "overall_heading": "always",
        "overall": "performance.overall_target is true; the amount is table 1's 支出总计",
        "overall_none": "performance.overall_target is false",
        "overall_note": "performance.overall_target is true",
        "projects_heading": "always",
        "projects": "table 12 has projects with money this year, and one of them publishes its sheet",
        "projects_unpublished": "table 12 has projects with money this year and none publishes its sheet (and the "
                                "profile has this pattern; the note is then left out)",
        "projects_category": "each category with projects, in the profile's category order",
        "projects_published_category": "each category with published sheets",
        "projects_none": "table 12 has no project with money this year",
        "projects_note": "table 12 has projects, and one of them publishes its sheet",
    },
    "assets": {
        "vehicles_heading": "always",
        "vehicles": "always, at assets.as_of or the profile's date",
        "buildings_heading": "always",
        "buildings": "always",
        "equipment_heading": "always",
        "equipment": "always",
    },
    "other": {
        "purchase_heading": "always",
        "purchase_none": "the model gives no government_purchase text",
        "other_heading": "always",
        "other_none": "the model gives no other_notes",
    },
    "budget_summary": {
        "budget_summary": "always: income by the profile's income_groups ({<group key>}), 财政拨款 ({fiscal}) and "
                          "each fiscal source ({general}, {fund}, {state_capital}) with their change clauses",
        "budget_reason_increase": "财政拨款 above last year's and last_year.fiscal.reason given",
        "budget_reason_decrease": "财政拨款 below last year's and last_year.fiscal.reason given",
        "budget_items_heading": "some 功能分类 项 has 财政拨款 money",
        "budget_item": "each such 项, in code order ({n}, {lei}, {kuan}, {xiang}, {amount}, {usage} from budget.usage)",
    },
    "performance_targets": {
        "performance_targets": "always: projects with a sheet and money this year ({count}, {amount}); "
                               "{units_count} 预算单位 of a 部门",
    },
    "state_assets": {"state_assets": "always: vehicles held and planned by kind, equipment over 100万元"},
}

#: Patterns that are not sentences of a section: the overview's list of a 部门's units and the contents entries.
OTHER_PHRASES = {
    "included_units": "部门 reports with subunits: the sentence naming them in 概况 ({units}, {count})",
    "overview_contents": "the contents entries under 概况, one per line",
}
