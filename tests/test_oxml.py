"""The XML rules of a rendered part, one small fixture each (STYLE.md D5): input element → expected element."""

from __future__ import annotations

import re

import pytest
from docx_reading import merge_marks
from lxml import etree

from disclosure.render.oxml import (
    PPR_ORDER,
    W_NS,
    add_bookmark,
    apply_merge_captions,
    element,
    fit_grid,
    insert_in_order,
    merge_repeated_cells,
    same_element,
    set_page_break_before,
    split_tabs_and_breaks,
)


def w(xml: str) -> etree._Element:
    """An element from compact XML in the ``w:`` namespace (declared here so fixtures stay one line)."""
    return etree.fromstring(re.sub(r"^<([\w:]+)", rf'<\1 xmlns:w="{W_NS}"', xml, count=1))


def text(el: etree._Element) -> str:
    """``el`` serialised without the namespace declaration, for comparison with a fixture."""
    return etree.tostring(el, encoding="unicode").replace(f' xmlns:w="{W_NS}"', "")


# --------------------------------------------------------------------------- the first paragraph of a part


@pytest.mark.parametrize(("given", "expected"), [
    ("<w:p/>", "<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>"),
    ("<w:p><w:r/></w:p>", "<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r/></w:p>"),
    ('<w:p><w:pPr><w:pStyle w:val="A"/></w:pPr></w:p>',
     '<w:p><w:pPr><w:pStyle w:val="A"/><w:pageBreakBefore/></w:pPr></w:p>'),
    ('<w:p><w:pPr><w:pStyle w:val="A"/><w:keepNext/><w:jc w:val="center"/></w:pPr></w:p>',
     '<w:p><w:pPr><w:pStyle w:val="A"/><w:keepNext/><w:pageBreakBefore/><w:jc w:val="center"/></w:pPr></w:p>'),
    ("<w:p><w:pPr><w:spacing/><w:rPr/></w:pPr></w:p>",
     "<w:p><w:pPr><w:pageBreakBefore/><w:spacing/><w:rPr/></w:pPr></w:p>"),
    ("<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>", "<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>"),
])
def test_page_break_goes_where_the_schema_puts_it(given: str, expected: str):
    p = w(given)
    set_page_break_before(p)
    assert text(p) == expected


@pytest.mark.parametrize(("given", "expected"), [
    ("<w:p/>", '<w:p><w:bookmarkStart w:id="7" w:name="part_1"/><w:bookmarkEnd w:id="7"/></w:p>'),
    ("<w:p><w:pPr/><w:r/></w:p>",
     '<w:p><w:pPr/><w:bookmarkStart w:id="7" w:name="part_1"/><w:r/><w:bookmarkEnd w:id="7"/></w:p>'),
])
def test_bookmark_spans_the_paragraph_after_its_properties(given: str, expected: str):
    p = w(given)
    add_bookmark(p, "part_1", 7)
    assert text(p) == expected


def test_insert_in_order_places_a_child_before_its_first_successor():
    ppr = w('<w:pPr><w:pStyle w:val="A"/><w:ind/></w:pPr>')
    insert_in_order(ppr, element("w:numPr"), PPR_ORDER)
    assert [c.tag.split("}")[1] for c in ppr] == ["pStyle", "numPr", "ind"]


# --------------------------------------------------------------------------- tabs and breaks in values


@pytest.mark.parametrize(("given", "expected"), [
    ("<w:r><w:t>ab</w:t></w:r>", "<w:r><w:t>ab</w:t></w:r>"),
    ("<w:r><w:t>a\nb</w:t></w:r>",
     '<w:r><w:t xml:space="preserve">a</w:t><w:br/><w:t xml:space="preserve">b</w:t></w:r>'),
    ("<w:r><w:rPr/><w:t>a\tb</w:t></w:r>",
     '<w:r><w:rPr/><w:t xml:space="preserve">a</w:t><w:tab/><w:t xml:space="preserve">b</w:t></w:r>'),
    ("<w:r><w:t>\na</w:t></w:r>", '<w:r><w:br/><w:t xml:space="preserve">a</w:t></w:r>'),
])
def test_tabs_and_newlines_become_word_tabs_and_breaks(given: str, expected: str):
    r = w(given)
    split_tabs_and_breaks(r)
    assert text(r) == expected


# --------------------------------------------------------------------------- merged cells


def table(*rows: tuple[str, ...], caption: str | None = None) -> etree._Element:
    """A w:tbl of one-paragraph cells; a cell text ``a|2`` spans two grid columns."""
    cells = []
    for row in rows:
        tcs = []
        for cell in row:
            value, _, span = cell.partition("|")
            properties = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span else ""
            run = f"<w:r><w:t>{value}</w:t></w:r>" if value else ""
            tcs.append(f"<w:tc>{properties}<w:p>{run}</w:p></w:tc>")
        cells.append(f"<w:tr>{''.join(tcs)}</w:tr>")
    tblpr = f'<w:tblPr><w:tblCaption w:val="{caption}"/></w:tblPr>' if caption else ""
    return w(f"<w:tbl>{tblpr}{''.join(cells)}</w:tbl>")


