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

_kept = 0  # how many kept_until_done blocks are open (they may nest)


@contextlib.contextmanager
def kept_until_done() -> Iterator[None]:
    """Within the block, the objects that exist when it starts are not walked by the cycle collector.

    They are moved to the collector's permanent generation (:func:`gc.freeze`) and, when the outermost block
    ends, everything frozen is moved back (:func:`gc.unfreeze`) — also what was frozen before, such as the
    modules ``python -m disclosure`` freezes at start-up: otherwise the model of one unit of a batch would
    stay frozen, and a cycle in it would never be collected. Objects made inside the block are collected
    as usual.
    """
    global _kept
    if not _kept:
        gc.freeze()
    _kept += 1
    try:
        yield
    finally:
        _kept -= 1
        if not _kept:
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
