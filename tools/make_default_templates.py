"""Write the default Word templates of the bundled profiles (shanxi-13, shanghai-district-9) into templates/docx/.

The default templates are generated: this script is their one source, reviewed as code, so a change of
the house style (fonts, widths, a header row) is made for every table at once.  A test checks that the
committed templates/docx/*.docx are what this script writes (tests/test_template_layout.py), and that
every fixed header text fits its column on lines that break only between words.  Template maintainers
restyle their own copies (``python -m disclosure templates export DIR``, then ``build --templates DIR``),
never the defaults in the repository.

    python tools/make_default_templates.py [OUTDIR]     # default OUTDIR: templates/docx

Layout rules (DESIGN.md §7): A4 portrait, body 仿宋, headings 黑体/楷体, titles 方正小标宋简体,
tables 宋体; East Asian fonts are set on w:eastAsia in the styles, so restyling a style in Word
restyles every paragraph that uses it.

    python tools/make_default_templates.py [OUTDIR]
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "templates" / "docx"

LATIN = "Times New Roman"
FANGSONG, HEITI, SONGTI, KAITI, XIAOBIAOSONG = "仿宋", "黑体", "宋体", "楷体", "方正小标宋简体"
TEXT_WIDTH_CM = 16.0  # A4 21 cm − 2 × 2.5 cm

# --------------------------------------------------------------------------- styles

# Child order of the OOXML elements we touch (ECMA-376 Part 1); Word refuses out-of-order children.
TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
               "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
               "tblLook", "tblCaption", "tblDescription"]
TRPR_ORDER = ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
              "tblHeader", "tblCellSpacing", "jc", "hidden"]
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
             "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
             "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
             "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def put(parent, child, order: list[str]) -> None:
    """Insert ``child`` into ``parent`` at its schema position, replacing one of the same tag."""
    tag = child.tag.split("}")[1]
    for old in parent.findall(child.tag):
        parent.remove(old)
    rank = order.index(tag)
    for i, sibling in enumerate(parent):
        other = sibling.tag.split("}")[1] if "}" in sibling.tag else ""
        if other in order and order.index(other) > rank:
            parent.insert(i, child)
            return
    parent.append(child)



def _fonts(rpr_owner, east_asia: str, size: float, *, bold: bool = False, latin: str = LATIN) -> None:
    rpr = rpr_owner.get_or_add_rPr()
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    put(rpr, fonts, RPR_ORDER)
    for tag in ("w:b", "w:bCs"):
        if bold:
            put(rpr, OxmlElement(tag), RPR_ORDER)
        else:
            for child in rpr.findall(qn(tag)):
                rpr.remove(child)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size * 2)))
        put(rpr, el, RPR_ORDER)


@dataclass
class ParaStyle:
    name: str
    east_asia: str
    size: float
    bold: bool = False
    align: WD_ALIGN_PARAGRAPH | None = None
    first_line_chars: float = 0  # first-line indent in characters of this size
    left_chars: float = 0
    hanging_chars: float = 0  # wrapped lines start this many characters right of the first line
    before: float = 0
    after: float = 0
    line: float | None = None  # exact line spacing in pt; None = single
    keep_with_next: bool = False
    outline_level: int | None = None
    tabs: list[tuple[float, WD_TAB_ALIGNMENT]] = field(default_factory=list)


STYLES = [
    ParaStyle("Report Title", XIAOBIAOSONG, 26, align=WD_ALIGN_PARAGRAPH.CENTER, line=40, before=180, after=24),
    ParaStyle("Report Subtitle", KAITI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, line=28),
    ParaStyle("Contents Title", HEITI, 18, align=WD_ALIGN_PARAGRAPH.CENTER, after=18, line=36),
    ParaStyle("Contents Entry 1", HEITI, 14, line=28),
    ParaStyle("Contents Entry 2", FANGSONG, 14, left_chars=4, hanging_chars=2, line=28),
    ParaStyle("Contents Entry 3", FANGSONG, 14, left_chars=9, hanging_chars=7, line=28),
    ParaStyle("Part Title", HEITI, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=12, line=32, keep_with_next=True, outline_level=0),
    ParaStyle("Section Heading", HEITI, 14, first_line_chars=2, line=28, keep_with_next=True, outline_level=1),
    ParaStyle("Subsection Heading", KAITI, 14, first_line_chars=2, line=28, keep_with_next=True, outline_level=2),
    ParaStyle("Body Paragraph", FANGSONG, 14, first_line_chars=2, line=28, align=WD_ALIGN_PARAGRAPH.JUSTIFY),
    ParaStyle("Table Number", HEITI, 10.5, align=WD_ALIGN_PARAGRAPH.RIGHT, keep_with_next=True),
    ParaStyle("Table Title", XIAOBIAOSONG, 14, align=WD_ALIGN_PARAGRAPH.CENTER, after=6, keep_with_next=True, outline_level=1),
    ParaStyle("Table Caption", SONGTI, 10.5, keep_with_next=True, after=3,
              tabs=[(TEXT_WIDTH_CM, WD_TAB_ALIGNMENT.RIGHT)]),
    ParaStyle("Table Header", SONGTI, 9, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER),
    ParaStyle("Table Text", SONGTI, 9),
    ParaStyle("Table Amount", SONGTI, 9, align=WD_ALIGN_PARAGRAPH.RIGHT),
    ParaStyle("Table Note", SONGTI, 10.5, before=3),
    ParaStyle("Table Header Small", SONGTI, 8, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER),
    ParaStyle("Table Text Small", SONGTI, 8),
    ParaStyle("Table Amount Small", SONGTI, 8, align=WD_ALIGN_PARAGRAPH.RIGHT),
    ParaStyle("Sheet Title", XIAOBIAOSONG, 15, align=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True, outline_level=2),
    ParaStyle("Sheet Year", SONGTI, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER, after=4, keep_with_next=True),
    ParaStyle("Sheet Text", SONGTI, 8),
    ParaStyle("Sheet Label", SONGTI, 8, align=WD_ALIGN_PARAGRAPH.CENTER),
    ParaStyle("Sheet Footer", SONGTI, 9, before=4),
    ParaStyle("Notice Title", XIAOBIAOSONG, 18, align=WD_ALIGN_PARAGRAPH.CENTER, line=32, after=12),
    ParaStyle("Notice Text", FANGSONG, 14, first_line_chars=2, line=28, align=WD_ALIGN_PARAGRAPH.JUSTIFY),
    ParaStyle("Notice Plain", FANGSONG, 14, line=28),
    ParaStyle("Notice Signature", FANGSONG, 14, align=WD_ALIGN_PARAGRAPH.RIGHT, line=28),
    ParaStyle("Catalogue Title", XIAOBIAOSONG, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=8, keep_with_next=True),
    ParaStyle("Catalogue Department", HEITI, 9, keep_with_next=True),
    ParaStyle("Glossary Entry", FANGSONG, 14, first_line_chars=2, line=28, align=WD_ALIGN_PARAGRAPH.JUSTIFY),
    ParaStyle("Report Footer", SONGTI, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER),
]
KEEP_STYLES = {s.name for s in STYLES} | {
    "Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid", "Header", "Footer",
}


def _document_defaults(doc) -> None:
    """docDefaults: Chinese as the East Asian language, no theme fonts, no spacing (LibreOffice reads these)."""
    root = doc.styles.element
    defaults = root.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), SONGTI)
    put(rpr, fonts, RPR_ORDER)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    put(rpr, lang, RPR_ORDER)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for spacing in ppr.findall(qn("w:spacing")):
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")


def _define_styles(doc) -> None:
    _document_defaults(doc)
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal.element, FANGSONG, 14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    # East Asian language, so fall-back fonts are chosen for Chinese
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    put(rpr, lang, RPR_ORDER)
    for spec in STYLES:
        style = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        _fonts(style.element, spec.east_asia, spec.size, bold=spec.bold)
        pf = style.paragraph_format
        if spec.align is not None:
            pf.alignment = spec.align
        if spec.first_line_chars:
            pf.first_line_indent = Pt(spec.size * spec.first_line_chars)
        if spec.left_chars:
            pf.left_indent = Pt(spec.size * spec.left_chars)
        if spec.hanging_chars:
            pf.first_line_indent = Pt(-spec.size * spec.hanging_chars)
        pf.space_before = Pt(spec.before)
        pf.space_after = Pt(spec.after)
        if spec.line:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(spec.line)
        else:
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.keep_with_next = spec.keep_with_next
        pf.widow_control = True
        for position, alignment in spec.tabs:
            pf.tab_stops.add_tab_stop(Cm(position), alignment)
        if spec.outline_level is not None:
            ppr = style.element.get_or_add_pPr()
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(spec.outline_level))
            ppr.append(level)
    # Footer/Header styles exist in the default template; give the footer Chinese fonts
    _fonts(styles["Footer"].element, SONGTI, 10.5)


def _prune_styles(doc) -> None:
    """Keep only the styles the templates use, so every part composes fast and reads clean in Word."""
    root = doc.styles.element
    for style in list(root.findall(qn("w:style"))):
        name = style.find(qn("w:name"))
        if name is None or name.get(qn("w:val")) not in KEEP_STYLES:
            root.remove(style)
    latent = root.find(qn("w:latentStyles"))
    if latent is not None:
        root.remove(latent)


# --------------------------------------------------------------------------- document scaffolding


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = Cm(2.54)
    section.bottom_margin = Cm(2.3)
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(1.2)


def _field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A complex field (PAGE …): python-docx has no API for fields, so write the runs directly."""
    def run_with(child) -> None:
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    t = OxmlElement("w:t")
    t.text = placeholder
    run_with(t)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def new_document():
    doc = Document()
    _define_styles(doc)
    _prune_styles(doc)
    _page_setup(doc)
    body = doc.element.body
    for p in list(body.findall(qn("w:p"))):
        body.remove(p)
    core = doc.core_properties
    import datetime as dt

    core.author = "disclosure"
    core.created = core.modified = dt.datetime(2024, 1, 1)
    core.last_modified_by = "disclosure"
    core.revision = 1
    return doc


