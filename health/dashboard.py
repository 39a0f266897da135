"""The health panel on /my/: a link to each health log the resident keeps."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from health import selectors
from health.measurements.views_support import quick_entries
from portal.dashboard import Panel, register


def _context(request):
    records = selectors.records_of(request.user)
    return {"records": records, "measure_quick": quick_entries(request.user, records)}


register(Panel(key="health", title=_("Health log"), template="health/panel.html", order=50, get_context=_context))
