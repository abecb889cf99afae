"""load: YAML → model, every error naming file, YAML path and line."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize("key", ["on", "yes", "null", "1"])
def test_a_key_is_named_as_written_never_as_the_value_yaml_1_1_reads(key: str):
    assert problems(HEAD + f"{key}: 1\n") == [f"x.yaml:2 {key}: unknown key '{key}'; known keys: unit, report, overview, "
                                               "projects, budget, fund_income, state_capital_income, three_public, "
                                               "operating_costs, procurement, last_year, performance, assets, "
                                               "government_purchase, other_notes, glossary, appendix"]


@pytest.mark.parametrize("field", ["unit: {name: \"某单位\\n附属\", code: '1', fiscal_year: 2025}\n",
                                   HEAD + "projects:\n  - {name: \"甲\\t项目\", category: 特定目标类}\n",
                                   HEAD + "projects:\n  - {name: \"甲\\L项目\", category: 特定目标类}\n"])
def test_a_name_with_a_line_break_or_tab_is_refused_at_its_line(field: str):
    [problem] = problems(field)
    assert "a name is printed inside sentences and titles, on one line; expected no line break or tab" in problem
    assert problem.startswith(("x.yaml:1 unit.name:", "x.yaml:3 projects[0].name:")), problem


@pytest.mark.parametrize("amount", ["1,234", "1,234.50"])
def test_a_thousands_separator_inside_braces_gets_a_hint_to_quote_it(amount: str):
    line = f"budget:\n  lines:\n    - {{function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: {amount}}}\n"
    [problem] = problems(HEAD + line)
    key = amount.split(",")[1]
    path = f".{key}" if key.isdigit() else f'["{key}"]'  # a key with a dot is written in brackets
    assert problem.startswith(f"x.yaml:4 budget.lines[0]{path}: unknown key '{key}'; inside {{ }} a comma separates "
                              "entries: write an amount with thousands separators in quotes ('1,234') or without them")


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


# --------------------------------------------------------------------------- numbers mean what they look like

LINE = "budget:\n  lines:\n    - {{function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: {}}}\n"


@pytest.mark.parametrize(("written", "expected"), [
    ("10000", Decimal("10000")),
    ("3097016.27", Decimal("3097016.27")),
    ("0", Decimal("0")),
    ("0.5", Decimal("0.5")),
    ("'1,234,567.89'", Decimal("1234567.89")),
    ('"1,500,000"', Decimal("1500000")),
    ("'  12.50 '", Decimal("12.50")),
])
def test_an_amount_is_the_plain_decimal_it_looks_like(written: str, expected: Decimal):
    amount = loads(HEAD + LINE.format(written)).model.budget.lines[0].amount
    assert amount == expected and str(amount) == str(expected)


@pytest.mark.parametrize(("written", "why"), [
    ("0100000", "a number has no leading zero (YAML 1.1 reads 0100000 as the octal number 32768)"),
    ("017", "a number has no leading zero (YAML 1.1 reads 017 as the octal number 15)"),
    ("019", "a number has no leading zero"),
    ("0x10", "hexadecimal, octal and binary numbers are not accepted"),
    ("0o17", "hexadecimal, octal and binary numbers are not accepted"),
    ("0b101", "hexadecimal, octal and binary numbers are not accepted"),
    ("1:20", "YAML 1.1 reads 1:20 as the base-60 number 80: write the number in digits"),
    ("1_000", "write it without _"),
    ("+5", "write it without +"),
    (".5", "write digits on both sides of the point"),
    ("5.", "write digits on both sides of the point"),
    ("1e3", "write the number out in digits, without an exponent"),
    ("1.5e+3", "write the number out in digits, without an exponent"),
    ("'1,5,0,0,0,0,0'", "thousands separators must group by three digits (1,234,567.89)"),
    ("'1234,567'", "thousands separators must group by three digits"),
    ("'１２３'", ""),
    ("'12 345'", ""),
])
def test_other_number_forms_are_errors_with_their_line_never_converted(written: str, why: str):
    bare = written.strip("'")
    [message] = problems(HEAD + LINE.format(written))
    expected = f"x.yaml:4 budget.lines[0].amount: expected a decimal with at most 2 places, got '{bare}'"
    assert message.startswith(f"{expected}; {why}") if why else message == expected


@pytest.mark.parametrize(("field", "written", "message"), [
    ("amount", "true", "expected an exact decimal amount, got true"),
    ("amount", "no", "expected an exact decimal amount, got false"),
    ("amount", "~", "expected an exact decimal amount, got null (no value)"),
    ("economic", "true", "expected a 5-digit 部门预算经济分类 款 code such as 30101, got true"),
    ("economic", "'３０１０１'", "expected a 5-digit 部门预算经济分类 款 code such as 30101, got '３０１０１'"),
])
def test_booleans_and_nulls_are_named_as_yaml_writes_them(field: str, written: str, message: str):
    line = "budget:\n  lines:\n    - {function: 2012902, kind: 基本支出, source: 一般公共预算, economic: 30101, amount: 1}\n"
    text = HEAD + line.replace(f"{field}: {'30101' if field == 'economic' else '1'}", f"{field}: {written}")
    assert problems(text) == [f"x.yaml:4 budget.lines[0].{field}: {message}"]


@pytest.mark.parametrize(("text", "message"), [
    ("unit: {name: 甲, code: '1', fiscal_year: true}\n", "x.yaml:1 unit.fiscal_year: expected a whole number, got true"),
    ("unit: {name: 甲, code: '1', fiscal_year: 02025}\n",
     "x.yaml:1 unit.fiscal_year: expected a whole number written in digits, got '02025'; a number has no leading zero "
     "(YAML 1.1 reads 02025 as the octal number 1045)"),
    (HEAD + "assets: {vehicles: {actual: 010}}\n", "x.yaml:2 assets.vehicles.actual: expected a whole number written in "
                                                   "digits, got '010'; a number has no leading zero (YAML 1.1 reads 010 "
                                                   "as the octal number 8)"),
    (HEAD + "assets: {equipment_over_1m: 1:20}\n", "x.yaml:2 assets.equipment_over_1m: expected a whole number written "
                                                   "in digits, got '1:20'; YAML 1.1 reads 1:20 as the base-60 number 80: "
                                                   "write the number in digits"),
    (HEAD + "assets: {office_area_m2: 1_200}\n", "x.yaml:2 assets.office_area_m2: expected a number written in digits, "
                                                 "got '1_200'; write it without _ (YAML 1.1 reads 1_000 as 1000, other "
                                                 "programs as text)"),
    ("unit: {name: no, code: '1', fiscal_year: 2025}\n",
     "x.yaml:1 unit.name: Input should be a valid string, got the YAML boolean false; put it in quotes if it is text"),
])
def test_counts_years_and_measures_are_read_as_written(text: str, message: str):
    assert problems(text) == [message]


def test_codes_and_text_keep_the_digits_as_written():
    model = loads("unit: {name: 001, code: 001, fiscal_year: 2025}\n"
                  "budget: {function_names: {2010301: 行政运行, 20103: 0x10}}\n"
                  "projects: [{name: 0100, category: 特定目标类, performance: {filled_on: 2024-01-17, phone: 0356-1234567}}]\n"
                  "assets: {office_area_m2: 1200.50, vehicles: {actual: 2}}\n").model
    assert (model.unit.name, model.unit.code, model.unit.fiscal_year) == ("001", "001", 2025)
    assert model.budget.function_names == {"2010301": "行政运行", "20103": "0x10"}
    sheet = model.projects[0].performance
    assert (model.projects[0].name, sheet.filled_on, sheet.phone) == ("0100", "2024-01-17", "0356-1234567")
    assert model.assets.office_area_m2 == Decimal("1200.50") and model.assets.vehicles.actual == 2


def test_python_callers_still_pass_int_decimal_and_text():
    from disclosure.model import BudgetLine

    line = {"function": 2012902, "kind": "基本支出", "source": "一般公共预算", "economic": "30101"}
    assert BudgetLine.model_validate({**line, "amount": 15}).amount == Decimal(15)
    assert BudgetLine.model_validate({**line, "amount": Decimal("1.5")}).amount == Decimal("1.5")
    assert BudgetLine.model_validate({**line, "amount": "1,500.25"}).amount == Decimal("1500.25")
    assert BudgetLine.model_validate({**line, "amount": 15}).function == "2012902"


# --------------------------------------------------------------------------- reading is bounded


def test_every_value_is_located_also_through_merge_keys_and_aliases():
    text = (HEAD
            + "base: &base {kind: 基本支出, source: 一般公共预算}\n"
            + "budget:\n  lines:\n"
            + "    - <<: *base\n      function: 2012902\n      economic: 30101\n      amount: 1\n"
            + "    - {<<: *base, function: 2012902, economic: 30101, amount: abc}\n")
    assert sorted(problems(text)) == ["x.yaml:2 base: unknown key 'base'; did you mean 'assets'?",
                                      "x.yaml:9 budget.lines[1].amount: expected a decimal with at most 2 places, got 'abc'"]


def test_values_beyond_the_limit_are_refused_while_reading(monkeypatch: pytest.MonkeyPatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("disclosure.load"), "MAX_NODES", 50)
    [message] = problems(HEAD + "other_notes: [" + ", ".join("a" for _ in range(60)) + "]\n")
    assert message.startswith("x.yaml:2 other_notes[") and "expands to more than 50 values" in message


def test_deep_nesting_is_refused_before_it_exhausts_the_stack():
    [message] = problems(HEAD + "overview: " + "[" * 100 + "]" * 100 + "\n")
    assert message.startswith("x.yaml:2 overview[0]") and "is nested more than 64 levels deep; refused" in message
    [message] = problems(HEAD + "overview: " + "[" * 5000 + "]" * 5000 + "\n")  # the parser's own bound
    assert message.startswith("x.yaml:2: YAML syntax error") and "maximum nesting depth" in message


def test_a_model_over_the_size_cap_is_refused_without_reading_it(tmp_path: Path):
    import importlib

    limit = importlib.import_module("disclosure.load").MAX_BYTES
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(limit + 1)
    with pytest.raises(LoadError, match=r"huge\.yaml: is 20\.0 MB; a budget model \(YAML or JSON\) may be at most 20\.0 MB"):
        load(path)


def test_every_count_year_and_measure_of_the_model_is_read_as_written():
    """A field typed plain ``int`` or ``Decimal`` would take pydantic's lax reading ('+5', '1_000', true → 1):
    every such field of every model class uses WholeNumber, Measure or Money, which read text strictly."""
    import typing

    from pydantic import BaseModel, BeforeValidator

    from disclosure import model as model_module

    def lax_numbers(annotation) -> bool:
        """Whether a bare int or Decimal is found in ``annotation`` outside an Annotated with a reading rule."""
        if typing.get_origin(annotation) is typing.Annotated:
            ruled = any(isinstance(m, BeforeValidator) for m in annotation.__metadata__)
            return not ruled and lax_numbers(annotation.__origin__)
        return annotation in (int, Decimal) or any(lax_numbers(a) for a in typing.get_args(annotation))

    lax = []
    for name, cls in vars(model_module).items():
        if isinstance(cls, type) and issubclass(cls, BaseModel) and cls.__module__ == model_module.__name__:
            for field, info in cls.model_fields.items():
                if lax_numbers(info.annotation) and not any(isinstance(m, BeforeValidator) for m in info.metadata):
                    lax.append(f"{name}.{field}")
    assert lax == []


# --------------------------------------------------------------------------- the reader against PyYAML's node graph

_SCALARS = st.sampled_from(["名称", "a b", "1", "01", "1.50", "-3", "2024-01-17", "1:20", "null", "~", "true", "no",
                            "on", "x\ry", " 两端 "])


def _yaml_text(value: object, indent: int = 0) -> str:
    """``value`` written as block YAML, its scalars plain, single- or double-quoted by turns."""
    pad = " " * indent
    if isinstance(value, dict):
        return "".join(f"{pad}{key}:" + (f"\n{_yaml_text(item, indent + 2)}" if isinstance(item, (dict, list)) and item
                                          else f" {_scalar_text(item)}\n") for key, item in value.items())
    return "".join(f"{pad}-" + (f"\n{_yaml_text(item, indent + 2)}" if isinstance(item, (dict, list)) and item
                                else f" {_scalar_text(item)}\n") for item in value)


def _scalar_text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    text = str(value)
    if "\r" in text:
        return '"' + text.replace("\r", "\\r") + '"'
    return text if len(text) % 3 and text == text.strip() else f"'{text}'"


_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["k", "名称", "amount", "1", "on"]),
                                                                 inner, max_size=4),
    max_leaves=25,
).filter(lambda value: isinstance(value, dict) and value)


def _expected(node: yaml.Node, packed_at: yaml.Node) -> tuple[object, object]:
    """(value, position entry) as the reader should give them, from PyYAML's composed node of the same text."""
    from disclosure.load import _COLUMN_BITS

    at = ((packed_at.start_mark.line + 1) << _COLUMN_BITS) | (packed_at.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        entries = {key.value: _expected(item, key) for key, item in node.value}
        return {k: v for k, (v, _) in entries.items()}, (at, {k: e for k, (_, e) in entries.items()})
    if isinstance(node, yaml.SequenceNode):
        items = [_expected(item, item) for item in node.value]
        return [v for v, _ in items], (at, [e for _, e in items])
    tag = node.tag.rsplit(":", 1)[1]
    text = node.value.replace("\r\n", "\n").replace("\r", "\n")
    value = {"null": None, "bool": {"true": True, "no": False, "on": True}.get(node.value.lower())}.get(tag, text)
    return value, at


@settings(max_examples=150, deadline=None)
@given(_DOCUMENTS)
def test_values_and_positions_agree_with_pyyamls_node_graph(document):
    """The event reader (with its fast path for text scalars) gives the values and the line and column of every
    entry that PyYAML's own composer gives, numbers kept as written."""
    from disclosure.load import parse_yaml

    text = _yaml_text(document)
    value, source = parse_yaml(text, "x.yaml")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    expected_value, expected_entry = _expected(node, node)
    assert value == expected_value
    assert source.root[1] == expected_entry[1]
