"""YAML/JSON → :class:`~disclosure.model.BudgetModel`, with every error naming file, YAML path and line.

The file is read as a stream of YAML *events* (the safe parser) and turned into plain data by this
module, never by PyYAML's constructors, and no node graph is kept, so:

* nothing in the file is ever executed: any explicit tag other than the standard
  scalar/collection tags (``!!python/object``, ``!custom`` …) is refused;
* a number is kept **as written** (a ``str``: ``10000``, ``3097016.27``, ``0100000``), never read by
  YAML 1.1's rules (which make ``0100000`` octal 32768, ``1:20`` sexagesimal 80 and ``1_000`` 1000);
  each field then reads the text by its own rule (an amount as a plain decimal, a code as its
  digits, a count as a whole number: :mod:`disclosure.model`).  Dates are kept as written too;
* every value's line is recorded, so a validation error reads
  ``examples/x.yaml:42 budget.lines[3].amount: expected a decimal with at most 2 places, got 'abc'``;
* duplicate keys are errors, and the size of what is read is bounded while it is read: at most
  :data:`MAX_BYTES` of file, :data:`MAX_NODES` values (aliases counted as often as they are used, so
  an alias bomb is refused instead of exhausting memory) and :data:`MAX_DEPTH` levels of nesting.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from .errors import DisclosureError, expect
from .files import FileRefused, read_regular_file
from .heap import collector_paused
from .model import BudgetModel, move_renamed_fields

try:  # libyaml's parser is ~10× faster; both give the same events and marks
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

#: Largest number of values a file may hold, aliases counted each time they are used.  The largest
#: report the team targets (50,000 table rows: ~1,600 projects with performance sheets, ~10 MB of
#: YAML) has about 300,000; a file at this limit takes about 0.5 GB to load (docs/decisions.md).
MAX_NODES = 2_000_000
#: Largest file accepted, in bytes.
MAX_BYTES = 20_000_000
#: Deepest nesting of mappings and lists accepted (a budget model needs 7 levels).
MAX_DEPTH = 64
#: File suffixes read as an Excel workbook (:mod:`disclosure.workbook`) instead of YAML.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")

PathElement = str | int
YamlPath = tuple[PathElement, ...]

#: Characters XML 1.0 (and so a .docx) cannot hold: C0 controls other than tab, newline, carriage return.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

def normalize_line_breaks(text: str) -> str:
    """``\r\n`` and a lone ``\r`` (from a ``"\r"`` escape) become ``\n``: a line break in the report."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
#: Scalars kept as written text: numbers and dates (their fields read them, see the module docstring).
_AS_WRITTEN = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
_ALLOWED_TAGS = {_STR, _NULL, _BOOL, _MERGE, _MAP, _SEQ, *_AS_WRITTEN}


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

# Positions are kept compactly, in a tree parallel to the data (a flat map from YAML paths took
# ~250 bytes per value): a scalar's entry is its packed position, a mapping's or list's entry a
# pair (packed position, children) with children a dict by key or a list by index.  In a mapping
# the position of an entry is that of its key.
_COLUMN_BITS = 24


def _pack(mark: Any) -> int:
    return ((mark.line + 1) << _COLUMN_BITS) | min(mark.column + 1, (1 << _COLUMN_BITS) - 1)


def _unpack(packed: int) -> tuple[int, int]:
    return packed >> _COLUMN_BITS, packed & ((1 << _COLUMN_BITS) - 1)


