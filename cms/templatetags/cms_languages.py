"""Template tags for the site's languages: the switcher, hreflang alternates, html lang, furigana."""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from wagtail.models import Page, Site

from cms import languages

register = template.Library()


def _current_page(context) -> Page | None:
    page = context.get("page")
    return page if isinstance(page, Page) and page.pk else None


@register.inclusion_tag("cms/includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """On a town page, links to the page in each language (no form, so pages can be cached);
    elsewhere the form that sets the language cookie."""
    request = context.get("request")
    page = _current_page(context)
    if page is not None:
        return {"links": languages.language_links(page, request)}
    current = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "choices": [
            {
                "code": code,
                "name": languages.local_name(code),
                "lang": languages.html_lang(code),
                "selected": code == current,
            }
            for code, _name in settings.LANGUAGES
        ],
    }


@register.inclusion_tag("cms/includes/alternate_links.html", takes_context=True)
def alternate_links(context):
    """``<link rel="alternate" hreflang>`` for every live translation of the current page, and x-default."""
    page = _current_page(context)
    return {"alternates": languages.alternates(page, context.get("request")) if page is not None else []}


@register.simple_tag(takes_context=True)
def home_url(context) -> str:
    """The home page in the language of the current page (or of the UI elsewhere): /, /en/, …"""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return "/"
    page = _current_page(context)
    if page is not None:  # served under its own language's home page
        return languages.home_path(page.locale.language_code)
    _home, language = languages.localized_home(site)
    return languages.home_path(language)


@register.filter
def html_lang(language_code: str) -> str:
    """``{{ LANGUAGE_CODE|html_lang }}``: ``ja`` for easy Japanese, which screen readers need."""
    return languages.html_lang(language_code or settings.LANGUAGE_CODE)


@register.filter
def open_graph_locale(language_code: str) -> str:
    return languages.OPEN_GRAPH_LOCALES.get(language_code, "ja_JP")


# 漢字（かんじ） or 漢字(かんじ): a run of kanji followed by its reading in kana, in brackets.
RUBY_RE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ]+)[（(]([\u3041-\u309f\u30a0-\u30ffー]+)[）)]")
TAG_RE = re.compile(r"(<[^>]*>)")


def add_ruby(html: str) -> str:
    """Readings written as 漢字（かんじ） become ``<ruby>漢字<rp>（</rp><rt>かんじ</rt><rp>）</rp></ruby>``.

    Only in text between HTML tags (never inside an attribute), and only kanji directly followed
    by kana in brackets, so other brackets stay as they are. The ``rp`` brackets keep the reading
    readable where ruby is not shown. ``html`` must already be safe HTML.
    """
    parts = TAG_RE.split(html)
    for i in range(0, len(parts), 2):  # the text between tags
        parts[i] = RUBY_RE.sub(r"<ruby>\1<rp>（</rp><rt>\2</rt><rp>）</rp></ruby>", parts[i])
    return "".join(parts)


@register.filter(needs_autoescape=True)
def furigana_on(html: str, page, autoescape: bool = True) -> str:
    """``{% filter furigana_on:page %}``: on an easy-Japanese page, readings in brackets become furigana.

    Editors of easy-Japanese pages write 漢字（かんじ） in titles, summaries and text; other pages
    are left exactly as they are.
    """
    language = getattr(getattr(page, "locale", None), "language_code", None)
    if language != languages.EASY_JAPANESE:
        return html
    escaped = conditional_escape(html) if autoescape else str(html)
    return mark_safe(add_ruby(escaped))  # noqa: S308 - escaped above; only ruby tags are added
