"""Facility pages: public search, day view and month calendar; booking; the resident's reservations.

Views parse input, ask :mod:`facilities.selectors` or :mod:`facilities.services` and render.
Every booking rule is in the services; a refused booking shows the service's message.
"""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, timedelta
from urllib.parse import urlencode

import jpholiday
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facilities import ics, rules, selectors, services
from facilities.errors import BookingError
from facilities.forms import BookingForm, ClubForm, DayForm, MonthForm, SearchForm, WaitlistForm
from facilities.models import Facility, Unit
from facilities.payments import selectors as payment_selectors
from facilities.selectors import DayState, SlotState
from portal.errors import show_error

#: How far the public pages look back and ahead; beyond that nothing can be booked anyway.
DAYS_BACK, DAYS_AHEAD = 366, 2 * 366
PAST_PER_PAGE = 20


def _today() -> date:
    return timezone.localdate()


def _in_range(day: date) -> bool:
    today = _today()
    return today - timedelta(days=DAYS_BACK) <= day <= today + timedelta(days=DAYS_AHEAD)


def _day_url(facility: Facility, day: date) -> str:
    return f"{reverse('facilities:detail', args=[facility.slug])}?{urlencode({'date': day.isoformat()})}"


# --- Public pages ------------------------------------------------------------------------


def facility_list(request: HttpRequest) -> HttpResponse:
    """All facilities, or those matching the search (date, time of day, kind, number of people)."""
    form = SearchForm(request.GET or None)
    criteria = form.cleaned_data if form.is_bound and form.is_valid() else {}
    day = criteria.get("date")
    if day and not _in_range(day):
        form.add_error("date", _("Choose a day from one year ago to two years ahead."))
        criteria, day = {}, None
    results = selectors.search_facilities(
        day=day, band=criteria.get("band"), kind=criteria.get("kind", ""), capacity=criteria.get("capacity")
    )
    context = {
        "form": form,
        "results": results,
        "day": day,
        "band": criteria.get("band"),
        "searched": bool(criteria),
        "day_query": urlencode({"date": day.isoformat()}) if day else "",
    }
    return render(request, "facilities/facility_list.html", context, status=400 if form.errors else 200)


