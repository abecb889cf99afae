"""The JSON Schema of the budget model, generated from :mod:`disclosure.model` (``schemas/budget-model.schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from .model import BudgetModel

SCHEMA_ID = "https://disclosure.invalid/schemas/budget-model.schema.json"


def budget_model_schema() -> dict[str, Any]:
    schema = BudgetModel.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    """The schema as checked in: sorted keys are not used, so it follows the model's field order."""
    return json.dumps(budget_model_schema(), ensure_ascii=False, indent=2) + "\n"
