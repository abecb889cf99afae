"""load: YAML → model, every error naming file, YAML path and line."""

from decimal import Decimal
from pathlib import Path

import pytest

from disclosure.load import LoadError, load, loads

HEAD = "unit: {name: 测试单位, code: '999', fiscal_year: 2025}\n"


def problems(text: str) -> list[str]:
    with pytest.raises(LoadError) as info:
        loads(text, "x.yaml")
    return [str(p) for p in info.value.problems]


def test_the_example_loads_with_exact_decimals(example):
    amounts = [line.amount for line in example.model.budget.lines]
    assert Decimal("3097016.27") in amounts
    assert all(isinstance(a, Decimal) for a in amounts)


def test_error_names_file_line_path_and_expectation():
    text = HEAD + (
        "budget:\n"
        "  lines:\n"
        "    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 1}\n"
        "    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 2}\n"
        "    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 3}\n"
        "    - function: 2012902\n"
        "      kind: 基本支出\n"
        "      source: 一般公共预算\n"
        "      economic: 30101\n"
        "      amount: abc\n"
    )
    assert problems(text) == ["x.yaml:11 budget.lines[3].amount: expected a decimal with at most 2 places, got 'abc'"]


def test_unknown_key_suggests_the_nearest():
    assert problems(HEAD + "budjet: {}\n") == ["x.yaml:2 budjet: unknown key 'budjet'; did you mean 'budget'?"]


def test_float_like_amounts_are_exact_and_limited_to_two_places():
    model = loads(HEAD + "procurement: {goods: 0.1, works: 12345678901234.99}\n").model
    assert model.procurement.goods == Decimal("0.1")
    assert model.procurement.works == Decimal("12345678901234.99")
    assert problems(HEAD + "procurement: {goods: 0.125}\n") == [
        "x.yaml:2 procurement.goods: expected a decimal with at most 2 places, got 0.125"
    ]


def test_python_tags_are_never_executed(tmp_path: Path):
    marker = tmp_path / "executed"
    text = HEAD + f"overview: {{intro: !!python/object/apply:os.system ['touch {marker}']}}\n"
    [message] = problems(text)
    assert "x.yaml:2" in message and "tag" in message
    assert not marker.exists()


def test_syntax_error_gives_line_and_column():
    [message] = problems(HEAD + "budget: {lines: [\n")
    assert message.startswith("x.yaml:3") and "YAML syntax error at column" in message


def test_missing_file(tmp_path: Path):
    with pytest.raises(LoadError, match="no such file"):
        load(tmp_path / "nope.yaml")


def test_carriage_returns_become_line_breaks():
    model = loads(HEAD + 'overview: {intro: "第一行\\r\\n第二行\\r第三行"}\n').model
    assert model.overview.intro == "第一行\n第二行\n第三行"
