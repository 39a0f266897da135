"""Safety mail's models now belong to the ``safety`` app (``safety.0001_initial``).

State only: their tables keep their names and rows, so nothing happens in the database. The
models are removed from this app's state, those that others point to last.
"""

from django.db import migrations

MOVED_MODELS = [
    "Broadcast",
    "BroadcastPreference",
    "BroadcastReading",
    "Subscription",
    "Tap",
    "TerminalKey",
    "Terminal",
    "Card",
    "Consent",
    "Student",
    "WatchedPerson",
    "School",
    "SeenSignature",
    "MailText",
]


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_broadcast_reading"),
        ("safety", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED_MODELS],
        )
    ]