def para(doc_or_cell, text: str = "", style: str = "Body Paragraph"):
    p = doc_or_cell.add_paragraph(style=style)
    if text:
        p.add_run(text)
    return p


def _strip_package(data: bytes) -> bytes:
    """Drop the default template's thumbnail/customXml/stylesWithEffects and fix zip dates (stable files)."""
    drop = ("docProps/thumbnail.jpeg", "customXml/", "word/stylesWithEffects.xml")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename.startswith(drop):
                continue
            blob = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                blob = blob.replace(b'<Override PartName="/docProps/thumbnail.jpeg" ContentType="image/jpeg"/>', b"")
                for part in (b"/customXml/itemProps1.xml", b"/word/stylesWithEffects.xml"):
                    blob = _drop_override(blob, part)
            if info.filename in ("_rels/.rels", "word/_rels/document.xml.rels"):
                blob = _drop_relationships(blob, (b"thumbnail", b"customXml", b"stylesWithEffects"))
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, blob)
    return out.getvalue()


def _drop_override(blob: bytes, part: bytes) -> bytes:
    import re

    return re.sub(rb'<Override PartName="' + re.escape(part) + rb'"[^>]*/>', b"", blob)


def _drop_relationships(blob: bytes, needles: Sequence[bytes]) -> bytes:
    import re

    def keep(m: re.Match[bytes]) -> bytes:
        return b"" if any(n in m.group(0) for n in needles) else m.group(0)

    return re.sub(rb"<Relationship [^>]*/>", keep, blob)


