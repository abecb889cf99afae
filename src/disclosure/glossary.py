"""第四部分 名词解释: the profile's bundled terms, overridden or extended by the model's entries."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml

from .model import BudgetModel
from .numerals import chinese_number


@dataclass(frozen=True)
class Term:
    ordinal: str  # 一, 二, …
    term: str
    text: str


@functools.lru_cache(maxsize=4)
def default_entries(name: str = "glossary-default.yaml") -> tuple[tuple[str, str], ...]:
    """(term, text) pairs of a bundled glossary file (our own data, read with safe_load)."""
    text = (resources.files("disclosure") / "data" / name).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 20x faster, same result
    return tuple((entry["term"], entry["text"]) for entry in data)


def glossary_terms(model: BudgetModel, defaults: str = "glossary-default.yaml") -> list[Term]:
    """The printed glossary: defaults in order, an entry of the model replacing the default of the same
    term in place, new terms appended; ``replace_defaults`` prints the model's entries only."""
    own = {entry.term: entry.text for entry in model.glossary.entries}
    if model.glossary.replace_defaults:
        pairs = list(own.items())
    else:
        base = list(default_entries(defaults))
        known = {term for term, _ in base}
        pairs = [(term, own.get(term, text)) for term, text in base]
        pairs += [(term, text) for term, text in own.items() if term not in known]
    return [Term(chinese_number(i), term, text) for i, (term, text) in enumerate(pairs, start=1)]
