"""Images on town pages are responsive (WebP with a fallback, several widths) and always described;
the demo illustrations are drawn locally and stored once."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms import demo_images
from cms.demo import build_demo_site, publish
from cms.models import StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def photo():
    """A 1600×900 picture, wider than the largest rendition the pages ask for."""
    from django.core.files.images import ImageFile

    data = io.BytesIO()
    PILImage.new("RGB", (1600, 900), "#3f8f4e").save(data, "PNG")
    return get_image_model().objects.create(title="中央公園の桜", file=ImageFile(data, name="sakura.png"))


def pictures(html: str) -> list[str]:
    return re.findall(r"<picture>.*?</picture>", html, flags=re.S)


def widths(srcset: str) -> list[int]:
    return sorted(int(part.strip().rsplit(" ", 1)[1][:-1]) for part in srcset.split(","))


def attribute(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    assert match, f"{name} missing in {tag}"
    return match.group(1)


@pytest.mark.sqlite
def test_an_image_block_is_a_picture_with_webp_in_three_widths_and_alt_text(client, home, photo):
    publish(
        home,
        StandardPage(
            title="お花見",
            slug="ohanami",
            body=[("image", {"image": photo, "alt": "満開の桜並木と散歩する人たち", "caption": "中央公園"})],
        ),
    )
    html = client.get("/ohanami/").content.decode()

    [picture] = pictures(html)
    source = re.search(r"<source[^>]*>", picture).group(0)
    assert attribute(source, "type") == "image/webp"
    assert widths(attribute(source, "srcset")) == [400, 800, 1200]
    assert all(".webp" in url for url in attribute(source, "srcset").split(","))
    assert "100vw" in attribute(source, "sizes")

    img = re.search(r"<img[^>]*>", picture).group(0)
    assert attribute(img, "alt") == "満開の桜並木と散歩する人たち"
    assert (attribute(img, "width"), attribute(img, "height")) == ("1200", "675")
    assert widths(attribute(img, "srcset")) == [400, 800, 1200]
    assert attribute(img, "src").endswith(".jpg")
    assert attribute(img, "loading") == "lazy"
    # The file behind the WebP source really is WebP.
    rendition = photo.renditions.get(filter_spec__contains="format-webp", width=400)
    with rendition.file.open() as file:
        assert PILImage.open(file).format == "WEBP"


def test_the_demo_site_uses_the_drawn_illustrations_with_alt_text(client, home):
    build_demo_site(home)
    collection = Collection.objects.get(name=demo_images.COLLECTION_NAME)
    images = get_image_model().objects.filter(collection=collection)
    assert images.count() == len(demo_images.DEMO_IMAGES)
    assert all(image.width == 1200 and image.height == 675 for image in images)

    home_html = client.get("/").content.decode()
    [key_visual] = pictures(home_html)
    assert 'alt="時計台のある白い役場の建物。' in key_visual and 'type="image/webp"' in key_visual

    gomi = client.get("/kurashi/gomi/").content.decode()
    assert 'alt="色分けされた4つのごみ箱と集積所の看板。' in "".join(pictures(gomi))

    # Again: the same images, not new copies.
    demo_images.ensure_demo_images()
    assert get_image_model().objects.filter(collection=collection).count() == len(demo_images.DEMO_IMAGES)
