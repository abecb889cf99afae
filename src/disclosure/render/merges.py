"""Merged cells decided while a template is compiled, from the row data — not by walking the rendered rows.

A table whose Alt Text title is ``merge-repeated: 0, 1, 2`` gets equal neighbouring cells of those grid
columns merged vertically (:func:`.oxml.merge_repeated_cells`: the columns are nested, empty cells never
merge, cells merged in the template are left alone). Applied to rendered XML, that rule needs every such
part parsed, walked and serialised again, which made each row of a performance sheet about three times as
dear as a row of a plain table (issue 12, target 2).

For the shape such tables have — rows of fixed text, then one row repeated by ``{%tr for x in … %}`` as the
table's last rows — the compiler makes the same decision while Jinja renders:

* the fixed rows above the loop are merged here, once, as the rule would merge them;
* each merge cell of the repeated row is written in three variants (as it is; with ``w:vMerge restart``;
  continued and emptied) and Jinja picks one: a row *continues* the row above when its merge cells' texts
  equal those above, column by column from the outermost, and the cell is not empty; a cell *restarts* a
  merge when the next row continues it. The next row's texts are known by rendering its merge cells one
  item ahead (``loop.nextitem``), so each row is decided before it is written;
* the last fixed row's merge cells restart when the first repeated row continues them.

The part then needs no rule after rendering and is written as Jinja renders it. Any other shape — rows after
the loop, two loops, Jinja in the fixed rows' merge cells, ``{% %}`` tags or ``loop`` inside the repeated
row's merge cells, column loops, nested tables — keeps the rule on rendered rows. Both give the same
document (tests/test_merges.py renders templates both ways and compares them).

Between the two stages (:func:`plan_merges` on the template's tree, :func:`apply_merge_plans` on its Jinja
source) the planned elements carry a ``dm-merge`` attribute, removed before the source is compiled.
"""

from __future__ import annotations

import html
import json
import re
from copy import deepcopy
from dataclasses import dataclass

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateSyntaxError
from lxml import etree
from markupsafe import Markup

from .oxml import (
    W_P,
    W_TBL,
    W_TCPR,
    W_TR,
    W_VMERGE,
    cell_text,
    child,
    clear_cell_text,
    grid_cells,
    merge_columns,
    merge_repeated_cells,
    qn,
    set_vmerge,
)

MARK = "dm-merge"
_TABLE_CHILDREN = {qn("w:tblPr"), qn("w:tblGrid"), W_TR}
_JINJA = re.compile(r"\{[{%#]")
_TAG_OR_COMMENT = re.compile(r"\{[%#]")
_CONTROL_ROW = re.compile(r"\{[{%#]-?\s*tr\s")
_FOR_ROW = re.compile(r"^\s*\{%-?\s*tr\s+for\s")
_ENDFOR_ROW = re.compile(r"^\s*\{%-?\s*tr\s+endfor\s*-?%\}\s*$")
_CELL_LOOPS = re.compile(r"\{%-?\s*(?:tc\s|hm\b|vm\b|colspan\b|cellbg\b)")
_EXPRESSIONS = re.compile(r"\{\{(.*?)\}\}", re.S)
_LOOP = re.compile(r"\bloop\b")
_FOR_TAG = re.compile(r"\{%-?\s*for\s+(.*?)\s*-?%\}", re.S)
_TC_OPEN = re.compile(r"<w:tc[\s>]")
_PARSER = Environment()  # only parses a loop's header; templates are compiled in the sandbox


class MergePlanError(Exception):
    """The Jinja source does not have the shape the plan expects; the table keeps the rule on rendered rows."""


@dataclass
class TablePlan:
    """What the compiler decided about one merge table (``number``: its order among the planned tables)."""

    number: int
    #: per merge column (outermost first): the repeated row's cell text when fixed, None when the row has no
    #: cell of its own there (a span), and ``dynamic[k]`` when Jinja prints it
    loop_texts: list[str | None]
    dynamic: list[bool]
    #: per merge column: the repeated row's cell is merged in the template (it never changes)
    loop_frozen: list[bool]
    #: the last fixed row's texts and frozen cells, or None when the loop is the table's first row
    boundary_texts: list[str | None] | None
    boundary_frozen: list[bool]
    #: merge columns whose cell of the last fixed row may restart
    boundary_cells: list[int]
    #: merge columns whose cell of the repeated row may restart or continue
    loop_cells: list[int]


