"""Mail outbox throughput: Celery workers + PostgreSQL + Redis against a plain smtplib loop.

Run from the repository root::

    .venv/bin/python bench/outbox.py [--count 2000] [--workers 2]

It creates (and drops again) the PostgreSQL database ``machi_bench``, flushes Redis
databases 12 (cache) and 13 (broker), starts one SMTP sink (aiosmtpd, in this process) and

(a) sends N mails with one smtplib connection, ``sendmail`` per mail (the ceiling), each
    written as the worker writes it (``services.message_bytes``); then again with the MIME
    built by Django's mail classes, the worker's way and this bench's yardstick before 2026-12-07;
(b) queues the same N mails with ``queue_mail`` in one transaction and times until the sink
    has all of them and every row is ``sent``, with ``--workers`` prefork worker processes.

Besides the rates it prints CPU milliseconds per mail for each part (worker processes, this
process with the sink, PostgreSQL, Redis, read from /proc) and how many PostgreSQL sessions
were opened: on a shared machine the rates move with the load, the CPU cost per mail less.
The PostgreSQL figure includes every backend that exited meanwhile, also other databases'.

Exits non-zero if a mail arrived twice or never (or not all arrived within --timeout).
"""

from __future__ import annotations

import argparse
import logging
import os
import smtplib
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import create_database, database_url, drop_database, flush_redis, machine, wait_for_worker  # noqa: E402

# Overridable so that two people benchmarking on one machine do not share a database or Redis.
BENCH_DB = os.environ.get("BENCH_OUTBOX_DB", "machi_bench")
CACHE_URL = os.environ.get("BENCH_OUTBOX_CACHE", "redis://127.0.0.1:6379/12")
BROKER_URL = os.environ.get("BENCH_OUTBOX_BROKER", "redis://127.0.0.1:6379/13")
TARGET_RATIO = 0.9  # issue 15: the outbox stays at 90 % or more of the plain loop

# Production-like limits (tests/workers.py shortens them for fault tests).
WORKER_ENV = {
    "CELERY_TASK_TIME_LIMIT": "90",
    "CELERY_TASK_SOFT_TIME_LIMIT": "60",
    "OUTBOX_LEASE_SECONDS": "120",
    "EMAIL_TIMEOUT": "20",
    "DEBUG": "0",
}

NEWS_TEXT = (
    "みどり町役場からのお知らせです。\n\n"
    "今週末（11月29日・30日）は町民センター大ホールの設備点検のため、"
    "ホール・会議室・和室の予約を受け付けておりません。すでに予約されている方には"
    "個別にご連絡いたします。\n\n"
    "また、12月1日から年末年始のごみ収集日程が変わります。詳しくは町のホームページ"
    "（https://www.town.midori.example.jp/gomi/）をご覧ください。\n\n"
    "冬季の道路凍結に備え、スタッドレスタイヤへの交換をお願いします。"
    "除雪車の運行状況はポータルの「くらしの安全」ページで確認できます。\n\n"
    "お問い合わせ：みどり町役場 総務課 0123-45-6789（平日 8:30〜17:15）\n"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="mails per run (default 2000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for delivery")
    return parser.parse_args()


# --- Environment -------------------------------------------------------------------------


def setup_django() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": database_url(BENCH_DB),
            "REDIS_URL": CACHE_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "DEBUG": "0",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- The mails ---------------------------------------------------------------------------


