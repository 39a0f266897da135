"""The header on every page: the main menu from the page tree, and the site search box."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory
from wagtail.models import PageViewRestriction

from cms.demo import publish
from cms.models import IndexPage, StandardPage
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav class="main-menu" aria-label="[^"]+">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="(page|true)")?>([^<]*)</a>')


def menu_links(html: str) -> list[tuple[str, str, str]]:
    """(url, aria-current or "", title) for each link of the main menu."""
    menu = MENU.search(html)
    assert menu, "no main menu"
    return [(url, current, title) for url, _attr, current, title in LINK.findall(menu.group(1))]


def render_menu(page=None, path="/") -> str:
    request = RequestFactory().get(path)
    return Template("{% load cms_tags %}{% main_menu %}").render(Context({"request": request, "page": page}))


def test_menu_lists_live_public_show_in_menus_sections_in_tree_order(client, home):
    kurashi = publish(home, IndexPage(title="くらし・手続き", slug="kurashi", show_in_menus=True))
    publish(home, IndexPage(title="観光", slug="kanko"))  # not in menus
    publish(home, IndexPage(title="子育て・教育", slug="kosodate", show_in_menus=True))
    draft = IndexPage(title="準備中", slug="draft", show_in_menus=True, live=False)
    home.add_child(instance=draft)
    private = publish(home, IndexPage(title="職員向け", slug="staff", show_in_menus=True))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    publish(kurashi, StandardPage(title="住民票", slug="juminhyo", show_in_menus=True))  # not a section
    publish(home, IndexPage(title="健康・福祉", slug="kenko", show_in_menus=True))

    links = menu_links(client.get("/").content.decode())

    assert links == [
        ("/kurashi/", "", "くらし・手続き"),
        ("/kosodate/", "", "子育て・教育"),
        ("/kenko/", "", "健康・福祉"),
    ]


def test_menu_is_a_disclosure_with_a_translated_label(client, home):
    publish(home, IndexPage(title="くらし・手続き", slug="kurashi", show_in_menus=True))
    # Not a town page, whose URL would decide its language (cms.languages): the browser's language counts here.
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    menu = MENU.search(body).group(0)
    assert '<nav class="main-menu" aria-label="Main menu">' in menu
    assert '<details class="main-menu__details">' in menu
    assert '<summary class="main-menu__toggle">Menu</summary>' in menu


def test_current_section_is_marked(client, home):
    kurashi = publish(home, IndexPage(title="くらし・手続き", slug="kurashi", show_in_menus=True))
    publish(home, IndexPage(title="子育て・教育", slug="kosodate", show_in_menus=True))
    juminhyo = publish(kurashi, StandardPage(title="住民票", slug="juminhyo"))

    assert menu_links(client.get("/kurashi/").content.decode()) == [
        ("/kurashi/", "page", "くらし・手続き"),
        ("/kosodate/", "", "子育て・教育"),
    ]
    assert menu_links(client.get(juminhyo.url).content.decode()) == [
        ("/kurashi/", "true", "くらし・手続き"),
        ("/kosodate/", "", "子育て・教育"),
    ]
    assert all(current == "" for _url, current, _title in menu_links(client.get("/").content.decode()))


def test_no_menu_when_no_page_is_in_menus(client, home):
    publish(home, IndexPage(title="くらし・手続き", slug="kurashi"))
    assert 'class="main-menu"' not in client.get("/").content.decode()


@pytest.mark.parametrize("sections", [5, 15])
def test_menu_query_count_does_not_grow_with_the_sections(home, sections, django_assert_max_num_queries):
    for n in range(sections):
        section = publish(home, IndexPage(title=f"分野{n}", slug=f"section-{n}", show_in_menus=True))
        publish(section, StandardPage(title=f"ページ{n}", slug=f"page-{n}", show_in_menus=True))
    page = StandardPage.objects.get(slug="page-3")
    path = page.url

    # The site lookup (cached on the request), the view restrictions and the pages.
    with django_assert_max_num_queries(3):
        html = render_menu(page, path)

    assert html.count("<li>") == sections
    assert '<a href="/section-3/" aria-current="true">分野3</a>' in html


def test_menu_without_a_request_renders_nothing():
    assert "main-menu" not in Template("{% load cms_tags %}{% main_menu %}").render(Context({}))


SEARCH_FORM = re.compile(r'<form class="site-search" role="search" action="/search/" method="get">(.*?)</form>', re.S)


def assert_search_form(html: str) -> None:
    form = SEARCH_FORM.search(html)
    assert form, "no site search form"
    assert '<label for="site-search-q">' in form.group(1)
    assert re.search(r'<input id="site-search-q" type="search" name="q"[ >]', form.group(1))


def test_search_form_is_in_the_header_of_every_kind_of_page(client):
    call_command("load_demo", stdout=io.StringIO())
    for path in ["/", "/kurashi/juminhyo/", "/accounts/login/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_search_form(response.content.decode())

    client.force_login(UserFactory())
    response = client.get("/my/")
    assert response.status_code == 200
    assert_search_form(response.content.decode())


def test_search_form_label_is_translated(client, home):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<label for="site-search-q">Search the site</label>' in html