def save(doc, name: str, outdir: Path) -> None:
    buffer = io.BytesIO()
    doc.save(buffer)
    (outdir / name).write_bytes(_strip_package(buffer.getvalue()))
    print(f"wrote {outdir / name}")


# --------------------------------------------------------------------------- tables


def _set_cell_width(cell, cm: float) -> None:
    cell.width = Cm(cm)


def _repeat_as_header(row) -> None:
    put(row._tr.get_or_add_trPr(), OxmlElement("w:tblHeader"), TRPR_ORDER)


def _cant_split(row) -> None:
    put(row._tr.get_or_add_trPr(), OxmlElement("w:cantSplit"), TRPR_ORDER)


def _fixed_layout(table, widths: Sequence[float]) -> None:
    tbl = table._tbl
    tblpr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    put(tblpr, layout, TBLPR_ORDER)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths) * 567)))
    width.set(qn("w:type"), "dxa")
    put(tblpr, width, TBLPR_ORDER)
    grid = tbl.tblGrid
    for col, cm in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(cm * 567)))
    # compact cell margins
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("left", 57), ("right", 57)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(value))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    put(tblpr, margins, TBLPR_ORDER)


def set_table_caption(table, text: str) -> None:
    """The table's Alt Text title (Word: Table Properties → Alt Text), read by the renderer."""
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), text)
    put(table._tbl.tblPr, caption, TBLPR_ORDER)


def _write(cell, text: str, style: str) -> None:
    """``text`` in the cell; a ``\n`` is a line break, placed only between words (单位资金 never 单位资/金)."""
    p = cell.paragraphs[0]
    p.style = style
    for index, line in enumerate(text.split("\n") if text else []):
        run = p.add_run(line)
        if index:
            run._r.insert(0, OxmlElement("w:br"))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def grid_table(doc, widths: Sequence[float], header: Sequence[Sequence[str | None]],
               merges: Sequence[tuple[int, int, int, int]], body_rows: Sequence[Sequence[str]],
               amount_columns: set[int], *, header_style: str = "Table Header",
               text_style: str = "Table Text", amount_style: str = "Table Amount",
               loop: str | None = None, endloop: str = "{%tr endfor %}", repeat_header: bool = True,
               keep_rows_whole: bool = True):
    """A bordered table: header rows (``None`` = merged away), merges ``(r0, c0, r1, c1)``, then body rows.

    With ``loop``, the body is one template row between ``{%tr for … %}`` and ``{%tr endfor %}`` rows.
    """
    columns = len(widths)
    rows = len(header) + len(body_rows) + (2 if loop else 0)
    table = doc.add_table(rows=rows, cols=columns)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table, widths)
    for r, texts in enumerate(header):
        row = table.rows[r]
        if repeat_header:
            _repeat_as_header(row)
        if keep_rows_whole:
            _cant_split(row)
        for c, text in enumerate(texts):
            _write(row.cells[c], text or "", header_style)
    index = len(header)
    if loop:
        _write(table.rows[index].cells[0], loop, text_style)
        index += 1
    for texts in body_rows:
        row = table.rows[index]
        _cant_split(row)
        for c, text in enumerate(texts):
            _write(row.cells[c], text, amount_style if c in amount_columns else text_style)
        index += 1
    if loop:
        _write(table.rows[index].cells[0], endloop, text_style)
    for r in table.rows:
        for c, cm in zip(r.cells, widths):
            _set_cell_width(c, cm)
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    return table


def table_heading(doc, *, caption: bool = True) -> None:
    para(doc, "{{ table.label }}", "Table Number")
    para(doc, "{{ table.title }}", "Table Title")
    if caption:
        para(doc, "单位名称：{{ unit.name }}\t{{ table.amount_unit_label }}", "Table Caption")


def empty_note(doc) -> None:
    para(doc, "{%p if table.is_empty %}", "Table Note")
    para(doc, "{{ table.empty_note }}", "Table Note")
    para(doc, "{%p endif %}", "Table Note")


def cells(prefix: str, n: int) -> list[str]:
    return [f"{{{{ {prefix}[{i}] }}}}" for i in range(n)]


def plain_table(name: str, widths, header, merges, data_cells, amount_columns, outdir: Path) -> None:
    doc = new_document()
    table_heading(doc)
    grid_table(doc, widths, header, merges, [data_cells], amount_columns, loop="{%tr for row in table.rows %}")
    empty_note(doc)
    save(doc, name, outdir)


