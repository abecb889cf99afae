"""Everything a report prints, derived before any document is rendered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .catalogue import Catalogue
from .glossary import Term
from .model import BudgetModel
from .money import NumberFormat
from .narrative import Narrative
from .performance import Sheet
from .profile import Profile, TableSpec, derivation_of
from .tables import AnyTable, Tables


@dataclass(frozen=True)
class PrintedTable:
    """A table of the form as the report prints it: the profile's entry, the derived figures at the entry's
    scale, and the number format they print in."""

    name: str  # key of the profile's `tables`
    spec: TableSpec
    table: AnyTable
    number_format: NumberFormat

    @property
    def derivation(self) -> str:
        return derivation_of(self.spec, self.name)


def printed_tables(tables: Tables, profile: Profile, level: str) -> dict[str, PrintedTable]:
    """Every table the profile's parts print for a report of ``level``, each derived with its options at its
    number format's scale (each budget line rounded once to what the table prints)."""
    out: dict[str, PrintedTable] = {}
    for part in profile.parts_for(level):
        for name in part.table_names:
            if name in out:
                continue
            spec = profile.table_spec(name)
            fmt = profile.number_format(spec.format, level)
            table = tables.derive(derivation_of(spec, name), spec.options, fmt.scale)
            out[name] = PrintedTable(name, spec, table, fmt)
    return out


@dataclass(frozen=True)
class ReportContent:
    """The model and what was derived from it: render only places these (DESIGN.md §2)."""

    model: BudgetModel
    profile: Profile
    tables: Tables
    narrative: Narrative
    sheets: Sequence[Sheet] = ()
    glossary: Sequence[Term] = ()
    catalogue: Catalogue | None = None
    printed: Mapping[str, PrintedTable] = field(default_factory=dict)
