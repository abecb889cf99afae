"""``disclosure templates check DIR``: what would go wrong with a folder of templates, before a build.

For every template the profile uses, it reports:

* variables that are not in the template's documented context (:mod:`disclosure.render.variables`),
  with the nearest documented name (``{{ table.titel }}`` → did you mean ``table.title``?), following
  loop variables, ``{% set %}``, filters (``|first``, ``|selectattr``, ``|map(attribute=…)``), slices
  and indexes the way Jinja evaluates them; ``loop.index`` and Jinja's globals are not variables;
* Jinja syntax errors, such as an ``{%p if %}`` without its ``{%p endif %}``, with the text around it,
  and whatever the build refuses (an unknown filter, ``|safe``, ``{% include %}``);
* tags split across pieces of differently formatted text (Word splits ``{{ x }}`` into several runs
  when part of it is formatted differently; docxtpl joins them, but the formatting is lost);
* plain ``{% for %}``/``{% if %}`` opened in a table cell and closed elsewhere (it corrupts the
  table; rows are repeated with ``{%tr for … %}``);
* what a part template holds that the report cannot keep: footnotes, comments, its own headers and footers;
* a file that is not a Word document, too large, or hostile (a DTD, a part that expands to gigabytes);
* templates the profile needs that the folder lacks (the default is used for them).

Then it renders each template that has no error with a context made from the documented examples
(lists of two items and empty lists, a mapping and nothing where a mapping may be absent), under the
build's limits, so a template check passes does not fail the build for want of a variable, a filter or
time. A template is never run on the model's data here, so it cannot tell a table with more columns
than the model has.

Nothing a template does makes check itself fail: every problem is a finding (exit 1 for errors).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import nodes
from lxml import etree

from ..files import FileRefused, check_regular_file
from ..profile import Profile
from .compiler import (
    W_BODY,
    CompiledTemplate,
    Master,
    master_for,
    plain_block_problem,
    plain_blocks_in_cells,
    template_for,
)
from .compose import read_template, render_xml_part, trial_render
from .limits import TEMPLATE_FILE_BYTES, RenderLimits
from .oxml import W_P, W_T, W_TBL, W_TR, W_VAL, merge_columns, qn
from .package import RT_FOOTER, RT_HEADER, Package, read_template_file
from .sandbox import ENVIRONMENT
from .templates import TemplateError, TemplateSet, default_template_dir
from .variables import BY_CONTENT, documented_path, part_kind


@dataclass(frozen=True)
class TemplateProblem:
    template: str
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.template}: {self.message}"


def template_kinds(profile: Profile) -> dict[str, set[str]]:
    """Template file name → the context kinds it is rendered with."""
    kinds: dict[str, set[str]] = {"base.docx": {"base"}}
    for part in profile.parts:
        kinds.setdefault(part.template, set()).add(part_kind(part, profile))
    return kinds


def documented_types(kinds: set[str]) -> dict[str, str]:
    """Documented path → its type (text, number, yes/no, list, mapping, mapping or nothing)."""
    types: dict[str, str] = {}
    for kind in kinds:
        for variable in BY_CONTENT[kind]:
            types.setdefault(variable.path, variable.type)
    return types


# --------------------------------------------------------------------------- what a template reads


#: filters whose result is one element of the list they filter
_ELEMENT_FILTERS = {"first", "last", "random", "min", "max"}
#: filters whose result is (a part of) the list they filter, in some order
_LIST_FILTERS = {"reverse", "sort", "unique", "list", "select", "reject", "selectattr", "rejectattr", "default", "d"}
#: filters that read an attribute of each element (``attribute=`` or, for selectattr, the first argument)
_ATTRIBUTE_FILTERS = {"map", "sort", "selectattr", "rejectattr", "sum", "join", "groupby", "unique", "min", "max"}
_MAPPING_METHODS = {"items", "keys", "values", "get"}
_GUARD_TESTS = {"defined", "undefined"}


@dataclass
class Reads:
    """What a template reads: documented-context paths (with a line), and list indexes it needs."""

    types: dict[str, str]
    uses: dict[str, int] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)
    #: paths tested with ``is defined``: the template is ready for them to be absent
    guarded: set[str] = field(default_factory=set)

    def kind(self, path: str | None) -> str | None:
        if path is None:
            return None
        found = self.types.get(path)
        if found is not None:
            return "mapping" if found.startswith("mapping") else found
        if any(d.startswith(path + ".") for d in self.types):
            return "mapping"
        if any(d.startswith(path + "[]") for d in self.types):
            return "list"
        return None

    def use(self, path: str, line: int) -> str:
        self.uses.setdefault(path, line)
        return path


def _analyse(node: nodes.Node, scope: dict[str, str | None], reads: Reads) -> str | None:
    """Walk ``node``, noting every context path read; the path of ``node``'s value when it is one, else None."""
    line = getattr(node, "lineno", 0) or 0
    if isinstance(node, nodes.Name):
        if node.ctx != "load":
            return None
        if node.name in scope:
            return scope[node.name]
        if node.name in ENVIRONMENT.globals:
            return None
        return reads.use(node.name, line)
    if isinstance(node, nodes.Getattr):
        return _attribute(_analyse(node.node, scope, reads), node.attr, line, reads)
    if isinstance(node, nodes.Getitem):
        base = _analyse(node.node, scope, reads)
        argument = node.arg
        if isinstance(argument, nodes.Slice):
            for child in argument.iter_child_nodes():
                _analyse(child, scope, reads)
            return base if reads.kind(base) == "list" else None
        _analyse(argument, scope, reads)
        if isinstance(argument, nodes.Const) and isinstance(argument.value, str):
            return _attribute(base, argument.value, line, reads)
        if reads.kind(base) == "list":
            if isinstance(argument, nodes.Const) and isinstance(argument.value, int):
                index = argument.value
                reads.lengths[base] = max(reads.lengths.get(base, 0), index + 1 if index >= 0 else -index)  # type: ignore[index]
            return reads.use(f"{base}[]", line)
        return None
    if isinstance(node, nodes.Filter):
        return _filter(node, scope, reads)
    if isinstance(node, nodes.Test):
        if node.name in _GUARD_TESTS:  # `x is defined` reads nothing that could fail
            guarded = _analyse(node.node, dict(scope), Reads(reads.types))
            if guarded is not None:
                reads.guarded.add(guarded)
        else:
            _analyse(node.node, scope, reads)
        for child in (*node.args, *(k.value for k in node.kwargs)):
            _analyse(child, scope, reads)
        return None
    if isinstance(node, nodes.Call):
        return _call(node, scope, reads)
    if isinstance(node, nodes.For):
        _for(node, scope, reads)
        return None
    if isinstance(node, nodes.Assign):
        value = _analyse(node.node, scope, reads)
        if isinstance(node.target, nodes.Name):
            scope[node.target.name] = value
        else:
            for name in node.target.find_all(nodes.Name):
                scope[name.name] = None
            if isinstance(node.target, nodes.NSRef):
                _analyse(nodes.Name(node.target.name, "load", lineno=line), scope, reads)
        return None
    if isinstance(node, nodes.AssignBlock):
        for child in node.body:
            _analyse(child, scope, reads)
        for name in node.target.find_all(nodes.Name):
            scope[name.name] = None
        if isinstance(node.target, nodes.Name):
            scope[node.target.name] = None
        return None
    if isinstance(node, nodes.With):
        inner = dict(scope)
        for target, value in zip(node.targets, node.values):
            path = _analyse(value, scope, reads)
            if isinstance(target, nodes.Name):
                inner[target.name] = path
        for child in node.body:
            _analyse(child, inner, reads)
        return None
    if isinstance(node, (nodes.Macro, nodes.CallBlock)):
        inner = dict(scope)
        for argument in node.args:
            inner[argument.name] = None
        inner.update({"varargs": None, "kwargs": None, "caller": None})
        if isinstance(node, nodes.Macro):
            scope[node.name] = None
        else:
            _analyse(node.call, scope, reads)
        for default in node.defaults:
            _analyse(default, scope, reads)
        for child in node.body:
            _analyse(child, inner, reads)
        return None
    for child in node.iter_child_nodes():
        _analyse(child, scope, reads)
    return None


