"""The emergency banner (緊急情報) that town staff publish from the Wagtail admin.

A banner is shown above the site header on every public page while ``start <= now < end``.
The list of banners is cached for a few seconds (see ``cms.context_processors``); saving or
deleting a banner drops that cache so a newly published banner shows on the next request.
"""

from __future__ import annotations

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
BANNERS_CACHE_SECONDS = 30


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
