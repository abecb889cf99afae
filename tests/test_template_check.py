"""``templates check`` understands what templates really use (issue 10, item 6), and what it passes, builds."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from disclosure.profile import load_profile
from disclosure.render.check import (
    check_template,
    reads_of,
    sample_context,
    template_kinds,
    trial_contexts,
    unknown_variables,
)
from disclosure.render.check import documented_types as types_of
from disclosure.render.compiler import master_for, template_for
from disclosure.render.compose import read_template, render_xml_part, trial_render
from disclosure.render.limits import RenderLimits
from disclosure.render.templates import TemplateSet, default_template_dir, export_templates

LIMITS = RenderLimits()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "disclosure", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def with_paragraph(path: Path, tags: str) -> None:
    """Put a paragraph holding ``tags`` at the start of the template at ``path``."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    paragraph = f'<w:p><w:r><w:t xml:space="preserve">{tags}</w:t></w:r></w:p>'
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + paragraph.encode(), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


#: what maintainers write in a table template; none of it is an unknown variable
REAL_USE = [
    "{{ table.rows|length }}",
    "{{ table.title|replace('预算', '')|trim }}",
    "{% for row in table.rows[1:] %}{% if loop.first %}{{ loop.index }}{{ row.label|trim }}{% endif %}{% endfor %}",
    "{% for row in table.rows %}{{ loop.revindex }}{{ row.cells|join('、') }}{{ row.cells[0] }}{% endfor %}",
    "{% if table.rows %}{% set first = table.rows|first %}{{ first.code }}{{ (table.rows|last).label }}{% endif %}",
    "{% for key, value in unit.items() %}{{ key }}{{ value }}{% endfor %}",
    "{{ table.rows|map(attribute='label')|select|list|length }}{{ table.rows|selectattr('is_total')|list|length }}",
    "{% if table.note is defined %}{{ table.note }}{% endif %}",
    "{{ unit.name[:2] }}{{ unit.name.strip() }}{{ '%s年' % year }}{{ range(3)|list|length }}",
    "{% for row in table.rows if not row.is_total %}{{ row.indent ~ row.label }}{% else %}{{ table.empty_note }}"
    "{% endfor %}",
    "{% macro cell(value) %}[{{ value }}]{% endmacro %}{{ cell(table.title) }}",
    "{% set ns = namespace(total=0) %}{% for row in table.rows %}{% set ns.total = ns.total + 1 %}{% endfor %}"
    "{{ ns.total }}",
    "{{ table.get('title') }}{% if table.rows %}{{ table.rows|sort(attribute='code')|first }}"
    "{{ table.rows[-1].label }}{% endif %}",
]


@pytest.mark.parametrize("tags", REAL_USE)
def test_no_false_unknown_variable(tags: str):
    assert unknown_variables(reads_of(tags, types_of({"table"}))) == []


@pytest.mark.parametrize(("tags", "unknown"), [
    ("{% for row in table.rows[1:] %}{{ row.lable }}{% endfor %}", ["table.rows[].lable"]),
    ("{% set first = table.rows|first %}{{ first.cdoe }}", ["table.rows[].cdoe"]),
    ("{{ table.rows|map(attribute='lable')|join }}", ["table.rows[].lable"]),
    ("{% for r in table.rows %}{% for c in r.cells %}{{ c }}{{ r.totl }}{% endfor %}{% endfor %}",
     ["table.rows[].totl"]),
    ("{{ tabel.title }}{{ tabel.rows }}", ["tabel"]),
])
def test_a_misspelt_variable_is_still_found_through_filters_and_loops(tags: str, unknown: list[str]):
    assert unknown_variables(reads_of(tags, types_of({"table"}))) == unknown


def test_check_passes_and_the_build_succeeds_with_templates_using_them(tmp_path: Path, example_path: Path):
    folder = tmp_path / "mine"
    export_templates(folder)
    with_paragraph(folder / "table-02-income.docx", "".join(REAL_USE))
    check = run("templates", "check", str(folder), cwd=tmp_path)
    assert check.returncode == 0 and "0 error(s)" in check.stdout, check.stderr
    build = run("build", str(example_path), "-o", "out", "--templates", str(folder), cwd=tmp_path)
    assert build.returncode == 0, build.stderr


@pytest.mark.parametrize(("tags", "message"), [
    ("{{ table.title + 1 }}", "rendering with the documented examples fails"),
    ("{{ table.rows[0].label }}", "rendering with empty lists fails"),
    ("{{ table.title|no_such_filter }}", "No filter named 'no_such_filter'"),
    ("{% include 'x.docx' %}", "{% include %} is not allowed"),
])
def test_check_reports_what_would_fail_the_build(tmp_path: Path, tags: str, message: str):
    path = tmp_path / "table-02-income.docx"
    path.write_bytes((default_template_dir() / "table-02-income.docx").read_bytes())
    with_paragraph(path, tags)
    problems = check_template(path, {"table"})
    assert any(p.severity == "error" and message in p.message for p in problems), problems


def _default_templates() -> list[tuple[str, set[str]]]:
    return sorted(template_kinds(load_profile()).items())


@pytest.mark.parametrize(("name", "kinds"), _default_templates(), ids=[n for n, _ in _default_templates()])
def test_every_default_template_check_accepts_renders_with_a_documented_context(name: str, kinds: set[str]):
    path = default_template_dir() / name
    assert check_template(path, kinds) == []
    templates = TemplateSet(default_template_dir())
    master = master_for(read_template(templates, "base.docx", LIMITS), LIMITS)
    if name == "base.docx":
        sources = list(master.headers_footers.values())
    else:
        sources = [template_for(read_template(templates, name, LIMITS), name, master, LIMITS)]
    contexts = list(trial_contexts([s.source for s in sources], kinds))
    assert len(contexts) == 2 * len(kinds)  # the documented examples, and empty lists
    for _kind, _empty, context in contexts:
        for source in sources:
            if name == "base.docx":
                assert b"{{" not in render_xml_part(source, context, LIMITS)
            else:
                trial_render(master, source, context, LIMITS)


def test_the_documented_context_has_every_documented_variable():
    context = sample_context("performance_sheets")
    assert context["sheet"]["indicators"][0]["level1"] == "产出指标"
    assert context["sheet"]["period_funds"]["total"] == "1,500,000"
    assert sample_context("appendix", empty=True)["appendix"]["notice"] is None
    assert sample_context("table", {"table.rows[].cells": 7})["table"]["rows"][1]["cells"][6] == "309.70"


def test_a_profile_table_deriving_a_two_sided_table_is_checked_as_one():
    """A table entry whose profile table derives ``summary`` under another name (or through ``tables:``) has the
    two-sided variables (left_label …), as the build renders it."""
    profile = load_profile()
    spec = profile.tables["summary"].model_copy(update={"derive": "summary"})
    part = next(p for p in profile.parts if p.table == "summary")
    renamed = profile.model_copy(update={
        "tables": {**profile.tables, "my_summary": spec},
        "parts": [p.model_copy(update={"table": None, "tables": ["my_summary"]}) if p is part else p
                  for p in profile.parts],
    })
    assert template_kinds(renamed)[part.template] == {"two-sided table"}
