"""Importers for the homepage renewal: legacy static HTML pages and a CSV of redirects.

Only the standard library's ``html.parser`` reads legacy HTML; nothing is ever downloaded.
The legacy path of an imported page is kept in its permanent :class:`Redirect`, so a repeat
import finds and updates the same page without any model change.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.images import ImageFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.utils.file import hash_filelike

from cms.models import StandardPage

VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}
DROP_TAGS = {"script", "style", "nav", "header", "footer", "noscript", "template", "iframe", "form", "button", "object"}
INLINE_TAGS = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}
HEADING_LEVELS = {"h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3"}
TEXT_BLOCK_TAGS = {"p", "blockquote", "address", "pre", "dd", "dt", "figcaption", "caption"}
LIST_TAGS = {"ul", "ol"}
HEADING_MAX = 100
ALT_MAX = 200

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_DATE = (
    r"(?:(?P<year>\d{4})|(?P<era>令和|平成|昭和)\s*(?P<eyear>\d{1,2}|元))"
    r"\s*[年/.\-]\s*(?P<month>\d{1,2})\s*[月/.\-]\s*(?P<day>\d{1,2})\s*日?"
)
UPDATED_RE = re.compile(r"(?:最終)?更新(?:日時|日)?\s*[:：]?\s*" + _DATE)
ONLY_UPDATED_RE = re.compile(r"^\s*[［\[【(（]?\s*" + UPDATED_RE.pattern + r"\s*[］\]】)）]?\s*$")
DATE_RE = re.compile(r"^\s*" + _DATE)


# --------------------------------------------------------------------------- HTML tree


class Node:
    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None, parent: Node | None = None):
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[Node | str] = []
        self.parent = parent

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find(self, predicate) -> Node | None:
        return next((node for node in self.iter() if predicate(node)), None)

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in DROP_TAGS:
                parts.append(child.text())
        return "".join(parts)


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: unclosed elements are closed by their ancestors' end tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        if tag in {"p", "li"} and self.current.tag == tag:  # <p>a<p>b, <li>a<li>b
            self.current = self.current.parent
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID_TAGS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def _classes(node: Node) -> list[str]:
    return node.attrs.get("class", "").split()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def parse_date(value: str) -> datetime | None:
    """A date from a meta tag or text: ISO, 2023/4/1, 2023年4月1日, 令和5年4月1日 or an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        match = DATE_RE.match(value)
        if match:
            return _date_from_match(match)
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _date_from_match(match: re.Match) -> datetime | None:
    if match["year"]:
        year = int(match["year"])
    else:
        year = _ERAS[match["era"]] + (1 if match["eyear"] == "元" else int(match["eyear"]))
    try:
        return timezone.make_aware(datetime(year, int(match["month"]), int(match["day"])))
    except ValueError:
        return None


# --------------------------------------------------------------------------- legacy page


@dataclass
class LegacyImage:
    src: str
    alt: str
    caption: str = ""


@dataclass
class LegacyPage:
    title: str
    blocks: list[
        tuple[str, object]
    ]  # ("paragraph", html) / ("heading", {...}) / ("image", LegacyImage) / ("table", {...})
    last_modified: datetime | None
    warnings: list[str] = field(default_factory=list)


