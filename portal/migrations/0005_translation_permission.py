"""広報 may send pages for translation (English and やさしい日本語) with simple_translation."""

from django.db import migrations

from portal.staff import WEB, ensure_permissions, permission


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name=WEB)
    group.permissions.add(permission(apps, "simple_translation", "submit_translation"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=WEB).first()
    if group is not None:
        group.permissions.remove(permission(apps, "simple_translation", "submit_translation"))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_editorial_workflow"),
        ("simple_translation", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