def function_table(name: str, header, merges, outdir: Path) -> None:
    widths = [1.8, 6.7, 2.5, 2.5, 2.5]
    data = ["{{ row.code }}", "{{ row.label }}", *cells("row.cells", 3)]
    plain_table(name, widths, header, merges, data, {2, 3, 4}, outdir)


def balance_table(name: str, widths, header, merges, left: int, right: int, outdir: Path) -> None:
    doc = new_document()
    table_heading(doc)
    data = ["{{ row.left_label }}", *cells("row.left", left), "{{ row.right_label }}", *cells("row.right", right)]
    amount = set(range(1, 1 + left)) | set(range(2 + left, 2 + left + right))
    grid_table(doc, widths, header, merges, [data], amount, loop="{%tr for row in table.rows %}")
    empty_note(doc)
    save(doc, name, outdir)


def write_tables(outdir: Path) -> None:
    year = "{{ year }}年"
    # 1 收支总表
    balance_table(
        "table-01-summary.docx",
        [3.4, 1.6, 5.0, 2.0, 2.0, 2.0],
        [["收入", None, "支出", None, None, None],
         ["项目", year, "项目", year, None, None],
         [None, None, None, "合计", "当年预算\n安排", "上年结转\n安排"]],
        [(0, 0, 0, 1), (0, 2, 0, 5), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 5)],
        1, 3, outdir,
    )
    # 2 收入总表
    plain_table(
        "table-02-income.docx",
        [1.6, 3.4, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 2.0],
        [["项目", None, "合计", "本年收入", None, None, None, None, "上年结转"],
         ["科目编码", "科目名称", None, "一般公共\n预算", "政府性\n基金", "国有资本\n经营预算", "财政专户\n管理资金", "单位资金",
          None]],
        [(0, 0, 0, 1), (0, 2, 1, 2), (0, 3, 0, 7), (0, 8, 1, 8)],
        ["{{ row.code }}", "{{ row.label }}", *cells("row.cells", 7)],
        set(range(2, 9)), outdir,
    )
    kind_header = [["项目", None, year + "预算数", None, None], ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    kind_merges = [(0, 0, 0, 1), (0, 2, 0, 4)]
    function_table("table-03-expenditure.docx", kind_header, kind_merges, outdir)
    # 4 财政拨款收支总表
    balance_table(
        "table-04-fiscal-summary.docx",
        [3.4, 1.6, 5.0, 1.5, 1.5, 1.5, 1.5],
        [["收入", None, "支出", None, None, None, None],
         ["项目", "金额", "项目", "金额", None, None, None],
         [None, None, None, "小计", "一般公共\n预算", "政府性\n基金预算", "国有资本\n经营预算"]],
        [(0, 0, 0, 1), (0, 2, 0, 6), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 6)],
        1, 4, outdir,
    )
    function_table("table-05-general-public.docx", kind_header, kind_merges, outdir)
    # 6 基本支出分经济科目
    plain_table(
        "table-06-basic-by-economic.docx",
        [4.6, 4.6, 2.3, 2.25, 2.25],
        [["部门预算支出经济科目名称", "政府预算支出经济科目名称", year + "预算数", None, None],
         [None, None, "合计", "人员经费", "公用经费"]],
        [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 4)],
        ["{{ row.label }}", "{{ row.label2 }}", *cells("row.cells", 3)],
        {2, 3, 4}, outdir,
    )
    # 7 政府性基金收入
    plain_table(
        "table-07-fund-income.docx",
        [2.4, 8.6, 5.0],
        [["项目", None, "政府性基金收入预算"], ["收入科目编码", "科目名称", None]],
        [(0, 0, 0, 1), (0, 2, 1, 2)],
        ["{{ row.code }}", "{{ row.label }}", "{{ row.cells[0] }}"],
        {2}, outdir,
    )
    function_table("table-08-fund-expenditure.docx", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]], [], outdir)
    # 9 国有资本经营
    doc = new_document()
    table_heading(doc)
    grid_table(
        doc,
        [1.7, 2.5, 1.9, 1.7, 2.8, 1.8, 1.8, 1.8],
        [["国有资本经营预算收入", None, None, "国有资本经营预算支出", None, None, None, None],
         ["项目", None, "国有资本\n经营收入\n预算", "科目编码", "科目名称", "合计", "基本支出", "项目支出"],
         ["收入科目\n编码", "科目名称", None, None, None, None, None, None]],
        [(0, 0, 0, 2), (0, 3, 0, 7), (1, 0, 1, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 4, 2, 4), (1, 5, 2, 5),
         (1, 6, 2, 6), (1, 7, 2, 7)],
        [["{{ row.left_code }}", "{{ row.left_label }}", "{{ row.left[0] }}",
          "{{ row.right_code }}", "{{ row.right_label }}", *cells("row.right", 3)]],
        {2, 5, 6, 7}, loop="{%tr for row in table.rows %}",
    )
    empty_note(doc)
    save(doc, "table-09-state-capital.docx", outdir)
    # 10 三公, 11 机关运行经费
    source_header = ["合计", "一般公共预算", "政府性基金预算", "国有资本\n经营预算"]
    plain_table(
        "table-10-three-public.docx",
        [6.0, 2.5, 2.5, 2.5, 2.5],
        [["项目", year + "预算数", None, None, None], [None, *source_header]],
        [(0, 0, 1, 0), (0, 1, 0, 4)],
        ["{{ row.label }}", *cells("row.cells", 4)],
        {1, 2, 3, 4}, outdir,
    )
    plain_table(
        "table-11-operating-costs.docx",
        [6.0, 2.5, 2.5, 2.5, 2.5],
        [["单位名称", year + "预算数", None, None, None], [None, *source_header]],
        [(0, 0, 1, 0), (0, 1, 0, 4)],
        ["{{ row.label }}", *cells("row.cells", 4)],
        {1, 2, 3, 4}, outdir,
    )
    # 12, 13 项目支出
    plain_table(
        "table-12-projects-current.docx",
        [5.2, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8],
        [["项目名称", "合计", year + "财政拨款", None, None, "财政专户\n管理资金", "单位资金"],
         [None, None, "一般公共\n预算", "政府性基金\n预算", "国有资本\n经营预算", None, None],
         ["1", "2", "3", "4", "5", "6", "7"]],
        [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 4), (0, 5, 1, 5), (0, 6, 1, 6)],
        ["{{ row.indent }}{{ row.label }}", *cells("row.cells", 6)],
        set(range(1, 7)), outdir,
    )
    plain_table(
        "table-13-projects-carry-over.docx",
        [6.4, 2.4, 2.4, 2.4, 2.4],
        [["项目名称", "合计", year + "财政拨款", None, None],
         [None, None, "一般公共预算", "政府性基金\n预算", "国有资本\n经营预算"],
         ["1", "2", "3", "4", "5"]],
        [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 4)],
        ["{{ row.indent }}{{ row.label }}", *cells("row.cells", 4)],
        set(range(1, 5)), outdir,
    )