# --------------------------------------------------------------------------- while rendering


def merge_text(xml: object) -> str:
    """The text the merge rule compares of a rendered cell's content: its ``w:t`` texts joined, without the
    tabs and line breaks that become ``w:tab``/``w:br`` (as :func:`.oxml.cell_text` reads a rendered cell)."""
    text = "".join(_T_TEXT.findall(str(xml)))
    if "&" in text:
        text = html.unescape(text)
    if "\t" in text or "\n" in text:
        text = text.replace("\t", "").replace("\n", "")
    return text


_T_TEXT = re.compile(r"<w:t(?:\s[^>]*?)?(?:/>|>([^<]*)</w:t>)")


def continues(above: list[str | None] | None, above_frozen: list[bool], row: list[str | None],
              frozen: list[bool]) -> list[bool]:
    """Per merge column, whether ``row``'s cell continues the merge of the row ``above`` it.

    The rule of :func:`.oxml.merge_repeated_cells`: the texts of this column and of every outer one are equal
    in both rows (and both rows have cells there), the cell is not empty, and neither cell is merged in the
    template.
    """
    out = []
    same = above is not None
    for k, text in enumerate(row):
        upper = above[k] if same else None  # type: ignore[index]
        same = same and upper is not None and text is not None and upper == text
        out.append(same and bool(text) and not above_frozen[k] and not frozen[k])
    return out


class MergeState:
    """The merge decisions of one repeated table while it renders: ``c[k]`` — the current row's cell of merge
    column ``k`` continues the one above; ``nc[k]`` — the next row continues it (so it restarts)."""

    __slots__ = ("c", "nc", "x", "_above", "_above_frozen", "_next", "_next_cells", "_frozen")

    def __init__(self, boundary: list[str | None] | None, boundary_frozen: list[bool], frozen: list[bool]):
        self.c = [False] * len(frozen)
        self.nc = [False] * len(frozen)
        #: the current row's merge cells as rendered (when looked at ahead), printed as they are
        self.x: list[object] = [None] * len(frozen)
        self._above, self._above_frozen = boundary, boundary_frozen
        self._next: list[str | None] | None = None
        self._next_cells: list[object] = self.x
        self._frozen = frozen

    def look(self, cells: list[object]) -> None:
        """The next row's merge cells, rendered (or their fixed text): decide whether it continues the row
        before it."""
        texts = [merge_text(c) if isinstance(c, Markup) else c for c in cells]  # rendered, or fixed text
        self.nc = continues(self._above, self._above_frozen, texts, self._frozen)
        self._next, self._next_cells = texts, list(cells)

    def advance(self) -> None:
        """The next row is now the current one."""
        self.c = self.nc
        self.x = self._next_cells
        self._above, self._above_frozen = self._next, self._frozen
        self.nc = [False] * len(self._frozen)


def merge_step(state: MergeState, cells: list[object] | None) -> str:
    """The ``_merge_step`` filter, once per repeated row: the row ahead becomes the current one, and the one
    after it, when there is one (``cells``: its merge cells rendered, or their fixed texts), is looked at.
    Prints nothing."""
    state.advance()
    if cells is not None:
        state.look(cells)
    return ""


def merge_look(state: MergeState, cells: list[object]) -> str:
    """The ``_merge_look`` filter, before the first repeated row: look at it. Prints nothing."""
    state.look(cells)
    return ""


# --------------------------------------------------------------------------- on the template's tree


def plan_merges(body: etree._Element) -> tuple[list[TablePlan], int]:
    """Plan (and mark, see the module) every merge table of ``body`` that has the repeated-row shape.

    Returns the plans and how many merge tables are left to the rule on rendered rows.
    """
    plans: list[TablePlan] = []
    left = 0
    for tbl in list(body.iter(W_TBL)):
        columns = merge_columns(tbl)
        if not columns:
            continue
        plan = _plan_table(tbl, columns, len(plans))
        if plan is None:
            left += 1
        else:
            plans.append(plan)
    return plans, left


