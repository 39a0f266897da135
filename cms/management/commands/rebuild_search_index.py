"""Rebuild the site search index from the live, public pages and public documents."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cms.search_index import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the site search index (safe to run at any time; replaces every entry)."

    def handle(self, *args, **options):
        pages, documents = rebuild_index()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Search index: {pages} pages, {documents} documents.")
