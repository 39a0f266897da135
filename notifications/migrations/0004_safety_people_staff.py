"""The 学校・見守り group manages pupils, watched people, consent, cards, terminals and mail wording, and reads taps."""

from django.db import migrations

from portal.staff import SAFETY, grant_model_permissions

MANAGED = ["School", "Student", "WatchedPerson", "Consent", "Card", "Terminal", "MailText"]


def grant(apps, schema_editor):
    grant_model_permissions(apps, SAFETY, "notifications", ["add", "change", "view"], models=MANAGED)
    grant_model_permissions(apps, SAFETY, "notifications", ["view"], models=["Tap"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_safety_staff")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
