"""YAML/JSON → :class:`~disclosure.model.BudgetModel`, with every error naming file, YAML path and line.

The file is parsed to a YAML *node graph* (``yaml.compose``, the safe loader)
and converted to plain data by this module, never by PyYAML's constructors, so:

* nothing in the file is ever executed: any explicit tag other than the
  standard scalar/collection tags (``!!python/object``, ``!custom`` …) is refused;
* numbers with a fraction become :class:`~decimal.Decimal` from their written
  digits, never binary floats (``3097016.27`` stays exact);
* every value's line is recorded, so a validation error reads
  ``examples/x.yaml:42 budget.lines[3].amount: expected a decimal with at most 2 places, got 'abc'``;
* duplicate keys are errors, and alias expansion is bounded (an alias bomb is
  refused after :data:`MAX_NODES` values instead of exhausting memory).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DisclosureError
from .model import BudgetModel, move_renamed_fields

try:  # libyaml's composer is ~10× faster; both give the same node graph and marks
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

#: Largest number of values a file may expand to (aliases included).
MAX_NODES = 200_000
#: Largest file accepted, in bytes.
MAX_BYTES = 20 * 1024 * 1024
#: File suffixes read as an Excel workbook (:mod:`disclosure.workbook`) instead of YAML.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")

PathElement = str | int
YamlPath = tuple[PathElement, ...]

#: Characters XML 1.0 (and so a .docx) cannot hold: C0 controls other than tab, newline, carriage return.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

def normalize_line_breaks(text: str) -> str:
    """``\r\n`` and a lone ``\r`` (from a ``"\r"`` escape) become ``\n``: a line break in the report."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


_ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
}


# --------------------------------------------------------------------------- errors


def format_path(path: Sequence[PathElement]) -> str:
    """``('budget', 'lines', 3, 'amount')`` → ``budget.lines[3].amount``."""
    out = ""
    for element in path:
        if isinstance(element, int):
            out += f"[{element}]"
        elif re.fullmatch(r"[^\s.\[\]\"']+", element):
            out += f".{element}" if out else element
        else:
            out += f'["{element}"]'
    return out or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be used: where (file, YAML path, and the line of a YAML file or the
    ``Sheet!A1`` cell of a workbook) and what was expected."""

    file: str
    message: str
    path: YamlPath = ()
    line: int | None = None
    column: int | None = None
    cell: str | None = None  # a workbook's 预算明细!D12

    @property
    def where(self) -> str:
        """``unit.yaml:42``, ``unit.xlsx 预算明细!D12``, or the file alone."""
        if self.cell is not None:
            return f"{self.file} {self.cell}"
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def __str__(self) -> str:
        if self.path:
            return f"{self.where} {format_path(self.path)}: {self.message}"
        return f"{self.where}: {self.message}"


class LoadError(DisclosureError):
    """The input cannot be used at all (exit code 2): unreadable, not YAML, or not a budget model."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --------------------------------------------------------------------------- source map


@dataclass
class SourceMap:
    """Where each value of the input came from: YAML path → (line, column), 1-based, for a YAML file;
    model path → ``Sheet!A1`` cell for a workbook (:mod:`disclosure.workbook`)."""

    file: str
    positions: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    cells: dict[YamlPath, str] = field(default_factory=dict)

    @staticmethod
    def _nearest(table: dict[YamlPath, Any], path: Sequence[PathElement]) -> Any:
        path = tuple(path)
        while True:
            if path in table:
                return table[path]
            if not path:
                return None
            path = path[:-1]

    def line(self, path: Sequence[PathElement]) -> int | None:
        """Line of ``path``, or of its nearest ancestor present in the file (a missing key's parent)."""
        position = self._nearest(self.positions, path)
        return None if position is None else position[0]

    def cell(self, path: Sequence[PathElement]) -> str | None:
        """The workbook cell of ``path`` (or of its nearest ancestor), e.g. ``预算明细!D12``; None for YAML."""
        return self._nearest(self.cells, path) if self.cells else None

    def where(self, path: Sequence[PathElement]) -> str:
        """``unit.yaml:42`` or ``unit.xlsx 预算明细!D12``: the file and the place of ``path`` in it."""
        return self.problem("", path).where

    def problem(self, message: str, path: Sequence[PathElement] = ()) -> Problem:
        """A :class:`Problem` at ``path``, located by line or by cell."""
        path = tuple(path)
        return Problem(self.file, message, path, self.line(path), cell=self.cell(path))


@dataclass(frozen=True)
class LoadedModel:
    """A validated model with the source map its findings are located by.

    ``notices`` are warnings about the file itself (a renamed field used with its old spelling); they
    never stop a build, ``--strict`` included.
    """

    model: BudgetModel
    source: SourceMap
    path: Path | None = None
    notices: tuple[Problem, ...] = ()


