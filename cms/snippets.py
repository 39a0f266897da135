"""The emergency banner (緊急情報) that town staff publish from the Wagtail admin.

A banner is shown above the site header on every public page while ``start <= now < end``.
The list of banners is cached for at most ``BANNERS_CACHE_SECONDS`` (10); saving or deleting a
banner drops that cache and every kept page (``cms.cache``), so a new banner shows on the next
request. A kept page also remembers the banner list it was rendered with (``banners_version``) and
is not served once the list differs: a change the signals missed (an ``update()``, another tool
writing to the database) shows when the list is next read, within 10 s, not after the page's own
lifetime on top.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

BANNERS_CACHE_KEY = "cms:emergency-banners"
# The longest a banner change the signals missed can take to show, kept pages included.
BANNERS_CACHE_SECONDS = 10


class EmergencyBanner(models.Model):
    class Level(models.IntegerChoices):
        # The value is the severity rank: ordering by it puts the most severe first.
        EMERGENCY = 1, _("Emergency")
        WARNING = 2, _("Warning")
        NOTICE = 3, _("Notice")

    title = models.CharField(_("title"), max_length=30)
    text = models.CharField(_("text"), max_length=100)
    link_url = models.URLField(_("link URL"), blank=True)
    link_text = models.CharField(
        _("link text"), max_length=30, blank=True, help_text=_("Leave empty to show “More information”.")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    start = models.DateTimeField(_("start"), default=timezone.now)
    end = models.DateTimeField(_("end"), help_text=_("The banner disappears at this time."))

    class Meta:
        ordering = ["level", "-start"]
        verbose_name = _("emergency banner")
        verbose_name_plural = _("emergency banners")

    def __str__(self) -> str:
        return self.title

    @property
    def level_key(self) -> str:
        """``emergency``, ``warning`` or ``notice``: for CSS classes."""
        return self.Level(self.level).name.lower()

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.start <= now < self.end

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end:
            if self.end <= self.start:
                errors["end"] = _("The end must be after the start.")
            elif self._state.adding and self.end <= timezone.now():
                errors["end"] = _("The end has already passed, so the banner would never be shown.")
        if self.link_text and not self.link_url:
            errors["link_url"] = _("Enter the address the link text should point to, or clear the link text.")
        if errors:
            raise ValidationError(errors)


def cached_banners() -> list[EmergencyBanner] | None:
    """The cached candidate banners, or None when they must be read again (``upcoming_banners``)."""
    return cache.get(BANNERS_CACHE_KEY)


def upcoming_banners(now: datetime) -> list[EmergencyBanner]:
    """Banners not yet ended (active or scheduled: a town has a handful), most severe first; cached for
    ``BANNERS_CACHE_SECONDS``. Whether each is active is decided against the clock per request, so a
    banner appears at its start and disappears at its end even while the list is cached."""
    banners = cached_banners()
    if banners is None:
        banners = list(EmergencyBanner.objects.filter(end__gt=now).order_by("level", "-start"))
        cache.set(BANNERS_CACHE_KEY, banners, BANNERS_CACHE_SECONDS)
    return banners


def banners_version(banners: list[EmergencyBanner]) -> str:
    """A short fingerprint of everything shown of ``banners``: two lists that look alike on a page
    have the same version, so re-reading an unchanged list keeps the kept pages."""
    shown = "\n".join(
        "\t".join(map(str, (b.pk, b.level, b.title, b.text, b.link_url, b.link_text, b.start, b.end))) for b in banners
    )
    return hashlib.blake2b(shown.encode(), digest_size=8).hexdigest()


def forget_cached_banners() -> None:
    cache.delete(BANNERS_CACHE_KEY)


@receiver(post_save, sender=EmergencyBanner, dispatch_uid="cms.emergency_banner.saved")
@receiver(post_delete, sender=EmergencyBanner, dispatch_uid="cms.emergency_banner.deleted")
def _banner_changed(sender, **kwargs):
    forget_cached_banners()
    # A request running before the commit may cache the old list again; drop it once more after.
    transaction.on_commit(forget_cached_banners)


class EmergencyBannerViewSet(SnippetViewSet):
    model = EmergencyBanner
    icon = "warning"
    menu_label = _("Emergency banners")
    menu_order = 150
    add_to_admin_menu = True
    list_display = ["title", "level", "start", "end"]
    list_filter = ["level"]
    panels = [
        FieldPanel("level"),
        FieldPanel("title"),
        FieldPanel("text"),
        MultiFieldPanel([FieldPanel("link_url"), FieldPanel("link_text")], heading=_("Link")),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading=_("Shown")),
    ]


register_snippet(EmergencyBannerViewSet)
