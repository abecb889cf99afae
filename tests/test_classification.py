"""classification: bundled lists, name rules, and a user's fuller edition replacing the bundled one."""

from pathlib import Path

import pytest

from disclosure.classification import (
    FUNCTION_LEVEL_LENGTHS,
    ClassificationFileError,
    CodeList,
    NameProblem,
    bundled,
    function_lineage,
    is_personnel_economic,
    resolve_names,
)


def test_bundled_lists_hold_the_reference_codes():
    c = bundled()
    assert c.function.get("2013105").name == "专项业务"
    assert c.function.get("20131").name == "党委办公厅（室）及相关机构事务"
    assert c.economic.get("30101").name == "基本工资"
    assert [s.label for s in c.summary_classes][:2] == ["一、一般公共服务支出", "二、外交支出"]
    assert len(c.summary_classes) == 30
    assert c.summary_class_of("2299999").label == "二十五、其他支出"


def test_lineage_rolls_up_xiang_kuan_lei():
    assert function_lineage("2012902") == ("201", "20129", "2012902")


def test_personnel_is_301_and_303():
    assert is_personnel_economic("30101") and is_personnel_economic("30302")
    assert not is_personnel_economic("30201")


def test_name_rules():
    names, issues = resolve_names(
        ["2013105", "2019901", "2019999"],
        {"2013105": "专项业务", "2019901": "自编名称", "2019999": "另一个名称"},
        bundled().function,
    )
    by_code = {i.code: i.problem for i in issues}
    assert names["2013105"] == "专项业务" and "2013105" not in by_code
    assert by_code["2019901"] is NameProblem.UNVERIFIED and names["2019901"] == "自编名称"
    assert by_code["2019999"] is NameProblem.CONTRADICTS_LIST and names["2019999"] == "其他一般公共服务支出"
    _, issues = resolve_names(["2019901"], {}, bundled().function)
    assert issues[0].problem is NameProblem.MISSING


def test_user_file_replaces_the_bundled_list(tmp_path: Path):
    path = tmp_path / "function-2025.csv"
    path.write_text("code,name,level,parent_code\n201,一般公共服务支出,lei,\n20103,政府办公厅（室）及相关机构事务,kuan,201\n"
                    "2010301,行政运行,xiang,20103\n", encoding="utf-8")
    c = bundled().with_function_file(path)
    assert c.function.get("2010301").name == "行政运行"
    assert c.function.get("2013105") is None  # replaced, not merged
    assert bundled().function.get("2013105") is not None


@pytest.mark.parametrize(
    "row",
    ["20,短,lei,", "2010,四位,kuan,201", "20101x,字母,kuan,201", "20101,,kuan,201"],
)
def test_malformed_rows_in_a_user_file_are_refused(tmp_path: Path, row):
    path = tmp_path / "bad.csv"
    path.write_text(f"code,name,level,parent_code\n{row}\n", encoding="utf-8")
    with pytest.raises(ClassificationFileError, match="bad.csv:2"):
        CodeList.from_csv(path, FUNCTION_LEVEL_LENGTHS)


def test_a_parent_that_is_not_the_prefix_is_refused(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name,level,parent_code\n20101,人大事务,kuan,202\n", encoding="utf-8")
    with pytest.raises(ClassificationFileError, match="prefix"):
        CodeList.from_csv(path, FUNCTION_LEVEL_LENGTHS)


def test_the_level_column_takes_the_chinese_level_words(tmp_path: Path):
    path = tmp_path / "function-2025.csv"
    path.write_text("code,name,level,parent_code\n201,一般公共服务支出,类,\n20103,政府办公厅（室）及相关机构事务,款,201\n"
                    "2010301,行政运行,项,20103\n2010302,一般行政管理事务,Xiang,20103\n", encoding="utf-8")
    codes = CodeList.from_csv(path, FUNCTION_LEVEL_LENGTHS).codes
    assert [(c.code, c.level) for c in codes.values()] == [
        ("201", "lei"), ("20103", "kuan"), ("2010301", "xiang"), ("2010302", "xiang")]


@pytest.mark.parametrize(
    ("row", "blamed"),
    [
        ("201,一般公共服务支出,级,", "column level: '级' is not a level; expected 类 (lei), 款 (kuan), 项 (xiang)"),
        ("201,一般公共服务支出,款,", "column level: '款' does not fit code 201 (3 digits is a 类 code; "
                                   "a 款 code has 5 digits)"),
        ("2010,四位,款,201", "column code: '2010' has 4 digits; codes have 类 3, 款 5, 项 7 digits"),
        ("20101x,字母,款,201", "column code: '20101x' is not a code of digits"),
        ("20101,,款,201", "column name: code 20101 has no name"),
        ("20101,人大事务,款,202", "column parent_code: 202 of 20101 is not its prefix 201"),
    ],
)
def test_a_bad_row_blames_the_column_that_is_wrong(tmp_path: Path, row: str, blamed: str):
    path = tmp_path / "bad.csv"
    path.write_text(f"code,name,level,parent_code\n{row}\n", encoding="utf-8")
    with pytest.raises(ClassificationFileError) as info:
        CodeList.from_csv(path, FUNCTION_LEVEL_LENGTHS)
    assert str(info.value) == f"{path}:2: {blamed}"
