"""Import the legacy homepage's static HTML files as standard pages, with permanent redirects."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.importers import LegacyPageImporter, find_parent


class Command(BaseCommand):
    help = (
        "Import every *.html file under a folder as a standard page under the given parent, and redirect "
        "each legacy URL (base URL + relative path) to its new page. A repeat run updates the same pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Folder holding the legacy site's HTML files (searched recursively).")
        parser.add_argument("--parent", required=True, help="Parent page: its id or its site path, e.g. /kurashi/.")
        parser.add_argument("--base-url", default="/", help="Legacy URL of the folder (default: /).")
        parser.add_argument(
            "--legacy-host",
            action="append",
            default=[],
            help="Host name of the old site (repeatable): absolute links to it count as internal links.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; save nothing.")

    def handle(self, *args, folder, parent, base_url, legacy_host, dry_run, **options):
        root = Path(folder)
        if not root.is_dir():
            raise CommandError(f"{folder} is not a folder")
        try:
            parent_page = find_parent(parent)
            importer = LegacyPageImporter(
                root, parent_page, base_url=base_url, dry_run=dry_run, hosts=tuple(legacy_host)
            )
        except (LookupError, ValueError) as error:
            raise CommandError(str(error)) from error
        result = importer.run()
        for label, paths in (("created", result.created), ("updated", result.updated), ("skipped", result.skipped)):
            for path in paths:
                self.stdout.write(f"  {label}: {path}")
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        prefix = "[dry run, nothing saved] " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}created {len(result.created)}, updated {len(result.updated)}, "
                f"skipped {len(result.skipped)}, warnings {len(result.warnings)}"
            )
        )
