"""The public archive in the site search: its search page and each published request.

Registered with ``portal.search_sources`` (the site search lives in ``cms``, which does not import
this app); the publish and unpublish services call ``search_sources.changed`` in their transaction.
Only what the archive's pages show is indexed: never the requester's identity.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from disclosure.archive.search import decision_label, newest_first, published
from disclosure.archive.services import SEARCH_SOURCE
from portal import search_sources

#: Words residents use for the archive, besides its title.
ARCHIVE_WORDS = "情報公開 じょうほうこうかい 開示請求 かいじせいきゅう 公文書 開示 公開済み 請求の公開 アーカイブ"


def documents() -> list[search_sources.SearchDocument]:
    """One document for the archive's search page, one per published request."""
    with translation.override("ja"):
        found = [
            search_sources.SearchDocument(
                key="archive",
                url=reverse("disclosure_archive:index"),
                title=gettext("Published disclosure requests"),
                text=ARCHIVE_WORDS,
            )
        ]
        for request in newest_first(published()):
            found.append(
                search_sources.SearchDocument(
                    key=f"request:{request.pk}",
                    url=reverse("disclosure_archive:detail", args=[request.pk]),
                    title=request.public_title,
                    text=" ".join(
                        [request.number, decision_label(request), request.department, request.public_text, "開示請求"]
                    ),
                )
            )
    return found


def register() -> None:
    """Register the archive as a source of the site search."""
    search_sources.register(
        search_sources.Source(name=SEARCH_SOURCE, label=_("Published disclosure requests"), documents=documents)
    )
