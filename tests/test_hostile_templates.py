"""Hostile and broken templates (issue 9, item 4): each class stops with a message naming the template — quickly,
without exhausting memory, writing nothing — and ``templates check`` reports it as a finding (exit 1, never 3).

Like tests/test_bad_input.py, every case runs the command line as a user does, in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def document(body: str, prologue: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prologue}'
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>').encode()


@dataclass
class Case:
    name: str
    tag: str | None  # Jinja put in a paragraph at the start of cover.docx
    fragment: str  # in the build's message
    document: bytes | None = None  # or the whole word/document.xml of cover.docx
    env: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("huge power", "{{ 10**(10**9) }}", "'**' would make an integer"),
    Case("huge repetition", "{{ 'x' * 10**10 }}", "'*' would hold 10,000,000,000"),
    Case("huge method argument", "{{ unit.name.center(10**9) }}", "is given 1,000,000,000"),
    Case("huge format width", "{{ '{:>999999999}'.format(1) }}", "is too large for a template"),
    Case("doubling in a loop", "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
         "{% endfor %}", "'~' would hold"),
    Case("nested ranges", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
         "stopped after 2 s", env={"DISCLOSURE_PART_SECONDS": "2"}),
    Case("endless output", "{% for i in range(100000) %}{{ report_title }}{% endfor %}",
         "produced more than 1 MiB", env={"DISCLOSURE_PART_MEGABYTES": "1"}),
    Case("changing the context", "{{ unit.update({'name': 'x'}) }}", "is unsafe"),
    Case("printing data as markup", "{{ unit.name|safe }}", "No filter named 'safe'"),
    Case("escaping switched off", "{% autoescape false %}{{ unit.name }}{% endautoescape %}", "is not allowed"),
    Case("including a file", "{% include '/etc/passwd' %}", "{% include %} is not allowed"),
    Case("decompression bomb", None, "expands to more than 16 MiB",
         document=document("<w:p/>" * 5_000_000)),
    Case("external entity", None, "document type declaration",
         document=document(paragraph("&x;"), '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>')),
    Case("not well-formed", None, "not well-formed XML", document=b"<w:document><w:body>"),
]


def hostile_templates(case: Case, folder: Path) -> Path:
    """A templates folder whose cover.docx carries ``case``."""
    templates = folder / "templates"
    templates.mkdir()
    with zipfile.ZipFile(TEMPLATES / "cover.docx") as source:
        parts = {name: source.read(name) for name in source.namelist()}
    if case.document is not None:
        parts["word/document.xml"] = case.document
    else:
        parts["word/document.xml"] = parts["word/document.xml"].replace(
            b"<w:body>", b"<w:body>" + paragraph(case.tag or "").encode(), 1)
    with zipfile.ZipFile(templates / "cover.docx", "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return templates


def run(args: list[str], folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "disclosure", *args], cwd=folder, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_the_bomb_is_a_small_file(tmp_path: Path):
    [bomb] = [c for c in CASES if c.name == "decompression bomb"]
    assert (hostile_templates(bomb, tmp_path) / "cover.docx").stat().st_size < 100_000


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_template_stops_the_build_with_its_name(case: Case, tmp_path: Path, example_path: Path):
    templates = hostile_templates(case, tmp_path)
    start = time.perf_counter()
    result = run(["build", str(example_path), "-o", "out", "--templates", str(templates)], tmp_path, case.env)
    assert result.returncode == 2, result.stderr
    assert "template cover.docx" in result.stderr and case.fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert time.perf_counter() - start < 30
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_templates_check_reports_a_hostile_template_as_a_finding(case: Case, tmp_path: Path):
    templates = hostile_templates(case, tmp_path)
    result = run(["templates", "check", str(templates)], tmp_path, case.env)
    assert result.returncode == 1, result.stderr
    assert "error: cover.docx:" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
