"""Reads of fees: the schedule in force and a request's invoices."""

from __future__ import annotations

from wagtail.models import Site

from disclosure.fees.models import LIVE, FeeSchedule, Invoice


def schedule(site: Site | None = None) -> FeeSchedule:
    """The fee schedule of ``site`` (the default site when none is given); the defaults until staff save it."""
    site = site or Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return FeeSchedule()  # no site at all (an empty database): the documented defaults
    return FeeSchedule.for_site(site)


def live_invoice(request) -> Invoice | None:
    """The request's invoice that counts (issued or paid), or ``None``."""
    return Invoice.objects.filter(request=request, status__in=LIVE).first()


def invoices_of(request) -> list[Invoice]:
    """All invoices of the request, cancelled ones included, oldest first (the history staff see)."""
    return list(Invoice.objects.filter(request=request).order_by("issued_at", "pk"))
