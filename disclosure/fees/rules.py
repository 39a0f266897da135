"""The arithmetic of copy fees (写しの交付の費用), pure: no database, no clock.

An invoice is a few lines, each ``quantity × unit price`` in yen; postage is one line of
``1 × the cost``. The total is the sum of the lines. Unit prices come from the fee schedule when
the invoice is issued and are then copied onto it, so the arithmetic here never reads the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The most a staff member can enter on one line (pages, discs or yen of postage): a typo guard.
MAX_QUANTITY = 100_000
MAX_POSTAGE = 100_000


@dataclass(frozen=True)
class Line:
    """One line of an invoice: ``quantity`` units at ``unit_price`` yen."""

    code: str
    quantity: int
    unit_price: int

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class Prices:
    """Unit prices in yen, as the schedule has them (and as an issued invoice keeps them)."""

    monochrome_page: int
    colour_page: int
    cd_r: int
    dvd_r: int


@dataclass(frozen=True)
class Quantities:
    """What the requester receives: pages, discs, and the postage paid at cost (0 when collected)."""

    monochrome_pages: int = 0
    colour_pages: int = 0
    cd_r: int = 0
    dvd_r: int = 0
    postage: int = 0


def lines(quantities: Quantities, prices: Prices) -> list[Line]:
    """The invoice's lines with a quantity: monochrome pages, colour pages, CD-R, DVD-R, postage.

    A negative quantity or price is a programming error (forms and services refuse them first).
    """
    candidates = [
        Line("monochrome", quantities.monochrome_pages, prices.monochrome_page),
        Line("colour", quantities.colour_pages, prices.colour_page),
        Line("cd_r", quantities.cd_r, prices.cd_r),
        Line("dvd_r", quantities.dvd_r, prices.dvd_r),
        Line("postage", 1 if quantities.postage else 0, quantities.postage),
    ]
    for line in candidates:
        if line.quantity < 0 or line.unit_price < 0:
            raise ValueError(f"negative {line.code}: {line.quantity} × {line.unit_price}")
    return [line for line in candidates if line.quantity]


def total(invoice_lines: list[Line]) -> int:
    """The sum of the lines' amounts, in yen."""
    return sum(line.amount for line in invoice_lines)
