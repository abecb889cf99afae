"""The finance officer's workbook: every field has a place, YAML ↔ workbook is lossless, a workbook builds the
same report as its YAML, and a filled-in template builds (issue 11)."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx_reading import all_text, open_report
from exploration import examples
from hypothesis import HealthCheck, given, settings
from model_strategies import budget_models
from workbook_editing import Officer, form_row, header_columns

import disclosure
from disclosure.cli import main
from disclosure.export import report_data
from disclosure.load import LoadError
from disclosure.model import ExpenditureKind, FundingSource, ProjectCategory, UnitType
from disclosure.pipeline import prepare
from disclosure.workbook import layout as L
from disclosure.workbook.convert import convert, difference, model_yaml
from disclosure.workbook.guide import guide_rows
from disclosure.workbook.read import loads_workbook
from disclosure.workbook.write import write_model_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _workbook_bytes(model) -> bytes:
    buffer = io.BytesIO()
    write_model_workbook(model, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def example_workbook(tmp_path_factory, example_path) -> Path:
    folder = tmp_path_factory.mktemp("workbook")
    target = folder / "unit.xlsx"
    convert(example_path, target)
    return target


def _copy(source: Path, folder: Path, name: str = "unit.xlsx") -> Path:
    target = folder / name
    target.write_bytes(source.read_bytes())
    return target


# --------------------------------------------------------------------------- the layout


def test_every_field_of_the_model_has_a_place_in_the_workbook():
    coverage = L.coverage()
    placed = set(coverage.placed)
    containers = {p[:n] for p in placed for n in range(1, len(p))}
    for path in L.model_fields():
        assert path in placed or path in containers or path in coverage.generic, path
    # the main facts are real tables an officer fills, not generic rows
    assert coverage.placed[("budget", "lines", "[]", "amount")].sheet == "预算明细"
    assert coverage.placed[("projects", "[]", "category")].sheet == "项目"
    assert coverage.placed[("projects", "[]", "performance", "indicators", "[]", "[]", "[]", "name")].sheet == "绩效指标"
    assert coverage.placed[("three_public", "一般公共预算", "official_reception")].sheet == "三公经费"
    assert coverage.placed[("operating_costs", "一般公共预算")].sheet == "机关运行经费"
    assert coverage.placed[("procurement", "services")].sheet == "政府采购"
    assert coverage.placed[("assets", "vehicles", "actual")].sheet == "国有资产"
    assert coverage.placed[("last_year", "total", "amount")].sheet == "上年数"
    assert coverage.placed[("overview", "duties")].sheet == "说明文字"
    assert coverage.placed[("glossary", "entries", "[]", "text")].sheet == "名词解释"
    assert coverage.generic == (), "fields only the generic sheet 其他 holds (fine, but give officers a sheet?)"


@pytest.mark.parametrize("spec", L.SHEETS, ids=[s.name for s in L.SHEETS])
def test_headers_are_chinese_and_unique_in_their_sheet(spec):
    if isinstance(spec, L.Form):
        labels = [leaf.label for leaf in spec.rows()]
    elif isinstance(spec, L.Texts):
        labels = list(spec.sections())
    else:
        labels = [leaf.label for leaf in spec.columns()]
    assert len(labels) == len(set(labels)), labels
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels


def test_lists_of_values_come_from_the_model():
    lines = {leaf.path: leaf for leaf in L.sheet("预算明细").columns()}
    assert lines[("source",)].choices == tuple(s.value for s in FundingSource)
    assert lines[("kind",)].choices == tuple(k.value for k in ExpenditureKind)
    assert lines[("carry_over",)].choices == ("是", "否")
    projects = {leaf.path: leaf for leaf in L.sheet("项目").columns()}
    assert projects[("category",)].choices == tuple(c.value for c in ProjectCategory)
    unit = {leaf.path: leaf for leaf in L.sheet("单位信息").rows()}
    assert unit[("unit", "type")].choices == tuple(t.value for t in UnitType)
    assert unit[("unit", "amount_unit")].choices == ("元", "万元")


def test_the_template_validates_sources_kinds_categories_and_unit_types(tmp_path):
    code, _, err = _run("init", "--xlsx", str(tmp_path / "unit.xlsx"))
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "unit.xlsx")
    lists = {str(v.formula1) for name in ("预算明细", "项目", "单位信息") for v in book[name].data_validations.dataValidation}
    for values in (FundingSource, ExpenditureKind, ProjectCategory, UnitType):
        assert '"' + ",".join(v.value for v in values) + '"' in lists, values
    assert book.sheetnames[0] == L.GUIDE_SHEET and book.sheetnames[1:] == [*(s.name for s in L.SHEETS), L.GENERIC_SHEET]
    # every column naming a project offers the 项目 sheet's names, also on sheets placed before it
    for name, column in (("预算明细", "C"), ("项目绩效", "A"), ("绩效指标", "A")):
        offered = {str(v.sqref): v.formula1 for v in book[name].data_validations.dataValidation}
        assert offered[f"{column}3:{column}1048576"] == "'项目'!$A$3:$A$1048576", name


def test_the_guide_is_generated_from_the_model_descriptions():
    rows = list(guide_rows())
    described = {row[6]: row[7] for row in rows if row[6]}
    assert "projects[].performance.indicators" in described and not any('"' in field for field in described)
    assert described["budget.lines[].amount"] == disclosure.model.BudgetLine.model_fields["amount"].description
    assert described["unit.fiscal_year"] == disclosure.model.Unit.model_fields["fiscal_year"].description
    for placement in L.placements():
        if placement.sheet in ("单位信息", "预算明细", "国有资产") and not placement.label.startswith("（"):
            assert any(row[0] == placement.sheet and row[1] == placement.label for row in rows), placement


def test_the_workbook_reference_page_is_current():
    from disclosure.workbook.guide import workbook_reference

    page = (ROOT / "docs" / "workbook-reference.md").read_text(encoding="utf-8")
    assert page == workbook_reference(), "docs/workbook-reference.md is stale: run python tools/make_docs.py"


# --------------------------------------------------------------------------- lossless


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_converts_to_a_workbook_and_back(path: Path, tmp_path: Path):
    original = disclosure.load(path).model
    code, out, err = _run("convert", str(path), str(tmp_path / "unit.xlsx"))
    assert code == 0 and "wrote" in out, err
    code, _, err = _run("convert", str(tmp_path / "unit.xlsx"), str(tmp_path / "back.yaml"))
    assert code == 0, err
    assert difference(original, disclosure.load(tmp_path / "unit.xlsx").model) is None
    assert difference(original, disclosure.load(tmp_path / "back.yaml").model) is None


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.data_too_large])
@given(model=budget_models)
def test_generated_models_survive_yaml_to_workbook_to_yaml(model):
    from_yaml = disclosure.loads(model_yaml(model)).model
    assert difference(model, from_yaml) is None
    from_workbook = loads_workbook(_workbook_bytes(from_yaml), "unit.xlsx").model
    assert difference(from_yaml, from_workbook) is None
    again = disclosure.loads(model_yaml(from_workbook)).model
    assert difference(from_yaml, again) is None


def test_the_yaml_written_is_for_people(example_path: Path):
    text = model_yaml(disclosure.load(example_path).model)
    assert "name: 晋城市总工会" in text and "\\u" not in text  # Chinese as is
    assert "amount: 3097016.27" in text and "amount: 1500000\n" in text  # plain decimals
    assert "function: '2012902'" in text and "code: '959'" in text  # codes quoted
    assert "{" not in text.split("appendix:")[0]  # block style
    assert "amount_unit: 元" in text and "catalogue: shanxi-batch-1" in text


def test_convert_never_overwrites_without_force(example_path: Path, tmp_path: Path):
    target = tmp_path / "unit.xlsx"
    target.write_bytes(b"mine")
    code, _, err = _run("convert", str(example_path), str(target))
    assert code == 2 and "exists" in err and target.read_bytes() == b"mine"
    assert _run("convert", str(example_path), str(target), "--force")[0] == 0
    code, _, err = _run("convert", str(target), str(tmp_path / "unit.txt"))
    assert code == 2 and "write a .yaml or an .xlsx file" in err


# --------------------------------------------------------------------------- the same report


def test_the_report_built_from_the_workbook_is_the_report_built_from_the_yaml(example_workbook, example_path, tmp_path):
    from_yaml, from_workbook = prepare(example_path), prepare(example_workbook)
    assert report_data(from_yaml.content, from_yaml.findings) == report_data(from_workbook.content,
                                                                              from_workbook.findings)
    yaml_docx = disclosure.build(example_path, tmp_path / "yaml").docx
    workbook_docx = disclosure.build(example_workbook, tmp_path / "xlsx").docx
    assert yaml_docx.name == workbook_docx.name
    assert all_text(open_report(yaml_docx)) == all_text(open_report(workbook_docx))


# --------------------------------------------------------------------------- an officer fills the template


def test_a_blank_workbook_speaks_of_no_one_forms_table_numbers(tmp_path: Path):
    """Notes and the guide name tables by what they hold: 预算公开表10 or （十一） is the Shanxi form's numbering,
    and 12月31日 its 截至 date, which a Shanghai officer's workbook must not teach."""
    template = tmp_path / "unit.xlsx"
    assert _run("init", "--xlsx", str(template), "--profile", "shanghai-district-9")[0] == 0
    texts = [cell.value for sheet in openpyxl.load_workbook(template).worksheets for row in sheet.iter_rows()
             for cell in row if isinstance(cell.value, str)]
    found = [text for text in texts if re.search(r"预算公开表\d|\btable \d|（十一）|九、|12月31日", text)]
    assert found == []


