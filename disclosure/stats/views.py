"""/disclosure/statistics/: the 運用状況 of each fiscal year, as a page and as CSV (counts only)."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from disclosure.stats.selectors import available_years, year_statistics
from disclosure.stats.tables import tables


def _year(value, years: list[int]) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return years[0]
    if year not in years:
        raise Http404
    return year


def index(request):
    """One fiscal year's tables (the newest by default), the other years as links and a GET form."""
    years = available_years()
    year = _year(request.GET.get("year"), years)
    context = {"year": year, "years": years, "tables": tables(year_statistics(year))}
    return render(request, "disclosure/stats/index.html", context)


def year_csv(request, year: int):
    """The year's tables as CSV: UTF-8 with a BOM (Excel then reads the Japanese), one section per table."""
    if year not in available_years():
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Information disclosure: operation in fiscal year %(year)s") % {"year": year}])
    for table in tables(year_statistics(year)):
        writer.writerow([])
        writer.writerow([table.caption])
        writer.writerow(["", *table.header])
        for label, values in table.rows:
            writer.writerow([label, *values])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="disclosure-statistics-{year}.csv"'
    return response
