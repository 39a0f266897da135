"""Writes for facilities: booking, cancelling, payment, maintenance blocks, groups, calendar feeds.

Every rule that decides whether a booking is allowed lives here, and every refusal is a
:class:`~facilities.errors.BookingError` with a stable code and a message for the resident in
their language. A refused booking changes nothing. The rules the lottery shares (who may act for
a group, why a slot cannot be had) are written once, here, and take the error class to raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities import display, ics, rules
from facilities.errors import BookingError
from facilities.models import CalendarFeed, Club, Occupancy, Reservation, TimeFrame, Unit, WaitlistEntry
from facilities.payments import services as payments
from facilities.penalties import services as penalties
from facilities.selectors import (
    Availability,
    SlotState,
    fees_for,
    holder_reservations,
    is_held,
    open_waitlist_entries,
    spaces_by_unit,
)
from notifications.services import Attachment, queue_templated_mail
from portal.errors import ServiceError


@dataclass(frozen=True)
class SlotRequest:
    frame: TimeFrame
    day: date


def is_resident(user) -> bool:
    """A resident is a signed-in user whose profile says they live in one of the town's districts."""
    return bool(user and getattr(user, "district_id", None))


def resident_rate(user, club: Club | None) -> bool:
    """The resident fee applies to residents, and to groups whose members are at least half residents."""
    if club is not None:
        return club.resident_share >= 50
    return is_resident(user)


def quote(unit: Unit, slots: Sequence[SlotRequest], *, user=None, club: Club | None = None) -> int:
    """The total fee, shown before the resident confirms. A frame without a fee costs nothing."""
    resident = resident_rate(user, club)
    return sum(fees_for(slots, resident=resident))


# --- Rules the lottery shares -------------------------------------------------------------
def check_group(
    club: Club, user, *, error: type[ServiceError] = BookingError, applying: bool = False, representative: bool = True
) -> None:
    """A group books (or applies to a lottery) only once staff approved it, and only through its representative.

    Staff booking at the counter for a group (``representative=False``) skip the second rule.
    """
    if club.status != Club.Status.APPROVED:
        raise error(_("This group has not been approved yet."), code="club_not_approved")
    if representative and club.representative_id != getattr(user, "pk", None):
        if applying:
            raise error(_("Only the group's representative can apply for it."), code="not_representative")
        raise error(_("Only the group's representative can book for it."), code="not_representative")


def check_groups_only(unit: Unit, club: Club | None, *, error: type[ServiceError] = BookingError) -> None:
    """A unit for groups only is booked (or applied for) for a registered group, never for a person."""
    if unit.groups_only and club is None:
        raise error(_("Only registered groups can book %(unit)s.") % {"unit": unit.name}, code="groups_only")


def slot_refusal(
    state: SlotState, slot: str, *, error: type[ServiceError] = BookingError, lottery: bool = False
) -> ServiceError:
    """Why a slot that is not free cannot be booked (or applied for in a lottery); ``slot`` names it.

    A slot that has started, is closed, or is outside the booking window cannot be had. A slot
    held by another booking was "just booked by someone else" for a resident booking it (they
    saw it free), and "is already booked" for a lottery (it was booked before the draw).
    """
    if state is SlotState.PAST:
        return error(_("%(slot)s can no longer be booked.") % {"slot": slot}, code="slot_past")
    if state is SlotState.CLOSED:
        return error(_("The facility is closed at %(slot)s.") % {"slot": slot}, code="slot_closed")
    if state is SlotState.NOT_YET:
        return error(_("Booking for %(slot)s has not opened yet.") % {"slot": slot}, code="not_yet_open")
    if state is SlotState.TAKEN and lottery:
        return error(_("%(slot)s is already booked.") % {"slot": slot}, code="slot_taken")
    if state is SlotState.TAKEN:
        return error(_("%(slot)s has just been booked by someone else.") % {"slot": slot}, code="slot_taken")
    raise ValueError(f"A {state.value} slot can be booked.")


