"""Chinese numerals for numbering (一、二、… 十二、).

Numbers below 10000 — every section, glossary entry and 收支总表 row number there is — are written here;
larger ones go to cn2an (num2words has no Chinese), whose import compiles regular expressions for a
tenth of a second or more, so it is imported only when such a number is asked for. The two agree on every
number from 1 to 10000 (``tests/test_numerals.py``).
"""

from __future__ import annotations

import functools

DIGITS = "零一二三四五六七八九"
#: 千, 百, 十 and the ones, from the left of a four-digit number
PLACES = ("千", "百", "十", "")


def _below_ten_thousand(n: int) -> str:
    """``1010`` → ``一千零一十``: one 零 for each run of zeros between digits, none at the end; 10–19 read 十…"""
    if n == 0:
        return DIGITS[0]
    if 10 <= n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    out, zero = [], False
    for digit, place in zip(f"{n:04d}", PLACES):
        if digit == "0":
            zero = bool(out)
            continue
        if zero:
            out.append(DIGITS[0])
            zero = False
        out.append(DIGITS[int(digit)] + place)
    return "".join(out)


@functools.lru_cache(maxsize=256)
def chinese_number(n: int) -> str:
    """``12`` → ``十二``, as section, glossary and 收支总表 row numbers print."""
    if 0 <= n < 10000:
        return _below_ten_thousand(n)
    from cn2an import an2cn

    return an2cn(n)
