"""Safety mail end to end: terminal taps to guardians' mail, and a 10,000-resident broadcast.

Run from the repository root::

    .venv/bin/python bench/taps.py [--taps 1000] [--terminals 50] [--seconds 10] [--residents 10000]

It creates (and drops again) the PostgreSQL database ``machi_bench_taps``, flushes Redis db 11
(cache and broker), starts an SMTP sink (aiosmtpd, in this process) that records when it accepted
each Message-ID, gunicorn with 2 sync workers on loopback, and two Celery workers of two processes
each, as docker/compose.yaml runs them (the first also runs beat, whose outbox sweep re-sends what
a killed worker left behind).

(a) Taps: ``--terminals`` simulated gate readers make ``--taps`` card touches spread evenly over
    ``--seconds``, and post them signed (``X-Terminal-Key``/``X-Timestamp``/``X-Signature``, as
    safety.terminal_client does). Like a real reader, each touch is posted at once, and
    touches made while an upload is under way go together in the next request. Each card
    belongs to a pupil with one or two guardians. Reported: p50 / p99 / max from the touch
    itself (not from when its request left) to the sink's SMTP accept of each guardian's mail
    (target p99 < 5 s), mails lost, mails duplicated.
(b) Broadcast: a plain smtplib loop sends ``--residents`` mails first (the ceiling), twice: one
    pre-built text string per mail (the yardstick before 2026-12-07), and the broadcast's own
    multipart mail written per resident as the worker writes it (the fair ceiling); then one
    broadcast to ``--residents`` residents is sent through the portal (send task → outbox →
    workers), and the second worker is SIGKILLed while it delivers. Reported: seconds until all
    are accepted (target < 60 s), missing, copies re-sent with the same Message-ID (the mail a
    killed process was handing over when it died) and residents who got two different mails.

Exits non-zero if a mail was lost, a tap mailed twice, a resident got two different broadcast
mails, or a target was missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import signal
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    create_database,
    database_url,
    drop_database,
    flush_redis,
    free_port,
    machine,
    wait_for_worker,
)

# Overridable so that two people benchmarking on one machine do not share a database or Redis.
BENCH_DB = os.environ.get("BENCH_TAPS_DB", "machi_bench_taps")
REDIS = os.environ.get("BENCH_TAPS_REDIS", "redis://127.0.0.1:6379/11")
PATH = "/api/terminals/v1/events"
TAP_P99_TARGET = 5.0
#: Processes per Celery worker, as docker/compose.yaml runs them (--concurrency 2).
WORKER_PROCESSES = 2
BROADCAST_TARGET = 60.0

WORKER_ENV = {
    "DEBUG": "0",
    "REDIS_URL": REDIS,
    "CELERY_BROKER_URL": REDIS,
    "CELERY_TASK_TIME_LIMIT": "90",
    "CELERY_TASK_SOFT_TIME_LIMIT": "60",
    "EMAIL_TIMEOUT": "20",
    # The production outbox timings: a killed worker's claimed mails come back through its
    # stopped heartbeat (OUTBOX_WORKER_DEAD_SECONDS), not through a short lease.
    "OUTBOX_LEASE_SECONDS": "120",
    "OUTBOX_SWEEP_SECONDS": "5",
    "OUTBOX_SWEEP_GRACE_SECONDS": "30",
    "OUTBOX_HEARTBEAT_SECONDS": "2",
    "OUTBOX_WORKER_DEAD_SECONDS": "10",
    "LOG_LEVEL": "WARNING",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=1000)
    parser.add_argument("--terminals", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--residents", type=int, default=10000)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--skip-broadcast", action="store_true")
    return parser.parse_args()


# --- Environment -------------------------------------------------------------------------
def setup_django() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": database_url(BENCH_DB),
            "REDIS_URL": REDIS,
            "CELERY_BROKER_URL": REDIS,
            "DEBUG": "0",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Gunicorn:
    def __init__(self, smtp_port: int) -> None:
        self.port = free_port()
        self.log = open(f"/tmp/{BENCH_DB}-gunicorn.log", "w")  # noqa: SIM115 - lives as long as the server
        env = {**os.environ, **WORKER_ENV, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)}
        env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start: " + Path(self.log.name).read_text()[-2000:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)


# --- Data --------------------------------------------------------------------------------
def make_school(terminal_count: int, pupils: int) -> tuple[list, list[str], dict[str, int]]:
    """Terminals (with keys), pupils' card IDs, and for each card how many guardians it mails."""
    from portal.models import Household, HouseholdMember, MemberGuardian, User
    from safety import services, terminals
    from safety.models import Consent, School, Student, Terminal

    school = School.objects.create(name="ベンチ小学校")
    keys = []
    for i in range(terminal_count):
        terminal = Terminal.objects.create(
            name=f"門 {i}", kind=Terminal.Kind.GATE, place=f"門 {i}", school=school, rate_limit_per_minute=600
        )
        keys.append(terminals.rotate_key(terminal))
    cards, guardians = [], {}
    for i in range(pupils):
        owner = User.objects.create(email=f"parent{i:04d}@example.jp", given_name="保護者", language="ja")
        household = Household.objects.create(owner=owner)
        child = HouseholdMember.objects.create(
            household=household, family_name="試験", given_name=f"児童{i}", relationship="child"
        )
        Student.objects.create(member=child, school=school, grade=1 + i % 6)
        if i % 2:  # every second pupil has a second guardian
            second = User.objects.create(email=f"second{i:04d}@example.jp", given_name="保護者2", language="en")
            MemberGuardian.objects.create(member=child, user=second, invited_by=owner)
        services.record_consent(member=child, purpose=Consent.Purpose.SCHOOL_GATE, given_by="bench")
        card = f"BENCH{i:08d}"
        services.register_card(member=child, card_id=card)
        cards.append(card)
        guardians[card] = 2 if i % 2 else 1
    return keys, cards, guardians


