"""The PDF: LibreOffice conversion, outline, attachments, page labels, metadata and fonts (disclosure.pdf).

Tests marked ``pdf`` need LibreOffice and are skipped, with the reason, where
it is missing; the example report is converted once per module.  The others
check the pypdf finishing on small PDFs made here, and need nothing else.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from libreoffice import needs_soffice
from pypdf import PdfReader, PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject

from disclosure import pdf
from disclosure.pdf import Attachment, PageLabels, PdfError
from disclosure.pipeline import build
from disclosure.render import OutlineEntry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"
INSTALL_HINT = "apt-get install libreoffice-writer-nogui"




def _flat(text: str) -> str:
    """Text without whitespace: LibreOffice splits ``2024年`` into runs and wraps long titles."""
    return re.sub(r"\s+", "", text)


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every outline entry, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def _tiny_pdf(path: Path, pages: int, *, outline: bool = True) -> Path:
    """Blank 300×400 pages (no text, so no font), each with an outline entry 附件页N."""
    writer = PdfWriter()
    for number in range(pages):
        writer.add_blank_page(300, 400)
        if outline:
            writer.add_outline_item(title=f"附件页{number + 1}", page_number=number)
    writer.write(path)
    return path


# --------------------------------------------------------------------------- the example, converted once


@dataclass(frozen=True)
class Report:
    path: Path
    reader: PdfReader
    outline: tuple[OutlineEntry, ...]
    docx: Path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    folder = tmp_path_factory.mktemp("pdf")
    built = build(EXAMPLE, folder)
    docx = built.docx
    attachment = Attachment(_tiny_pdf(folder / "catalogue.pdf", 2), "附件：政府采购目录", after_bookmark="part_3")
    target = pdf.docx_to_pdf(
        docx,
        folder / "out" / "report.pdf",
        outline=built.outline,
        title="晋城市总工会2024年单位预算公开报告",
        author="晋城市总工会",
        subject="2024年单位预算公开",
        keywords=["预算公开", "2024", "晋城市总工会"],
        attachments=[attachment],
    )
    return Report(target, PdfReader(target), built.outline, docx)


@needs_soffice
class TestExampleReport:
    def test_only_the_pdf_is_left_in_the_output_folder(self, report: Report):
        assert sorted(p.name for p in report.path.parent.iterdir()) == ["report.pdf"]

    def test_text_holds_the_key_figures(self, report: Report):
        text = _flat("".join(page.extract_text() for page in report.reader.pages))
        for expected in ("887.70", "559.70", "328.00", "晋城市总工会", "2024年预算收支总表", "名词解释"):
            assert expected in text

    def test_outline_has_the_four_parts_and_the_attachment_at_top_level(self, report: Report):
        top = [title for depth, title, _ in _outline(report.reader) if depth == 0]
        assert [t[:4] for t in top] == ["第一部分", "第二部分", "第三部分", "附件：政", "第四部分"]

    def test_the_13_tables_nest_under_part_2_and_point_at_their_pages(self, report: Report):
        entries = _outline(report.reader)
        part_2 = next(i for i, (_, title, _) in enumerate(entries) if title.startswith("第二部分"))
        tables = [(title, page) for depth, title, page in entries[part_2 + 1 : part_2 + 14] if depth == 1]
        assert [title.split()[0] for title, _ in tables] == [f"预算公开表{n}" for n in range(1, 14)]
        for title, page in tables:
            label, name = title.split(" ", 1)
            text = _flat(report.reader.pages[page].extract_text())
            assert _flat(name) in text and label in text, title

    def test_part_entries_point_at_their_headings(self, report: Report):
        for depth, title, page in _outline(report.reader):
            if depth == 0 and title.startswith("第"):
                assert _flat(report.reader.pages[page].extract_text()).startswith(_flat(title)), title

    def test_metadata(self, report: Report):
        meta = report.reader.metadata
        assert meta is not None
        assert meta.title == "晋城市总工会2024年单位预算公开报告"
        assert meta.author == "晋城市总工会"
        assert meta.subject == "2024年单位预算公开"
        assert meta["/Keywords"] == "预算公开, 2024, 晋城市总工会"
        assert report.reader.root_object["/Lang"] == "zh-CN"

    def test_every_font_is_embedded_and_the_fallbacks_are_used(self, report: Report):
        fonts = pdf.embedded_font_report(report.path)
        assert fonts and all(font.embedded for font in fonts), fonts
        assert any(font.is_cjk for font in fonts)
        # 仿宋/宋体 → Noto Serif CJK, 黑体 → Noto Sans CJK, Times New Roman → Liberation Serif
        for family in ("NotoSerifCJK", "NotoSansCJK", "LiberationSerif"):
            assert any(font.name.startswith(family) for font in fonts), (family, fonts)

    def test_attachment_is_merged_before_part_4_with_its_own_outline(self, report: Report):
        entries = _outline(report.reader)
        at = next(i for i, (_, title, _) in enumerate(entries) if title.startswith("附件："))
        (_, _, start), children, (_, part_4, after) = entries[at], entries[at + 1 : at + 3], entries[at + 3]
        assert [(depth, title) for depth, title, _ in children] == [(1, "附件页1"), (1, "附件页2")]
        assert [page for _, _, page in children] == [start, start + 1]
        sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in report.reader.pages]
        assert sizes[start : start + 2] == [(300, 400)] * 2 and sizes[start - 1] == sizes[start + 2]
        assert part_4.startswith("第四部分") and after == start + 2
        # it follows 第三部分 and everything under it (the sheets and the appended catalogue)
        part_3 = next(i for i, (depth, title, _) in enumerate(entries) if depth == 0 and title.startswith("第三部分"))
        assert all(depth == 1 for depth, _, _ in entries[part_3 + 1 : at]) and entries[at - 1][2] < start

    def test_page_labels_are_the_printed_numbers_and_attachment_pages_are_named(self, report: Report):
        labels = report.reader.page_labels
        printed = {i: re.findall(r"-(\d+)-", page.extract_text()) for i, page in enumerate(report.reader.pages)}
        numbered = {i: numbers[-1] for i, numbers in printed.items() if numbers}  # not the cover nor the attachment
        assert len(numbered) == len(labels) - 3
        assert all(labels[i] == number for i, number in numbered.items()), (labels, numbered)
        assert [label for label in labels if label.startswith("附件")] == ["附件1-1", "附件1-2"]


# --------------------------------------------------------------------------- conversion


@needs_soffice
def test_many_documents_are_converted_with_one_libreoffice_start(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    copies = [shutil.copy(report.docx, tmp_path / f"unit-{n}.docx") for n in (1, 2)]
    starts = []
    popen = subprocess.Popen

    def counting_popen(*args, **kwargs):
        starts.append(args[0])
        return popen(*args, **kwargs)

    monkeypatch.setattr(pdf.subprocess, "Popen", counting_popen)
    out = pdf.convert_to_pdf([Path(c) for c in copies], tmp_path / "out")
    assert len(starts) == 1
    assert [p.name for p in out] == ["unit-1.pdf", "unit-2.pdf"]
    for path in out:
        assert "part5F1" in {str(name).lstrip("/") for name in PdfReader(path).named_destinations}


@needs_soffice
def test_a_document_libreoffice_cannot_load_fails_the_batch_with_its_message(report: Report, tmp_path: Path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    good = Path(shutil.copy(report.docx, tmp_path / "good.docx"))
    with pytest.raises(PdfError, match=r"could not convert broken\.docx(.|\n)*could not be loaded"):
        pdf.convert_to_pdf([good, broken], tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


@needs_soffice
def test_a_conversion_past_its_timeout_is_stopped(report: Report, tmp_path: Path):
    with pytest.raises(PdfError, match="did not finish within 0.2 s"):
        pdf.convert_to_pdf([report.docx], tmp_path, timeout=0.2)


def test_missing_libreoffice_gives_the_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    docx = tmp_path / "report.docx"
    docx.write_bytes(b"")
    monkeypatch.setenv("DISCLOSURE_SOFFICE", "/nonexistent")
    with pytest.raises(PdfError, match=re.escape(INSTALL_HINT)):
        pdf.convert_to_pdf([docx], tmp_path / "out")
    monkeypatch.delenv("DISCLOSURE_SOFFICE")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PdfError, match=r"^LibreOffice \(soffice\) is not installed: on Debian"):
        pdf.find_soffice()


def test_two_documents_with_one_name_are_refused(tmp_path: Path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.docx").write_bytes(b"")
    with pytest.raises(PdfError, match="both would become report.pdf"):
        pdf.convert_to_pdf([tmp_path / "a" / "report.docx", tmp_path / "b" / "report.docx"], tmp_path)


def test_libreoffice_destination_names():
    assert pdf.libreoffice_destination_name("part_1") == "part5F1"
    assert pdf.libreoffice_destination_name("table_01") == "table5F01"
    assert pdf.libreoffice_destination_name("sheet-2") == "sheet-2"
    assert pdf.libreoffice_destination_name("a.b") == "a2Eb"
    # as LibreOffice 7.4 wrote it for a bookmark 附件_1
    assert pdf.libreoffice_destination_name("附件_1") == "25E92599258425E425BB25B65F1"


def test_fontconfig_maps_the_template_fonts_to_installed_ones(tmp_path: Path):
    text = pdf.fontconfig_text(Path("/etc/fonts/fonts.conf"))
    root = ElementTree.fromstring(text.split("\n", 2)[2])  # past the XML declaration and DOCTYPE
    assert root.find("include").text == "/etc/fonts/fonts.conf"
    mapped = {m.find("test/string").text: [s.text for s in m.findall("edit/string")] for m in root.iter("match")}
    assert mapped["仿宋"][0] == mapped["方正小标宋简体"][0] == mapped["楷体"][0] == "Noto Serif CJK SC"
    assert mapped["黑体"][0] == "Noto Sans CJK SC"
    assert mapped["Times New Roman"][0] == "Liberation Serif"
    if shutil.which("fc-match") is None:
        return
    config = tmp_path / "fonts.conf"
    config.write_text(text, encoding="utf-8")
    env = {"FONTCONFIG_FILE": str(config), "PATH": "/usr/bin:/bin"}
    matched = {
        name: subprocess.run(
            ["fc-match", "-f", "%{family[0]}", name], env=env, capture_output=True, text=True, check=True
        ).stdout
        for name in ("仿宋", "黑体", "方正小标宋简体", "Times New Roman")
    }
    assert matched == {
        "仿宋": "Noto Serif CJK SC",
        "黑体": "Noto Sans CJK SC",
        "方正小标宋简体": "Noto Serif CJK SC",
        "Times New Roman": "Liberation Serif",
    }


# --------------------------------------------------------------------------- finishing, on PDFs made here

SYNTHETIC_OUTLINE = (
    OutlineEntry("part_1", "第一部分 概况", 0),
    OutlineEntry("part_2", "第二部分 报表", 0),
    OutlineEntry("table_01", "预算公开表1", 1),
    OutlineEntry("table_02", "预算公开表2", 1),
    OutlineEntry("part_3", "第三部分 说明", 0),
)


@pytest.fixture
def converted(tmp_path: Path) -> Path:
    """Seven pages with LibreOffice-named destinations: cover, contents, part_1 (2 pages),
    part_2 + table_01, table_02, part_3."""
    writer = PdfWriter()
    for _ in range(7):
        writer.add_blank_page(595, 842)
    for bookmark, page in (("part_1", 2), ("part_2", 4), ("table_01", 4), ("table_02", 5), ("part_3", 6)):
        writer.add_named_destination(pdf.libreoffice_destination_name(bookmark), page)
    path = tmp_path / "converted.pdf"
    writer.write(path)
    return path


def _finish(path: Path, **options) -> PdfReader:
    pdf.finish_pdf(path, outline=SYNTHETIC_OUTLINE, title="t", author="a", subject="s", keywords=["k"], **options)
    return PdfReader(path)


def test_outline_nests_level_1_under_the_preceding_part(converted: Path):
    assert _outline(_finish(converted)) == [
        (0, "第一部分 概况", 2),
        (0, "第二部分 报表", 4),
        (1, "预算公开表1", 4),
        (1, "预算公开表2", 5),
        (0, "第三部分 说明", 6),
    ]


def test_attachments_go_after_their_section_and_at_the_end(converted: Path, tmp_path: Path):
    reader = _finish(
        converted,
        attachments=[
            Attachment(_tiny_pdf(tmp_path / "end.pdf", 1, outline=False), "附件二", None),
            Attachment(_tiny_pdf(tmp_path / "in-part-2.pdf", 2), "附件一", "table_01"),
        ],
    )
    assert _outline(reader) == [
        (0, "第一部分 概况", 2),
        (0, "第二部分 报表", 4),
        (1, "预算公开表1", 4),
        (1, "附件一", 5),
        (2, "附件页1", 5),
        (2, "附件页2", 6),
        (1, "预算公开表2", 7),
        (0, "第三部分 说明", 8),
        (0, "附件二", 9),
    ]
    assert reader.page_labels == ["1", "2", "3", "4", "5", "附件1-1", "附件1-2", "6", "7", "附件2-1"]


def test_an_attachment_after_a_part_follows_all_its_tables(converted: Path, tmp_path: Path):
    reader = _finish(converted, attachments=[Attachment(_tiny_pdf(tmp_path / "a.pdf", 1), "附件", "part_2")])
    assert [(depth, title, page) for depth, title, page in _outline(reader) if depth == 0] == [
        (0, "第一部分 概况", 2),
        (0, "第二部分 报表", 4),
        (0, "附件", 6),
        (0, "第三部分 说明", 7),
    ]


@pytest.mark.parametrize(
    ("front", "labels"),
    [("roman", ["i", "ii", "1", "2", "3", "4", "5"]), ("none", ["", "", "1", "2", "3", "4", "5"])],
)
def test_page_labels_can_start_the_body_at_part_1(converted: Path, front: str, labels: list[str]):
    reader = _finish(converted, page_labels=PageLabels(body_from="part_1", front=front))
    assert reader.page_labels == labels


def test_metadata_and_viewer_settings(converted: Path):
    pdf.finish_pdf(
        converted, outline=(), title="标题", author="单位", subject="主题", keywords=["预算", "公开"], language="zh-CN"
    )
    reader = PdfReader(converted)
    assert (reader.metadata.title, reader.metadata.author, reader.metadata.subject) == ("标题", "单位", "主题")
    assert reader.metadata["/Keywords"] == "预算, 公开"
    assert reader.root_object["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert reader.root_object["/PageMode"] == "/UseOutlines"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"outline": (OutlineEntry("part_9", "第九部分", 0),)}, "bookmark 'part_9'"),
        ({"attachments": [Attachment(Path("/nonexistent.pdf"), "附件", None)]}, "no such file; expected a PDF attachment"),
        ({"page_labels": PageLabels(body_from="nowhere")}, "no outline entry has the bookmark 'nowhere'"),
    ],
)
def test_finishing_errors_name_the_cause_and_leave_the_file(converted: Path, options: dict, message: str):
    before = converted.read_bytes()
    arguments = {"outline": SYNTHETIC_OUTLINE, "title": "t", "author": "a", "subject": "s", "keywords": [], **options}
    with pytest.raises(PdfError, match=re.escape(message)):
        pdf.finish_pdf(converted, **arguments)
    assert converted.read_bytes() == before


def test_font_report_tells_an_unembedded_font(tmp_path: Path):
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): helvetica})}
    )
    writer.write(tmp_path / "plain.pdf")
    assert pdf.embedded_font_report(tmp_path / "plain.pdf") == [pdf.FontInfo("Helvetica", False, False)]


def test_finishing_keeps_the_file_permissions(converted: Path):
    converted.chmod(0o644)
    _finish(converted)
    assert converted.stat().st_mode & 0o777 == 0o644


# --------------------------------------------------------------------------- the CLI, as a user runs it

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "pdf-pages"


@needs_soffice
def test_build_with_pdf_from_the_command_line(tmp_path: Path):
    """`python -m disclosure build … --pdf`: a PDF navigable by bookmarks, Chinese text in embedded fonts."""
    result = subprocess.run([sys.executable, "-m", "disclosure", "build", str(EXAMPLE), "-o", "out", "--pdf"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    [path] = (tmp_path / "out").glob("*.pdf")
    reader = PdfReader(path)
    entries = _outline(reader)
    top = [title for depth, title, _ in entries if depth == 0]
    assert top == ["第一部分 概况", "第二部分 2024年单位预算报表", "第三部分 2024年度单位预算情况说明", "第四部分 名词解释"]
    nested = [title for depth, title, _ in entries if depth == 1]
    assert [t.split(" ")[0] for t in nested if t.startswith("预算公开表")] == [f"预算公开表{n}" for n in range(1, 14)]
    sheets = [t for t in nested if t.endswith("项目支出绩效目标表")]
    assert sheets == [f"{name}项目支出绩效目标表" for name in
                      ("工人文化宫运行经费", "退休职工补贴医保取暖费及在职职工社保等", "大病医疗互助风险金", "劳模疗养体检", "帮扶送温暖")]
    for _depth, title, page in entries:  # each bookmark lands on the page that prints it
        if title.startswith("预算公开表"):
            assert _flat(title.split(" ", 1)[1]) in _flat(reader.pages[page].extract_text()), title
    text = _flat("".join(page.extract_text() for page in reader.pages))
    for expected in ("887.70", "3,097,016.27", "本单位无“三公”经费预算。", "12309政务热线服务", "财政拨款：包含一般公共预算"):
        assert _flat(expected) in text, expected
    assert reader.metadata.author == "晋城市总工会"
    fonts = pdf.embedded_font_report(path)
    assert fonts and all(f.embedded for f in fonts) and any(f.is_cjk for f in fonts)
    _render_first_pages(path)


def _render_first_pages(path: Path) -> None:
    """Render the first pages to PNG in test-artifacts/ for a person to look at (tables, glyphs)."""
    if shutil.which("pdftoppm") is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "12", str(path), str(ARTIFACTS / "page")],
                   check=True, timeout=120)
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) == 12
    # a page with text and ruled tables compresses far worse than a blank one (~1 KB)
    assert all(page.stat().st_size > 5000 for page in pages[1:]), [(p.name, p.stat().st_size) for p in pages]


def test_the_watchdog_kills_libreoffices_process_group_when_we_die_and_not_when_we_stop_it():
    """What keeps a LibreOffice we started from outliving us (SIGKILL included): the watchdog's stdin ends
    without "stop". It once failed silently on Debian, whose sh (dash) takes neither kill -KILL nor --."""
    import time

    def group() -> subprocess.Popen:
        return subprocess.Popen(["sleep", "60"], start_new_session=True)  # stands for soffice and its children

    killed, kept = group(), group()
    try:
        dying = pdf._watch(killed.pid)
        dying.stdin.close()  # we died: the pipe's end closes without a word
        stopping = pdf._watch(kept.pid)
        stopping.stdin.write(b"stop\n")
        stopping.stdin.close()
        for watchdog in (dying, stopping):
            watchdog.wait(timeout=10)
        deadline = time.monotonic() + 10
        while killed.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert killed.poll() is not None and kept.poll() is None
    finally:
        for process in (killed, kept):
            process.kill()
            process.wait()
