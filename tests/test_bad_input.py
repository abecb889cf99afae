"""Bad input, everywhere a user can reach, through the CLI as a user runs it (a subprocess).

Each case: what the user gives, the exit code (2 unusable input, 1 findings), and a fragment of the
message, which must name the file (and line and YAML path where there is one).  No case may print
a Python traceback or leave a file in the output folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HEAD = "unit: {name: 测试单位, code: '001', fiscal_year: 2025}\n"
LINE = "{function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 10000}"
GOOD = HEAD + f"budget:\n  lines:\n    - {LINE}\n"


def lines_with(fields: str) -> str:
    return HEAD + f"budget:\n  lines:\n    - {{{fields}}}\n"


@dataclass
class Case:
    name: str
    content: bytes | str | None  # None: no file is written
    exit: int
    fragment: str
    args: list[str] = field(default_factory=list)
    setup: Callable[[Path], None] | None = None  # prepare extra files in the case folder
    path: str = "unit.yaml"
    absent: str | None = None  # must not appear in the output (content of a file the model points to)


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
    f" *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
) + HEAD


def amount(written: str) -> str:
    return lines_with(f"function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: {written}")


def fifo(name: str) -> Callable[[Path], None]:
    return lambda folder: os.mkfifo(folder / name)


def sparse(name: str, size: int) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        with open(folder / name, "wb") as handle:
            handle.truncate(size)  # nothing is written to disk
    return make


def written(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def profile_with_unknown_placeholder(folder: Path) -> None:
    bundled = (Path(__file__).resolve().parents[1] / "src" / "disclosure" / "profiles" / "shanxi-13.yaml")
    text = bundled.read_text(encoding="utf-8")
    (folder / "mine.yaml").write_text(text.replace("{unit}{year}年{level}预算公开报告", "{unit}{nope}报告", 1),
                                      encoding="utf-8")


def a_pdf(folder: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(folder / "scan.pdf")


SECRET = "TOP-SECRET-LINE: password=hunter2"
LONG_NAME = "很长的单位名称" * 43  # 301 characters, 903 bytes

CASES = [
    # ------------------------------------------------------------------ the file itself
    Case("missing file", None, 2, "unit.yaml: no such file"),
    Case("a folder", None, 2, "is a folder", setup=lambda d: (d / "unit.yaml").mkdir()),
    Case("empty file", "", 2, "unit.yaml: is empty"),
    Case("only blanks", "  \n\n   \n", 2, "unit.yaml: is empty"),
    Case("only a comment", "# nothing here\n", 2, "holds no data"),
    Case("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 2, "is a binary file, not YAML text"),
    Case("GBK encoded", GOOD.encode("gbk"), 2, "looks like GBK/GB18030"),
    Case("UTF-16 encoded", GOOD.encode("utf-16"), 2, "is UTF-16 encoded; save it as UTF-8"),
    Case("Latin-1 bytes", b"unit: {name: caf\xe9}\n", 2, "is not valid UTF-8"),
    # ------------------------------------------------------------------ YAML syntax
    Case("unclosed bracket", HEAD + "budget: {lines: [\n", 2, "unit.yaml:3: YAML syntax error at column"),
    Case("bad indentation", HEAD + "budget:\n  lines:\n   - a\n  - b\n", 2, "unit.yaml:5: YAML syntax error"),
    Case("tab indentation", HEAD + "budget:\n\tlines: []\n", 2, "unit.yaml:3: YAML syntax error"),
    Case("unclosed quote", HEAD + 'overview: {intro: "abc}\n', 2, "YAML syntax error"),
    Case("two documents", GOOD + "---\n" + GOOD, 2, "unit.yaml:6: holds several YAML documents"),
    Case("duplicate key", HEAD + "budget: {lines: []}\nbudget: {lines: []}\n", 2, "unit.yaml:3 budget: duplicate key"),
    Case("control character in text", HEAD + 'overview: {intro: "a\\x07b"}\n', 2,
         "unit.yaml:2 overview.intro: contains the control character U+0007"),
    Case("raw control character", HEAD.encode() + b"overview: {intro: a\x01b}\n", 2,
         "unit.yaml:2: contains the control character U+0001 at column 20"),
    Case("DEL after Chinese text", HEAD.encode() + "overview:\n  intro: 工会职责说明\n  duties_lead: 主要职责\n".encode()
         + b"  organisation: a\x7fb\n", 2, "unit.yaml:5: contains the control character U+007F"),
    # ------------------------------------------------------------------ shapes
    Case("top-level list", "- unit\n- budget\n", 2, "unit.yaml:1: expected a mapping with unit:, budget: … at the top level, got a list"),
    Case("top-level text", "hello\n", 2, "got 'hello'"),
    Case("lines is a mapping", HEAD + "budget:\n  lines: {a: 1}\n", 2, "unit.yaml:3 budget.lines: expected a list"),
    Case("unit is a list", "unit: [a, b]\n", 2, "unit.yaml:1 unit: expected a mapping"),
    # ------------------------------------------------------------------ tags and aliases: never executed
    Case("python object tag", HEAD + "overview: {intro: !!python/object/apply:os.system ['echo pwned']}\n", 2,
         "unit.yaml:2 overview.intro: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    Case("python name tag", HEAD + "overview: {intro: !!python/name:os.system ''}\n", 2, "is not allowed"),
    Case("custom tag", HEAD + "overview: {intro: !secret abc}\n", 2, "YAML tag '!secret' is not allowed"),
    Case("binary tag", HEAD + "overview: {intro: !!binary aGVsbG8=}\n", 2, "is not allowed"),
    Case("alias bomb", BILLION_LAUGHS, 2, "expands to more than 2,000,000 values"),
    Case("recursive alias", HEAD + "overview: &o {duties: *o}\n", 2, "recursive alias"),
    # ------------------------------------------------------------------ keys and types
    Case("unknown top-level key", GOOD + "budjet: {}\n", 2, "unit.yaml:5 budjet: unknown key 'budjet'; did you mean 'budget'?"),
    Case("unknown nested key", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, amout: 1"), 2,
         "budget.lines[0].amout: unknown key 'amout'; did you mean 'amount'?"),
    Case("missing unit", "budget: {lines: []}\n", 2, "unit.yaml:1 unit: required field is missing"),
    Case("missing unit name", "unit: {code: '1', fiscal_year: 2025}\n", 2, "unit.yaml:1 unit.name: required field is missing"),
    Case("fiscal year text", "unit: {name: 甲, code: '1', fiscal_year: 二〇二五}\n", 2,
         "unit.fiscal_year: expected a whole number written in digits, got '二〇二五'"),
    Case("fiscal year out of range", "unit: {name: 甲, code: '1', fiscal_year: 1999}\n", 2, "unit.fiscal_year: Input should be greater than or equal to 2000"),
    Case("unknown amount unit", "unit: {name: 甲, code: '1', fiscal_year: 2025, amount_unit: 千元}\n", 2,
         "unit.amount_unit: Input should be '元' or '万元', got '千元'"),
    Case("negative amount", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: -5"), 2,
         "unit.yaml:4 budget.lines[0].amount: expected an amount ≥ 0, got -5"),
    Case("NaN amount", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: .nan"), 2,
         "budget.lines[0].amount: expected a finite amount, got NaN"),
    Case("infinite amount", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: .inf"), 2,
         "expected a finite amount, got Infinity"),
    Case("three decimals", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 1.005"), 2,
         "expected a decimal with at most 2 places, got 1.005"),
    Case("astronomical amount", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 1000000000000000"), 2,
         "budget.lines[0].amount: expected an amount below 10^15"),
    Case("amount as text", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 十万"), 2,
         "got '十万'"),
    Case("amount as boolean", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: true"), 2,
         "budget.lines[0].amount: expected an exact decimal amount"),
    Case("six-digit function code", lines_with("function: 201290, kind: 基本支出, source: 一般公共预算, amount: 1"), 2,
         "budget.lines[0].function: expected a 7-digit 支出功能分类 项 code such as 2012902, got '201290'"),
    Case("letters in a code", lines_with("function: 20129AB, kind: 基本支出, source: 一般公共预算, amount: 1"), 2, "got '20129AB'"),
    Case("three-digit economic code", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 301, amount: 1"), 2,
         "budget.lines[0].economic: expected a 5-digit 部门预算经济分类 款 code"),
    Case("unknown kind", lines_with("function: 2012902, kind: 基本, source: 一般公共预算, amount: 1"), 2,
         "budget.lines[0].kind: Input should be '基本支出' or '项目支出', got '基本'"),
    Case("unknown source", lines_with("function: 2012902, kind: 基本支出, source: 财政, amount: 1"), 2, "budget.lines[0].source: Input should be"),
    Case("three_public of a non-fiscal source", GOOD + "three_public: {单位资金: {official_reception: 1}}\n", 2,
         "three_public.单位资金"),
    Case("invalid date", GOOD + "assets: {as_of: 2024-13-45}\n", 2, "unit.yaml:5"),
    Case("category unknown", GOOD + "projects:\n  - {name: 甲, category: 其他类}\n", 2, "projects[0].category: Input should be"),
    # ------------------------------------------------------------------ findings (exit 1)
    Case("duplicate project names", GOOD + "projects:\n  - {name: 甲, category: 特定目标类}\n  - {name: 甲, category: 特定目标类}\n", 1,
         "unit.yaml:7 projects[1].name: [duplicate-project]"),
    Case("undeclared project", lines_with("function: 2012902, kind: 项目支出, project: 乙, source: 一般公共预算, amount: 1"), 1,
         "unit.yaml:4 budget.lines[0].project: [line-project] 项目“乙”未在projects中声明"),
    Case("basic line without economic code", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, amount: 1"), 1,
         "budget.lines[0].economic: [basic-line-needs-economic-code]"),
    Case("unknown code without a name", lines_with("function: 2019901, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 1"), 1,
         "[code-name-missing] 功能科目2019901不在所用分类"),
    Case("name contradicting the list", GOOD + "  function_names: {2012902: 行政运行}\n", 1, "[code-name-conflict]"),
    Case("warnings under --strict", lines_with("function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 0"), 1,
         "[zero-line]", args=["--strict"]),
    # ------------------------------------------------------------------ options and environment
    Case("output is a file", GOOD, 2, "the output path is not a folder",
         args=["-o", "taken"], setup=lambda d: (d / "taken").write_text("x")),
    Case("output under a file", GOOD, 2, "cannot create the output folder",
         args=["-o", "taken/sub"], setup=lambda d: (d / "taken").write_text("x")),
    Case("templates not a folder", GOOD, 2, "--templates must be a folder", args=["--templates", "nowhere"]),
    Case("unknown profile", GOOD, 2, "unknown profile 'nowhere'", args=["--profile", "nowhere"]),
    Case("classification file missing", GOOD, 2, "cannot read the classification file", args=["--classification", "none.csv"]),
    Case("classification file malformed", GOOD, 2, "bad.csv:2: column code: '20' has 2 digits",
         args=["--classification", "bad.csv"],
         setup=lambda d: (d / "bad.csv").write_text("code,name,level,parent_code\n20,短,lei,\n", encoding="utf-8")),
    Case("catalogue file missing", GOOD + "appendix: {catalogue: mine.csv}\n", 2,
         "unit.yaml:5 appendix.catalogue:"),
    # no province's catalogue is a default: an appendix must name one when the profile names none
    Case("appendix naming no catalogue", GOOD + "appendix: {title: 本单位目录}\n", 2,
         "unit.yaml:5 appendix.catalogue: which catalogue to append is not given: name a CSV of your own"),
    Case("PDF attachment missing", GOOD + "report: {attachments: [{file: scan.pdf, title: 附件}]}\n", 2,
         "report.attachments[0].file: no such PDF file", args=["--pdf"]),
    # ------------------------------------------------------------------ numbers mean what they look like (issue 9)
    Case("octal-looking amount", amount("0100000"), 2, "unit.yaml:4 budget.lines[0].amount: expected a decimal with at "
         "most 2 places, got '0100000'; a number has no leading zero (YAML 1.1 reads 0100000 as the octal number 32768)"),
    Case("base-60 amount", amount("1:20"), 2, "got '1:20'; YAML 1.1 reads 1:20 as the base-60 number 80"),
    Case("scattered commas", amount("'1,5,0,0,0,0,0'"), 2,
         "got '1,5,0,0,0,0,0'; thousands separators must group by three digits (1,234,567.89)"),
    Case("a count given as a boolean", GOOD + "assets: {vehicles: {actual: true}}\n", 2,
         "unit.yaml:5 assets.vehicles.actual: expected a whole number, got true"),
    Case("nested too deep", GOOD + "overview: " + "[" * 80 + "]" * 80 + "\n", 2,
         "unit.yaml:5 overview[0]", absent="Traceback"),
    # ------------------------------------------------------------------ only regular files, with a cap (issue 9)
    Case("model is a FIFO", None, 2, "unit.yaml: is a named pipe (FIFO), not a regular file; expected a budget model",
         setup=fifo("unit.yaml")),
    Case("model is a device", None, 2, "/dev/zero: is a device, not a regular file; expected a budget model",
         path="/dev/zero"),
    Case("model is over the size cap", None, 2, "unit.yaml: is 25.0 MB; a budget model (YAML or JSON) may be at most 20.0 MB",
         setup=sparse("unit.yaml", 25_000_000)),
    Case("classification is a FIFO", GOOD, 2, "pipe.csv: is a named pipe (FIFO), not a regular file; expected a "
         "classification CSV", args=["--classification", "pipe.csv"], setup=fifo("pipe.csv")),
    Case("economic classification is a device", GOOD, 2, "/dev/urandom: is a device, not a regular file",
         args=["--economic-classification", "/dev/urandom"]),
    Case("profile is a FIFO", GOOD, 2, "pipe.yaml: is a named pipe (FIFO), not a regular file; expected a report profile",
         args=["--profile", "pipe.yaml"], setup=fifo("pipe.yaml")),
    Case("model's profile is a FIFO", GOOD + "report: {profile: pipe.yaml}\n", 2,
         "unit.yaml:5 report.profile: pipe.yaml: is a named pipe (FIFO)", setup=fifo("pipe.yaml")),
    Case("catalogue is a FIFO", GOOD + "appendix: {catalogue: pipe.csv}\n", 2,
         "unit.yaml:5 appendix.catalogue: pipe.csv: is a named pipe (FIFO), not a regular file", setup=fifo("pipe.csv")),
    Case("catalogue of 200 MB", GOOD + "appendix: {catalogue: big.csv}\n", 2,
         "unit.yaml:5 appendix.catalogue: big.csv: is 200.0 MB; a catalogue CSV", setup=sparse("big.csv", 200_000_000)),
    Case("template is a FIFO", GOOD, 2, "tpl/base.docx: is a named pipe (FIFO), not a regular file; expected a Word template",
         args=["--templates", "tpl"], setup=lambda d: ((d / "tpl").mkdir(), os.mkfifo(d / "tpl" / "base.docx"))),
    Case("PDF attachment is a FIFO", GOOD + "report: {attachments: [{file: scan.pdf, title: 附件}]}\n", 2,
         "unit.yaml:5 report.attachments[0].file: scan.pdf: is a named pipe (FIFO)", args=["--pdf"],
         setup=fifo("scan.pdf")),
    # ------------------------------------------------------------------ nothing of a file the model names is echoed
    Case("attachment that is not a PDF", GOOD + "report: {attachments: [{file: scan.pdf, title: 附件}]}\n", 2,
         "unit.yaml:5 report.attachments[0].file: scan.pdf: is not a PDF", args=["--pdf"],
         setup=written("scan.pdf", SECRET.encode() * 3), absent="hunter2"),
    Case("attachment that is a damaged PDF", GOOD + "report: {attachments: [{file: scan.pdf, title: 附件}]}\n", 2,
         "scan.pdf: is a damaged PDF that cannot be read", args=["--pdf"],
         setup=written("scan.pdf", b"%PDF-1.4\n" + SECRET.encode() + b"\ntrailer <<>>\n"), absent="hunter2"),
    Case("profile that is not YAML", GOOD + "report: {profile: notes.yaml}\n", 2,
         "unit.yaml:5 report.profile: notes.yaml: is not a YAML file (line 2)",
         setup=written("notes.yaml", f"{SECRET}\n  - [unclosed: {{\n".encode()), absent="hunter2"),
    Case("profile that is text", GOOD + "report: {profile: notes.yaml}\n", 2,
         "unit.yaml:5 report.profile: notes.yaml: expected a report profile: a YAML mapping with name:, parts: and tables:",
         setup=written("notes.yaml", b"password=hunter2 is the secret\nand a second line\n"), absent="hunter2"),
    Case("profile text with an unknown placeholder", GOOD, 2, "uses {nope}, which is not provided here",
         args=["--profile", "mine.yaml"], setup=profile_with_unknown_placeholder),
    Case("attachment after an unknown part", GOOD + "report: {attachments: [{file: scan.pdf, title: 附件, after: part_9}]}\n",
         2, "unit.yaml:5 report.attachments[0].after: the report has no part with the bookmark 'part_9'", args=["--pdf"],
         setup=a_pdf),
    # ------------------------------------------------------------------ output names (issue 9)
    Case("output name too long", GOOD + f"report: {{output_name: {LONG_NAME}}}\n", 2,
         "unit.yaml:5 report.output_name: the report's file name gives a file name of 903 bytes"),
    Case("unit name too long for a file name", GOOD.replace("测试单位", LONG_NAME), 2,
         "unit.yaml:1 unit.name: the report's file name gives a file name of"),
    Case("--name too long", GOOD, 2, "--name: the report's file name gives a file name of 903 bytes",
         args=["--name", LONG_NAME]),
]


def _run(case: Case, folder: Path) -> subprocess.CompletedProcess[str]:
    if case.setup:
        case.setup(folder)
    if case.content is not None:
        data = case.content.encode() if isinstance(case.content, str) else case.content
        (folder / case.path).write_bytes(data)
    args = ["-o", "out", *case.args] if "-o" not in case.args else case.args
    return subprocess.run([sys.executable, "-m", "disclosure", "build", case.path, *args], cwd=folder,
                          capture_output=True, text=True, timeout=60)


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 85
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_a_clear_message_and_no_file(case: Case, tmp_path: Path):
    start = time.perf_counter()
    result = _run(case, tmp_path)
    assert result.returncode == case.exit, result.stderr
    assert case.fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert case.absent is None or case.absent not in result.stderr + result.stdout
    assert time.perf_counter() - start < 30
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_a_template_that_is_not_a_word_file(tmp_path: Path):
    (tmp_path / "unit.yaml").write_text(GOOD, encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "cover.docx").write_text("not a zip")
    command = [sys.executable, "-m", "disclosure", "build", "unit.yaml", "-o", "out", "--templates", "templates"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "template cover.docx: cannot be used as a Word template" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
    # --debug (after the command, where users type it) shows where it happened
    debug = subprocess.run([*command, "--debug"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_an_existing_report_survives_a_failed_build(tmp_path: Path, example_path: Path):
    """A build that fails half-way (here: while rendering a broken template) leaves the old report intact."""
    out = tmp_path / "out"
    first = subprocess.run([sys.executable, "-m", "disclosure", "build", str(example_path), "-o", str(out)],
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    [report] = out.glob("*.docx")
    before = report.read_bytes()
    stamp = report.stat().st_mtime_ns

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "table-12-projects-current.docx").write_bytes(
        (Path(__file__).resolve().parents[1] / "templates" / "docx" / "table-12-projects-current.docx").read_bytes()
    )
    _misspell_variable(templates / "table-12-projects-current.docx")
    second = subprocess.run([sys.executable, "-m", "disclosure", "build", str(example_path), "-o", str(out),
                             "--templates", str(templates)], capture_output=True, text=True, timeout=120)
    assert second.returncode == 2
    assert "template table-12-projects-current.docx" in second.stderr and "Traceback" not in second.stderr
    assert report.read_bytes() == before and report.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in out.iterdir()) == [report.name]


def _misspell_variable(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"row.label", b"row.lable")
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_output_folder_without_write_permission(tmp_path: Path):
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere; covered by the 'output is a file' cases")
    (tmp_path / "unit.yaml").write_text(GOOD, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = subprocess.run([sys.executable, "-m", "disclosure", "build", "unit.yaml", "-o", "locked"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "cannot write in the output folder" in result.stderr
