"""The resident's pages of measurements under /my/health/ (thin: selector or service, then render).

Every page takes the record through ``health.selectors.record_for``: another resident, staff and
superusers get 404.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from health import selectors as health_selectors
from health import services as health_services
from health.measurements import catalogue, charts, csvio, rules, selectors, services, views_support
from health.measurements.errors import MeasurementError
from health.measurements.forms import GoalForm, ImportForm, MeasureForm, ReminderForm
from health.models import HealthRecord
from portal.errors import add_form_error


def _record(request: HttpRequest, record_id: int) -> HealthRecord:
    record = health_selectors.record_for(request.user, record_id)
    if record is None:
        raise Http404
    return record


def _type(type_key: str, *, typed: bool = True) -> catalogue.MeasurementType:
    mtype = catalogue.get(type_key)
    if mtype is None or (typed and mtype.derived):
        raise Http404
    return mtype


def _chart_url(record: HealthRecord, type_key: str) -> str:
    return reverse("portal:health_chart", args=[record.pk, type_key])


@login_required
def measure_mine(request: HttpRequest, type_key: str) -> HttpResponse:
    """The entry form for the resident's own log (from the /my/ buttons, before the log exists)."""
    _type(type_key)
    health_services.ensure_records(user=request.user)
    own = HealthRecord.objects.get(user=request.user)
    return measure(request, own.pk, type_key)


@login_required
def measure(request: HttpRequest, record_id: int, type_key: str) -> HttpResponse:
    """Tap, type, tap: the value field is focused; 記録する saves and shows the chart."""
    record = _record(request, record_id)
    mtype = _type(type_key)
    form = MeasureForm(request.POST or None, mtype=mtype)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            m = services.record_measurement(
                record=record,
                type_key=mtype.key,
                value=data["value"],
                value2=data.get("value2"),
                measured_at=data["measured_at"] or timezone.now(),
                note=data["note"],
            )
        except MeasurementError as error:
            add_form_error(form, error, "value")
        else:
            text = views_support.format_reading(mtype, m.value, m.value2)
            messages.success(request, _("Recorded: %(type)s %(value)s.") % {"type": mtype.label, "value": text})
            if rules.is_fever(mtype.key, m.value):
                messages.warning(request, _("This is a fever (37.5 ℃ or more)."))
            elif rules.outside_goal(selectors.goal_of(record, mtype.key), m.value, m.value2):
                messages.warning(request, _("This is outside your goal range."))
            return redirect(_chart_url(record, mtype.key))
    return render(
        request,
        "health/measurements/measure.html",
        {
            "record": record,
            "mtype": mtype,
            "form": form,
            "action": reverse("portal:health_measure", args=[record.pk, mtype.key]),
        },
    )


def _period(request: HttpRequest) -> tuple[str, datetime.date]:
    period = request.GET.get("period", "month")
    if period not in selectors.PERIODS:
        period = "month"
    today = timezone.localdate()
    try:
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return period, min(end, today)


@login_required
def chart(request: HttpRequest, record_id: int, type_key: str) -> HttpResponse:
    """A type over a week, a month or a year: an SVG chart and the same numbers as a table."""
    record = _record(request, record_id)
    mtype = _type(type_key, typed=False)
    period, end = _period(request)
    start, end = selectors.window(period, end)
    goal = selectors.goal_of(record, mtype.key)
    points = selectors.series(record, mtype.key, period, end, goal)
    title = _("%(type)s from %(start)s to %(end)s") % {
        "type": mtype.label,
        "start": start.strftime("%Y-%m-%d"),
        "end": end.strftime("%Y-%m-%d"),
    }
    span = end - start + datetime.timedelta(days=1)
    today = timezone.localdate()
    return render(
        request,
        "health/measurements/chart.html",
        {
            "record": record,
            "mtype": mtype,
            "period": period,
            "periods": [
                ("week", pgettext("chart period", "Week")),
                ("month", pgettext("chart period", "Month")),
                ("year", pgettext("chart period", "Year")),
            ],
            "start": start,
            "end": end,
            "previous_end": (end - span).isoformat(),
            "next_end": (end + span).isoformat() if end < today else None,
            "goal": goal,
            "goal_text": _goal_text(mtype, goal),
            "points": [_row(mtype, p) for p in points],
            "svg": charts.chart_svg(
                mtype=mtype, points=points, period=period, start=start, end=end, goal=goal, title=title
            ),
            "title": title,
            "types": views_support.types_for(record) + [catalogue.TYPES[catalogue.BMI]],
        },
    )


