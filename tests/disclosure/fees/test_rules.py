"""The fee arithmetic, pure: each line is quantity × unit price, postage one line at cost, the total their sum."""

from __future__ import annotations

import pytest

from disclosure.fees.models import DEFAULT_PRICES
from disclosure.fees.rules import Prices, Quantities, lines, total

CASES = [
    # (quantities, prices, expected codes, expected total)
    (Quantities(), DEFAULT_PRICES, [], 0),
    (Quantities(monochrome_pages=12), DEFAULT_PRICES, ["monochrome"], 120),
    (Quantities(colour_pages=3), DEFAULT_PRICES, ["colour"], 60),
    (Quantities(monochrome_pages=12, colour_pages=3), DEFAULT_PRICES, ["monochrome", "colour"], 180),
    (Quantities(cd_r=1), DEFAULT_PRICES, ["cd_r"], 100),
    (Quantities(dvd_r=2), DEFAULT_PRICES, ["dvd_r"], 200),
    (Quantities(postage=140), DEFAULT_PRICES, ["postage"], 140),
    (
        Quantities(monochrome_pages=250, colour_pages=10, cd_r=1, dvd_r=1, postage=520),
        DEFAULT_PRICES,
        ["monochrome", "colour", "cd_r", "dvd_r", "postage"],
        2500 + 200 + 100 + 100 + 520,
    ),
    (Quantities(monochrome_pages=12, colour_pages=3), Prices(15, 30, 200, 250), ["monochrome", "colour"], 270),
    (Quantities(monochrome_pages=5), Prices(0, 0, 0, 0), ["monochrome"], 0),
]


@pytest.mark.parametrize(("quantities", "prices", "codes", "expected"), CASES)
def test_the_total_is_the_sum_of_quantity_times_price(quantities, prices, codes, expected):
    invoice_lines = lines(quantities, prices)
    assert [line.code for line in invoice_lines] == codes
    assert total(invoice_lines) == expected


def test_postage_is_one_line_at_cost():
    (line,) = lines(Quantities(postage=370), DEFAULT_PRICES)
    assert (line.quantity, line.unit_price, line.amount) == (1, 370, 370)


def test_the_documented_defaults():
    assert Prices(monochrome_page=10, colour_page=20, cd_r=100, dvd_r=100) == DEFAULT_PRICES


@pytest.mark.parametrize("quantities", [Quantities(monochrome_pages=-1), Quantities(postage=-10)])
def test_a_negative_quantity_is_a_bug_not_a_discount(quantities):
    with pytest.raises(ValueError):
        lines(quantities, DEFAULT_PRICES)
