"""Safety mail (安全安心メール): school-gate and watch-over taps, and staff broadcasts.

A child at school (:class:`Student`) or an elderly person (:class:`WatchedPerson`) is a
household member. Staff register an IC card to them; only a keyed hash of the card ID is
stored (:func:`safety.terminals.card_hash`). Terminals (gate readers, watch-over
terminals) post signed batches of taps; each tap is stored once per (terminal, event_id) and
mails the subscribed family through the outbox.

These models began in the ``notifications`` app and keep its table names (``db_table``), so
moving them to this app (migration ``safety.0001_initial``) moved no row.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        db_table = "notifications_school"
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class Student(models.Model):
    """A household member who goes to a school with a gate reader."""

    member = models.OneToOneField(
        "portal.HouseholdMember", verbose_name=_("child"), on_delete=models.CASCADE, related_name="student"
    )
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="students")
    grade = models.PositiveSmallIntegerField(_("grade"))
    class_name = models.CharField(_("class"), max_length=20, blank=True)

    class Meta:
        db_table = "notifications_student"
        verbose_name = _("student")
        verbose_name_plural = _("students")

    def __str__(self) -> str:
        return f"{self.member} ({self.school} {self.grade})"


class WatchedPerson(models.Model):
    """A household member (often an elderly parent) whose touches on town terminals the family follows."""

    member = models.OneToOneField(
        "portal.HouseholdMember", verbose_name=_("person"), on_delete=models.CASCADE, related_name="watched"
    )
    no_activity_hours = models.PositiveSmallIntegerField(
        _("alert after hours without a touch"),
        null=True,
        blank=True,
        help_text=_("Daytime hours (8:00–20:00) without any touch before the family is alerted. Empty: no alert."),
    )
    last_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications_watchedperson"
        verbose_name = _("watched person")
        verbose_name_plural = _("watched people")

    def __str__(self) -> str:
        return str(self.member)


class Consent(models.Model):
    """Who agreed, when and to what, before a card was registered for a member."""

    class Purpose(models.TextChoices):
        SCHOOL_GATE = "school_gate", _("School-gate arrival and departure mail")
        WATCH_OVER = "watch_over", _("Watch-over location mail")

    member = models.ForeignKey("portal.HouseholdMember", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given_by = models.CharField(_("given by"), max_length=100, help_text=_("Name of the guardian or the person."))
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        db_table = "notifications_consent"
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.member} {self.get_purpose_display()}"


class Card(models.Model):
    """An IC card registered to a member. Only an HMAC of the card ID is stored, never the ID."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        LOST = "lost", _("Lost")
        RETIRED = "retired", _("No longer used")

    member = models.ForeignKey("portal.HouseholdMember", on_delete=models.CASCADE, related_name="cards")
    card_hash = models.CharField(max_length=64, db_index=True)
    label = models.CharField(_("label"), max_length=30, blank=True, help_text=_("The last digits printed on the card."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    class Meta:
        db_table = "notifications_card"
        verbose_name = _("IC card")
        verbose_name_plural = _("IC cards")
        constraints = [
            models.UniqueConstraint(
                fields=["card_hash"], condition=models.Q(status="active"), name="safety_one_active_card_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.label}".strip()


class Terminal(models.Model):
    """A card reader at a school gate or a watch-over terminal in town."""

    class Kind(models.TextChoices):
        GATE = "gate", _("School gate reader")
        WATCH = "watch", _("Watch-over terminal")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    place = models.CharField(_("place"), max_length=100, help_text=_("Shown in mails, e.g. 中央公民館 正面入口."))
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="terminals")
    active = models.BooleanField(_("active"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)

    class Meta:
        db_table = "notifications_terminal"
        ordering = ["name"]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")

    def __str__(self) -> str:
        return self.name


def new_key_id() -> str:
    return secrets.token_hex(8)


def new_secret() -> str:
    return secrets.token_urlsafe(48)


class TerminalKey(models.Model):
    """A terminal's signing secret. During a rotation the old and the new key both work until the old is revoked."""

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(max_length=32, unique=True, default=new_key_id)
    secret = models.CharField(max_length=128, default=new_secret)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications_terminalkey"
        verbose_name = _("terminal key")
        verbose_name_plural = _("terminal keys")

    def __str__(self) -> str:
        return f"{self.terminal} {self.key_id}"


class SeenSignature(models.Model):
    """Signatures already accepted, kept for the 5-minute clock window so a replayed request is refused."""

    signature = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "notifications_seensignature"

    def __str__(self) -> str:
        return self.signature[:12]


class Tap(models.Model):
    """One card touch reported by a terminal. Stored once per (terminal, event_id)."""

    class Kind(models.TextChoices):
        IN = "in", _("Arrived")
        OUT = "out", _("Left")
        TOUCH = "touch", _("Touched")

    class MailState(models.TextChoices):
        QUEUED = "queued", _("Mail queued")
        DUPLICATE = "duplicate", _("Duplicate")
        UNMATCHED = "unmatched", _("Unknown card, no mail")
        TOO_OLD = "too_old", _("Too old to mail")
        DIGEST = "digest", _("In the daily digest")
        NONE = "none", _("No subscriber")

    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="taps")
    event_id = models.UUIDField()
    card_hash = models.CharField(max_length=64)
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.SET_NULL, related_name="taps")
    member = models.ForeignKey(
        "portal.HouseholdMember", null=True, blank=True, on_delete=models.CASCADE, related_name="taps"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    mail_state = models.CharField(max_length=10, choices=MailState.choices, default=MailState.NONE)

    class Meta:
        db_table = "notifications_tap"
        ordering = ["-occurred_at"]
        verbose_name = _("tap")
        verbose_name_plural = _("taps")
        constraints = [models.UniqueConstraint(fields=["terminal", "event_id"], name="safety_tap_once")]
        indexes = [models.Index(fields=["member", "occurred_at"], name="safety_tap_member")]

    def __str__(self) -> str:
        return f"{self.terminal} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def delay_seconds(self) -> float:
        return (self.received_at - self.occurred_at).total_seconds()


class Subscription(models.Model):
    """A family member's choice of mail about one household member (child or watched person)."""

    class Mode(models.TextChoices):
        EACH = "each", _("A mail for every touch")
        DIGEST = "digest", _("One daily summary")
        OFF = "off", _("No mail")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_subscriptions")
    member = models.ForeignKey("portal.HouseholdMember", on_delete=models.CASCADE, related_name="subscriptions")
    mode = models.CharField(_("mail"), max_length=10, choices=Mode.choices, default=Mode.EACH)
    no_activity_alert = models.BooleanField(_("alert me when there is no touch"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "notifications_subscription"
        verbose_name = _("safety mail subscription")
        verbose_name_plural = _("safety mail subscriptions")
        constraints = [models.UniqueConstraint(fields=["user", "member"], name="safety_subscription_once")]

    def __str__(self) -> str:
        return f"{self.user} → {self.member} ({self.mode})"


class BroadcastCategory(models.TextChoices):
    SUSPICIOUS = "suspicious", _("Suspicious person")
    WEATHER = "weather", _("Weather warnings and school closures")
    EVENT = "event", _("School and town events")
    DISASTER = "disaster", _("Disaster and evacuation")
    OTHER = "other", _("Other notices")


class BroadcastPreference(models.Model):
    """Which broadcast categories a resident receives. Everyone gets disaster mails unless they opt out."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="broadcast_preference")
    categories = models.JSONField(_("categories"), default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "notifications_broadcastpreference"

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.categories)}"


class BroadcastReading(models.Model):
    """When a resident last opened their broadcasts page: what came after is new on /my/, on any device."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="broadcast_reading")
    read_at = models.DateTimeField()

    class Meta:
        db_table = "notifications_broadcastreading"

    def __str__(self) -> str:
        return f"{self.user}: {self.read_at:%Y-%m-%d %H:%M}"


class Broadcast(models.Model):
    """A safety message written by school or town staff and sent to a chosen audience."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    category = models.CharField(_("category"), max_length=20, choices=BroadcastCategory.choices)
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("message"), max_length=2000)
    title_en = models.CharField(_("title in English"), max_length=60, blank=True)
    body_en = models.TextField(
        _("message in English"),
        max_length=2000,
        blank=True,
        help_text=_("Residents who read their mail in English get this version. Without it they get the Japanese."),
    )
    target_all = models.BooleanField(_("everyone subscribed"), default=False)
    target_schools = models.ManyToManyField(School, verbose_name=_("schools"), blank=True, related_name="+")
    target_grades = models.JSONField(_("grades"), default=list, blank=True)
    target_districts = models.ManyToManyField(
        "portal.District", verbose_name=_("districts"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "notifications_broadcast"
        ordering = ["-created_at"]
        verbose_name = _("safety broadcast")
        verbose_name_plural = _("safety broadcasts")

    def __str__(self) -> str:
        return self.title

    def text_in(self, language: str) -> tuple[str, str]:
        """Title and message for a reader of ``language``: the English version if staff wrote one."""
        if language == "en" and self.title_en and self.body_en:
            return self.title_en, self.body_en
        return self.title, self.body


class MailText(models.Model):
    """Staff-editable wording of a safety mail in one language; the built-in text is used when none is saved."""

    class Key(models.TextChoices):
        GATE_IN = "gate_in", _("Arrived at school")
        GATE_OUT = "gate_out", _("Left school")
        WATCH_TOUCH = "watch_touch", _("Watch-over touch")
        DIGEST = "digest", _("Daily watch-over summary")
        NO_ACTIVITY = "no_activity", _("No touch for a while")

    key = models.CharField(_("mail"), max_length=20, choices=Key.choices)
    language = models.CharField(_("language"), max_length=12, help_text=_("ja or en."))
    subject = models.CharField(_("subject"), max_length=120)
    body = models.TextField(
        _("text"),
        help_text=_("You can use {name}, {time}, {place}, {school} and {delay_note}."),
    )

    class Meta:
        db_table = "notifications_mailtext"
        verbose_name = _("safety mail text")
        verbose_name_plural = _("safety mail texts")
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="safety_one_text_per_language")]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.language})"
