"""One value ↔ one cell: what a cell of each :class:`~disclosure.workbook.layout.Kind` holds, both ways.

Reading, a cell becomes the plain value the model validates (exactly as a YAML scalar would):

* an amount is :class:`~decimal.Decimal` from the cell — a number cell through its shortest ``repr`` (never
  ``Decimal(float)``), so ``0.1`` stays ``0.1`` and a float artefact such as ``0.30000000000000004`` keeps its
  17 places and is refused by the model ("at most 2 places"), not rounded; text is passed on as written;
* a date in a cell that is not a date, an error value (``#REF!``) and a formula without a saved result are
  refused with the cell named;
* ``""`` is the empty text (a blank cell is "not given").

Writing, a value becomes a cell: amounts are numbers where Excel's 15-digit numbers hold them exactly, else
text of digits; texts are always text cells, so a text such as ``=1+1`` or ``#N/A`` is never a formula or an
error value.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from enum import Enum
from typing import Any

from ..load import FORBIDDEN_CHARACTERS, normalize_line_breaks
from .layout import EMPTY_TEXT, NO, YES, Kind

#: Excel's limit on the characters of one cell.
MAX_CELL_CHARACTERS = 32_767

NUMBER_FORMATS = {
    Kind.MONEY: "#,##0.00",
    Kind.NUMBER: "General",
    Kind.INTEGER: "0",
    Kind.DATE: "yyyy-mm-dd",
    Kind.TEXT: "@",
    Kind.CHOICE: "@",
    Kind.BOOL: "@",
}

_TRUE = {YES, "true", "TRUE", "True", "1"}
_FALSE = {NO, "false", "FALSE", "False", "0"}


class Blank:
    """The value of a blank cell: not given."""

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "BLANK"


BLANK = Blank()


class CellError(ValueError):
    """A cell that cannot be read; the message says why (the reader adds file, sheet and cell)."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _decimal(value: float) -> Decimal | int:
    """A number cell's value as written: its shortest repr, never the binary fraction."""
    if value.is_integer():
        return int(value)
    return Decimal(repr(value))


def read_cell(value: Any, data_type: str, kind: Kind) -> Any:
    """The model value of a cell (``BLANK`` when blank); raises :class:`CellError` for what cannot be read."""
    if data_type == "e":
        raise CellError(f"the cell shows the error {value}; enter the value itself")
    if is_blank(value):
        return BLANK
    if isinstance(value, str):
        if value == EMPTY_TEXT:
            return ""
        bad = FORBIDDEN_CHARACTERS.search(value)
        if bad:
            raise CellError(f"contains the control character U+{ord(bad.group()):04X}, which a Word document cannot "
                            "hold; remove it")
        text = normalize_line_breaks(value)
        if kind is Kind.CHOICE:  # a pick-list value typed with a space before or after it is still that value
            return text.strip()
        if kind is Kind.BOOL:
            stripped = text.strip()
            if stripped in _TRUE:
                return True
            if stripped in _FALSE:
                return False
        return text
    if isinstance(value, bool):
        if kind in (Kind.TEXT, Kind.CHOICE):
            return "TRUE" if value else "FALSE"
        return value
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
        return _read_date(value, kind)
    if isinstance(value, (int, float)):
        if kind in (Kind.TEXT, Kind.CHOICE):
            return _number_text(value)
        if kind is Kind.BOOL and value in (0, 1):
            return bool(value)
        if isinstance(value, float):
            if kind is Kind.INTEGER:
                return int(value) if value.is_integer() else value  # the model refuses the fraction
            return _decimal(value)
        return value
    return value  # pragma: no cover - openpyxl gives only the types above


def _read_date(value: Any, kind: Kind) -> Any:
    if kind is Kind.DATE and isinstance(value, (_dt.datetime, _dt.date)):
        return value.date() if isinstance(value, _dt.datetime) else value
    if kind is Kind.TEXT and isinstance(value, (_dt.datetime, _dt.date)):
        if isinstance(value, _dt.datetime) and value.time() != _dt.time(0):
            return value.isoformat(sep=" ")
        return (value.date() if isinstance(value, _dt.datetime) else value).isoformat()
    shown = value.date().isoformat() if isinstance(value, _dt.datetime) and value.time() == _dt.time(0) else str(value)
    expected = {Kind.MONEY: "an amount", Kind.NUMBER: "a number", Kind.INTEGER: "a whole number",
                Kind.BOOL: f"{YES} or {NO}", Kind.CHOICE: "one of the listed values", Kind.DATE: "a date"}.get(kind, "text")
    raise CellError(f"expected {expected}, got the date {shown} (the cell is formatted as a date; format it as a "
                    "number or text and enter the value again)")


# --------------------------------------------------------------------------- writing


class ValueTooLarge(ValueError):
    """A value a cell cannot hold (a text over 32,767 characters, the text ``""`` itself)."""


def fits_excel_number(value: Decimal) -> bool:
    """Whether Excel's double holds ``value`` exactly and shows it back as written (≤ 15 significant digits)."""
    if not value.is_finite():
        return False
    digits = len(value.normalize().as_tuple().digits)
    return digits <= 15 and Decimal(repr(float(value))) == value


def cell_value(value: Any, kind: Kind) -> tuple[Any, bool]:
    """``(value for the cell, written as text)`` of a model value; None for a blank cell."""
    if value is None:
        return None, False
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return (YES if value else NO), True
    if isinstance(value, str):
        if value == "":
            return EMPTY_TEXT, True
        if value == EMPTY_TEXT:
            raise ValueTooLarge(f"the text {EMPTY_TEXT} cannot be written: in a workbook a cell holding {EMPTY_TEXT} "
                                "is the empty text")
        if len(value) > MAX_CELL_CHARACTERS:
            raise ValueTooLarge(f"a text of {len(value)} characters is longer than an Excel cell holds "
                                f"({MAX_CELL_CHARACTERS})")
        return value, True
    if isinstance(value, Decimal):
        if fits_excel_number(value):
            return (int(value) if value == value.to_integral_value() else value), False
        return f"{value:f}", True
    if isinstance(value, _dt.datetime):
        return value, False
    if isinstance(value, _dt.date):
        # Excel's dates start in 1900 (and count a 29 February 1900 that never was): earlier dates as text
        return (value, False) if value >= _dt.date(1900, 3, 1) else (value.isoformat(), True)
    return value, False
