"""A batch's PDFs: the catalogue laid out once and put in place (shared_pages), LibreOffice kept running
(pdf.LibreOffice) and the PdfMaker that drives both (pdf_batch).

The splitting and composing rules are checked on reports built here and on small PDFs made with pypdf;
the tests marked ``pdf`` convert with LibreOffice and compare with a whole conversion.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from example_models import named_copy
from libreoffice import needs_soffice
from pypdf import PdfReader, PdfWriter

from disclosure import pdf
from disclosure.pdf import LibreOffice, PdfError
from disclosure.pdf_batch import PdfJob, PdfMaker
from disclosure.pipeline import build
from disclosure.shared_pages import NotComposable, compose, split

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"
SCHOOL = ROOT / "examples" / "county-school-2025.yaml"





def _document(docx: Path, name: str = "word/document.xml") -> str:
    with zipfile.ZipFile(docx) as archive:
        return archive.read(name).decode("utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example; a school (another unit, title, tables and sheets) appending the same catalogue; the
    example with its own small catalogue."""
    folder = tmp_path_factory.mktemp("shared")
    (folder / "small.csv").write_text("department,code,level,name,parent_code\n宣传部,A,1,公共服务,\n"
                                      "宣传部,A15,2,公共信息与宣传服务,A\n", encoding="utf-8")
    models = {
        "example": named_copy(EXAMPLE, folder, "example"),
        "school": named_copy(SCHOOL, folder, "school", "appendix:\n  catalogue: shanxi-batch-1\n"),
        "small": named_copy(EXAMPLE, folder, "small").with_suffix(".yaml"),
    }
    models["small"].write_text(models["small"].read_text(encoding="utf-8").replace(
        "catalogue: shanxi-batch-1", "catalogue: small.csv"), encoding="utf-8")
    out = folder / "out"
    built = {name: build(path, out) for name, path in models.items()}
    return {name: result.docx for name, result in built.items()} | {"_outline": built["example"].outline}  # type: ignore[dict-item]


# --------------------------------------------------------------------------- splitting


def test_units_appending_the_same_catalogue_share_its_layout_and_others_do_not(reports: dict[str, Path]):
    example, school, small = (split(reports[n], "appendix", "part_4") for n in ("example", "school", "small"))
    assert example is not None and school is not None and small is not None
    assert example.key == school.key  # other unit, title, tables, sheets: the same catalogue pages
    assert small.key != example.key
    assert example.bottom_margin == 1304 / 20


def test_the_part_alone_keeps_page_setup_and_footers_as_tall_but_empty(reports: dict[str, Path], tmp_path: Path):
    part = split(reports["example"], "appendix", "part_4")
    assert part is not None
    alone = part.write_part(tmp_path / "part.docx")
    document = _document(alone)
    assert "晋城市财政局文件" in document and "名词解释" not in document and "预算公开表" not in document
    assert "<w:titlePg" not in document  # every page with the (empty) footer, as in the report
    assert document.count('w:name="appendix"') == 1 and 'w:bookmarkStart w:id="0" w:name="appendix"' in document
    footer = _document(alone, "word/footer1.xml")
    assert "晋城市总工会" not in footer and "PAGE" not in footer and "fldChar" not in footer
    own = _document(reports["example"], "word/footer1.xml")
    assert footer.count("<w:p>") == own.count("<w:p>") and "\u3000" in footer  # a wide space where CJK text was


def test_the_variant_has_empty_pages_where_the_part_was(reports: dict[str, Path], tmp_path: Path):
    part = split(reports["example"], "appendix", "part_4")
    assert part is not None
    variant = _document(part.write_variant(3, tmp_path / "variant.docx"))
    original = _document(reports["example"])
    assert "晋城市财政局文件" not in variant and "名词解释" in variant
    start = variant.index('w:name="appendix"')
    empty = variant[variant.rfind("<w:p>", 0, start): variant.index('w:name="part_4"')]
    assert empty.count("<w:pageBreakBefore/>") == 3 + 1  # three empty pages, then part 4's own break
    assert variant[: variant.rfind("<w:p>", 0, start)] == original[: original.rfind("<w:p>", 0, start)]


def test_a_part_that_does_not_stand_on_its_own_pages_is_not_split(reports: dict[str, Path], tmp_path: Path):
    assert split(reports["example"], "nowhere", None) is None
    docx = reports["example"]
    text = _document(docx)
    at = text.index('w:name="part_4"')
    paragraph = text.rfind("<w:p>", 0, at)
    glued = text[:paragraph] + text[paragraph:at].replace("<w:pageBreakBefore/>", "") + text[at:]
    changed = tmp_path / "glued.docx"
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            target.writestr(info, glued if info.filename == "word/document.xml" else source.read(info))
    assert split(changed, "appendix", "part_4") is None  # part 4 would follow on the catalogue's last page


# --------------------------------------------------------------------------- composing (small PDFs)


def _pdf(path: Path, pages: int, destinations: dict[str, int]) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    for bookmark, page in destinations.items():
        writer.add_named_destination(pdf.libreoffice_destination_name(bookmark), page)
    writer.write(path)
    return path


