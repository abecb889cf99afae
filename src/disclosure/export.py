"""The derived report as JSON for other systems (``build --json``): tables, sentences, sheets, findings.

Each table is given as the report prints it — in its unit (``"unit": "万元"`` or ``"元"``) and
decimals — with amounts as strings (``"887.70"``, ``"9341434.62"``, ``"0.00"``), never floats, so a
consumer reads exactly the figures of the report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from . import money
from .checks import Finding
from .report import PrintedTable, ReportContent
from .tables import BalanceTable, Row


def _amount(value: Decimal, places: int = 2) -> str:
    return f"{money.round_half_up(value, Decimal(1).scaleb(-places)):f}"


def _row(row: Row, places: int = 2) -> dict[str, Any]:
    out: dict[str, Any] = {"code": row.code, "label": row.label, "level": row.level, "total": row.is_total,
                           "amounts": [_amount(a, places) for a in row.amounts]}
    if row.label2:
        out["label2"] = row.label2
    return out


def _table(printed: PrintedTable) -> dict[str, Any]:
    table, fmt = printed.table, printed.number_format
    head = {"name": printed.name, "derivation": printed.derivation, "number": table.number,
            "unit": fmt.unit, "decimals": fmt.places}
    if isinstance(table, BalanceTable):
        return {
            **head,
            "income_columns": [c.label for c in table.income_columns],
            "expenditure_columns": [c.label for c in table.expenditure_columns],
            "income": [_row(r, fmt.places) for r in table.income],
            "expenditure": [_row(r, fmt.places) for r in table.expenditure],
            "footer": [[_row(r, fmt.places) if r else None for r in pair] for pair in table.footer],
            "empty": table.is_empty,
        }
    return {**head, "columns": [c.label for c in table.columns],
            "rows": [_row(r, fmt.places) for r in table.rows], "empty": table.is_empty}


def report_data(content: ReportContent, findings: Sequence[Finding] = ()) -> dict[str, Any]:
    unit = content.model.unit
    return {
        "unit": {"name": unit.name, "code": unit.code, "level": unit.level, "fiscal_year": unit.fiscal_year},
        "tables": [_table(t) for t in content.printed.values()],
        "sections": [
            {"key": s.number, "heading": s.heading, "blocks": [{"kind": b.kind, "text": b.text} for b in s.blocks]}
            for s in content.narrative.sections.values()
        ],
        "performance_sheets": [
            {"project": sheet.name, "annual_funds_yuan": _amount(sheet.annual_funds.total),
             "indicators": [vars(r) for r in sheet.indicators]}
            for sheet in content.sheets
        ],
        "findings": [{"rule": f.rule, "severity": f.severity.value, "message": f.message, "path": list(f.path)}
                     for f in findings],
    }


def report_json(content: ReportContent, findings: Sequence[Finding] = ()) -> str:
    return json.dumps(report_data(content, findings), ensure_ascii=False, indent=2) + "\n"
