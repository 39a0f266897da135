"""The homepage renewal's importers: legacy HTML pages, their redirects, a redirects CSV, and the 404 page."""

from __future__ import annotations

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model

from cms.demo import publish
from cms.models import IndexPage, StandardPage

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "fixtures" / "legacy"


@pytest.fixture
def section(home):
    return publish(home, IndexPage(title="くらし・手続き", slug="kurashi"))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def legacy(tmp_path):
    """A copy of the legacy site with a real PNG next to its pages (and one without alt text)."""
    folder = tmp_path / "legacy"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns("*.csv"))
    (folder / "img").mkdir()
    PILImage.new("RGB", (40, 30), (10, 120, 60)).save(folder / "img" / "chosha.png")
    PILImage.new("RGB", (20, 20), (200, 0, 0)).save(folder / "kurashi" / "gomi" / "chart.png")
    return folder


def run_import(folder, parent, *extra):
    out, err = StringIO(), StringIO()
    call_command("import_legacy_pages", str(folder), "--parent", str(parent), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def local_date(value):
    return timezone.localtime(value).date()


def test_import_creates_pages_with_content_images_dates_and_redirects(client, section, legacy):
    out, err = run_import(legacy, section.pk)
    assert "created 3, updated 0, skipped 0" in out
    assert "chart.png has no alt text" in err

    pages = {page.title: page for page in StandardPage.objects.child_of(section).specific()}
    assert set(pages) == {"企画課のご案内", "ごみの出し方", "住民票の写しの請求"}

    kikaku = pages["企画課のご案内"]
    types = [block.block_type for block in kikaku.body]
    assert types == ["paragraph", "heading", "paragraph", "image"]
    raw = str(kikaku.body.raw_data[0]["value"]) + str(kikaku.body.raw_data[2]["value"])
    assert "<strong>総合計画</strong>" in raw
    assert "style=" not in raw and "secret-tracker" not in raw and "alert" not in raw
    # issue 12: links between imported pages now point at the new pages (they used to keep the legacy path)
    assert f'<a linktype="page" id="{pages["ごみの出し方"].pk}">' in raw, "links between imported pages are rewritten"
    assert kikaku.body[1].value["text"] == "担当業務"
    image_block = kikaku.body[3].value
    assert image_block["alt"] == "みどり町役場の庁舎"
    assert image_block["image"].width == 40
    assert local_date(kikaku.last_published_at) == date(2022, 11, 15)
    assert local_date(kikaku.first_published_at) == date(2022, 11, 15)

    gomi = pages["ごみの出し方"]
    assert [block.block_type for block in gomi.body] == ["paragraph", "heading", "table"]
    assert local_date(gomi.last_published_at) == date(2023, 4, 1)
    assert gomi.body[2].value["first_row_is_table_header"] is True
    assert not any(b.block_type == "image" for b in gomi.body), "an image without alt text is left for an editor"

    juminhyo = pages["住民票の写しの請求"]
    assert local_date(juminhyo.last_published_at) == date(2024, 3, 5)
    assert get_image_model().objects.count() == 1

    page_html = client.get(kikaku.url).content.decode()
    assert "総合計画" in page_html
    assert "secret-tracker" not in page_html and "メニュー項目" not in page_html and "Copyright" not in page_html
    assert 'alt="みどり町役場の庁舎"' in page_html
    assert f'href="{pages["ごみの出し方"].url}"' in page_html

    response = client.get("/soshiki/kikaku/1234.html")
    assert response.status_code == 301
    assert response["Location"] == kikaku.url
    assert client.get(response["Location"]).status_code == 200
    gomi_response = client.get("/kurashi/gomi/index.html")
    assert gomi_response.status_code == 301 and gomi_response["Location"] == gomi.url


def test_reimport_updates_the_same_pages_without_duplicates(section, legacy):
    run_import(legacy, section.pk)
    pages, redirects, images = StandardPage.objects.count(), Redirect.objects.count(), get_image_model().objects.count()
    kikaku = Redirect.objects.get(old_path="/soshiki/kikaku/1234.html").redirect_page

    out, _ = run_import(legacy, section.url_path.removeprefix("/midori"))
    assert "created 0, updated 0, skipped 3" in out

    page_file = legacy / "soshiki" / "kikaku" / "1234.html"
    page_file.write_text(page_file.read_text().replace("総合計画", "地域振興計画"), encoding="utf-8")
    out, _ = run_import(legacy, section.pk)
    assert "created 0, updated 1, skipped 2" in out
    assert (StandardPage.objects.count(), Redirect.objects.count(), get_image_model().objects.count()) == (
        pages,
        redirects,
        images,
    )
    kikaku = StandardPage.objects.get(pk=kikaku.pk)
    assert "地域振興計画" in str(kikaku.body.raw_data[0]["value"])
    assert local_date(kikaku.last_published_at) == date(2022, 11, 15)


def test_dry_run_saves_nothing(section, legacy):
    out, _ = run_import(legacy, section.pk, "--dry-run")
    assert "created 3" in out and "dry run" in out
    assert StandardPage.objects.count() == 0
    assert Redirect.objects.count() == 0
    assert get_image_model().objects.count() == 0


def test_base_url_prefixes_the_legacy_paths(client, section, legacy):
    run_import(legacy, section.pk, "--base-url", "/old-site/")
    assert Redirect.objects.filter(old_path="/old-site/kurashi/juminhyo.html").exists()
    assert client.get("/old-site/kurashi/juminhyo.html").status_code == 301


def test_unknown_parent_is_refused(home, legacy):
    with pytest.raises(CommandError, match="not found"):
        run_import(legacy, "/no-such-section/")


def test_redirect_csv_points_to_pages_and_external_urls(client, home):
    gomi = publish(home, StandardPage(title="ごみ", slug="gomi"))
    out = StringIO()
    call_command("import_redirects", str(FIXTURES / "redirects.csv"), stdout=out)
    assert "created 3, updated 0" in out.getvalue()

    response = client.get("/kurashi/old-gomi.html")
    assert response.status_code == 301 and response["Location"] == gomi.url
    assert client.get(response["Location"]).status_code == 200
    external = client.get("/link/kenmin.html")
    assert external.status_code == 301 and external["Location"] == "https://www.pref.example.jp/kenmin/"
    assert client.get("/tmp/campaign.html").status_code == 302

    call_command("import_redirects", str(FIXTURES / "redirects.csv"), stdout=StringIO())
    assert Redirect.objects.count() == 3


def test_redirect_csv_with_bom_updates_existing_redirects(client, home, tmp_path):
    publish(home, StandardPage(title="ごみ", slug="gomi"))
    target = publish(home, StandardPage(title="子育て", slug="kosodate"))
    Redirect.objects.create(old_path="/kurashi/old-gomi.html", redirect_link="https://example.jp/", is_permanent=False)
    csv_file = tmp_path / "bom.csv"
    csv_file.write_text("old_path,new_path\n/kurashi/old-gomi.html,/kosodate\n", encoding="utf-8-sig")
    call_command("import_redirects", str(csv_file), stdout=StringIO())
    redirect = Redirect.objects.get()
    assert redirect.redirect_page_id == target.pk and redirect.redirect_link == "" and redirect.is_permanent


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("kurashi/old.html,/gomi/", 'must be a site path starting with "/"'),
        ("/old.html,", "new_path is missing"),
        ("/old.html,/no-such-page/", "not the path of any page"),
        ("/old.html,https://exa mple", "not a valid http(s) URL"),
    ],
)
def test_malformed_redirect_csv_saves_nothing(home, tmp_path, row, reason):
    publish(home, StandardPage(title="ごみ", slug="gomi"))
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(f"old_path,new_path\n/good.html,/gomi/\n{row}\n/also-good.html,/gomi/\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_redirects", str(csv_file), stdout=StringIO(), stderr=StringIO())
    assert "line 3" in str(error.value) and reason in str(error.value)
    assert Redirect.objects.count() == 0


