"""Every page a visitor or a resident reaches by links from the home page is valid HTML.

The demo town (``load_demo``) is crawled by following links from ``/`` (and, signed in, from
``/my/``), as a resident meets the site: town pages, search, facilities and their calendars, the
lottery, and the resident's own pages. The pages go to the Nu HTML Checker (vnu, the W3C
validator, from the ``vnu-jar`` npm package) in one run; any error fails the test with its page.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from portal.models import User
from tests.crawl import crawl

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
pytestmark = pytest.mark.django_db


def vnu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    files = {}
    for number, (address, body) in enumerate(sorted(pages.items())):
        file = folder / f"page{number:03d}.html"
        file.write_text(body, encoding="utf-8")
        files[file.name] = address
    java = shutil.which("java")
    assert java, "the HTML check needs Java (scripts/test installs default-jre-headless)"
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, sorted(folder.iterdir()))],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]


def test_every_page_reached_from_the_home_page_is_valid_html_for_a_visitor_and_a_resident(tmp_path):
    assert VNU_JAR.exists(), f"{VNU_JAR.relative_to(ROOT)} is missing: npm ci (scripts/test does it)"
    call_command("load_demo", stdout=io.StringIO())

    visitor = crawl(Client(), ["/", "/search/?q=体育館"])  # the header's search box is a form
    resident = Client()
    resident.force_login(User.objects.get(email="resident@example.jp"))
    signed_in = crawl(resident, ["/my/", "/", "/search/?q=施設予約"])

    # The crawl reaches the services, not only the town pages.
    for expected in ("/facilities/", "/facilities/lottery/", "/kurashi/", "/sitemap/", "/en/"):
        assert any(address.startswith(expected) for address in visitor), f"{expected} not reached by links"
    assert any(address.startswith("/my/safety/") for address in signed_in)
    assert any(address.startswith("/my/reservations/") for address in signed_in)

    (tmp_path / "visitor").mkdir()
    (tmp_path / "resident").mkdir()
    errors = vnu_errors(visitor, tmp_path / "visitor") + vnu_errors(signed_in, tmp_path / "resident")
    assert errors == [], f"{len(errors)} HTML error(s) in {len(visitor)} + {len(signed_in)} pages:\n" + "\n".join(
        errors[:40]
    )
