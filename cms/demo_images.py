"""Illustrations for the demo site, drawn with Pillow: nothing is downloaded and no font is needed.

Each picture is simple shapes (no text, since a Japanese font is not on every laptop), drawn at twice
the size and scaled down for smooth edges, stored as a Wagtail image in the 「デモ」 collection with
alternative text that says what it shows. Running it again reuses the images already there.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Collection
from wagtail.utils.file import hash_filelike

COLLECTION_NAME = "デモ"
WIDTH, HEIGHT = 1200, 675  # 16:9; the largest rendition the pages ask for is 1200 wide
SCALE = 2  # drawn at twice the size, then scaled down: Pillow draws without anti-aliasing

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class DemoImage:
    key: str
    title: str
    alt: str
    draw: Callable[[ImageDraw.ImageDraw], None]


class Canvas:
    """Coordinates in the final 1200×675 picture, drawn on the doubled canvas."""

    def __init__(self, draw: ImageDraw.ImageDraw):
        self.draw = draw

    def _box(self, box: Box) -> list[float]:
        return [v * SCALE for v in box]

    def rect(self, box: Box, fill: str, radius: float = 0) -> None:
        if radius:
            self.draw.rounded_rectangle(self._box(box), radius=radius * SCALE, fill=fill)
        else:
            self.draw.rectangle(self._box(box), fill=fill)

    def ellipse(self, box: Box, fill: str) -> None:
        self.draw.ellipse(self._box(box), fill=fill)

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill)

    def polygon(self, points: list[tuple[float, float]], fill: str) -> None:
        self.draw.polygon([(x * SCALE, y * SCALE) for x, y in points], fill=fill)

    def line(self, points: list[tuple[float, float]], fill: str, width: float) -> None:
        self.draw.line([(x * SCALE, y * SCALE) for x, y in points], fill=fill, width=int(width * SCALE))

    def arc(self, x: float, y: float, r: float, fill: str, width: float) -> None:
        """The upper half of a ring centred on (x, y)."""
        box = self._box((x - r, y - r, x + r, y + r))
        self.draw.arc(box, start=180, end=360, fill=fill, width=int(width * SCALE))

    def sky(self, top: tuple[int, int, int], bottom: tuple[int, int, int], until: float = HEIGHT) -> None:
        steps = 64
        for i in range(steps):
            t = i / (steps - 1)
            colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
            y0 = until * i / steps
            self.rect((0, y0, WIDTH, until * (i + 1) / steps + 1), fill="#{:02x}{:02x}{:02x}".format(*colour))

    def tree(self, x: float, ground: float, size: float, leaves: str = "#3f8f4e") -> None:
        self.rect((x - size * 0.12, ground - size * 0.9, x + size * 0.12, ground), fill="#7a5230")
        self.circle(x, ground - size * 1.2, size * 0.55, leaves)
        self.circle(x - size * 0.35, ground - size * 0.95, size * 0.4, leaves)
        self.circle(x + size * 0.35, ground - size * 0.95, size * 0.4, leaves)


def _town_hall(d: ImageDraw.ImageDraw) -> None:
    c = Canvas(d)
    c.sky((120, 180, 230), (205, 230, 245), until=520)
    c.circle(1040, 110, 55, "#ffd35c")
    for x, y in ((180, 120), (420, 80), (760, 140)):
        c.ellipse((x, y, x + 150, y + 45), "#ffffff")
        c.ellipse((x + 40, y - 25, x + 120, y + 35), "#ffffff")
    c.rect((0, 520, WIDTH, HEIGHT), "#7cbf6a")
    c.polygon([(560, 675), (640, 675), (620, 540), (580, 540)], "#d9cdb4")  # the path to the door
    # The building: two wings, a centre block with a clock tower and a flag.
    c.rect((250, 300, 950, 540), "#efe6d6")
    c.rect((250, 290, 950, 310), "#b5a48a")
    c.rect((480, 200, 720, 540), "#f6efe2")
    c.polygon([(460, 205), (740, 205), (600, 140)], "#9c4a3c")
    c.rect((560, 70, 640, 150), "#f6efe2")
    c.circle(600, 108, 26, "#ffffff")
    c.line([(600, 108), (600, 90)], "#333333", 4)
    c.line([(600, 108), (614, 114)], "#333333", 4)
    c.line([(600, 70), (600, 20)], "#555555", 4)
    c.polygon([(602, 22), (650, 34), (602, 46)], "#ffffff")
    c.circle(622, 34, 6, "#d33a2c")
    for row in (330, 420):
        for x in (280, 350, 760, 830, 890):
            c.rect((x, row, x + 40, row + 55), "#7fb2d9")
    for x in (505, 565, 625, 685):
        c.rect((x, 230, x + 14, 540), "#e1d5bf")
    c.rect((570, 440, 630, 540), "#6b4b32")
    c.tree(150, 540, 110)
    c.tree(1060, 540, 120, "#4d9b58")


def _park(d: ImageDraw.ImageDraw) -> None:
    c = Canvas(d)
    c.sky((140, 200, 240), (225, 240, 250), until=380)
    c.polygon([(0, 380), (300, 250), (620, 380)], "#8fb39a")
    c.polygon([(420, 380), (820, 220), (1200, 380)], "#7ea58a")
    c.rect((0, 380, WIDTH, HEIGHT), "#8fcf72")
    c.ellipse((640, 430, 1100, 600), "#5aa7d6")  # the pond
    c.ellipse((700, 455, 1040, 575), "#74b9e0")
    c.polygon([(0, 675), (260, 675), (560, 420), (500, 420)], "#e6d7b0")  # the path
    for x, ground, size in ((120, 430, 90), (330, 410, 70), (1130, 450, 95), (600, 405, 60)):
        c.tree(x, ground, size)
    # A bench and a swing.
    c.rect((250, 560, 420, 575), "#8a5a35")
    c.rect((250, 535, 420, 547), "#8a5a35")
    c.rect((262, 575, 272, 610), "#555555")
    c.rect((398, 575, 408, 610), "#555555")
    c.line([(880, 330), (930, 250), (980, 330)], "#c0392b", 8)
    c.line([(930, 250), (1080, 250)], "#c0392b", 8)
    c.line([(1030, 330), (1080, 250), (1130, 330)], "#c0392b", 8)
    c.line([(985, 250), (985, 310)], "#444444", 3)
    c.line([(1025, 250), (1025, 310)], "#444444", 3)
    c.rect((975, 308, 1035, 318), "#444444")
    for x, y, colour in ((150, 620, "#f28db2"), (190, 640, "#ffd35c"), (470, 640, "#f28db2"), (520, 615, "#ffffff")):
        c.circle(x, y, 9, colour)
    c.circle(200, 90, 50, "#ffe27a")


def _winter_festival(d: ImageDraw.ImageDraw) -> None:
    c = Canvas(d)
    c.sky((20, 30, 70), (60, 70, 130), until=520)
    c.circle(1030, 110, 45, "#f5f1d0")
    c.circle(1048, 100, 40, "#2a3878")  # a crescent moon
    c.rect((0, 520, WIDTH, HEIGHT), "#eef3f8")  # snow
    # Stalls with striped awnings.
    for x, stripe in ((120, "#d33a2c"), (470, "#2e7d4f"), (820, "#d88a1c")):
        c.rect((x, 380, x + 260, 540), "#8a5a35")
        c.rect((x + 20, 420, x + 240, 500), "#f7e3c3")
        for i in range(6):
            colour = stripe if i % 2 == 0 else "#ffffff"
            c.polygon(
                [(x - 10 + i * 47, 330), (x + 37 + i * 47, 330), (x + 37 + i * 47, 385), (x - 10 + i * 47, 385)],
                colour,
            )
    # A string of paper lanterns (提灯).
    c.line([(0, 150), (300, 205), (600, 220), (900, 205), (1200, 150)], "#333333", 3)
    for i in range(11):
        x = 60 + i * 108
        y = 150 + 70 * (1 - ((x - 600) / 600) ** 2) + 20
        c.rect((x - 8, y - 40, x + 8, y - 30), "#222222")
        c.ellipse((x - 28, y - 32, x + 28, y + 32), "#e84a3a" if i % 2 == 0 else "#f2a33a")
        c.rect((x - 8, y + 28, x + 8, y + 38), "#222222")
    # Falling snow.
    for i in range(40):
        x = (i * 211) % WIDTH
        y = 40 + (i * 97) % 470
        c.circle(x, y, 4 + (i % 3), "#ffffff")
    # A snowman.
    c.circle(1080, 560, 60, "#ffffff")
    c.circle(1080, 470, 42, "#ffffff")
    c.circle(1066, 462, 5, "#222222")
    c.circle(1094, 462, 5, "#222222")
    c.polygon([(1080, 472), (1110, 478), (1080, 484)], "#f08a24")


def _waste_sorting(d: ImageDraw.ImageDraw) -> None:
    c = Canvas(d)
    c.rect((0, 0, WIDTH, HEIGHT), "#f4f1ea")
    c.rect((0, 560, WIDTH, HEIGHT), "#c9c2b3")
    # Four bins: burnable (red), plastic (yellow), bottles and cans (blue), paper (green), each with a symbol.
    for i, (body, lid) in enumerate(
        (("#d9534f", "#b03a36"), ("#f0c419", "#c99f0d"), ("#3a7bd5", "#2a5ea6"), ("#3c9d5d", "#2d7a48"))
    ):
        x = 90 + i * 270
        c.rect((x, 250, x + 200, 560), body, radius=18)
        c.rect((x - 12, 220, x + 212, 260), lid, radius=10)
        c.rect((x + 75, 200, x + 125, 222), lid, radius=6)
        c.rect((x + 40, 300, x + 160, 420), "#ffffff", radius=14)
        cx, cy = x + 100, 360
        if i == 0:  # a flame
            c.circle(cx, cy + 15, 30, body)
            c.polygon(
                [(cx - 30, cy + 12), (cx - 10, cy - 30), (cx + 2, cy - 10), (cx + 8, cy - 48), (cx + 30, cy + 12)], body
            )
            c.circle(cx, cy + 24, 13, "#ffffff")
            c.polygon([(cx - 13, cy + 22), (cx + 2, cy - 6), (cx + 13, cy + 22)], "#ffffff")
        elif i == 1:  # a plastic bottle
            c.rect((cx - 20, cy - 25, cx + 20, cy + 45), body, radius=10)
            c.rect((cx - 9, cy - 45, cx + 9, cy - 22), body)
        elif i == 2:  # a can
            c.rect((cx - 26, cy - 40, cx + 26, cy + 45), body, radius=8)
            c.rect((cx - 26, cy - 20, cx + 26, cy - 12), "#ffffff")
        else:  # a stack of paper
            for k in range(3):
                c.rect((cx - 40 + k * 6, cy - 30 + k * 20, cx + 40 + k * 6, cy - 16 + k * 20), body, radius=3)
    # A collection point sign on a post.
    c.rect((595, 70, 605, 200), "#777777")
    c.rect((520, 40, 680, 100), "#3c9d5d", radius=10)
    c.rect((540, 58, 660, 66), "#ffffff")
    c.rect((540, 74, 630, 82), "#ffffff")


def _childcare_centre(d: ImageDraw.ImageDraw) -> None:
    c = Canvas(d)
    c.sky((255, 214, 165), (255, 240, 220), until=480)
    c.rect((0, 480, WIDTH, HEIGHT), "#a6d98b")
    # A rainbow behind the building, rising from the ground.
    for i, colour in enumerate(("#e84a3a", "#f2a33a", "#f5d63d", "#5cb85c", "#4a90d9", "#7a5cc2")):
        c.arc(600, 480, 380 - i * 20, colour, 20)
    c.rect((0, 480, WIDTH, HEIGHT), "#a6d98b")
    # The centre: a low building with a round window and a big door.
    c.rect((380, 300, 820, 500), "#ffffff", radius=20)
    c.polygon([(360, 310), (600, 200), (840, 310)], "#f08a5d")
    c.circle(600, 270, 30, "#8ecae6")
    c.rect((560, 400, 640, 500), "#f5b942", radius=10)
    for x in (420, 680):
        c.rect((x, 350, x + 100, 420), "#8ecae6", radius=8)
    # A slide (ladder, platform, chute) and a sandpit.
    c.rect((900, 340, 912, 520), "#555555")
    c.rect((948, 340, 960, 520), "#555555")
    for y in range(370, 520, 35):
        c.rect((900, y, 960, y + 7), "#555555")
    c.rect((895, 330, 975, 345), "#e84a3a")
    c.line([(965, 338), (1130, 505), (1165, 505)], "#e84a3a", 18)
    c.ellipse((120, 520, 330, 600), "#f1dca7")
    c.rect((160, 520, 200, 545), "#4a90d9", radius=6)
    c.circle(270, 540, 14, "#e84a3a")
    c.circle(100, 120, 48, "#ffd35c")


DEMO_IMAGES = (
    DemoImage(
        "town-hall",
        "みどり町役場 本庁舎（イラスト）",
        "時計台のある白い役場の建物。正面に入口への道があり、両側に木が立っている。",
        _town_hall,
    ),
    DemoImage(
        "park",
        "中央公園（イラスト）",
        "芝生の広がる公園。池、ベンチ、ぶらんこ、木々があり、遠くに山が見える。",
        _park,
    ),
    DemoImage(
        "winter-festival",
        "冬のふれあい祭り（イラスト）",
        "雪の夜の祭り会場。提灯が連なり、しま模様の屋根の屋台が3つ並び、雪だるまがいる。",
        _winter_festival,
    ),
    DemoImage(
        "waste-sorting",
        "ごみの分別（イラスト）",
        "色分けされた4つのごみ箱と集積所の看板。赤は燃やすごみ（炎の印）、黄色はプラスチック（ボトルの印）、青はびん・缶（缶の印）、緑は古紙（紙の印）。",
        _waste_sorting,
    ),
    DemoImage(
        "childcare-centre",
        "子育て支援センター（イラスト）",
        "虹を背にした平屋の建物。大きな扉と丸い窓があり、すべり台と砂場がある。",
        _childcare_centre,
    ),
)


def render_png(image: DemoImage) -> bytes:
    """The picture as PNG bytes."""
    canvas = PILImage.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), "#ffffff")
    image.draw(ImageDraw.Draw(canvas))
    small = canvas.resize((WIDTH, HEIGHT), PILImage.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return out.getvalue()


def demo_collection() -> Collection:
    existing = Collection.objects.filter(name=COLLECTION_NAME).first()
    if existing is not None:
        return existing
    # A database emptied by a test flush has lost the root collection that Wagtail's migration made.
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    return root.add_child(name=COLLECTION_NAME)


def ensure_demo_images() -> dict[str, tuple]:
    """The demo images by key, each as ``(image, alt text)``; drawn and stored only if missing."""
    image_model = get_image_model()
    collection = demo_collection()
    images = {}
    for demo in DEMO_IMAGES:
        image = image_model.objects.filter(collection=collection, title=demo.title).first()
        if image is None:
            data = render_png(demo)
            file = ImageFile(io.BytesIO(data), name=f"demo-{demo.key}.png")
            image = image_model(title=demo.title, collection=collection, file=file, file_size=len(data))
            image.file_hash = hash_filelike(io.BytesIO(data))
            image.save()
        images[demo.key] = (image, demo.alt)
    return images