def test_missing_page_is_a_404_with_search_form_and_home_link(client, home):
    response = client.get("/soshiki/no-such-page.html")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<form class="search-form" action="/search/" method="get"' in body
    assert 'name="q"' in body and '<label for="not-found-search">' in body
    assert '<a href="/">' in body


def import_csv(tmp_path, text, *extra):
    csv_file = tmp_path / "redirects.csv"
    csv_file.write_text("old_path,new_path\n" + text, encoding="utf-8")
    call_command("import_redirects", str(csv_file), *extra, stdout=StringIO(), stderr=StringIO())


def test_redirect_loop_through_the_sites_own_host_is_refused(home, tmp_path):
    host = "https://www.town.midori.example.jp"
    rows = f"/a.html,{host}/b.html\n/b.html,{host}/a.html\n"
    with pytest.raises(CommandError, match="redirect loop /a.html → /b.html → /a.html"):
        import_csv(tmp_path, rows, "--site-host", "www.town.midori.example.jp")
    assert Redirect.objects.count() == 0


def test_redirect_to_itself_through_site_url_is_refused(home, tmp_path, settings):
    settings.SITE_URL = "https://portal.midori.example.jp"
    with pytest.raises(CommandError, match="line 2: redirect loop /x.html → /x.html"):
        import_csv(tmp_path, "/x.html,https://portal.midori.example.jp/x.html?from=old\n")
    assert Redirect.objects.count() == 0


def test_redirect_loop_through_a_saved_redirect_is_refused(home, tmp_path, settings):
    settings.SITE_URL = "https://portal.midori.example.jp"
    Redirect.objects.create(old_path="/b.html", redirect_link="https://portal.midori.example.jp/a.html")
    with pytest.raises(CommandError, match="redirect loop /a.html → /b.html → /a.html"):
        import_csv(tmp_path, "/a.html,https://portal.midori.example.jp/b.html\n")
    assert Redirect.objects.count() == 1


def test_redirect_to_the_sites_own_url_of_a_page_points_at_the_page(client, home, tmp_path, settings):
    settings.SITE_URL = "https://portal.midori.example.jp"
    gomi = publish(home, StandardPage(title="ごみ", slug="gomi"))
    import_csv(tmp_path, "/old-gomi.html,https://portal.midori.example.jp/gomi/\n")
    redirect = Redirect.objects.get()
    assert redirect.redirect_page_id == gomi.pk and redirect.redirect_link == ""
    assert client.get("/old-gomi.html")["Location"] == gomi.url