def _merge_cells(tr: etree._Element, columns: list[int]) -> dict[int, etree._Element]:
    """Merge column depth → the row's own cell there (a cell spanning more than one grid column has none)."""
    depth = {column: k for k, column in enumerate(columns)}
    return {depth[column]: tc for column, span, tc in grid_cells(tr) if span == 1 and column in depth}


def _frozen(tc: etree._Element) -> bool:
    tcpr = child(tc, W_TCPR)
    return tcpr is not None and child(tcpr, W_VMERGE) is not None


def _compared_text(tc: etree._Element) -> str:
    return cell_text(tc).replace("\t", "").replace("\n", "")


def _plan_table(tbl: etree._Element, columns: list[int], number: int) -> TablePlan | None:
    """The plan of one table, or None (nothing changed) when it does not have the repeated-row shape."""
    if any(True for _ in tbl.iterancestors(W_TBL)) or any(True for _ in tbl.iterdescendants(W_TBL)):
        return None
    if any(el.tag not in _TABLE_CHILDREN for el in tbl if isinstance(el.tag, str)):
        return None
    rows = list(tbl.iterchildren(W_TR))
    texts = [cell_text(tr) for tr in rows]
    if any(_CELL_LOOPS.search(text) for text in texts):
        return None
    control = [i for i, text in enumerate(texts) if _CONTROL_ROW.search(text)]
    if len(control) != 2 or control[1] != control[0] + 2 or control[1] != len(rows) - 1:
        return None
    first = control[0]
    if not _FOR_ROW.match(texts[first]) or not _ENDFOR_ROW.match(texts[control[1]]):
        return None
    above, repeated = rows[:first], rows[first + 1]
    for tr in above:
        if any(_JINJA.search(cell_text(tc)) for tc in _merge_cells(tr, columns).values()):
            return None
    if above and _JINJA.search(etree.tostring(above[-1], encoding="unicode")):
        return None  # Jinja placed before it must see what the loop's header sees
    depth = len(columns)
    loop = _merge_cells(repeated, columns)
    for tc in loop.values():
        xml = etree.tostring(tc, encoding="unicode")
        if _TAG_OR_COMMENT.search(xml) or any(_LOOP.search(e) for e in _EXPRESSIONS.findall(cell_text(tc))):
            return None
        if any(el.tag not in (W_TCPR, W_P) for el in tc if isinstance(el.tag, str)):
            return None
        emptied = deepcopy(tc)
        clear_cell_text(emptied)
        if _JINJA.search(etree.tostring(emptied, encoding="unicode")):
            return None

    # every check passed: from here on the table is changed
    loop_texts = [_compared_text(loop[k]) if k in loop else None for k in range(depth)]
    dynamic = [k in loop and "{{" in cell_text(loop[k]) for k in range(depth)]
    loop_frozen = [k in loop and _frozen(loop[k]) for k in range(depth)]
    boundary = above[-1] if above else None
    boundary_texts: list[str | None] | None = None
    boundary_frozen = [False] * depth
    boundary_cells: list[int] = []
    if boundary is not None:
        cells = _merge_cells(boundary, columns)
        boundary_texts = [_compared_text(cells[k]) if k in cells else None for k in range(depth)]
        boundary_frozen = [k in cells and _frozen(cells[k]) for k in range(depth)]
        for tr in rows[first:]:  # the fixed rows merged as the rule merges them
            tbl.remove(tr)
        merge_repeated_cells(tbl, columns)
        for tr in rows[first:]:
            tbl.append(tr)
        for k, tc in cells.items():
            may_start = boundary_texts[k] and None not in boundary_texts[: k + 1] and not boundary_frozen[k]
            if may_start and not _frozen(tc) and k in loop and not loop_frozen[k]:
                _mark_variants(tc, f"{number}.boundary.{k}", ("plain", "restart"))
                boundary_cells.append(k)
        boundary.set(MARK, f"{number}.boundary-row")
    loop_cells = []
    for k, tc in loop.items():
        if loop_frozen[k]:
            tc.set(MARK, f"{number}.{k}.frozen")
        else:
            _mark_variants(tc, f"{number}.{k}", ("plain", "restart", "continue"))
            loop_cells.append(k)
    repeated.set(MARK, f"{number}.loop")
    return TablePlan(number, loop_texts, dynamic, loop_frozen, boundary_texts, boundary_frozen,
                     sorted(boundary_cells), sorted(loop_cells))


