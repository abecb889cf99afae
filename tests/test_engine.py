"""The render engine as a maintainer meets it: logos and numbered lists in templates, parts that start with a
table, unique ids, the same file for the same input, compiled templates reused by the next process."""

from __future__ import annotations

import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn
from lxml import etree

from disclosure.pipeline import build
from disclosure.render.compiler import CompiledTemplate
from disclosure.render.templates import export_templates

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def png(width: int = 4, height: int = 2) -> bytes:
    """A small red PNG, written out (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture()
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    export_templates(folder)
    return folder


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def _numbered(paragraph, num_id: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = ppr.get_or_add_numPr()
    numpr.get_or_add_ilvl().val = 0
    numpr.get_or_add_numId().val = int(num_id)


def test_a_template_with_a_logo_and_a_numbered_list(templates: Path, tmp_path: Path, example_path: Path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    sheet = templates / "performance-sheet.docx"  # rendered once per project: five parts from one template
    document = docx.Document(str(sheet))
    document.add_picture(str(logo))
    for item in ("要点一", "要点二"):
        _numbered(document.add_paragraph(item), "5")  # numId 5 → a decimal list in the template's numbering
    document.save(str(sheet))

    report_path = build(example_path, tmp_path / "out", templates=templates).docx
    report = docx.Document(str(report_path))
    parts = _parts(report_path)

    # the logo: once per sheet in the text, once in the package, every drawing with its own id
    assert len(report.inline_shapes) == 5
    assert [name for name, data in parts.items() if data == logo.read_bytes()] == \
        [n for n in parts if n.startswith("word/media/")]
    assert len([n for n in parts if n.startswith("word/media/")]) == 1
    body = report.element.body
    drawing_ids = [el.get("id") for el in body.iter(qn("wp:docPr"))]
    assert len(drawing_ids) == 5 and len(set(drawing_ids)) == 5
    for blip in body.iter(qn("a:blip")):
        assert report.part.related_parts[blip.get(qn("r:embed"))].blob == logo.read_bytes()

    # the list: two numbered items per sheet, each sheet's list its own and starting at 1
    numbering = etree.fromstring(parts["word/numbering.xml"])
    nums = {n.get(f"{W}numId"): n for n in numbering.iter(f"{W}num")}
    items = [p for p in report.paragraphs if p.text in ("要点一", "要点二")]
    assert [p.text for p in items] == ["要点一", "要点二"] * 5
    lists = [p._p.pPr.numPr.numId.val for p in items]
    assert lists[0::2] == lists[1::2]  # the two items of one sheet share their list
    assert len(set(lists)) == 5
    for num_id in set(lists):
        num = nums[str(num_id)]
        assert num.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val") == "1"
        abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
        [abstract] = [a for a in numbering.iter(f"{W}abstractNum") if a.get(f"{W}abstractNumId") == abstract_id]
        assert abstract.find(f"{W}lvl/{W}numFmt").get(f"{W}val") == "decimal"


@pytest.mark.pdf
def test_a_report_with_a_logo_and_lists_converts_with_libreoffice(templates: Path, tmp_path: Path,
                                                                   example_path: Path):
    from disclosure.pdf import PdfError, convert_to_pdf, find_soffice

    try:
        find_soffice()
    except PdfError as exc:
        pytest.skip(str(exc))
    from pypdf import PdfReader

    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    cover = templates / "cover.docx"
    document = docx.Document(str(cover))
    document.add_picture(str(logo))
    for item in ("要点一", "要点二"):
        _numbered(document.add_paragraph(item), "5")
    document.save(str(cover))
    report_path = build(example_path, tmp_path / "out", templates=templates).docx
    [pdf] = convert_to_pdf([report_path], tmp_path / "pdf")
    first_page = PdfReader(str(pdf)).pages[0].extract_text()
    assert "1." in first_page and "2." in first_page and "要点二" in first_page


def _table_first(path: Path) -> None:
    """Remove every paragraph before the first table of the template at ``path``."""
    document = docx.Document(str(path))
    body = document.element.body
    for child in list(body):
        if child.tag == qn("w:tbl"):
            break
        body.remove(child)
    document.save(str(path))


@pytest.mark.parametrize("element_rules", [False, True], ids=["as rendered", "element by element"])
def test_a_part_starting_with_a_table_gets_an_empty_paragraph_for_its_page_break_and_bookmark(
        templates: Path, tmp_path: Path, example_path: Path, monkeypatch, element_rules: bool):
    if element_rules:
        monkeypatch.setattr(CompiledTemplate, "element_rules", property(lambda self: True))
    _table_first(templates / "table-02-income.docx")
    report = docx.Document(str(build(example_path, tmp_path / "out", templates=templates).docx))
    [start] = [b for b in report.element.body.iter(qn("w:bookmarkStart")) if b.get(qn("w:name")) == "table_02"]
    paragraph = start.getparent()
    assert paragraph.tag == qn("w:p") and paragraph.getnext().tag == qn("w:tbl")
    assert "".join(paragraph.itertext()) == ""
    assert paragraph.pPr.find(qn("w:pageBreakBefore")) is not None


def _space_before_body(path: Path, space: str) -> None:
    """Put ``space`` between ``<w:body>`` and the first paragraph of the template at ``path`` (a hand-edited XML)."""
    parts = _parts(path)
    assert parts["word/document.xml"].count(b"<w:body>") == 1
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", f"<w:body>{space}".encode(), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


@pytest.mark.parametrize("space", ["\u3000", "\u00a0 \n"])
def test_spaces_before_a_parts_first_paragraph_are_left_out_and_it_keeps_its_page_break(
        templates: Path, tmp_path: Path, example_path: Path, space: str):
    _space_before_body(templates / "part-3-notes.docx", space)
    report = docx.Document(str(build(example_path, tmp_path / "out", templates=templates).docx))
    body = report.element.body
    assert (body.text or "").strip() == "" and all((child.tail or "").strip(" \n") == "" for child in body)
    [start] = [b for b in body.iter(qn("w:bookmarkStart")) if b.get(qn("w:name")) == "part_3"]
    heading = start.getparent()
    assert "第三部分" in "".join(heading.itertext())
    assert heading.pPr.find(qn("w:pageBreakBefore")) is not None


def test_rendering_as_written_and_element_by_element_give_the_same_document(tmp_path: Path, example_path: Path,
                                                                            monkeypatch):
    as_rendered = _parts(build(example_path, tmp_path / "a").docx)["word/document.xml"]
    monkeypatch.setattr(CompiledTemplate, "element_rules", property(lambda self: True))
    by_element = _parts(build(example_path, tmp_path / "b").docx)["word/document.xml"]
    canonical = [etree.tostring(etree.fromstring(x), method="c14n") for x in (as_rendered, by_element)]
    assert canonical[0] == canonical[1]


def test_tabs_line_breaks_and_markup_characters_are_written_alike_by_both_ways(tmp_path: Path, example_path: Path,
                                                                               monkeypatch):
    """Texts with tabs, line breaks and ``& < > " '`` — in a part's first paragraph (a sheet's title, from the project's
    name) and after it (概况's text, a sheet's cells) — come out of a part written as rendered exactly as out of one
    handled element by element, and as text in the document."""
    data = yaml.safe_load(example_path.read_text(encoding="utf-8"))
    marked = "A&B <c> \"d\" 'e'"
    data["overview"]["intro"] = f"第一行\t制表\n第二行 {marked}"
    project = data["projects"][0]
    old_name, project["name"] = project["name"], f"劳模{marked}"
    for line in data["budget"]["lines"]:
        if line.get("project") == old_name:
            line["project"] = project["name"]
    order = data["performance"]["sheet_order"]
    order[order.index(old_name)] = project["name"]
    project["performance"]["overview"] = f"\t缩进\n换行{marked}\n"
    model = tmp_path / "marked.yaml"
    model.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    as_rendered = _parts(build(model, tmp_path / "a").docx)["word/document.xml"]
    monkeypatch.setattr(CompiledTemplate, "element_rules", property(lambda self: True))
    by_element = _parts(build(model, tmp_path / "b").docx)["word/document.xml"]
    canonical = [etree.tostring(etree.fromstring(x), method="c14n") for x in (as_rendered, by_element)]
    assert canonical[0] == canonical[1]
    body = docx.Document(str(next((tmp_path / "a").glob("*.docx")))).element.body
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    assert f"第二行 {marked}" in "".join(texts)
    assert any(text.startswith(f"劳模{marked}") for text in texts)  # the sheet's title, its first paragraph
    tabs_and_breaks = [p for p in body.iter(qn("w:p")) if "第一行" in "".join(p.itertext())]
    assert tabs_and_breaks and tabs_and_breaks[0].find(f".//{qn('w:tab')}") is not None
    assert tabs_and_breaks[0].find(f".//{qn('w:br')}") is not None


def test_bookmarks_of_a_repeated_template_stay_unique(templates: Path, tmp_path: Path, example_path: Path):
    sheet = templates / "performance-sheet.docx"
    document = docx.Document(str(sheet))
    paragraph = document.add_paragraph("签章")
    start = paragraph._p.makeelement(qn("w:bookmarkStart"), {qn("w:id"): "0", qn("w:name"): "_GoBack"})
    end = paragraph._p.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): "0"})
    paragraph._p.insert(0, start)
    paragraph._p.append(end)
    document.save(str(sheet))
    report = docx.Document(str(build(example_path, tmp_path / "out", templates=templates).docx))
    starts = list(report.element.body.iter(qn("w:bookmarkStart")))
    ends = list(report.element.body.iter(qn("w:bookmarkEnd")))
    names = [s.get(qn("w:name")) for s in starts]
    assert names.count("_GoBack") == 1 and {"_GoBack_2", "_GoBack_5"} <= set(names)
    assert {"part_1", "table_01", "sheet_01", "sheet_05"} <= set(names)
    ids = [s.get(qn("w:id")) for s in starts]
    assert len(set(ids)) == len(ids) and sorted(ids) == sorted(e.get(qn("w:id")) for e in ends)


def test_the_same_input_gives_the_same_file(tmp_path: Path, example_path: Path):
    first = build(example_path, tmp_path / "a").docx.read_bytes()
    second = build(example_path, tmp_path / "b").docx.read_bytes()
    assert first == second


def test_footnotes_of_a_part_template_are_left_out(templates: Path, tmp_path: Path, example_path: Path):
    path = templates / "part-4-glossary.docx"
    parts = _parts(path)
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"</w:body>", b'<w:p><w:r><w:t>note</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p></w:body>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    report_path = build(example_path, tmp_path / "out", templates=templates).docx
    document_xml = _parts(report_path)["word/document.xml"]
    assert b"footnoteReference" not in document_xml and b">note<" in document_xml


# --------------------------------------------------------------------------- compiled templates on disk


def _build_in_a_process(example_path: Path, out: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    script = ("import sys; from disclosure.pipeline import build; build(sys.argv[1], sys.argv[2]); "
              "print('docxtpl' in sys.modules)")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cache.parent), "DISCLOSURE_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", script, str(example_path), str(out)], capture_output=True,
                          text=True, timeout=120, env=env, check=True)


def test_the_next_process_renders_from_compiled_templates_on_disk(tmp_path: Path, example_path: Path):
    cache = tmp_path / "cache"
    first = _build_in_a_process(example_path, tmp_path / "a", cache)
    assert first.stdout.strip() == "True"  # compiling needs docxtpl
    stored = list(cache.rglob("*.bin"))
    assert len(stored) >= 2
    second = _build_in_a_process(example_path, tmp_path / "b", cache)
    assert second.stdout.strip() == "False"  # every template came from the cache
    reports = [next((tmp_path / d).glob("*.docx")).read_bytes() for d in "ab"]
    assert reports[0] == reports[1]

    for path in stored:  # a damaged cache is no cache
        path.write_bytes(b"not marshal data")
    _build_in_a_process(example_path, tmp_path / "c", cache)
    assert next((tmp_path / "c").glob("*.docx")).read_bytes() == reports[0]


# --------------------------------------------------------------------------- contexts from Python callers


@pytest.mark.parametrize("character", [chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20))] + ["\ufffe"])
def test_characters_xml_cannot_hold_are_left_out_of_a_context(character: str):
    from disclosure.render.compose import xml_safe_context

    context = {"rows": [{"label": f"a{character}b", "level": 1}], "title": "ok"}
    assert xml_safe_context(context) == {"rows": [{"label": "ab", "level": 1}], "title": "ok"}


def test_a_clean_context_is_not_copied_and_carriage_returns_become_newlines():
    from disclosure.render.compose import xml_safe_context

    clean = {"rows": [{"label": "a\tb\nc"}]}
    assert xml_safe_context(clean) is clean
    assert xml_safe_context({"text": "\\b \\u0001"}) == {"text": "\\b \\u0001"}  # backslashes are text
    assert xml_safe_context({"text": "a\r\nb\rc"}) == {"text": "a\nb\nc"}


@pytest.mark.parametrize("text", ["A&B <研究院> “引号” 'single' \"double\"", "{{ unit.name }}", "&amp; &lt;", "", "纯文本",
                                  "</w:t></w:r><w:r><w:t>注入"])
def test_printed_values_are_escaped_exactly_as_markupsafe_escapes_them(text: str):
    from markupsafe import Markup, escape

    from disclosure.render.sandbox import escape_text

    assert escape_text(text) == str(escape(text))
    assert escape_text(Markup("<b>")) == "<b>"  # what is already markup is not escaped twice


def test_a_new_cache_folder_removes_other_versions_unused_for_a_month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each upgrade makes a new folder of compiled templates; those no process used for 30 days go, others stay."""
    import os
    import time

    from disclosure.render import cache

    base = tmp_path / "cache"
    old, recent, other = base / "templates-old-version", base / "templates-recent-version", base / "notes"
    for folder in (old, recent, other):
        folder.mkdir(parents=True)
        (folder / "x.bin").write_bytes(b"x")
    month_ago = time.time() - 31 * 86400
    for folder in (old, other):
        os.utime(folder, (month_ago, month_ago))
    monkeypatch.setenv("DISCLOSURE_CACHE_DIR", str(base))
    cache.reset()
    try:
        current = cache.folder()
    finally:
        cache.reset()
    assert current is not None and current.parent == base
    assert sorted(p.name for p in base.iterdir()) == sorted([current.name, "templates-recent-version", "notes"])