class _BodyConverter:
    """Turns the legacy content element into StreamField blocks of the town's BodyBlock."""

    def __init__(self, title: str, legacy_url: str, skip: Node | None = None):
        self.title = title
        self.skip = skip  # the heading that became the page's title
        self.legacy_url = legacy_url
        self.blocks: list[tuple[str, object]] = []
        self.buffer: list[str] = []
        self.pending_images: list[LegacyImage] = []
        self.warnings: list[str] = []

    # -- output
    def flush(self):
        html = "".join(self.buffer).strip()
        if html:
            self.blocks.append(("paragraph", html))
        self.buffer = []

    def add_block(self, kind: str, value):
        self.flush()
        self.blocks.append((kind, value))

    def emit_images(self):
        for image in self.pending_images:
            self.add_block("image", image)
        self.pending_images = []

    # -- walking
    def convert(self, node: Node) -> list[tuple[str, object]]:
        self.block(node)
        self.flush()
        return self.blocks

    def block(self, node: Node):
        inline: list[Node | str] = []
        for child in node.children:
            if isinstance(child, str) or self.is_inline(child):
                inline.append(child)
                continue
            self.inline_paragraph(inline)
            inline = []
            self.block_element(child)
        self.inline_paragraph(inline)

    def is_inline(self, node: Node) -> bool:
        if node.tag in DROP_TAGS or node.tag == "img":
            return False
        return node.tag in {
            *INLINE_TAGS,
            "a",
            "span",
            "font",
            "br",
            "small",
            "sub",
            "sup",
            "u",
            "abbr",
            "time",
        } and not any(
            isinstance(d, Node) and d.tag in {"p", "div", "ul", "ol", "table", *HEADING_LEVELS} for d in node.iter()
        )

    def inline_paragraph(self, nodes: list[Node | str]):
        html = "".join(self.inline(n) for n in nodes).strip()
        if html and not re.fullmatch(r"(<br/>|\s)*", html):
            self.buffer.append(f"<p>{html}</p>")
        self.emit_images()

    def block_element(self, node: Node):
        tag = node.tag
        if tag in DROP_TAGS or node is self.skip:
            return
        if tag == "img":
            self.image(node)
            self.emit_images()
        elif tag == "h1":
            text = squash(node.text())
            if text and text != self.title:
                self.add_block("heading", {"text": text[:HEADING_MAX], "level": "h2"})
        elif tag in HEADING_LEVELS:
            text = squash(node.text())
            if text:
                self.add_block("heading", {"text": text[:HEADING_MAX], "level": HEADING_LEVELS[tag]})
            self.emit_images_inside(node)
        elif tag in TEXT_BLOCK_TAGS:
            if ONLY_UPDATED_RE.match(squash(node.text())):
                return  # the page shows its own "last updated" line
            html = self.inline_children(node).strip()
            if html and not re.fullmatch(r"(<br/>|\s)*", html):
                self.buffer.append(f"<p>{html}</p>")
            self.emit_images()
        elif tag in LIST_TAGS:
            html = self.list_html(node)
            if html:
                self.buffer.append(html)
            self.emit_images()
        elif tag == "table" and _is_layout_table(node):
            self.block(node)  # old pages lay text out in tables: read the cells as blocks
        elif tag in {"tbody", "thead", "tfoot", "tr", "td", "th"}:
            self.block(node)
        elif tag == "table":
            self.table(node)
        elif tag == "figure":
            caption = node.find(lambda n: n.tag == "figcaption")
            for img in (n for n in node.iter() if n.tag == "img"):
                self.image(img, caption=squash(caption.text()) if caption else "")
            self.emit_images()
        elif tag == "hr":
            self.flush()
        else:  # div, section, article, span with blocks inside...
            self.block(node)

    def emit_images_inside(self, node: Node):
        for img in (n for n in node.iter() if n.tag == "img"):
            self.image(img)
        self.emit_images()

    def image(self, node: Node, caption: str = ""):
        src = node.attrs.get("src", "").strip()
        alt = squash(node.attrs.get("alt", ""))
        if not src:
            return
        if not alt:
            self.warnings.append(f"image {src} has no alt text: skipped, an editor must add it with alternative text")
            return
        self.pending_images.append(LegacyImage(src=src, alt=alt[:ALT_MAX], caption=caption[:200]))

    # -- inline HTML
    def inline_children(self, node: Node) -> str:
        return "".join(self.inline(child) for child in node.children)

    def inline(self, node: Node | str) -> str:
        if isinstance(node, str):
            return escape(re.sub(r"\s+", " ", node), quote=False)
        tag = node.tag
        if tag in DROP_TAGS:
            return ""
        if tag == "img":
            self.image(node)
            return ""
        if tag == "br":
            return "<br/>"
        inner = self.inline_children(node)
        if tag in INLINE_TAGS:
            return f"<{INLINE_TAGS[tag]}>{inner}</{INLINE_TAGS[tag]}>" if inner.strip() else inner
        if tag == "a":
            href = self.link(node.attrs.get("href", ""))
            if href and inner.strip():
                return f'<a href="{escape(href)}">{inner}</a>'
            return inner
        if tag in LIST_TAGS:
            return self.list_html(node)
        return inner  # span, font, div inside a paragraph: keep the text only

    def link(self, href: str) -> str:
        href = href.strip()
        if not href or href.startswith("#"):
            return ""
        scheme = urlsplit(href).scheme.lower()
        if scheme in {"mailto", "tel", "http", "https"}:
            return href
        if scheme:
            return ""  # javascript: and friends
        return urljoin(self.legacy_url, href)  # relative legacy links keep working through the redirects

    def list_html(self, node: Node) -> str:
        items = []
        for child in node.children:
            if isinstance(child, Node) and child.tag == "li":
                inner = "".join(
                    self.list_html(c) if isinstance(c, Node) and c.tag in LIST_TAGS else self.inline(c)
                    for c in child.children
                ).strip()
                if inner:
                    items.append(f"<li>{inner}</li>")
        return f"<{node.tag}>{''.join(items)}</{node.tag}>" if items else ""

    def table(self, node: Node):
        rows = [n for n in node.iter() if n.tag == "tr"]
        data = [
            [squash(c.text()) for c in row.children if isinstance(c, Node) and c.tag in {"td", "th"}] for row in rows
        ]
        data = [row for row in data if row]
        if not data:
            return
        width = max(len(row) for row in data)
        data = [row + [""] * (width - len(row)) for row in data]
        first = [c for c in rows[0].children if isinstance(c, Node) and c.tag in {"td", "th"}]
        caption = node.find(lambda n: n.tag == "caption")
        self.add_block(
            "table",
            {
                "data": data,
                "first_row_is_table_header": bool(first) and all(c.tag == "th" for c in first),
                "first_col_is_header": False,
                "table_caption": squash(caption.text())[:255] if caption else "",
            },
        )
        self.emit_images_inside(node)


