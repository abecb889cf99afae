"""Write the generated reference pages of docs/ (model reference, sentence patterns, checks, templates).

    python tools/make_docs.py
"""

from __future__ import annotations

from pathlib import Path

from disclosure import reference_docs
from disclosure.workbook.guide import workbook_reference

DOCS = Path(__file__).resolve().parents[1] / "docs"

PAGES = {
    "model-reference.md": reference_docs.model_reference,
    "narrative.md": reference_docs.narrative_reference,
    "checks.md": reference_docs.checks_reference,
    "workbook-reference.md": workbook_reference,
}


def main() -> None:
    for name, generate in PAGES.items():
        (DOCS / name).write_text(generate(), encoding="utf-8")
        print(f"wrote docs/{name}")
    guide = DOCS / "templates.md"
    guide.write_text(reference_docs.with_template_contexts(guide.read_text(encoding="utf-8")), encoding="utf-8")
    print("updated the generated part of docs/templates.md")


if __name__ == "__main__":
    main()
