from django import template
from django.template.defaultfilters import filesizeformat

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
