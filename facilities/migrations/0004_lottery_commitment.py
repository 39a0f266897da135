"""The verifiable lottery: a commitment to each round's seed, anonymous application numbers, the published draw.

* Every round gets ``commitment`` (the SHA-256 of its seed, published from the round's creation),
  ``committed_at``, its ``order_rule`` and, once drawn, ``published_draw`` (inputs, order, winners).
* Rounds not drawn yet are committed now, with a new seed (or the one a failed draw saved);
  rounds drawn before keep no commitment: their pages say they cannot be verified.
* Every application gets a random six-digit ``number``, unique in its round.
* The database refuses to change a committed seed or commitment, or a published draw, even with
  ``QuerySet.update``: a trigger on PostgreSQL (which also checks that the commitment is the
  seed's hash) and on SQLite. SQLite drops a table's triggers when a later migration rebuilds the
  table: a migration altering ``facilities_lotteryround`` must run :func:`add_triggers` again.
"""

import hashlib
import secrets

from django.db import migrations, models
from django.utils import timezone

SHA256_RULE = "sha256(seed:number)"  # facilities.lottery.draw.SHA256_RULE, frozen here

PG_CREATE = """
CREATE OR REPLACE FUNCTION facilities_lottery_seed_locked() RETURNS trigger AS $$
BEGIN
    IF NEW.commitment <> '' AND NEW.commitment <> encode(sha256(convert_to(NEW.seed, 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'lottery %: the commitment is not the SHA-256 of the seed', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.commitment <> '' AND (NEW.seed IS DISTINCT FROM OLD.seed
                OR NEW.commitment IS DISTINCT FROM OLD.commitment
                OR NEW.committed_at IS DISTINCT FROM OLD.committed_at
                OR NEW.order_rule IS DISTINCT FROM OLD.order_rule) THEN
            RAISE EXCEPTION 'lottery %: the seed is committed and cannot change', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.published_draw IS NOT NULL AND NEW.published_draw IS DISTINCT FROM OLD.published_draw THEN
            RAISE EXCEPTION 'lottery %: the published draw cannot change', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS facilities_lottery_seed_locked ON facilities_lotteryround;
CREATE TRIGGER facilities_lottery_seed_locked BEFORE INSERT OR UPDATE ON facilities_lotteryround
    FOR EACH ROW EXECUTE FUNCTION facilities_lottery_seed_locked();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS facilities_lottery_seed_locked ON facilities_lotteryround;
DROP FUNCTION IF EXISTS facilities_lottery_seed_locked();
"""
SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS facilities_lottery_seed_locked BEFORE UPDATE ON facilities_lotteryround
WHEN (OLD.commitment <> '' AND (NEW.seed IS NOT OLD.seed OR NEW.commitment IS NOT OLD.commitment
        OR NEW.committed_at IS NOT OLD.committed_at OR NEW.order_rule IS NOT OLD.order_rule))
    OR (OLD.published_draw IS NOT NULL AND NEW.published_draw IS NOT OLD.published_draw)
BEGIN
    SELECT RAISE(ABORT, 'lottery: the committed seed and the published draw cannot change');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS facilities_lottery_seed_locked;"


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


def number_and_commit(apps, schema_editor):
    LotteryRound = apps.get_model("facilities", "LotteryRound")
    LotteryApplication = apps.get_model("facilities", "LotteryApplication")
    rng = secrets.SystemRandom()
    now = timezone.now()
    for round in LotteryRound.objects.all():
        pks = list(LotteryApplication.objects.filter(round=round).order_by("pk").values_list("pk", flat=True))
        for pk, number in zip(pks, rng.sample(range(100_000, 1_000_000), len(pks)), strict=True):
            LotteryApplication.objects.filter(pk=pk).update(number=number)
        if round.status != "drawn":
            seed = round.seed or secrets.token_hex(16)
            LotteryRound.objects.filter(pk=round.pk).update(
                seed=seed,
                commitment=hashlib.sha256(seed.encode()).hexdigest(),
                committed_at=now,
                order_rule=SHA256_RULE,
            )


class Migration(migrations.Migration):
    # PostgreSQL cannot alter a table with pending trigger events left by the data step in the
    # same transaction: each operation runs in its own.
    atomic = False

    dependencies = [
        ("facilities", "0003_site_services"),
    ]

    operations = [
        migrations.AddField(
            model_name="lotteryround",
            name="commitment",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="commitment (SHA-256 of the seed)"
            ),
        ),
        migrations.AddField(
            model_name="lotteryround",
            name="committed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="commitment published at"),
        ),
        migrations.AddField(
            model_name="lotteryround",
            name="order_rule",
            field=models.CharField(blank=True, editable=False, max_length=40, verbose_name="ordering rule"),
        ),
        migrations.AddField(
            model_name="lotteryround",
            name="published_draw",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="published draw"),
        ),
        migrations.AddField(
            model_name="lotteryapplication",
            name="number",
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="application number"),
        ),
        migrations.RunPython(number_and_commit, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="lotteryapplication",
            name="number",
            field=models.PositiveIntegerField(editable=False, verbose_name="application number"),
        ),
        migrations.AddConstraint(
            model_name="lotteryapplication",
            constraint=models.UniqueConstraint(fields=("round", "number"), name="facilities_one_application_number"),
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
