"""Everything the library raises on purpose, under one root, and the exit codes the CLI maps them to.

* :class:`DisclosureError` is the root: a caller of the library catches it once.
* :class:`UsageError` — something other than the model's content prevents the job (a file, a folder,
  a template, a profile, LibreOffice); the message names the file.  Exit code 2.
* :class:`disclosure.load.LoadError` — the model file cannot be used (syntax, schema).  Exit code 2.
* :class:`disclosure.pipeline.BuildRefused` — the model has findings of severity error (or warnings
  under ``strict``); nothing is written.  Exit code 1.
* :class:`ArgumentError` — a public function was given an argument of the wrong type (also a
  :class:`TypeError`).  A caller's bug, not bad input.

Anything else that escapes the library is a bug (exit code 3).
"""

from __future__ import annotations

import signal
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


class ArgumentError(DisclosureError, TypeError):
    """A function of the public API was called with an argument of the wrong type (a programming error).

    It is a :class:`TypeError` too, so code that catches that keeps working.
    """


def expect(value: object, types: type | tuple[type, ...], name: str, function: str, *, optional: bool = False,
           hint: str = "") -> None:
    """Raise :class:`ArgumentError` unless ``value`` is one of ``types`` (or None when ``optional``); ``hint``
    ends the message (what to do instead)."""
    if optional and value is None:
        return
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        ok = False  # True is an int, but never a meaningful one here
    else:
        ok = isinstance(value, types)
    if not ok:
        names = [t.__name__ for t in (types if isinstance(types, tuple) else (types,))] + (["None"] if optional else [])
        raise ArgumentError(f"{function}(): {name} must be {' or '.join(names)}, not {type(value).__name__}{hint}")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C in the command line (see :func:`raise_on_interrupt`); ``except KeyboardInterrupt`` catches it."""


_SIGNALLED = False


def _interrupt(signum: int, frame: object) -> None:
    global _SIGNALLED
    _SIGNALLED = True
    raise Interrupted()


def interrupted_by_signal() -> bool:
    """Ctrl-C came (:func:`raise_on_interrupt`'s handler ran): an exception that follows may be its wrapping.

    Code in Rust or C that calls back into Python (pydantic-core building a validator on first use) turns
    the :class:`Interrupted` raised in the callback into an error of its own (``SchemaError: …
    Interrupted``); the command line asks this to answer such an error as the interruption it is.
    """
    return _SIGNALLED


def raise_on_interrupt() -> None:
    """Make Ctrl-C raise :class:`Interrupted` in this process (the command line's entry points call it).

    CPython remembers a plain KeyboardInterrupt raised inside code run by ``exec``/``eval`` of a
    string (namedtuple, dataclasses and pydantic do that while importing) and then ends the process
    by SIGINT, even after the program caught it and chose its exit code; a subclass is not
    remembered, so the command exits 130 as it says.  An embedding program's own handler is kept.
    """
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)