# Town-specific rules for old municipal sites, on top of the generic ``<main>`` / text-density choice.
CONTENT_IDS = {"contents", "honbun", "main", "content", "article", "main_contents", "maincontents", "main-contents"}
CHROME_IDS = {
    "header",
    "footer",
    "gnav",
    "globalnav",
    "nav",
    "menu",
    "side",
    "sidebar",
    "sidemenu",
    "localnav",
    "lnav",
    "breadcrumb",
    "pankuzu",
    "topicpath",
    "tool",
    "tools",
}
# Rows of the header tool bar and the footer: 文字サイズ / 背景色 switches, "back to top", copyright.
CHROME_TEXT = re.compile(
    r"文字サイズ|文字の大きさ|背景色|ページの(?:先頭|上|トップ)へ|Copyright|©|\(C\)\s*\d{4}|All Rights Reserved",
    re.IGNORECASE,
)
FOOTER_ADDRESS = re.compile(r"〒\s*\d{3}\s*[-－]\s*\d{4}.*(?:電話|TEL|ＴＥＬ)", re.IGNORECASE)
TITLE_SUFFIX = re.compile(r"\s*[｜|│:：]\s*[^｜|│:：]*$|\s+[-–—]\s+[^-–—]*$")
CONTAINER_TAGS = {"td", "th", "div", "table", "tbody", "tr", "body", "section", "article", "center", "font", "span"}


def _is_chrome(node: Node, whole_page: bool) -> bool:
    names = {node.attrs.get("id", "").lower(), *(c.lower() for c in _classes(node))}
    if names & CHROME_IDS:
        return True
    if node.tag == "table":
        return _is_nav_table(node)
    if node.tag not in {"tr", "td", "th", "p", "div", "li"}:
        return False
    text = squash(node.text())
    if len(text) >= 200:
        return False
    # a contact address inside the content is content; in a table layout's last rows it is the footer
    return bool(CHROME_TEXT.search(text) or (whole_page and node.tag in {"tr", "td"} and FOOTER_ADDRESS.search(text)))


def _is_nav_table(table: Node) -> bool:
    """A table of menu links: at least three links and nearly all of its text is link text."""
    links = [n for n in table.iter() if n.tag == "a" and n.attrs.get("href")]
    if len(links) < 3:
        return False
    total = len(squash(table.text()))
    return total > 0 and sum(len(squash(a.text())) for a in links) / total > 0.8


def strip_chrome(node: Node, whole_page: bool = False) -> None:
    """Remove header, menu, tool and footer parts (in place)."""
    kept = []
    for child in node.children:
        if isinstance(child, Node):
            if _is_chrome(child, whole_page):
                continue
            strip_chrome(child, whole_page)
        kept.append(child)
    node.children = kept


def _own_text(node: Node) -> int:
    """Length of the text outside links: menus are nearly all links, the page's text is not."""
    total = 0
    for child in node.children:
        if isinstance(child, str):
            total += len(squash(child))
        elif child.tag not in DROP_TAGS and child.tag != "a":
            total += _own_text(child)
    return total


