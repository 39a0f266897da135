"""Public facilities (施設) and their reservations.

A facility (a gym, a hall, a community centre) has reservable units (アリーナ全面, 半面A, 会議室A).
Units can contain others: the whole arena contains its two halves. Each unit is made of one or
more *spaces*, its leaf units: the arena's spaces are its two halves, a half's space is itself.
A booking occupies every space of its unit for its time, one :class:`Occupancy` row per space,
and on PostgreSQL an exclusion constraint forbids two occupancies of one space that overlap in
time. So booking the arena blocks both halves and the reverse, while the two halves can be
booked by different people at the same time, and no race between two requests can break it.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities.display import slot_time


class Facility(models.Model):
    class Kind(models.TextChoices):
        SPORTS = "sports", _("Sports facility")
        CULTURE = "culture", _("Cultural facility")
        COMMUNITY = "community", _("Community centre")

    name = models.CharField(_("name"), max_length=100)
    reading = models.CharField(
        _("reading"),
        max_length=200,
        blank=True,
        help_text=_("The name in kana (e.g. そうごうたいいくかん) and other words residents search it by."),
    )
    slug = models.SlugField(_("slug"), unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    accessibility = models.TextField(
        _("accessibility"), blank=True, help_text=_("Step-free access, accessible toilets, parking, hearing loops.")
    )
    equipment = models.TextField(_("equipment"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on_holidays = models.BooleanField(_("closed on public holidays"), default=False)
    # Booking rules (先着順). Residents may book from the 1st of the month before the day of use.
    first_come_opens_months_before = models.PositiveSmallIntegerField(
        _("first-come booking opens (months before)"),
        default=1,
        validators=[MaxValueValidator(12)],
        help_text=_("1 = from the 1st of the month before the day of use."),
    )
    booking_closes_days_before = models.PositiveSmallIntegerField(
        _("booking closes (days before)"), default=1, help_text=_("0 = bookings are taken until the slot starts.")
    )
    max_active_reservations = models.PositiveSmallIntegerField(
        _("maximum upcoming reservations per person or group"), default=4, validators=[MinValueValidator(1)]
    )
    max_slots_per_day = models.PositiveSmallIntegerField(
        _("maximum slots per day per person or group"), default=2, validators=[MinValueValidator(1)]
    )
    cancel_days_before = models.PositiveSmallIntegerField(_("online cancellation until (days before)"), default=3)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # Payment (facilities.payments): when provisional bookings must be paid, and refunds on cancelling.
    pay_by_rule = models.CharField(
        _("pay-by rule"),
        max_length=20,
        blank=True,
        default="",
        choices=[
            ("", _("No deadline: pay at the counter before use")),
            ("days", _("Within N days of booking")),
            ("day_of_month", _("By day N of the month")),
        ],
        help_text=_("Unpaid bookings are cancelled automatically after the deadline, and the resident is mailed."),
    )
    pay_by_value = models.PositiveSmallIntegerField(
        _("N (days, or day of the month)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "For 'by day N of the month', 1 to 28: the month of booking, or the next when booked on or after it."
        ),
    )
    refund_tiers = models.CharField(
        _("refund tiers"),
        max_length=100,
        blank=True,
        default="7:100, 2:50",
        help_text=_(
            "Days before use : percent refunded, separated by commas. '7:100, 2:50' = all of it from 7 days "
            "before, half from 2 days before, nothing later. Empty = no refunds."
        ),
    )

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from facilities.payments.validation import check_payment_settings

        check_payment_settings(self)


class OpeningHours(models.Model):
    """When a facility is open on a weekday. A weekday without a row is a closed day (休館日)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [models.UniqueConstraint(fields=["facility", "weekday"], name="facilities_one_hours_per_day")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("The closing time must be after the opening time.")})


