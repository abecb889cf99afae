"""The cycle collector around a build (heap.py, decision 46): kept objects are skipped, never lost."""

from __future__ import annotations

import gc
import weakref

from disclosure.heap import collect_between_units, kept_until_done


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_a_cycle_kept_during_a_build_is_collected_between_units_even_when_the_process_froze_at_start_up():
    gc.freeze()  # as python -m disclosure does with its modules
    try:
        node = _Node()
        alive = weakref.ref(node)
        with kept_until_done():
            with kept_until_done():  # blocks nest
                pass
            assert gc.get_freeze_count() > 0  # still kept within the outer block
        del node
        collect_between_units()  # as a batch does after each unit
        assert alive() is None
        assert gc.get_freeze_count() > 0  # the start-up freeze holds again
    finally:
        gc.unfreeze()
