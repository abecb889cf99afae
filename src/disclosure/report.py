"""Everything a report prints, derived before any document is rendered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .catalogue import Catalogue
from .glossary import Term
from .model import BudgetModel
from .narrative import Narrative
from .performance import Sheet
from .profile import Profile
from .tables import Tables


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
