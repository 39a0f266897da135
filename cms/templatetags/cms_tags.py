import re

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.models import Page, Site

from cms.languages import home_path, localized_home

register = template.Library()


@register.simple_tag
def breadcrumbs(page):
    """The page's ancestors below the site root, for the breadcrumb trail."""
    return page.get_ancestors().filter(depth__gt=1).specific().live()


@register.filter
def document_label(document) -> str:
    """ "PDF, 1.2 MB": what a resident needs to know before downloading on a phone."""
    extension = (document.file_extension or "").upper()
    try:
        size = filesizeformat(document.get_file_size() or 0)
    except (OSError, ValueError):
        size = ""
    return ", ".join(part for part in (extension, size) if part)


@register.inclusion_tag("cms/includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The site's main sections: live, public, ``show_in_menus`` children of the site root, in tree order.

    At most three queries whatever the number of sections (the site, usually already found for
    the request; the view restrictions; the pages; one more for the home page in another language),
    and no ``specific()``: only title and URL are needed. ``current`` is "page" for the section itself
    and "true" inside it, for aria-current.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return {"menu_items": []}
    # The home page in the language shown (/en/ for English), so the menu lists its sections.
    root, language = localized_home(site)
    home = home_path(language)
    pages = (
        Page.objects.child_of(root)
        .live()
        .public()
        .in_menu()
        .order_by("path")
        .only("id", "path", "depth", "title", "url_path")
    )
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else None
    items = []
    for page in pages:
        # The home page's URL is "/" (or "/en/"), so a child's URL is its url_path below the home page's; this
        # is what Page.get_url() computes for a page of the current site, without looking up the site root paths.
        url = home + page.url_path[len(root.url_path) :]
        if current_path:
            state = "page" if current_path == page.path else "true" if current_path.startswith(page.path) else ""
        elif request is not None:
            state = "page" if request.path == url else "true" if request.path.startswith(url) else ""
        else:
            state = ""
        items.append({"title": page.title, "url": url, "current": state})
    return {"menu_items": items}


@register.simple_tag(takes_context=True)
def town_services(context) -> list:
    """The online services staff listed whose address exists (``cms.navigation``), once per request."""
    from cms.navigation import service_links

    request = context.get("request")
    if request is None:
        return service_links(None)
    if not hasattr(request, "_town_services"):
        request._town_services = service_links(request, town_settings(context))
    return request._town_services


@register.simple_tag(takes_context=True)
def town_settings(context):
    """The town's settings (contact block, footer links), once per request."""
    from cms.models import TownSettings

    request = context.get("request")
    if request is None:
        return TownSettings.current()
    if not hasattr(request, "_town_settings"):
        request._town_settings = TownSettings.current()
    return request._town_settings


@register.filter
def wbr(text) -> str:
    """``text`` escaped, with a line-break opportunity (``<wbr>``) after ``@`` and before ``.`` and ``/``.

    A long e-mail address or URL then wraps at its parts (taro.yamada@ / example.jp) instead of
    in the middle of a word, and never widens a phone's screen.
    """
    escaped = str(escape(text))
    return mark_safe(re.sub(r"(@)|(?=[./])", lambda m: "@<wbr>" if m.group(1) else "<wbr>", escaped))  # noqa: S308
