"""Remove Wagtail's sample "Editors" and "Moderators" groups while nobody is in them.

Wagtail's first migration makes them with add, change and publish rights on the whole page
tree. The portal's staff groups (portal.staff) are the town's way of working: department
editors change their own section and 広報 approves. A staff member put in "Moderators" by
mistake would publish anywhere without that approval, so the samples go. A group somebody
already belongs to is left alone: removing it would take rights away without warning.
"""

from django.db import migrations

WAGTAIL_SAMPLE_GROUPS = ["Editors", "Moderators"]


def remove_unused_samples(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=WAGTAIL_SAMPLE_GROUPS, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_translation_permission"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [migrations.RunPython(remove_unused_samples, migrations.RunPython.noop)]
