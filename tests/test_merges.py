"""Merged cells decided while a template compiles (render/merges.py) are the merges the rule on rendered rows
makes (oxml.merge_repeated_cells): same document, for any indicator data and the table shapes maintainers make."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx_reading import merge_marks
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from disclosure.render import compiler
from disclosure.render.compiler import compile_part, master_for
from disclosure.render.compose import RenderedReport, RenderJob
from disclosure.render.limits import RenderLimits
from disclosure.render.templates import export_templates

LIMITS = RenderLimits()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def default_templates(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    export_templates(folder)
    return folder


@pytest.fixture(scope="module")
def master(default_templates: Path):
    return master_for((default_templates / "base.docx").read_bytes(), LIMITS)


def _template(fixed: list[list[str]], repeated: list[str], *, caption: str = "merge-repeated: 0, 1, 2",
              after: list[str] | None = None, frozen: tuple[int, int] | None = None,
              restarted: tuple[tuple[int, int], ...] = ()) -> bytes:
    """A template with a table: ``fixed`` rows, one row repeated over ``rows`` (``repeated`` cell texts),
    optionally a row ``after`` the loop, the fixed cell ``frozen`` (row, column) merged in the template
    with the cell below it, and cells ``restarted`` (row, column; the repeated row is ``len(fixed) + 1``)
    marked as the start of a merge in the template (a merge of one cell, as Word may leave behind)."""
    columns = len(repeated)
    document = docx.Document()
    table = document.add_table(rows=0, cols=columns)
    for texts in fixed:
        cells = table.add_row().cells
        for cell, text in zip(cells, texts):
            cell.text = text
    table.add_row().cells[0].text = "{%tr for r in rows %}"
    cells = table.add_row().cells
    for cell, text in zip(cells, repeated):
        cell.text = text
    table.add_row().cells[0].text = "{%tr endfor %}"
    if after:
        for cell, text in zip(table.add_row().cells, after):
            cell.text = text
    if frozen:
        row, column = frozen
        table.cell(row, column).merge(table.cell(row + 1, column))
    for row, column in restarted:
        table.cell(row, column)._tc.get_or_add_tcPr().append(
            table._tbl.makeelement(qn("w:vMerge"), {qn("w:val"): "restart"}))
    caption_el = table._tbl.tblPr.makeelement(qn("w:tblCaption"), {qn("w:val"): caption})
    table._tbl.tblPr.append(caption_el)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def _compiled(master, data: bytes, *, planned: bool):
    """The template compiled with its merges decided while compiling (``planned``) or left to the rule."""
    with pytest.MonkeyPatch.context() as patch:
        if not planned:
            patch.setattr(compiler, "plan_merges", lambda body: ([], 1))
        return compile_part(data, "merge-table.docx", master, LIMITS)


def _render(master, compiled, context: dict) -> bytes:
    """The canonical document.xml of a report of the one part ``compiled``."""
    report = RenderedReport((), master, {compiled.name: compiled}, {"report_title": "t"},
                            [RenderJob(compiled.name, context)], LIMITS)
    out = io.BytesIO()
    report.write(out)
    with zipfile.ZipFile(out) as package:
        xml = package.read("word/document.xml")
    return etree.tostring(etree.fromstring(xml), method="c14n")


def _merged(xml: bytes) -> list[list[str]]:
    """The first table as a reader sees it: ``text^`` restarts a merge, ``~`` continues one."""
    return merge_marks(etree.fromstring(xml).find(f".//{W}tbl"))


SHEET = ([["项目", "说明", "", ""], ["绩效指标", "一级指标", "二级指标", "指标值"]],
         ["绩效指标", "{{ r.a }}", "{{ r.b }}", "{{ r.c }}"])
#: a performance-sheet-like table: a fixed column label merged with the header, nested indicator levels
SHAPES = {
    "sheet": dict(fixed=SHEET[0], repeated=SHEET[1]),
    "no fixed rows": dict(fixed=[], repeated=["{{ r.a }}", "{{ r.b }}", "{{ r.c }}"]),
    "values that may equal the header": dict(fixed=[["a", "b", "c"]], repeated=["{{ r.a }}", "{{ r.b }}", "x{{ r.c }}"]),
    "a fixed label above a fixed run": dict(fixed=[["合计", "", ""], ["合计", "", ""]],
                                            repeated=["合计", "{{ r.a }}", "{{ r.b }}"]),
    "a cell merged in the template": dict(fixed=[["标签", "一级", "二级"], ["", "一级", "二级"]],
                                          repeated=["{{ r.a }}", "{{ r.b }}", "{{ r.c }}"], frozen=(0, 0)),
    "cells merged alone in the template": dict(fixed=[["a", "b", "c"]], repeated=["{{ r.a }}", "{{ r.b }}", "{{ r.c }}"],
                                               restarted=((0, 0), (2, 1))),
}

texts = st.sampled_from(["", "a", "b", "产出指标", "数量指标", "一级指标", "二级指标", "x", "a & <b>"])
indicator_rows = st.lists(st.fixed_dictionaries({"a": texts, "b": texts, "c": texts}), max_size=7)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_decided_at_compile_time_or_on_rendered_rows_the_document_is_the_same(master, shape):
    data = _template(**SHAPES[shape])
    planned, by_rule = _compiled(master, data, planned=True), _compiled(master, data, planned=False)
    assert not planned.merges and by_rule.merges  # the first really decided them while compiling

    @given(rows=indicator_rows)
    def same_document(rows: list[dict[str, str]]) -> None:
        assert _render(master, planned, {"rows": rows}) == _render(master, by_rule, {"rows": rows})

    same_document()


def test_a_performance_sheet_merges_its_indicator_levels(master):
    rows = [{"a": "产出指标", "b": "数量指标", "c": "1"}, {"a": "产出指标", "b": "数量指标", "c": "2"},
            {"a": "产出指标", "b": "质量指标", "c": "3"}, {"a": "效益指标", "b": "质量指标", "c": "4"}]
    compiled = _compiled(master, _template(**SHAPES["sheet"]), planned=True)
    assert _merged(_render(master, compiled, {"rows": rows})) == [
        ["项目", "说明", "", ""],
        ["绩效指标^", "一级指标", "二级指标", "指标值"],
        ["~", "产出指标^", "数量指标^", "1"],
        ["~", "~", "~", "2"],
        ["~", "~", "质量指标", "3"],  # same 二级 text below, but under another 一级: not merged
        ["~", "效益指标", "质量指标", "4"],
    ]


def test_without_rows_the_header_stays_unmerged(master):
    compiled = _compiled(master, _template(**SHAPES["sheet"]), planned=True)
    assert _merged(_render(master, compiled, {"rows": []})) == [["项目", "说明", "", ""], ["绩效指标", "一级指标", "二级指标", "指标值"]]


@pytest.mark.parametrize(("shape", "rows", "expected"), [
    (dict(fixed=[["a", "b"]], repeated=["{{ r.a }}", "{{ r.b }}"], after=["合计", ""]),  # a row after the loop
     [{"a": "x", "b": "1"}] * 2, [["a", "b"], ["x^", "1^"], ["~", "~"], ["合计", ""]]),
    (dict(fixed=[["{{ title }}", "b"]], repeated=["{{ r.a }}", "{{ r.b }}"]),  # Jinja in a fixed merge cell
     [{"a": "t", "b": "1"}] * 2, [["t^", "b"], ["~", "1^"], ["~", "~"]]),
    (dict(fixed=[["a", "b"]], repeated=["{{ loop.index }}", "{{ r.b }}"]),  # the loop's own counters
     [{"a": "x", "b": "1"}] * 2, [["a", "b"], ["1", "1"], ["2", "1"]]),
    (dict(fixed=[["a", "b"]], repeated=["{% if r.a %}{{ r.a }}{% endif %}", "{{ r.b }}"]),  # a tag in the cell
     [{"a": "x", "b": "1"}] * 2, [["a", "b"], ["x^", "1^"], ["~", "~"]]),
])
def test_other_shapes_keep_the_rule_on_rendered_rows(master, shape, rows, expected):
    compiled = _compiled(master, _template(**shape, caption="merge-repeated: 0, 1"), planned=True)
    assert compiled.merges  # left to the rule on rendered rows
    assert _merged(_render(master, compiled, {"rows": rows, "title": "t"})) == expected


def test_the_default_performance_sheet_is_decided_at_compile_time(master, default_templates: Path):
    compiled = compile_part((default_templates / "performance-sheet.docx").read_bytes(), "performance-sheet.docx",
                            master, LIMITS)
    assert not compiled.merges and not compiled.element_rules  # written as Jinja renders it