def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A facility's page with the day view: every unit's frames on one day, free ones to tick for booking."""
    facility = get_object_or_404(Facility.objects.select_related("photo"), slug=slug)
    form = DayForm(request.GET if "date" in request.GET else None, initial={"date": _today()})
    day = _today()
    if form.is_bound:
        if form.is_valid() and _in_range(form.cleaned_data["date"]):
            day = form.cleaned_data["date"]
        elif form.is_valid():
            form.add_error("date", _("Choose a day from one year ago to two years ahead."))
    availability = selectors.Availability(facility, day, day)
    tables = selectors.day_tables(availability, day)
    states = {slot.state for table in tables for _frame, slots in table.rows for slot in slots}
    context = {
        "facility": facility,
        "form": form,
        "day": day,
        "holiday_name": jpholiday.is_holiday_name(day),
        "holiday_fee": rules.is_holiday(day),
        "tables": tables,
        "any_free": SlotState.FREE in states,
        "any_taken": SlotState.TAKEN in states,
        "opens_at": rules.window_opens(facility, day) if SlotState.NOT_YET in states else None,
        "previous_day": day - timedelta(days=1) if _in_range(day - timedelta(days=1)) else None,
        "next_day": day + timedelta(days=1) if _in_range(day + timedelta(days=1)) else None,
        "units": [unit for unit in availability.units if unit.active],
        "hours": sorted(availability.hours.values(), key=lambda h: h.weekday),
        "legend_states": list(SlotState),
    }
    return render(request, "facilities/facility_detail.html", context, status=400 if form.errors else 200)


def unit_month(request: HttpRequest, slug: str, unit_id: int) -> HttpResponse:
    """The month calendar of one unit: ○ all free, △ some free, × fully booked, 休 closed, － not bookable."""
    unit = get_object_or_404(Unit.objects.select_related("facility"), pk=unit_id, facility__slug=slug, active=True)
    facility = unit.facility
    this_month = rules.first_of_month(_today())
    form = MonthForm(request.GET if "month" in request.GET else None)
    month = this_month
    if form.is_bound:
        if form.is_valid() and _in_range(form.cleaned_data["month"]):
            month = form.cleaned_data["month"]
        elif form.is_valid():
            form.add_error("month", _("Choose a month from one year ago to two years ahead."))
    availability = selectors.month_availability(facility, month, unit=unit)
    weeks: list[list[dict | None]] = []
    # Weeks start on Sunday, as on Japanese wall calendars.
    month_weeks = pycalendar.Calendar(firstweekday=6).monthdatescalendar(month.year, month.month)
    for week in month_weeks:
        row = []
        for day in week:
            if day.month != month.month:
                row.append(None)
                continue
            state = availability.day_state(unit, day)
            row.append(
                {
                    "day": day,
                    "state": state,
                    "holiday": jpholiday.is_holiday_name(day),
                    "url": _day_url(facility, day) if state in (DayState.FREE, DayState.SOME) else "",
                }
            )
        weeks.append(row)
    previous_month = rules.first_of_month(month, 1)
    next_month = rules.first_of_month(month + timedelta(days=32))
    context = {
        "facility": facility,
        "unit": unit,
        "month": month,
        "weeks": weeks,
        "form": form,
        "previous_month": previous_month if _in_range(previous_month) else None,
        "next_month": next_month if _in_range(next_month) else None,
        "fees": selectors.fees_of(unit),
        "legend_states": list(DayState),
        "weekdays": month_weeks[0],  # seven dates, Sunday to Saturday, for the column headers
        "opens_at": opens_at if (opens_at := rules.window_opens(facility, month)) > timezone.now() else None,
    }
    return render(request, "facilities/unit_month.html", context, status=400 if form.errors else 200)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A resident's private calendar: every active reservation. An unknown or revoked address is a 404."""
    calendar_feed = selectors.feed_by_token(token)
    if calendar_feed is None:
        raise Http404
    body = ics.calendar(
        selectors.active_reservations_for_feed(calendar_feed),
        name=_("%(site)s reservations") % {"site": settings.WAGTAIL_SITE_NAME},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reservations.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Booking -----------------------------------------------------------------------------


def _slot_form_refused(request: HttpRequest, facility: Facility, form) -> HttpResponse | None:
    """A 400 page naming what is wrong with a slot form (booking, waitlist), or ``None`` if it is valid.

    The day must lie in the same window as the day and month views: a far date (0001-01-01,
    9999-12-31) would overflow the date arithmetic of the booking rules.
    """
    if form.is_valid() and not _in_range(form.cleaned_data["date"]):
        form.add_error("date", _("Choose a day from one year ago to two years ahead."))
    if form.is_valid():
        return None
    day = form.cleaned_data.get("date")
    day = day if day and _in_range(day) else _today()
    context = {"facility": facility, "form": form, "back_url": _day_url(facility, day)}
    return render(request, "facilities/book_invalid.html", context, status=400)


@login_required
def book(request: HttpRequest, slug: str) -> HttpResponse:
    """Confirm the chosen slots (GET shows each slot and the fee), then book them (POST, then redirect)."""
    facility = get_object_or_404(Facility, slug=slug)
    data = request.POST if request.method == "POST" else request.GET
    form = BookingForm(data, facility=facility, user=request.user)
    if (refused := _slot_form_refused(request, facility, form)) is not None:
        return refused

    unit, slots, club = form.unit, form.slots, form.chosen_club
    day = form.cleaned_data["date"]
    error = ""
    try:
        if request.method == "POST":
            reservations = services.book(user=request.user, unit=unit, slots=slots, club=club)
            return redirect(f"{reverse('facilities:booked')}?{urlencode([('r', r.pk) for r in reservations])}")
        services.check_booking(user=request.user, unit=unit, slots=slots, club=club)
    except BookingError as refusal:
        error = refusal.message

    resident = services.resident_rate(request.user, club)
    lines = [
        {"slot": s, "start": s.frame.bounds(day)[0], "fee": fee}
        for s, fee in zip(slots, selectors.fees_for(slots, resident=resident), strict=True)
    ]
    deadline = rules.cancel_deadline(facility, day, lines[0]["start"])
    context = {
        "facility": facility,
        "unit": unit,
        "day": day,
        "holiday_name": jpholiday.is_holiday_name(day),
        "holiday_fee": rules.is_holiday(day),
        "lines": lines,
        "total": services.quote(unit, slots, user=request.user, club=club),
        "resident": resident,
        "club": club,
        "form": form,
        "clubs": form.fields["club"].queryset,
        "error": error,
        "cancel_until": deadline - timedelta(minutes=1),
        "back_url": _day_url(facility, day),
    }
    return render(request, "facilities/book_confirm.html", context, status=409 if error else 200)


@login_required
def booked(request: HttpRequest) -> HttpResponse:
    """The page after booking: what was booked and that the confirmation mail is on its way."""
    ids = [int(value) for value in request.GET.getlist("r") if value.isdigit()]
    reservations = list(selectors.reservations_of(request.user).filter(pk__in=ids))
    if not reservations:
        raise Http404
    return render(
        request,
        "facilities/booked.html",
        {
            "reservations": reservations,
            "total": sum(r.fee for r in reservations),
            "facility": reservations[0].unit.facility,
        },
    )


# --- The resident's reservations ---------------------------------------------------------


def _own_reservation_or_404(request: HttpRequest, reservation_id: int):
    reservation = selectors.reservation_for(request.user, reservation_id)
    if reservation is None:
        raise Http404
    return reservation


@login_required
def my_reservations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming = list(selectors.upcoming_reservations(request.user, now=now))
    for reservation in upcoming:
        reservation.cancellable = services.can_cancel(reservation, now=now)
    past = Paginator(selectors.past_reservations(request.user, now=now).order_by("-start"), PAST_PER_PAGE)
    context = {
        "upcoming": upcoming,
        "past": past.get_page(request.GET.get("page")),
        "clubs": selectors.clubs_of(request.user),
    }
    return render(request, "facilities/my_reservations.html", context)


@login_required
def reservation_detail(request: HttpRequest, reservation_id: int) -> HttpResponse:
    reservation = _own_reservation_or_404(request, reservation_id)
    context = {
        "reservation": reservation,
        "cancellable": services.can_cancel(reservation),
        "cancel_until": rules.cancel_deadline(reservation.unit.facility, reservation.date, reservation.start)
        - timedelta(minutes=1),
    }
    return render(request, "facilities/reservation_detail.html", context)


@login_required
def reservation_cancel(request: HttpRequest, reservation_id: int) -> HttpResponse:
    """Ask before cancelling; the POST cancels (if the deadline allows) and sends the cancellation mail."""
    reservation = _own_reservation_or_404(request, reservation_id)
    refund = payment_selectors.refund_quote(reservation, timezone.now())
    if request.method == "POST":
        if request.POST.get("refund", str(refund.amount)) != str(refund.amount):
            # The tier changed since the page was shown (midnight passed, or staff recorded a payment).
            messages.warning(request, _("The refund has changed. Check the new amount and confirm again."))
        else:
            try:
                services.cancel(reservation=reservation, by=request.user)
            except BookingError as refusal:
                show_error(request, refusal)
                return redirect("facilities:reservation_detail", reservation.pk)
            messages.success(request, _("Your booking was cancelled. We sent you a mail about it."))
            return redirect("facilities:my_reservations")
    context = {"reservation": reservation, "cancellable": services.can_cancel(reservation), "refund": refund}
    return render(request, "facilities/reservation_cancel.html", context)


@login_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The resident's private calendar address (made on first visit) and a way to replace it."""
    token = services.calendar_feed(request.user).token
    # The address a calendar app keeps polling: the public one, not whatever host this request came through.
    feed_url = settings.SITE_URL.rstrip("/") + reverse("facilities:feed", args=[token])
    return render(request, "facilities/calendar_feed.html", {"feed_url": feed_url})


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    services.revoke_calendar_feed(request.user)
    messages.success(request, _("Your calendar has a new address. The old address no longer works."))
    return redirect("facilities:calendar_feed")


@login_required
def clubs(request: HttpRequest) -> HttpResponse:
    return render(request, "facilities/clubs.html", {"clubs": selectors.clubs_of(request.user)})


@login_required
def club_register(request: HttpRequest) -> HttpResponse:
    form = ClubForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            club = services.register_club(representative=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("“%(name)s” was registered. Staff will check it; we will mail you.") % {"name": club.name}
            )
            return redirect("facilities:clubs")
    return render(request, "facilities/club_register.html", {"form": form})


# --- Waitlist (キャンセル待ち) ----------------------------------------------------------------


@login_required
def waitlist_join(request: HttpRequest, slug: str) -> HttpResponse:
    """A booked slot's waitlist: GET shows the slot and the line, POST joins it (then "My waitlist")."""
    facility = get_object_or_404(Facility, slug=slug)
    data = request.POST if request.method == "POST" else request.GET
    form = WaitlistForm(data, facility=facility, user=request.user)
    if (refused := _slot_form_refused(request, facility, form)) is not None:
        return refused
    frame, day, club = form.cleaned_data["frame"], form.cleaned_data["date"], form.cleaned_data.get("club")
    unit = frame.unit
    error = ""
    try:
        if request.method == "POST":
            services.join_waitlist(user=request.user, unit=unit, frame=frame, day=day, club=club)
            messages.success(
                request, _("You are on the waitlist. If the slot is cancelled and it is your turn, we will mail you.")
            )
            return redirect("facilities:waitlist_mine")
        services.check_waitlist(user=request.user, unit=unit, frame=frame, day=day, club=club)
    except BookingError as refusal:
        error = refusal.message
    context = {
        "facility": facility,
        "unit": unit,
        "frame": frame,
        "day": day,
        "club": club,
        "clubs": form.fields["club"].queryset,
        "waiting": selectors.waiting_count(unit, frame, day),
        "hold_hours": settings.FACILITIES_WAITLIST_HOLD_HOURS,
        "max_entries": settings.FACILITIES_WAITLIST_MAX_ENTRIES,
        "error": error,
        "back_url": _day_url(facility, day),
    }
    return render(request, "facilities/waitlist_join.html", context, status=409 if error else 200)


@login_required
def waitlist_mine(request: HttpRequest) -> HttpResponse:
    """The resident's waitlists: offers to confirm first, then the slots they wait for."""
    now = timezone.now()
    entries = list(selectors.current_waitlist(request.user, now=now))
    for entry in entries:
        entry.place = selectors.place_in_line(entry)
        entry.confirmable = services.can_confirm_offer(entry, now=now)
    context = {"entries": entries, "max_entries": settings.FACILITIES_WAITLIST_MAX_ENTRIES}
    return render(request, "facilities/waitlist_mine.html", context)


def _own_entry_or_404(request: HttpRequest, entry_id: int):
    entry = selectors.waitlist_entry_for(request.user, entry_id)
    if entry is None:
        raise Http404
    return entry


@login_required
def waitlist_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One waitlist entry; the offer mail links here. Confirm the offer or leave the line."""
    entry = _own_entry_or_404(request, entry_id)
    now = timezone.now()
    context = {
        "entry": entry,
        "place": selectors.place_in_line(entry) if entry.is_open else None,
        "confirmable": services.can_confirm_offer(entry, now=now),
        "started": entry.start <= now,
        "hold_hours": settings.FACILITIES_WAITLIST_HOLD_HOURS,
    }
    return render(request, "facilities/waitlist_entry.html", context)


@login_required
@require_POST
def waitlist_confirm(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _own_entry_or_404(request, entry_id)
    try:
        reservation = services.confirm_offer(entry=entry, user=request.user)
    except BookingError as refusal:
        show_error(request, refusal)
        return redirect("facilities:waitlist_entry", entry.pk)
    return redirect(f"{reverse('facilities:booked')}?{urlencode([('r', reservation.pk)])}")


@login_required
@require_POST
def waitlist_leave(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _own_entry_or_404(request, entry_id)
    try:
        services.leave_waitlist(entry=entry, user=request.user)
    except BookingError as refusal:
        show_error(request, refusal)
        return redirect("facilities:waitlist_entry", entry.pk)
    messages.success(request, _("You left the waitlist."))
    return redirect("facilities:waitlist_mine")
