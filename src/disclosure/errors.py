"""Everything the library raises on purpose, under one root, and the exit codes the CLI maps them to.

* :class:`DisclosureError` is the root: a caller of the library catches it once.
* :class:`UsageError` — something other than the model's content prevents the job (a file, a folder,
  a template, a profile, LibreOffice); the message names the file.  Exit code 2.
* :class:`disclosure.load.LoadError` — the model file cannot be used (syntax, schema).  Exit code 2.
* :class:`disclosure.pipeline.BuildRefused` — the model has findings of severity error (or warnings
  under ``strict``); nothing is written.  Exit code 1.

Anything else that escapes the library is a bug (exit code 3).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of ``python -m disclosure`` (DESIGN.md §8), in one place."""

    OK = 0
    FINDINGS = 1  # the model has errors (or warnings under --strict); nothing is written
    INPUT = 2  # unusable input: file, YAML, schema, template, profile, output folder, LibreOffice
    BUG = 3  # an internal error: please report it
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


class DisclosureError(Exception):
    """Root of every error the library raises on purpose."""


class UsageError(DisclosureError):
    """Something other than the model's content prevents the job; the message says what and where."""


class OutputError(UsageError):
    """The output folder or a report file cannot be written."""