# --------------------------------------------------------------------------- parts


def write_base(outdir: Path) -> None:
    """base.docx: page setup, styles, and the footer (report title, -N-) of the whole report."""
    doc = new_document()
    section = doc.sections[0]
    section.different_first_page_header_footer = True  # the cover carries no page number
    footer = section.footer
    p = footer.paragraphs[0]
    p.style = doc.styles["Report Footer"]
    p.add_run("-")
    _field(p, "PAGE")
    p.add_run("-")
    title = footer.add_paragraph(style="Report Footer")
    title.add_run("{{ report_title }}")
    save(doc, "base.docx", outdir)


def write_cover(outdir: Path) -> None:
    """The cover: the title on lines that break between words (the unit's name, then 2024年单位预算公开报告)."""
    doc = new_document()
    para(doc, "{{ cover_title }}", "Report Title")
    para(doc, "{{ unit.name }}", "Report Subtitle")
    save(doc, "cover.docx", outdir)


def write_contents(outdir: Path) -> None:
    doc = new_document()
    para(doc, "目　录", "Contents Title")
    contents_entries(doc)
    save(doc, "contents.docx", outdir)


def contents_entries(doc) -> None:
    """Part titles flush left; sections and tables indented, their wrapped lines hanging under the text."""
    para(doc, "{%p for entry in contents %}", "Contents Entry 1")
    para(doc, "{%p if entry.level == 0 %}", "Contents Entry 1")
    para(doc, "{{ entry.title }}", "Contents Entry 1")
    para(doc, "{%p elif entry.kind == 'table' %}", "Contents Entry 1")
    para(doc, "{{ entry.title }}", "Contents Entry 3")
    para(doc, "{%p else %}", "Contents Entry 1")
    para(doc, "{{ entry.title }}", "Contents Entry 2")
    para(doc, "{%p endif %}", "Contents Entry 1")
    para(doc, "{%p endfor %}", "Contents Entry 1")