class MailFactory:
    """The N bench mails: one rendered town-news mail (text + HTML) to N addresses."""

    def __init__(self, run: str) -> None:
        from django.conf import settings

        from notifications.services import render_mail

        self.run = run
        self.site_url = settings.SITE_URL
        self.rendered = render_mail(
            "town_news",
            {
                "title": "【みどり町】今週のお知らせ（施設点検・ごみ収集・冬の道路）",
                "text": NEWS_TEXT,
                "unsubscribe_url": f"{self.site_url}/notifications/unsubscribe/TOKEN/",
            },
            language="ja",
        )

    def fields(self, i: int) -> dict:
        return {
            "to_email": f"resident{i:05d}@example.jp",
            "subject": self.rendered.subject,
            "body_text": self.rendered.body_text,
            "body_html": self.rendered.body_html,
            "category": "bench.town_news",
            "idempotency_key": f"bench:{self.run}:{i}",
            "language": "ja",
            "unsubscribe_url": f"{self.site_url}/notifications/unsubscribe/{i:032x}/",
        }

    def message_bytes(self, i: int, *, django_mime: bool = False) -> tuple[str, str, bytes]:
        """The same message the worker writes for mail ``i`` (``services.message_bytes``), or with
        ``django_mime`` built by Django's mail classes as the worker did before 2026-12-07."""
        from email.utils import make_msgid, parseaddr

        from django.conf import settings

        from notifications.models import OutboundMail
        from notifications.services import build_message, message_bytes

        f = self.fields(i)
        mail = OutboundMail(
            to_email=f["to_email"],
            from_email=settings.DEFAULT_FROM_EMAIL,
            subject=f["subject"],
            body_text=f["body_text"],
            body_html=f["body_html"],
            headers={
                "List-Unsubscribe": f"<{f['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            attachments=[],
            message_id=make_msgid(domain=settings.MAIL_MESSAGE_ID_DOMAIN),
        )
        if not django_mime:
            sender, recipients, data = message_bytes(mail)
            return sender, recipients[0], data
        msg = build_message(mail)
        return parseaddr(mail.from_email)[1], mail.to_email, msg.message().as_bytes(linesep="\r\n")


def clear_sink(sink) -> None:
    with sink.handler.lock:
        sink.handler.messages.clear()


# --- (a) Plain loop ----------------------------------------------------------------------


def run_plain(sink, factory: MailFactory, count: int, *, django_mime: bool = False) -> dict:
    clear_sink(sink)
    cpu_start = os.times()
    start = time.perf_counter()
    sizes = 0
    smtp = smtplib.SMTP("127.0.0.1", sink.port, timeout=20)
    try:
        for i in range(count):
            sender, to, data = factory.message_bytes(i, django_mime=django_mime)
            sizes += len(data)
            smtp.sendmail(sender, [to], data)
    finally:
        smtp.quit()
    elapsed = time.perf_counter() - start
    cpu_end = os.times()
    cpu = cpu_end.user + cpu_end.system - cpu_start.user - cpu_start.system
    received = len(sink.messages)
    if received != count:
        raise RuntimeError(f"plain loop: sink got {received} of {count} mails")
    return {
        "seconds": elapsed,
        "rate": count / elapsed,
        "avg_bytes": sizes / count,
        "cpu_ms": cpu / count * 1000,
    }


# --- (b) Outbox --------------------------------------------------------------------------


def cpu_snapshot(worker_pgid: int | None) -> dict[str, float]:
    """CPU seconds used so far by each part of the system, read from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    own = os.times()
    snap = {"workers": 0.0, "postgres": 0.0, "redis": 0.0, "bench": own.user + own.system}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if worker_pgid is not None and int(fields[2]) == worker_pgid:
            snap["workers"] += cpu
        elif comm.startswith("postgres") and BENCH_DB.encode() in cmdline:
            snap["postgres"] += cpu
        elif comm == "postgres" and fields[1] == "1":  # the postmaster: add its exited backends
            snap["postgres"] += (int(fields[13]) + int(fields[14])) / tick  # cutime + cstime
        elif comm == "redis-server":
            snap["redis"] += cpu
    busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) for v in busy]
    snap["system_busy"] = (sum(values) - values[3] - values[4]) / tick  # minus idle, iowait
    snap["system_total"] = sum(values) / tick
    return snap


def pg_sessions() -> int:
    """Sessions PostgreSQL opened for the bench database so far (pg_stat_database, PG 14+)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = %s", [BENCH_DB])
        return cursor.fetchone()[0]


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before[key] for key in before}


