"""Amounts, units, rounding and the printed forms of numbers (DESIGN.md §4).

Every amount is a :class:`decimal.Decimal`; nothing here accepts or returns a
float.  Input amounts are exact in the unit the model declares (元 or 万元) and
are converted to 元 on entry.  The tables display 万元 with two decimals, each
budget line rounded *once*, half up (四舍五入); every printed subtotal and total
is then the sum of printed figures, so a reader adding up a column gets the
printed total, and one figure is the same in every table and sentence.

Printed forms, as in the reference report:

========================  ==================  ==========================
what                      function            example
========================  ==================  ==========================
table cell (万元)          :func:`cell`        ``887.70``; zero is blank
amount in a sentence       :func:`wan`         ``887.70``; zero is ``0``
share / rate               :func:`percent`     ``1.31%``; zero is ``0%``
performance sheet (元)     :func:`yuan`        ``3,097,016.27``, ``1,500,000``
========================  ==================  ==========================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
TEN_THOUSAND = Decimal("10000")

#: Units an input model may declare its amounts in, with their size in 元.
UNIT_SIZES: dict[str, Decimal] = {"元": Decimal(1), "万元": TEN_THOUSAND}


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round ``value`` to ``places`` with 四舍五入 (ROUND_HALF_UP), the only rounding we use."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def to_yuan(amount: Decimal, unit: str) -> Decimal:
    """Convert an exact input ``amount`` in ``unit`` (元 or 万元) to 元, exactly."""
    return amount * UNIT_SIZES[unit]


def yuan_to_wan(yuan: Decimal) -> Decimal:
    """The displayed 万元 figure of an exact 元 amount: ÷10000, rounded half up to 0.01."""
    return round_half_up(yuan / TEN_THOUSAND)


@dataclass(frozen=True)
class Scale:
    """The unit and decimals figures are printed in; :meth:`of` rounds an exact 元 amount to it, once.

    ``places=None`` keeps amounts exact (a sentence that prints an exact total rounded once rounds when it
    prints).  Tables are derived at a scale, so that each budget line is rounded once and every printed total
    is the sum of printed rows (:mod:`disclosure.tables`).

    >>> Scale("万元", 2).of(Decimal("3097016.27"))
    Decimal('309.70')
    >>> Scale("元", 0).of(Decimal("1500000.50"))
    Decimal('1500001')
    """

    unit: Literal["元", "万元"] = "万元"
    places: int | None = 2

    @property
    def quantum(self) -> Decimal | None:
        return None if self.places is None else Decimal(1).scaleb(-self.places)

    def of(self, yuan: Decimal) -> Decimal:
        """``yuan`` in this unit, rounded half up to ``places`` (exact when ``places`` is None)."""
        value = yuan / UNIT_SIZES[self.unit] if self.unit != "元" else yuan
        quantum = self.quantum
        return value if quantum is None else round_half_up(value, quantum)


#: The Shanxi form's scale: 万元 with two decimals.
WAN = Scale("万元", 2)


@dataclass(frozen=True)
class NumberFormat:
    """How a figure prints: unit, decimals, thousands separators, zero, trailing zeros (a profile sets them).

    >>> NumberFormat(unit="元", places=2, grouping=True).format(Decimal("91016775.35"))
    '91,016,775.35'
    >>> NumberFormat(unit="万元", places=2, zero="0", trim=True).format(Decimal("15.00"))
    '15'
    >>> NumberFormat().format(Decimal("0"))
    ''
    """

    unit: Literal["元", "万元"] = "万元"
    places: int = 2
    grouping: bool = False
    zero: str = ""
    trim: bool = False

    @property
    def scale(self) -> Scale:
        return Scale(self.unit, self.places)

    def format(self, value: Decimal) -> str:
        """``value`` (already in this unit) as printed: rounded half up to ``places``."""
        rounded = round_half_up(value, Decimal(1).scaleb(-self.places))
        if rounded == 0:
            return self.zero
        text = f"{rounded:,f}" if self.grouping else f"{rounded:f}"
        if self.trim and "." in text:
            text = text.rstrip("0").rstrip(".")
        return text


def decimal_places(value: Decimal) -> int:
    """Number of digits after the decimal point as written (``Decimal('1.50')`` → 2)."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def total(values: Iterable[Decimal]) -> Decimal:
    """Exact sum of ``values`` (an empty iterable sums to ``Decimal('0')``)."""
    return sum(values, ZERO)


# --------------------------------------------------------------------------- shares


def share(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole × 100`` rounded half up to 2 places; a zero ``whole`` gives 0.

    DESIGN.md §4: shares are computed from *displayed* figures, so pass 万元
    figures as printed, never exact 元 amounts.
    """
    if whole == 0:
        return ZERO
    return round_half_up(part / whole * HUNDRED)


def change_rate(this_year: Decimal, last_year: Decimal) -> Decimal | None:
    """Rate of change on last year, ``(this − last) / last × 100``, half up; None when last is 0."""
    if last_year == 0:
        return None
    return round_half_up((this_year - last_year) / last_year * HUNDRED)


# --------------------------------------------------------------------------- printing


def _fixed(value: Decimal) -> str:
    return f"{round_half_up(value):f}"


def cell(wan_amount: Decimal) -> str:
    """A 万元 table cell: two decimals, and blank for zero (as the reference tables print)."""
    return "" if wan_amount == 0 else _fixed(wan_amount)


def wan(wan_amount: Decimal) -> str:
    """A 万元 amount inside a sentence: two decimals (``887.70``), and ``0`` for zero."""
    return "0" if wan_amount == 0 else _fixed(wan_amount)


def percent(value: Decimal, *, of_something: bool = False) -> str:
    """A share or rate with its sign dropped: ``1.31%``, ``100.00%``, and ``0%`` for zero.

    ``of_something``: the share is of a figure that is not zero (or the rate of a change that is not), so a
    value that rounds to zero prints ``0.00%`` — "占0%" or "增长0%" beside 0.03万元 would read as nothing.
    """
    value = abs(value)
    return "0%" if value == 0 and not of_something else f"{_fixed(value)}%"


def yuan(amount: Decimal) -> str:
    """元 with thousands separators, as the performance sheets print them.

    Whole amounts print without decimals (``1,500,000``), others with two
    (``3,097,016.27``); zero prints ``0``.
    """
    amount = round_half_up(amount)
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"
