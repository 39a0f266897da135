"""Load demo content for a laptop: districts, a town site, a demo resident, a demo staff user (広報, who
approves and publishes) and a demo editor of 子育て支援課 (who writes and submits for approval).

Safe to run again: it updates what is there. New random passwords are printed each run.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.demo import build_demo_site, build_demo_site_info, create_demo_editor_groups
from cms.demo_translations import build_demo_translations
from cms.models import HomePage
from portal import services
from portal.demo import DemoPeople, app_demo_loaders
from portal.models import District, HouseholdMember, User
from portal.staff import WEB

RESIDENT_EMAIL = "resident@example.jp"
STAFF_EMAIL = "staff@example.jp"  # 広報: approves and publishes
EDITOR_EMAIL = "kosodate-editor@example.jp"  # 子育て支援課 編集者: writes, submits for approval


class Command(BaseCommand):
    help = "Load demo content and print the demo logins."

    def handle(self, *args, **options):
        call_command("loaddata", "districts", verbosity=0)
        with transaction.atomic():
            self._home_page()
            resident_password = secrets.token_urlsafe(9)
            staff_password = secrets.token_urlsafe(9)
            resident = self._user(
                RESIDENT_EMAIL,
                resident_password,
                family_name="町田",
                given_name="花子",
                family_name_kana="マチダ",
                given_name_kana="ハナコ",
                district=District.objects.first(),
            )
            if not HouseholdMember.objects.filter(household__owner=resident).exists():
                services.add_member(
                    owner=resident,
                    family_name="町田",
                    given_name="太郎",
                    family_name_kana="マチダ",
                    given_name_kana="タロウ",
                    relationship=HouseholdMember.Relationship.CHILD,
                )
            staff = self._user(STAFF_EMAIL, staff_password, family_name="役場", given_name="広報", is_staff=True)
            staff.groups.add(Group.objects.get_or_create(name=WEB)[0])
            editor_password = secrets.token_urlsafe(9)
            editor = self._user(EDITOR_EMAIL, editor_password, family_name="役場", given_name="子育て", is_staff=True)
            editor.groups.add(create_demo_editor_groups(self._japanese_home())["kosodate-shien"])
            child = HouseholdMember.objects.filter(household__owner=resident).order_by("pk").first()
            # Facilities, safety mail ...: each app adds its own demo (portal/demo.py).
            people = DemoPeople(resident=resident, staff=staff, child=child)
            app_lines = [line for load in app_demo_loaders() for line in load(people)]
        call_command("rebuild_search_index", verbosity=0)  # also pages made without publishing, e.g. the home page
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        self.stdout.write(f"  Resident: {RESIDENT_EMAIL} / {resident_password}")
        self.stdout.write(
            f"  Staff:    {STAFF_EMAIL} / {staff_password}"
            "  (sets up two-factor authentication on the first visit to /admin/)"
        )
        self.stdout.write(
            f"  Editor:   {EDITOR_EMAIL} / {editor_password}"
            "  (子育て支援課 編集者: writes pages and news, submits them to 広報 for approval)"
        )
        for line in app_lines:
            self.stdout.write(line)

    def _user(self, email: str, password: str, **fields) -> User:
        user, _created = User.objects.get_or_create(email=email, defaults=fields)
        for name, value in fields.items():
            setattr(user, name, value)
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _japanese_home(self) -> HomePage | None:
        # The English and easy-Japanese home pages are translations of this one.
        return HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()

    def _home_page(self) -> None:
        home = self._japanese_home()
        if home is None:
            home = self._create_home_page()
        build_demo_site(home)
        build_demo_site_info(home)
        build_demo_translations(home)

    def _create_home_page(self) -> HomePage:
        # A database emptied by a test flush has no locale or root page; make them as migrate does.
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        # Wagtail's placeholder "Welcome" page holds the slug "home": move it aside first.
        Page.objects.filter(depth=2, slug="home", content_type__model="page").update(slug="wagtail-welcome")
        home = HomePage(
            title="みどり町ポータル",
            slug="home",
            lead="みどり町の手続きと暮らしの情報、オンラインサービスをひとつに。",
            body="<p>施設予約、安全安心メール、健康記録、情報公開をここから利用できます。</p>",
        )
        root.add_child(instance=home)
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        # The Site record answers to the address residents use (SITE_URL), not to "localhost".
        address = urlsplit(settings.SITE_URL)
        hostname = address.hostname or "localhost"
        port = address.port or (443 if address.scheme == "https" else 80)
        if site:
            site.root_page = home
            site.site_name = "みどり町ポータル"
            site.hostname, site.port = hostname, port
            site.save()
        else:
            Site.objects.create(
                hostname=hostname, port=port, root_page=home, is_default_site=True, site_name="みどり町ポータル"
            )
        if old_root is not None and old_root.specific_class is Page:
            old_root.delete()
        return home
