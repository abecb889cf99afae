"""Every phrasing branch of 第三部分, each with the exact sentence it must produce (no docx involved)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from disclosure.model import BudgetModel
from disclosure.narrative import Narrative, narrate
from disclosure.profile import fill_placeholders
from disclosure.tables import derive_tables

LINES = [
    # 基本支出, 一般公共预算: 100.00 + 20.00 (301 / 302 of 201) and 15.00 (301 of 208)
    {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30101", "amount": 1000000},
    {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30201", "amount": 200000},
    {"function": "2080505", "kind": "基本支出", "source": "一般公共预算", "economic": "30108", "amount": 150000},
    # 项目支出: 甲 50.00 this year + 3.00 上年结转 (一般公共预算), 乙 12.00 单位资金
    {"function": "2013105", "kind": "项目支出", "project": "甲", "source": "一般公共预算", "amount": 500000},
    {"function": "2013105", "kind": "项目支出", "project": "甲", "source": "一般公共预算", "carry_over": True,
     "amount": 30000},
    {"function": "2120102", "kind": "项目支出", "project": "乙", "source": "单位资金", "amount": 120000},
]
BASE: dict[str, Any] = {
    "unit": {"name": "测试单位", "code": "001", "fiscal_year": 2025},
    "projects": [
        {"name": "甲", "category": "其他运转类", "performance": {"overview": "甲的概况"}},
        {"name": "乙", "category": "特定目标类"},
    ],
    "budget": {"lines": LINES},
}


def narrative_of(**changes: Any) -> Narrative:
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        data[key] = value
    model = BudgetModel.model_validate(data)
    return narrate(model, derive_tables(model))


def texts(narrative: Narrative, number: int) -> list[str]:
    return [block.text for block in narrative.sections[number].blocks]


# --------------------------------------------------------------------------- 一、change on last year

TOTALS = ("2025年度测试单位预算收入总计200.00万元，其中：本年收入197.00万元，上年结转3.00万元{c}；本年单位预算支出总计"
          "200.00万元，其中：本年预算安排197.00万元，上年结转3.00万元{c}。")


def test_no_last_year_figure_prints_no_comparison():
    assert texts(narrative_of(), 1) == [TOTALS.format(c="")]


def test_decrease_on_last_year_with_reason():
    n = narrative_of(last_year={"total": {"amount": 2500000, "reason": "压减一般性支出。"}})
    assert texts(n, 1) == [TOTALS.format(c="，比上年减少50.00万元，下降20.00%，主要原因是压减一般性支出")]


def test_increase_on_last_year_without_reason():
    n = narrative_of(last_year={"total": {"amount": 1600000}})
    assert texts(n, 1) == [TOTALS.format(c="，比上年增加40.00万元，增长25.00%")]


def test_unchanged_prints_no_reason():
    n = narrative_of(last_year={"total": {"amount": 2000000, "reason": "不应印出"}})
    assert texts(n, 1) == [TOTALS.format(c="，与上年持平")]


def test_last_year_zero_gives_no_rate():
    n = narrative_of(last_year={"general_public_current": {"amount": 0, "reason": "新设单位"}})
    assert texts(n, 5)[1] == "2025年度测试单位一般公共预算当年支出185.00万元，比上年增加185.00万元，主要原因是新设单位。"


# --------------------------------------------------------------------------- 二 to 六


def test_income_sources_with_carry_over_and_shares():
    assert texts(narrative_of(), 2) == [
        "2025年度测试单位预算收入200.00万元，主要包括一般公共预算拨款收入185.00万元，占92.50%；政府性基金预算拨款收入0万元，"
        "占0%；国有资本经营预算拨款收入0万元，占0%；财政专户管理资金收入0万元，占0%；单位资金12.00万元，占6.00%；"
        "上年结转3.00万元，占1.50%。"
    ]


def test_each_share_is_its_printed_part_over_the_printed_whole_not_adjusted_to_100():
    # three equal thirds print 33.33% each (a reader recomputes 100.00 / 300.00); the shares add up to 99.99%
    lines = [{"function": "2012902", "kind": "项目支出", "project": "甲", "source": source, "amount": 1000000}
             for source in ("一般公共预算", "政府性基金预算", "国有资本经营预算")]
    n = narrative_of(budget={"lines": lines})
    assert "一般公共预算拨款收入100.00万元，占33.33%；政府性基金预算拨款收入100.00万元，占33.33%；国有资本经营预算拨款收入" \
           "100.00万元，占33.33%" in texts(n, 2)[0]


def test_the_issue_8_shares_recompute_from_the_printed_figures():
    # 15.00 / 1266.19 is 1.18% and 51.23 / 1198.19 is 4.28% half up; largest remainder printed 1.19% and 4.27%
    lines = [
        {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30101", "amount": 12511900},
        {"function": "2012902", "kind": "项目支出", "project": "甲", "source": "单位资金", "amount": 150000},
    ]
    n = narrative_of(budget={"lines": lines})
    assert "项目支出15.00万元，占1.18%" in texts(n, 3)[0]
    lines = [
        {"function": "2012902", "kind": "基本支出", "source": "一般公共预算", "economic": "30101", "amount": 11469600},
        {"function": "2012902", "kind": "项目支出", "project": "甲", "source": "单位资金", "amount": 512300},
    ]
    n = narrative_of(budget={"lines": lines})
    assert "项目支出51.23万元，占4.28%" in texts(n, 3)[0]


def test_basic_and_project_spending():
    assert texts(narrative_of(), 3) == [
        "2025年度测试单位支出预算200.00万元，其中：基本支出135.00万元，占67.50%；项目支出65.00万元，占32.50%。"
    ]


def test_fiscal_appropriation_with_carry_over_and_classes():
    assert texts(narrative_of(), 4) == [
        "2025年度测试单位财政拨款收支总预算188.00万元。其中：一般公共预算拨款188.00万元，政府性基金预算拨款0万元，"
        "国有资本经营预算拨款0万元。其中：当年拨款收入185.00万元，上年结转收入3.00万元。支出包括：一般公共服务支出"
        "173.00万元、社会保障和就业支出15.00万元等。"
    ]


def test_no_fiscal_appropriation():
    lines = [{**line, "source": "单位资金"} for line in LINES]
    n = narrative_of(budget={"lines": lines})
    assert texts(n, 4) == ["2025年度测试单位无财政拨款收支预算。"]
    assert texts(n, 5)[3] == "2025年度测试单位一般公共预算当年支出0万元，主要用于以下方面：无。"
    assert texts(n, 6) == ["2025年度测试单位一般公共预算安排基本支出0万元，其中：", "人员经费0万元，主要包括：无；",
                           "公用经费0万元，主要包括：无。"]


def test_general_public_scale_unchanged_and_structure():
    n = narrative_of(last_year={"general_public_current": {"amount": 1850000, "reason": "不应印出"}})
    assert texts(n, 5) == [
        "（一）一般公共预算当年支出规模变化情况",
        "2025年度测试单位一般公共预算当年支出185.00万元，与上年持平。",
        "（二）一般公共预算当年支出结构情况",
        "2025年度测试单位一般公共预算当年支出185.00万元，主要用于以下方面：一般公共服务支出170.00万元，占91.89%；"
        "社会保障和就业支出15.00万元，占8.11%。",
    ]


def test_basic_spending_with_economic_items():
    assert texts(narrative_of(), 6) == [
        "2025年度测试单位一般公共预算安排基本支出135.00万元，其中：",
        "人员经费115.00万元，主要包括：基本工资、机关事业单位基本养老保险缴费；",
        "公用经费20.00万元，主要包括：办公费。",
    ]


# --------------------------------------------------------------------------- 七 to 九


def test_no_three_public_costs():
    assert texts(narrative_of(), 7) == ["本单位无“三公”经费预算。"]


def test_three_public_that_fell_to_zero_says_the_decrease_and_its_reason():
    n = narrative_of(last_year={"three_public": {"amount": 50000, "reason": "不再安排公务接待费；"}})
    assert texts(n, 7) == [
        "2025年度测试单位“三公”经费预算0万元，比上年减少5.00万元，下降100.00%，主要原因是不再安排公务接待费。其中：因公出国"
        "（境）费0万元；公务接待费0万元；公务用车购置及运行费0万元（其中：公务用车购置费0万元；公务用车运行维护费0万元）。"
    ]
    # last year's figure given as zero: nothing to explain
    assert texts(narrative_of(last_year={"three_public": {"amount": 0}}), 7) == ["本单位无“三公”经费预算。"]


def test_three_public_compares_last_years_items_rounded_as_this_years_are():
    """Three items of 12,345 元 both years: the table prints 1.23 each and 3.69; rounding last year's 37,035 元 once
    (3.70) printed 比上年减少0.01万元 where nothing changed."""
    items = {"outbound_travel": 12345, "official_reception": 12345, "vehicle_purchase": 0, "vehicle_operation": 12345}
    n = narrative_of(three_public={"一般公共预算": items},
                     last_year={"three_public": {"amount": 37035, "items": items}})
    [sentence] = texts(n, 7)
    assert sentence.startswith("2025年度测试单位“三公”经费预算3.69万元，与上年持平。"), sentence


def test_an_item_equal_to_last_years_in_yuan_is_unchanged_though_its_sources_round_apart():
    """公务接待费 12,345 + 5 元 from two sources prints 1.23 (the table's sum); last year's 12,350 元 rounds to 1.24.
    The amounts are equal: 持平, not 减少0.01万元."""
    this = {"一般公共预算": {"official_reception": 12345}, "政府性基金预算": {"official_reception": 5}}
    last_items = {"outbound_travel": 0, "official_reception": 12350, "vehicle_purchase": 0, "vehicle_operation": 0}
    n = narrative_of(three_public=this, last_year={"three_public": {"amount": 12350, "items": last_items}})
    [sentence] = texts(n, 7)
    assert sentence.startswith("2025年度测试单位“三公”经费预算1.23万元，与上年持平。"), sentence
    assert "公务接待费1.23万元，与上年持平；" in sentence
    # with another item rising 1.24: the total rises 1.24 too, the sum of its items' changes
    this["一般公共预算"]["outbound_travel"] = 12400
    n = narrative_of(three_public=this, last_year={"three_public": {"amount": 12350, "items": last_items}})
    [sentence] = texts(n, 7)
    assert sentence.startswith("2025年度测试单位“三公”经费预算2.47万元，比上年增加1.24万元，增长100.81%。"), sentence


def test_three_public_with_all_items_and_changes():
    n = narrative_of(
        three_public={"一般公共预算": {"outbound_travel": 20000, "official_reception": 15000, "vehicle_purchase": 0,
                                      "vehicle_operation": 30000}},
        last_year={"three_public": {"amount": 70000, "reason": "严控公务接待",
                                    "items": {"outbound_travel": 20000, "official_reception": 20000,
                                              "vehicle_purchase": 0, "vehicle_operation": 30000}}},
    )
    assert texts(n, 7) == [
        "2025年度测试单位“三公”经费预算6.50万元，比上年减少0.50万元，下降7.14%，主要原因是严控公务接待。其中：因公出国（境）费"
        "2.00万元，与上年持平；公务接待费1.50万元，比上年减少0.50万元，下降25.00%；公务用车购置及运行费3.00万元（其中："
        "公务用车购置费0万元，与上年持平；公务用车运行维护费3.00万元，与上年持平）。"
    ]


def test_three_public_without_last_year():
    n = narrative_of(three_public={"一般公共预算": {"outbound_travel": 10000, "official_reception": 5000,
                                                  "vehicle_purchase": 200000, "vehicle_operation": 30000}})
    assert texts(n, 7) == [
        "2025年度测试单位“三公”经费预算24.50万元。其中：因公出国（境）费1.00万元；公务接待费0.50万元；公务用车购置及运行费"
        "23.00万元（其中：公务用车购置费20.00万元；公务用车运行维护费3.00万元）。"
    ]


def test_projects_none_of_which_publishes_its_sheet_say_so_without_zeros():
    """Not "公开项目绩效目标0个…占…0%。其中：无。（项目绩效目标表公开情况见附件）": there is no sheet to see."""
    projects = [{"name": "甲", "category": "其他运转类"}, {"name": "乙", "category": "特定目标类"}]
    assert texts(narrative_of(projects=projects), 10)[-1:] == [
        "2025年测试单位纳入绩效目标管理的二级项目2个，共计金额62.00万元。其中：其他运转类项目1个，涉及金额50.00万元；"
        "特定目标类项目1个，涉及金额12.00万元。本单位未公开项目绩效目标表。"]


def test_operating_costs():
    assert texts(narrative_of(), 8) == ["本单位无机关运行经费。"]
    n = narrative_of(operating_costs={"一般公共预算": 180000},
                     last_year={"operating_costs": {"amount": 200000, "reason": "公用经费压减"}})
    assert texts(n, 8) == ["2025年度测试单位机关运行经费预算18.00万元，比上年减少2.00万元，下降10.00%，主要原因是公用经费压减。"]


def test_operating_costs_that_fell_to_zero_say_the_decrease():
    n = narrative_of(last_year={"operating_costs": {"amount": 300000, "reason": "机构改革后不再单独核算，"}})
    assert texts(n, 8) == ["2025年度测试单位机关运行经费预算0万元，比上年减少30.00万元，下降100.00%，主要原因是机构改革后不再单独"
                           "核算。"]


def test_a_small_change_on_a_large_figure_prints_its_rate_with_two_places():
    n = narrative_of(operating_costs={"一般公共预算": 100000100},
                     last_year={"operating_costs": {"amount": 100000000}})
    assert texts(n, 8) == ["2025年度测试单位机关运行经费预算10000.01万元，比上年增加0.01万元，增长0.00%。"]


def test_procurement():
    n = narrative_of(procurement={"goods": 50000, "works": 0, "services": 123456})
    assert texts(n, 9) == ["2025年测试单位政府采购预算总额17.35万元。其中：政府采购货物预算5.00万元、政府采购工程预算0万元、"
                           "政府采购服务预算12.35万元。"]


# --------------------------------------------------------------------------- 十 to 十二


def test_performance_counts_by_category_and_published_share():
    # the published 50.00 of 项目支出 65.00 as table 3 prints it (甲's 3.00 上年结转 included): 76.92%
    assert texts(narrative_of(), 10) == [
        "1、整体绩效目标",
        "2025年编报单位整体绩效目标，涉及资金200.00万元。",
        "（单位整体目标表公开情况见附件）",
        "2、项目绩效目标",
        "2025年测试单位纳入绩效目标管理的二级项目2个，共计金额62.00万元。其中：其他运转类项目1个，涉及金额50.00万元；"
        "特定目标类项目1个，涉及金额12.00万元。公开项目绩效目标1个，涉及项目金额50.00万元，占部门（单位）项目支出总额的"
        "76.92%。其中：其他运转类项目1个，涉及项目金额50.00万元。",
        "（项目绩效目标表公开情况见附件）",
    ]


def test_no_projects_and_no_overall_target():
    basic_only = [line for line in LINES if line["kind"] == "基本支出"]
    n = narrative_of(budget={"lines": basic_only}, projects=[], performance={"overall_target": False})
    assert texts(n, 10) == ["1、整体绩效目标", "2025年未编报单位整体绩效目标。", "2、项目绩效目标",
                            "2025年测试单位无纳入绩效目标管理的二级项目。"]


def test_vehicles_buildings_equipment():
    n = narrative_of(assets={"vehicles": {"establishment": 3, "actual": 2, "emergency": 1, "other": 1},
                             "office_area_m2": "1234.5", "equipment_over_500k": 2, "equipment_over_1m": 1})
    assert texts(n, 11) == [
        "1、车辆情况：",
        "截至2024年12月31日，测试单位共有公务用车编制3辆，实有2辆，其中：领导用车0辆，机要通信用车0辆，应急保障用车1辆，"
        "执法执勤用车0辆，特种专业技术用车0辆，事业单位业务用车0辆，其他公务用车1辆。",
        "2、房屋情况：",
        "截至2024年12月31日，测试单位使用的办公用房建筑总面积1234.5平方米。",
        "3、其他国有资产占有使用情况：",
        "截至2024年12月31日，测试单位占有使用价值50万元（原值）以上的通用设备2台（套）；测试单位占有使用价值100万元（原值）"
        "以上的通用设备1台（套）。",
    ]


def test_other_notes():
    assert texts(narrative_of(), 12) == ["（一）政府购买服务指导性目录", "本单位无政府购买服务。", "（二）其他", "无。"]
    n = narrative_of(government_purchase="本单位2025年政府购买服务预算12.35万元，用于物业管理服务。",
                     other_notes=["本单位制定了《专项资金管理办法》。", "第二段说明。"])
    assert texts(n, 12) == ["（一）政府购买服务指导性目录", "本单位2025年政府购买服务预算12.35万元，用于物业管理服务。",
                            "（二）其他", "本单位制定了《专项资金管理办法》。", "第二段说明。"]


def test_department_reports_say_部门():
    n = narrative_of(unit={"name": "测试部门", "code": "001", "fiscal_year": 2025, "level": "部门"})
    assert n.sections[1].heading == "一、部门预算收支数据变动情况及原因"
    assert "本年部门预算支出总计" in texts(n, 1)[0]
    assert texts(n, 7) == ["本部门无“三公”经费预算。"]
    assert texts(n, 8) == ["本部门无机关运行经费。"]


def test_phrase_placeholders_are_filled_literally():
    assert fill_placeholders("{a}与{b}", {"a": "{b}", "b": "x"}) == "{b}与x"
    with pytest.raises(KeyError, match="missing"):
        fill_placeholders("{missing}", {})


def test_a_profile_written_for_0_1_still_prints_its_change_clauses(tmp_path):
    # 0.1 profiles had no version and wrote {x_change} for "，change，reason"; they print as they did
    import re
    from pathlib import Path

    import disclosure
    from disclosure.profile import load_profile

    bundled = (Path(disclosure.__file__).parent / "profiles" / "shanxi-13.yaml").read_text(encoding="utf-8")
    old = re.sub(r"\[，\{(\w*?)change\}\]\[，\{\w*?reason\}\]", r"{\1change}", bundled.replace("version: 2\n", ""))
    old = re.sub(r"\[，\{(\w+_change)\}\]", r"{\1}", old)
    assert "[，{" not in old
    path = tmp_path / "old.yaml"
    path.write_text(old, encoding="utf-8")
    changes = {"last_year": {"total": {"amount": 2500000, "reason": "压减一般性支出。"},
                             "three_public": {"amount": 0, "items": {"official_reception": 0}}},
               "three_public": {"一般公共预算": {"official_reception": 12000}}}
    data = copy.deepcopy(BASE) | changes
    model = BudgetModel.model_validate(data)
    ours = narrate(model, derive_tables(model), load_profile())
    theirs = narrate(model, derive_tables(model), load_profile(str(path)))
    assert [b.text for s in theirs.sections.values() for b in s.blocks] == \
           [b.text for s in ours.sections.values() for b in s.blocks]
