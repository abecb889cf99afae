"""The command line as a user runs it: a subprocess, in a folder of its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest


def run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "disclosure", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def test_build_the_example_from_another_folder(example_path: Path, tmp_path: Path):
    result = run("build", str(example_path), "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [report] = (tmp_path / "out").glob("*.docx")
    assert report.name == "晋城市总工会-2024-单位预算公开.docx"
    assert "wrote" in result.stdout
    document = docx.Document(str(report))
    # the cover's title breaks between the unit's name and the rest, never inside a word
    assert document.paragraphs[0].text == "晋城市总工会\n2024年单位预算公开报告"
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_bad_input_exits_2_with_file_line_and_no_traceback(tmp_path: Path):
    model = tmp_path / "unit.yaml"
    model.write_text("unit: {name: 测试, code: '1', fiscal_year: 2025}\nbudget:\n  lines:\n    - amount: abc\n",
                     encoding="utf-8")
    result = run("build", str(model), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{model}:4 budget.lines[0].amount: expected a decimal with at most 2 places, got 'abc'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_errors_in_the_model_exit_1_and_write_nothing(tmp_path: Path):
    model = tmp_path / "unit.yaml"
    model.write_text(
        "unit: {name: 测试, code: '1', fiscal_year: 2025}\n"
        "budget:\n  lines:\n"
        "    - {function: 2012902, kind: 项目支出, project: 没有声明, source: 一般公共预算, amount: 100}\n",
        encoding="utf-8",
    )
    result = run("build", str(model), "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{model}:4 budget.lines[0].project: [line-project]" in result.stderr
    assert "no report written" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_negative_number_of_processes_is_refused(example_path: Path, tmp_path: Path):
    result = run("build", str(example_path), "-j", "-3", cwd=tmp_path)
    assert result.returncode == 2 and "-j/--jobs: expected 0 (one per CPU) or more processes, got -3" in result.stderr


def test_schema_command_prints_the_schema(tmp_path: Path):
    result = run("schema", cwd=tmp_path)
    assert result.returncode == 0 and '"title": "BudgetModel"' in result.stdout


def test_no_command_shows_usage(tmp_path: Path):
    result = run(cwd=tmp_path)
    assert result.returncode == 2 and "usage" in result.stderr


def _unit_copy(example_path: Path, folder: Path, name: str) -> Path:
    text = example_path.read_text(encoding="utf-8").replace("unit:\n", f"report: {{output_name: {name}}}\nunit:\n", 1)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_batch_builds_each_unit_on_its_own_and_reports_the_worst_exit(example_path: Path, tmp_path: Path):
    first, second = (_unit_copy(example_path, tmp_path, n) for n in ("单位甲", "单位乙"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("unit: {name: 坏, code: '1', fiscal_year: 2025}\nbudget: {lines: [{amount: x}]}\n", encoding="utf-8")
    result = run("build", first.name, broken.name, second.name, "-o", "out", "-j", "2", cwd=tmp_path)
    assert result.returncode == 2
    assert "broken.yaml:2 budget.lines[0].amount" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["单位乙.docx", "单位甲.docx"]
    assert "2 of 3 reports written" in result.stdout


def test_a_batch_of_good_units_exits_0(example_path: Path, tmp_path: Path):
    models = [_unit_copy(example_path, tmp_path, f"单位{i}").name for i in range(3)]
    result = run("build", *models, "-o", "out", "-j", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.docx"))) == 3


def test_json_output_for_other_systems(example_path: Path, tmp_path: Path):
    import json

    from reference_figures import TABLE_2

    result = run("build", str(example_path), "-o", "out", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [path] = (tmp_path / "out").glob("*.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    income = next(t for t in data["tables"] if t["number"] == 2)
    assert (income["unit"], income["decimals"]) == ("万元", 2)
    printed = [[r["code"], r["label"], *(a if a != "0.00" else "" for a in r["amounts"])] for r in income["rows"]]
    assert printed == TABLE_2
    assert data["sections"][2]["blocks"][0]["text"].startswith("2024年度晋城市总工会支出预算887.70万元")
    assert [s["annual_funds_yuan"] for s in data["performance_sheets"]][1] == "3097016.27"


def test_a_companion_of_an_earlier_build_is_named_as_not_matching_and_left_alone(example_path: Path, tmp_path: Path):
    first = run("build", str(example_path), "-o", "out", "--json", "--xlsx", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "wrote out/晋城市总工会-2024-单位预算公开.xlsx" in first.stdout
    earlier = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    for arguments in ([str(example_path)], [str(example_path), str(example_path.with_name("county-school-2025.yaml"))]):
        again = run("build", *arguments, "-o", "out", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        for suffix, flag in ((".json", "--json"), (".xlsx", "--xlsx")):
            assert (f"warning: out/晋城市总工会-2024-单位预算公开{suffix} is from an earlier build and was not written "
                    f"now (build it again with {flag}, or remove it): it may not match "
                    "晋城市总工会-2024-单位预算公开.docx") in again.stderr
        assert again.stderr.count("is from an earlier build") == 2
        assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.suffix != ".docx"} == {
            name: data for name, data in earlier.items() if not name.endswith(".docx")}


def test_a_console_that_cannot_encode_a_name_gets_it_escaped_not_an_internal_error(example_path: Path,
                                                                                 tmp_path: Path):
    """A GBK console (Chinese Windows, output redirected) and a name outside GBK: the report is written, exit 0."""
    import os

    (tmp_path / "rare.yaml").write_text(example_path.read_text(encoding="utf-8").replace("晋城市总工会", "𠮷野家"),
                                        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "disclosure", "build", "rare.yaml", "-o", "out"], cwd=tmp_path,
                            capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "gbk"})
    assert result.returncode == 0, result.stderr.decode("gbk", "replace")
    assert b"wrote out/\\U00020bb7" in result.stdout
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["𠮷野家-2024-单位预算公开.docx"]


def test_a_workbook_model_named_like_its_report_is_not_a_left_over(example_path: Path, tmp_path: Path):
    converted = run("convert", str(example_path), "unit.xlsx", cwd=tmp_path)
    assert converted.returncode == 0, converted.stderr
    result = run("build", "unit.xlsx", "-o", ".", "--name", "unit", cwd=tmp_path)
    assert result.returncode == 0 and "earlier build" not in result.stderr, result.stderr


def test_a_batch_refuses_two_units_writing_the_same_file(example_path: Path, tmp_path: Path):
    twin = tmp_path / "twin.yaml"
    twin.write_text(example_path.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("build", str(example_path), str(twin), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "writes 晋城市总工会-2024-单位预算公开.docx like" in result.stderr and "report.output_name" in result.stderr


@pytest.mark.pdf
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (.ci/install-pdf-deps.sh)")
def test_a_batch_reports_a_missing_pdf_attachment_for_its_unit_only(example_path: Path, tmp_path: Path):
    good = _unit_copy(example_path, tmp_path, "单位甲")
    text = _unit_copy(example_path, tmp_path, "单位乙").read_text(encoding="utf-8")
    bad = tmp_path / "单位乙.yaml"
    bad.write_text(text.replace("report: {output_name: 单位乙}",
                                "report: {output_name: 单位乙, attachments: [{file: 扫描件.pdf, title: 附件}]}"),
                   encoding="utf-8")
    result = run("build", good.name, bad.name, "-o", "out", "--pdf", cwd=tmp_path, timeout=300)
    assert result.returncode == 2
    assert "单位乙.yaml:5 report.attachments[0].file: no such PDF file: 扫描件.pdf" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["单位甲.docx", "单位甲.pdf"]


def test_validate_json_is_a_document_also_when_the_model_cannot_be_used(tmp_path: Path):
    import json

    (tmp_path / "bad.yaml").write_text("unit: {name: 测试, code: '1', fiscal_year: 2025}\nbudget: {lines: [{amount: 0100}]}\n",
                                       encoding="utf-8")
    result = run("validate", "bad.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr == ""
    document = json.loads(result.stdout)
    assert (document["file"], document["ok"], document["exit_code"], document["findings"]) == ("bad.yaml", False, 2, [])
    amount = next(p for p in document["problems"] if p["path"] == ["budget", "lines", 0, "amount"])
    assert amount["line"] == 2 and "got '0100'" in amount["message"]
    missing = run("validate", "nowhere.yaml", "--format", "json", cwd=tmp_path)
    assert missing.returncode == 2
    assert json.loads(missing.stdout)["problems"][0]["message"] == "no such file; expected a budget model (YAML or JSON)"


def test_validate_takes_several_models_and_returns_the_worst_exit(example_path: Path, tmp_path: Path):
    import json

    (tmp_path / "bad.yaml").write_text("unit: [a]\n", encoding="utf-8")
    text = run("validate", str(example_path), "bad.yaml", cwd=tmp_path)
    assert text.returncode == 2 and "Traceback" not in text.stderr
    assert f"{example_path}: 0 error(s)" in text.stdout and "bad.yaml:1 unit: expected a mapping" in text.stderr
    as_json = run("validate", str(example_path), "bad.yaml", "--format", "json", cwd=tmp_path)
    assert as_json.returncode == 2
    documents = json.loads(as_json.stdout)
    assert [(d["file"], d["ok"], d["exit_code"]) for d in documents] == [(str(example_path), True, 0), ("bad.yaml", False, 2)]


def test_output_names_from_every_source_stay_in_the_output_folder(example_path: Path, tmp_path: Path):
    for name in ("../escaped", "CON", "报告\u202egpj.exe", "  ..  "):
        result = run("build", str(example_path), "-o", "out", "--name", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    model = tmp_path / "unit.yaml"
    model.write_text("report: {output_name: ../../above}\n" + example_path.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("build", "unit.yaml", "-o", "out", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "unit.yaml"]
    # "  ..  " leaves nothing of a file name: the report gets its default name, not "report"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "_.._above.docx", "_CON.docx", "_escaped.docx", "报告gpj.exe.docx", "晋城市总工会-2024-单位预算公开.docx"]
