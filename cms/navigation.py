"""The town's online services in the header, footer, home page and My page, as staff set them.

Staff list the services in the Wagtail settings (:class:`cms.models.TownSettings`); a link is shown
only while its address exists: a URL of a service (``/facilities/``) or a live, public town page.
So 健康記録 and 情報公開 can be listed before they exist and appear the day they do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve


@dataclass(frozen=True)
class ServiceLink:
    label: str
    url: str
    description: str
    in_header: bool
    in_footer: bool
    on_home: bool


def _wagtail_page_exists(path: str, request: HttpRequest | None) -> bool:
    site = Site.find_for_request(request) if request is not None else Site.objects.filter(is_default_site=True).first()
    if site is None:
        return False
    url_path = site.root_page.url_path + path.strip("/") + "/"
    return Page.objects.live().public().filter(url_path=url_path).exists()


def target_exists(path: str, request: HttpRequest | None = None) -> bool:
    """Whether ``path`` on this site leads somewhere: a service's view, or a live, public town page."""
    if not path.startswith("/") or path.startswith("//"):
        return False
    path = path.split("#")[0].split("?")[0]
    try:
        with translation.override(None):
            match = resolve(path)
    except Resolver404:
        return False
    if match.func is wagtail_serve or getattr(match.func, "__wrapped__", None) is wagtail_serve:
        return _wagtail_page_exists(path, request)
    return True


def service_links(request: HttpRequest | None, settings=None) -> list[ServiceLink]:
    """The services staff listed whose address exists, in their order."""
    from cms.models import TownSettings

    settings = settings or TownSettings.current()
    links = []
    for block in settings.services:
        value = block.value
        path = (value.get("path") or "").strip()
        if not value.get("label") or not target_exists(path, request):
            continue
        links.append(
            ServiceLink(
                label=value["label"],
                url=path,
                description=value.get("description") or "",
                in_header=bool(value.get("in_header")),
                in_footer=bool(value.get("in_footer")),
                on_home=bool(value.get("on_home")),
            )
        )
    return links
