"""The cycle collector and the objects a build keeps (decision 46).

A build makes its large objects first — the loaded model, then its tables, sentences and template contexts
— and keeps them to the end, while it makes many small, short-lived ones. Python's cycle collector would
walk the large ones again at every collection of the oldest generation, so a build's time grew faster
than its model (at 50,000 rows, deriving the tables took twice as long per row as at 5,000).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def kept_until_done() -> Iterator[None]:
    """Within the block, the objects that exist when it starts are not walked by the cycle collector.

    They are moved to the collector's permanent generation (:func:`gc.freeze`) and back at the end, unless
    something had frozen objects before (a command-line process freezes its modules at start-up; they stay).
    Nothing is collected that would not be: objects made inside the block are collected as usual.
    """
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection within the block: for reading a model, which makes one growing tree of plain
    values and models (no cycles) that the collector would walk again and again as it grows.

    Objects made inside are collected as usual afterwards (garbage that is not a cycle never waits for
    the collector).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect_between_units() -> None:
    """After one unit of a batch: collect its garbage, what the build left frozen included.

    A process that froze objects before a build (``python -m disclosure`` freezes its modules at start-up)
    keeps what :func:`kept_until_done` froze frozen — unfreezing would make every later collection of the
    build walk the modules again — so between units the frozen objects are moved back, the finished unit's
    cycles (python-docx and docxtpl leave some holding whole XML trees) collected, and what remains frozen
    again.
    """
    frozen = gc.get_freeze_count()
    if frozen:
        gc.unfreeze()
    gc.collect()
    if frozen:
        gc.freeze()
