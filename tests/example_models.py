"""Copies of the bundled examples under names of their own, for batches that must not write one file twice."""

from __future__ import annotations

from pathlib import Path


def named_copy(source: Path, folder: Path, name: str, extra: str = "") -> Path:
    """``folder/name.yaml``: the model of ``source`` writing ``name``.docx, with ``extra`` YAML appended."""
    text = source.read_text(encoding="utf-8")
    if "\nreport:\n" in text:  # a model may already have a report: mapping
        text = text.replace("\nreport:\n", f"\nreport:\n  output_name: {name}\n", 1)
    else:
        text = f"report: {{output_name: {name}}}\n" + text
    path = folder / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + extra, encoding="utf-8")
    return path
