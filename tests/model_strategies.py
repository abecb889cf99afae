"""Hypothesis strategies for whole budget models, derived from the model classes field by field.

Every field of :class:`disclosure.model.BudgetModel` is drawn (optional ones sometimes left out), so a
field added to the model is in the generated models without touching this file.  Values are what a
YAML file the loader accepts can hold: amounts with at most two decimals below 10^15, codes matching
their patterns, text without control characters or carriage returns.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal
from enum import Enum
from typing import Any, Literal

import annotated_types
from hypothesis import strategies as st
from pydantic import BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo

from disclosure import model as m
from disclosure.workbook.layout import EMPTY_TEXT, is_model, peel

_MONEY_MARK = typing.get_args(m.Money)[1]
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")

_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(list("\n\t"))
TEXT_SAMPLES = ["", "晋城市总工会", "A&B <x>", "=1+1", "#N/A", "0012", "3.50", "TRUE", "是", "null", "[]", "{}",
                "_x0041_", "一\n二", "  前后空格  "]


def _clean(text: str) -> bool:
    return not _BAD.search(text) and text != EMPTY_TEXT and text.strip() != EMPTY_TEXT


def texts(min_size: int = 0, *, one_line: bool = False) -> st.SearchStrategy[str]:
    """Text as a model may hold it (``one_line``: a name, which holds no line break or tab)."""
    drawn = st.text(_ALPHABET, min_size=min_size, max_size=30) | st.sampled_from(TEXT_SAMPLES)
    if one_line:
        drawn = drawn.map(lambda text: text.replace("\n", " ").replace("\t", " "))
    stripped = drawn.map(str.strip).filter(_clean)
    return stripped.filter(bool) if min_size else stripped


def _one_line(meta: list[Any]) -> bool:
    return any(getattr(item, "func", None) is m._one_line for item in meta)


amounts = st.one_of(
    st.integers(0, 10**15 - 1).map(Decimal),
    st.decimals(Decimal(0), Decimal(10**15) - Decimal("0.01"), places=2),
    st.decimals(Decimal(0), Decimal(1000), places=1),
    st.sampled_from([Decimal("0.1"), Decimal("0.30"), Decimal("999999999999999.99"), Decimal("1500000"),
                     Decimal("123456789012345.67")]),
)


def _bounds(metadata: list[Any]) -> tuple[int | None, int | None]:
    low = high = None
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = int(item.ge)
        elif isinstance(item, annotated_types.Gt):
            low = int(item.gt) + 1
        elif isinstance(item, annotated_types.Le):
            high = int(item.le)
        elif isinstance(item, annotated_types.Lt):
            high = int(item.lt) - 1
    return low, high


def _pattern(metadata: list[Any]) -> str | None:
    for item in metadata:
        if isinstance(item, WithJsonSchema) and item.json_schema:
            for option in item.json_schema.get("anyOf", []):
                if option.get("type") == "string" and "pattern" in option:
                    return option["pattern"]
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    return None


def value_strategy(annotation: Any, metadata: list[Any] | None = None, full: bool = False) -> st.SearchStrategy[Any]:
    tp, meta, optional = peel(annotation, metadata)
    inner = _strategy(tp, meta, full)
    return st.one_of(st.none(), inner) if optional and not full else inner


def _strategy(tp: Any, meta: list[Any], full: bool) -> st.SearchStrategy[Any]:
    if any(item is _MONEY_MARK for item in meta):
        return amounts
    if is_model(tp):
        return model_data(tp, full)
    origin = typing.get_origin(tp)
    if origin is list:
        return st.lists(value_strategy(typing.get_args(tp)[0], full=full), min_size=int(full), max_size=3)
    if origin is dict:
        key, value = typing.get_args(tp)
        return st.dictionaries(value_strategy(key), value_strategy(value, full=full), min_size=int(full), max_size=3)
    if origin is Literal:
        return st.sampled_from(typing.get_args(tp))
    if origin is typing.Union:
        return st.one_of(*(_strategy(*peel(arg)[:2], full) for arg in typing.get_args(tp)))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from([member.value for member in tp])
    if tp is bool:
        return st.booleans()
    if tp is int:
        low, high = _bounds(meta)
        return st.integers(0 if low is None else low, min(high if high is not None else 10**6, 10**6))
    if tp is Decimal:
        low, high = _bounds(meta)
        return st.decimals(Decimal(low or 0), Decimal(high if high is not None else 10**6), places=3)
    if tp is dt.date:
        return st.dates(dt.date(1890, 1, 1), dt.date(2100, 12, 31))
    if tp is str:
        meta = [*meta, *(inner for item in meta if isinstance(item, FieldInfo) for inner in item.metadata)]
        pattern = _pattern(meta)
        if pattern:
            drawn = st.from_regex(pattern, fullmatch=True).filter(_clean).map(str.strip)
            return drawn.filter(lambda text: re.fullmatch(pattern, text) is not None)
        min_size = next((item.min_length for item in meta if isinstance(item, annotated_types.MinLen)), 0)
        return texts(min_size, one_line=_one_line(meta))
    if tp is Any or tp is object:
        return texts()
    raise NotImplementedError(tp)


def model_data(cls: type[BaseModel], full: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """Plain data for ``cls``: its required fields and any of its optional ones (``full``: every field, every
    optional part present, every list with items — so that deep parts such as indicators are drawn often)."""
    fields = {n: value_strategy(i.annotation, i.metadata, full) for n, i in cls.model_fields.items()}
    if full:
        return st.fixed_dictionaries(fields)
    required = {n: s for n, s in fields.items() if cls.model_fields[n].is_required()}
    return st.fixed_dictionaries(required, optional={n: s for n, s in fields.items() if n not in required})


def _valid(data: dict[str, Any]) -> m.BudgetModel | None:
    try:
        model = m.BudgetModel.model_validate(data)
    except ValueError:
        return None
    names = [p.name for p in model.projects]
    return model if len(names) == len(set(names)) else None  # a workbook finds sheets by project name


budget_models: st.SearchStrategy[m.BudgetModel] = st.one_of(model_data(m.BudgetModel), model_data(m.BudgetModel, True)
                                                            ).map(_valid).filter(lambda model: model is not None)
