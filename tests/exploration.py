"""How hard the property tests search.

CI runs the same examples every time (derandomized: a red run must be reproducible, not luck). A
developer searches new and many more with ``DISCLOSURE_EXPLORE=10 python -m pytest tests/…``:
random examples, ten times as many.
"""

import os

FACTOR = int(os.environ.get("DISCLOSURE_EXPLORE", "0") or 0)


def examples(n: int) -> int:
    return n * FACTOR if FACTOR else n


DERANDOMIZE = FACTOR == 0
