"""Chinese numerals for numbering (一、二、… 十二、), via cn2an (num2words has no Chinese).

cn2an takes about a tenth of a second to import, so it is imported on first use: a
``validate`` that stops at a YAML error never pays for it.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=256)
def chinese_number(n: int) -> str:
    """``12`` → ``十二``, as section, glossary and 收支总表 row numbers print."""
    from cn2an import an2cn

    return an2cn(n)
