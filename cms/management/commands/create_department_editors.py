"""Create the editors' group of a department: they edit their department's pages, 広報 publish."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cms.models import DepartmentPage
from cms.services import create_department_editors


class Command(BaseCommand):
    help = (
        "Create (or complete) the group 「<課名> 編集者」 for a department page, given by its id or slug. "
        "Its members edit the department's pages and write news and events; 広報 approve and publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("department", help="The department page's id or slug, e.g. kosodate-shien.")
        parser.add_argument("--name", help="Group name, if not 「<課名> 編集者」.")

    def handle(self, *args, department, name=None, **options):
        pages = DepartmentPage.objects.filter(pk=int(department)) if department.isdigit() else None
        if not pages:
            pages = DepartmentPage.objects.filter(slug=department)
        if len(pages) != 1:
            found = ", ".join(f"{p.pk} {p.url_path}" for p in pages) or "none"
            raise CommandError(f"need exactly one department page with id or slug {department!r}; found {found}")
        group = create_department_editors(pages[0], name=name)
        self.stdout.write(
            self.style.SUCCESS(
                f"Group {group.name} (id {group.pk}) edits {pages[0].title}; add staff to it in Settings → Users."
            )
        )
