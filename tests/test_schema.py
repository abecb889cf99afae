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