# --- Booking ------------------------------------------------------------------------------
def _label(request: SlotRequest) -> str:
    return display.slot_when(request.day, request.frame.label, request.frame.start, request.frame.end)


def _check_limits(facility, user, club, slots: Sequence[SlotRequest], now: datetime) -> None:
    """At most N upcoming reservations per person or group at a facility, and M slots a day."""
    active = holder_reservations(facility, user=user, club=club, now=now)
    if active.count() + len(slots) > facility.max_active_reservations:
        raise BookingError(
            _("You can hold at most %(n)d upcoming reservations at this facility.")
            % {"n": facility.max_active_reservations},
            code="too_many_reservations",
        )
    per_day: dict[date, int] = {}
    for day in active.values_list("date", flat=True):
        per_day[day] = per_day.get(day, 0) + 1
    for slot in slots:
        per_day[slot.day] = per_day.get(slot.day, 0) + 1
        if per_day[slot.day] > facility.max_slots_per_day:
            raise BookingError(
                _("You can book at most %(n)d slots on one day at this facility.") % {"n": facility.max_slots_per_day},
                code="too_many_slots_per_day",
            )


def _check_slots(unit: Unit, slots: Sequence[SlotRequest], now: datetime, *, ignore_window: bool) -> None:
    if not slots:
        raise BookingError(_("Choose at least one time slot."), code="no_slot")
    if len({(s.day, s.frame.pk) for s in slots}) != len(slots):
        raise BookingError(_("The same slot was chosen twice."), code="duplicate_slot")
    days = [s.day for s in slots]
    availability = Availability(unit.facility, min(days), max(days), now=now)
    for request in slots:
        if request.frame.unit_id != unit.pk:
            raise BookingError(_("That time slot does not belong to this unit."), code="wrong_unit")
        slot = availability.slot(unit, request.frame, request.day, ignore_window=ignore_window)
        if not slot.is_free:
            raise slot_refusal(slot.state, _label(request))


def _occupy(reservation: Reservation, spaces: set[int]) -> None:
    """Hold the reservation's spaces; the database refuses an overlap (IntegrityError)."""
    Occupancy.objects.bulk_create(
        Occupancy(reservation=reservation, space_id=space, start=reservation.start, end=reservation.end)
        for space in sorted(spaces)
    )


def _taken(request: SlotRequest) -> ServiceError:
    """The refusal when the slot turns out to be held while booking: someone else was faster."""
    return slot_refusal(SlotState.TAKEN, _label(request))


def check_booking(
    *,
    user,
    unit: Unit,
    slots: Sequence[SlotRequest],
    club: Club | None = None,
    enforce_rules: bool = True,
    now: datetime | None = None,
) -> None:
    """Raise :class:`BookingError` if :func:`book` would refuse these slots now; write nothing.

    The confirmation page asks this first, so a resident is not shown a fee for slots they
    cannot book. :func:`book` asks again under its lock: only that answer is final.
    """
    now = now or timezone.now()
    if club is not None:
        check_group(club, user, representative=enforce_rules)
    if enforce_rules:
        penalties.check_not_suspended(user=user, club=club, error=BookingError, today=timezone.localdate(now))
        check_groups_only(unit, club)
    _check_slots(unit, slots, now, ignore_window=not enforce_rules)
    if enforce_rules:
        _check_limits(unit.facility, user, club, slots, now)


