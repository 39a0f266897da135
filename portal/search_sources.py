"""Public pages of the service apps that the site search finds, registered by the apps.

The site search (``cms.search_index``) indexes Wagtail pages and documents. A service app's own
public pages (the facility list, each facility, the lottery) are Django views, so the app
registers a *source* that lists them as :class:`SearchDocument` items::

    from portal import search_sources

    search_sources.register(search_sources.Source(name="facilities", label=_("Facility booking"),
                                                  documents=facility_documents))

and calls ``search_sources.changed("facilities")`` in the transaction that changes them (the index
is written in a savepoint there and never fails the change). ``cms``
listens to :data:`source_changed` and writes the rows; neither side imports the other (see
docs/architecture.md). This module is part of portal's shared base: it imports no app of ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.dispatch import Signal

#: Sent with ``name`` (a source's name) when the documents of that source changed.
source_changed = Signal()


@dataclass(frozen=True)
class SearchDocument:
    """One public page of a service: where it is, its title and the words it is found by.

    ``key`` is stable for the page (e.g. ``facility:12``); ``text`` holds the plain text and the
    readings (「そうごうたいいくかん」) and other words residents type for it (「施設予約」).
    """

    key: str
    url: str
    title: str
    text: str = ""


@dataclass(frozen=True)
class Source:
    name: str
    #: Shown as the section of each result, e.g. 「施設予約」.
    label: str
    documents: Callable[[], Iterable[SearchDocument]]


_sources: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Add a source; registering the same name again replaces it (safe on reload)."""
    _sources[source.name] = source
    return source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: s.name)


def get(name: str) -> Source | None:
    return _sources.get(name)


def changed(name: str) -> None:
    """Tell the search index that the documents of source ``name`` changed (call in the writer's transaction)."""
    source_changed.send(sender=None, name=name)