def _attribute(base: str | None, attribute: str, line: int, reads: Reads) -> str | None:
    kind = reads.kind(base)
    if base is None or kind in ("text", "number", "yes/no"):
        return None  # a method or attribute of a value (`row.label.strip()`), not a variable
    if kind == "list" and hasattr([], attribute):
        return None
    if kind == "mapping" and attribute in _MAPPING_METHODS:
        return None
    return reads.use(f"{base}.{attribute}", line)


def _filter(node: nodes.Filter, scope: dict[str, str | None], reads: Reads) -> str | None:
    base = _analyse(node.node, scope, reads) if node.node is not None else None
    for child in (*node.args, *(k.value for k in node.kwargs)):
        _analyse(child, scope, reads)
    is_list = reads.kind(base) == "list"
    if is_list and node.name in _ATTRIBUTE_FILTERS:
        attributes = [k.value for k in node.kwargs if k.key == "attribute"]
        if node.name in ("selectattr", "rejectattr", "groupby") and node.args:
            attributes.append(node.args[0])
        for attribute in attributes:
            if isinstance(attribute, nodes.Const) and isinstance(attribute.value, str):
                path = f"{base}[]"
                for part in attribute.value.split("."):
                    path = _attribute(path, part, node.lineno, reads) if path is not None else None
    if not is_list:
        return base if node.name in ("default", "d") else None
    if node.name in _ELEMENT_FILTERS:
        return f"{base}[]"
    if node.name in _LIST_FILTERS:
        return base
    return None