@transaction.atomic
def book(
    *,
    user,
    unit: Unit,
    slots: Sequence[SlotRequest],
    club: Club | None = None,
    source: str = Reservation.Source.WEB,
    created_by=None,
    customer_name: str = "",
    customer_phone: str = "",
    status: str = Reservation.Status.CONFIRMED,
    enforce_rules: bool = True,
    notify: bool = True,
    resident: bool | None = None,
    now: datetime | None = None,
) -> list[Reservation]:
    """Book ``slots`` of ``unit`` for a resident (or their group), all or nothing.

    The rules: the unit is bookable and open then; the slots are in the future and inside the
    booking window (not while the month is in the lottery); a unit for groups only is booked by
    an approved group's representative; the holder keeps to the facility's limits. Staff booking
    at the counter (``enforce_rules=False``) skip the window and the limits, never the overlap
    check. Two people racing for one slot: the database lets exactly one win, the other gets
    "booked by someone else". ``resident`` lets staff decide the rate of a counter customer
    (default: :func:`resident_rate`).
    """
    now = now or timezone.now()
    facility = unit.facility
    if user is not None:
        # One booking at a time per person: their limits are checked against committed bookings.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    check_booking(user=user, unit=unit, slots=slots, club=club, enforce_rules=enforce_rules, now=now)

    spaces = spaces_by_unit(list(facility.units.all()))[unit.pk]
    resident = resident_rate(user, club) if resident is None else resident
    reservations = []
    ordered = sorted(slots, key=lambda s: (s.day, s.frame.start))
    for request, fee in zip(ordered, fees_for(ordered, resident=resident), strict=True):
        start, end = request.frame.bounds(request.day)
        if is_held(spaces, start, end):  # also by an earlier slot of this booking (SQLite has no constraint)
            raise _taken(request)
        reservation = Reservation.objects.create(
            unit=unit,
            frame=request.frame,
            date=request.day,
            start=start,
            end=end,
            user=user,
            club=club,
            customer_name=customer_name,
            customer_phone=customer_phone,
            source=source,
            status=status,
            resident_rate=resident,
            fee=fee,
            created_by=created_by or user,
        )
        try:
            with transaction.atomic():
                _occupy(reservation, spaces)
        except IntegrityError as exc:
            raise _taken(request) from exc
        reservations.append(reservation)
    payments.set_pay_by(reservations, now=now)
    if notify and user is not None and status == Reservation.Status.CONFIRMED:
        send_booking_mail(reservations)
    return reservations


def _mail_to(reservation: Reservation):
    return reservation.club.representative if reservation.club_id else reservation.user


def send_booking_mail(reservations: list[Reservation]) -> None:
    """One confirmation mail for a booking, with every slot in an attached .ics (METHOD:REQUEST)."""
    first = reservations[0]
    recipient = _mail_to(first)
    if recipient is None:
        return
    queue_templated_mail(
        template="facilities_booked",
        context={
            "reservations": reservations,
            "facility": first.unit.facility,
            "total": sum(r.fee for r in reservations),
        },
        to_email=recipient.email,
        recipient=recipient,
        idempotency_key=f"facilities:booked:{first.uid}",
        attachments=[
            Attachment("reservation.ics", ics.booking_ics(reservations, to=recipient), "text/calendar; method=REQUEST")
        ],
    )


def can_cancel(reservation: Reservation, *, now: datetime | None = None) -> bool:
    """Residents may cancel an active, future reservation until the facility's cancellation deadline."""
    now = now or timezone.now()
    return reservation.status in (
        Reservation.Status.CONFIRMED,
        Reservation.Status.AWAITING,
    ) and now < rules.cancel_deadline(reservation.unit.facility, reservation.date, reservation.start)


