"""Changing one amount changes every figure that depends on it, and nothing else (read back from the .docx)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from docx_reading import open_report, rows, table_after
from reference_figures import HEADER_ROWS, TITLES

from disclosure.pipeline import build


def _report_cells(path: Path) -> dict[tuple[int, int, int], str]:
    document = open_report(path)
    cells = {}
    for number, title in TITLES.items():
        for r, row in enumerate(rows(table_after(document, title))[HEADER_ROWS[number]:]):
            for c, text in enumerate(row):
                cells[(number, r, c)] = text
    return cells


def _label(path: Path, number: int, row: int) -> str:
    table_rows = rows(table_after(open_report(path), TITLES[number]))[HEADER_ROWS[number]:]
    return " / ".join(cell for cell in table_rows[row][:3] if cell and not re.fullmatch(r"\d+\.\d\d", cell))


def test_one_amount_changes_exactly_its_dependents(example_path: Path, example_docx: Path, tmp_path: Path):
    text = example_path.read_text(encoding="utf-8")
    # 劳模疗养体检 (2299999, 一般公共预算, this year) from 280000 to 300000 元: 28.00 → 30.00 万元
    changed = text.replace("project: 劳模疗养体检, source: 一般公共预算, amount: 280000", "project: 劳模疗养体检, source: 一般公共预算, amount: 300000")
    assert changed != text, "the example's line for 劳模疗养体检 moved; update this test"
    assert yaml.safe_load(changed)  # still YAML
    variant = tmp_path / "variant.yaml"
    variant.write_text(changed, encoding="utf-8")
    after_path = build(variant, tmp_path).docx

    before, after = _report_cells(example_docx), _report_cells(after_path)
    assert before.keys() == after.keys()
    differences = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    described = {(number, _label(after_path, number, row), column): change
                 for (number, row, column), change in differences.items()}

    total, other, general_other = ("887.70", "889.70"), ("328.00", "330.00"), ("328.00", "330.00")
    expected = {  # tables 1 and 4: 一、一般公共预算 income, the 二十五、其他支出 row, the totals
        **{(n, "一、一般公共预算 / 一、一般公共服务支出", 1): total for n in (1, 4)},
        **{(n, "二十五、其他支出", col): other for n in (1, 4) for col in (3, 4)},
        **{(n, label, col): total for n in (1, 4) for label in ("本年收入合计 / 本年支出合计", "收入总计 / 支出总计")
           for col in (1, 3, 4)},
        **{(2, label, col): (total if label == "合计" else general_other)
           for label in ("合计", "229 / 其他支出", "22999 / 其他支出", "2299999 / 其他支出") for col in (2, 3)},  # 合计, 一般
        **{(n, label, col): (total if label == "合计" else general_other)
           for n in (3, 5) for label in ("合计", "229 / 其他支出", "22999 / 其他支出", "2299999 / 其他支出")
           for col in (2, 4)},  # 合计, 项目支出
        **{(12, "晋城市总工会", col): total for col in (1, 2)},
        **{(12, "劳模疗养体检", col): ("28.00", "30.00") for col in (1, 2)},
    }
    assert described == expected