def _is_layout_table(table: Node) -> bool:
    """A table used for layout, not data: one column, or cells holding paragraphs, headings or tables."""
    rows = [n for n in table.iter() if n.tag == "tr"]
    if not rows:
        return True
    block_tags = {"p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
    for cell in (n for n in table.iter() if n.tag in {"td", "th"}):
        if any(isinstance(d, Node) and d is not cell and d.tag in block_tags for d in cell.iter()):
            return True
    cells = [[c for c in row.children if isinstance(c, Node) and c.tag in {"td", "th"}] for row in rows]
    return max(len(c) for c in cells) <= 1


def content_element(root: Node) -> Node:
    """The element holding the page's own content.

    `<main>`, a container with a known id (contents, honbun, main, content, article), `<article>` or
    `.content`; else, for table layouts, the deepest element holding most of the text that is not in
    links once the chrome is gone.
    """
    for predicate in (
        lambda n: n.tag == "main",
        lambda n: n.attrs.get("id", "").lower() in CONTENT_IDS,
        lambda n: n.tag == "article",
        lambda n: {"content", "contents", "honbun"} & set(_classes(n)),
    ):
        found = root.find(predicate)
        if found is not None:
            strip_chrome(found)
            return found
    body = root.find(lambda n: n.tag == "body") or root
    strip_chrome(body, whole_page=True)
    total = _own_text(body)
    best, best_depth = body, 0
    for node, depth in _walk_depth(body, 0):
        if node.tag in CONTAINER_TAGS and depth > best_depth and total and _own_text(node) >= 0.7 * total:
            best, best_depth = node, depth
    return best


def _walk_depth(node: Node, depth: int):
    yield node, depth
    for child in node.children:
        if isinstance(child, Node):
            yield from _walk_depth(child, depth + 1)


def clean_title(value: str) -> str:
    """「住民票の写し｜みどり町ホームページ」 → 「住民票の写し」: the site's name is not part of a page's title."""
    value = squash(value)
    stripped = TITLE_SUFFIX.sub("", value)
    return stripped or value


def _is_logo(node: Node, site_names: set[str]) -> bool:
    text = squash(node.text())
    return not text or text in site_names


def page_title(root: Node, content: Node) -> tuple[str, Node | None]:
    """The page's own heading (first h1/h2 of the content, never the logo), else <title> without the site name."""
    title_node = root.find(lambda n: n.tag == "title")
    full = squash(title_node.text()) if title_node else ""
    title = clean_title(full)
    site_names = {full[len(title) :].strip(" ｜|│:：-–—")} - {""}
    for tags in ({"h1"}, {"h2"}):
        heading = content.find(lambda n, tags=tags: n.tag in tags and not _is_logo(n, site_names))
        if heading is not None:
            return squash(heading.text()), heading
    if not title:
        heading = root.find(lambda n: n.tag == "h1" and not _is_logo(n, site_names))
        if heading is not None:
            return squash(heading.text()), None
    return title, None


def find_last_modified(root: Node) -> datetime | None:
    for node in root.iter():
        if node.tag == "meta":
            key = (node.attrs.get("name") or node.attrs.get("http-equiv") or "").lower()
            if key in {"last-modified", "lastmodified", "dcterms.modified", "date"}:
                parsed = parse_date(node.attrs.get("content", ""))
                if parsed:
                    return parsed
    match = UPDATED_RE.search(squash(root.text()))
    return _date_from_match(match) if match else None


def parse_legacy_page(text: str, legacy_url: str) -> LegacyPage:
    root = parse_html(text)
    last_modified = find_last_modified(root)
    content = content_element(root)
    title, heading = page_title(root, content)
    converter = _BodyConverter(title, legacy_url, skip=heading)
    blocks = converter.convert(content)
    return LegacyPage(title=title[:255], blocks=blocks, last_modified=last_modified, warnings=converter.warnings)


# --------------------------------------------------------------------------- site paths


def find_page_by_path(path: str) -> Page | None:
    """The page a site path (e.g. ``/kurashi/juminhyo/``) serves, on the default site first."""
    parts = [unquote(p) for p in urlsplit(path).path.split("/") if p]
    sites = sorted(Site.objects.select_related("root_page"), key=lambda s: not s.is_default_site)
    for site in sites:
        url_path = site.root_page.url_path + "".join(f"{p}/" for p in parts)
        page = Page.objects.filter(url_path=url_path).first()
        if page is not None:
            return page
    return None


def find_parent(value: str) -> Page:
    value = str(value).strip()
    page = Page.objects.filter(pk=int(value)).first() if value.isdigit() else find_page_by_path(value)
    if page is None:
        raise LookupError(f"parent page {value!r} not found")
    return page.specific


def legacy_redirect(old_path: str) -> Redirect | None:
    return Redirect.objects.filter(old_path=old_path, site__isnull=True).select_related("redirect_page").first()


# --------------------------------------------------------------------------- page import


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


DOCUMENT_EXTENSIONS = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".odt",
    ".ods",
    ".odp",
    ".csv",
    ".rtf",
}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
LINK_RE = re.compile(r'<a href="([^"]*)">')
INDEX_NAMES = ("index.html", "index.htm", "default.html", "default.htm")


def own_hosts() -> set[str]:
    """Host names of this site: links to them are internal links, not external ones."""
    hosts = {h.lower() for h in Site.objects.values_list("hostname", flat=True) if h}
    site_url = urlsplit(getattr(settings, "SITE_URL", "") or "").hostname
    if site_url:
        hosts.add(site_url.lower())
    return hosts