@transaction.atomic
def cancel(
    *,
    reservation: Reservation,
    by,
    reason: str = "",
    staff: bool = False,
    notify: bool = True,
    now: datetime | None = None,
) -> Reservation:
    """Cancel a reservation and free its slot at once. Staff may cancel after the deadline, with a reason.

    The holder gets a mail with a METHOD:CANCEL .ics of the same UID, so the event leaves their calendar
    (unless ``notify`` is false: the caller sends its own mail). A paid booking gets its refund recorded.
    """
    reservation = Reservation.objects.select_for_update().select_related("unit__facility").get(pk=reservation.pk)
    if not reservation.is_active:
        raise BookingError(_("This reservation is already cancelled."), code="already_cancelled")
    if not staff and not can_cancel(reservation, now=now):
        raise BookingError(
            _("The deadline for cancelling online has passed. Please call the facility."), code="deadline_passed"
        )
    if staff and not reason.strip():
        raise BookingError(_("Give the reason for cancelling; it is sent to the resident."), code="reason_required")
    offered = reservation.status == Reservation.Status.OFFERED
    reservation.status = Reservation.Status.CANCELLED
    reservation.cancelled_at = now or timezone.now()
    reservation.cancel_reason = reason.strip()
    reservation.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    reservation.occupancies.all().delete()
    payments.record_cancellation(reservation, now=reservation.cancelled_at)
    if not staff:  # a resident's cancellation shortly before the day of use costs points
        penalties.record_late_cancellation(reservation=reservation, now=reservation.cancelled_at)
    if offered:  # staff withdrew a waitlist offer: its entry ends with it
        WaitlistEntry.objects.filter(reservation=reservation, status=WaitlistEntry.Status.OFFERED).update(
            status=WaitlistEntry.Status.EXPIRED, closed_at=reservation.cancelled_at
        )
    # In the same transaction: a slot someone is waiting for passes to them without ever looking free.
    offer_released(reservation, now=reservation.cancelled_at)
    recipient = _mail_to(reservation)
    if notify and recipient is not None and reservation.source != Reservation.Source.MAINTENANCE:
        queue_templated_mail(
            template="facilities_cancelled",
            context={"reservation": reservation, "by_staff": staff},
            to_email=recipient.email,
            recipient=recipient,
            idempotency_key=f"facilities:cancelled:{reservation.uid}",
            attachments=[
                Attachment(
                    "cancel.ics", ics.cancellation_ics([reservation], to=recipient), "text/calendar; method=CANCEL"
                )
            ],
        )
    return reservation


def mark_paid(*, reservation: Reservation, paid: bool = True, now: datetime | None = None) -> Reservation:
    """Staff record that the fee was paid at the counter (or undo a mistaken mark)."""
    reservation.paid_at = (now or timezone.now()) if paid else None
    reservation.payment_method = reservation.payment_method if paid else ""
    reservation.save(update_fields=["paid_at", "payment_method"])
    return reservation


@transaction.atomic
def block(*, unit: Unit, slots: Sequence[SlotRequest], reason: str, by) -> list[Reservation]:
    """Staff block slots for maintenance; a block costs nothing.

    Slots on days the facility is closed (and slots that have started) are skipped, so one block
    can span several days; it is refused if nothing is left to block, and if a resident already
    holds one of the slots.
    """
    if not reason.strip():
        raise BookingError(_("Give the reason for the block."), code="reason_required")
    slots = _open_slots(unit, slots)
    if not slots:
        raise BookingError(
            _("The facility is closed on every chosen day; there is nothing to block."), code="nothing_to_block"
        )
    blocked = book(
        user=None,
        unit=unit,
        slots=slots,
        source=Reservation.Source.MAINTENANCE,
        status=Reservation.Status.BLOCKED,
        created_by=by,
        customer_name=reason.strip(),
        enforce_rules=False,
        notify=False,
    )
    Reservation.objects.filter(pk__in=[r.pk for r in blocked]).update(fee=0)
    for reservation in blocked:
        reservation.fee = 0
    return blocked


def _open_slots(unit: Unit, slots: Sequence[SlotRequest]) -> list[SlotRequest]:
    """The slots that are neither on a closed day nor started (booking windows do not matter to staff)."""
    if not slots:
        return []
    days = [s.day for s in slots]
    availability = Availability(unit.facility, min(days), max(days))
    return [
        s
        for s in slots
        if availability.slot(unit, s.frame, s.day, ignore_window=True).state not in (SlotState.CLOSED, SlotState.PAST)
    ]


# --- Registered groups -----------------------------------------------------------------
def register_club(*, representative, name: str, member_count: int, resident_member_count: int, purpose: str) -> Club:
    """A resident registers a group; it can book once staff approve it.

    ``full_clean`` repeats the form's validation (at most as many resident members as members)
    for callers without a form; its ``ValidationError`` is form validation, not a refusal.
    """
    club = Club(
        representative=representative,
        name=name,
        member_count=member_count,
        resident_member_count=resident_member_count,
        purpose=purpose,
    )
    club.full_clean()
    club.save()
    return club


