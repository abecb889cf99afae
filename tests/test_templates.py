"""Template maintainers: the documented context is the real one, `templates check`, and customised templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Pt
from docx_reading import all_text, open_report

from disclosure.pipeline import build, prepare
from disclosure.render import plan_jobs
from disclosure.render.variables import documented_path, part_kind, paths


def flatten(value: Any, prefix: str = "") -> set[str]:
    """Every path of a context: mappings by key, lists as [] over all their elements."""
    found: set[str] = {prefix} if prefix and not (isinstance(value, dict) and prefix.endswith("[]")) else set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= flatten(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for item in value:
            found |= flatten(item, f"{prefix}[]")
        found.add(prefix)
    return found


def absent_by_design(path: str, actual: set[str]) -> bool:
    if "<name>" in path or "<code>" in path:  # entries by name or code exist where the data has some
        return True
    head = path.split("[]")[0]
    return "[]" in path and head in actual and f"{head}[]" not in actual


def test_every_context_has_exactly_the_documented_variables(example_path):
    prepared = prepare(example_path)
    kinds = {part.template: part_kind(part, prepared.profile) for part in prepared.profile.parts}
    seen = set()
    for job in plan_jobs(prepared.content):
        kind = kinds[job.template]
        actual = {documented_path(path) for path in flatten(job.context)}
        documented = paths(kind)
        # named entries (words.<name>) exist only where the profile has some, and the elements of a list only
        # when it is not empty; every other documented path is built
        missing = {path for path in documented - actual if not absent_by_design(path, actual)}
        assert actual <= documented and not missing, (job.template, actual - documented, missing)
        seen.add(kind)
    assert seen == {"cover", "contents", "overview", "heading", "table", "two-sided table", "notes",
                    "performance_sheets", "appendix", "glossary"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "disclosure", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture()
def exported(tmp_path: Path) -> Path:
    result = run("templates", "export", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "mine"


def _edit_xml(path: Path, old: bytes, new: bytes, part: str = "word/document.xml") -> None:
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    assert old in parts[part], old
    parts[part] = parts[part].replace(old, new, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_export_never_replaces_a_maintainers_templates_unless_forced(exported: Path):
    edited = (exported / "base.docx").read_bytes() + b""
    _edit_xml(exported / "cover.docx", b"{{", b"{{ ")
    mine = (exported / "cover.docx").read_bytes()
    again = run("templates", "export", str(exported), cwd=exported.parent)
    assert again.returncode == 2 and "nothing was copied (add --force to replace them with the defaults)" in again.stderr
    assert (exported / "cover.docx").read_bytes() == mine and (exported / "base.docx").read_bytes() == edited
    forced = run("templates", "export", str(exported), "--force", cwd=exported.parent)
    assert forced.returncode == 0 and (exported / "cover.docx").read_bytes() != mine


def test_check_refuses_what_the_build_refuses_a_folder_or_a_broken_link_named_as_a_template(exported: Path,
                                                                                          example_path: Path):
    (exported / "cover.docx").unlink()
    (exported / "cover.docx").mkdir()
    (exported / "contents.docx").unlink()
    (exported / "contents.docx").symlink_to(exported / "gone.docx")
    checked = run("templates", "check", str(exported), cwd=exported.parent)
    assert checked.returncode == 1
    assert "error: cover.docx: is a folder; expected a Word template (.docx)" in checked.stderr
    assert "error: contents.docx: no such file; expected a Word template (.docx)" in checked.stderr
    built = run("build", str(example_path), "-o", "out", "--templates", str(exported), cwd=exported.parent)
    assert built.returncode == 2 and "is a folder" in built.stderr


def test_check_passes_on_the_defaults(exported: Path):
    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert result.returncode == 0 and "0 error(s), 0 warning(s)" in result.stdout, result.stderr


def test_check_passes_on_the_shanghai_defaults_and_knows_the_profiles_words(tmp_path: Path):
    """The Shanghai templates read words.editor and tables.three_public…: names the profile gives. Check once called
    them unknown variables (10 errors on the shipped templates)."""
    assert run("templates", "export", "sh", "--profile", "shanghai-district-9", cwd=tmp_path).returncode == 0
    clean = run("templates", "check", "sh", "--profile", "shanghai-district-9", cwd=tmp_path)
    assert clean.returncode == 0 and "0 error(s), 0 warning(s)" in clean.stdout, clean.stderr
    _edit_xml(tmp_path / "sh" / "sh-table-04-fiscal.docx", b"words.editor", b"words.edtor")
    typo = run("templates", "check", "sh", "--profile", "shanghai-district-9", cwd=tmp_path)
    assert typo.returncode == 1
    assert "error: sh-table-04-fiscal.docx: unknown variable 'words.edtor': the profile's level_placeholders are " \
           in typo.stderr and "did you mean 'words.editor'?" in typo.stderr


def test_check_catches_a_misspelled_variable_and_a_missing_template(exported: Path):
    _edit_xml(exported / "table-01-summary.docx", b"table.title", b"table.titel")
    (exported / "table-05-general-public.docx").unlink()
    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert result.returncode == 1
    assert ("error: table-01-summary.docx: unknown variable 'table.titel'; did you mean 'table.title'?"
            in result.stderr)
    assert "warning: table-05-general-public.docx: missing from" in result.stderr
    assert "the default template is used" in result.stderr


def test_the_build_names_a_misspelled_variable_as_check_does(exported: Path, example_path: Path):
    _edit_xml(exported / "table-01-summary.docx", b"table.title", b"table.titel")
    built = run("build", str(example_path), "-o", "out", "--templates", str(exported), cwd=exported.parent)
    assert built.returncode == 2
    assert ("error: template table-01-summary.docx: unknown variable 'table.titel'; did you mean 'table.title'? "
            "(`templates check` lists every problem)") in built.stderr


def test_check_catches_a_loop_variable_misspelled_inside_a_row_loop(exported: Path):
    _edit_xml(exported / "table-02-income.docx", b"row.label", b"row.lable")
    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert "unknown variable 'table.rows[].lable'; did you mean 'table.rows[].label'?" in result.stderr


def test_check_catches_an_unbalanced_block(exported: Path):
    _edit_xml(exported / "part-1-overview.docx", b"{%p endfor %}", b"")
    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert result.returncode == 1
    assert "error: part-1-overview.docx: Encountered unknown tag 'endif'" in result.stderr
    assert "'endfor'" in result.stderr  # Jinja says which end tag it was looking for


def test_a_plain_loop_across_table_cells_is_refused_by_check_and_by_the_build(exported: Path, example_path: Path):
    """{% for %} in one cell and {% endfor %} in another renders an empty row after every row: an error in both."""
    table_3 = exported / "table-03-expenditure.docx"
    _edit_xml(table_3, b"{%tr for row in table.rows %}", b"{% for row in table.rows %}")
    _edit_xml(table_3, b"{%tr endfor %}", b"{% endfor %}")
    message = ("table-03-expenditure.docx: a plain {% for %} or {% if %} in the table cell '{% for row in table.rows %}' "
               "is closed in another cell; repeat rows with {%tr for … %}")
    checked = run("templates", "check", str(exported), cwd=exported.parent)
    assert checked.returncode == 1 and f"error: {message}" in checked.stderr
    built = run("build", str(example_path), "-o", "out", "--templates", str(exported), cwd=exported.parent)
    assert built.returncode == 2 and message in built.stderr and "Traceback" not in built.stderr
    assert not (exported.parent / "out").exists()


def test_check_warns_about_a_tag_split_across_formatting(exported: Path):
    cover = exported / "cover.docx"
    document = docx.Document(str(cover))
    paragraph = document.add_paragraph()
    paragraph.add_run("编制：{{ unit.")
    paragraph.add_run("name }}").bold = True
    document.save(str(cover))
    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert "warning: cover.docx: tag '{{ unit.name }}' is split across differently formatted text" in result.stderr


def test_check_names_text_typed_beside_a_paragraph_or_row_tag(exported: Path):
    """{%p %} and {%tr %} stand for their whole paragraph or row: text typed beside them is never printed."""
    _edit_xml(exported / "table-03-expenditure.docx", b"{%tr endfor %}", "{%tr endfor %}（按功能分类）".encode())
    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert ("warning: table-03-expenditure.docx: the text '（按功能分类）' beside '{%tr endfor %}' is not printed: the tag "
            "stands for its whole table row; give it a paragraph or row of its own") in result.stderr


def test_check_is_quiet_about_a_tag_split_across_runs_formatted_alike(exported: Path):
    """Word splits a tag into runs differing only in revision ids after almost any edit: they join without loss."""
    cover = exported / "cover.docx"
    document = docx.Document(str(cover))
    paragraph = document.add_paragraph()
    first, second = paragraph.add_run("编制：{{ unit."), paragraph.add_run("code }}")
    for run_ in (first, second):
        run_.bold = True
    second._r.set(docx.oxml.ns.qn("w:rsidR"), "00AB12CD")
    document.save(str(cover))
    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert result.returncode == 0 and "unit.code" not in result.stderr, result.stderr


def test_a_part_cannot_set_the_page_and_check_says_so(exported: Path, example_path: Path):
    """A Word user turns one table landscape with a section break: in a part it would set the page of the whole
    report before it. Check warns; the build removes it and keeps base.docx's one page setup."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    table_6 = exported / "table-06-basic-by-economic.docx"
    document = docx.Document(str(table_6))
    document.add_section(WD_SECTION.NEW_PAGE)  # the first section now ends in a paragraph's properties
    document.sections[-1].orientation = WD_ORIENT.LANDSCAPE
    document.save(str(table_6))
    table_3 = exported / "table-03-expenditure.docx"
    document = docx.Document(str(table_3))
    document.sections[0].left_margin = document.sections[0].right_margin = docx.shared.Cm(1.5)
    document.save(str(table_3))
    table_2 = exported / "table-02-income.docx"  # LibreOffice rewrites header and footer distances: not the page
    document = docx.Document(str(table_2))
    document.sections[0].header_distance = document.sections[0].footer_distance = docx.shared.Cm(0)
    document.save(str(table_2))

    result = run("templates", "check", str(exported), cwd=exported.parent)
    assert "warning: table-06-basic-by-economic.docx: has a section break, which is removed" in result.stderr
    assert "warning: table-03-expenditure.docx: has a page setup of its own (paper size, orientation or margins), " \
           "which is not used: the report's is base.docx's" in result.stderr
    named = {line.split(":")[1].strip() for line in result.stderr.splitlines() if "page setup of its own" in line}
    assert named == {"table-03-expenditure.docx", "table-06-basic-by-economic.docx"}  # the others carry base's
    report = open_report(build(example_path, exported.parent / "out", templates=exported).docx)
    assert len(report.sections) == 1 and report.sections[0].orientation == WD_ORIENT.PORTRAIT