def test_equal_neighbours_merge_and_the_continued_cells_are_emptied():
    tbl = table(("产出", "a"), ("产出", "b"), ("效益", "c"))
    merge_repeated_cells(tbl, [0])
    assert merge_marks(tbl) == [["产出^", "a"], ["~", "b"], ["效益", "c"]]


def test_an_inner_column_merges_only_within_its_outer_group():
    tbl = table(("产出", "数量", "1"), ("产出", "数量", "2"), ("效益", "数量", "3"))
    merge_repeated_cells(tbl, [0, 1])
    assert merge_marks(tbl) == [["产出^", "数量^", "1"], ["~", "~", "2"], ["效益", "数量", "3"]]


def test_empty_cells_never_merge():
    tbl = table(("", "a"), ("", "b"))
    merge_repeated_cells(tbl, [0])
    assert merge_marks(tbl) == [["", "a"], ["", "b"]]


def test_columns_count_grid_columns_not_cells():
    tbl = table(("x|2", "a"), ("y", "z", "a"), ("y", "w", "a"))
    merge_repeated_cells(tbl, [2])  # the third grid column: the second cell of a row that starts with a span
    assert merge_marks(tbl) == [["x", "a^"], ["y", "z", "~"], ["y", "w", "~"]]


def test_cells_merged_in_the_template_are_left_alone():
    tbl = table(("a",), ("a",))
    tcpr = etree.SubElement(tbl.find(f"{{{W_NS}}}tr/{{{W_NS}}}tc"), f"{{{W_NS}}}tcPr")
    tcpr.getparent().insert(0, tcpr)
    etree.SubElement(tcpr, f"{{{W_NS}}}vMerge").set(f"{{{W_NS}}}val", "restart")
    merge_repeated_cells(tbl, [0])
    assert merge_marks(tbl) == [["a^"], ["a"]]


@pytest.mark.parametrize(("caption", "expected"), [
    ("merge-repeated: 0", [["a^"], ["~"]]),
    ("merge-repeated:0,", [["a^"], ["~"]]),
    ("Table of figures", [["a"], ["a"]]),
    (None, [["a"], ["a"]]),
])
def test_the_alt_text_title_asks_for_the_merge(caption: str | None, expected: list[list[str]]):
    tbl = table(("a",), ("a",), caption=caption)
    apply_merge_captions(tbl)
    assert merge_marks(tbl) == expected


# --------------------------------------------------------------------------- grids of column loops


@pytest.mark.parametrize(("grid", "rows", "expected"), [
    ((100, 100), (("a", "b", "c"),), ["66", "66", "66"]),  # more cells: the width is shared equally
    ((100, 100, 100), (("a", "b"),), ["150", "150"]),  # fewer: the remaining columns get the rest
    ((100, 100), (("a|2",), ("b", "c")), ["100", "100"]),  # spans counted: nothing to do
])
def test_the_grid_follows_the_widest_row(grid: tuple[int, ...], rows: tuple[tuple[str, ...], ...],
                                         expected: list[str]):
    tbl = table(*rows)
    grid_el = etree.SubElement(tbl, f"{{{W_NS}}}tblGrid")
    tbl.insert(0, grid_el)
    for width in grid:
        etree.SubElement(grid_el, f"{{{W_NS}}}gridCol").set(f"{{{W_NS}}}w", str(width))
    fit_grid(tbl)
    assert [c.get(f"{{{W_NS}}}w") for c in grid_el] == expected


# --------------------------------------------------------------------------- styles


@pytest.mark.parametrize(("a", "b", "same"), [
    ('<w:style w:styleId="T"><w:name w:val="T"/><w:rPr><w:sz w:val="28"/></w:rPr></w:style>',
     '<w:style w:styleId="T"><w:name w:val="Title"/><w:uiPriority w:val="1"/><w:rPr><w:sz w:val="28"/></w:rPr>'
     "</w:style>", True),
    ('<w:style w:styleId="T"><w:rPr><w:sz w:val="28"/></w:rPr></w:style>',
     '<w:style w:styleId="T"><w:rPr><w:sz w:val="40"/></w:rPr></w:style>', False),
    ('<w:style w:styleId="T"><w:rPr><w:b/></w:rPr></w:style>',
     '<w:style w:styleId="T"><w:rPr><w:b/><w:i/></w:rPr></w:style>', False),
])
def test_a_style_is_redefined_only_by_what_it_prints(a: str, b: str, same: bool):
    from disclosure.render.oxml import IGNORED_STYLE_TAGS

    assert same_element(w(a), w(b), IGNORED_STYLE_TAGS) is same