@transaction.atomic
def decide_club(*, club: Club, approve: bool, reason: str, by) -> Club:
    """Staff approve or reject a group; a rejection needs a reason. The representative is mailed either way."""
    if not approve and not reason.strip():
        raise BookingError(
            _("Give the reason for rejecting the group; it is sent to the representative."), code="reason_required"
        )
    club.status = Club.Status.APPROVED if approve else Club.Status.REJECTED
    club.decision_reason = reason.strip()
    club.decided_at = timezone.now()
    club.decided_by = by
    club.save(update_fields=["status", "decision_reason", "decided_at", "decided_by"])
    queue_templated_mail(
        template="facilities_club_decided",
        context={"club": club},
        to_email=club.representative.email,
        recipient=club.representative,
        idempotency_key=f"facilities:club:{club.pk}:{club.status}:{club.decided_at.isoformat()}",
    )
    return club


# --- Private calendar feed --------------------------------------------------------------
def calendar_feed(user) -> CalendarFeed:
    """The resident's private feed address, created on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": CalendarFeed.new_token()})
    return feed


def revoke_calendar_feed(user) -> CalendarFeed:
    """Replace the feed's secret: the old address stops working at once."""
    feed = calendar_feed(user)
    feed.token = CalendarFeed.new_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


# --- Waitlist (キャンセル待ち) ----------------------------------------------------------------
#
# A resident (or a group they represent) may wait for a booked slot. When the slot is released
# (a cancellation by the resident or staff, a withdrawn offer, an expired offer; slots released
# by other paths, such as an unconfirmed lottery win, are caught up by the periodic task), the
# first in line is offered it: an OFFERED reservation holds the slot for them for
# FACILITIES_WAITLIST_HOLD_HOURS (never past the slot's start) and a mail with a link to confirm
# is queued in the same transaction. An offer not confirmed in time, or declined, passes to the
# next in line in the same transaction; with nobody left the slot is free for first-come booking.
# Exactly one holder: the offer's occupancies (the database refuses an overlap), the partial
# unique constraint "one OFFERED entry per slot", and a row lock on the slot's open entries.
#
# Refusal codes: slot_free (book it instead), own_booking, already_waiting, too_many_waits,
# not_waiting (no longer in the line), offer_expired, already_confirmed, wrong_unit, slot_past,
# slot_closed, groups_only, club_not_approved, not_representative.


def waitlist_hold() -> timedelta:
    return timedelta(hours=settings.FACILITIES_WAITLIST_HOLD_HOURS)


def _slot_label(frame: TimeFrame, day: date) -> str:
    return display.slot_when(day, frame.label, frame.start, frame.end)


def _slot_spaces(unit: Unit) -> set[int]:
    return spaces_by_unit(list(unit.facility.units.all()))[unit.pk]


