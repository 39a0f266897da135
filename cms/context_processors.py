from __future__ import annotations

from django.utils import timezone

from cms.snippets import banners_version, upcoming_banners

ADMIN_PREFIX = "/admin/"
# The attribute of the request that tells the page cache which banner list a page was rendered with.
BANNERS_VERSION_ATTRIBUTE = "emergency_banners_version"


def _clock():
    """The current time; a seam for tests that move the clock past a banner's end."""
    return timezone.now()


def emergency_banner(request):
    """The active emergency banners, for the banner above the header on every page (see ``cms.snippets``)."""
    if request.path.startswith(ADMIN_PREFIX):
        return {}
    now = _clock()
    banners = upcoming_banners(now)
    setattr(request, BANNERS_VERSION_ATTRIBUTE, banners_version(banners))
    return {"emergency_banners": [banner for banner in banners if banner.is_active(now)]}
