"""The public API (disclosure.build, load, loads, validate, derive_tables): documented exceptions only."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import disclosure
from disclosure.errors import ArgumentError, DisclosureError


@pytest.mark.parametrize(("call", "message"), [
    (lambda: disclosure.load(None), "load(): path must be str or PathLike, not NoneType"),
    (lambda: disclosure.load(42), "load(): path must be str or PathLike, not int"),
    (lambda: disclosure.loads(b"unit: {}"), "loads(): text must be str, not bytes"),
    (lambda: disclosure.validate("unit.yaml"), "validate(): model must be BudgetModel or LoadedModel, not str "
                                               "(a file: disclosure.load(path) first)"),
    (lambda: disclosure.validate(None), "validate(): model must be BudgetModel or LoadedModel, not NoneType"),
    (lambda: disclosure.derive_tables({"unit": {}}), "derive_tables(): model must be BudgetModel, not dict"),
    (lambda: disclosure.build(123), "build(): source must be str or PathLike or LoadedModel or BudgetModel, not int"),
    (lambda: disclosure.build("unit.yaml", 5), "build(): output_dir must be str or PathLike, not int"),
    (lambda: disclosure.build("unit.yaml", "out", pdf="yes"), "build(): pdf must be bool, not str"),
    (lambda: disclosure.build("unit.yaml", "out", strict=1), "build(): strict must be bool, not int"),
    (lambda: disclosure.build("unit.yaml", "out", output_name=Path("x")), "build(): output_name must be str or None"),
    (lambda: disclosure.build("unit.yaml", "out", profile=Path("p.yaml")), "build(): profile must be Profile or str or None"),
    (lambda: disclosure.build("unit.yaml", "out", classification="bundled"), "build(): classification must be Classification"),
    (lambda: disclosure.build("unit.yaml", "out", progress="print"), "build(): progress must be callable or None"),
])
def test_a_wrong_argument_type_is_an_argument_error_naming_it(call, message: str):
    with pytest.raises(ArgumentError) as info:
        call()
    assert str(info.value).startswith(message)
    assert isinstance(info.value, TypeError) and isinstance(info.value, DisclosureError)


def test_validate_finds_what_the_command_line_finds(tmp_path: Path):
    """At the profile's scale (元 in the Shanghai form: two lines of 50 元 are no 尾差), with its catalogue read."""
    shanghai = ("unit: {name: 上海测试单位, code: '003', fiscal_year: 2025, type: 事业单位}\n"
                "report: {profile: shanghai-district-9}\nbudget:\n  lines:\n"
                "    - {function: 2010301, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 50}\n"
                "    - {function: 2010301, kind: 基本支出, source: 一般公共预算, economic: 30102, amount: 50}\n")
    path = tmp_path / "sh.yaml"
    path.write_text(shanghai, encoding="utf-8")
    import subprocess
    import sys
    cli = subprocess.run([sys.executable, "-m", "disclosure", "validate", str(path)], capture_output=True, text=True)
    assert cli.returncode == 0 and "0 error(s), 0 warning(s)" in cli.stdout
    assert disclosure.validate(disclosure.load(path)) == []
    # the Shanxi form, in 万元, finds the 尾差 (0.02 printed against 0.01)
    assert [f.rule for f in disclosure.validate(disclosure.load(path), profile="shanxi-13")] == ["rounding-difference"]
    with pytest.raises(disclosure.LoadError, match="appendix.catalogue: which catalogue to append is not given"):
        disclosure.validate(disclosure.loads("unit: {name: 甲, code: '1', fiscal_year: 2025}\nappendix: {title: 目录}\n"))


def test_a_model_built_in_python_with_a_control_character_is_refused_naming_the_field(tmp_path: Path):
    """The file reader refuses them; a model made with model_validate must not crash the build (lxml's "All
    strings must be XML compatible") nor lose them silently from the .docx while the JSON keeps them."""
    from disclosure.model import BudgetModel

    model = BudgetModel.model_validate({"unit": {"name": "测\x01试", "code": "1", "fiscal_year": 2025},
                                        "overview": {"intro": "a\x0bb", "duties": ["C:\\bin \\f"]}})
    with pytest.raises(disclosure.LoadError) as info:
        disclosure.build(model, tmp_path / "out")
    assert [str(p) for p in info.value.problems] == [
        "<model> unit.name: contains the control character U+0001, which a Word document cannot hold; remove it",
        "<model> overview.intro: contains the control character U+000B, which a Word document cannot hold; remove it"]
    assert not (tmp_path / "out").exists()
    clean = model.model_copy(update={"unit": model.unit.model_copy(update={"name": "测试"}),
                                     "overview": model.overview.model_copy(update={"intro": "ab"})})
    assert disclosure.build(clean, tmp_path / "out").docx.exists()  # a backslash before b or f is text


def test_a_loaded_model_given_to_derive_tables_says_what_to_pass(example):
    with pytest.raises(ArgumentError, match="derive_tables\\(\\): model must be BudgetModel, not LoadedModel"):
        disclosure.derive_tables(example)
    assert disclosure.derive_tables(example.model).income.rows


@pytest.mark.parametrize("name", ["build", "load", "loads", "validate", "derive_tables"])
def test_each_entry_point_lists_what_it_raises(name: str):
    doc = inspect.getdoc(getattr(disclosure, name)) or ""
    assert "Raises:" in doc and "ArgumentError" in doc, name


def test_the_api_output_name_stays_in_the_output_folder(tmp_path: Path, example_path: Path):
    out = tmp_path / "out"
    result = disclosure.build(example_path, out, output_name="../../escaped")
    assert result.docx == out / "_.._escaped.docx"
    assert [p.name for p in tmp_path.iterdir()] == ["out"] and [p.name for p in out.iterdir()] == ["_.._escaped.docx"]
    with pytest.raises(disclosure.UsageError, match="^output_name: the report's file name gives a file name of 900 bytes"):
        disclosure.build(example_path, out, output_name="名" * 300)


def test_the_package_names_load_the_function_even_after_its_module_is_imported():
    import importlib

    module = importlib.import_module("disclosure.load")
    assert disclosure.load is module.load and callable(disclosure.load)
    from disclosure import build, load  # noqa: F401 - the names resolve
    assert set(disclosure.__all__) <= set(dir(disclosure))


def test_a_profile_file_named_relative_to_the_model_is_found_beside_it(tmp_path: Path, monkeypatch):
    """report.profile: forms/mine.yaml is found in the model's folder, whatever the current folder."""
    import docx

    root = Path(__file__).resolve().parents[1]
    unit = tmp_path / "unit"
    (unit / "forms").mkdir(parents=True)
    profile = (root / "src" / "disclosure" / "profiles" / "shanghai-district-9.yaml").read_text(encoding="utf-8")
    (unit / "forms" / "mine.yaml").write_text(profile, encoding="utf-8")
    model = (root / "examples" / "shanghai-district-library-2025.yaml").read_text(encoding="utf-8")
    assert "profile: shanghai-district-9" in model
    (unit / "unit.yaml").write_text(model.replace("profile: shanghai-district-9", "profile: forms/mine.yaml"),
                                    encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = docx.Document(str(disclosure.build(unit / "unit.yaml", tmp_path / "out").docx))
    titles = [p.text for p in report.paragraphs]
    assert any(t.endswith("年预算单位收入预算总表") for t in titles)  # a table title of the Shanghai form