def check_waitlist(
    *, user, unit: Unit, frame: TimeFrame, day: date, club: Club | None = None, now: datetime | None = None
) -> None:
    """Raise :class:`BookingError` if :func:`join_waitlist` would refuse; write nothing.

    One can wait for a slot that another booking holds, while online booking for it is open
    (until the booking window closes), not for one's own booking, once per slot, and for at most
    FACILITIES_WAITLIST_MAX_ENTRIES upcoming slots at a time. A free slot is booked instead.
    """
    now = now or timezone.now()
    if frame.unit_id != unit.pk:
        raise BookingError(_("That time slot does not belong to this unit."), code="wrong_unit")
    if club is not None:
        check_group(club, user)
    check_groups_only(unit, club)
    label = _slot_label(frame, day)
    slot = Availability(unit.facility, day, day, now=now, only_unit=unit).slot(unit, frame, day)
    if slot.state is SlotState.FREE:
        raise BookingError(
            _("%(slot)s is free: book it instead of joining the waitlist.") % {"slot": label}, code="slot_free"
        )
    if slot.state is SlotState.TAKEN and now >= rules.window_closes(unit.facility, day, slot.start):
        raise slot_refusal(SlotState.PAST, label)
    if slot.state is not SlotState.TAKEN:
        raise slot_refusal(slot.state, label)
    own = Reservation.objects.filter(
        status__in=Reservation.ACTIVE,
        occupancies__space_id__in=_slot_spaces(unit),
        occupancies__start__lt=slot.end,
        occupancies__end__gt=slot.start,
        **_holder(user, club),
    )
    if own.exists():
        raise BookingError(_("You have booked %(slot)s yourself.") % {"slot": label}, code="own_booking")
    waiting = open_waitlist_entries(user, club=club, now=now)
    if waiting.filter(unit=unit, frame=frame, date=day).exists():
        raise BookingError(_("You are already on the waitlist for %(slot)s.") % {"slot": label}, code="already_waiting")
    limit = settings.FACILITIES_WAITLIST_MAX_ENTRIES
    if waiting.count() >= limit:
        raise BookingError(
            _("You can wait for at most %(n)d slots at a time. Leave another waitlist first.") % {"n": limit},
            code="too_many_waits",
        )


def _holder(user, club: Club | None) -> dict:
    return {"club": club} if club is not None else {"user": user, "club": None}


@transaction.atomic
def join_waitlist(
    *, user, unit: Unit, frame: TimeFrame, day: date, club: Club | None = None, now: datetime | None = None
) -> WaitlistEntry:
    """Put the resident (or their group) at the end of the slot's waitlist; see :func:`check_waitlist`."""
    now = now or timezone.now()
    # One waitlist change at a time per person: the limit is checked against committed entries.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    check_waitlist(user=user, unit=unit, frame=frame, day=day, club=club, now=now)
    start, end = frame.bounds(day)
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                unit=unit, frame=frame, date=day, start=start, end=end, user=user, club=club, created_at=now
            )
    except IntegrityError as exc:  # the group's representative joined twice at once
        raise BookingError(
            _("You are already on the waitlist for %(slot)s.") % {"slot": _slot_label(frame, day)},
            code="already_waiting",
        ) from exc


def _locked_entry(entry: WaitlistEntry, user) -> WaitlistEntry:
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("unit__facility", "frame", "club", "reservation")
        .get(pk=entry.pk)
    )
    holder = entry.club.representative_id if entry.club_id else entry.user_id
    if user is not None and holder != user.pk:
        raise BookingError(_("This reservation is not yours."), code="not_yours")
    return entry


def _end_offer(entry: WaitlistEntry, status: str, now: datetime) -> None:
    """Close an OFFERED entry and release its hold (the caller offers the slot to the next)."""
    if entry.reservation_id:
        held = Reservation.objects.select_for_update().get(pk=entry.reservation_id)
        if held.status == Reservation.Status.OFFERED:
            held.status = Reservation.Status.EXPIRED
            held.cancelled_at = now
            held.save(update_fields=["status", "cancelled_at"])
            held.occupancies.all().delete()
    entry.status = status
    entry.closed_at = now
    entry.save(update_fields=["status", "closed_at"])


@transaction.atomic
def leave_waitlist(*, entry: WaitlistEntry, user, now: datetime | None = None) -> WaitlistEntry:
    """Leave a waitlist; leaving while holding an offer declines it, and the next in line is offered the slot."""
    now = now or timezone.now()
    entry = _locked_entry(entry, user)
    if entry.status == WaitlistEntry.Status.WAITING:
        entry.status = WaitlistEntry.Status.LEFT
        entry.closed_at = now
        entry.save(update_fields=["status", "closed_at"])
        return entry
    if entry.status != WaitlistEntry.Status.OFFERED:
        raise BookingError(_("You are no longer on this waitlist."), code="not_waiting")
    _end_offer(entry, WaitlistEntry.Status.LEFT, now)
    offer_next(entry.unit, entry.frame, entry.date, now=now)
    return entry