# --------------------------------------------------------------------------- reading bytes


def _read_text(path: Path, shown: str) -> str:
    def fail(message: str) -> LoadError:
        return LoadError([Problem(shown, message)])

    try:
        if path.is_dir():
            raise fail("is a folder; expected a YAML file such as unit.yaml")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise fail(f"is {size} bytes; a budget model is expected to be under {MAX_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail("no such file") from None
    except PermissionError:
        raise fail("cannot be read (permission denied)") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    return decode(data, shown)


def decode(data: bytes, shown: str) -> str:
    """UTF-8 text of ``data``; other encodings are refused with a suggestion of what the file is."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError([Problem(shown, "is UTF-16 encoded; save it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8)")])
    if b"\x00" in data[:8192]:
        raise LoadError([Problem(shown, "is a binary file, not YAML text")])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "save it as UTF-8"
        try:
            data.decode("gb18030")
            hint = "it looks like GBK/GB18030 (saved by Chinese Windows); save it as UTF-8 (for example: iconv -f GB18030 -t UTF-8 in.yaml > out.yaml)"
        except UnicodeDecodeError:
            pass
        raise LoadError([Problem(shown, f"is not valid UTF-8 (byte {exc.start}); {hint}", line=line)]) from None
    if not text.strip():
        raise LoadError([Problem(shown, "is empty; expected a budget model with unit: and budget:")])
    return text


# --------------------------------------------------------------------------- nodes → data


class _Converter:
    """Turn a composed YAML node graph into plain data (dict/list/str/int/Decimal/bool/None/date)."""

    def __init__(self, file: str):
        self.file = file
        self.positions: dict[YamlPath, tuple[int, int]] = {}
        self.count = 0
        self._active: set[int] = set()
        self._scalar = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, path: YamlPath, message: str) -> LoadError:
        return LoadError([Problem(self.file, message, path, node.start_mark.line + 1, node.start_mark.column + 1)])

    def convert(self, node: yaml.Node, path: YamlPath = ()) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, path, f"expands to more than {MAX_NODES} values (too many or nested aliases); refused")
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(node, path, f"YAML tag {node.tag!r} is not allowed: tags are never executed or interpreted")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self._active:
            raise self.fail(node, path, "a recursive alias refers to itself; refused")
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            return self.mapping(node, path)
        finally:
            self._active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise self.fail(source, path, "a merge key (<<) must refer to a mapping")
                    for k, v in self.mapping(source, path).items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "a mapping key must be a plain value, not a list or mapping")
            key = self.scalar(key_node, path)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise self.fail(key_node, (*path, key), f"duplicate key {key!r} (it was already given above)")
            self.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.convert(value_node, (*path, key))
        for k, v in merged.items():
            result.setdefault(k, v)
        return result

    def scalar(self, node: yaml.ScalarNode, path: YamlPath) -> Any:
        tag, value = node.tag, node.value
        if tag == "tag:yaml.org,2002:str":
            bad = FORBIDDEN_CHARACTERS.search(value)
            if bad:
                raise self.fail(node, path, f"contains the control character U+{ord(bad.group()):04X}, which a Word "
                                            "document cannot hold; remove it")
            return normalize_line_breaks(value)
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return self._scalar.construct_yaml_bool(node)
        if tag == "tag:yaml.org,2002:int":
            try:
                return self._scalar.construct_yaml_int(node)
            except ValueError:
                raise self.fail(node, path, f"{value!r} is not a valid integer") from None
        if tag == "tag:yaml.org,2002:float":
            text = value.replace("_", "").strip()
            lowered = text.lower()
            if lowered in (".nan",):
                return Decimal("NaN")
            if lowered in (".inf", "+.inf", "-.inf"):
                return Decimal("-Infinity" if lowered.startswith("-") else "Infinity")
            try:
                return Decimal(text)
            except InvalidOperation:
                return value
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return self._scalar.construct_yaml_timestamp(node)
            except ValueError:
                raise self.fail(node, path, f"{value!r} is not a valid date") from None
        raise self.fail(node, path, f"YAML tag {tag!r} is not allowed")  # pragma: no cover


def parse_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse YAML ``text`` to plain data and its source map; syntax errors carry line and column."""
    bad = FORBIDDEN_CHARACTERS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise LoadError([Problem(file, f"contains the control character U+{ord(bad.group()):04X} at column {column}, "
                                       "which a Word document cannot hold; remove it", line=line, column=column)])
    try:
        documents = list(yaml.compose_all(text, Loader=_SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        where = f" at column {column}" if column else ""
        raise LoadError([Problem(file, f"YAML syntax error{where}: {problem}{context}", line=line, column=column)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise LoadError([Problem(file, f"contains the control character U+{exc.character:04X}, which YAML and Word "
                                       "documents cannot hold; remove it", line=line)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem(file, f"not valid YAML: {exc}")]) from None
    documents = [d for d in documents if d is not None]
    if not documents:
        raise LoadError([Problem(file, "holds no data; expected a budget model with unit: and budget:")])
    if len(documents) > 1:
        line = documents[1].start_mark.line + 1
        raise LoadError([Problem(file, "holds several YAML documents (---); expected one budget model", line=line)])
    converter = _Converter(file)
    data = converter.convert(documents[0])
    return data, SourceMap(file, converter.positions)


# --------------------------------------------------------------------------- validation errors


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional/Union/Annotated peeled off)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_at(loc: Sequence[PathElement]) -> type[BaseModel] | None:
    """The pydantic model class that holds the keys at ``loc`` (for did-you-mean suggestions)."""
    current: list[Any] = [BudgetModel]
    for element in loc:
        following: list[Any] = []
        for candidate in current:
            origin = typing.get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                info = candidate.model_fields.get(str(element))
                if info is not None:
                    following.extend(_unwrap(info.annotation))
            elif origin in (list, Sequence) and isinstance(element, int):
                following.extend(_unwrap(typing.get_args(candidate)[0]))
            elif origin is dict:
                following.extend(_unwrap(typing.get_args(candidate)[1]))
        current = following
    return next((c for c in current if isinstance(c, type) and issubclass(c, BaseModel)), None)


def _message(error: dict[str, Any], loc: YamlPath) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        owner = _model_at(loc[:-1])
        known = list(owner.model_fields) if owner else []
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; known keys: {', '.join(known)}" if known else "")
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return "required field is missing"
    if kind in ("model_type", "dict_type") and isinstance(error.get("input"), list):
        return "expected a mapping (key: value), got a list"
    if kind == "list_type":
        return f"expected a list (- item), got {_describe(error.get('input'))}"
    message = error["msg"]
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        message = f"{message}, got {error.get('input')!r}"
    return message


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"{value!r}"
    return type(value).__name__


def validation_problems(exc: ValidationError, source: SourceMap) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc: YamlPath = tuple(e for e in error["loc"] if isinstance(e, (str, int)))
        # pydantic appends the key of a failing dict key as '[key]'; drop tagged-union noise
        loc = tuple(e for e in loc if not (isinstance(e, str) and e.startswith("function-")))
        problems.append(source.problem(_message(error, loc), loc))
    return problems


# --------------------------------------------------------------------------- entry points


def load_data(data: Any, source: SourceMap) -> BudgetModel:
    """Validate plain data (from YAML or a Python caller) into a model; errors are :class:`LoadError`."""
    return _validated(data, source)[0]


def _validated(data: Any, source: SourceMap) -> tuple[BudgetModel, tuple[Problem, ...]]:
    """The model of ``data`` and the notices about renamed fields it uses."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else _describe(data)
        raise LoadError([Problem(source.file, f"expected a mapping with unit:, budget: … at the top level, got {kind}", line=1)])
    moved = move_renamed_fields(data)
    notices = tuple(
        source.problem(f"renamed: write {format_path(new)} instead (the old spelling still works)", old)
        for old, new in moved
    )
    for old, new in moved:  # errors in a moved value are reported at the line where it was written
        for path, position in list(source.positions.items()):
            if path[: len(old)] == old:
                source.positions.setdefault(new + path[len(old):], position)
    try:
        return BudgetModel.model_validate(data), notices
    except ValidationError as exc:
        raise LoadError(validation_problems(exc, source)) from None


def load(path: Path | str) -> LoadedModel:
    """Read and validate a budget model file (YAML or JSON, or an Excel workbook by its suffix).  Raises
    :class:`LoadError`."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook.read import load_workbook_model  # openpyxl only when a workbook is read

        return load_workbook_model(path)
    shown = str(path)
    text = _read_text(path, shown)
    data, source = parse_yaml(text, shown)
    model, notices = _validated(data, source)
    return LoadedModel(model, source, path, notices)


def loads(text: str, file: str = "<string>") -> LoadedModel:
    """Validate a budget model given as YAML text."""
    data, source = parse_yaml(text, file)
    model, notices = _validated(data, source)
    return LoadedModel(model, source, None, notices)


__all__ = [
    "LoadError",
    "LoadedModel",
    "Problem",
    "SourceMap",
    "decode",
    "format_path",
    "load",
    "load_data",
    "loads",
    "parse_yaml",
    "validation_problems",
]
