"""disclosure: one budget model (YAML) → the complete 预算公开报告 (.docx, PDF).

The public API is small::

    import disclosure
    loaded = disclosure.load("unit.yaml")          # validated model + where each field came from
    tables = disclosure.derive_tables(loaded.model)  # the 13 预算公开表
    findings = disclosure.validate(loaded.model)     # 表间逻辑 findings
    result = disclosure.build("unit.yaml", "out/")   # the .docx

Each raises what its docstring lists under "Raises", all under :class:`DisclosureError`; an
argument of the wrong type is an :class:`ArgumentError` (also a ``TypeError``).  The names are
loaded on first use, so that ``python -m disclosure`` starts (and answers Ctrl-C) at once.

See ``docs/`` for the user guide, the model reference and the template guide.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from .errors import ArgumentError, DisclosureError, UsageError
from .errors import expect as _expect

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover - what the lazy names below are, for type checkers and editors
    from .checks import Finding, Severity
    from .classification import Classification
    from .load import LoadedModel, LoadError, load, loads
    from .model import BudgetModel
    from .pipeline import BuildRefused, BuildResult, build
    from .profile import Profile
    from .tables import Tables

#: Public name → the module that defines it (imported on first use).
_LAZY = {
    "Finding": "checks",
    "Severity": "checks",
    "LoadedModel": "load",
    "LoadError": "load",
    "load": "load",
    "loads": "load",
    "BudgetModel": "model",
    "BuildRefused": "pipeline",
    "BuildResult": "pipeline",
    "build": "pipeline",
    "Tables": "tables",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'disclosure' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """``disclosure.load`` is the function, as it was when this module imported it eagerly.

    Importing the submodule ``disclosure.load`` makes Python set the package's attribute ``load`` to
    the module; that one assignment is ignored here (the module stays in ``sys.modules``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def derive_tables(model: BudgetModel, classification: Classification | None = None) -> Tables:
    """The 13 预算公开表 of ``model``: Decimal figures in 万元, every total the sum of its printed rows.

    ``classification`` replaces the bundled code lists (:func:`disclosure.pipeline.resolve_classification`).

    Raises:
        ArgumentError: ``model`` is not a :class:`BudgetModel` (pass ``loaded.model`` for a
            :class:`LoadedModel`), or ``classification`` not a ``Classification``.
    """
    from .classification import Classification
    from .model import BudgetModel
    from .tables import derive_tables as derive

    _expect(model, BudgetModel, "model", "derive_tables", hint=_file_hint(model))
    _expect(classification, Classification, "classification", "derive_tables", optional=True)
    return derive(model, classification)


def validate(model: BudgetModel | LoadedModel, classification: Classification | None = None,
             profile: Profile | str | None = None) -> list[Finding]:
    """The 表间逻辑 findings of ``model`` (errors first), as ``python -m disclosure validate`` and ``build`` find
    them: checked at the scale its profile prints (``report.profile``, or ``profile``), its profile and
    appended catalogue read. An empty list means a clean model.

    Raises:
        ArgumentError: ``model`` is neither a :class:`BudgetModel` nor a :class:`LoadedModel`
            (load a file first: ``disclosure.validate(disclosure.load("unit.yaml"))``), or
            ``classification`` not a ``Classification``.
        LoadError: the model's profile or appended catalogue cannot be used (the command line's exit 2).
    """
    from .classification import Classification
    from .load import LoadedModel
    from .model import BudgetModel
    from .pipeline import prepare
    from .profile import Profile

    _expect(model, (BudgetModel, LoadedModel), "model", "validate", hint=_file_hint(model))
    _expect(classification, Classification, "classification", "validate", optional=True)
    _expect(profile, (Profile, str), "profile", "validate", optional=True)
    return prepare(model, classification=classification, profile=profile).findings


def _file_hint(model: object) -> str:
    """What to do when a file was passed where a model is wanted."""
    return " (a file: disclosure.load(path) first)" if isinstance(model, str) or hasattr(model, "__fspath__") else ""


__all__ = [
    "ArgumentError",
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