def can_confirm_offer(entry: WaitlistEntry, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        entry.status == WaitlistEntry.Status.OFFERED
        and entry.offer_expires_at is not None
        and (now < entry.offer_expires_at)
    )


@transaction.atomic
def confirm_offer(*, entry: WaitlistEntry, user, now: datetime | None = None) -> Reservation:
    """The resident takes the slot they were offered before the offer's time is up; it becomes a booking."""
    now = now or timezone.now()
    entry = _locked_entry(entry, user)
    if entry.status == WaitlistEntry.Status.ACCEPTED:
        raise BookingError(_("You have already booked this slot."), code="already_confirmed")
    if not can_confirm_offer(entry, now=now):
        raise BookingError(
            _("The time to confirm this offer has passed; the slot went to the next in line."),
            code="offer_expired",
        )
    reservation = Reservation.objects.select_for_update().filter(pk=entry.reservation_id).first()
    if reservation is None or reservation.status != Reservation.Status.OFFERED:  # staff withdrew it meanwhile
        raise BookingError(
            _("The time to confirm this offer has passed; the slot went to the next in line."),
            code="offer_expired",
        )
    reservation.status = Reservation.Status.CONFIRMED
    reservation.save(update_fields=["status"])
    entry.status = WaitlistEntry.Status.ACCEPTED
    entry.closed_at = now
    entry.save(update_fields=["status", "closed_at"])
    send_booking_mail([reservation])
    return reservation


def offer_next(unit: Unit, frame: TimeFrame, day: date, *, now: datetime | None = None) -> WaitlistEntry | None:
    """Offer a released slot to the first in its line, if the slot is free and nobody holds an offer for it.

    Returns the offered entry, or None (nobody waiting, an offer already open, the slot held by a
    booking, or online booking for it closed). Safe to call any number of times at once: the
    slot's open entries are locked, so the callers take turns and the first makes the only offer.
    """
    now = now or timezone.now()
    with transaction.atomic():
        entries = list(
            WaitlistEntry.objects.select_for_update()
            .filter(unit=unit, frame=frame, date=day, status__in=WaitlistEntry.OPEN)
            .order_by("created_at", "pk")
        )
        if not entries or any(e.status == WaitlistEntry.Status.OFFERED for e in entries):
            return None
        facility = unit.facility
        start, end = frame.bounds(day)
        if start <= now or now >= rules.window_closes(facility, day, start):
            return None
        spaces = _slot_spaces(unit)
        if is_held(spaces, start, end):
            return None
        entry = entries[0]
        resident = resident_rate(entry.user, entry.club)
        [fee] = fees_for([SlotRequest(frame, day)], resident=resident)
        expires = min(now + waitlist_hold(), start)
        try:
            with transaction.atomic():
                reservation = Reservation.objects.create(
                    unit=unit,
                    frame=frame,
                    date=day,
                    start=start,
                    end=end,
                    user=entry.user,
                    club=entry.club,
                    status=Reservation.Status.OFFERED,
                    source=Reservation.Source.WAITLIST,
                    resident_rate=resident,
                    fee=fee,
                    confirm_by=expires,
                    created_at=now,
                    created_by=entry.user,
                )
                _occupy(reservation, spaces)
                entry.status = WaitlistEntry.Status.OFFERED
                entry.offered_at = now
                entry.offer_expires_at = expires
                entry.reservation = reservation
                entry.save(update_fields=["status", "offered_at", "offer_expires_at", "reservation"])
        except IntegrityError:  # a booking took the slot meanwhile (or another offer, on SQLite)
            return None
        _send_offer_mail(entry, reservation)
        return entry


def _waitlist_url(entry: WaitlistEntry) -> str:
    try:
        return settings.SITE_URL + reverse("facilities:waitlist_entry", args=[entry.pk])
    except NoReverseMatch:  # the resident pages are not installed
        return settings.SITE_URL + "/my/"