def test_customised_templates_change_the_report(exported: Path, example_path: Path):
    # a maintainer changes a title, adds a paragraph using documented variables, and restyles a title
    _edit_xml(exported / "table-03-expenditure.docx", b"{{ table.title }}", "{{ table.title }}（按功能分类）".encode())
    cover = exported / "cover.docx"
    document = docx.Document(str(cover))
    document.add_paragraph("编制单位：{{ unit.name }}（代码{{ unit.code }}），{{ year }}年", style="Report Subtitle")
    document.save(str(cover))
    summary = exported / "table-01-summary.docx"
    document = docx.Document(str(summary))
    document.styles["Table Title"].font.size = Pt(20)
    document.save(str(summary))

    folder = exported.parent
    result = run("build", str(example_path), "-o", "out", "--templates", str(exported), cwd=folder)
    assert result.returncode == 0, result.stderr
    [report_path] = (folder / "out").glob("*.docx")
    report = open_report(report_path)
    text = all_text(report)
    assert "2024年预算支出总表（按功能分类）" in text
    assert "编制单位：晋城市总工会（代码959），2024年" in text
    titles = {p.text: p.style for p in report.paragraphs if p.style.name.startswith("Table Title")}
    assert titles["2024年预算收支总表"].name == "Table Title (table-01-summary)"
    assert titles["2024年预算收支总表"].font.size == Pt(20)
    assert titles["2024年预算收入总表"].name == "Table Title" and titles["2024年预算收入总表"].font.size == Pt(14)


