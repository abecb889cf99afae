"""第四部分 glossary, the appended catalogue and the performance sheets, as pure derivations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import disclosure
from disclosure.catalogue import CatalogueError, bundled_catalogue, load_catalogue
from disclosure.glossary import glossary_terms
from disclosure.model import Appendix, BudgetModel
from disclosure.performance import derive_sheets
from disclosure.pipeline import prepare
from disclosure.profile import load_profile

UNIT = {"name": "测试单位", "code": "001", "fiscal_year": 2025}


def model(**data) -> BudgetModel:
    return BudgetModel.model_validate({"unit": UNIT, **data})


def test_default_glossary_has_the_twelve_terms_in_order():
    terms = glossary_terms(model())
    assert [t.ordinal for t in terms][:3] == ["一", "二", "三"] and len(terms) == 12
    assert terms[8].text.startswith("一般公共预算是指以税收为主体")


def test_glossary_entry_overrides_in_place_and_new_terms_are_appended():
    terms = glossary_terms(model(glossary={"entries": [
        {"term": "基本支出", "text": "基本支出：本单位的定义。"},
        {"term": "专项债券", "text": "专项债券：新增名词。"},
    ]}))
    assert terms[0].text == "基本支出：本单位的定义。"
    assert (terms[-1].ordinal, terms[-1].text) == ("十三", "专项债券：新增名词。")


def test_glossary_can_replace_the_defaults():
    terms = glossary_terms(model(glossary={"replace_defaults": True, "entries": [{"term": "甲", "text": "甲：乙。"}]}))
    assert [(t.ordinal, t.text) for t in terms] == [("一", "甲：乙。")]


def test_bundled_catalogue_is_complete_as_documented():
    catalogue = bundled_catalogue("shanxi-batch-1")
    assert len(catalogue.items) == 1046 and len(catalogue.departments) == 32
    assert [sum(i.level == n for i in catalogue.items) for n in (1, 2, 3, 4)] == [32, 146, 300, 568]
    assert catalogue.notice.number == "晋市财综〔2021〕58号"


def test_a_catalogue_of_ones_own(tmp_path: Path):
    (tmp_path / "mine.csv").write_text("department,code,level,name,parent_code\n本部门,A,1,公共服务,\n"
                                       "本部门,A01,2,公共安全服务,A\n", encoding="utf-8")
    catalogue = load_catalogue(Appendix(catalogue="mine.csv", title="我的目录"), tmp_path)
    assert catalogue.title == "我的目录" and [i.code for i in catalogue.items] == ["A", "A01"]
    with pytest.raises(CatalogueError, match="no such catalogue file"):
        load_catalogue(Appendix(catalogue="missing.csv"), tmp_path)


def test_no_catalogue_is_appended_unless_the_model_or_the_profile_asks(tmp_path: Path, example_path: Path):
    text = example_path.read_text(encoding="utf-8")
    assert "appendix:\n  catalogue: shanxi-batch-1\n" in text  # the example opts in
    without = tmp_path / "no-appendix.yaml"
    without.write_text(text.replace("appendix:\n  catalogue: shanxi-batch-1\n", ""), encoding="utf-8")
    assert prepare(without).content.catalogue is None
    report = disclosure.build(without, tmp_path).docx
    import docx

    assert "晋市财综〔2021〕58号" not in "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    # a profile may append one by default; the model's appendix: null still leaves it out
    profile = tmp_path / "with-catalogue.yaml"
    bundled = (Path(disclosure.__file__).parent / "profiles" / "shanxi-13.yaml").read_text(encoding="utf-8")
    profile.write_text(bundled + "\nappendix: shanxi-batch-1\n", encoding="utf-8")
    assert prepare(without, profile=str(profile)).content.catalogue is not None
    null = tmp_path / "null-appendix.yaml"
    null.write_text(text.replace("appendix:\n  catalogue: shanxi-batch-1\n", "appendix: null\n"), encoding="utf-8")
    assert prepare(null, profile=str(profile)).content.catalogue is None
    # an appendix that names no catalogue takes the profile's, under its own title
    titled = tmp_path / "titled-appendix.yaml"
    titled.write_text(text.replace("appendix:\n  catalogue: shanxi-batch-1\n", "appendix: {title: 本单位目录}\n"),
                      encoding="utf-8")
    catalogue = prepare(titled, profile=str(profile)).content.catalogue
    assert catalogue is not None and catalogue.title == "本单位目录" and len(catalogue.items) > 100


def test_sheet_funds_derived_from_lines_by_source():
    m = model(
        projects=[{"name": "甲", "category": "特定目标类", "performance": {}}],
        budget={"lines": [
            {"function": "2012902", "kind": "项目支出", "project": "甲", "source": "一般公共预算", "amount": "1000.50"},
            {"function": "2012902", "kind": "项目支出", "project": "甲", "source": "单位资金", "amount": "99.50"},
            {"function": "2012902", "kind": "项目支出", "project": "甲", "source": "一般公共预算", "carry_over": True,
             "amount": "5"},
        ]},
    )
    [sheet] = derive_sheets(m, load_profile())
    assert sheet.annual_funds.total == Decimal("1100.00")
    assert (sheet.annual_funds.local, sheet.annual_funds.self_raised, sheet.annual_funds.other) == (
        Decimal("1000.50"), Decimal("99.50"), None)
    assert sheet.competent_department == "001-测试单位"


@pytest.mark.parametrize(("tier", "region", "provincial"), [
    ("省级", "广东省", True), ("自治区级", "广西壮族自治区", True), ("市级", "上海市", True),
    ("市级", "晋城市", False), ("区级", "上海市某某区", False), ("县级", None, False), (None, None, False),
])
def test_derived_sheet_funds_go_under_the_units_own_tier(tier, region, provincial):
    m = BudgetModel.model_validate({
        "unit": {**UNIT, "tier": tier, "region": region},
        "projects": [{"name": "甲", "category": "特定目标类", "performance": {}}],
        "budget": {"lines": [{"function": "2012902", "kind": "项目支出", "project": "甲", "source": "一般公共预算",
                              "amount": "1000"}]},
    })
    [sheet] = derive_sheets(m, load_profile())
    funds = sheet.annual_funds
    assert (funds.provincial, funds.local) == ((Decimal("1000"), 0) if provincial else (0, Decimal("1000")))


def test_declared_sheet_funds_must_match_the_lines():
    m = model(
        projects=[{"name": "甲", "category": "特定目标类",
                   "performance": {"funds": {"period": {"local": "900"}}}}],
        budget={"lines": [{"function": "2012902", "kind": "项目支出", "project": "甲", "source": "一般公共预算",
                           "amount": "1000"}]},
    )
    findings = disclosure.validate(m)
    assert [(f.rule, f.path) for f in findings if f.is_error] == [
        ("sheet-funds-match-lines", ("projects", 0, "performance", "funds"))]
    assert "900" in findings[0].message and "1,000" in findings[0].message
