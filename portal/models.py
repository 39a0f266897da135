"""Portal's own models: residents (users), districts and households."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

kana_validator = RegexValidator(
    r"^[\u3041-\u309F\u30A0-\u30FF\u3000 ー・]+$",
    _("Enter the reading in hiragana or katakana."),
)
phone_validator = RegexValidator(
    r"^[0-9０-９+()（）\- ー]{6,20}$",
    _("Enter a phone number with digits and hyphens, e.g. 0123-45-6789."),
)


class District(models.Model):
    """A town district (町丁目): used to target mails and to know who is a resident."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("reading"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    """Users log in with their email address; there is no user name."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A resident or a member of staff. The email address is the login."""

    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    family_name = models.CharField(_("family name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = models.CharField(
        _("family name (kana)"), max_length=100, blank=True, validators=[kana_validator]
    )
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True, validators=[kana_validator])
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    language = models.CharField(_("preferred language"), max_length=8, choices=Language.choices, default=Language.JA)
    mail_html = models.BooleanField(
        _("send mail with formatting (HTML)"), default=True, help_text=_("Off: plain text only.")
    )
    receive_town_news = models.BooleanField(_("receive town news by mail"), default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    def get_short_name(self) -> str:
        return self.family_name or self.email


class Household(models.Model):
    """A resident's household. Its owner manages its members."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return str(self.owner)


class HouseholdMember(models.Model):
    """A person in a household who has no account of their own: a child, an elderly parent."""

    class Relationship(models.TextChoices):
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDPARENT = "grandparent", _("Grandparent")
        SPOUSE = "spouse", _("Spouse")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    family_name = models.CharField(_("family name"), max_length=50)
    given_name = models.CharField(_("given name"), max_length=50)
    family_name_kana = models.CharField(
        _("family name (kana)"), max_length=100, blank=True, validators=[kana_validator]
    )
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True, validators=[kana_validator])
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["birth_date", "id"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name}"


class MemberGuardian(models.Model):
    """Another adult who shares a household member, e.g. the second guardian of a child."""

    member = models.ForeignKey(HouseholdMember, on_delete=models.CASCADE, related_name="guardians")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_members")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "user"], name="member_guardian_once")]
        verbose_name = _("shared guardian")
        verbose_name_plural = _("shared guardians")

    def __str__(self) -> str:
        return f"{self.user} → {self.member}"


class Invitation(models.Model):
    """An invitation by mail for another adult to share a household member.

    Only a hash of the token is stored; the token itself is only in the mail.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(HouseholdMember, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.member}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class AccessLog(models.Model):
    """A member of staff looked at a resident's sensitive record (health, movements, mail).

    Written by ``portal.audit.log_staff_access``; read by administrators only, never edited.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    staff_email = models.EmailField(help_text="Kept when the staff account is deleted.")
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("staff access record")
        verbose_name_plural = _("staff access records")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.staff_email} {self.action} {self.object_type} {self.object_id}"