@dataclass
class SourceMap:
    """Where each value of the input came from: YAML path → (line, column), 1-based, for a YAML file;
    model path → ``Sheet!A1`` cell for a workbook (:mod:`disclosure.workbook`)."""

    file: str
    root: Any = field(default=None, repr=False)

    def position(self, path: Sequence[PathElement]) -> tuple[int, int] | None:
        """(line, column) of ``path``, or of its nearest ancestor present in the file (a missing key's parent)."""
        entry = self.root
        if entry is None:
            return None
        found = entry[0] if isinstance(entry, tuple) else entry
        for element in path:
            children = entry[1] if isinstance(entry, tuple) else None
            if isinstance(children, dict) and isinstance(element, str):
                if element not in children:
                    break
                entry = children[element]
            elif isinstance(children, list) and isinstance(element, int) and 0 <= element < len(children):
                entry = children[element]
            else:
                break
            found = entry[0] if isinstance(entry, tuple) else entry
        return _unpack(found)

    def line(self, path: Sequence[PathElement]) -> int | None:
        """Line of ``path``, or of its nearest ancestor present in the file (a missing key's parent)."""
        position = self.position(path)
        return None if position is None else position[0]
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

    def move(self, old: Sequence[str], new: Sequence[str]) -> None:
        """Locate the values of mapping path ``old`` at ``new`` too (a renamed field: its errors keep their line)."""
        self._move_cells(old, new)
        entry = self.root
        for key in old:
            children = entry[1] if isinstance(entry, tuple) else None
            if not isinstance(children, dict) or key not in children:
                return
            entry = children[key]
        target = self.root
        for key in new[:-1]:
            packed = target[0] if isinstance(target, tuple) else target
            children = target[1] if isinstance(target, tuple) else None
            if not isinstance(children, dict):
                return
            if key not in children:
                children[key] = (packed, {})
            elif not isinstance(children[key], tuple):
                children[key] = (children[key], {})
            target = children[key]
        if isinstance(target, tuple) and isinstance(target[1], dict):
            target[1].setdefault(new[-1], entry)

    def _move_cells(self, old: Sequence[str], new: Sequence[str]) -> None:
        old, new = tuple(old), tuple(new)
        for path, ref in list(self.cells.items()):
            if path[: len(old)] == old:
                self.cells.setdefault(new + path[len(old):], ref)


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
    try:
        data = read_regular_file(path, MAX_BYTES, "a budget model (YAML or JSON)")
    except FileRefused as exc:
        raise LoadError([Problem(shown, exc.reason)]) from None
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


# --------------------------------------------------------------------------- events → data


class _Container:
    """A mapping or list being read: its data, its positions and what the next event fills."""

    __slots__ = ("anchor", "children", "count_before", "key", "key_position", "mapping", "merges", "packed", "parent",
                 "slot", "value")

    def __init__(self, value: dict | list, children: dict | list, parent: _Container | None, slot: PathElement | None,
                 packed: int, anchor: str | None, count_before: int):
        self.value = value
        self.children = children
        self.mapping = isinstance(value, dict)
        self.parent = parent  # the container this one is in, and its key or index there: its path, for messages
        self.slot = slot
        self.packed = packed
        self.anchor = anchor
        self.count_before = count_before
        self.key: Any = _NO_KEY  # a mapping's key awaiting its value (_MERGE_KEY for <<)
        self.key_position = 0
        self.merges: list[tuple[Any, Any, int]] = []  # (value, entry, line) of each << in order

    @property
    def path(self) -> YamlPath:
        """The YAML path of this mapping or list (worked out only for a message)."""
        slots = []
        container = self
        while container.parent is not None:
            if container.slot is not None:  # None: the value of a merge key (<<), located at its mapping
                slots.append(container.slot)
            container = container.parent
        return tuple(reversed(slots))


_NO_KEY = object()
_MERGE_KEY = object()
_UNFINISHED = object()  # an anchor whose mapping or list is still being read
_LAST_COLUMN = (1 << _COLUMN_BITS) - 1
_PLAIN_TAGS_KEPT = 20_000
_SCALAR_EVENT = yaml.ScalarEvent
_MAPPING_START_EVENT, _MAPPING_END_EVENT = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START_EVENT, _SEQUENCE_END_EVENT = yaml.SequenceStartEvent, yaml.SequenceEndEvent
#: tags of scalars read as text: strings, and numbers and dates kept as written
_TEXT_TAGS = frozenset({_STR, *_AS_WRITTEN})


