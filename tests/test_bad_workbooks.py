"""Bad workbooks, through the CLI as a user runs it (a subprocess), like tests/test_bad_input.py for YAML.

Each case: what the user gives, and a fragment of the message, which names the file and, where there
is one, the sheet and the cell.  Every case exits 2, prints no traceback and leaves no file behind.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from disclosure.workbook.convert import model_bytes
from disclosure.workbook.read import MAX_ROWS

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"


@pytest.fixture(scope="module")
def good() -> bytes:
    import disclosure

    return model_bytes(disclosure.load(EXAMPLE).model, "xlsx")


def _edit(data: bytes, change: Callable[[openpyxl.Workbook], None]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _patch(data: bytes, sheet: str, change: Callable[[str], str]) -> bytes:
    """The workbook with the XML of ``sheet`` rewritten, as another program might have saved it."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    part = f"xl/worksheets/sheet{book.sheetnames.index(sheet) + 1}.xml"
    book.close()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item.filename, change(content.decode()).encode() if item.filename == part else content)
    return out.getvalue()


def _set(sheet: str, ref: str, value, number_format: str | None = None) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        book[sheet][ref] = value
        if number_format:
            book[sheet][ref].number_format = number_format
    return change


def _ole(*streams: str) -> bytes:
    """The start of an OLE compound file naming ``streams`` (what .xls and encrypted .xlsx files are)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"".join(s.encode("utf-16-le") + b"\x00" * 8
                                                                           for s in streams) + b"\x00" * 1024


def _many_rows(sheet_xml: str) -> str:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="n"><v>1</v></c></row>' for n in range(3, MAX_ROWS + 10))
    sheet_xml = re.sub(r"<dimension [^>]*/>", "", sheet_xml)
    return re.sub(r"(<row r=\"2\".*?</row>).*</sheetData>", lambda m: m.group(1) + rows + "</sheetData>", sheet_xml,
                  flags=re.S)


def _with_big_member(data: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/big.bin", "w") as big:
        chunk = b"\x00" * (1 << 20)
        for _ in range(260):
            big.write(chunk)
    return out.getvalue()


def _word_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@dataclass
class Case:
    name: str
    make: Callable[[bytes], bytes | None]  # from the good workbook's bytes; None: no file
    fragment: str
    file: str = "unit.xlsx"


CASES = [
    # ------------------------------------------------------------------ the file
    Case("missing file", lambda good: None, "unit.xlsx: no such file"),
    Case("empty file", lambda good: b"", "unit.xlsx: is empty"),
    Case("a renamed text file", lambda good: EXAMPLE.read_bytes(),
         "unit.xlsx: is not an Excel workbook (.xlsx): it is a text file (a YAML model must be named .yaml)"),
    Case("an Excel 97-2003 file", lambda good: _ole("Root Entry", "Workbook", "SummaryInformation"),
         "unit.xls: is an Excel 97–2003 workbook (.xls); save it as an Excel workbook (.xlsx)", file="unit.xls"),
    Case("a password-protected workbook", lambda good: _ole("Root Entry", "EncryptionInfo", "EncryptedPackage"),
         "unit.xlsx: is encrypted (protected by a password to open)"),
    Case("a renamed Word document", lambda good: _word_document(), "unit.xlsx: is a Word document"),
    Case("a damaged zip", lambda good: good[:2000], "unit.xlsx: is damaged or not an Excel workbook"),
    Case("a zip bomb", _with_big_member, "unit.xlsx: unpacks to"),
    # ------------------------------------------------------------------ sheets and headers
    Case("no unit sheet", lambda good: _edit(good, lambda b: b.remove(b["单位信息"])),
         "unit.xlsx: has no sheet 单位信息 (its sheets: 填写说明、预算明细"),
    Case("a renamed sheet", lambda good: _edit(good, lambda b: setattr(b["预算明细"], "title", "预算明细表")),
         "unit.xlsx 预算明细表: is not a sheet the workbook is read from; did you mean 预算明细?"),
    Case("a header renamed", lambda good: _edit(good, _set("预算明细", "G2", "预算金额")),
         "unit.xlsx 预算明细!G2: unknown column '预算金额'; did you mean 金额?"),
    Case("a required column removed", lambda good: _edit(good, lambda b: b["预算明细"].delete_cols(7)),
         "unit.xlsx 预算明细!2:2: the column 金额 is missing from the header row"),
    Case("an unknown form item", lambda good: _edit(good, lambda b: b["单位信息"].append(["单位编号", "A01"])),
         "unit.xlsx 单位信息!A24: unknown item '单位编号' in 单位信息"),
    # ------------------------------------------------------------------ cells
    Case("text in an amount cell", lambda good: _edit(good, _set("预算明细", "G4", "abc")),
         "unit.xlsx 预算明细!G4 budget.lines[1].amount: expected a decimal with at most 2 places, got 'abc'"),
    Case("a float artefact", lambda good: _patch(good, "预算明细", lambda x: re.sub(
        r'(<c r="G3"[^>]*>)<v>[^<]*</v>', r"\1<v>0.30000000000000004</v>", x)),
         "unit.xlsx 预算明细!G3 budget.lines[0].amount: expected a decimal with at most 2 places, got "
         "0.30000000000000004"),
    Case("a date in an amount cell", lambda good: _edit(good, _set("上年数", "B4", __import__("datetime").date(
        2023, 12, 31), "yyyy-mm-dd")),
         "unit.xlsx 上年数!B4 last_year.total.amount: expected an amount, got the date 2023-12-31"),
    Case("a formula without a saved result", lambda good: _edit(good, _set("预算明细", "G5", "=G3*10")),
         "unit.xlsx 预算明细!G5 budget.lines[2].amount: a formula without a saved result"),
    Case("an error value", lambda good: _patch(good, "预算明细", lambda x: re.sub(
        r'<c r="G3"[^>]*><v>[^<]*</v>', '<c r="G3" t="e"><v>#REF!</v>', x)),
         "unit.xlsx 预算明细!G3 budget.lines[0].amount: the cell shows the error #REF!"),
    Case("an unknown source", lambda good: _edit(good, _set("预算明细", "D3", "财政")),
         "unit.xlsx 预算明细!D3 budget.lines[0].source: Input should be"),
    Case("a six-digit function code", lambda good: _edit(good, _set("预算明细", "A3", 201290)),
         "unit.xlsx 预算明细!A3 budget.lines[0].function: expected a 7-digit 支出功能分类 项 code"),
    Case("a fiscal year in words", lambda good: _edit(good, _set("单位信息", "B11", "二〇二四")),
         "unit.xlsx 单位信息!B11 unit.fiscal_year: expected a whole number written in digits, got '二〇二四'"),
    Case("an indicator of an unknown project", lambda good: _edit(good, _set("绩效指标", "A3", "无此项目")),
         "unit.xlsx 绩效指标!A3: no row of 项目 has the 项目名称 '无此项目'"),
    Case("a project name twice", lambda good: _edit(good, _set("项目", "A4", "劳模疗养体检")),
         "unit.xlsx 项目绩效!A3: the 项目名称 '劳模疗养体检' names several rows of 项目"),
    Case("an unknown generic field", lambda good: _edit(good, _set("其他", "A3", "unit.nickname")),
         "unit.xlsx 其他!A3: unknown field 'unit.nickname'"),
    # ------------------------------------------------------------------ size
    Case("a million rows claimed", lambda good: _patch(good, "预算明细", lambda x: re.sub(
        r'<dimension ref="[^"]*"/>', '<dimension ref="A1:H1048576"/>', x)),
         "unit.xlsx 预算明细: has 1048576 rows (used range A1:H1048576); a sheet of a budget workbook may have at "
         f"most {MAX_ROWS}"),
    Case("too many rows without a dimension", lambda good: _patch(good, "说明文字", _many_rows),
         f"unit.xlsx 说明文字: has more than {MAX_ROWS} rows"),
]


def _run(case: Case, folder: Path, good: bytes) -> subprocess.CompletedProcess[str]:
    data = case.make(good)
    if data is not None:
        (folder / case.file).write_bytes(data)
    return subprocess.run([sys.executable, "-m", "disclosure", "build", case.file, "-o", "out"], cwd=folder,
                          capture_output=True, text=True, timeout=120)


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 20 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_workbook_gets_a_clear_message_and_no_file(case: Case, tmp_path: Path, good: bytes):
    result = _run(case, tmp_path, good)
    assert result.returncode == 2, result.stderr
    assert case.fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_a_macro_workbook_is_read_as_data_and_its_macros_never_run(tmp_path: Path, good: bytes):
    """An .xlsm is read like an .xlsx: its values; the VBA project is never opened, let alone run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                          b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                assert b"macroEnabled" in content
            target.writestr(item.filename, content)
        target.writestr("xl/vbaProject.bin", b"Attribute VB_Name = \"Module1\"\nSub Auto_Open()\nShell \"touch pwned\"")
    (tmp_path / "unit.xlsm").write_bytes(out.getvalue())
    result = subprocess.run([sys.executable, "-m", "disclosure", "build", "unit.xlsm", "-o", "out"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "pwned").exists() and len(list((tmp_path / "out").glob("*.docx"))) == 1
