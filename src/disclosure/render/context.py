"""Template contexts: the derived tables, sentences and model facts as the strings templates print.

Every value here is already formatted (``887.70``, blank for a zero cell);
templates only place them.  No figure is computed here: amounts come from
:mod:`disclosure.tables`, sentences from :mod:`disclosure.narrative`, and
:mod:`disclosure.money` prints them.  The context of every template is
documented in ``docs/templates.md``, generated from :mod:`disclosure.render.variables`, and a
test checks that the contexts built here have exactly the documented variables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import money
from ..catalogue import Catalogue
from ..glossary import Term
from ..model import BudgetModel
from ..narrative import Narrative, Section
from ..performance import Funds, Sheet
from ..profile import PartSpec, Profile, fill_placeholders, unit_placeholders
from ..tables import AnyTable, BalanceTable, Row

Context = dict[str, Any]

INDENT = "　"  # full-width space, as table 12 indents unit and project names


def fill(text: str, model: BudgetModel) -> str:
    """Fill the profile placeholders {year}, {unit} and {level} of a title."""
    return fill_placeholders(text, unit_placeholders(model.unit))


def report_title(model: BudgetModel, profile: Profile) -> str:
    return model.unit.report_title or fill(profile.report_title, model)


def base_context(model: BudgetModel, profile: Profile) -> Context:
    """Variables every template may use."""
    unit = model.unit
    return {
        "report_title": report_title(model, profile),
        "year": unit.fiscal_year,
        "level": unit.level,
        "unit": {"name": unit.name, "code": unit.code, "level": unit.level},
    }


# --------------------------------------------------------------------------- tables


def _cells(amounts: Sequence) -> list[str]:
    return [money.cell(a) for a in amounts]


def _plain_row(row: Row) -> Context:
    return {
        "code": row.code,
        "label": row.label,
        "label2": row.label2,
        "indent": INDENT * row.level,
        "level": row.level,
        "is_total": row.is_total,
        "cells": _cells(row.amounts),
    }


def _balance_rows(table: BalanceTable) -> list[Context]:
    left_width, right_width = len(table.income_columns), len(table.expenditure_columns)

    def side(row: Row | None, width: int) -> tuple[str, str, list[str]]:
        if row is None:
            return "", "", [""] * width
        return row.code, row.label, _cells(row.amounts)

    def pair(left: Row | None, right: Row | None) -> Context:
        lc, ll, lv = side(left, left_width)
        rc, rl, rv = side(right, right_width)
        return {"left_code": lc, "left_label": ll, "left": lv, "right_code": rc, "right_label": rl, "right": rv}

    height = max(len(table.income), len(table.expenditure))
    rows = [
        pair(table.income[i] if i < len(table.income) else None,
             table.expenditure[i] if i < len(table.expenditure) else None)
        for i in range(height)
    ]
    if table.footer:
        rows.append(pair(None, None))
        rows.extend(pair(left, right) for left, right in table.footer)
    return rows


def table_context(table: AnyTable, profile: Profile, model: BudgetModel) -> Context:
    spec = profile.tables[table.key]
    rows = _balance_rows(table) if isinstance(table, BalanceTable) else [_plain_row(r) for r in table.rows]
    return {
        "table": {
            "number": table.number,
            "key": table.key,
            "label": fill(spec.label, model),
            "title": fill(spec.title, model),
            "amount_unit_label": profile.amount_unit_label,
            "empty_note": profile.empty_table_note,
            "is_empty": table.is_empty,
            "rows": rows,
        }
    }


# --------------------------------------------------------------------------- parts


def overview_context(model: BudgetModel) -> Context:
    """第一部分 概况: duties numbered 1. 2. …, organisation paragraphs."""
    overview = model.overview
    return {
        "overview": {
            "intro": overview.intro,
            "duties_lead": overview.duties_lead,
            "duties": [f"{i}.{duty}" for i, duty in enumerate(overview.duties, start=1)],
            "organisation": list(overview.organisation),
        }
    }


def _section(section: Section) -> Context:
    return {
        "number": section.number,
        "heading": section.heading,
        "blocks": [{"kind": b.kind, "text": b.text} for b in section.blocks],
    }


def notes_context(part: PartSpec, narrative: Narrative) -> Context:
    return {"sections": [_section(narrative.sections[n]) for n in part.sections if n in narrative.sections]}


def contents_context(profile: Profile, model: BudgetModel, narrative: Narrative) -> Context:
    """The contents page: the part titles, and under them the sections and tables they hold."""
    entries: list[Context] = []
    for part in profile.parts:
        if part.outline is not None:
            entries.append({"title": fill(part.outline.title, model), "level": 0})
        if part.content == "overview":
            entries.extend({"title": t, "level": 1} for t in (f"一、本{model.unit.level}职责", "二、机构设置情况"))
        if part.table:
            spec = profile.tables[part.table]
            entries.append({"title": f"{fill(spec.label, model)}　{fill(spec.title, model)}", "level": 1})
        for number in part.sections:
            if number in narrative.sections:
                entries.append({"title": narrative.sections[number].heading, "level": 1})
    return {"contents": entries}


def part_title(part: PartSpec, model: BudgetModel) -> str:
    return fill(part.outline.title, model).replace(" ", "　", 1) if part.outline else ""


# --------------------------------------------------------------------------- performance sheets


def _funds(funds: Funds) -> Context:
    """A funds column in 元 with thousands separators; 其他资金 blank when not given."""
    return {
        "total": money.yuan(funds.total),
        "central": money.yuan(funds.central),
        "provincial": money.yuan(funds.provincial),
        "local": money.yuan(funds.local),
        "self_raised": money.yuan(funds.self_raised),
        "other": "" if funds.other is None else money.yuan(funds.other),
    }


def sheet_context(sheet: Sheet, profile: Profile) -> Context:
    """One 项目支出绩效目标表."""
    project = sheet.project
    form = project.performance
    assert form is not None
    return {
        "sheet": {
            "form_title": profile.performance_sheet.title if profile.performance_sheet else "项目支出绩效目标表",
            "project": project.name,
            "competent_department": sheet.competent_department,
            "implementing_unit": sheet.implementing_unit,
            "attribute": project.attribute.printed,
            "period": f"{project.period_years}年",
            "period_funds": _funds(sheet.period_funds),
            "annual_funds": _funds(sheet.annual_funds),
            "overview": form.overview,
            "basis": form.basis,
            "necessity": form.necessity,
            "safeguards": form.safeguards,
            "plan": form.plan,
            "goal_period": form.goal_period,
            "goal_annual": form.annual_goal,
            "indicators": [
                {"level1": r.level1, "level2": r.level2, "name": r.name, "value": r.value, "annual_value": r.annual_value}
                for r in sheet.indicators
            ],
            "responsible": form.responsible,
            "handler": form.handler,
            "phone": form.phone,
            "filled_on": form.filled_on,
        }
    }


# --------------------------------------------------------------------------- glossary and appendix


def glossary_context(terms: Sequence[Term]) -> Context:
    return {"glossary": [{"number": t.ordinal, "term": t.term, "text": t.text} for t in terms]}


def appendix_context(catalogue: Catalogue) -> Context:
    """The forwarding notice and the catalogue: a department heading row, then its codes by level column."""
    rows: list[Context] = []
    department = None
    for item in catalogue.items:
        if item.department != department:
            department = item.department
            rows.append({"department": department, "code": "", "level1": "", "level2": "", "level3": "", "level4": ""})
        levels = {f"level{n}": (item.name if item.level == n else "") for n in (1, 2, 3, 4)}
        rows.append({"department": "", "code": item.code, **levels})
    notice = catalogue.notice
    return {
        "appendix": {
            "title": catalogue.title,
            "notice": None if notice is None else {
                "header": notice.header, "number": notice.number, "title": notice.title,
                "addressees": notice.addressees, "paragraphs": list(notice.paragraphs),
                "attachment": notice.attachment, "issuer": notice.issuer, "date": notice.date,
            },
            "rows": rows,
            "closing": list(catalogue.closing),
        }
    }
