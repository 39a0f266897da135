"""Crawl the site by its links, as a resident meets it (tests/test_html_valid.py, tests/test_pages_browser.py)."""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.test import Client

HREF = re.compile(r'href="([^"#]*)')
#: Not pages, or pages that change something or belong to the staff.
SKIP_PREFIXES = ("/admin", "/static", "/media", "/documents", "/accounts/logout", "/i18n", "/mail/unsubscribe")
SKIP_SUFFIXES = (".ics", ".xml", ".txt", ".ico", ".svg", ".png", ".jpg", ".pdf", ".css", ".js")
#: A calendar links every day and month: two variants of one address are enough.
QUERY_VARIANTS = 2
MAX_PAGES = 160


def crawl(client: Client, starts: list[str]) -> dict[str, str]:
    """Follow links from ``starts``; returns address → HTML of every page that answered 200 with HTML."""
    pages: dict[str, str] = {}
    queue, seen, variants = list(starts), set(starts), Counter()
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[path] = body
        for href in HREF.findall(body):
            url = urlsplit(urljoin("http://testserver" + path, html.unescape(href)))
            if url.netloc not in ("testserver", urlsplit(settings.SITE_URL).netloc) or not url.path:
                continue
            if url.path.startswith(SKIP_PREFIXES) or url.path.endswith(SKIP_SUFFIXES) or "feed" in url.path:
                continue
            if any(word in url.path for word in ("delete", "revoke", "cancel", "withdraw")):
                continue  # confirmation pages are reached from the detail pages' own tests
            address = url.path + (f"?{url.query}" if url.query else "")
            if address in seen or (url.query and variants[url.path] >= QUERY_VARIANTS):
                continue
            variants[url.path] += bool(url.query)
            seen.add(address)
            queue.append(address)
    return pages