def _call(node: nodes.Call, scope: dict[str, str | None], reads: Reads) -> str | None:
    for child in (*node.args, *(k.value for k in node.kwargs),
                  *([node.dyn_args] if node.dyn_args else []), *([node.dyn_kwargs] if node.dyn_kwargs else [])):
        _analyse(child, scope, reads)
    callee = node.node
    if isinstance(callee, nodes.Getattr) and callee.attr in _MAPPING_METHODS:
        base = _analyse(callee.node, scope, reads)
        if reads.kind(base) == "mapping" and callee.attr == "get" and node.args and \
                isinstance(node.args[0], nodes.Const) and isinstance(node.args[0].value, str):
            return f"{base}.{node.args[0].value}"  # a .get() may ask for what is absent: not a use
        return None
    _analyse(callee, scope, reads)
    return None


def _for(node: nodes.For, scope: dict[str, str | None], reads: Reads) -> None:
    iterated = _analyse(node.iter, scope, reads)
    inner = dict(scope)
    element = f"{iterated}[]" if reads.kind(iterated) == "list" else None
    if isinstance(node.target, nodes.Name):
        inner[node.target.name] = element
    else:  # unpacking (`for key, value in x.items()`): locals of unknown shape
        for name in node.target.find_all(nodes.Name):
            inner[name.name] = None
    inner["loop"] = None
    if node.test is not None:
        _analyse(node.test, inner, reads)
    for child in node.body:
        _analyse(child, inner, reads)
    for child in node.else_:
        _analyse(child, scope, reads)


def reads_of(source: str, types: dict[str, str]) -> Reads:
    """The documented-context paths ``source`` (a template's Jinja source) reads, and the list lengths it needs."""
    reads = Reads(types)
    _analyse(ENVIRONMENT.parse(source), {}, reads)
    return reads