def test_the_template_filled_in_by_an_officer_builds(tmp_path: Path):
    template = tmp_path / "unit.xlsx"
    assert _run("init", "--xlsx", str(template), "--profile", "shanxi-13")[0] == 0
    officer = Officer(template)
    officer.fill_form("单位信息", {"单位名称": "某县教育局", "单位代码": "305001", "单位类型": "行政单位",
                               "预算年度": 2025, "金额单位": "万元"})
    officer.append("项目", {"项目名称": "校舍维修", "项目类别": "特定目标类", "项目属性": "一次性项目", "项目期（年）": 1})
    officer.append("预算明细", {"功能分类科目编码": 2050101, "支出类型": "基本支出", "资金来源": "一般公共预算",
                            "经济分类科目编码": 30101, "金额": 120.5})
    officer.append("预算明细", {"功能分类科目编码": "2050201", "支出类型": "项目支出", "项目名称": "校舍维修",
                            "资金来源": "一般公共预算", "上年结转": "否", "金额": "80"})
    officer.append("项目绩效", {"项目名称": "校舍维修", "项目概况": "维修教学楼屋面。", "总体目标（实施期）": "完成维修。"})
    officer.append("绩效指标", {"项目名称": "校舍维修", "一级指标": "产出指标", "二级指标": "数量指标",
                            "三级指标": "维修面积", "指标值": "≥800平方米"})
    officer.append("绩效指标", {"三级指标": "维修栋数", "指标值": "2栋"})  # 项目/一级/二级 as above
    for code, name in (("205", "教育支出"), ("20501", "教育管理事务"), ("2050101", "行政运行"), ("20502", "普通教育"),
                       ("2050201", "学前教育")):  # the bundled list is partial: the officer names the codes
        officer.append("科目名称", {"类别": "功能科目名称", "编码": code, "内容": name})
    ws = officer.book["三公经费"]
    ws.cell(row=3, column=header_columns(ws)["公务接待费"], value=1.2)
    ws = officer.book["说明文字"]
    ws.cell(row=5, column=2, value="负责全县教育工作。")  # 单位职责 (the template lists each 栏目 once)
    officer.book["上年数"].cell(row=form_row(officer.book["上年数"], "上年收支预算总计·金额"), column=2, value=190)
    officer.save()
    out = tmp_path / "out"
    code, _, err = _run("build", str(template), "-o", str(out), "--quiet")
    assert code == 0, err
    [report] = out.glob("*.docx")
    text = all_text(open_report(report))
    assert "某县教育局" in text and "校舍维修" in text and "维修栋数" in text
    model = disclosure.load(template).model
    assert model.report.profile == "shanxi-13"  # init --profile wrote it into 单位信息
    assert model.budget.lines[0].amount == Decimal("120.5") and model.unit.amount_unit == "万元"
    assert model.three_public["一般公共预算"].official_reception == Decimal("1.2")
    assert list(model.projects[0].performance.indicators["产出指标"]["数量指标"]) == [
        disclosure.model.Indicator(name="维修面积", value="≥800平方米"),
        disclosure.model.Indicator(name="维修栋数", value="2栋")]
    assert model.overview.duties == ["负责全县教育工作。"]


