from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from cms.snippets import BANNERS_CACHE_KEY, BANNERS_CACHE_SECONDS, EmergencyBanner

ADMIN_PREFIX = "/admin/"


def _clock():
    """The current time; a seam for tests that move the clock past a banner's end."""
    return timezone.now()


def emergency_banner(request):
    """The active emergency banners, for the banner above the header on every page.

    The candidates (banners not yet ended, or starting within the cache lifetime) are cached for
    ``BANNERS_CACHE_SECONDS``; whether each is active is decided against the clock on every request,
    so a banner appears at its start and disappears at its end even while the list is cached.
    """
    if request.path.startswith(ADMIN_PREFIX):
        return {}
    banners = cache.get(BANNERS_CACHE_KEY)
    if banners is None:
        now = _clock()
        banners = list(
            EmergencyBanner.objects.filter(
                start__lte=now + timedelta(seconds=BANNERS_CACHE_SECONDS), end__gt=now
            ).order_by("level", "-start")
        )
        cache.set(BANNERS_CACHE_KEY, banners, BANNERS_CACHE_SECONDS)
    now = _clock()
    return {"emergency_banners": [banner for banner in banners if banner.is_active(now)]}
