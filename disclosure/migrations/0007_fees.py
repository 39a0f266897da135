"""Copy fees: the fee schedule (a Wagtail site setting), invoices, their events, and the request
form's one-time token. The 情報公開 group may edit the schedule and see invoices."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from portal.staff import DISCLOSURE, grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(apps, DISCLOSURE, "disclosure", ["view", "change"], models=["FeeSchedule"])
    grant_model_permissions(apps, DISCLOSURE, "disclosure", ["view"], models=["Invoice"])


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0006_appeals"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("portal", "0006_remove_wagtail_sample_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="request",
            name="submission_token",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="event",
            name="kind",
            field=models.CharField(
                choices=[
                    ("filed", "Request received"),
                    ("correction_asked", "Correction requested"),
                    ("correction_answered", "Correction answered"),
                    ("extended", "Deadline extended"),
                    ("special_extended", "Special extension"),
                    ("decided", "Decision"),
                    ("withdrawn", "Withdrawn"),
                    ("rejected", "Dismissed"),
                    ("transferred", "Transferred"),
                    ("implemented", "Disclosure carried out"),
                    ("due_changed", "Due date recomputed"),
                    ("invoice_issued", "Invoice issued"),
                    ("invoice_paid", "Payment recorded"),
                    ("invoice_cancelled", "Invoice cancelled"),
                ],
                max_length=30,
            ),
        ),
        migrations.CreateModel(
            name="FeeSchedule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "monochrome_page",
                    models.PositiveIntegerField(
                        default=10, help_text="One side of A3 or smaller.", verbose_name="monochrome page (yen)"
                    ),
                ),
                ("colour_page", models.PositiveIntegerField(default=20, verbose_name="colour page (yen)")),
                ("cd_r", models.PositiveIntegerField(default=100, verbose_name="CD-R, per disc (yen)")),
                ("dvd_r", models.PositiveIntegerField(default=100, verbose_name="DVD-R, per disc (yen)")),
                (
                    "payment_instructions",
                    models.TextField(
                        blank=True,
                        help_text="Shown on every invoice. Leave empty for the standard text (counter or convenience store).",
                        verbose_name="how to pay",
                    ),
                ),
                (
                    "site",
                    models.OneToOneField(
                        editable=False, on_delete=django.db.models.deletion.CASCADE, to="wagtailcore.site"
                    ),
                ),
            ],
            options={
                "verbose_name": "copy fees",
                "verbose_name_plural": "copy fees",
            },
        ),
        migrations.CreateModel(
            name="Invoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.CharField(max_length=30, unique=True, verbose_name="invoice number")),
                (
                    "status",
                    models.CharField(
                        choices=[("issued", "Issued, not paid yet"), ("paid", "Paid"), ("cancelled", "Cancelled")],
                        default="issued",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("monochrome_pages", models.PositiveIntegerField(default=0, verbose_name="monochrome pages")),
                ("monochrome_unit", models.PositiveIntegerField(default=0)),
                ("colour_pages", models.PositiveIntegerField(default=0, verbose_name="colour pages")),
                ("colour_unit", models.PositiveIntegerField(default=0)),
                ("cd_r", models.PositiveIntegerField(default=0, verbose_name="CD-R")),
                ("cd_r_unit", models.PositiveIntegerField(default=0)),
                ("dvd_r", models.PositiveIntegerField(default=0, verbose_name="DVD-R")),
                ("dvd_r_unit", models.PositiveIntegerField(default=0)),
                ("postage", models.PositiveIntegerField(default=0, verbose_name="postage (yen)")),
                ("total", models.PositiveIntegerField(verbose_name="total (yen)")),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("paid_on", models.DateField(blank=True, null=True, verbose_name="paid on")),
                (
                    "payment_method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("counter", "At the counter (窓口)"),
                            ("convenience", "Convenience store (コンビニ収納)"),
                        ],
                        max_length=20,
                        verbose_name="paid by",
                    ),
                ),
                ("receipt_note", models.CharField(blank=True, max_length=200, verbose_name="receipt note")),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                ("cancel_reason", models.TextField(blank=True, verbose_name="reason for cancelling")),
                (
                    "cancelled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
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
                    "payment_recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invoices",
                        to="disclosure.request",
                        verbose_name="request",
                    ),
                ),
            ],
            options={
                "verbose_name": "invoice",
                "verbose_name_plural": "invoices",
                "ordering": ["issued_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status__in", ["issued", "paid"])),
                        fields=("request",),
                        name="disclosure_one_live_invoice",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("paid_on__isnull", False), ("status", "paid")),
                            models.Q(("status", "paid"), _negated=True),
                            _connector="OR",
                        ),
                        name="disclosure_paid_invoice_has_date",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