def sent_count(category: str) -> int:
    from notifications.models import OutboundMail

    return OutboundMail.objects.filter(category=category, status=OutboundMail.Status.SENT).count()


def warm_up(sink, factory: MailFactory, workers: int) -> None:
    """A few mails first, so pool processes have opened their DB and SMTP connections."""
    from django.db import transaction

    from notifications.services import queue_mail
    from tests.workers import wait_until

    n = 4 * workers
    with transaction.atomic():
        for i in range(n):
            fields = factory.fields(i) | {
                "category": "bench.warmup",
                "idempotency_key": f"warmup:{factory.run}:{i}",
            }
            queue_mail(**fields)
    wait_until(lambda: sent_count("bench.warmup") == n, 60, message="warm-up mails sent")
    clear_sink(sink)


def run_outbox(sink, factory: MailFactory, count: int, timeout: float, worker) -> dict:
    from django.db import transaction

    from notifications.models import OutboundMail
    from notifications.services import queue_mail

    category = "bench.town_news"
    pgid = worker.process.pid  # the worker runs in a process group of its own
    cpu_start = cpu_snapshot(pgid)
    sessions_start = pg_sessions()
    start = time.perf_counter()
    with transaction.atomic():
        for i in range(count):
            queue_mail(**factory.fields(i))
        inserted = time.perf_counter()
    committed = time.perf_counter()  # the on_commit hooks published all N tasks by now
    cpu_committed = cpu_snapshot(pgid)

    deadline = time.monotonic() + timeout
    done = None
    while time.monotonic() < deadline:
        if len(sink.messages) >= count and sent_count(category) == count:
            done = time.perf_counter()
            cpu_done = cpu_snapshot(pgid)
            break
        if worker.process.poll() is not None:
            print(f"worker exited:\n{worker.output()[-3000:]}", file=sys.stderr)
            break
        time.sleep(0.02)
    time.sleep(1.0)  # let any late duplicate arrive before counting

    expected = set(OutboundMail.objects.filter(category=category).values_list("message_id", flat=True))
    counts = Counter(r.message["Message-ID"] for r in sink.messages)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(expected - set(counts))
    elapsed = (done or time.perf_counter()) - start
    sessions = pg_sessions() - sessions_start
    if done is None:
        cpu_done = cpu_snapshot(pgid)
    return {
        "seconds": elapsed,
        "rate": (count - missing) / elapsed,
        "insert_s": inserted - start,
        "publish_s": committed - inserted,
        "queue_s": committed - start,
        "duplicates": duplicates,
        "missing": missing,
        "timed_out": done is None,
        "not_sent": count - sent_count(category),
        "cpu_queue": cpu_delta(cpu_start, cpu_committed),
        "cpu_deliver": cpu_delta(cpu_committed, cpu_done),
        "deliver_s": (done or time.perf_counter()) - committed,
        "pg_sessions": sessions,
    }


# --- Main --------------------------------------------------------------------------------


PARTS = ("workers", "bench", "postgres", "redis")


def total_cpu_ms(outbox: dict, count: int) -> float:
    total = sum(outbox[phase][part] for phase in ("cpu_queue", "cpu_deliver") for part in PARTS)
    return total / count * 1000


def cpu_line(cpu: dict[str, float], count: int) -> str:
    return ", ".join(f"{part} {cpu[part] / count * 1000:.1f}" for part in PARTS)


def busy_line(cpu: dict[str, float], seconds: float) -> str:
    cores = len(os.sched_getaffinity(0))
    ours = sum(cpu[part] for part in PARTS)
    return (
        f"{cpu['system_busy'] / seconds:.2f} of {cores} cores "
        f"(bench parts {ours / seconds:.2f}, the rest other processes)"
    )