def test_a_style_changed_in_base_reaches_every_part_that_did_not_change_it(exported: Path, example_path: Path):
    """The guide's way to restyle all parts at once: change the style in base.docx. The exported parts carry the
    style as shipped; they take base.docx's (decision 76), while a part that changed it keeps its own."""
    base = docx.Document(str(exported / "base.docx"))
    base.styles["Body Paragraph"].font.size = Pt(12)
    base.styles["Table Title"].font.size = Pt(18)
    base.save(str(exported / "base.docx"))
    summary = exported / "table-01-summary.docx"
    document = docx.Document(str(summary))
    document.styles["Table Title"].font.size = Pt(20)
    document.save(str(summary))

    report = open_report(build(example_path, exported.parent / "out", templates=exported).docx)
    body = [p for p in report.paragraphs if p.text.startswith("2024年晋城市总工会")]
    assert body and {p.style.name for p in body} == {"Body Paragraph"}
    assert report.styles["Body Paragraph"].font.size == Pt(12)
    titles = {p.text: p.style for p in report.paragraphs if p.style.name.startswith("Table Title")}
    assert titles["2024年预算收入总表"].name == "Table Title" and titles["2024年预算收入总表"].font.size == Pt(18)
    assert titles["2024年预算收支总表"].font.size == Pt(20)


def test_an_ampersand_in_a_tags_text_prints_as_one(exported: Path, example_path: Path):
    """Word stores & as &amp; in a tag's text too; "R&D" in an expression is R&D, as < and > already were."""
    cover = exported / "cover.docx"
    document = docx.Document(str(cover))
    document.add_paragraph('研发：{{ "R&D <1>" }}；{{ unit.name|replace("总工会", "A&B") }}')
    document.save(str(cover))
    text = all_text(open_report(build(example_path, exported.parent / "out", templates=exported).docx))
    assert "研发：R&D <1>；晋城市A&B" in text


def test_build_with_an_empty_templates_folder_uses_the_defaults(tmp_path: Path, example_path: Path):
    (tmp_path / "empty").mkdir()
    result = build(example_path, tmp_path / "out", templates=tmp_path / "empty")
    assert "晋城市总工会" in all_text(open_report(result.docx))


def test_export_copies_every_template_the_profile_needs(exported: Path):
    needed = set(prepare_profile_templates())
    assert needed <= {p.name for p in exported.glob("*.docx")}


def prepare_profile_templates() -> list[str]:
    from disclosure.profile import load_profile

    return load_profile().template_names
