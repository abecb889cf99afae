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
from ..profile import PartSpec, Profile, fill_placeholders, report_placeholders
from ..report import PrintedTable
from ..tables import BalanceTable, Row

Context = dict[str, Any]

INDENT = "　"  # full-width space, as table 12 indents unit and project names


def fill(text: str, model: BudgetModel, profile: Profile | None = None) -> str:
    """Fill the profile placeholders ({year}, {Y}, {P}, {unit}, {level}, {region}, {tier}, …) of a title."""
    return fill_placeholders(text, report_placeholders(model, profile))


def report_title(model: BudgetModel, profile: Profile) -> str:
    return model.report.title or fill(profile.report_title, model, profile)


def title_lines(title: str, unit_name: str) -> list[str]:
    """The cover title in lines that break between words: the unit's name, then the rest
    (晋城市总工会 / 2024年单位预算公开报告); one line when the title does not start with the name."""
    if title.startswith(unit_name) and len(title) > len(unit_name):
        return [unit_name, title[len(unit_name):]]
    return [title]


def base_context(model: BudgetModel, profile: Profile) -> Context:
    """Variables every template may use."""
    unit = model.unit
    department = unit.department
    title = report_title(model, profile)
    return {
        "report_title": title,
        "report_title_lines": title_lines(title, unit.name),
        "cover_title": "\n".join(title_lines(title, unit.name)),
        "year": unit.fiscal_year,
        "previous_year": unit.fiscal_year - 1,
        "level": unit.level,
        "unit": {
            "name": unit.name,
            "code": unit.code,
            "level": unit.level,
            "type": unit.type.value if unit.type else "",
            "region": unit.region or "",
            "tier": unit.tier or "",
            "department": {"name": department.name if department else unit.name,
                           "code": department.code if department else unit.code},
        },
        "words": dict(profile.level_placeholders.get(unit.level, {})),
    }


# --------------------------------------------------------------------------- tables


def _code_parts(code: str) -> Context:
    """A code split as forms print it in 类 / 款 / 项 columns: 2012902 → 201 | 29 | 02; 30101 → 301 | 01."""
    return {"lei": code[:3], "kuan": code[3:5], "xiang": code[5:7]}


def _plain_row(row: Row, fmt: money.NumberFormat) -> Context:
    return {
        "code": row.code,
        "code_parts": _code_parts(row.code),
        "label": row.label,
        "name": row.name or row.label,
        "label2": row.label2,
        "indent": INDENT * row.level,
        "level": row.level,
        "is_total": row.is_total,
        "cells": [fmt.format(a) for a in row.amounts],
    }


def _ordered(rows: list[Row], total_row: str) -> list[Row]:
    """合计 rows first (as built) or moved to the end (a form that prints 合计 last)."""
    if total_row == "first":
        return rows
    return [r for r in rows if not r.is_total] + [r for r in rows if r.is_total]


def _balance_rows(table: BalanceTable, fmt: money.NumberFormat) -> list[Context]:
    left_width, right_width = len(table.income_columns), len(table.expenditure_columns)

    def side(row: Row | None, width: int) -> tuple[str, str, list[str], int]:
        if row is None:
            return "", "", [""] * width, 0
        return row.code, row.label, [fmt.format(a) for a in row.amounts], row.level

    def pair(left: Row | None, right: Row | None) -> Context:
        lc, ll, lv, llevel = side(left, left_width)
        rc, rl, rv, rlevel = side(right, right_width)
        return {"left_code": lc, "left_label": ll, "left": lv, "left_level": llevel,
                "right_code": rc, "right_code_parts": _code_parts(rc), "right_label": rl, "right": rv,
                "right_level": rlevel}

    height = max(len(table.income), len(table.expenditure))
    rows = [
        pair(table.income[i] if i < len(table.income) else None,
             table.expenditure[i] if i < len(table.expenditure) else None)
        for i in range(height)
    ]
    if table.footer:
        if len(table.footer) > 1:  # the 收支总表 of the Shanxi form leaves a blank row before its footer
            rows.append(pair(None, None))
        rows.extend(pair(left, right) for left, right in table.footer)
    return rows


def unit_label(printed: PrintedTable, profile: Profile) -> str:
    """The unit line of a table: the entry's own, else 单位：万元 (the profile's) or 单位：元 by its format."""
    if printed.spec.unit_label is not None:
        return printed.spec.unit_label
    return profile.amount_unit_label if printed.number_format.unit == "万元" else "单位：元"