def _send_offer_mail(entry: WaitlistEntry, reservation: Reservation) -> None:
    recipient = entry.club.representative if entry.club_id else entry.user
    queue_templated_mail(
        template="facilities_waitlist_offer",
        context={
            "reservation": reservation,
            "facility": entry.unit.facility,
            "club": entry.club,
            "expires": entry.offer_expires_at,
            "url": _waitlist_url(entry),
        },
        to_email=recipient.email,
        recipient=recipient,
        idempotency_key=f"facilities:waitlist-offer:{entry.pk}",
    )


def _send_expired_mail(entry: WaitlistEntry) -> None:
    """Tell the resident their turn has passed, so they do not come to a slot that is not theirs."""
    recipient = entry.club.representative if entry.club_id else entry.user
    try:
        url = settings.SITE_URL + reverse("facilities:waitlist_mine")
    except NoReverseMatch:  # the resident pages are not installed
        url = settings.SITE_URL + "/my/"
    queue_templated_mail(
        template="facilities_waitlist_expired",
        context={"entry": entry, "facility": entry.unit.facility, "expires": entry.offer_expires_at, "url": url},
        to_email=recipient.email,
        recipient=recipient,
        idempotency_key=f"facilities:waitlist-expired:{entry.pk}",
    )


def offer_released(reservation: Reservation, *, now: datetime | None = None) -> list[WaitlistEntry]:
    """A reservation was released: offer each slot overlapping it that someone waits for, first joined first."""
    now = now or timezone.now()
    keys = (
        WaitlistEntry.objects.filter(
            unit__facility_id=reservation.unit.facility_id,
            date=reservation.date,
            start__lt=reservation.end,
            end__gt=reservation.start,
            status=WaitlistEntry.Status.WAITING,
        )
        .order_by("created_at", "pk")
        .values_list("unit_id", "frame_id", "date")
    )
    return _offer_slots(list(dict.fromkeys(keys)), now)


def _offer_slots(keys, now: datetime) -> list[WaitlistEntry]:
    offered = []
    for unit_id, frame_id, day in keys:
        frame = TimeFrame.objects.select_related("unit__facility").get(pk=frame_id)
        entry = offer_next(frame.unit, frame, day, now=now) if frame.unit_id == unit_id else None
        if entry is not None:
            offered.append(entry)
    return offered


def expire_waitlist_offers(*, now: datetime | None = None) -> int:
    """Periodic: offers not confirmed in time pass to the next in line; returns how many expired.

    Each expiry and the offer to the next are one short transaction, locked against a
    confirmation arriving at the same moment. Then slots someone waits for that were released by
    a path that does not offer them itself (an unconfirmed lottery win) are offered. Running it
    twice changes nothing more.
    """
    now = now or timezone.now()
    expired = 0
    due = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            entry = (
                WaitlistEntry.objects.select_for_update(of=("self",))
                .select_related("unit__facility", "frame", "club__representative", "user")
                .filter(pk=pk, status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now)
                .first()
            )
            if entry is None:  # confirmed or declined meanwhile
                continue
            _end_offer(entry, WaitlistEntry.Status.EXPIRED, now)
            _send_expired_mail(entry)
            offer_next(entry.unit, entry.frame, entry.date, now=now)
            expired += 1
    waiting = list(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, start__gt=now)
        .order_by("created_at", "pk")
        .values_list("unit_id", "frame_id", "date")
    )
    if waiting:
        # Most lines wait for a booking that still stands: skip those (and open offers) in two queries.
        days = {day for _unit, _frame, day in waiting}
        offered = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED, date__in=days)
        booked = Reservation.objects.filter(status__in=Reservation.ACTIVE, date__in=days)
        held = set(offered.values_list("unit_id", "frame_id", "date")) | set(
            booked.values_list("unit_id", "frame_id", "date")
        )
        waiting = [key for key in waiting if key not in held]
    _offer_slots(list(dict.fromkeys(waiting)), now)
    return expired
