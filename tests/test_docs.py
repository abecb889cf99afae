"""The generated reference pages of docs/ are current, and every sentence pattern is documented."""

from pathlib import Path

import pytest

from disclosure import reference_docs
from disclosure.narrative import PHRASE_CONDITIONS
from disclosure.profile import load_profile

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize(
    ("page", "generate"),
    [("model-reference.md", reference_docs.model_reference), ("narrative.md", reference_docs.narrative_reference),
     ("checks.md", reference_docs.checks_reference)],
)
def test_generated_page_is_current(page, generate):
    assert (DOCS / page).read_text(encoding="utf-8") == generate(), f"docs/{page} is stale: run python tools/make_docs.py"


def test_every_phrase_of_the_profile_has_its_condition_and_back():
    assert set(load_profile().phrases) == set(PHRASE_CONDITIONS)


def test_model_reference_names_every_field():
    page = (DOCS / "model-reference.md").read_text(encoding="utf-8")
    for field in ("`amount_unit`", "`carry_over`", "`sheet_order`", "`office_area_m2`", "`replace_defaults`"):
        assert field in page


def test_template_contexts_in_the_guide_are_current():
    page = (DOCS / "templates.md").read_text(encoding="utf-8")
    assert page == reference_docs.with_template_contexts(page), "run python tools/make_docs.py"
    assert "`table.rows[].cells[]`" in page and "`sheet.indicators[].level1`" in page
