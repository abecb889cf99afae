"""checks: every rule fires on its documented example, and stays quiet on the reference example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import disclosure
from disclosure.checks import RULES, Severity
from disclosure.load import loads


@pytest.mark.parametrize("rule_id", list(RULES))
def test_documented_example_fails_its_rule(rule_id):
    rule = RULES[rule_id]
    findings = disclosure.validate(loads(rule.example, "example.yaml"))
    fired = [f for f in findings if f.rule == rule_id]
    assert fired, f"{rule_id}: its example in docs/checks.md does not trigger it"
    assert all(f.severity is rule.severity and f.path and f.message for f in fired)


def test_the_reference_example_is_clean(example):
    assert disclosure.validate(example) == []


def test_findings_carry_the_yaml_line(tmp_path: Path):
    path = tmp_path / "unit.yaml"
    path.write_text(RULES["line-project"].example, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "disclosure", "validate", str(path), "--format", "json"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    [finding] = report["findings"]
    assert finding == {"rule": "line-project", "severity": "error", "message": "项目“未声明的项目”未在projects中声明",
                       "path": ["budget", "lines", 0, "project"], "line": 4, "cell": None}


def test_strict_turns_warnings_into_errors(tmp_path: Path):
    path = tmp_path / "unit.yaml"
    path.write_text(RULES["zero-line"].example, encoding="utf-8")
    def run(*extra):
        return subprocess.run([sys.executable, "-m", "disclosure", "build", str(path), "-o", str(tmp_path / "out"),
                               *extra], capture_output=True, text=True, timeout=120)
    strict = run("--strict")
    assert strict.returncode == 1 and "error:" in strict.stderr and "[zero-line]" in strict.stderr
    assert not (tmp_path / "out").exists()
    lenient = run()
    assert lenient.returncode == 0 and "warning:" in lenient.stderr and "[zero-line]" in lenient.stderr
    assert list((tmp_path / "out").glob("*.docx"))


def test_every_rule_has_a_chinese_message_and_severity():
    for rule in RULES.values():
        assert rule.severity in (Severity.ERROR, Severity.WARNING)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.summary)


DEPARTMENT = """unit:
  name: 某县水务局
  code: '001'
  level: 部门
  fiscal_year: 2025
  subunits: [{name: 水务局机关, type: 行政单位}, {name: 水利工作站, type: 事业单位}]
operating_costs: {一般公共预算: OPERATING}
budget:
  lines:
    - {function: 2130101, kind: 基本支出, source: 一般公共预算, economic: 30201, unit: 水务局机关, amount: 40000}
    - {function: 2130104, kind: 基本支出, source: 一般公共预算, economic: 30201, unit: 水利工作站, amount: 30000}
"""


def test_operating_costs_are_judged_by_the_organs_public_spending_not_the_institutions():
    """机关运行经费 is 行政单位 and 参公's 公用经费 (glossary 四): 4.00 here, not table 6's 7.00."""
    def rule_findings(amount: int):
        model = loads(DEPARTMENT.replace("OPERATING", str(amount)), "dept.yaml")
        return [f for f in disclosure.validate(model) if f.rule == "operating-costs-within-public-spending"]

    [finding] = rule_findings(60000)
    assert finding.message == "机关运行经费6.00万元超过行政单位和参公事业单位的一般公共预算基本支出公用经费4.00万元（事业单位的3.00万元不计入）"
    assert rule_findings(40000) == []


def test_a_project_name_declared_twice_is_one_error_not_also_a_line_of_the_wrong_unit():
    text = """unit:
  name: 某县卫健局
  code: '001'
  level: 部门
  fiscal_year: 2025
  subunits: [{name: 疾控中心, type: 事业单位}, {name: 妇幼保健院, type: 事业单位}]
projects:
  - {name: 办公设备购置, category: 特定目标类, unit: 疾控中心}
  - {name: 办公设备购置, category: 特定目标类, unit: 妇幼保健院}
budget:
  lines:
    - {function: 2100401, kind: 项目支出, project: 办公设备购置, unit: 疾控中心, source: 一般公共预算, amount: 10000}
"""
    rules = [f.rule for f in disclosure.validate(loads(text, "dept.yaml"))]
    assert "duplicate-project" in rules and "line-unit-differs" not in rules