class Unit(models.Model):
    """A reservable part of a facility. A unit with children is booked as all of them together."""

    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text=_("For a half court, the whole court it belongs to."),
    )
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity (people)"), default=0)
    groups_only = models.BooleanField(
        _("registered groups only"), default=False, help_text=_("Only approved groups may book this unit.")
    )
    active = models.BooleanField(_("bookable"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["facility", "sort_order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return f"{self.facility.name} {self.name}"

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.facility_id != self.facility_id:
            raise ValidationError({"parent": _("A unit can only be part of a unit of the same facility.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot be part of itself.")})
            ancestor = ancestor.parent


class TimeFrame(models.Model):
    """A bookable time band of a unit, e.g. 午前 9:00–12:00, or one hour for hourly units."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="frames")
    label = models.CharField(_("label"), max_length=30, help_text=_("For example 午前, 午後, 夜間 or 9:00–10:00."))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        ordering = ["unit", "start"]
        verbose_name = _("time frame")
        verbose_name_plural = _("time frames")
        constraints = [models.UniqueConstraint(fields=["unit", "start"], name="facilities_one_frame_per_start")]

    def __str__(self) -> str:
        return slot_time(self.label, self.start, self.end)

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """The frame on ``day`` as aware datetimes in the town's time zone."""
        tz = timezone.get_default_timezone()
        return (
            datetime.combine(day, self.start, tzinfo=tz),
            datetime.combine(day, self.end, tzinfo=tz) if self.end != time(0) else datetime.combine(day, time.max, tz),
        )


class Closure(models.Model):
    """Days a facility (or one unit of it) is closed: 年末年始, maintenance, elections."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="closures"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text=_("Leave empty to close the whole facility."),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=100)

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("closed days")
        verbose_name_plural = _("closed days")

    def __str__(self) -> str:
        return f"{self.reason} {self.start_date}–{self.end_date}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day.")})


class Fee(models.Model):
    """The fee in yen for one frame of a unit, by residence and by kind of day."""

    class DayType(models.TextChoices):
        WEEKDAY = "weekday", _("Weekday")
        HOLIDAY = "holiday", _("Weekend or public holiday")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="fees")
    frame = models.ForeignKey(TimeFrame, verbose_name=_("time frame"), on_delete=models.CASCADE, related_name="fees")
    resident = models.BooleanField(_("for town residents"))
    day_type = models.CharField(_("day"), max_length=10, choices=DayType.choices)
    amount = models.PositiveIntegerField(_("fee (yen)"))

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.UniqueConstraint(fields=["frame", "resident", "day_type"], name="facilities_one_fee_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.frame} ¥{self.amount:,}"


class Club(models.Model):
    """A registered group (登録団体) that books for its members once staff approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("group name"), max_length=100)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("representative"), on_delete=models.CASCADE, related_name="clubs"
    )
    member_count = models.PositiveIntegerField(_("number of members"), validators=[MinValueValidator(1)])
    resident_member_count = models.PositiveIntegerField(_("members living in the town"))
    purpose = models.TextField(_("purpose of the activities"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("registered group")
        verbose_name_plural = _("registered groups")

    def __str__(self) -> str:
        return self.name

    @property
    def resident_share(self) -> int:
        """Share of members living in the town, in whole percent."""
        return round(100 * self.resident_member_count / self.member_count) if self.member_count else 0

    def clean(self) -> None:
        counts = (self.member_count, self.resident_member_count)
        if None not in counts and self.resident_member_count > self.member_count:
            raise ValidationError({"resident_member_count": _("Cannot be more than the number of members.")})


class Reservation(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Booked")
        AWAITING = "awaiting", _("Won in the lottery, to be confirmed")
        BLOCKED = "blocked", _("Blocked by staff")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Not confirmed in time")
        OFFERED = "offered", _("Offered from the waitlist, to be confirmed")

    class Source(models.TextChoices):
        WEB = "web", _("Online")
        COUNTER = "counter", _("At the counter or by phone")
        LOTTERY = "lottery", _("Lottery")
        MAINTENANCE = "maintenance", _("Maintenance")
        WAITLIST = "waitlist", _("Waitlist")

    #: Statuses that hold the slot. An OFFERED reservation is held for the first in a waitlist's line.
    ACTIVE = (Status.CONFIRMED, Status.AWAITING, Status.BLOCKED, Status.OFFERED)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reservations")
    frame = models.ForeignKey(
        TimeFrame, verbose_name=_("time frame"), null=True, on_delete=models.PROTECT, related_name="reservations"
    )
    date = models.DateField(_("date"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reservations",
    )
    club = models.ForeignKey(
        Club, verbose_name=_("group"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reservations"
    )
    customer_name = models.CharField(_("customer name"), max_length=100, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(_("booked"), max_length=12, choices=Source.choices, default=Source.WEB)
    resident_rate = models.BooleanField(_("resident rate"), default=True)
    fee = models.PositiveIntegerField(_("fee (yen)"), default=0)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Payment (facilities.payments): provisional until paid, lapses unpaid after pay_by.
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    payment_method = models.CharField(
        _("paid via"),
        max_length=10,
        blank=True,
        choices=[("counter", _("At the counter")), ("konbini", _("Convenience store (コンビニ収納)"))],
    )
    refund_percent = models.PositiveSmallIntegerField(_("refund (%)"), null=True, blank=True)
    refund_amount = models.PositiveIntegerField(_("refund (yen)"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("lapsed unpaid at"), null=True, blank=True)

    class Meta:
        ordering = ["start", "unit"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        indexes = [
            models.Index(fields=["unit", "date"], name="facilities_res_unit_date"),
            models.Index(fields=["user", "status", "start"], name="facilities_res_user"),
            models.Index(
                fields=["pay_by"],
                condition=models.Q(status="confirmed", paid_at=None),
                name="facilities_res_pay_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.date} {self.frame.label if self.frame else ''}".strip()

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def payment_state(self) -> str:
        """unpaid, paid, refund_due, refunded or free (facilities.payments.rules.payment_state)."""
        from facilities.payments.rules import payment_state

        return payment_state(
            fee=self.fee, paid_at=self.paid_at, refund_amount=self.refund_amount, refunded_at=self.refunded_at
        )

    @property
    def holder_name(self) -> str:
        if self.club_id:
            return self.club.name
        if self.user_id:
            return self.user.get_full_name()
        return self.customer_name


class Occupancy(models.Model):
    """One space of a unit held by an active reservation. Overlaps are refused by the database."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="occupancies")
    space = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="occupancies")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["space", "start"], name="facilities_occ_space_start")]
        # Same space and same start: refused on every database (SQLite included); the
        # PostgreSQL-only exclusion constraint in migration 0002 also refuses partial overlaps.
        constraints = [models.UniqueConstraint(fields=["space", "start"], name="facilities_occ_unique_start")]

    def __str__(self) -> str:
        return f"{self.space_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class LotteryRound(models.Model):
    """The monthly lottery (抽選) of a facility for one month of use."""

    class Status(models.TextChoices):
        OPEN = "open", _("Taking applications")
        DRAWN = "drawn", _("Drawn")

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="lottery_rounds"
    )
    month = models.DateField(_("month of use"), help_text=_("The first day of the month the slots are in."))
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    confirm_days = models.PositiveSmallIntegerField(
        _("days winners have to confirm"), default=5, validators=[MinValueValidator(1)]
    )
    max_choices = models.PositiveSmallIntegerField(
        _("choices per application"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    max_wins = models.PositiveSmallIntegerField(
        _("slots one person or group can win"), default=2, validators=[MinValueValidator(1)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    #: Secret until the draw: shown to nobody (staff included) before the round is drawn.
    seed = models.CharField(_("random seed"), max_length=64, blank=True)
    #: The SHA-256 of the seed, published from the round's creation; once set, neither changes
    #: (checked in :meth:`save` and by a database trigger, migration 0004). Empty on rounds drawn
    #: before draws were published: those cannot be verified by residents.
    commitment = models.CharField(_("commitment (SHA-256 of the seed)"), max_length=64, blank=True, editable=False)
    committed_at = models.DateTimeField(_("commitment published at"), null=True, blank=True, editable=False)
    #: How the draw orders applicants (facilities.lottery.draw.SHA256_RULE or SHUFFLE_RULE).
    order_rule = models.CharField(_("ordering rule"), max_length=40, blank=True, editable=False)
    draw_order = models.JSONField(_("order of applicants"), default=list, blank=True)
    #: What the draw saw and decided, as published after the draw (inputs, order, winners).
    published_draw = models.JSONField(_("published draw"), null=True, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "facility"]
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        constraints = [models.UniqueConstraint(fields=["facility", "month"], name="facilities_one_lottery_per_month")]

    def __str__(self) -> str:
        return f"{self.facility.name} {self.month:%Y-%m}"

    def save(self, *args, **kwargs) -> None:
        """A new round commits to its seed at once; a committed round keeps its seed and commitment.

        Changing either raises :class:`~facilities.errors.LotteryError` (``seed_committed``); the
        database refuses it too (a trigger, migration 0004), also for ``QuerySet.update``.
        """
        from facilities.errors import LotteryError
        from facilities.lottery.draw import commitment_of

        if self._state.adding and not self.commitment:
            self.commit()
        if self.pk and not self._state.adding:
            locked = ("seed", "commitment", "committed_at", "order_rule")
            saved = LotteryRound.objects.filter(pk=self.pk).values(*locked).first()
            if saved and saved["commitment"] and {name: getattr(self, name) for name in locked} != saved:
                raise LotteryError(
                    _("The seed of this lottery is committed and cannot be changed."), code="seed_committed"
                )
        if self.commitment and commitment_of(self.seed) != self.commitment:
            raise LotteryError(_("The seed does not match the published commitment."), code="commitment_mismatch")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Choose the first day of the month.")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Applications must close after they open.")})

    @staticmethod
    def new_seed() -> str:
        return secrets.token_hex(16)

    @property
    def verifiable(self) -> bool:
        """Whether a commitment to the seed was published (every round created since migration 0004)."""
        return bool(self.commitment)

    def commit(self, now: datetime | None = None) -> None:
        """Make the secret seed (unless one is set) and its commitment; only on a round without one."""
        from facilities.lottery.draw import SHA256_RULE, commitment_of

        if self.commitment:
            raise ValueError("The round is already committed.")
        self.seed = self.seed or self.new_seed()
        self.commitment = commitment_of(self.seed)
        self.committed_at = now or timezone.now()
        self.order_rule = SHA256_RULE


class LotteryApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WON = "won", _("Won")
        LOST = "lost", _("Not won")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    round = models.ForeignKey(LotteryRound, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lottery_applications")
    club = models.ForeignKey(Club, null=True, blank=True, on_delete=models.CASCADE, related_name="lottery_applications")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    #: The anonymous application number (申込番号), random and unique in its round: the draw and
    #: the published result use it, never the applicant's identity. :meth:`save` picks one.
    number = models.PositiveIntegerField(_("application number"), editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    #: Application numbers are drawn from this range (six digits).
    NUMBERS = (100_000, 1_000_000)

    class Meta:
        ordering = ["round", "pk"]
        verbose_name = _("lottery application")
        verbose_name_plural = _("lottery applications")
        constraints = [
            # One application per person and round (and one per group: a group is one applicant).
            models.UniqueConstraint(
                fields=["round", "user"], condition=models.Q(club=None), name="facilities_one_application_per_person"
            ),
            models.UniqueConstraint(
                fields=["round", "club"],
                condition=~models.Q(club=None),
                name="facilities_one_application_per_group",
            ),
            models.UniqueConstraint(fields=["round", "number"], name="facilities_one_application_number"),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.number is None:
            taken = set(LotteryApplication.objects.filter(round_id=self.round_id).values_list("number", flat=True))
            self.number = self.new_numbers(taken)[0]
        super().save(*args, **kwargs)

    @classmethod
    def new_numbers(cls, taken: set[int], count: int = 1) -> list[int]:
        """``count`` random application numbers not in ``taken`` (which is updated)."""
        low, high = cls.NUMBERS
        if len(taken) + count > high - low:
            raise ValueError("No application numbers left in this round.")
        numbers = []
        while len(numbers) < count:
            number = low + secrets.randbelow(high - low)
            if number not in taken:
                taken.add(number)
                numbers.append(number)
        return numbers

    @property
    def applicant_key(self) -> str:
        """Who a win limit counts against: the group if the application is for a group."""
        return f"club:{self.club_id}" if self.club_id else f"user:{self.user_id}"


class LotteryChoice(models.Model):
    application = models.ForeignKey(LotteryApplication, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField(_("preference"))
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    frame = models.ForeignKey(TimeFrame, verbose_name=_("time frame"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    reservation = models.OneToOneField(
        Reservation, null=True, blank=True, on_delete=models.SET_NULL, related_name="lottery_choice"
    )

    class Meta:
        ordering = ["application", "rank"]
        constraints = [models.UniqueConstraint(fields=["application", "rank"], name="facilities_one_choice_per_rank")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit} {self.date} {self.frame.label}"


class CalendarFeed(models.Model):
    """A resident's private iCal address with all their bookings. Revoking replaces the token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class WaitlistEntry(models.Model):
    """A resident (or a group they represent) waiting for a booked slot to be cancelled (キャンセル待ち).

    When the slot is released, the first in line (by ``created_at``, then ``pk``) is *offered* it:
    an OFFERED reservation holds the slot for them (its occupancies keep everyone else out) until
    ``offer_expires_at``. They confirm it (ACCEPTED, the reservation becomes a booking), decline
    it or let it expire; then the next in line is offered it. At most one entry of a slot is
    OFFERED at any time (a database constraint), on top of the occupancy constraint of the hold.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered: to be confirmed")
        ACCEPTED = "accepted", _("Booked")
        EXPIRED = "expired", _("Offer not confirmed in time")
        LEFT = "left", _("Left the waitlist")

    OPEN = (Status.WAITING, Status.OFFERED)

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="waitlist")
    frame = models.ForeignKey(TimeFrame, verbose_name=_("time frame"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    club = models.ForeignKey(
        Club, verbose_name=_("group"), null=True, blank=True, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer open until"), null=True, blank=True)
    reservation = models.OneToOneField(
        Reservation,
        verbose_name=_("reservation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_entry",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "created_at", "pk"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        indexes = [
            models.Index(fields=["unit", "date", "frame", "status"], name="facilities_wait_slot"),
            models.Index(fields=["status", "offer_expires_at"], name="facilities_wait_offers"),
        ]
        constraints = [
            # Exactly one holder: at most one open offer per slot.
            models.UniqueConstraint(
                fields=["unit", "frame", "date"],
                condition=models.Q(status="offered"),
                name="facilities_one_offer_per_slot",
            ),
            # One place in a slot's line per person (or per group).
            models.UniqueConstraint(
                fields=["unit", "frame", "date", "user"],
                condition=models.Q(status__in=["waiting", "offered"], club=None),
                name="facilities_one_wait_per_person",
            ),
            models.UniqueConstraint(
                fields=["unit", "frame", "date", "club"],
                condition=models.Q(status__in=["waiting", "offered"]) & ~models.Q(club=None),
                name="facilities_one_wait_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.date} {self.frame.label} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


# Usage records and penalties live in their own package; importing them here registers the models.
from facilities.penalties.models import Suspension, UsageRecord  # noqa: E402, F401