def _is_documented(path: str, documented: dict[str, str]) -> bool:
    """``path`` is documented, or leads to what is; a profile's own names (``words.editor``,
    ``tables.three_public…``) count as the documented ``words.<name>`` and ``tables.<name>``."""
    general = documented_path(path)
    if general != path and general in documented:
        return True
    return path in documented or any(d.startswith(path + ".") or d.startswith(path + "[]") for d in documented)


def _nearest(path: str, documented: dict[str, str]) -> str:
    close = difflib.get_close_matches(path, sorted(documented), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def describe_unknown_variable(source: str) -> str | None:
    """``unknown variable 'unit.adress'; did you mean 'unit.name'?`` for the first variable of a template's
    source that no kind of context documents (the build's message, when rendering meets it), or None."""
    types = documented_types(set(BY_CONTENT))
    unknown = [p for p in unknown_variables(reads_of(source, types)) if not p.startswith(("words.", "tables."))]
    return f"unknown variable {unknown[0]!r}{_nearest(unknown[0], types)}" if unknown else None


def unknown_variables(reads: Reads) -> list[str]:
    """Paths read that are not documented, leaving out those under an unknown path already listed."""
    unknown = [p for p in reads.uses if not _is_documented(p, reads.types)
               and not any(p == g or p.startswith(g + ".") or p.startswith(g + "[]") for g in reads.guarded)]
    return [p for p in unknown if not any(p != q and (p.startswith(q + ".") or p.startswith(q + "[]"))
                                          for q in unknown)]


# --------------------------------------------------------------------------- a context from the documentation


def sample_context(kind: str, lengths: dict[str, int] | None = None, *, empty: bool = False) -> dict[str, Any]:
    """A context of ``kind`` built from the documented examples: lists of two items (or as many as the
    template indexes), or with ``empty`` every list empty and every optional mapping absent."""
    lengths = lengths or {}
    variables = {v.path: v for v in BY_CONTENT[kind]}

    def value(path: str) -> Any:
        variable = variables.get(path)
        kind_ = variable.type if variable is not None else "mapping"
        if kind_ == "list" or (variable is None and any(p.startswith(path + "[]") for p in variables)):
            if empty:
                return []
            return [value(f"{path}[]") for _ in range(max(2, lengths.get(path, 0)))]
        if kind_.startswith("mapping"):
            if empty and kind_ == "mapping or nothing":
                return None
            prefix = f"{path}." if path else ""
            children = {p[len(prefix):].split(".")[0].split("[")[0] for p in variables
                        if p.startswith(prefix) and p != path}
            return {child: value(f"{prefix}{child}") for child in sorted(children)}
        example = variable.example if variable is not None else ""
        if kind_ == "number":
            return int(example) if example.lstrip("-").isdigit() else 0
        if kind_ == "yes/no":
            return example == "true"
        return example

    return value("")


# --------------------------------------------------------------------------- reading a template


TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def _split_tags(root: etree._Element) -> Iterator[str]:
    """Tags whose text lies in runs of a paragraph that are formatted differently (Word splits a tag into runs
    that differ only in revision ids after almost any edit: those join without loss)."""
    for paragraph in root.iter(W_P):
        texts = list(paragraph.iter(W_T))
        text = "".join(t.text or "" for t in texts)
        if "{" not in text:
            continue
        spans, position = [], 0  # (start, end, formatting) of each piece of text
        for element in texts:
            end = position + len(element.text or "")
            run = element.getparent()
            properties = run.find(_W_RPR) if run is not None else None
            spans.append((position, end, etree.tostring(properties) if properties is not None else b""))
            position = end
        for match in TAG.finditer(text):
            formats = {f for start, end, f in spans if start < match.end() and end > match.start()}
            if len(formats) > 1:
                yield match.group()


_W_RPR, _TBL_CAPTION = qn("w:rPr"), f"{qn('w:tblPr')}/{qn('w:tblCaption')}"
_OWN_PLACE_TAG = re.compile(r"\{%-?\s*(p|tr)\s.*?%\}", re.DOTALL)


def _text_beside_own_place_tags(root: etree._Element) -> Iterator[tuple[str, str]]:
    """(tag, text) of text in the paragraph of a {%p %} tag or the row of a {%tr %} tag: the tag stands for its
    whole paragraph or row, so that text is never printed."""
    for kind, containers in (("p", root.iter(W_P)), ("tr", root.iter(W_TR))):
        for container in containers:
            text = "".join(t.text or "" for t in container.iter(W_T))
            tags = [m for m in _OWN_PLACE_TAG.finditer(text) if m.group(1) == kind]
            if tags:
                rest = _OWN_PLACE_TAG.sub("", text).strip()
                if rest:
                    yield tags[0].group(0), rest[:40]


def _raw_parts(package: Package, base: bool) -> Iterator[tuple[str, etree._Element]]:
    """(where, root) of the template's body and, for base.docx, of its headers and footers."""
    root = package.xml(package.document)
    body = root.find(W_BODY) if root is not None else None
    if body is not None:
        yield "body", body
    if base:
        for rel in package.rels(package.document).values():
            if rel.type in (RT_HEADER, RT_FOOTER) and not rel.external:
                part = rel.target_part(package.document)
                xml = package.xml(part)
                if xml is not None:
                    yield part, xml


def _merge_captions(body: etree._Element) -> list[str]:
    return [caption.get(W_VAL, "") for tbl in body.iter(W_TBL) if merge_columns(tbl)
            for caption in [tbl.find(_TBL_CAPTION)]]


def _merge_captions_lost(name: str, body: etree._Element, limits: RenderLimits) -> list[str]:
    """The merge-repeated titles of the default template of this name that this one does not have."""
    default = default_template_dir() / name
    if not default.is_file():
        return []
    package = Package(read_template_file(default, limits.template_media_bytes), name, limits)
    root = package.xml(package.document)
    shipped = root.find(W_BODY) if root is not None else None
    kept = _merge_captions(body)
    return [c for c in (_merge_captions(shipped) if shipped is not None else []) if c not in kept]


_DROPPED_MESSAGES = {
    "footnotes": "has footnotes, which a part template cannot keep: they are left out of the report",
    "endnotes": "has endnotes, which a part template cannot keep: they are left out of the report",
    "comments": "has comments, which are left out of the report",
    "headers and footers": "has headers or footers of its own, which are not used: the report's come from base.docx",
    "section breaks": "has a section break, which is removed: a report has one page setup, base.docx's (one part "
                      "cannot turn its pages landscape)",
    "page setup": "has a page setup of its own (paper size, orientation or margins), which is not used: the report's "
                  "is base.docx's",
}


def _message(exc: Exception, name: str) -> str:
    text = str(exc)
    for prefix in (f"template {name}: ", f"template {name} "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


class _Checker:
    def __init__(self, limits: RenderLimits, words: set[str] | None = None):
        self.limits = limits
        #: the profile's level_placeholders (words.<name>), when the profile is known
        self.words = words

    def master(self, folder: Path) -> Master:
        """The folder's base.docx, compiled (its problems noted), or the default one."""
        path = folder / "base.docx"
        if path.is_file():
            try:
                return master_for(read_template_file(path, self.limits.template_media_bytes), self.limits)
            except TemplateError:
                pass  # reported when base.docx itself is checked
        return master_for(read_template(TemplateSet(default_template_dir()), "base.docx", self.limits), self.limits)

    def check(self, path: Path, kinds: set[str], master: Master) -> list[TemplateProblem]:
        name = path.name
        problems: list[TemplateProblem] = []

        def report(severity: str, message: str) -> None:
            problems.append(TemplateProblem(name, severity, message))

        try:
            data = read_template_file(path, self.limits.template_media_bytes)
            package = Package(data, name, self.limits)
            raw = list(_raw_parts(package, name == "base.docx"))
        except TemplateError as exc:
            report("error", _message(exc, name).replace(f"template {path}: ", ""))
            return problems
        for where, root in raw:
            suffix = "" if where == "body" else f" (in {where})"
            for tag, text in dict.fromkeys(_text_beside_own_place_tags(root)):
                report("warning", f"the text {text!r} beside {tag!r} is not printed: the tag stands for its whole "
                                  f"{'paragraph' if tag.lstrip('{%- ').startswith('p') else 'table row'}{suffix}; "
                                  "give it a paragraph or row of its own")
            for tag in dict.fromkeys(_split_tags(root)):
                report("warning", f"tag {tag!r} is split across differently formatted text{suffix}; retype it in "
                                  "one go so its formatting is kept")
            if where != "body":  # a part's body is refused so by the compiler, which the build uses too
                for cell in dict.fromkeys(plain_blocks_in_cells(root)):
                    report("error", plain_block_problem(cell) + suffix)
            else:
                for caption in _merge_captions_lost(name, root, self.limits):
                    report("warning", f"a table lost the Alt Text title {caption!r} the default template gives it "
                                      "(LibreOffice does not keep a table's title): its equal cells will not be "
                                      "merged; set the title again (Word: Table Properties → Alt Text → Title)")
        try:
            if name == "base.docx":
                sources = list(master_for(data, self.limits).headers_footers.items())  # cached: compiled once
            else:
                compiled = template_for(data, name, master, self.limits)
                sources = [("body", compiled)]
                for dropped in compiled.dropped:
                    report("warning", _DROPPED_MESSAGES.get(dropped, f"has {dropped}, which are left out"))
        except TemplateError as exc:
            report("error", _message(exc, name))
            return problems
        types = documented_types(kinds)
        for where, template in sources:
            suffix = "" if where == "body" else f" (in {where})"
            uses = reads_of(template.source, types)
            for path_ in unknown_variables(uses):
                report("error", f"unknown variable {path_!r}{suffix}{_nearest(path_, types)}")
            for word in sorted(_names_under("words", uses.uses) - self.words) if self.words is not None else ():
                close = difflib.get_close_matches(word, sorted(self.words), n=1, cutoff=0.6)
                report("error", f"unknown variable 'words.{word}'{suffix}: the profile's level_placeholders are "
                                f"{', '.join(sorted(self.words))}" + (f"; did you mean 'words.{close[0]}'?"
                                                                       if close else ""))
        if not any(p.severity == "error" for p in problems):
            for problem in self.render(name, sources, kinds, master):
                report("error", problem)
        return problems

    def render(self, name: str, sources: list[tuple[str, CompiledTemplate]], kinds: set[str],
               master: Master) -> Iterator[str]:
        """Render with contexts from the documented examples, as the build would; the first error it meets."""
        for _kind, empty, context in trial_contexts([template.source for _, template in sources], kinds):
            try:
                for _where, template in sources:
                    if name == "base.docx":
                        render_xml_part(template, context, self.limits)
                    else:
                        trial_render(master, template, context, self.limits)
            except TemplateError as exc:
                shown = "empty lists" if empty else "the documented examples"
                yield f"rendering with {shown} fails: {_message(exc, name)}"
                return


def _names_under(prefix: str, uses: Iterable[str]) -> set[str]:
    """The names read under ``words.`` or ``tables.`` (``words.editor`` → ``editor``)."""
    return {path[len(prefix) + 1:].split(".")[0].split("[")[0] for path in uses if path.startswith(prefix + ".")}


def _fill_profile_names(context: dict[str, Any], kind: str, uses: set[str]) -> None:
    """A trial context holds what the template reads (``uses``) under ``words.<name>`` (a sample word),
    ``tables.<name>`` (the sample table) and ``by_code.<code>`` (a sample row, also with empty lists: a table's
    coded rows are fixed): names a profile gives, which the documentation cannot list."""
    words = context.setdefault("words", {})
    if isinstance(words, dict):
        for name in _names_under("words", uses):
            words.setdefault(name, "预算单位")
    sample = context.get("table")
    if not isinstance(sample, dict):
        return
    rows = sample.get("rows") or sample_context(kind)["table"].get("rows") or [{}]
    codes = {path.split(".by_code.")[1].split(".")[0].split("[")[0] for path in uses if ".by_code." in path}
    sample = {**sample, "by_code": {code: rows[0] for code in codes} or sample.get("by_code", {})}
    context["table"] = sample  # table.by_code.<code>: a row of the table, under each code read
    tables = context.setdefault("tables", {})
    if isinstance(tables, dict):
        for name in _names_under("tables", uses):
            tables.setdefault(name, sample)


def trial_contexts(sources: list[str], kinds: set[str]) -> Iterator[tuple[str, bool, dict[str, Any]]]:
    """(kind, empty, context) of each context ``templates check`` renders templates of ``sources`` with: for each
    kind, the documented examples (lists as long as the templates index them) and empty lists, with the
    profile's own names the templates read (:func:`_fill_profile_names`)."""
    lengths: dict[str, int] = {}
    uses: set[str] = set()
    for source in sources:
        reads = reads_of(source, documented_types(kinds))
        uses.update(reads.uses)
        for list_path, length in reads.lengths.items():
            lengths[list_path] = max(lengths.get(list_path, 0), length)
    for kind in sorted(kinds):
        for empty in (False, True):
            context = sample_context(kind, lengths, empty=empty)
            _fill_profile_names(context, kind, uses)
            yield kind, empty, context


def check_template(path: Path, kinds: set[str], master: Master | None = None,
                   limits: RenderLimits | None = None, words: set[str] | None = None) -> list[TemplateProblem]:
    """Problems of one template file rendered with the context kinds given; never raises for the file's sake.
    ``words``: the profile's level_placeholders, which ``words.<name>`` must name (not checked without)."""
    limits = limits or RenderLimits.from_environment()
    checker = _Checker(limits, words)
    try:
        master = master or checker.master(path.parent)
        return checker.check(path, kinds, master)
    except (TemplateError, OSError) as exc:
        return [TemplateProblem(path.name, "error", _message(exc, path.name))]
    except Exception as exc:  # a template must never crash the check: report it as what it is
        return [TemplateProblem(path.name, "error", f"could not be checked ({type(exc).__name__}: {exc})")]


def check_templates(folder: Path, profile: Profile) -> list[TemplateProblem]:
    """Every problem of the templates in ``folder`` for ``profile``: errors first."""
    limits = RenderLimits.from_environment()
    kinds = template_kinds(profile)
    problems: list[TemplateProblem] = []
    words = {word for placeholders in profile.level_placeholders.values() for word in placeholders}
    master = _Checker(limits).master(folder)
    for name, template_kinds_ in kinds.items():
        path = folder / name
        if not os.path.lexists(path):
            problems.append(TemplateProblem(name, "warning", f"missing from {folder}; the default template is used"))
            continue
        try:  # what the build refuses before rendering: a folder, a broken link, a file too large
            check_regular_file(path, TEMPLATE_FILE_BYTES, "a Word template (.docx)")
        except FileRefused as exc:
            problems.append(TemplateProblem(name, "error", str(exc).replace(f"{path}: ", "", 1)))
            continue
        problems.extend(check_template(path, template_kinds_, master, limits, words))
    for extra in sorted(p.name for p in folder.glob("*.docx")):
        if extra not in kinds and not extra.startswith("~$"):
            problems.append(TemplateProblem(extra, "warning", f"not used by the profile {profile.name}"))
    return sorted(problems, key=lambda p: p.severity != "error")


__all__ = ["TemplateProblem", "check_template", "check_templates", "reads_of", "sample_context", "template_kinds",
           "trial_contexts", "unknown_variables"]

