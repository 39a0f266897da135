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
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
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

    def __init__(self, title: str, legacy_url: str):
        self.title = title
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
        if tag in DROP_TAGS:
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


def content_element(root: Node) -> Node:
    """`<main>`, else #content / #main / .content, else <body>, else the whole document."""
    for predicate in (
        lambda n: n.tag == "main",
        lambda n: n.attrs.get("id") in {"content", "main"},
        lambda n: "content" in _classes(n),
        lambda n: n.tag == "body",
    ):
        found = root.find(predicate)
        if found is not None:
            return found
    return root


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
    h1 = root.find(lambda n: n.tag == "h1" and squash(n.text()))
    title_node = root.find(lambda n: n.tag == "title")
    title = squash(h1.text()) if h1 else squash(title_node.text()) if title_node else ""
    converter = _BodyConverter(title, legacy_url)
    blocks = converter.convert(content_element(root))
    return LegacyPage(
        title=title[:255], blocks=blocks, last_modified=find_last_modified(root), warnings=converter.warnings
    )


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


class LegacyPageImporter:
    def __init__(self, folder: Path, parent: Page, base_url: str = "/", dry_run: bool = False):
        self.folder = Path(folder).resolve()
        self.parent = parent
        self.base_url = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
        self.dry_run = dry_run
        self.result = ImportResult()
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
            for file in self.files():
                legacy = self.legacy_path(file)
                try:
                    with transaction.atomic():
                        self.import_file(file, legacy)
                except Exception as error:  # one broken file must not stop the others
                    self.result.skipped.append(legacy)
                    self.result.warnings.append(f"{legacy}: not imported ({error})")
            if self.dry_run:
                transaction.set_rollback(True)
        return self.result

    def import_file(self, file: Path, legacy: str):
        raw = file.read_bytes()
        text = _decode(raw)
        page_data = parse_legacy_page(text, legacy)
        for message in page_data.warnings:
            self.result.warnings.append(f"{legacy}: {message}")
        if not page_data.title:
            self.result.skipped.append(legacy)
            self.result.warnings.append(f"{legacy}: no <h1> or <title>, skipped")
            return
        last_modified = page_data.last_modified or datetime.fromtimestamp(file.stat().st_mtime, tz=UTC)
        body = self.stream_data(page_data.blocks, file, legacy)

        old_path = Redirect.normalise_path(legacy)
        redirect = legacy_redirect(old_path)
        page = None
        if redirect and redirect.redirect_page_id:
            specific = redirect.redirect_page.specific
            if isinstance(specific, StandardPage):
                page = specific
            else:
                self.result.warnings.append(
                    f"{legacy}: the redirect pointed to a non-standard page; a new page was made"
                )

        if page is None:
            page = StandardPage(title=page_data.title, slug=self.unique_slug(file), body=body)
            self.parent.add_child(instance=page)
            self.publish(page, last_modified, created=True)
            self.result.created.append(legacy)
        else:
            current = [{"type": b["type"], "value": b["value"]} for b in page.body.raw_data]
            unchanged = page.title == page_data.title and current == body and page.live
            if unchanged and page.last_published_at == last_modified:
                self.result.skipped.append(legacy)
                return
            page.title = page_data.title
            page.body = body
            self.publish(page, last_modified, created=False)
            self.result.updated.append(legacy)

        if redirect is None:
            redirect = Redirect(old_path=old_path, site=None)
        redirect.redirect_page = page
        redirect.redirect_link = ""
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
            data.append({"type": kind, "value": value})
        return data

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
        image_model = get_image_model()
        with local.open("rb") as handle:
            file_hash = hash_filelike(handle)
            existing = image_model.objects.filter(file_hash=file_hash).first()
            if existing is not None:
                return existing
            image = image_model(title=legacy_image.alt[:255], file=ImageFile(handle, name=local.name))
            image.file_hash = file_hash
            image.save()
        return image


class _DryRunImage:
    pk = None


def _decode(raw: bytes) -> str:
    """Legacy municipal pages are often Shift_JIS or EUC-JP; honour the declared charset."""
    head = raw[:2048].decode("ascii", errors="ignore")
    match = re.search(r"charset=[\"']?([A-Za-z0-9_\-]+)", head)
    encodings = [match.group(1)] if match else []
    for encoding in [*encodings, "utf-8-sig", "cp932", "euc_jp"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", errors="replace")


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


def read_redirect_csv(content: bytes) -> list[RedirectRow]:
    """Validate every row; raise :class:`RedirectCsvError` listing each bad line."""
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
    if errors:
        raise RedirectCsvError(errors)
    return rows


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