def overview_parts(doc, duties_heading: str, organisation_heading: str) -> None:
    """概况: the part title, the duties under their heading, the organisation paragraphs under theirs."""
    para(doc, "{{ part_title }}", "Part Title")
    para(doc, duties_heading, "Section Heading")
    para(doc, "{%p if overview.intro %}")
    para(doc, "{{ overview.intro }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if overview.duties %}")
    para(doc, "{{ overview.duties_lead }}")
    para(doc, "{%p for duty in overview.duties %}")
    para(doc, "{{ duty }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, organisation_heading, "Section Heading")
    para(doc, "{%p for paragraph in overview.organisation %}")
    para(doc, "{{ paragraph }}")
    para(doc, "{%p endfor %}")


def write_part_1(outdir: Path) -> None:
    doc = new_document()
    overview_parts(doc, "一、本{{ level }}职责", "二、机构设置情况")
    save(doc, "part-1-overview.docx", outdir)


def write_part_2(outdir: Path) -> None:
    doc = new_document()
    para(doc, "{{ part_title }}", "Part Title")
    save(doc, "part-2-heading.docx", outdir)


def write_part_3(outdir: Path) -> None:
    doc = new_document()
    para(doc, "{%p if part_title %}", "Part Title")
    para(doc, "{{ part_title }}", "Part Title")
    para(doc, "{%p endif %}", "Part Title")
    para(doc, "{%p for section in sections %}", "Section Heading")
    para(doc, "{%p if section.heading %}", "Section Heading")
    para(doc, "{{ section.heading }}", "Section Heading")
    para(doc, "{%p endif %}", "Section Heading")
    para(doc, "{%p for block in section.blocks %}")
    para(doc, "{%p if block.kind == 'subheading' %}", "Subsection Heading")
    para(doc, "{{ block.text }}", "Subsection Heading")
    para(doc, "{%p else %}")
    para(doc, "{{ block.text }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}", "Section Heading")
    save(doc, "part-3-notes.docx", outdir)


def write_part_4(outdir: Path) -> None:
    doc = new_document()
    para(doc, "{{ part_title }}", "Part Title")
    para(doc, "{%p for entry in glossary %}", "Glossary Entry")
    para(doc, "{{ entry.number }}、{{ entry.text }}", "Glossary Entry")
    para(doc, "{%p endfor %}", "Glossary Entry")
    save(doc, "part-4-glossary.docx", outdir)


def write_performance_sheet(outdir: Path) -> None:
    """项目支出绩效目标表 (晋城市市级 form): a fixed grid of 8 columns, indicators row by row."""
    doc = new_document()
    para(doc, "{{ sheet.form_title }}", "Sheet Title")
    para(doc, "（{{ year }}年度）", "Sheet Year")
    widths = [0.7, 1.5, 2.3, 2.5, 2.1, 2.3, 2.5, 2.1]
    label, text = "Sheet Label", "Sheet Text"
    rows: list[list[str]] = [
        ["项目名称", "", "{{ sheet.project }}", "", "", "", "", ""],
        ["主管部门及代码", "", "{{ sheet.competent_department }}", "", "实施单位", "{{ sheet.implementing_unit }}", "", ""],
        ["项目属性", "", "{{ sheet.attribute }}", "", "项目期", "{{ sheet.period }}", "", ""],
        ["项目资金（元）", "", "实施期\n资金总额：", "{{ sheet.period_funds.total }}", "年度资金总额：", "", "{{ sheet.annual_funds.total }}", ""],
        ["", "", "其中：\n中央财政资金", "{{ sheet.period_funds.central }}", "其中：中央财政资金", "", "{{ sheet.annual_funds.central }}", ""],
        ["", "", "省级财政资金", "{{ sheet.period_funds.provincial }}", "省级财政资金", "", "{{ sheet.annual_funds.provincial }}", ""],
        ["", "", "市县（区）\n财政资金", "{{ sheet.period_funds.local }}", "市县（区）财政资金", "", "{{ sheet.annual_funds.local }}", ""],
        ["", "", "单位自筹", "{{ sheet.period_funds.self_raised }}", "单位自筹", "", "{{ sheet.annual_funds.self_raised }}", ""],
        ["", "", "其他资金", "{{ sheet.period_funds.other }}", "其他资金", "", "{{ sheet.annual_funds.other }}", ""],
        ["项目概况", "", "{{ sheet.overview }}", "", "", "", "", ""],
        ["立项依据", "", "{{ sheet.basis }}", "", "", "", "", ""],
        ["项目设立必要性", "", "{{ sheet.necessity }}", "", "", "", "", ""],
        ["保证项目实施的\n制度、措施", "", "{{ sheet.safeguards }}", "", "", "", "", ""],
        ["项目实施计划", "", "{{ sheet.plan }}", "", "", "", "", ""],
        ["总体目标", "", "实施期目标", "", "", "年度目标", "", ""],
        ["", "", "{{ sheet.goal_period }}", "", "", "{{ sheet.goal_annual }}", "", ""],
        ["绩\n效\n指\n标", "一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
    ]
    merges = [
        (0, 0, 0, 1), (0, 2, 0, 7),
        (1, 0, 1, 1), (1, 2, 1, 3), (1, 5, 1, 7),
        (2, 0, 2, 1), (2, 2, 2, 3), (2, 5, 2, 7),
        (3, 0, 8, 1),
        *[(r, 4, r, 5) for r in range(3, 9)],
        *[(r, 6, r, 7) for r in range(3, 9)],
        *[(r, 0, r, 1) for r in range(9, 14)], *[(r, 2, r, 7) for r in range(9, 14)],
        (14, 0, 15, 1), (14, 2, 14, 4), (14, 5, 14, 7), (15, 2, 15, 4), (15, 5, 15, 7),
    ]
    table = grid_table(
        doc, widths, rows, [],
        [["绩\n效\n指\n标", "{{ ind.level1 }}", "{{ ind.level2 }}", "{{ ind.name }}", "{{ ind.value }}",
          "{{ ind.level2 }}", "{{ ind.name }}", "{{ ind.annual_value }}"]],
        set(), header_style=label, text_style=text, amount_style=text,
        loop="{%tr for ind in sheet.indicators %}", repeat_header=False, keep_rows_whole=False,
    )
    # After rendering, equal neighbouring cells of these grid columns are merged vertically
    # (绩效指标, 一级指标, 二级指标 of both periods); see disclosure.render.oxml.merge_repeated_cells.
    set_table_caption(table, "merge-repeated: 0, 1, 2, 5")
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    # long texts left-aligned, labels centred
    for r in range(9, 16):
        for cell in table.rows[r].cells[2:]:
            for p in cell.paragraphs:
                p.style = doc.styles[text]
    para(doc, "负责人：{{ sheet.responsible }}　　经办人：{{ sheet.handler }}　　联系电话：{{ sheet.phone }}　　填报日期：{{ sheet.filled_on }}", "Sheet Footer")
    save(doc, "performance-sheet.docx", outdir)


def write_appendix(outdir: Path) -> None:
    doc = new_document()
    para(doc, "{%p if appendix.notice %}", "Notice Text")
    para(doc, "{{ appendix.notice.header }}", "Notice Title")
    para(doc, "{{ appendix.notice.number }}", "Notice Signature")
    para(doc, "{{ appendix.notice.title }}", "Notice Title")
    para(doc, "{{ appendix.notice.addressees }}", "Notice Plain")
    para(doc, "{%p for paragraph in appendix.notice.paragraphs %}", "Notice Text")
    para(doc, "{{ paragraph }}", "Notice Text")
    para(doc, "{%p endfor %}", "Notice Text")
    para(doc, "{{ appendix.notice.attachment }}", "Notice Text")
    para(doc, "{{ appendix.notice.issuer }}", "Notice Signature")
    para(doc, "{{ appendix.notice.date }}", "Notice Signature")
    para(doc, "{%p endif %}", "Notice Text")
    para(doc, "{{ appendix.title }}", "Catalogue Title")
    widths = [2.0, 2.4, 3.0, 4.0, 4.6]
    table = grid_table(
        doc, widths,
        [["代码", "一级目录", "二级目录", "三级目录", "四级目录"]], [],
        [["{%tr if item.department %}", "", "", "", ""],
         ["{{ item.department }}", "", "", "", ""],
         ["{%tr else %}", "", "", "", ""],
         ["{{ item.code }}", "{{ item.level1 }}", "{{ item.level2 }}", "{{ item.level3 }}", "{{ item.level4 }}"],
         ["{%tr endif %}", "", "", "", ""]],
        set(), loop="{%tr for item in appendix.rows %}",
    )
    heading = table.rows[3]  # header, for, then the department row
    heading.cells[0].merge(heading.cells[4])
    heading.cells[0].paragraphs[0].style = doc.styles["Catalogue Department"]
    para(doc, "{%p for line in appendix.closing %}", "Notice Plain")
    para(doc, "{{ line }}", "Notice Plain")
    para(doc, "{%p endfor %}", "Notice Plain")
    save(doc, "appendix-catalogue.docx", outdir)


# --------------------------------------------------------------------------- the Shanghai district form


SMALL = {"header_style": "Table Header Small", "text_style": "Table Text Small", "amount_style": "Table Amount Small"}


def sh_table_heading(doc) -> None:
    """Title, then 编制部门：{unit} on the left and 单位：元 on the right (no number line)."""
    para(doc, "{{ table.title }}", "Table Title")
    para(doc, "编制{{ words.editor }}：{{ unit.name }}\t{{ table.amount_unit_label }}", "Table Caption")


def sh_table(name: str, widths, header, merges, data_cells, amount_columns, outdir: Path) -> None:
    doc = new_document()
    sh_table_heading(doc)
    grid_table(doc, widths, header, merges, [data_cells], amount_columns, loop="{%tr for row in table.rows %}", **SMALL)
    empty_note(doc)
    save(doc, name, outdir)


def write_shanghai(outdir: Path) -> None:
    """Templates of the shanghai-district-9 profile: 元 with separators, codes in 类 | 款 | 项 columns."""
    doc = new_document()
    para(doc, "{{ report_title }}", "Report Title")
    para(doc, "{{ words.budget_subject }}：{{ unit.name }}", "Report Subtitle")
    save(doc, "sh-cover.docx", outdir)

    doc = new_document()
    para(doc, "目录", "Contents Title")  # checkers of the form skip the contents by this word, unspaced
    contents_entries(doc)
    save(doc, "sh-contents.docx", outdir)

    doc = new_document()
    overview_parts(doc, "（一）主要职能", "（二）机构设置")
    para(doc, "{%p if overview.units_sentence %}")
    para(doc, "{{ overview.units_sentence }}")
    para(doc, "{%p endif %}")
    save(doc, "sh-overview.docx", outdir)

    # 1 财务收支预算总表: a 部门 prints 预算数 only, a 单位 splits 支出 into 合计 / 基本支出 (人员, 公用) / 项目支出
    sh_table(
        "sh-table-01-department.docx", [4.8, 3.2, 4.8, 3.2],
        [["本年收入", None, "本年支出", None], ["项目", "预算数", "项目", "预算数"]],
        [(0, 0, 0, 1), (0, 2, 0, 3)],
        ["{{ row.left_label }}", "{{ row.left[0] }}", "{{ row.right_label }}", "{{ row.right[0] }}"], {1, 3}, outdir,
    )
    sh_table(
        "sh-table-01-unit.docx", [3.2, 1.9, 3.6, 1.85, 1.85, 1.8, 1.8],
        [["本年收入", None, "本年支出", None, None, None, None],
         ["项目", "预算数", "项目", "合计", "基本支出", None, "项目支出"],
         [None, None, None, None, "人员经费", "公用经费", None]],
        [(0, 0, 0, 1), (0, 2, 0, 6), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 4, 1, 5), (1, 6, 2, 6)],
        ["{{ row.left_label }}", "{{ row.left[0] }}", "{{ row.right_label }}", "{{ row.right[0] }}",
         "{{ row.right[2] }}", "{{ row.right[3] }}", "{{ row.right[4] }}"], {1, 3, 4, 5, 6}, outdir,
    )
    codes = ["{{ row.code_parts.lei }}", "{{ row.code_parts.kuan }}", "{{ row.code_parts.xiang }}", "{{ row.label }}"]
    # 2 收入预算总表
    sh_table(
        "sh-table-02-income.docx", [0.8, 0.7, 0.7, 3.8, 2.0, 2.0, 2.0, 2.0, 2.0],
        [["类", "款", "项", "功能分类科目名称", "合计", "财政拨款\n收入", "事业收入", "事业单位\n经营收入", "其他收入"]], [],
        [*codes, *cells("row.cells", 5)], set(range(4, 9)), outdir,
    )
    # 3, 5, 6, 7 支出 by function code: 合计 / 基本支出 / 项目支出
    sh_table(
        "sh-table-kind.docx", [0.8, 0.7, 0.7, 5.2, 2.9, 2.9, 2.8],
        [["类", "款", "项", "功能分类科目名称", "合计", "基本支出", "项目支出"]], [],
        [*codes, *cells("row.cells", 3)], {4, 5, 6}, outdir,
    )
    # 4 财政拨款收支预算总表
    sh_table(
        "sh-table-04-fiscal.docx", [3.0, 2.0, 3.0, 2.0, 2.0, 2.0, 2.0],
        [["财政拨款收入", None, "财政拨款支出", None, None, None, None],
         ["项目", "预算数", "项目", "合计", "一般公共\n预算", "政府性\n基金预算", "国有资本\n经营预算"]],
        [(0, 0, 0, 1), (0, 2, 0, 6)],
        ["{{ row.left_label }}", "{{ row.left[0] }}", "{{ row.right_label }}", *cells("row.right", 4)],
        {1, 3, 4, 5, 6}, outdir,
    )
    # 8 一般公共预算基本支出部门预算经济分类预算表
    sh_table(
        "sh-table-08-economic.docx", [0.9, 0.8, 5.3, 3.0, 3.0, 3.0],
        [["类", "款", "经济分类科目名称", "合计", "人员经费", "公用经费"]], [],
        ["{{ row.code_parts.lei }}", "{{ row.code_parts.kuan }}", "{{ row.name }}", *cells("row.cells", 3)],
        {3, 4, 5}, outdir,
    )
    # 9 “三公”经费和机关运行经费: one row, fed by two derived tables
    doc = new_document()
    sh_table_heading(doc)
    three, costs = "tables.three_public.by_code", "tables.operating_costs.by_code"
    grid_table(
        doc, [2.4, 2.2, 2.2, 2.2, 2.4, 2.4, 2.2],
        [["“三公”经费\n合计", "因公出国\n（境）费", "公务接待费", "公务用车购置及运行费", None, None, "机关运行经费\n预算数"],
         [None, None, None, "小计", "公务用车\n购置费", "公务用车\n运行费", None]],
        [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 5), (0, 6, 1, 6)],
        [[f"{{{{ {three}.total.cells[0] }}}}", f"{{{{ {three}.outbound_travel.cells[0] }}}}",
          f"{{{{ {three}.official_reception.cells[0] }}}}", f"{{{{ {three}.vehicles.cells[0] }}}}",
          f"{{{{ {three}.vehicle_purchase.cells[0] }}}}", f"{{{{ {three}.vehicle_operation.cells[0] }}}}",
          f"{{{{ {costs}.total.cells[0] }}}}"]],
        set(range(7)), **SMALL,
    )
    para(doc, "{%p if tables.three_public.is_empty and tables.operating_costs.is_empty %}", "Table Note")
    para(doc, "{{ table.empty_note }}", "Table Note")
    para(doc, "{%p endif %}", "Table Note")
    save(doc, "sh-table-09-three-public.docx", outdir)

    # 项目经费情况说明 of a 部门: seven headings, then the project's 绩效目标表
    doc = new_document()
    para(doc, "{{ explanation.project }}", "Section Heading")
    for number, (title, key) in enumerate((("项目概况", "overview"), ("立项依据", "basis"), ("实施主体", "implementer"),
                                           ("实施方案", "plan"), ("实施周期", "period"),
                                           ("年度预算安排", "annual_budget"), ("绩效目标", "targets")), start=1):
        para(doc, f"{'一二三四五六七'[number - 1]}、{title}", "Subsection Heading")
        para(doc, f"{{{{ explanation.{key} }}}}")
    para(doc, "{%p if sheet %}", "Sheet Title")
    para(doc, "{{ explanation.project }}项目绩效目标表", "Sheet Title")
    table = grid_table(
        doc, [3.0, 3.0, 6.0, 4.0],
        [["项目名称", "{{ sheet.project }}", "", ""],
         ["主管部门", "{{ sheet.competent_department }}", "", ""],
         ["实施单位", "{{ sheet.implementing_unit }}", "", ""],
         ["项目资金（元）", "{{ sheet.annual_funds.total }}", "", ""],
         ["年度绩效目标", "{{ sheet.goal_annual }}", "", ""],
         ["一级指标", "二级指标", "三级指标", "指标值"]],
        [(r, 1, r, 3) for r in range(5)],
        [["{{ ind.level1 }}", "{{ ind.level2 }}", "{{ ind.name }}", "{{ ind.annual_value }}"]],
        set(), loop="{%tr for ind in sheet.indicators %}", repeat_header=False, keep_rows_whole=False,
        header_style="Sheet Label", text_style="Sheet Text", amount_style="Sheet Text",
    )
    set_table_caption(table, "merge-repeated: 0, 1")
    para(doc, "{%p endif %}", "Sheet Title")
    save(doc, "sh-project-explanation.docx", outdir)


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else OUT
    outdir.mkdir(parents=True, exist_ok=True)
    write_shanghai(outdir)
    write_base(outdir)
    write_cover(outdir)
    write_contents(outdir)
    write_part_1(outdir)
    write_part_2(outdir)
    write_tables(outdir)
    write_part_3(outdir)
    write_performance_sheet(outdir)
    write_appendix(outdir)
    write_part_4(outdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
