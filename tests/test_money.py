"""money: Decimal only, ROUND_HALF_UP, printed forms of the reference (DESIGN.md §4)."""

from decimal import Decimal as D

import pytest

from disclosure import money


@pytest.mark.parametrize(
    ("yuan", "wan"),
    [("3097016.27", "309.70"), ("50", "0.01"), ("49.99", "0.00"), ("1500000", "150.00"), ("8877016.27", "887.70"),
     ("12345", "1.23"), ("12350", "1.24"), ("0", "0.00")],
)
def test_yuan_to_wan_rounds_half_up_once(yuan, wan):
    assert money.yuan_to_wan(D(yuan)) == D(wan)


def test_half_up_not_bankers():
    assert money.round_half_up(D("0.125")) == D("0.13")
    assert money.round_half_up(D("0.135")) == D("0.14")


def test_units():
    assert money.to_yuan(D("887.70"), "万元") == D("8877000.00")
    assert money.to_yuan(D("1.5"), "元") == D("1.5")


@pytest.mark.parametrize(
    ("function", "value", "printed"),
    [
        (money.cell, D("887.7"), "887.70"),
        (money.cell, D("0"), ""),
        (money.wan, D("0"), "0"),
        (money.wan, D("11.5"), "11.50"),
        (money.percent, D("1.31"), "1.31%"),
        (money.percent, D("100"), "100.00%"),
        (money.percent, D("0"), "0%"),
        (money.percent, D("-3.20"), "3.20%"),
        (money.yuan, D("3097016.27"), "3,097,016.27"),
        (money.yuan, D("1500000"), "1,500,000"),
        (money.yuan, D("1500000.00"), "1,500,000"),
        (money.yuan, D("0"), "0"),
    ],
)
def test_printed_forms(function, value, printed):
    assert function(value) == printed


def test_a_share_of_something_that_rounds_to_zero_prints_its_two_places():
    # 0.03万元 of 1,234,567,901.04万元: 占0.00%, not 占0% (which reads as nothing)
    assert money.percent(money.share(D("0.03"), D("1234567901.04")), of_something=True) == "0.00%"
    assert money.percent(D("0"), of_something=False) == "0%"


def test_share_of_zero_whole_is_zero_not_an_error():
    assert money.share(D("5"), D("0")) == 0


def test_change_rate_of_reference_section_1():
    # 887.70 this year, 876.20 last year: 增加11.50万元，增长1.31%
    assert money.change_rate(D("887.70"), D("876.20")) == D("1.31")
    assert money.change_rate(D("5"), D("0")) is None


