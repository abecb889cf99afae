"""Tests that need LibreOffice: marked ``pdf`` and skipped, saying why, where it is missing."""

from __future__ import annotations

import pytest

from disclosure import pdf
from disclosure.pdf import PdfError


def soffice_missing() -> str | None:
    """Why LibreOffice cannot be used here (the install hint of :func:`disclosure.pdf.find_soffice`), or None."""
    try:
        pdf.find_soffice()
    except PdfError as exc:
        return str(exc)
    return None


def needs_soffice(test):
    """Mark a test (or class) ``pdf`` and skip it, saying why, where LibreOffice is missing."""
    missing = soffice_missing()
    return pytest.mark.pdf(pytest.mark.skipif(missing is not None, reason=missing or "")(test))
