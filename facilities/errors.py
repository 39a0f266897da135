"""The refusals of facility reservation: booking rules (:class:`BookingError`), lottery rules (:class:`LotteryError`).

Both are :class:`portal.errors.ServiceError`: a stable ``code`` for logs and tests, a ``message``
in the resident's (or staff member's) language. Views show them with :func:`portal.errors.add_form_error`
or :func:`portal.errors.show_error`. The codes the facility services raise:

=====================  =======================================================================
code                   the refusal
=====================  =======================================================================
no_slot                no time slot was chosen
duplicate_slot         the same slot was chosen twice
wrong_unit             the time frame belongs to another unit
slot_past              the slot has started, or first-come booking for it has closed
slot_closed            the facility or unit is closed then
not_yet_open           first-come booking for that day has not opened (or its month is in a lottery)
slot_taken             another booking holds the slot (or one of its spaces)
groups_only            the unit is for registered groups only
club_not_approved      the group is not approved (yet)
not_representative     only the group's representative may book or apply for it
too_many_reservations  the holder's limit of upcoming reservations at the facility
too_many_slots_per_day the holder's limit of slots on one day at the facility
already_cancelled      the reservation is cancelled already
deadline_passed        the deadline (cancelling online, confirming a lottery win) has passed
reason_required        staff must give a reason (cancelling, blocking, rejecting a group)
nothing_to_block       every chosen slot of a maintenance block is on a closed day or past
not_open               the lottery is not taking applications (or withdrawals) now
still_open             the lottery cannot be drawn before it closes
already_applied        one application per person, and one per group, in a round
too_many_choices       more choices than the round allows
wrong_facility         the unit is not part of the round's facility
outside_month          the day is not in the round's month
not_yours              the application or reservation belongs to someone else
already_withdrawn      the application is withdrawn already
already_confirmed      the lottery win is confirmed already
not_confirmable        the reservation is not a lottery win waiting for confirmation
seed_committed         the lottery's seed is committed (its hash published) and cannot change
commitment_mismatch    the lottery's saved seed does not hash to its published commitment
suspended              the resident or group is suspended for no-shows or late cancellations (facilities.penalties)
=====================  =======================================================================
"""

from __future__ import annotations

from portal.errors import ServiceError


class BookingError(ServiceError):
    """A booking, cancellation, maintenance block or group decision that the rules refuse; nothing changed."""

    default_code = "booking_refused"


class LotteryError(ServiceError):
    """An application, withdrawal, draw or confirmation that the lottery's rules refuse; nothing changed."""

    default_code = "lottery_refused"
