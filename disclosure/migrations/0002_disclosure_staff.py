"""The 情報公開 staff group's permissions: follow and act on requests, keep the town's closed days."""

from django.db import migrations

from portal.staff import DISCLOSURE, grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, DISCLOSURE, "disclosure", ["view", "change"], models=["Request"])
    grant_model_permissions(apps, DISCLOSURE, "disclosure", ["add", "change", "delete", "view"], models=["ClosedDay"])


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0001_initial"),
        ("portal", "0006_remove_wagtail_sample_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
