"""Staff groups: one per area of the town's work, each with only the permissions it needs.

The groups are created by a data migration (``portal/migrations/0002_staff_groups``). An app
that adds models grants their permissions to its group in its own data migration::

    from portal.staff import FACILITIES, grant_model_permissions

    def forwards(apps, schema_editor):
        grant_model_permissions(apps, FACILITIES, "facilities", ["add", "change", "view"])
"""

from __future__ import annotations

WEB = "広報"  # homepage content
FACILITIES = "施設"  # facilities and reservations
SAFETY = "学校・見守り"  # school-gate and watch-over mail
HEALTH = "健康"  # health records
DISCLOSURE = "情報公開"  # information disclosure

ALL_GROUPS = [WEB, FACILITIES, SAFETY, HEALTH, DISCLOSURE]

# The one approval step every page change goes through: 広報 approve and publish what others submit.
APPROVAL_WORKFLOW = "広報の承認"


def ensure_permissions(apps) -> None:
    """Create missing model permissions now (Django normally does it after all migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def permission(apps, app_label: str, codename: str):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant_model_permissions(
    apps, group_name: str, app_label: str, actions: list[str], models: list[str] | None = None
) -> None:
    """Give ``group_name`` the ``actions`` (add/change/delete/view) on ``app_label``'s models."""
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=group_name)
    perms = Permission.objects.filter(content_type__app_label=app_label)
    if models:
        perms = perms.filter(content_type__model__in=[m.lower() for m in models])
    wanted = [p for p in perms if p.codename.split("_", 1)[0] in actions]
    group.permissions.add(*wanted)
