"""Measuring a template's fixed texts against its column widths, as Word lays them out.

A header cell whose words do not fit its column breaks inside a word (单位资/金, 国有资本经营预/算).  The
templates break header texts only where a word ends (explicit line breaks) and size the columns so each
line fits; this module measures that: a CJK character is as wide as the font is large, a Latin letter or
digit half of it (Times New Roman digits are 0.5 em), plus the cell's left and right margins.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Overflow:
    template: str
    text: str
    needed: int  # twips
    available: int

    def __str__(self) -> str:
        return f"{self.template}: “{self.text}” needs {self.needed} twips, its column has {self.available}"


def _style_sizes(styles: etree._Element) -> dict[str | None, int]:
    """Font size (half-points) of each paragraph style, following basedOn; None: the document default."""
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS)
    sizes: dict[str | None, int] = {None: int(default.get(q("val"))) if default is not None else 21}
    raw: dict[str, tuple[int | None, str | None]] = {}
    for style in styles.findall("w:style", NS):
        sz = style.find("w:rPr/w:sz", NS)
        based = style.find("w:basedOn", NS)
        raw[style.get(q("styleId"))] = (int(sz.get(q("val"))) if sz is not None else None,
                                        based.get(q("val")) if based is not None else None)

    def size(style_id: str | None, depth: int = 0) -> int:
        if style_id is None or style_id not in raw or depth > 10:
            return sizes[None]
        own, based = raw[style_id]
        return own if own is not None else size(based, depth + 1)

    for style_id in raw:
        sizes[style_id] = size(style_id)
    return sizes


def text_width(text: str, half_points: int) -> int:
    """Twips a line of ``text`` takes at ``half_points``: CJK and full-width forms 1 em, others 0.5 em."""
    em = half_points * 10  # 1 pt = 20 twips; half-points × 10
    width = 0
    for char in text:
        wide = ord(char) >= 0x2E80 or 0xFF00 <= ord(char) <= 0xFFEF or char in "“”‘’…—"
        width += em if wide else em // 2
    return width


def _lines(p: etree._Element) -> list[str]:
    lines = [""]
    for node in p.iter(q("t"), q("br"), q("tab")):
        if node.tag == q("t"):
            lines[-1] += node.text or ""
        elif node.tag == q("br"):
            lines.append("")
        else:
            lines[-1] += " "
    return lines


def overflows(path: Path) -> list[Overflow]:
    """Every fixed (non-template) text of the tables of ``path`` that does not fit its cell on its lines."""
    with zipfile.ZipFile(path) as package:
        document = etree.fromstring(package.read("word/document.xml"))
        styles = etree.fromstring(package.read("word/styles.xml"))
    sizes = _style_sizes(styles)
    found = []
    for tbl in document.iter(q("tbl")):
        grid = [int(c.get(q("w"))) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
        margin = sum(int(m.get(q("w"), "108")) for m in tbl.findall("w:tblPr/w:tblCellMar/*", NS)
                     if m.tag in (q("left"), q("right"))) or 216
        for tr in tbl.findall("w:tr", NS):
            column = 0
            before = tr.find("w:trPr/w:gridBefore", NS)
            if before is not None:
                column = int(before.get(q("val")))
            for tc in tr.findall("w:tc", NS):
                span_el = tc.find("w:tcPr/w:gridSpan", NS)
                span = int(span_el.get(q("val"))) if span_el is not None else 1
                available = sum(grid[column:column + span]) - margin
                column += span
                for p in tc.findall("w:p", NS):
                    style = p.find("w:pPr/w:pStyle", NS)
                    half_points = sizes.get(style.get(q("val")) if style is not None else None, sizes[None])
                    run_size = p.find(".//w:rPr/w:sz", NS)
                    if run_size is not None:
                        half_points = int(run_size.get(q("val")))
                    for line in _lines(p):
                        if not line.strip() or "{{" in line or "{%" in line or len(line.strip()) == 1:
                            continue
                        needed = text_width(line, half_points)
                        if needed > available:
                            found.append(Overflow(path.name, line, needed, available))
    return found