def _mark_variants(tc: etree._Element, mark: str, kinds: tuple[str, ...]) -> None:
    """Put beside ``tc`` the variants it may be rendered as, each marked ``{mark}.{kind}``."""
    original = deepcopy(tc)
    position = tc
    for kind in kinds:
        if kind == "plain":
            variant = tc
        else:
            variant = deepcopy(original)
            set_vmerge(variant, kind)
            if kind == "continue":
                clear_cell_text(variant)
            position.addnext(variant)
        variant.set(MARK, f"{mark}.{kind}")
        position = variant


# --------------------------------------------------------------------------- on the Jinja source


def apply_merge_plans(source: str, plans: list[TablePlan]) -> str:
    """The Jinja source with each planned table's decisions written in (see the module)."""
    for plan in plans:
        source = _apply(source, plan)
    if MARK in source:
        raise MergePlanError("a marked element was left over")
    return source


def _literal(value: object) -> str:
    """``value`` (text, None, a flag, a list of them) as a Jinja literal."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _marked(source: str, mark: str, tag: str) -> re.Match[str]:
    match = re.search(rf'<{tag}\b[^>]*?( {re.escape(MARK)}="{re.escape(mark)}")[^>]*>', source)
    if match is None:
        raise MergePlanError(f"{mark} not found")
    return match


def _unmark(source: str, match: re.Match[str]) -> str:
    return source[: match.start(1)] + source[match.end(1):]


def _cell_blocks(source: str, mark: str, kinds: tuple[str, ...]) -> tuple[int, int, dict[str, str]]:
    """The consecutive cells marked ``{mark}.{kind}``: where they start and end, and each without its mark."""
    start = position = _marked(source, f"{mark}.{kinds[0]}", "w:tc").start()
    blocks = {}
    for kind in kinds:
        match = _marked(source, f"{mark}.{kind}", "w:tc")
        if match.start() != position:
            raise MergePlanError(f"{mark}.{kind} is not where expected")
        end = source.find("</w:tc>", match.end())
        if end < 0 or _TC_OPEN.search(source, match.end(), end):
            raise MergePlanError(f"{mark}.{kind} holds a table")
        end += len("</w:tc>")
        block = source[match.start(): end]
        blocks[kind] = block[: match.start(1) - match.start()] + block[match.end(1) - match.start():]
        position = end
        while position < len(source) and source[position].isspace():
            position += 1
    return start, position, blocks


def _content(block: str) -> str:
    """What a cell's ``w:tc`` element holds after its ``w:tcPr``."""
    opening = re.match(r"<w:tc\b[^>]*>", block)
    if opening is None:
        raise MergePlanError("not a cell")
    inner = block[opening.end(): -len("</w:tc>")]
    empty = re.match(r"<w:tcPr\b[^>]*/>", inner)
    if empty:
        return inner[empty.end():]
    if inner.startswith("<w:tcPr"):
        end = inner.find("</w:tcPr>")
        if end < 0:
            raise MergePlanError("a cell's properties do not end")
        return inner[end + len("</w:tcPr>"):]
    return inner


def _with_content(block: str, content: str) -> str:
    """The cell ``block`` holding ``content`` instead of its own."""
    return block[: len(block) - len("</w:tc>") - len(_content(block))] + content + "</w:tc>"