def test_the_part_goes_on_the_empty_pages_each_with_its_report_page_drawn_over(reports: dict[str, Path],
                                                                                tmp_path: Path):
    part = split(reports["example"], "appendix", "part_4")
    assert part is not None
    variant = _pdf(tmp_path / "variant.pdf", 6, {"part_1": 1, "appendix": 2, "part_4": 5})
    shared = _pdf(tmp_path / "part.pdf", 3, {})
    composed = PdfReader(compose(variant, shared, part, tmp_path / "composed.pdf"))
    assert len(composed.pages) == 6
    drawn = [page["/Resources"]["/XObject"].raw_get("/DisclosureReportPage").idnum for page in composed.pages[2:5]]
    assert len(set(drawn)) == 3  # each page its own footer, not one for all
    assert all(b"/DisclosureReportPage Do" in page.get_contents().get_data() for page in composed.pages[2:5])
    with pytest.raises(NotComposable, match="empty pages"):
        compose(variant, _pdf(tmp_path / "long.pdf", 4, {}), part, tmp_path / "no.pdf")


def test_a_report_waiting_for_its_catalogue_holds_no_thread(reports: dict[str, Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    """While one report has the catalogue laid out, another that needs it is deferred (``make`` returns None
    at once) and called back when it is laid out; with one LibreOffice, the catalogue goes first."""
    import threading

    from disclosure.pipeline import PdfRequest

    laying_out, release, order = threading.Event(), threading.Event(), []

    def convert(self, docx: Path, outdir: Path, *, first: bool = False) -> Path:
        order.append((docx.name, first))
        if docx.name == "part.docx":
            laying_out.set()
            release.wait(10)
        outdir.mkdir(parents=True, exist_ok=True)
        return _pdf(outdir / f"{docx.stem}.pdf", 1, {})

    monkeypatch.setattr(PdfMaker, "_convert", convert)
    request = PdfRequest(reports["_outline"], "t", "a", "s", ("k",))  # type: ignore[arg-type]
    jobs = [PdfJob(Path(shutil.copy(reports["example"], tmp_path / f"{n}.docx")), tmp_path / f"{n}.pdf", request)
            for n in ("a", "b")]
    called = threading.Event()
    with PdfMaker(1, tmp_path / "work") as maker:
        owner = threading.Thread(target=lambda: pytest.raises(PdfError, maker.make, jobs[0]))
        owner.start()
        assert laying_out.wait(10)
        assert maker.make(jobs[1], ready=called.set) is None and not called.is_set()  # deferred, not waiting
        release.set()
        owner.join(10)
    assert called.is_set()  # told when the catalogue was laid out
    assert order[0] == ("part.docx", True)


# --------------------------------------------------------------------------- with LibreOffice


def _lines(page) -> list[str]:
    return sorted(re.sub(r"\s+", "", line) for line in page.extract_text().splitlines() if line.strip())


@needs_soffice
def test_reports_composed_with_the_catalogue_laid_out_once_read_like_whole_conversions(
        reports: dict[str, Path], tmp_path: Path):
    from disclosure.pipeline import PdfRequest

    outline = reports["_outline"]
    jobs = []
    for name, title in (("example", "晋城市总工会2024年单位预算公开报告"), ("school", "东源县第一中学2025年单位预算公开报告")):
        docx = Path(shutil.copy(reports[name], tmp_path / f"{name}.docx"))
        own = outline if name == "example" else None
        request = PdfRequest(own or _outline_of(reports[name]), title, "单位", "主题", ("k",))
        jobs.append(PdfJob(docx, tmp_path / f"{name}.pdf", request))
    with PdfMaker(1, tmp_path / "work") as maker:
        for job in jobs:
            maker.make(job)
        whole = maker._convert(jobs[0].docx, tmp_path / "whole")  # the example converted whole, same LibreOffice
    assert (maker.counts.parts, maker.counts.shared, maker.counts.whole, maker.counts.starts) == (1, 2, 0, 1)
    pdf.finish_pdf(whole, **jobs[0].request.arguments())  # type: ignore[arg-type]
    composed, reference = PdfReader(jobs[0].target), PdfReader(whole)
    assert len(composed.pages) == len(reference.pages)
    for number, (page, expected) in enumerate(zip(composed.pages, reference.pages)):
        assert _lines(page) == _lines(expected), number  # every line, footers and page numbers included
    assert composed.page_labels == reference.page_labels
    assert composed.outline and [str(i.title) for i in composed.outline if not isinstance(i, list)] == \
        [str(i.title) for i in reference.outline if not isinstance(i, list)]
    school = PdfReader(jobs[1].target)
    first = next(i for i, page in enumerate(school.pages) if "晋城市财政局文件" in page.extract_text())
    for number in (first, first + 10):  # the catalogue's pages carry the school's title and its page numbers
        text = re.sub(r"\s+", "", school.pages[number].extract_text())
        assert "东源县第一中学2025年单位预算公开报告" in text and f"-{number + 1}-" in text


def _outline_of(docx: Path):
    from disclosure.render import OutlineEntry

    document = _document(docx)
    names = re.findall(r'<w:bookmarkStart w:id="\d+" w:name="((?:part|table|sheet)_\d+|appendix)"/>', document)
    return tuple(OutlineEntry(name, name, 0 if name.startswith("part") else 1) for name in names)


@needs_soffice
def test_a_libreoffice_kept_running_converts_each_document_alone(reports: dict[str, Path], tmp_path: Path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    small = Path(shutil.copy(reports["small"], tmp_path / "small.docx"))
    with LibreOffice() as office:
        first = office.convert(small, tmp_path / "a")
        with pytest.raises(PdfError, match=r"could not convert broken\.docx(.|\n)*could not be loaded"):
            office.convert(broken, tmp_path / "b")
        second = office.convert(small, tmp_path / "c")
        assert (office.starts, office.conversions) == (1, 2)
    assert first.is_file() and second.is_file()
    assert "part5F1" in {str(name).lstrip("/") for name in PdfReader(second).named_destinations}
    with pytest.raises(PdfError, match="was stopped"):
        office.convert(small, tmp_path / "d")
