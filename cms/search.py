"""Site search for Japanese text (interim).

Japanese has no spaces between words, so a word-based full-text index does not find
"子育て" inside "子育て支援センター". Until the trigram index of the homepage issue lands,
search matches the query as a substring of titles, summaries and search descriptions,
which is exact for Japanese and fast enough for a town site of a few thousand pages.
Title matches rank first, then the most recently updated.
"""

from __future__ import annotations

from django.db.models import Q
from wagtail.models import Page

from cms.models import CONTENT_PAGES

MAX_QUERY_LENGTH = 100


def _models_with_intro():
    from django.apps import apps

    labels = {*CONTENT_PAGES, "cms.DepartmentPage", "cms.NewsPage", "cms.EventPage"}
    return [apps.get_model(label) for label in sorted(labels)]


def search_pages(query: str) -> list[Page]:
    """Live, public pages whose title, summary or description contains every word of ``query``."""
    words = query.split()[:5]
    if not words:
        return []
    live = Page.objects.live().public().filter(depth__gt=1)
    title_q = Q()
    for word in words:
        title_q &= Q(title__icontains=word)
    title_ids = list(live.filter(title_q).values_list("pk", flat=True))
    other_ids: set[int] = set()
    for model in _models_with_intro():
        text_q = Q()
        for word in words:
            text_q &= Q(title__icontains=word) | Q(intro__icontains=word) | Q(search_description__icontains=word)
        other_ids.update(model.objects.live().public().filter(text_q).values_list("pk", flat=True))
    description_q = Q()
    for word in words:
        description_q &= Q(title__icontains=word) | Q(search_description__icontains=word)
    other_ids.update(live.filter(description_q).values_list("pk", flat=True))
    pages = Page.objects.filter(pk__in=set(title_ids) | other_ids).specific()
    title_hits = set(title_ids)

    def rank(page: Page):
        updated = page.last_published_at or page.first_published_at
        return (page.pk not in title_hits, -(updated.timestamp() if updated else 0))

    return sorted(pages, key=rank)