def _for_header(header: str) -> tuple[str, str]:
    """(target, iterable) of ``{% for target in iterable %}``; only a plain loop over one name is planned."""
    try:
        tree = _PARSER.parse("{% for " + header + " %}{% endfor %}")
    except TemplateSyntaxError:
        raise MergePlanError("the loop's header does not parse") from None
    loop = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(loop, nodes.For) or not isinstance(loop.target, nodes.Name) or loop.test is not None \
            or loop.recursive or loop.else_:
        raise MergePlanError("not a plain loop")
    match = re.fullmatch(r"\s*(\w+)\s+in\s+(.+?)\s*", header, re.S)
    if match is None or match.group(1) != loop.target.name:
        raise MergePlanError("not a plain loop")
    return match.group(1), match.group(2)


def _apply(source: str, plan: TablePlan) -> str:
    n = plan.number
    state = f"_dm{n}"
    contents: dict[int, str] = {}
    for k in plan.loop_cells:
        start, end, blocks = _cell_blocks(source, f"{n}.{k}", ("plain", "restart", "continue"))
        contents[k] = _content(blocks["plain"])
        if plan.dynamic[k]:  # rendered once, when looked at ahead: printed from there
            for kind in ("plain", "restart"):
                blocks[kind] = _with_content(blocks[kind], f"{{{{ {state}.x[{k}] }}}}")
        choice = (f"{{% if {state}.c[{k}] %}}{blocks['continue']}{{% elif {state}.nc[{k}] %}}{blocks['restart']}"
                  f"{{% else %}}{blocks['plain']}{{% endif %}}")
        source = source[:start] + choice + source[end:]
    for k, frozen in enumerate(plan.loop_frozen):
        if frozen:
            start, end, blocks = _cell_blocks(source, f"{n}.{k}", ("frozen",))
            contents[k] = _content(blocks["frozen"])
            block = _with_content(blocks["frozen"], f"{{{{ {state}.x[{k}] }}}}") if plan.dynamic[k] else blocks["frozen"]
            source = source[:start] + block + source[end:]
    for k in plan.boundary_cells:
        start, end, blocks = _cell_blocks(source, f"{n}.boundary.{k}", ("plain", "restart"))
        choice = f"{{% if {state}.nc[{k}] %}}{blocks['restart']}{{% else %}}{blocks['plain']}{{% endif %}}"
        source = source[:start] + choice + source[end:]

    loop_row = _marked(source, f"{n}.loop", "w:tr")
    source = _unmark(source, loop_row)
    tags = list(_FOR_TAG.finditer(source, 0, loop_row.start()))
    if not tags or source[tags[-1].end(): loop_row.start()].strip():
        raise MergePlanError("the loop's tag is not right before its row")
    for_tag = tags[-1]
    target, iterable = _for_header(for_tag.group(1))

    captures = "".join(f"{{% set {state}_{k} %}}{contents[k]}{{% endset %}}"
                       for k in range(len(plan.dynamic)) if plan.dynamic[k])
    texts = "[" + ", ".join(f"{state}_{k}" if plan.dynamic[k] else _literal(text)
                            for k, text in enumerate(plan.loop_texts)) + "]"
    each_row = (f"{{% if loop.last %}}{{{{ {state}|_merge_step(none) }}}}{{% else %}}"
                f"{{% with {target} = loop.nextitem %}}{captures}{{{{ {state}|_merge_step({texts}) }}}}{{% endwith %}}"
                "{% endif %}")
    source = source[: for_tag.end()] + each_row + source[for_tag.end():]

    first = f"{state}_first"
    before = (f"{{% set {state} = _merge_state({_literal(plan.boundary_texts)}, {_literal(plan.boundary_frozen)}, "
              f"{_literal(plan.loop_frozen)}) %}}{{% set {first} = ({iterable})|first %}}"
              f"{{% if {first} is defined %}}{{% with {target} = {first} %}}{captures}{{{{ {state}|_merge_look({texts}) }}}}"
              "{% endwith %}{% endif %}")
    if plan.boundary_texts is not None:
        boundary = _marked(source, f"{n}.boundary-row", "w:tr")
        source = _unmark(source, boundary)
        at = boundary.start()
    else:
        at = for_tag.start()
    return source[:at] + before + source[at:]
