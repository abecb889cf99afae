"""Shared fixtures: the bundled example, its derived tables and its built report (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from exploration import DERANDOMIZE
from hypothesis import settings

import disclosure
from disclosure.pipeline import build

settings.register_profile("disclosure", derandomize=DERANDOMIZE)  # see tests/exploration.py
settings.load_profile("disclosure")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jincheng-federation-of-trade-unions-2024.yaml"


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example():
    return disclosure.load(EXAMPLE)


@pytest.fixture(scope="session")
def example_tables(example):
    return disclosure.derive_tables(example.model)


@pytest.fixture(scope="session")
def example_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    return build(EXAMPLE, out).docx
