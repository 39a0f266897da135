"""Import redirects from a CSV file (old_path,new_path[,permanent]); all rows or none."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.importers import RedirectCsvError, read_redirect_csv, save_redirects


class Command(BaseCommand):
    help = (
        "Import redirects from a UTF-8 CSV with the header old_path,new_path and an optional permanent column. "
        "new_path is a page's site path or an http(s) URL. Every row is checked first; one bad row saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", help="The CSV file (UTF-8, with or without BOM).")
        parser.add_argument(
            "--site-host",
            action="append",
            default=[],
            help="Another host name of this site (repeatable): URLs on it are checked for loops like site paths.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only validate the file; save nothing.")

    def handle(self, *args, csv_file, site_host, dry_run, **options):
        path = Path(csv_file)
        if not path.is_file():
            raise CommandError(f"{csv_file} is not a file")
        try:
            rows = read_redirect_csv(path.read_bytes(), hosts=tuple(site_host))
        except RedirectCsvError as error:
            for message in error.errors:
                self.stderr.write(self.style.ERROR(message))
            raise CommandError(
                f"{len(error.errors)} invalid row(s) in {csv_file}, nothing saved: " + "; ".join(error.errors)
            ) from error
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"[dry run] {len(rows)} valid redirect(s); nothing saved"))
            return
        created, updated = save_redirects(rows)
        self.stdout.write(self.style.SUCCESS(f"created {created}, updated {updated} redirect(s)"))