@dataclass
class _Prepared:
    file: Path
    legacy: str
    data: LegacyPage
    page: StandardPage
    created: bool
    damaged: bool


class LegacyPageImporter:
    """Import a folder of old pages: every page is found or made first, so links between them can be rewritten.

    A page an editor changed since the last import (its latest revision has a user) is never overwritten.
    """

    def __init__(
        self, folder: Path, parent: Page, base_url: str = "/", dry_run: bool = False, hosts: tuple[str, ...] = ()
    ):
        self.folder = Path(folder).resolve()
        self.parent = parent
        self.base_url = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
        self.dry_run = dry_run
        self.hosts = {h.lower() for h in hosts} | own_hosts()
        self.result = ImportResult()
        self.pages: dict[str, Page] = {}  # legacy path -> its page, for the links of this run
        if not StandardPage.can_exist_under(parent):
            raise ValueError(
                f"a standard page cannot be placed under {parent.title!r} ({parent.specific_class.__name__})"
            )

    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and p.suffix.lower() in {".html", ".htm"})

    def legacy_path(self, file: Path) -> str:
        return self.base_url + file.relative_to(self.folder).as_posix()

    def run(self) -> ImportResult:
        with transaction.atomic():
            prepared = []
            for file in self.files():
                legacy = self.legacy_path(file)
                item = self._guarded(legacy, self.prepare, file, legacy)
                if item:
                    prepared.append(item)
            for item in prepared:
                if self._guarded(item.legacy, self.import_page, item) is False and item.created:
                    item.page.delete()  # no empty page left behind for a file that failed
            if self.dry_run:
                transaction.set_rollback(True)
        return self.result

    def _guarded(self, legacy, step, *args):
        try:
            with transaction.atomic():
                return step(*args)
        except Exception as error:  # one broken file must not stop the others
            self.result.skipped.append(legacy)
            self.result.warnings.append(f"{legacy}: not imported ({error})")
            return False

    def prepare(self, file: Path, legacy: str) -> _Prepared | None:
        """Read and parse one file and find (or make) its page; the body comes once every page exists."""
        decoded = decode_legacy(file.read_bytes())
        for message in decoded.warnings:
            self.result.warnings.append(f"{legacy}: {message}")
        data = parse_legacy_page(decoded.text, legacy)
        for message in data.warnings:
            self.result.warnings.append(f"{legacy}: {message}")
        if not data.title:
            self.result.skipped.append(legacy)
            self.result.warnings.append(f"{legacy}: no <h1> or <title>, skipped")
            return None
        page = None
        redirect = legacy_redirect(Redirect.normalise_path(legacy))
        if redirect and redirect.redirect_page_id:
            specific = redirect.redirect_page.specific
            if isinstance(specific, StandardPage):
                page = specific
            else:
                self.result.warnings.append(
                    f"{legacy}: the redirect pointed to a non-standard page; a new page was made"
                )
        if page is not None:
            self.pages[legacy] = page
            if self.edited_by_staff(page):
                self.result.skipped.append(legacy)
                self.result.warnings.append(
                    f"{legacy}: {page.title!r} was changed by an editor since the last import; not overwritten"
                )
                return None
            if decoded.damaged:
                self.result.skipped.append(legacy)
                self.result.warnings.append(f"{legacy}: damaged file; its page was left as it is")
                return None
            return _Prepared(file, legacy, data, page, created=False, damaged=False)
        page = StandardPage(title=data.title, slug=self.unique_slug(file), body=[], live=False)
        self.parent.add_child(instance=page)
        self.pages[legacy] = page
        return _Prepared(file, legacy, data, page, created=True, damaged=decoded.damaged)

    @staticmethod
    def edited_by_staff(page: Page) -> bool:
        """The importer saves revisions without a user: a revision with one is an editor's work."""
        revision = page.latest_revision
        return revision is not None and revision.user_id is not None

    def import_page(self, item: _Prepared):
        page, legacy, data = item.page, item.legacy, item.data
        last_modified = data.last_modified or datetime.fromtimestamp(item.file.stat().st_mtime, tz=UTC)
        body = self.stream_data(data.blocks, item.file, legacy)
        if item.created:
            page.title, page.body = data.title, body
            if item.damaged:
                page.save_revision()
                self.result.warnings.append(f"{legacy}: saved as a draft for an editor to check, not published")
            else:
                self.publish(page, last_modified, created=True)
            self.result.created.append(legacy)
        else:
            current = [{"type": b["type"], "value": b["value"]} for b in page.body.raw_data]
            unchanged = page.title == data.title and current == body and page.live
            if unchanged and page.last_published_at == last_modified:
                self.result.skipped.append(legacy)
                return
            page.title = data.title
            page.body = body
            self.publish(page, last_modified, created=False)
            self.result.updated.append(legacy)
        old_paths = [legacy]
        folder, _, name = legacy.rpartition("/")
        if name.lower() in INDEX_NAMES and folder:
            old_paths.append(folder + "/")  # /bousai/ answered like /bousai/index.html
        for old_path in old_paths:
            self.redirect(Redirect.normalise_path(old_path), page=page)

    @staticmethod
    def redirect(old_path: str, page: Page | None = None, link: str = ""):
        redirect = Redirect.objects.filter(old_path=old_path, site__isnull=True).first() or Redirect(
            old_path=old_path, site=None
        )
        redirect.redirect_page = page
        redirect.redirect_link = link
        redirect.is_permanent = True
        redirect.save()

    def publish(self, page: StandardPage, last_modified: datetime, created: bool):
        page.save_revision().publish()
        first = last_modified if created or not page.first_published_at else min(page.first_published_at, last_modified)
        StandardPage.objects.filter(pk=page.pk).update(first_published_at=first, last_published_at=last_modified)
        page.first_published_at, page.last_published_at = first, last_modified

    def unique_slug(self, file: Path) -> str:
        parts = list(file.relative_to(self.folder).with_suffix("").parts)
        if len(parts) > 1 and parts[-1].lower() in {"index", "default"}:
            parts.pop()
        base = slugify("-".join(parts), allow_unicode=True)[:200] or "page"
        siblings = set(self.parent.get_children().values_list("slug", flat=True))
        slug, n = base, 2
        while slug in siblings:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def stream_data(self, blocks, file: Path, legacy: str) -> list[dict]:
        data = []
        for kind, value in blocks:
            if kind == "image":
                image = self.local_image(value, file, legacy)
                if image is None:
                    continue
                value = {"image": image.pk, "alt": value.alt, "caption": value.caption}
            elif kind == "paragraph":
                value = LINK_RE.sub(
                    lambda match: self.link_tag(unescape(match.group(1)), legacy) or match.group(0), value
                )
            data.append({"type": kind, "value": value})
        return data

    # -- links
    def link_tag(self, href: str, legacy: str) -> str | None:
        """The new opening tag for a link to an imported page or file; None keeps the link as it is."""
        parts = urlsplit(href)
        if parts.scheme and parts.scheme.lower() not in {"http", "https"}:
            return None
        if parts.netloc and (parts.hostname or "").lower() not in self.hosts:
            return None  # another site
        path = unquote(parts.path) or "/"
        page = self.page_for(path)
        if page is not None:
            return f'<a linktype="page" id="{page.pk}">'
        suffix = PurePosixPath(path).suffix.lower()
        if suffix in DOCUMENT_EXTENSIONS | IMAGE_EXTENSIONS:
            local = self.local_path(path)
            if local is None:
                self.result.warnings.append(f"{legacy}: linked file {href} not found in the imported folder")
            elif not self.dry_run:
                if suffix in DOCUMENT_EXTENSIONS:
                    document = self.document(local)
                    self.redirect(Redirect.normalise_path(path), link=document.url)
                    return f'<a linktype="document" id="{document.pk}">'
                image = self.image_file(local, title=local.name)
                self.redirect(Redirect.normalise_path(path), link=image.file.url)
                return f'<a href="{escape(image.file.url)}">'
        if parts.netloc:  # the old site's own host: keep the path, answered by the redirects
            relative = parts._replace(scheme="", netloc="").geturl() or "/"
            return f'<a href="{escape(relative)}">'
        return None

    def page_for(self, path: str) -> Page | None:
        candidates = [path + name for name in INDEX_NAMES] if path.endswith("/") else [path]
        for candidate in candidates:
            if candidate in self.pages:
                return self.pages[candidate]
            redirect = legacy_redirect(Redirect.normalise_path(candidate))
            if redirect is not None and redirect.redirect_page_id:
                return redirect.redirect_page
        return None

    def local_path(self, path: str) -> Path | None:
        """The file under the imported folder that a site-absolute legacy path names."""
        if not path.startswith(self.base_url):
            return None
        local = (self.folder / path[len(self.base_url) :]).resolve()
        return local if local.is_relative_to(self.folder) and local.is_file() else None

    def document(self, local: Path):
        model = get_document_model()
        with local.open("rb") as handle:
            file_hash = hash_filelike(handle)
            existing = model.objects.filter(file_hash=file_hash).first()
            if existing is not None:
                return existing
            handle.seek(0)
            document = model(title=local.name, file=File(handle, name=local.name))
            document.file_hash = file_hash
            document.file_size = local.stat().st_size
            document.save()
        return document

    def image_file(self, local: Path, title: str):
        image_model = get_image_model()
        with local.open("rb") as handle:
            file_hash = hash_filelike(handle)
            existing = image_model.objects.filter(file_hash=file_hash).first()
            if existing is not None:
                return existing
            handle.seek(0)
            image = image_model(title=title[:255], file=ImageFile(handle, name=local.name))
            image.file_hash = file_hash
            image.save()
        return image

    def local_image(self, legacy_image: LegacyImage, file: Path, legacy: str):
        src = legacy_image.src
        parsed = urlsplit(src)
        if parsed.scheme or parsed.netloc:
            self.result.warnings.append(f"{legacy}: image {src} is not a local file; not downloaded")
            return None
        path = unquote(parsed.path)
        if path.startswith("/"):
            if not path.startswith(self.base_url):
                self.result.warnings.append(f"{legacy}: image {src} is outside the imported folder; skipped")
                return None
            local = self.folder / path[len(self.base_url) :]
        else:
            local = file.parent / path
        local = local.resolve()
        if not local.is_relative_to(self.folder) or not local.is_file():
            self.result.warnings.append(f"{legacy}: image {src} not found in the imported folder; skipped")
            return None
        if self.dry_run:
            return _DryRunImage()
        return self.image_file(local, title=legacy_image.alt)