class _Reader:
    """Plain data (dict/list/str/bool/None) and positions from the parse events of one document.

    The loop runs once for each of the file's values (300,000 in the largest report), so it does the
    least it can for a well-formed value: the YAML path of a value is worked out only for an error
    message (a container knows its parent and its key or index there), a quoted scalar is a string
    without asking the resolver, and an untagged scalar read as text is placed without a call.
    """

    def __init__(self, file: str):
        self.file = file
        self.count = 0
        self.anchors: dict[str, tuple[Any, Any, int]] = {}  # name → (value, position entry, values)
        self._resolver = yaml.resolver.Resolver()
        self._implicit = self._resolver.yaml_implicit_resolvers
        self._plain_tags: dict[str, str] = {}  # plain scalar → its resolved tag (keys and amounts recur)
        self._bools = yaml.constructor.SafeConstructor.bool_values

    def fail(self, mark: Any, path: YamlPath, message: str) -> LoadError:
        return LoadError([Problem(self.file, message, path, mark.line + 1, mark.column + 1)])

    def _tag(self, event: Any, top: _Container | None) -> str:
        tag = event.tag
        if isinstance(event, yaml.ScalarEvent):
            if tag is None or tag == "!":
                if not event.implicit[0]:  # quoted: a string, as the resolver would say
                    return _STR
                value = event.value
                if value[:1] not in self._implicit:  # no rule starts so (Chinese text)
                    return _STR
                tag = self._plain_tags.get(value)
                if tag is None:
                    tag = self._resolver.resolve(yaml.ScalarNode, value, event.implicit)
                    if len(self._plain_tags) < _PLAIN_TAGS_KEPT:
                        self._plain_tags[value] = tag
        elif tag is None or tag == "!":
            tag = _MAP if isinstance(event, yaml.MappingStartEvent) else _SEQ
        if tag not in _ALLOWED_TAGS:
            raise self.fail(event.start_mark, self._path_of_next(top),
                            f"YAML tag {tag!r} is not allowed: tags are never executed or interpreted")
        return tag

    def _scalar(self, event: Any, tag: str, top: _Container | None) -> Any:
        value = event.value
        if tag == _STR or tag in _AS_WRITTEN:
            # the file was searched for these characters as a whole; only an escape ("\x01") makes one
            if event.style == '"' and (bad := FORBIDDEN_CHARACTERS.search(value)):
                raise self.fail(event.start_mark, self._path_of_next(top),
                                f"contains the control character U+{ord(bad.group()):04X}, "
                                "which a Word document cannot hold; remove it")
            return normalize_line_breaks(value)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            try:
                return self._bools[value.lower()]
            except KeyError:
                raise self.fail(event.start_mark, self._path_of_next(top),
                                "is not a YAML boolean (true or false)") from None
        raise self.fail(event.start_mark, self._path_of_next(top), f"YAML tag {tag!r} is not allowed here")

    def _counted(self, values: int, mark: Any, top: _Container | None) -> None:
        self.count += values
        if self.count > MAX_NODES:
            raise self.fail(mark, self._path_of_next(top), f"expands to more than {MAX_NODES:,} values (too many "
                                                           "values, or aliases used too often); a budget model is "
                                                           "refused beyond that")

    def read(self, loader: Any) -> tuple[Any, Any]:
        """The value of the document whose first node event is next, and its position entry."""
        stack: list[_Container] = []
        get_event = loader.get_event
        implicit, plain_tags = self._implicit, self._plain_tags
        while True:
            event = get_event()
            top = stack[-1] if stack else None
            kind = type(event)
            if kind is _SCALAR_EVENT and top is not None and event.tag is None and event.anchor is None:
                # Nearly every event of a model: an untagged scalar read as text (a key, a name, an amount)
                # in a mapping or list. Placed here without the calls of the general path below, which
                # takes every other event and every case where that path could raise.
                value = event.value
                tag = plain_tags.get(value) if event.implicit[0] and value[:1] in implicit else _STR
                if tag in _TEXT_TAGS and (event.style != '"' or not FORBIDDEN_CHARACTERS.search(value)):
                    if "\r" in value:
                        value = normalize_line_breaks(value)
                    mark = event.start_mark
                    column = mark.column + 1
                    packed = ((mark.line + 1) << _COLUMN_BITS) | (column if column < _LAST_COLUMN else _LAST_COLUMN)
                    if top.mapping:
                        key = top.key
                        if key is _NO_KEY:
                            if value not in top.value:
                                top.key, top.key_position = value, packed
                                continue
                        elif key is not _MERGE_KEY and self.count < MAX_NODES:
                            self.count += 1
                            top.value[key] = value
                            top.children[key] = top.key_position
                            top.key = _NO_KEY
                            continue
                    elif self.count < MAX_NODES:
                        self.count += 1
                        top.value.append(value)
                        top.children.append(packed)
                        continue
            if top is not None and top.mapping and top.key is _NO_KEY and kind is not _MAPPING_END_EVENT:
                self._key(top, event)
                continue
            if kind is yaml.ScalarEvent:
                tag = self._tag(event, top)
                self._counted(1, event.start_mark, top)
                value, entry = self._scalar(event, tag, top), _pack(event.start_mark)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, entry, 1)
                result = self._place(stack, value, entry, event.start_mark)
            elif kind is _MAPPING_END_EVENT or kind is _SEQUENCE_END_EVENT:
                assert top is not None
                stack.pop()
                value = self._finish(top) if top.merges else top.value
                entry = (top.packed, top.children)
                if top.anchor is not None:
                    self.anchors[top.anchor] = (value, entry, self.count - top.count_before)
                parent = stack[-1] if stack else None
                if parent is not None and parent.key is not _MERGE_KEY:  # the common case of _place
                    if parent.mapping:
                        parent.value[parent.key] = value
                        parent.children[parent.key] = (parent.key_position, entry[1])
                        parent.key = _NO_KEY
                    else:
                        parent.value.append(value)
                        parent.children.append(entry)
                    continue
                result = self._place(stack, value, entry, event.start_mark)
            elif kind is yaml.AliasEvent:
                value, entry = self._alias(event, top)
                result = self._place(stack, value, entry, event.start_mark)
            elif kind is _MAPPING_START_EVENT or kind is _SEQUENCE_START_EVENT:
                if event.tag is not None:
                    self._tag(event, top)
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(event.start_mark, self._path_of_next(top),
                                    f"is nested more than {MAX_DEPTH} levels deep; refused")
                count_before = self.count
                if count_before < MAX_NODES:
                    self.count = count_before + 1
                else:
                    self._counted(1, event.start_mark, top)
                mapping = kind is _MAPPING_START_EVENT
                packed = top.key_position if top is not None and top.mapping else _pack(event.start_mark)
                if top is None:
                    slot = None
                elif top.mapping:
                    slot = None if top.key is _MERGE_KEY else top.key
                else:
                    slot = len(top.value)
                stack.append(_Container({} if mapping else [], {} if mapping else [], top, slot, packed, event.anchor,
                                        count_before))
                if event.anchor is not None:
                    self.anchors[event.anchor] = (_UNFINISHED, None, 0)
                continue
            else:  # pragma: no cover - the parser gives no other event inside a document
                raise self.fail(event.start_mark, self._path_of_next(top),
                                f"unexpected YAML event {type(event).__name__}")
            if result is not None:
                return result

    @staticmethod
    def _path_of_next(top: _Container | None) -> YamlPath:
        """The YAML path of the value the next event begins (that of its mapping while a key is awaited)."""
        if top is None:
            return ()
        if not top.mapping:
            return (*top.path, len(top.value))
        if top.key is _NO_KEY or top.key is _MERGE_KEY:
            return top.path
        return (*top.path, top.key)

    def _key(self, top: _Container, event: Any) -> None:
        """Read the key of the next entry of the mapping ``top``."""
        path = top.path
        if isinstance(event, yaml.AliasEvent):
            value, _, _ = self.anchors.get(event.anchor, (None, None, 0))
            if isinstance(value, (dict, list)) or value is _UNFINISHED:
                raise self.fail(event.start_mark, path, "a mapping key must be a plain value, not a list or mapping")
            key: Any = value
        elif isinstance(event, yaml.ScalarEvent):
            tag = self._tag(event, top)
            if tag == _MERGE:
                top.key = _MERGE_KEY
                top.key_position = _pack(event.start_mark)
                return
            key = self._scalar(event, tag, top)
            if not isinstance(key, str):  # on:, yes:, null: — every key of a model is text, kept as written
                key = event.value
        else:
            raise self.fail(event.start_mark, path, "a mapping key must be a plain value, not a list or mapping")
        key = key if isinstance(key, str) else str(key)
        if key in top.value:
            raise self.fail(event.start_mark, (*path, key), f"duplicate key {key!r} (it was already given above)")
        top.key = key
        top.key_position = _pack(event.start_mark)

    def _alias(self, event: Any, top: _Container | None) -> tuple[Any, Any]:
        if event.anchor not in self.anchors:
            raise self.fail(event.start_mark, self._path_of_next(top),
                            f"the alias *{event.anchor} refers to no anchor &{event.anchor} above it")
        value, entry, values = self.anchors[event.anchor]
        if value is _UNFINISHED:
            raise self.fail(event.start_mark, self._path_of_next(top), "a recursive alias refers to itself; refused")
        self._counted(values, event.start_mark, top)
        if not isinstance(entry, tuple):  # a scalar is where the alias is; a mapping's children stay where written
            entry = _pack(event.start_mark)
        return value, entry

    def _place(self, stack: list[_Container], value: Any, entry: Any, mark: Any) -> tuple[Any, Any] | None:
        """Put a finished value into the container on top of ``stack``; the document's value when none is left."""
        if not stack:
            return value, entry
        top = stack[-1]
        if not top.mapping:
            top.value.append(value)
            top.children.append(entry)
        elif top.key is _MERGE_KEY:
            sources = value if isinstance(value, list) else [value]
            entries = entry[1] if isinstance(value, list) else [entry]
            for source, source_entry in zip(sources, entries):
                if not isinstance(source, dict):
                    raise self.fail(mark, top.path, "a merge key (<<) must refer to a mapping")
                top.merges.append((source, source_entry, 0))
            top.key = _NO_KEY
        else:
            top.value[top.key] = value
            # an entry of a mapping is located at its key (a mapping or list under it keeps its children)
            top.children[top.key] = (top.key_position, entry[1]) if isinstance(entry, tuple) else top.key_position
            top.key = _NO_KEY
        return None

    @staticmethod
    def _finish(container: _Container) -> Any:
        """A mapping's merged keys (``<<``) fill what it does not give itself; the first merge wins."""
        if not container.merges:
            return container.value
        for source, source_entry, _ in container.merges:
            for key, value in source.items():
                if key not in container.value:
                    container.value[key] = value
                    if isinstance(source_entry, tuple) and key in source_entry[1]:
                        container.children[key] = source_entry[1][key]
        return container.value