def make_residents(count: int) -> None:
    from portal.models import User

    batch = [User(email=f"resident{i:05d}@example.jp", language="ja") for i in range(count)]
    User.objects.bulk_create(batch, batch_size=2000)


# --- (a) Taps ----------------------------------------------------------------------------
def run_taps(args, server: Gunicorn, sink, keys, cards, guardians) -> dict:
    from safety.terminals import sign

    sent_at: dict[str, float] = {}  # event_id → when the card was touched
    expected = Counter()
    errors: list[str] = []
    requests: list[int] = []  # events per request
    lock = threading.Lock()
    per_terminal = args.taps // len(keys)
    interval = args.seconds / per_terminal
    start = time.time() + 0.5

    def terminal(index: int, key_id: str, secret: str) -> None:
        # Like a reader: each touch is posted at once; touches made while an upload is under
        # way wait in the buffer and go together in the next request.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        rng = random.Random(index)
        offset = rng.random() * interval
        schedule = [start + offset + n * interval for n in range(per_terminal)]
        buffer: list[dict] = []
        while schedule or buffer:
            if schedule and not buffer:
                delay = schedule[0] - time.time()
                if delay > 0:
                    time.sleep(delay)
            while schedule and schedule[0] <= time.time():
                touched = schedule.pop(0)
                card = rng.choice(cards)
                event = {
                    "event_id": str(uuid.uuid4()),
                    "card": card,
                    "kind": "in",
                    "occurred_at": datetime.fromtimestamp(touched, UTC).isoformat(),
                }
                with lock:
                    sent_at[event["event_id"]] = touched  # latency counts from the touch itself
                    expected[event["event_id"]] = guardians[card]
                buffer.append(event)
            body = json.dumps({"events": buffer}).encode()
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Terminal-Key": key_id,
                "X-Timestamp": timestamp,
                "X-Signature": sign(secret, "POST", PATH, timestamp, body),
            }
            try:
                conn.request("POST", PATH, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                with lock:
                    requests.append(len(buffer))
                if response.status == 200 and json.loads(answer)["accepted"] == len(buffer):
                    buffer = []
                else:
                    errors.append(f"{response.status} {answer[:200]!r}")
                    time.sleep(0.5)  # and send the buffer again
            except OSError as exc:
                errors.append(repr(exc))
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    threads = [
        threading.Thread(target=terminal, args=(i, key.key_id, key.secret), daemon=True) for i, key in enumerate(keys)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    posted = time.time()
    want = sum(expected.values())
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline and len(sink.messages) < want:
        time.sleep(0.1)
    time.sleep(2.0)  # any late duplicate

    from notifications.models import OutboundMail
    from safety.models import Tap

    tap_event = {str(pk): str(event_id) for pk, event_id in Tap.objects.values_list("pk", "event_id")}
    mail_event = {}
    for message_id, key in OutboundMail.objects.filter(category="safety_tap").values_list(
        "message_id", "idempotency_key"
    ):
        mail_event[message_id] = tap_event[key.split(":")[2]]
    accepted = sink.handler.accepted
    counts = Counter(r.message["Message-ID"] for r in sink.messages)
    latencies = sorted(accepted[mid] - sent_at[mail_event[mid]] for mid in counts if mid in mail_event)
    per_event = Counter(mail_event[mid] for mid in counts if mid in mail_event)
    lost = sum(max(0, n - per_event.get(event_id, 0)) for event_id, n in expected.items())

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {
        "taps": len(sent_at),
        "post_seconds": posted - start,
        "requests": len(requests),
        "mails_expected": want,
        "mails_received": len(counts),
        "lost": lost,
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        "p50": pct(0.50),
        "p99": pct(0.99),
        "max": latencies[-1] if latencies else float("nan"),
        "errors": errors[:5],
        "error_count": len(errors),
    }


# --- (b) Broadcast -----------------------------------------------------------------------
def run_plain(sink, count: int) -> float:
    from django.conf import settings

    body = "みどり町からのお知らせ（ベンチ）\n" * 20
    sink.handler.messages.clear()
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", sink.port, timeout=20)
    try:
        for i in range(count):
            data = (
                f"From: {settings.DEFAULT_FROM_EMAIL}\r\nTo: plain{i}@example.jp\r\nSubject: bench\r\n"
                f"Message-ID: <plain{i}@bench>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
            ).encode()
            smtp.sendmail("no-reply@portal.example.jp", [f"plain{i}@example.jp"], data)
    finally:
        smtp.quit()
    elapsed = time.perf_counter() - start
    sink.handler.messages.clear()
    return elapsed


BROADCAST_TITLE = "避難情報（ベンチ）"
BROADCAST_BODY = "ベンチの一斉配信です。"


def run_plain_multipart(sink, count: int) -> float:
    """The fair ceiling: the same loop sending the broadcast's own mail (text + HTML, headers, link).

    Each mail is the Japanese broadcast rendered by the portal's template, with its own address,
    Message-ID, unsubscribe token (of a real token's length) and List-Unsubscribe header, written
    per mail by ``notifications.services.message_bytes`` as the worker writes it.
    """
    from django.conf import settings

    from notifications.models import OutboundMail
    from notifications.services import message_bytes
    from notifications.unsubscribe import make_token
    from safety.mails import BROADCAST_TOPIC, TOKEN_PLACEHOLDER, render_broadcast, unsubscribe_link
    from safety.models import Broadcast

    subject, text, html = render_broadcast(
        Broadcast(category="disaster", title=BROADCAST_TITLE, body=BROADCAST_BODY), "ja", True
    )
    link = unsubscribe_link(TOKEN_PLACEHOLDER)
    sample = make_token(topic=BROADCAST_TOPIC, user_id=10**6, subject="disaster")
    sink.handler.messages.clear()
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", sink.port, timeout=20)
    try:
        for i in range(count):
            token = sample[: -len(str(i))] + str(i)
            mail = OutboundMail(
                to_email=f"plain{i}@example.jp",
                from_email=settings.DEFAULT_FROM_EMAIL,
                subject=subject,
                body_text=text.replace(TOKEN_PLACEHOLDER, token),
                body_html=html.replace(TOKEN_PLACEHOLDER, token),
                headers={
                    "List-Unsubscribe": f"<{link.replace(TOKEN_PLACEHOLDER, token)}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
                attachments=[],
                message_id=f"<plain{i}.multipart@bench>",
            )
            smtp.sendmail(*message_bytes(mail))
    finally:
        smtp.quit()
    elapsed = time.perf_counter() - start
    sink.handler.messages.clear()
    return elapsed


def run_broadcast(args, sink, victim) -> dict:
    from notifications.models import OutboundMail
    from safety import selectors, services
    from safety.mails import mail_category
    from safety.models import Broadcast

    sink.handler.messages.clear()
    b = Broadcast.objects.create(category="disaster", title=BROADCAST_TITLE, body=BROADCAST_BODY, target_all=True)
    expected = selectors.recipients(b).filter(email__startswith="resident").count()
    start = time.perf_counter()
    services.send_broadcast_now(broadcast=b)
    killed_at = None
    held: list[str] = []  # Message-IDs the killed worker had claimed and not yet marked sent
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        received = len({r.recipients[0] for r in sink.messages if r.recipients[0].startswith("resident")})
        if killed_at is None and received >= expected // 4:
            victim.kill()  # SIGKILL, mid-delivery
            killed_wall = time.time()
            killed_at = time.perf_counter() - start
            held = list(
                OutboundMail.objects.filter(
                    category=mail_category(b.pk),
                    status=OutboundMail.Status.SENDING,
                    claimed_worker__startswith=f"{victim.name}@",
                ).values_list("message_id", flat=True)
            )
        if received >= expected:
            break
        time.sleep(0.1)
    done = time.perf_counter() - start
    time.sleep(3.0)  # any late duplicate
    mails = [r for r in sink.messages if r.recipients[0].startswith("resident")]
    by_id = Counter(r.message["Message-ID"] for r in mails)
    by_rcpt = Counter(r.recipients[0] for r in mails)
    # A resident who got two *different* mails is a bug; the same Message-ID twice is the copy a
    # killed worker had handed to the server just before it died (docs/outbox.md).
    distinct = Counter(rcpt for rcpt, _mid in {(r.recipients[0], r.message["Message-ID"]) for r in mails})
    category = mail_category(b.pk)
    accepted = sink.handler.accepted
    held_back = [accepted[m] - killed_wall for m in held if m in accepted] if killed_at else []
    return {
        "held": len(held),
        "held_seconds": max(held_back) if held_back else None,
        "expected": expected,
        "received": len(by_rcpt),
        "seconds": done,
        "killed_at": killed_at,
        "dup_message_id": sum(n - 1 for n in by_id.values() if n > 1),
        "dup_recipient": sum(n - 1 for n in by_rcpt.values() if n > 1),
        "dup_distinct": sum(n - 1 for n in distinct.values() if n > 1),
        "rows_sent": OutboundMail.objects.filter(category=category, status=OutboundMail.Status.SENT).count(),
    }


# --- Main --------------------------------------------------------------------------------
def main() -> int:
    args = parse_args()
    create_database(BENCH_DB)
    flush_redis(REDIS)
    setup_django()

    from django.db import connections

    from tests.smtp_sink import SmtpSink
    from tests.workers import CeleryWorker

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = SmtpSink()
    sink.handler.accepted = {}

    def record(received) -> None:
        sink.handler.accepted.setdefault(received.message["Message-ID"], time.time())

    sink.handler.on_mail = record
    sink.start()
    server = None
    workers = []
    try:
        info = machine()
        print("setting up pupils, terminals and residents ...", flush=True)
        keys, cards, guardians = make_school(args.terminals, pupils=400)
        if not args.skip_broadcast:
            make_residents(args.residents)
        connections.close_all()
        server = Gunicorn(sink.port)
        workers = [
            CeleryWorker(
                smtp_port=sink.port, concurrency=WORKER_PROCESSES, beat=True, extra_env=WORKER_ENV, name="taps-a"
            ).start(),
            CeleryWorker(
                smtp_port=sink.port, concurrency=WORKER_PROCESSES, extra_env=WORKER_ENV, name="taps-b"
            ).start(),
        ]
        server.wait_ready()
        for w in workers:
            wait_for_worker(w, 90, by_name=True)
        print(f"taps: {args.taps} from {args.terminals} terminals over {args.seconds:.0f} s ...", flush=True)
        taps = run_taps(args, server, sink, keys, cards, guardians)
        rows = [
            ("taps made / all posted after", f"{taps['taps']} / {taps['post_seconds']:.1f} s"),
            ("requests (events per request)", f"{taps['requests']} ({taps['taps'] / max(1, taps['requests']):.2f})"),
            ("request errors", f"{taps['error_count']}"),
            ("guardian mails expected / received", f"{taps['mails_expected']} / {taps['mails_received']}"),
            ("tap → SMTP accept p50", f"{taps['p50']:.2f} s"),
            ("tap → SMTP accept p99", f"{taps['p99']:.2f} s (target < {TAP_P99_TARGET:.0f} s)"),
            ("tap → SMTP accept max", f"{taps['max']:.2f} s"),
            ("lost / duplicates", f"{taps['lost']} / {taps['duplicates']}"),
        ]
        failed = bool(taps["lost"] or taps["duplicates"] or taps["p99"] >= TAP_P99_TARGET or taps["error_count"])
        if taps["errors"]:
            print("errors:", taps["errors"], file=sys.stderr)
        if not args.skip_broadcast:
            print(f"plain smtplib loop: {args.residents} mails ...", flush=True)
            plain_text = run_plain(sink, args.residents)
            print(f"plain smtplib loop, the broadcast's multipart mail: {args.residents} mails ...", flush=True)
            plain = run_plain_multipart(sink, args.residents)
            print(f"broadcast to {args.residents} residents, SIGKILL of worker b during it ...", flush=True)
            bc = run_broadcast(args, sink, workers[1])
            rows += [
                (
                    "plain smtplib loop, one text string",
                    f"{plain_text:.1f} s ({args.residents / plain_text:.0f} mails/s)",
                ),
                ("plain smtplib loop, broadcast's mail", f"{plain:.1f} s ({args.residents / plain:.0f} mails/s)"),
                ("broadcast: all accepted after", f"{bc['seconds']:.1f} s (target < {BROADCAST_TARGET:.0f} s)"),
                ("broadcast: worker b SIGKILLed at", f"{bc['killed_at']:.1f} s" if bc["killed_at"] else "not killed"),
                (
                    "broadcast: kill → last mail it held accepted",
                    f"{bc['held_seconds']:.1f} s ({bc['held']} mails)" if bc["held_seconds"] is not None else "-",
                ),
                ("broadcast / plain loop time (broadcast's mail)", f"{bc['seconds'] / plain:.2f} × (target ≤ 1.7 ×)"),
                ("broadcast / plain loop time (one text string)", f"{bc['seconds'] / plain_text:.2f} ×"),
                ("broadcast: received / expected", f"{bc['received']} / {bc['expected']}"),
                ("broadcast: copies re-sent, same Message-ID", f"{bc['dup_message_id']}"),
                ("broadcast: residents with two different mails", f"{bc['dup_distinct']}"),
                ("broadcast: outbox rows sent", f"{bc['rows_sent']}"),
            ]
            failed = failed or bool(
                bc["received"] != bc["expected"] or bc["dup_distinct"] or bc["seconds"] >= BROADCAST_TARGET
            )
        rows += [
            ("load average (1 min) at end", f"{os.getloadavg()[0]:.2f}"),
            ("nproc / CPU", f"{info['nproc']} / {info['cpu']}"),
            ("Python / PostgreSQL", f"{info['python']} / {info['postgresql']}"),
        ]
        width = max(len(k) for k, _ in rows)
        print()
        for key, value in rows:
            print(f"{key:<{width}}  {value}")
        return 1 if failed else 0
    finally:
        for w in workers:
            w.stop()
        if server is not None:
            server.stop()
        sink.stop()
        connections.close_all()
        flush_redis(REDIS)
        drop_database(BENCH_DB)


if __name__ == "__main__":
    sys.exit(main())
