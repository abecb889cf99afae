"""disclosure: one budget model (YAML) → the complete 预算公开报告 (.docx, PDF).

The public API is small::

    import disclosure
    loaded = disclosure.load("unit.yaml")          # validated model + where each field came from
    tables = disclosure.derive_tables(loaded.model)  # the 13 预算公开表
    findings = disclosure.validate(loaded.model)     # 表间逻辑 findings
    result = disclosure.build("unit.yaml", "out/")   # the .docx

See ``docs/`` for the user guide, the model reference and the template guide.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .checks import Finding, Severity  # noqa: E402
from .checks import run_checks as _run_checks  # noqa: E402
from .errors import DisclosureError, UsageError  # noqa: E402
from .load import LoadedModel, LoadError, load, loads  # noqa: E402
from .model import BudgetModel  # noqa: E402
from .pipeline import BuildRefused, BuildResult, build  # noqa: E402
from .tables import Tables, derive_tables  # noqa: E402


def validate(model: BudgetModel | LoadedModel, classification=None) -> list[Finding]:
    """The 表间逻辑 findings of ``model`` (errors first); an empty list means a clean model."""
    if isinstance(model, LoadedModel):
        model = model.model
    return _run_checks(model, derive_tables(model, classification))


__all__ = [
    "BudgetModel",
    "BuildRefused",
    "BuildResult",
    "DisclosureError",
    "Finding",
    "LoadError",
    "LoadedModel",
    "Severity",
    "Tables",
    "UsageError",
    "__version__",
    "build",
    "derive_tables",
    "load",
    "loads",
    "validate",
]