def parse_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse YAML ``text`` to plain data and its source map; syntax errors carry line and column."""
    bad = FORBIDDEN_CHARACTERS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise LoadError([Problem(file, f"contains the control character U+{ord(bad.group()):04X} at column {column}, "
                                       "which a Word document cannot hold; remove it", line=line, column=column)])
    loader = _SafeLoader(text)
    reader = _Reader(file)
    documents: list[tuple[Any, Any]] = []
    try:
        loader.get_event()  # stream start
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # document start
            first = loader.peek_event()
            if documents:
                raise LoadError([Problem(file, "holds several YAML documents (---); expected one budget model",
                                         line=first.start_mark.line + 1)])
            value, entry = reader.read(loader)
            loader.get_event()  # document end
            if value is not None:
                documents.append((value, entry))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        context = f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        where = f" at column {column}" if column else ""
        raise LoadError([Problem(file, f"YAML syntax error{where}: {problem}{context}", line=line, column=column)]) from None
    except yaml.reader.ReaderError as exc:
        # the first character YAML cannot hold (libyaml's position counts bytes, PyYAML's characters)
        line = text.count("\n", 0, max(text.find(chr(exc.character)), 0)) + 1
        raise LoadError([Problem(file, f"contains the control character U+{exc.character:04X}, which YAML and Word "
                                       "documents cannot hold; remove it", line=line)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem(file, f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if not documents:
        raise LoadError([Problem(file, "holds no data; expected a budget model with unit: and budget:")])
    value, entry = documents[0]
    return value, SourceMap(file, entry)


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
        if re.fullmatch(r"\d{3}(\.\d+)?", key):  # {amount: 1,234.50}: YAML splits a flow mapping at the comma
            hint = "; inside { } a comma separates entries: write an amount with thousands separators in quotes " \
                   "('1,234') or without them" + hint
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
    value = error.get("input")
    if isinstance(value, bool) and not kind.startswith("bool") and "got" not in message:
        # yes/no/on/off/true/false are YAML booleans: say so, in the file's words
        hint = "; put it in quotes if it is text" if kind == "string_type" else ""
        return f"{message}, got the YAML boolean {'true' if value else 'false'}{hint}"
    if kind in ("enum", "literal_error"):
        message = f"{message}, got {value!r}"
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


def loaded_from(data: Any, source: SourceMap, path: Path | None = None) -> LoadedModel:
    """The model of plain data read from a file (YAML, or a workbook), with the notices of renamed fields it uses."""
    model, notices = _validated(data, source)
    return LoadedModel(model, source, path, notices)


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
        source.move(old, new)
    try:
        return BudgetModel.model_validate(data), notices
    except ValidationError as exc:
        raise LoadError(validation_problems(exc, source)) from None


#: what a model's JSON shows of a character XML cannot hold (or a backslash before b or f: then look closer)
_ESCAPED_CONTROL = re.compile(r"\\u00(?:0[0-8bef]|1[0-9a-f])|\\[bf]|[\ufffe\uffff]")


def control_character_problems(model: BudgetModel, file: str = "<model>") -> list[Problem]:
    """Each text of a model built in Python that holds a character a Word document cannot hold, by its path
    (a file's are refused while it is read). One search of the model's JSON, made in Rust, clears nearly every
    model; only one that might hold such a character is walked."""
    if not _ESCAPED_CONTROL.search(model.model_dump_json()):
        return []
    problems = []

    def walk(value: Any, path: YamlPath) -> None:
        if isinstance(value, str):
            bad = FORBIDDEN_CHARACTERS.search(value)
            if bad:
                problems.append(Problem(file, f"contains the control character U+{ord(bad.group()):04X}, which a "
                                              "Word document cannot hold; remove it", path))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(model.model_dump(mode="json"), ())
    return problems


def load(path: Path | str) -> LoadedModel:
    """Read and validate a budget model file (YAML or JSON, or an Excel workbook by its suffix).

    Only a regular file of at most :data:`MAX_BYTES` is read (a FIFO, device or folder is refused
    without reading it).

    Raises:
        LoadError: the file cannot be used; each of its ``problems`` names file, YAML path and line.
        ArgumentError: ``path`` is not a ``str`` or ``os.PathLike``.
    """
    expect(path, (str, os.PathLike), "path", "load")
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from .workbook.read import load_workbook_model  # openpyxl only when a workbook is read

        return load_workbook_model(path)
    shown = str(path)
    text = _read_text(path, shown)
    with collector_paused():
        data, source = parse_yaml(text, shown)
        return loaded_from(data, source, path)


def loads(text: str, file: str = "<string>") -> LoadedModel:
    """Validate a budget model given as YAML text (``file`` names it in messages).

    Raises:
        LoadError: the text cannot be used; each of its ``problems`` names the YAML path and line.
        ArgumentError: ``text`` or ``file`` is not a ``str``.
    """
    expect(text, str, "text", "loads")
    expect(file, str, "file", "loads")
    with collector_paused():
        data, source = parse_yaml(text, file)
        return loaded_from(data, source)


__all__ = [
    "LoadError",
    "LoadedModel",
    "Problem",
    "SourceMap",
    "control_character_problems",
    "decode",
    "format_path",
    "load",
    "load_data",
    "loaded_from",
    "loads",
    "parse_yaml",
    "validation_problems",
]
