"""The 学校・見守り group writes, sends and reads safety broadcasts (安全安心メール)."""

from django.db import migrations

from portal.staff import SAFETY, grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, SAFETY, "notifications", ["add", "change", "view"], models=["Broadcast"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_safety_mail"),
        ("portal", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