def print_report(args, plain: dict, outbox: dict, info: dict, plain_django: dict) -> None:
    ratio = outbox["rate"] / plain["rate"]
    rows = [
        ("count", f"{args.count}"),
        ("workers (prefork processes)", f"{args.workers}"),
        ("mail size (bytes, avg)", f"{plain['avg_bytes']:.0f}"),
        ("plain smtplib loop", f"{plain['rate']:.0f} mails/s ({plain['seconds']:.2f} s)"),
        (
            "plain loop, Django-built MIME",
            f"{plain_django['rate']:.0f} mails/s ({plain_django['seconds']:.2f} s; the yardstick before 2026-12-07)",
        ),
        ("outbox end to end", f"{outbox['rate']:.0f} mails/s ({outbox['seconds']:.2f} s)"),
        (
            "  of which queueing",
            f"{outbox['queue_s']:.2f} s (inserts {outbox['insert_s']:.2f} s, "
            f"commit + publish {outbox['publish_s']:.2f} s)",
        ),
        ("ratio outbox / plain", f"{ratio:.0%} (target >= {TARGET_RATIO:.0%})"),
        ("ratio outbox / plain, Django-built MIME", f"{outbox['rate'] / plain_django['rate']:.0%}"),
        ("duplicates", f"{outbox['duplicates']}"),
        ("missing", f"{outbox['missing']}"),
        ("rows not sent", f"{outbox['not_sent']}"),
        ("CPU ms per mail, plain loop", f"{plain['cpu_ms']:.1f} (client and sink, one process)"),
        ("CPU ms per mail, outbox", f"{total_cpu_ms(outbox, args.count):.1f} (all parts below)"),
        ("  after commit", cpu_line(outbox["cpu_deliver"], args.count)),
        ("  system busy after commit", busy_line(outbox["cpu_deliver"], outbox["deliver_s"])),
        ("  while queueing", cpu_line(outbox["cpu_queue"], args.count)),
        (
            "PostgreSQL sessions opened",
            f"{outbox['pg_sessions']} ({outbox['pg_sessions'] / args.count:.2f} per mail)",
        ),
        ("load average (1 min) at end", f"{os.getloadavg()[0]:.2f}"),
        ("nproc", info["nproc"]),
        ("CPU", info["cpu"]),
        ("Python", info["python"]),
        ("PostgreSQL", info["postgresql"]),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("(postgres: the bench database's backends plus every backend that exited meanwhile)")
    if outbox["timed_out"]:
        print(f"NOT DONE: timed out after {args.timeout:.0f} s or the worker exited")


def main() -> int:
    args = parse_args()
    create_database(BENCH_DB)
    flush_redis(CACHE_URL, BROKER_URL)
    setup_django()

    from django.db import connections

    from tests.smtp_sink import SmtpSink
    from tests.workers import CeleryWorker

    sink = None
    worker = None
    try:
        info = machine()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
        sink = SmtpSink().start()
        factory = MailFactory(run=str(int(time.time())))

        print(f"plain smtplib loop: {args.count} mails ...", flush=True)
        plain = run_plain(sink, factory, args.count)
        print(f"plain smtplib loop, MIME built by Django's mail classes: {args.count} mails ...", flush=True)
        plain_django = run_plain(sink, factory, args.count, django_mime=True)

        print(f"outbox: starting {args.workers} worker process(es) ...", flush=True)
        worker = CeleryWorker(smtp_port=sink.port, concurrency=args.workers, extra_env=WORKER_ENV, name="bench").start()
        wait_for_worker(worker)
        warm_up(sink, factory, args.workers)
        print(f"outbox: {args.count} mails ...", flush=True)
        outbox = run_outbox(sink, factory, args.count, args.timeout, worker)

        print_report(args, plain, outbox, info, plain_django)
        failed = outbox["duplicates"] or outbox["missing"] or outbox["timed_out"]
        return 1 if failed else 0
    finally:
        if worker is not None:
            worker.stop()
        if sink is not None:
            sink.stop()
        connections.close_all()
        flush_redis(CACHE_URL, BROKER_URL)
        drop_database(BENCH_DB)


if __name__ == "__main__":
    sys.exit(main())