def _goal_text(mtype, goal) -> str:
    if goal is None or not goal.is_set:
        return ""
    parts = []
    for lo, hi in ((goal.low, goal.high), (goal.low2, goal.high2)):
        if lo is None and hi is None:
            continue
        parts.append(f"{mtype.format(lo) if lo is not None else ''}〜{mtype.format(hi) if hi is not None else ''}")
    return " / ".join(parts) + f" {mtype.unit}"


def _row(mtype, p) -> dict:
    return {
        "point": p,
        "text": views_support.format_reading(mtype, p.value, p.value2),
        "range": f"{mtype.format(p.low)}〜{mtype.format(p.high)}" if p.low is not None else "",
    }


@login_required
def goal(request: HttpRequest, record_id: int, type_key: str) -> HttpResponse:
    """The personal goal range of one type (empty bounds: no goal)."""
    record = _record(request, record_id)
    mtype = _type(type_key, typed=False)
    current = selectors.goal_of(record, mtype.key)
    initial = {} if current is None else {k: getattr(current, k) for k in ("low", "high", "low2", "high2")}
    form = GoalForm(request.POST or None, mtype=mtype, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_goal(record=record, type_key=mtype.key, **form.cleaned_data)
        except MeasurementError as error:
            add_form_error(form, error)
        else:
            messages.success(request, _("The goal range was saved."))
            return redirect(_chart_url(record, mtype.key))
    return render(request, "health/measurements/goal.html", {"record": record, "mtype": mtype, "form": form})


@login_required
@require_POST
def delete(request: HttpRequest, record_id: int, measurement_id: int) -> HttpResponse:
    record = _record(request, record_id)
    type_key = request.POST.get("type", "")
    if not services.delete_measurement(record=record, measurement_id=measurement_id):
        raise Http404
    messages.success(request, _("The measurement was deleted."))
    if catalogue.get(type_key):
        return redirect(_chart_url(record, type_key))
    return redirect("portal:health_record", record.pk)


@login_required
def export_csv(request: HttpRequest, record_id: int) -> HttpResponse:
    """Every measurement of the record as CSV (UTF-8 with BOM, for Excel)."""
    record = _record(request, record_id)
    filename = f"measurements-{record.pk}-{timezone.localdate():%Y%m%d}.csv"
    response = HttpResponse(csvio.export_csv(record).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def import_csv(request: HttpRequest, record_id: int) -> HttpResponse:
    """Add measurements from a CSV file in the export's format; all or nothing."""
    record = _record(request, record_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > csvio.MAX_BYTES:
                raise csvio.ImportRefused(_("The file is larger than 5 MB."), code="too_large")
            result = csvio.import_csv(record=record, data=upload.read())
        except MeasurementError as error:
            add_form_error(form, error, "file")
            problems = error.extra.get("errors", [])
        else:
            messages.success(
                request,
                _("%(added)s measurements imported; %(skipped)s were already in the log.")
                % {"added": result.added, "skipped": result.skipped},
            )
            return redirect("portal:health_record", record.pk)
    return render(request, "health/measurements/import.html", {"record": record, "form": form, "problems": problems})


@login_required
def reminders(request: HttpRequest, record_id: int) -> HttpResponse:
    """The resident's daily reminders to measure for this record; add one."""
    record = _record(request, record_id)
    types = views_support.types_for(record)
    form = ReminderForm(request.POST or None, types=types)
    if request.method == "POST" and form.is_valid():
        services.add_reminder(
            record=record,
            user=request.user,
            type_key=form.cleaned_data["type"],
            time_of_day=form.cleaned_data["time_of_day"],
        )
        messages.success(request, _("The reminder was saved. It is mailed every day at this time."))
        return redirect("portal:health_reminders", record.pk)
    return render(
        request,
        "health/measurements/reminders.html",
        {"record": record, "form": form, "reminders": selectors.reminders_of(record, request.user)},
    )


@login_required
@require_POST
def stop_reminder(request: HttpRequest, record_id: int, reminder_id: int) -> HttpResponse:
    record = _record(request, record_id)
    if not services.stop_reminder(record=record, user=request.user, reminder_id=reminder_id):
        raise Http404
    messages.success(request, _("The reminder was stopped."))
    return redirect("portal:health_reminders", record.pk)
