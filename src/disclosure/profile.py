"""Report profiles: a report form as data — parts, tables, number formats, sections and sentences (DESIGN.md §3).

A profile is data (``profiles/<name>.yaml``), not code: ``shanxi-13`` is the 13-table
单位/部门预算公开报告 of Shanxi, ``shanghai-district-9`` the 9-table report of a Shanghai
district.  Another form is another profile file plus its templates (``docs/forms.md`` says
how to write one).  A profile serves both levels (部门 and 单位): parts, number formats,
placeholders and sentence patterns may differ by the model's ``unit.level``.

:func:`load_profile` accepts a bundled name or a path.

Texts of a profile (titles, headings, sentence patterns) fill placeholders with
:func:`fill_placeholders`: ``{name}`` is replaced by its value, literally; ``[…]`` is an
optional group, printed only when every placeholder inside it is non-empty (so ``[，{change}]``
prints nothing without last year's figure); ``[[`` and ``]]`` print ``[`` and ``]``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
import typing
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import UsageError
from .files import FileRefused, read_regular_file
from .money import NumberFormat
from .tables import SOURCE_GROUPS, TABLE_DERIVATIONS, SourceGroup

DEFAULT_PROFILE = "shanxi-13"

Level = Literal["单位", "部门"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class ProfileError(UsageError):
    """A profile that cannot be used (unknown name, bad file, a pattern the narrative cannot fill)."""


# --------------------------------------------------------------------------- filling texts


def _split_groups(pattern: str) -> list[str | list]:
    """``a[b{x}]c`` → ``['a', ['b{x}'], 'c']``; groups nest; ``[[``/``]]`` are literal brackets."""
    root: list[Any] = []
    stack = [root]
    text = ""
    i = 0
    while i < len(pattern):
        pair = pattern[i:i + 2]
        if pair in ("[[", "]]"):
            text += pair[0]
            i += 2
            continue
        char = pattern[i]
        if char == "[":
            stack[-1].append(text)
            text = ""
            group: list[Any] = []
            stack[-1].append(group)
            stack.append(group)
        elif char == "]" and len(stack) > 1:
            stack[-1].append(text)
            text = ""
            stack.pop()
        else:
            text += char
        i += 1
    if len(stack) > 1:
        raise ValueError(f"{pattern!r}: an optional group [ is not closed by ]")
    stack[-1].append(text)
    return root


def fill_placeholders(pattern: str, values: Mapping[str, object]) -> str:
    """Fill a profile text's ``{name}`` placeholders with values, literally, and its ``[…]`` optional groups.

    No format mini-language and no attribute access: a value is never read as a pattern.  A
    placeholder the caller does not provide is an error naming it.

    >>> fill_placeholders("收入{total}万元[，{change}]。", {"total": "887.70", "change": ""})
    '收入887.70万元。'
    >>> fill_placeholders("收入{total}万元[，{change}]。", {"total": "887.70", "change": "比上年增加1万元"})
    '收入887.70万元，比上年增加1万元。'
    """

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise PlaceholderError(f"the profile text {pattern!r} uses {{{key}}}, which is not provided here")
        return str(values[key])

    def render(parts: list, optional: bool) -> str | None:
        out = ""
        for part in parts:
            if isinstance(part, list):
                out += render(part, True) or ""
                continue
            if optional and any(str(values.get(k, "")) == "" for k in _PLACEHOLDER.findall(part)):
                for key in _PLACEHOLDER.findall(part):
                    if key not in values:
                        raise PlaceholderError(f"the profile text {pattern!r} uses {{{key}}}, which is not provided here")
                return None
            out += _PLACEHOLDER.sub(value, part)
        return out

    if "[" not in pattern:
        return _PLACEHOLDER.sub(value, pattern)
    return render(_split_groups(pattern), False) or ""


# --------------------------------------------------------------------------- the profile schema


class PlaceholderError(ProfileError, KeyError):
    """A profile text uses a ``{placeholder}`` that is not provided (also a KeyError, as it was before)."""

    def __str__(self) -> str:
        return Exception.__str__(self)  # not KeyError's quoted form


def _whole_number(value: Any) -> Any:
    """A profile's number as written (the loader keeps numbers as text): ``"2"`` → 2; ``"02"`` stays text."""
    if isinstance(value, str) and value.isdigit() and value.isascii() and (value == "0" or value[0] != "0"):
        return int(value)
    return value


def _holds_int(annotation: Any) -> bool:
    """Whether a type holds whole numbers somewhere: int, a Literal of ints, a union, dict keys, list items."""
    if annotation is int:
        return True
    if typing.get_origin(annotation) is Literal:
        return any(isinstance(arg, int) and not isinstance(arg, bool) for arg in typing.get_args(annotation))
    return any(_holds_int(arg) for arg in typing.get_args(annotation))


