"""The generated reference pages of docs/ are current, and every sentence pattern is documented."""

from pathlib import Path

import pytest

from disclosure import reference_docs
from disclosure.narrative import OTHER_PHRASES, PHRASES, SECTION_WRITERS
from disclosure.profile import bundled_profiles, load_profile

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize(
    ("page", "generate"),
    [("model-reference.md", reference_docs.model_reference), ("narrative.md", reference_docs.narrative_reference),
     ("checks.md", reference_docs.checks_reference)],
)
def test_generated_page_is_current(page, generate):
    assert (DOCS / page).read_text(encoding="utf-8") == generate(), f"docs/{page} is stale: run python tools/make_docs.py"


@pytest.mark.parametrize("name", bundled_profiles())
def test_every_phrase_of_a_bundled_profile_is_documented_with_its_condition(name):
    documented = {key for keys in PHRASES.values() for key in keys} | set(OTHER_PHRASES)
    used = {key.split("@")[0] for key in load_profile(name).phrases}
    assert used <= documented, used - documented


def test_every_writer_documents_its_patterns():
    assert set(PHRASES) - {"common"} == set(SECTION_WRITERS)


def test_model_reference_names_every_field():
    page = (DOCS / "model-reference.md").read_text(encoding="utf-8")
    for field in ("`amount_unit`", "`carry_over`", "`sheet_order`", "`office_area_m2`", "`replace_defaults`"):
        assert field in page


def test_template_contexts_in_the_guide_are_current():
    page = (DOCS / "templates.md").read_text(encoding="utf-8")
    assert page == reference_docs.with_template_contexts(page), "run python tools/make_docs.py"
    assert "`table.rows[].cells[]`" in page and "`sheet.indicators[].level1`" in page


def test_model_reference_links_resolve_and_cite_nothing_outside_the_repository():
    import re

    page = (DOCS / "model-reference.md").read_text(encoding="utf-8")
    anchors = {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
               for heading in re.findall(r"^#+ (.*)$", page, re.MULTILINE)}
    assert set(re.findall(r"\]\(#([^)]+)\)", page)) <= anchors
    assert "DESIGN.md" not in page