class _DryRunImage:
    pk = None


# Labels old pages declare, mapped to the codec browsers really use for them: "Shift_JIS" pages were
# written on Windows and hold cp932 characters (① 髙 﨑, and ～ － as fullwidth forms).
_CODECS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "windows-31j": "cp932",
    "cp932": "cp932",
    "euc-jp": "euc_jp",
    "euc_jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "eucjp": "euc_jp",
    "cp51932": "euc_jp",
    "euc_jis_2004": "euc_jp",
    "iso-2022-jp": "iso2022_jp",
    "iso2022_jp": "iso2022_jp",
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf_8": "utf-8",
}
# EUC-JP pages made on Windows carry the NEC row-13 characters (①): JIS X 0213 has them at the same codes.
_FALLBACK = {"euc_jp": ["euc_jis_2004"], "cp932": [], "iso2022_jp": ["iso2022_jp_ext"], "utf-8": []}
_DECLARED = re.compile(rb"""(?:encoding|charset)\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)

    @property
    def damaged(self) -> bool:
        return any("damaged" in w for w in self.warnings)


def decode_legacy(raw: bytes) -> Decoded:
    """Decode an old page: a BOM, then the declared charset (XML declaration or meta), then detection.

    Bytes that do not fit the encoding (a file cut off by a broken upload, a wrong declaration) are
    replaced by U+FFFD and reported, never published silently as mojibake.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return _decode_as(raw[3:], "utf-8")
    match = _DECLARED.search(raw[:4096])
    declared = match.group(1).decode("ascii").lower() if match else ""
    codec = _CODECS.get(declared)
    if codec is None:
        codec = _detect(raw)
    return _decode_as(raw, codec, declared=declared)


def _detect(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # Left alone, short Japanese EUC text is often taken for Korean: only Japanese codecs compete.
    best = from_bytes(raw, cp_isolation=["cp932", "euc_jp", "euc_jis_2004", "iso2022_jp"]).best()
    return _CODECS.get(best.encoding, "cp932") if best else "cp932"


def _decode_as(raw: bytes, codec: str, declared: str = "") -> Decoded:
    for candidate in [codec, *_FALLBACK.get(codec, [])]:
        try:
            return Decoded(raw.decode(candidate), codec)
        except UnicodeDecodeError:
            continue
    if declared and codec != "utf-8":
        try:  # a page saved as UTF-8 that still declares its old charset
            return Decoded(raw.decode("utf-8"), "utf-8", [f"declares {declared} but is UTF-8"])
        except UnicodeDecodeError:
            pass
    text = raw.decode(codec, errors="replace")
    count = text.count("\ufffd")
    return Decoded(
        text,
        codec,
        [f"{count} damaged byte(s) in {codec} replaced by \ufffd (a truncated or corrupted file): check the page"],
    )


# --------------------------------------------------------------------------- redirects CSV

TRUE = {"", "true", "1", "yes", "y", "t", "permanent", "301"}
FALSE = {"false", "0", "no", "n", "f", "temporary", "302"}


@dataclass
class RedirectRow:
    line: int
    old_path: str
    page: Page | None
    link: str
    permanent: bool


class RedirectCsvError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def read_redirect_csv(content: bytes, hosts: tuple[str, ...] = ()) -> list[RedirectRow]:
    """Validate every row; raise :class:`RedirectCsvError` listing each bad line.

    An http(s) URL on this site's own host (``hosts``, the sites' host names, ``SITE_URL``) is a site
    path: it becomes a page link when a page serves it, and no row may lead back to itself through it.
    """
    hosts = {h.lower() for h in hosts} | own_hosts()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RedirectCsvError([f"the file is not UTF-8 ({error})"]) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [name for name in ("old_path", "new_path") if name not in header]
    if missing:
        raise RedirectCsvError([f"line 1: the header must contain old_path,new_path (missing {', '.join(missing)})"])
    index = {name: header.index(name) for name in ("old_path", "new_path", "permanent") if name in header}
    validate_url = URLValidator(schemes=["http", "https"])
    rows, errors, seen = [], [], {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue

        def get(name, values=values):
            return values[index[name]].strip() if name in index and index[name] < len(values) else ""

        old, new, permanent = get("old_path"), get("new_path"), get("permanent").lower()
        problems = []
        if len(values) > len(header):
            problems.append(f"{len(values)} fields but the header has {len(header)}")
        if not old:
            problems.append("old_path is missing")
        elif not old.startswith("/") or old.startswith("//"):
            problems.append(f'old_path "{old}" must be a site path starting with "/"')
        if permanent not in TRUE | FALSE:
            problems.append(f'permanent "{permanent}" must be true or false')
        page, link = None, ""
        if not new:
            problems.append("new_path is missing")
        elif new.lower().startswith(("http://", "https://")):
            try:
                validate_url(new)
                link = new
            except ValidationError:
                problems.append(f'new_path "{new}" is not a valid http(s) URL')
            else:
                own = _own_site_path(new, hosts)
                page = find_page_by_path(own) if own is not None else None
                link = "" if page is not None else link
        elif new.startswith("/") and not new.startswith("//"):
            page = find_page_by_path(new)
            if page is None:
                problems.append(f'new_path "{new}" is not the path of any page of the site')
        else:
            problems.append(f'new_path "{new}" must be a site path starting with "/" or an http(s) URL')
        if old.startswith("/") and not problems:
            normalised = Redirect.normalise_path(old)
            if len(normalised) > 255:
                problems.append("old_path is longer than 255 characters")
            elif normalised in seen:
                problems.append(f'old_path "{old}" is already on line {seen[normalised]}')
            elif page is not None and normalised == _page_site_path(page):
                problems.append(f'old_path "{old}" redirects to itself')
            seen.setdefault(normalised, line)
            old = normalised
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
        else:
            rows.append(RedirectRow(line, old, page, link, permanent not in FALSE))
    errors += _loops(rows, hosts)
    if errors:
        raise RedirectCsvError(errors)
    return rows


def _own_site_path(url: str, hosts: set[str]) -> str | None:
    """The normalised path of an URL of this site (relative or on one of its hosts); None for other sites."""
    parts = urlsplit(url)
    if parts.netloc and (parts.hostname or "").lower() not in hosts:
        return None
    if not parts.netloc and not url.startswith("/"):
        return None
    return Redirect.normalise_path(parts.path or "/")


def _loops(rows: list[RedirectRow], hosts: set[str]) -> list[str]:
    """Rows that lead back to their own old path, through other rows or saved redirects.

    A chain ends at a path a page serves (redirects answer only what no page answers) or off the site.
    """
    edges: dict[str, str] = {}
    for redirect in Redirect.objects.filter(site__isnull=True, redirect_page__isnull=True):
        target = _own_site_path(redirect.redirect_link, hosts)
        if target is not None:
            edges[redirect.old_path] = target
    for row in rows:
        target = _own_site_path(row.link, hosts) if row.link else None
        if target is None:
            edges.pop(row.old_path, None)
        else:
            edges[row.old_path] = target
    errors = []
    for row in rows:
        chain, current = [row.old_path], edges.get(row.old_path)
        while current is not None and len(chain) <= 50:
            chain.append(current)
            if current == row.old_path:
                errors.append(f"line {row.line}: redirect loop {' → '.join(chain)}")
                break
            if current in chain[:-1] or find_page_by_path(current) is not None:
                break
            current = edges.get(current)
    return errors


def _page_site_path(page: Page) -> str:
    url = page.get_url() or ""
    return Redirect.normalise_path(url) if url else ""


def save_redirects(rows: list[RedirectRow]) -> tuple[int, int]:
    created = updated = 0
    with transaction.atomic():
        for row in rows:
            redirect = Redirect.objects.filter(old_path=row.old_path, site__isnull=True).first()
            if redirect is None:
                redirect, created = Redirect(old_path=row.old_path, site=None), created + 1
            else:
                updated += 1
            redirect.redirect_page = row.page
            redirect.redirect_link = row.link
            redirect.is_permanent = row.permanent
            redirect.save()
    return created, updated