@functools.cache
def _int_fields(spec: type[BaseModel]) -> frozenset[str]:
    """Fields of ``spec`` that hold a whole number (int, a Literal of ints, or int | str keys and items)."""
    return frozenset(name for name, info in spec.model_fields.items() if _holds_int(info.annotation))


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _numbers_as_written(cls, data: Any) -> Any:
        """Whole-number fields get their numbers (the loader keeps every scalar as text); once per entry,
        not once per field, and never raising: a value that is not a number is refused by its field."""
        if not isinstance(data, dict):
            return data
        fields = _int_fields(cls)
        if not fields.intersection(data):
            return data
        data = dict(data)
        for name in fields.intersection(data):
            value = data[name]
            if isinstance(value, dict):
                data[name] = {_whole_number(k): v for k, v in value.items()}
            elif isinstance(value, list):
                data[name] = [_whole_number(v) for v in value]
            else:
                data[name] = _whole_number(value)
        return data


class Outline(_Spec):
    title: str = Field(description="Outline (PDF bookmark) title; placeholders such as {year}, {unit} are filled in.")
    level: int = Field(0, ge=0, le=3)


Content = Literal[
    "cover", "contents", "overview", "heading", "table", "notes", "performance_sheets", "project_explanations",
    "appendix", "glossary",
]


