"""Safety mail becomes its own app: its models move here from ``notifications`` without moving a row.

The tables keep their names (``db_table = "notifications_<model>"``), so this migration changes
the migration state only (``SeparateDatabaseAndState`` with no database operation), and
``notifications.0007_safety_moved_out`` drops the models from the notifications state.

The models' content types move from app label ``notifications`` to ``safety`` in the same
migration, so their permissions, and the 学校・見守り group's rights to them, follow unchanged. A
``safety`` content type made for a moved model before the move is deleted first, with its
permissions.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import safety.models

MOVED_MODELS = [
    "school",
    "student",
    "watchedperson",
    "consent",
    "card",
    "terminal",
    "terminalkey",
    "seensignature",
    "tap",
    "subscription",
    "broadcastpreference",
    "broadcastreading",
    "broadcast",
    "mailtext",
]


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        moving = ContentType.objects.using(db).filter(app_label=source, model=model)
        if not moving.exists():
            continue  # none yet: Django makes it after migrating, under its new label
        stale = list(ContentType.objects.using(db).filter(app_label=target, model=model).values_list("pk", flat=True))
        if stale:
            _delete_content_types(apps, schema_editor, stale)
        moving.update(app_label=target)  # same row, same id: its permissions and their links follow


def _delete_content_types(apps, schema_editor, content_type_ids: list[int]) -> None:
    """Delete content types with their permissions and every link to those permissions (groups, users ...).

    Such a content type was made under the new label before the move (by hand, or by a data
    migration that made permissions for the code's models rather than the migration state's);
    it stands for the same model as the one that moves. Plain SQL, because the collector
    of the historical models trips over model classes that this migration's state re-rendered.
    Anything else still pointing at them breaks a foreign key and stops the migration.
    """
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    permission_ids = list(Permission.objects.filter(content_type_id__in=content_type_ids).values_list("pk", flat=True))
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:

        def delete(table: str, column: str, ids: list[int]) -> None:
            if ids:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote(column)} IN ({marks})", ids)  # noqa: S608

        for model in apps.get_models(include_auto_created=True):
            for field in model._meta.local_fields:
                if field.many_to_one and field.related_model._meta.label_lower == "auth.permission":
                    delete(model._meta.db_table, field.column, permission_ids)
        delete(Permission._meta.db_table, "id", permission_ids)
        delete(ContentType._meta.db_table, "id", content_type_ids)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="notifications", target="safety")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="safety", target="notifications")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("notifications", "0006_broadcast_reading"),
        ("portal", "0006_remove_wagtail_sample_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="School",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "school",
                        "verbose_name_plural": "schools",
                        "db_table": "notifications_school",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="SeenSignature",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("signature", models.CharField(max_length=64, unique=True)),
                        ("seen_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "notifications_seensignature",
                    },
                ),
                migrations.CreateModel(
                    name="BroadcastPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("categories", models.JSONField(default=list, verbose_name="categories")),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="broadcast_preference",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_broadcastpreference",
                    },
                ),
                migrations.CreateModel(
                    name="BroadcastReading",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("read_at", models.DateTimeField()),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="broadcast_reading",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_broadcastreading",
                    },
                ),
                migrations.CreateModel(
                    name="Card",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("card_hash", models.CharField(db_index=True, max_length=64)),
                        (
                            "label",
                            models.CharField(
                                blank=True,
                                help_text="The last digits printed on the card.",
                                max_length=30,
                                verbose_name="label",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "In use"), ("lost", "Lost"), ("retired", "No longer used")],
                                default="active",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "issued_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="issued at"),
                        ),
                        ("deactivated_at", models.DateTimeField(blank=True, null=True, verbose_name="deactivated at")),
                        (
                            "issued_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="cards",
                                to="portal.householdmember",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "IC card",
                        "verbose_name_plural": "IC cards",
                        "db_table": "notifications_card",
                    },
                ),
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "purpose",
                            models.CharField(
                                choices=[
                                    ("school_gate", "School-gate arrival and departure mail"),
                                    ("watch_over", "Watch-over location mail"),
                                ],
                                max_length=20,
                                verbose_name="purpose",
                            ),
                        ),
                        (
                            "given_by",
                            models.CharField(
                                help_text="Name of the guardian or the person.", max_length=100, verbose_name="given by"
                            ),
                        ),
                        ("given_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="given at")),
                        ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="withdrawn at")),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consents",
                                to="portal.householdmember",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "consent",
                        "verbose_name_plural": "consents",
                        "db_table": "notifications_consent",
                        "ordering": ["-given_at"],
                    },
                ),
                migrations.CreateModel(
                    name="MailText",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "key",
                            models.CharField(
                                choices=[
                                    ("gate_in", "Arrived at school"),
                                    ("gate_out", "Left school"),
                                    ("watch_touch", "Watch-over touch"),
                                    ("digest", "Daily watch-over summary"),
                                    ("no_activity", "No touch for a while"),
                                ],
                                max_length=20,
                                verbose_name="mail",
                            ),
                        ),
                        ("language", models.CharField(help_text="ja or en.", max_length=12, verbose_name="language")),
                        ("subject", models.CharField(max_length=120, verbose_name="subject")),
                        (
                            "body",
                            models.TextField(
                                help_text="You can use {name}, {time}, {place}, {school} and {delay_note}.",
                                verbose_name="text",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "safety mail text",
                        "verbose_name_plural": "safety mail texts",
                        "db_table": "notifications_mailtext",
                        "constraints": [
                            models.UniqueConstraint(fields=("key", "language"), name="safety_one_text_per_language")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Broadcast",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("suspicious", "Suspicious person"),
                                    ("weather", "Weather warnings and school closures"),
                                    ("event", "School and town events"),
                                    ("disaster", "Disaster and evacuation"),
                                    ("other", "Other notices"),
                                ],
                                max_length=20,
                                verbose_name="category",
                            ),
                        ),
                        ("title", models.CharField(max_length=60, verbose_name="title")),
                        ("body", models.TextField(max_length=2000, verbose_name="message")),
                        ("title_en", models.CharField(blank=True, max_length=60, verbose_name="title in English")),
                        (
                            "body_en",
                            models.TextField(
                                blank=True,
                                help_text="Residents who read their mail in English get this version. Without it they get the Japanese.",
                                max_length=2000,
                                verbose_name="message in English",
                            ),
                        ),
                        ("target_all", models.BooleanField(default=False, verbose_name="everyone subscribed")),
                        ("target_grades", models.JSONField(blank=True, default=list, verbose_name="grades")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("scheduled", "Scheduled"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                ],
                                default="draft",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("send_at", models.DateTimeField(blank=True, null=True, verbose_name="send at")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("recipient_count", models.PositiveIntegerField(default=0)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "target_districts",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="portal.district", verbose_name="districts"
                            ),
                        ),
                        (
                            "target_schools",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="safety.school", verbose_name="schools"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "safety broadcast",
                        "verbose_name_plural": "safety broadcasts",
                        "db_table": "notifications_broadcast",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Student",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("grade", models.PositiveSmallIntegerField(verbose_name="grade")),
                        ("class_name", models.CharField(blank=True, max_length=20, verbose_name="class")),
                        (
                            "member",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="student",
                                to="portal.householdmember",
                                verbose_name="child",
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="students",
                                to="safety.school",
                                verbose_name="school",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "student",
                        "verbose_name_plural": "students",
                        "db_table": "notifications_student",
                    },
                ),
                migrations.CreateModel(
                    name="Subscription",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "mode",
                            models.CharField(
                                choices=[
                                    ("each", "A mail for every touch"),
                                    ("digest", "One daily summary"),
                                    ("off", "No mail"),
                                ],
                                default="each",
                                max_length=10,
                                verbose_name="mail",
                            ),
                        ),
                        (
                            "no_activity_alert",
                            models.BooleanField(default=False, verbose_name="alert me when there is no touch"),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="subscriptions",
                                to="portal.householdmember",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="safety_subscriptions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "safety mail subscription",
                        "verbose_name_plural": "safety mail subscriptions",
                        "db_table": "notifications_subscription",
                    },
                ),
                migrations.CreateModel(
                    name="Terminal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("gate", "School gate reader"), ("watch", "Watch-over terminal")],
                                max_length=10,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "place",
                            models.CharField(
                                help_text="Shown in mails, e.g. 中央公民館 正面入口.",
                                max_length=100,
                                verbose_name="place",
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "rate_limit_per_minute",
                            models.PositiveIntegerField(default=120, verbose_name="requests per minute"),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="terminals",
                                to="safety.school",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "terminal",
                        "verbose_name_plural": "terminals",
                        "db_table": "notifications_terminal",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Tap",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("event_id", models.UUIDField()),
                        ("card_hash", models.CharField(max_length=64)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("in", "Arrived"), ("out", "Left"), ("touch", "Touched")], max_length=5
                            ),
                        ),
                        ("occurred_at", models.DateTimeField(db_index=True)),
                        ("received_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "mail_state",
                            models.CharField(
                                choices=[
                                    ("queued", "Mail queued"),
                                    ("duplicate", "Duplicate"),
                                    ("unmatched", "Unknown card, no mail"),
                                    ("too_old", "Too old to mail"),
                                    ("digest", "In the daily digest"),
                                    ("none", "No subscriber"),
                                ],
                                default="none",
                                max_length=10,
                            ),
                        ),
                        (
                            "card",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="taps",
                                to="safety.card",
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="taps",
                                to="portal.householdmember",
                            ),
                        ),
                        (
                            "terminal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="taps", to="safety.terminal"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "tap",
                        "verbose_name_plural": "taps",
                        "db_table": "notifications_tap",
                        "ordering": ["-occurred_at"],
                    },
                ),
                migrations.CreateModel(
                    name="TerminalKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key_id", models.CharField(default=safety.models.new_key_id, max_length=32, unique=True)),
                        ("secret", models.CharField(default=safety.models.new_secret, max_length=128)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "terminal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="safety.terminal"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "terminal key",
                        "verbose_name_plural": "terminal keys",
                        "db_table": "notifications_terminalkey",
                    },
                ),
                migrations.CreateModel(
                    name="WatchedPerson",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "no_activity_hours",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Daytime hours (8:00–20:00) without any touch before the family is alerted. Empty: no alert.",
                                null=True,
                                verbose_name="alert after hours without a touch",
                            ),
                        ),
                        ("last_alerted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "member",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="watched",
                                to="portal.householdmember",
                                verbose_name="person",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "watched person",
                        "verbose_name_plural": "watched people",
                        "db_table": "notifications_watchedperson",
                    },
                ),
                migrations.AddConstraint(
                    model_name="card",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "active")),
                        fields=("card_hash",),
                        name="safety_one_active_card_per_id",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="subscription",
                    constraint=models.UniqueConstraint(fields=("user", "member"), name="safety_subscription_once"),
                ),
                migrations.AddIndex(
                    model_name="tap",
                    index=models.Index(fields=["member", "occurred_at"], name="safety_tap_member"),
                ),
                migrations.AddConstraint(
                    model_name="tap",
                    constraint=models.UniqueConstraint(fields=("terminal", "event_id"), name="safety_tap_once"),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
