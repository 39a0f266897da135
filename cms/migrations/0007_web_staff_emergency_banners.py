"""広報 add, edit, schedule and remove emergency banners (緊急情報): before this only a superuser could."""

from django.db import migrations

from portal.staff import WEB, grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, WEB, "cms", ["add", "change", "delete", "view"], models=["EmergencyBanner"])


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_site_services"),
        ("portal", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