# --------------------------------------------------------------------------- reading cells


def _load_error(path: Path) -> str:
    with pytest.raises(LoadError) as caught:
        disclosure.load(path)
    return str(caught.value)


def test_amount_text_of_digits_is_read_exactly(example_workbook, tmp_path):
    officer = Officer(_copy(example_workbook, tmp_path))
    officer.set("预算明细", "金额", 4, "3,097,016.27")
    officer.set("预算明细", "金额", 5, 0.1)
    officer.save()
    lines = disclosure.load(officer.path).model.budget.lines
    assert lines[3].amount == Decimal("3097016.27") and lines[4].amount == Decimal("0.1")


def test_a_choice_typed_with_spaces_around_it_is_that_choice(example_workbook, tmp_path):
    officer = Officer(_copy(example_workbook, tmp_path))
    officer.set("预算明细", "资金来源", 2, "一般公共预算 ")
    officer.set("预算明细", "支出类型", 3, " 基本支出")
    officer.save()
    lines = disclosure.load(officer.path).model.budget.lines
    assert (lines[1].source.value, lines[2].kind.value) == ("一般公共预算", "基本支出")


def test_text_in_an_amount_cell_names_sheet_and_cell(example_workbook, tmp_path):
    officer = Officer(_copy(example_workbook, tmp_path))
    where = officer.set("预算明细", "金额", 2, "abc")
    officer.save()
    assert where == "预算明细!G4"
    assert (f"{officer.path} 预算明细!G4 budget.lines[1].amount: expected a decimal with at most 2 places, got 'abc'"
            in _load_error(officer.path))