class PartSpec(_Spec):
    """One entry of the report: what it shows (``content``) and the template that lays it out.

    ``performance_sheets`` renders its template once per published sheet, ``project_explanations`` once per
    project with an explanation; the others once.  A ``table`` entry names the profile table(s) it prints.
    """

    content: Content = Field(description="What this entry shows.")
    template: str = Field(description="Template file name, looked up in --templates DIR first, then the defaults.")
    new_page: bool = False
    bookmark: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
    outline: Outline | None = None
    table: str | None = Field(None, description="The profile table (key of `tables`) a table entry prints.")
    tables: list[str] = Field(
        default_factory=list, description="Several profile tables printed by one template (e.g. 三公 and 机关运行经费 in one row).",
    )
    sections: list[int | str] = Field(default_factory=list, description="Sections (keys of `sections`) a notes entry prints.")
    levels: list[Level] = Field(
        default_factory=list, description="The levels (单位, 部门) whose reports have this entry; all when empty.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PartSpec:
        has_tables = self.table is not None or bool(self.tables)
        if (self.content == "table") != has_tables:
            raise ValueError("a table entry needs `table: <name>` (or `tables: [...]`), and only table entries have one")
        if self.table is not None and self.tables:
            raise ValueError("give `table` or `tables`, not both")
        if self.content == "notes" and not self.sections:
            raise ValueError("a notes entry lists the `sections` it prints")
        return self

    @property
    def table_names(self) -> list[str]:
        return [self.table] if self.table is not None else list(self.tables)

    def applies_to(self, level: str) -> bool:
        return not self.levels or level in self.levels


class TableSpec(_Spec):
    """A table of the form: which derivation (with which options), its titles, number format and layout."""

    label: str = Field("", description="The number line above the title, e.g. 预算公开表1 (may be empty).")
    title: str = Field(description="Table title; placeholders such as {year}/{Y}, {level} are filled in.")
    derive: str | None = Field(None, description="The derivation (tables.TABLE_DERIVATIONS); default: this table's key.")
    options: dict[str, Any] = Field(default_factory=dict, description="Options of the derivation (docs/forms.md).")
    format: str = Field("table", description="Name of the number format (key of `formats`) its figures print in.")
    total_row: Literal["first", "last"] = Field("first", description="Where the 合计 row prints.")
    unit_label: str | None = Field(None, description="The unit line, e.g. 单位：元; default from the format's unit.")
    empty_note: str | None = Field(None, description="Note under an empty table; default the profile's empty_table_note.")


class PerformanceSheetSpec(_Spec):
    """The 项目支出绩效目标表 form of the profile."""

    title: str = Field(description="Form title printed above each sheet; placeholders such as {region}, {tier}.")
    local_funds_label: str = "市县（区）财政资金"
    indicators: dict[str, list[str]] = Field(
        default_factory=dict, description="The form's 一级 → 二级 indicators, printed even when empty."
    )
    categories: list[str] = Field(default_factory=list, description="Project categories in the order 十、 counts them.")


class SectionSpec(_Spec):
    """A section of the report's prose: its heading (with its own numbering) and the writer of its sentences."""

    heading: str = Field("", description="Heading as printed, e.g. 一、{Y}年“三公”经费预算情况说明 (empty: none).")
    writer: str = Field(description="The code that writes its sentences (docs/narrative.md lists them).")


class FormatSpec(_Spec):
    """A number format: see :class:`disclosure.money.NumberFormat`."""

    unit: Literal["元", "万元"] = "万元"
    places: Literal[0, 1, 2] = 2
    grouping: bool = False
    zero: str = ""
    trim: bool = False

    def number_format(self) -> NumberFormat:
        return NumberFormat(self.unit, self.places, self.grouping, self.zero, self.trim)


class AssetsDate(_Spec):
    """The default 截至 date of the assets section: a month and day of the year before the budget year."""

    month: int = Field(12, ge=1, le=12)
    day: int = Field(31, ge=1, le=31)


#: The writers of the twelve numbered sections of the Shanxi form, for profiles that give ``sections`` as
#: ``{number: heading}`` (the form of profiles written for version 0.1).
NUMBERED_SECTION_WRITERS = {
    1: "changes", 2: "income", 3: "spending", 4: "fiscal", 5: "general_public", 6: "basic", 7: "three_public",
    8: "operating_costs", 9: "procurement", 10: "performance", 11: "assets", 12: "other",
}


class Profile(_Spec):
    name: str
    description: str = ""
    version: Literal[1, 2] = Field(
        1,
        description="2: change clauses are bare ({x_change} 比上年增加…, {x_reason} 主要原因是…, joined by the "
        "pattern's optional groups). 1 (profiles of version 0.1): {x_change} is ，比上年增加…，主要原因是….",
    )
    report_title: str = "{unit}{year}年{level}预算公开报告"
    level_placeholders: dict[Level, dict[str, str]] = Field(
        default_factory=dict, description="Extra placeholders by level, e.g. {单位: {editor: 预算单位}}.",
    )
    parts: list[PartSpec]
    tables: dict[str, TableSpec]
    empty_table_note: str = "注：本表无数据"
    amount_unit_label: str = Field("单位：万元", description="Default unit line of a 万元 table.")
    formats: dict[str, FormatSpec] = Field(
        default_factory=dict,
        description="Number formats by name: `table` (tables), `prose` (sentences) and any a table names.",
    )
    formats_by_level: dict[Level, dict[str, FormatSpec]] = Field(
        default_factory=dict, description="Formats that differ by level (e.g. 部门 tables in whole 元).",
    )
    prose_totals: Literal["printed", "exact"] = Field(
        "printed",
        description="printed: a sentence's figure is the table's (a sum of lines rounded once); exact: the exact "
        "total rounded once (forms whose tables print 元).",
    )
    sections: dict[int | str, str | SectionSpec] = Field(
        default_factory=dict, description="The prose sections by key: a SectionSpec, or (numbered) a heading.",
    )
    phrases: dict[str, str | list[str]] = Field(
        default_factory=dict, description="Sentence patterns (docs/narrative.md); `key@部门` overrides `key` for 部门.",
    )
    income_groups: list[SourceGroup] = Field(
        default_factory=lambda: list(SOURCE_GROUPS),
        description="How the form groups income sources in its sentences ({<key>} of each group; default the "
        "Shanxi five: general, fund, state_capital, special_account, unit_funds).",
    )
    performance_sheet: PerformanceSheetSpec | None = None
    assets_as_of: AssetsDate = Field(default_factory=AssetsDate, description="Default date of the assets section.")
    glossary: str = Field("glossary-default", description="The bundled glossary the report starts from.")
    appendix: str | None = Field(None, description="A bundled catalogue appended unless the model says otherwise.")

    @field_validator("sections")
    @classmethod
    def _known_writers(cls, sections: dict) -> dict:
        from .narrative import SECTION_WRITERS

        for key, spec in sections.items():
            writer = spec.writer if isinstance(spec, SectionSpec) else NUMBERED_SECTION_WRITERS.get(key)  # type: ignore[call-overload]
            if writer not in SECTION_WRITERS:
                raise ValueError(f"section {key!r}: unknown writer {writer!r}; known: {', '.join(SECTION_WRITERS)}")
        return sections

    @model_validator(mode="after")
    def _tables_resolve(self) -> Profile:
        missing = [name for p in self.parts for name in p.table_names if name not in self.tables]
        if missing:
            raise ValueError(f"parts name tables without an entry in `tables`: {', '.join(missing)}")
        for name, spec in self.tables.items():
            derivation = TABLE_DERIVATIONS.get(derivation_of(spec, name))
            if derivation is None:
                raise ValueError(f"tables.{name}: unknown derivation {spec.derive or name!r}; "
                                 f"known: {', '.join(TABLE_DERIVATIONS)}")
            try:
                derivation.options.model_validate(spec.options)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(x) for x in first["loc"])
                raise ValueError(f"tables.{name}.options.{where}: {first['msg']}") from None
            if spec.format not in self.formats and spec.format not in ("table", "prose"):
                raise ValueError(f"tables.{name}.format: no format named {spec.format!r} in `formats`")
        unknown = [s for p in self.parts for s in p.sections if s not in self.sections]
        if unknown:
            raise ValueError(f"parts name sections not in `sections`: {', '.join(map(str, unknown))}")
        return self

    # ----------------------------------------------------------------------- look-ups

    def phrase(self, key: str, level: str | None = None) -> str:
        """The sentence pattern ``key`` (its ``key@level`` variant first)."""
        value = self.phrases.get(f"{key}@{level}") if level else None
        if value is None:
            value = self.phrases.get(key)
        if not isinstance(value, str):
            raise ProfileError(f"profile {self.name}: phrases.{key} is missing (a sentence pattern the narrative needs)")
        return value

    def has_phrase(self, key: str, level: str | None = None) -> bool:
        return (level is not None and f"{key}@{level}" in self.phrases) or key in self.phrases

    def phrase_list(self, key: str, level: str | None = None) -> list[str]:
        value = self.phrases.get(f"{key}@{level}") if level else None
        if value is None:
            value = self.phrases.get(key)
        if not isinstance(value, list):
            raise ProfileError(f"profile {self.name}: phrases.{key} must be a list")
        return value

    def number_format(self, name: str, level: str) -> NumberFormat:
        """The format ``name`` for reports of ``level`` (table: 万元 with two decimals, blank zero; prose: zero 0)."""
        spec = self.formats_by_level.get(level, {}).get(name) or self.formats.get(name)  # type: ignore[call-overload]
        if spec is not None:
            return spec.number_format()
        return NumberFormat(zero="0") if name == "prose" else NumberFormat()

    def parts_for(self, level: str) -> list[PartSpec]:
        return [p for p in self.parts if p.applies_to(level)]

    def section_spec(self, key: int | str) -> SectionSpec:
        spec = self.sections[key]
        if isinstance(spec, SectionSpec):
            return spec
        return SectionSpec(heading=spec, writer=NUMBERED_SECTION_WRITERS[key])  # type: ignore[index]

    def section_heading(self, key: int | str, values: Mapping[str, object]) -> str:
        """The heading as printed: numbered sections (``{1: …}``) get 一、二、…; others print their own."""
        from .numerals import chinese_number

        spec = self.sections[key]
        if isinstance(spec, SectionSpec):
            return fill_placeholders(spec.heading, values)
        return f"{chinese_number(int(key))}、{fill_placeholders(spec, values)}"

    def table_spec(self, name: str) -> TableSpec:
        return self.tables[name]

    def assets_date(self, fiscal_year: int) -> _dt.date:
        return _dt.date(fiscal_year - 1, self.assets_as_of.month, self.assets_as_of.day)

    @property
    def template_names(self) -> list[str]:
        """Every template the profile needs (base.docx holds page setup and footer)."""
        return list(dict.fromkeys(["base.docx", *(p.template for p in self.parts)]))


