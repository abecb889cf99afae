"""schemas/budget-model.schema.json is generated from the models and must be current."""

import json
from pathlib import Path

from disclosure.schema import budget_model_schema, schema_text

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "budget-model.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_checked_in_schema_is_current():
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "schemas/budget-model.schema.json is stale: run `python -m disclosure schema -o schemas/budget-model.schema.json`"
    )


def test_examples_point_editors_at_the_schema():
    for example in EXAMPLES:
        first = example.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schemas/budget-model.schema.json", example.name


def test_schema_documents_every_field():
    schema = budget_model_schema()
    for name, definition in schema["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            assert spec.get("description") or "$ref" in spec or "allOf" in spec, f"{name}.{field} has no description"
    assert json.loads(SCHEMA.read_text(encoding="utf-8"))["title"] == "BudgetModel"


def _editor_says_valid(data: dict) -> bool:
    """What an editor with the checked-in schema says (the YAML language server uses draft 2020-12)."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema).is_valid(data)


BASE = {"unit": {"name": "测试单位", "code": "001", "fiscal_year": 2025, "type": "行政单位"},
        "budget": {"lines": [{"function": 2010301, "kind": "基本支出", "source": "一般公共预算", "economic": 30101,
                              "amount": 100}]}}


def _with(change) -> dict:
    data = json.loads(json.dumps(BASE))
    change(data)
    return data


def _amount(value):
    return lambda d: d["budget"]["lines"][0].__setitem__("amount", value)


def test_an_editor_with_the_schema_accepts_what_the_model_takes_and_refuses_what_it_refuses():
    import yaml

    for example in EXAMPLES:
        assert _editor_says_valid(yaml.safe_load(example.read_text(encoding="utf-8"))), example.name
    accepted = [_amount(0.07), _amount(0.29), _amount(1234567.89), _amount("1,234.50"),  # binary floats, no multipleOf
                lambda d: d["unit"].__setitem__("type", "参公"),
                lambda d: d["unit"].update(level="部门", subunits=["甲单位", {"name": "乙单位", "type": "事业单位"}])]
    refused = [lambda d: d["unit"].__setitem__("name", "a\nb"),
               lambda d: d["budget"]["lines"][0].__setitem__("function", 123),
               lambda d: d["budget"]["lines"][0].__setitem__("economic", 1), _amount(-1), _amount("1.005")]
    import disclosure
    for change in accepted:
        data = _with(change)
        assert _editor_says_valid(data) and disclosure.loads(json.dumps(data, ensure_ascii=False)), data
    for change in refused:
        data = _with(change)
        assert not _editor_says_valid(data), data
        try:
            disclosure.loads(json.dumps(data, ensure_ascii=False))
        except disclosure.LoadError:
            continue
        raise AssertionError(f"the model took {data}")