def test_a_float_artefact_is_refused_not_rounded(example_workbook, tmp_path):
    path = _copy(example_workbook, tmp_path)
    # Excel saves a computed 0.1+0.2 with all 17 digits (openpyxl would round it to 15 when writing)
    _patch_sheet(path, "预算明细", r'<c r="G3"([^>]*)><v>[^<]*</v>', r'<c r="G3"\1><v>0.30000000000000004</v>')
    assert "预算明细!G3 budget.lines[0].amount: expected a decimal with at most 2 places, got 0.30000000000000004" \
        in _load_error(path)


def test_a_date_in_an_amount_cell_is_refused(example_workbook, tmp_path):
    import datetime

    officer = Officer(_copy(example_workbook, tmp_path))
    officer.set("预算明细", "金额", 1, datetime.date(2024, 1, 5), "yyyy-mm-dd")
    officer.save()
    assert "预算明细!G3 budget.lines[0].amount: expected an amount, got the date 2024-01-05" in _load_error(officer.path)


def test_formulas_are_read_by_their_saved_result_never_computed(example_workbook, tmp_path):
    officer = Officer(_copy(example_workbook, tmp_path))
    where = officer.set("预算明细", "金额", 1, "=100000*2.8")
    officer.save()
    # openpyxl saves no result: the formula is an error naming the cell, never evaluated
    assert f"{where} budget.lines[0].amount: a formula without a saved result" in _load_error(officer.path)
    _save_formula_result(officer.path, "预算明细", "G3", "280000")  # as Excel would: the formula and its result
    assert disclosure.load(officer.path).model.budget.lines[0].amount == Decimal(280000)


