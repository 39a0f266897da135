"""Images placed in rich text come out responsive, like the image block: WebP with a JPEG fallback,
several widths and a ``sizes`` hint, so a phone downloads a small file.

Wagtail loads this module by name (``<app>.image_formats``) and the formats keep Wagtail's names
(fullwidth, left, right), so text already written keeps working.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.images.formats import Format, register_image_format, unregister_image_format
from wagtail.images.models import Picture, SourceImageIOError

FORMATS = ("webp", "jpeg")  # the last one is the fallback <img>
CONTENT_SIZES = "(min-width: 60rem) 58rem, calc(100vw - 2rem)"  # .container is 60rem with 1rem padding
SIDE_SIZES = "(min-width: 60rem) 29rem, (min-width: 48rem) 50vw, calc(100vw - 2rem)"


class ResponsiveFormat(Format):
    """A rich-text image format that renders a ``<picture>`` instead of a single ``<img>``."""

    def __init__(self, name, label, classname, widths: tuple[int, ...], sizes: str):
        # The largest width first: it is the fallback <img>, whose width and height the browser reserves.
        self.widths = tuple(sorted(widths, reverse=True))
        self.sizes = sizes
        super().__init__(name, label, classname, f"width-{self.widths[0]}")

    def filter_specs(self) -> list[str]:
        return [f"width-{width}|format-{fmt}" for fmt in FORMATS for width in self.widths]

    def image_to_html(self, image, alt_text, extra_attributes=None):
        attrs = dict(extra_attributes or {})
        attrs.update({"alt": alt_text, "sizes": self.sizes, "loading": "lazy", "decoding": "async"})
        if self.classname:
            attrs["class"] = self.classname
        try:
            renditions = image.get_renditions(*self.filter_specs())
        except SourceImageIOError:
            return super().image_to_html(image, alt_text, extra_attributes)  # Wagtail's "image not found"
        return str(Picture(renditions, attrs))


for _name in ("fullwidth", "left", "right"):
    unregister_image_format(_name)
register_image_format(
    ResponsiveFormat("fullwidth", _("Full width"), "richtext-image full-width", (400, 800, 1200), CONTENT_SIZES)
)
register_image_format(ResponsiveFormat("left", _("Left-aligned"), "richtext-image left", (400, 800), SIDE_SIZES))
register_image_format(ResponsiveFormat("right", _("Right-aligned"), "richtext-image right", (400, 800), SIDE_SIZES))