def derivation_of(spec: TableSpec, name: str) -> str:
    """The derivation key of the profile table ``name``."""
    return spec.derive or name


# --------------------------------------------------------------------------- placeholders of a report


def report_placeholders(model: Any, profile: Profile | None = None) -> dict[str, object]:
    """The placeholders every profile text may use: {year} = {Y}, {P} (= Y − 1), {unit}, {level}, {region},
    {tier}, and the profile's placeholders for the model's level."""
    unit = model.unit
    values: dict[str, object] = {
        "year": unit.fiscal_year,
        "Y": unit.fiscal_year,
        "P": unit.fiscal_year - 1,
        "unit": unit.name,
        "level": unit.level,
        "region": unit.region or "",
        "tier": unit.tier or "",
    }
    if profile is not None:
        values.update(profile.level_placeholders.get(unit.level, {}))
    return values


# --------------------------------------------------------------------------- loading


def bundled_profiles() -> list[str]:
    folder = resources.files("disclosure") / "profiles"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


#: Largest profile file read, in bytes (the bundled one has 12 KB).
MAX_PROFILE_BYTES = 1_000_000
_EXPECTED = "expected a report profile: a YAML mapping with name:, parts: and tables:"


def is_profile_path(name: str) -> bool:
    """Whether :func:`load_profile` reads ``name`` as a file (``my-form.yaml``, ``forms/x``, an existing file)
    rather than as the name of a bundled profile (``shanghai-district-9``)."""
    return name.endswith((".yaml", ".yml")) or "/" in name or os.sep in name or Path(name).is_file()


@functools.lru_cache(maxsize=16)
def load_profile(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """The bundled profile ``name_or_path``, or the profile file at that path (``*.yaml``).

    A file is read only if it is a regular file of at most :data:`MAX_PROFILE_BYTES`, and nothing
    of a file that is not a profile is echoed in a message (a model may point anywhere).

    Raises:
        ProfileError: unknown name, or a file that cannot be read or is not a valid profile.
    """
    path = Path(name_or_path)
    if is_profile_path(name_or_path):
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