def _save_formula_result(path: Path, sheet: str, ref: str, value: str) -> None:
    """Put Excel's saved result ``value`` next to the formula of ``sheet!ref`` (openpyxl cannot)."""
    _patch_sheet(path, sheet, rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?', rf"\1<f>\2</f><v>{value}</v>")


def _patch_sheet(path: Path, sheet: str, pattern: str, replacement: str) -> None:
    """Rewrite the XML of ``sheet`` as another program would have saved it."""
    import zipfile

    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(sheet) + 1
    book.close()
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    name = f"xl/worksheets/sheet{index}.xml"
    text, count = re.subn(pattern, replacement, parts[name].decode())
    assert count == 1, (pattern, parts[name][:2000])
    parts[name] = text.encode()
    with zipfile.ZipFile(path, "w") as target:
        for part, data in parts.items():
            target.writestr(part, data)


def test_columns_are_found_by_header_anywhere_in_the_first_rows(example_workbook, tmp_path):
    path = _copy(example_workbook, tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["预算明细"]
    ws.insert_rows(1, 2)  # two title rows more above the header
    ws.move_range("A1:A20", cols=20)  # the code column to the far right
    ws.cell(row=4, column=23, value="备注（不读取）")
    ws.cell(row=5, column=23, value="anything")
    book.save(path)
    assert difference(disclosure.load(example_workbook).model, disclosure.load(path).model) is None


def test_an_unknown_or_missing_column_is_named(example_workbook, tmp_path):
    path = _copy(example_workbook, tmp_path)
    book = openpyxl.load_workbook(path)
    book["预算明细"]["G2"] = "金 额（元）"
    book.save(path)
    message = _load_error(path)
    assert "预算明细!G2: unknown column '金额（元）'; did you mean 金额?" in message
    assert "预算明细!A2:2" not in message and "the column 金额 is missing from the header row" in message


def test_hidden_rows_are_read_like_visible_ones(example_workbook, tmp_path):
    path = _copy(example_workbook, tmp_path)
    book = openpyxl.load_workbook(path)
    book["预算明细"].row_dimensions[4].hidden = True
    book.save(path)
    assert len(disclosure.load(path).model.budget.lines) == 5


def test_merged_indicator_cells_mean_the_same_as_above(example_workbook, tmp_path):
    path = _copy(example_workbook, tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["绩效指标"]
    ws.merge_cells("A3:A10")  # 劳模疗养体检's rows, merged as officers print them
    ws.merge_cells("B3:B8")
    book.save(path)
    assert difference(disclosure.load(example_workbook).model, disclosure.load(path).model) is None


def test_other_sheets_are_ignored_and_a_renamed_one_is_named(example_workbook, tmp_path):
    path = _copy(example_workbook, tmp_path)
    book = openpyxl.load_workbook(path)
    book.create_sheet("我的草稿")["A1"] = "=1/0"
    book.save(path)
    assert difference(disclosure.load(example_workbook).model, disclosure.load(path).model) is None
    book["预算明细"].title = "预算明细 (2)"
    book.save(path)
    assert "预算明细 (2): is not a sheet the workbook is read from; did you mean 预算明细?" in _load_error(path)


def test_validate_names_the_cell_of_each_finding(example_workbook, tmp_path):
    officer = Officer(_copy(example_workbook, tmp_path))
    officer.set("预算明细", "项目名称", 2, "帮扶送暖")
    officer.save()
    code, _, err = _run("validate", str(officer.path))
    assert code == 1
    assert f"error: {officer.path} 预算明细!C4 budget.lines[1].project: [line-project] 项目“帮扶送暖”未在projects中声明" in err


def test_a_missing_unit_sheet_is_named(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(tmp_path / "unit.xlsx")
    assert "has no sheet 单位信息 (its sheets: Sheet1)" in _load_error(tmp_path / "unit.xlsx")


def test_the_cli_reads_a_workbook_in_a_subprocess_without_a_traceback(example_workbook, tmp_path):
    result = subprocess.run([sys.executable, "-m", "disclosure", "validate", str(example_workbook)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "0 error(s)" in result.stdout, result.stderr


def test_a_workbook_resaved_by_a_spreadsheet_program_reads_the_same(example_workbook, tmp_path):
    """LibreOffice Calc opens the workbook and saves it its own way (shared strings, its styles): same model."""
    import shutil

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("no LibreOffice (soffice) on PATH")
    command = [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
               "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "resaved"), str(example_workbook)]
    subprocess.run(command, capture_output=True, timeout=180)
    resaved = tmp_path / "resaved" / "unit.xlsx"
    if not resaved.exists():
        pytest.skip("LibreOffice without Calc (Debian: libreoffice-calc-nogui)")
    assert difference(disclosure.load(example_workbook).model, disclosure.load(resaved).model) is None


def test_validate_json_names_the_cell_of_problems_and_findings(example_workbook, tmp_path):
    import json

    officer = Officer(_copy(example_workbook, tmp_path))
    officer.set("预算明细", "项目名称", 2, "帮扶送暖")
    officer.save()
    code, out, _ = _run("validate", str(officer.path), "--format", "json")
    finding = next(f for f in json.loads(out)["findings"] if f["rule"] == "line-project")
    assert code == 1 and finding["cell"] == "预算明细!C4" and finding["path"] == ["budget", "lines", 1, "project"]

    officer.set("预算明细", "金额", 2, "abc")
    officer.save()
    code, out, _ = _run("validate", str(officer.path), "--format", "json")
    problem = json.loads(out)["problems"][0]
    assert code == 2 and (problem["cell"], problem["line"]) == ("预算明细!G4", None)
