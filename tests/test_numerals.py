"""Chinese numerals: our own below 10000 agree with cn2an, which is kept for larger numbers."""

from __future__ import annotations

import sys

import pytest
from cn2an import an2cn

from disclosure.numerals import chinese_number


def test_agrees_with_cn2an_from_1_to_10000():
    different = {n: (chinese_number(n), an2cn(n)) for n in range(1, 10001) if chinese_number(n) != an2cn(n)}
    assert not different


@pytest.mark.parametrize(("n", "printed"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (101, "一百零一"),
                                            (110, "一百一十"), (1001, "一千零一"), (2020, "二千零二十"),
                                            (123456, "十二万三千四百五十六")])
def test_printed_forms(n: int, printed: str):
    assert chinese_number(n) == printed


def test_small_numbers_do_not_import_cn2an(monkeypatch):
    monkeypatch.delitem(sys.modules, "cn2an", raising=False)
    chinese_number.cache_clear()
    assert chinese_number(99) == "九十九"
    assert "cn2an" not in sys.modules
