"""The embedded defaults behind the README's Quick start."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import Page, Site

from cms.models import HomePage
from portal.models import District, HouseholdMember, User

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.sqlite
def test_no_environment_means_sqlite_in_process_tasks_and_console_mail(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST"}
    }
    env["PORTAL_VAR_DIR"] = str(tmp_path)
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, "
        "s.CACHES['default']['BACKEND'], s.LANGUAGE_CODE, s.TIME_ZONE, s.DEBUG]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    engine, eager, backend, cache, language, tz, debug = json.loads(out.stdout)
    assert engine == "django.db.backends.sqlite3"
    assert eager is True
    assert backend == "django.core.mail.backends.console.EmailBackend"
    assert cache.endswith("FileBasedCache"), "shared by every process, unlike a local-memory cache"
    assert (language, tz, debug) == ("ja", "Asia/Tokyo", True)


@pytest.mark.sqlite
@pytest.mark.django_db
def test_demo_content_serves_the_portal_and_can_be_loaded_again(capsys):
    call_command("load_demo")
    call_command("load_demo")
    printed = capsys.readouterr().out
    assert "resident@example.jp" in printed and "staff@example.jp" in printed
    # One home page, and its English and easy-Japanese translations (cms.demo_translations).
    assert sorted(HomePage.objects.values_list("locale__language_code", flat=True)) == ["en", "ja", "ja-x-easy"]
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert District.objects.count() >= 10
    resident = User.objects.get(email="resident@example.jp")
    assert HouseholdMember.objects.filter(household__owner=resident).count() == 1
    assert User.objects.get(email="staff@example.jp").groups.filter(name="広報").exists()

    client = Client()
    pages = Page.objects.live().filter(depth__gt=1).specific()
    assert len(pages) >= 20, "a realistic town site: sections, departments, procedures, news, events"
    for page in pages:
        assert client.get(page.url).status_code == 200, page.url
    home = client.get("/")
    assert home.status_code == 200
    assert "みどり町ポータル" in home.content.decode()
    assert client.get("/accounts/signup/").status_code == 200
    assert client.get("/healthz").status_code == 200
    password = printed.rsplit("resident@example.jp / ", 1)[1].split()[0]  # the latest run's
    assert client.login(email="resident@example.jp", password=password)
    assert "町田 太郎" in client.get("/my/").content.decode()


@pytest.mark.django_db
def test_sitemap_lists_public_pages_and_robots_points_to_it(client, settings):
    settings.SITE_URL = "https://portal.example.jp"
    call_command("load_demo", stdout=io.StringIO())
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://portal.example.jp/kurashi/juminhyo/</loc>" in sitemap
    assert "localhost" not in sitemap
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("portal.example.jp", 443), "the demo's Site record follows SITE_URL"
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: https://portal.example.jp/sitemap.xml" in robots
    assert "Disallow: /my/" in robots