def table_context(printed: PrintedTable, profile: Profile, model: BudgetModel) -> Context:
    """One printed table: titles, unit line, the empty note and its rows with formatted cells."""
    table, spec, fmt = printed.table, printed.spec, printed.number_format
    by_code: Context = {}
    if isinstance(table, BalanceTable):
        rows = _balance_rows(table, fmt)
    else:
        plain = [_plain_row(r, fmt) for r in _ordered(list(table.rows), spec.total_row)]
        rows = plain
        for row, context in zip(_ordered(list(table.rows), spec.total_row), plain):
            key = row.code or ("total" if row.is_total else "")
            if key:
                by_code.setdefault(key, context)
    return {
        "number": table.number,
        "key": printed.name,
        "label": fill(spec.label, model, profile),
        "title": fill(spec.title, model, profile),
        "amount_unit_label": unit_label(printed, profile),
        "empty_note": fill(spec.empty_note or profile.empty_table_note, model, profile),
        "is_empty": table.is_empty,
        "rows": rows,
        "by_code": by_code,
    }


def tables_context(printed: list[PrintedTable], profile: Profile, model: BudgetModel) -> Context:
    """A table entry's context: ``table`` (its first table) and ``tables`` (each by its profile name)."""
    contexts = {p.name: table_context(p, profile, model) for p in printed}
    return {"table": contexts[printed[0].name], "tables": contexts}


# --------------------------------------------------------------------------- parts


def overview_context(model: BudgetModel, narrative: Narrative) -> Context:
    """第一部分 概况: duties numbered 1. 2. …, organisation paragraphs; a 部门's units (and the narrative's
    sentence naming them)."""
    overview = model.overview
    units = [s.name for s in model.unit.subunits]
    return {
        "overview": {
            "intro": overview.intro,
            "duties_lead": overview.duties_lead,
            "duties": [f"{i}.{duty}" for i, duty in enumerate(overview.duties, start=1)],
            "organisation": list(overview.organisation),
            "units": units,
            "units_sentence": narrative.included_units,
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
    for part in profile.parts_for(model.unit.level):
        if part.outline is not None:
            entries.append({"title": fill(part.outline.title, model, profile), "level": 0, "kind": "part"})
        if part.content == "overview" and profile.has_phrase("overview_contents", model.unit.level):
            for title in profile.phrase("overview_contents", model.unit.level).split("\n"):
                entries.append({"title": fill(title, model, profile), "level": 1, "kind": "section"})
        elif part.content == "overview":
            entries.extend({"title": t, "level": 1, "kind": "section"}
                           for t in (f"一、本{model.unit.level}职责", "二、机构设置情况"))
        if part.table_names:
            spec = profile.tables[part.table_names[0]]
            label, title = fill(spec.label, model, profile), fill(spec.title, model, profile)
            entries.append({"title": f"{label}　{title}" if label else title, "level": 1,
                            "kind": "table" if label else "section"})
        for key in part.sections:
            section = narrative.sections.get(key)
            if section is not None and section.heading:
                entries.append({"title": section.heading, "level": 1, "kind": "section"})
    return {"contents": entries}


def part_title(part: PartSpec, model: BudgetModel, profile: Profile | None = None) -> str:
    return fill(part.outline.title, model, profile).replace(" ", "　", 1) if part.outline else ""


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


def sheet_context(sheet: Sheet, profile: Profile, model: BudgetModel) -> Context:
    """One 项目支出绩效目标表."""
    project = sheet.project
    form = project.performance
    assert form is not None
    title = profile.performance_sheet.title if profile.performance_sheet else "项目支出绩效目标表"
    return {
        "sheet": {
            "form_title": fill(title, model, profile),
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


def explanation_context(project, sheet: Sheet | None, profile: Profile, model: BudgetModel) -> Context:
    """One 项目经费情况说明 (the seven headings of the Shanghai form), with the project's 绩效目标表 if any."""
    explanation = project.explanation
    return {
        "explanation": {
            "project": project.name,
            "unit": project.unit or model.unit.name,
            "overview": explanation.overview,
            "basis": explanation.basis,
            "implementer": explanation.implementer,
            "plan": explanation.plan,
            "period": explanation.period,
            "annual_budget": explanation.annual_budget,
            "targets": explanation.targets,
        },
        "sheet": sheet_context(sheet, profile, model)["sheet"] if sheet is not None else None,
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
