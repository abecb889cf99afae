"""Report profiles: which parts and tables a report has, in which order, titles and templates (DESIGN.md §3).

A profile is data (``profiles/<name>.yaml``), not code: the Shanxi 13-table
form is ``shanxi-13``; another province's form is another profile file plus
its templates.  :func:`load_profile` accepts a bundled name or a path.
"""

from __future__ import annotations

import functools
import os
import re
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import UsageError
from .files import FileRefused, read_regular_file
from .tables import TABLE_DERIVATIONS

DEFAULT_PROFILE = "shanxi-13"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_placeholders(pattern: str, values: dict[str, object]) -> str:
    """Fill a profile text's ``{name}`` placeholders with values, literally.

    No format mini-language and no attribute access: a value is never read as a pattern, and a
    placeholder the caller does not provide is an error naming it.
    """

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise PlaceholderError(f"the profile text {pattern!r} uses {{{key}}}, which is not provided here")
        return str(values[key])

    return _PLACEHOLDER.sub(value, pattern)


def unit_placeholders(unit) -> dict[str, object]:
    """{year}, {unit} and {level}: the placeholders every profile title and sentence may use."""
    return {"year": unit.fiscal_year, "unit": unit.name, "level": unit.level}


class ProfileError(UsageError):
    """A profile that cannot be used (unknown name, bad file)."""


class PlaceholderError(ProfileError, KeyError):
    """A profile text uses a ``{placeholder}`` that is not provided (also a KeyError, as it was before)."""

    def __str__(self) -> str:
        return Exception.__str__(self)  # not KeyError's quoted form


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outline(_Spec):
    title: str = Field(description="Outline (PDF bookmark) title; {year}, {unit}, {level} are filled in.")
    level: int = Field(0, ge=0, le=3)


Content = Literal[
    "cover", "contents", "overview", "heading", "table", "notes", "performance_sheets", "appendix", "glossary"
]


class PartSpec(_Spec):
    """One entry of the report: what it shows (``content``) and the template that lays it out.

    ``performance_sheets`` renders its template once per published sheet; the
    others once.  A ``table`` entry names the derived table it prints.
    """

    content: Content = Field(description="What this entry shows.")
    template: str = Field(description="Template file name, looked up in --templates DIR first, then the defaults.")
    new_page: bool = False
    bookmark: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
    outline: Outline | None = None
    table: str | None = Field(None, description="Key of the derived table a table entry prints.")
    sections: list[int] = Field(default_factory=list, description="Sections of 第三部分 a notes entry prints.")

    @model_validator(mode="after")
    def _consistent(self) -> PartSpec:
        if (self.content == "table") != (self.table is not None):
            raise ValueError("a table entry needs `table: <key>`, and only table entries have one")
        if self.table is not None and self.table not in TABLE_DERIVATIONS:
            raise ValueError(f"unknown table {self.table!r}; known: {', '.join(TABLE_DERIVATIONS)}")
        if self.content == "notes" and not self.sections:
            raise ValueError("a notes entry lists the `sections` (1–12) it prints")
        return self


class TableSpec(_Spec):
    label: str = Field(description="The number line above the title, e.g. 预算公开表1.")
    title: str = Field(description="Table title; {year} is filled in.")


class PerformanceSheetSpec(_Spec):
    """The 项目支出绩效目标表 form of the profile."""

    title: str = Field(description="Form title printed above each sheet.")
    local_funds_label: str = "市县（区）财政资金"
    indicators: dict[str, list[str]] = Field(
        default_factory=dict, description="The form's 一级 → 二级 indicators, printed even when empty."
    )
    categories: list[str] = Field(default_factory=list, description="Project categories in the order 十、 counts them.")


class Profile(_Spec):
    name: str
    description: str = ""
    report_title: str = "{unit}{year}年{level}预算公开报告"
    parts: list[PartSpec]
    tables: dict[str, TableSpec]
    empty_table_note: str = "注：本表无数据"
    amount_unit_label: str = "单位：万元"
    sections: dict[int, str] = Field(default_factory=dict, description="Headings of 第三部分's sections, by number.")
    phrases: dict[str, str | list[str]] = Field(
        default_factory=dict, description="Sentence patterns of 第三部分 (see docs/narrative.md)."
    )
    performance_sheet: PerformanceSheetSpec | None = None

    def phrase(self, key: str) -> str:
        value = self.phrases.get(key)
        if not isinstance(value, str):
            raise ProfileError(f"profile {self.name}: phrases.{key} is missing (a sentence pattern the narrative needs)")
        return value

    def phrase_list(self, key: str) -> list[str]:
        value = self.phrases.get(key)
        if not isinstance(value, list):
            raise ProfileError(f"profile {self.name}: phrases.{key} must be a list")
        return value

    @model_validator(mode="after")
    def _tables_have_titles(self) -> Profile:
        missing = [p.table for p in self.parts if p.table and p.table not in self.tables]
        if missing:
            raise ValueError(f"tables without a title entry: {', '.join(missing)}")
        return self

    @property
    def template_names(self) -> list[str]:
        """Every template the profile needs (base.docx holds page setup and footer)."""
        return list(dict.fromkeys(["base.docx", *(p.template for p in self.parts)]))


def bundled_profiles() -> list[str]:
    folder = resources.files("disclosure") / "profiles"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


#: Largest profile file read, in bytes (the bundled one has 12 KB).
MAX_PROFILE_BYTES = 1_000_000
_EXPECTED = "expected a report profile: a YAML mapping with name:, parts: and tables:"


@functools.lru_cache(maxsize=16)
def load_profile(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """The bundled profile ``name_or_path``, or the profile file at that path (``*.yaml``).

    A file is read only if it is a regular file of at most :data:`MAX_PROFILE_BYTES`, and nothing
    of a file that is not a profile is echoed in a message (a model may point anywhere).

    Raises:
        ProfileError: unknown name, or a file that cannot be read or is not a valid profile.
    """
    path = Path(name_or_path)
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path or os.sep in name_or_path or path.is_file():
        shown = str(path)
        try:
            data = read_regular_file(path, MAX_PROFILE_BYTES, "a report profile (YAML)")
        except FileRefused as exc:
            raise ProfileError(str(exc)) from None
    else:
        resource = resources.files("disclosure") / "profiles" / f"{name_or_path}.yaml"
        if not resource.is_file():
            raise ProfileError(f"unknown profile {name_or_path!r}; bundled: {', '.join(bundled_profiles())}")
        data = resource.read_bytes()
        shown = f"profile {name_or_path}"
    return _parse_profile(data, shown)


def _parse_profile(data: bytes, shown: str) -> Profile:
    from .load import LoadError, decode, format_path, parse_yaml

    try:
        content, source = parse_yaml(decode(data, shown), shown)
    except LoadError as exc:
        problem = exc.problems[0]
        where = f" (line {problem.line})" if problem.line else ""
        raise ProfileError(f"{shown}: is not a YAML file{where}; {_EXPECTED}") from None
    if not isinstance(content, dict) or not {"name", "parts"} <= set(content):
        raise ProfileError(f"{shown}: {_EXPECTED}")  # not a profile: say nothing of what it holds
    try:
        return Profile.model_validate(content)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = tuple(x for x in first["loc"] if isinstance(x, (str, int)))
        message = first["msg"].removeprefix("Value error, ")
        raise ProfileError(f"{source.where(loc)} {format_path(loc)}: {message}") from None
