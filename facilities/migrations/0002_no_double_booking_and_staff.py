"""No double booking on PostgreSQL, and the 施設 staff group's permissions.

The exclusion constraint refuses two occupancies of one space whose time ranges overlap, so
two requests racing for one slot cannot both win, whatever the application code does. SQLite
(the laptop default) has no exclusion constraints: there the booking service checks for
overlaps inside an IMMEDIATE transaction, which SQLite runs one at a time, and the unique
(space, start) constraint of 0001 still refuses the common case of the same slot.
"""

from django.db import migrations

from portal.staff import FACILITIES, ensure_permissions, grant_model_permissions

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE facilities_occupancy ADD CONSTRAINT facilities_occ_no_overlap
    EXCLUDE USING gist (space_id WITH =, tstzrange(start, "end", '[)') WITH &&);
"""
DROP = "ALTER TABLE facilities_occupancy DROP CONSTRAINT IF EXISTS facilities_occ_no_overlap;"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def grant(apps, schema_editor):
    ensure_permissions(apps)
    grant_model_permissions(apps, FACILITIES, "facilities", ["add", "change", "delete", "view"])


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0001_initial"),
        ("portal", "0003_access_log"),
    ]

    operations = [
        migrations.RunPython(add_exclusion, drop_exclusion),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
