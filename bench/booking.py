"""Facility booking under load: one contested slot, distinct slots, the month calendar, the lottery draw.

Run from the repository root::

    .venv/bin/python bench/booking.py [--attempts 200] [--max-connections 50] [--no-http]

It creates (and drops again) the PostgreSQL database ``machi_bench_booking`` and flushes Redis
database 11 (cache and Celery broker; no worker runs, so booking mails stay queued there, as a
web request leaves them). Then:

(a) **One slot, many people.** ``--attempts`` residents try to book the same slot at the same
    moment, each in its own thread with its own database connection, released together by a
    barrier: exactly one must win, every other must get the clear refusal (``BookingError``),
    and nothing else may happen. PostgreSQL here allows 100 connections, shared with whatever
    else runs, so at most ``--max-connections`` attempts hold a connection at once (the others
    wait for one, as they would for a web server's database pool). Then the same over HTTP:
    gunicorn (``--http-workers`` × ``--http-threads``) and as many simultaneous POSTs to the
    resident booking page: one 302, the rest 409 with the message, no 5xx.
(b) **Distinct slots.** ``--distinct`` residents each book a different slot: bookings per second
    with 1 thread and with ``--threads`` threads (service level), and over HTTP.
(c) **Month calendar, the busiest shape.** A facility with 5 rooms booked by the hour (13
    frames a day, 8:00–21:00) and 90 % of a year's slots booked (about 21,000 bookings):
    p50/p95 of ``GET /facilities/<slug>/units/<id>/?month=…`` over HTTP (target p95 < 100 ms),
    plus the availability selector alone for one unit and for the whole facility.
(d) **Lottery.** 5,000 applications × 3 choices over 2,000 slots (20 units × 25 days × 4
    frames), drawn by ``facilities.lottery.services.draw``: reservations for the winners, every
    application marked, 5,000 result mails queued (target < 10 s). Also the pure draw alone.

Exits non-zero if a correctness check fails (not for a missed speed target).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_model, create_database, database_url, drop_database, flush_redis  # noqa: E402

BENCH_DB = "machi_bench_booking"
REDIS_URL = "redis://127.0.0.1:6379/11"
P95_TARGET_MS = 100
LOTTERY_TARGET_S = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200, help="people racing for one slot (default 200)")
    parser.add_argument(
        "--max-connections", type=int, default=50, help="database connections the racers share (default 50)"
    )
    parser.add_argument("--distinct", type=int, default=1000, help="bookings of distinct slots (default 1000)")
    parser.add_argument("--threads", type=int, default=8, help="threads for the distinct-slot run (default 8)")
    parser.add_argument("--requests", type=int, default=300, help="month pages fetched (default 300)")
    parser.add_argument("--applications", type=int, default=5000, help="lottery applications (default 5000)")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn runs")
    parser.add_argument("--http-workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--http-threads", type=int, default=24, help="threads per gunicorn worker (default 24)")
    return parser.parse_args()


# --- Environment -------------------------------------------------------------------------
ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DATABASE_URL": database_url(BENCH_DB),
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "DEBUG": "0",
    "LOG_LEVEL": "ERROR",  # 409 refusals are logged as warnings by django.request
    "DB_CONN_MAX_AGE": "60",
}


def setup_django() -> None:
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def machine() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SHOW max_connections")
        max_connections = cursor.fetchone()[0]
    import django

    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": f"{pg_version} (max_connections {max_connections})",
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


# --- Data ----------------------------------------------------------------------------------
def make_users(prefix: str, n: int) -> list:
    """``n`` residents (with a district), inserted in bulk; they cannot sign in with a password."""
    from django.contrib.auth.hashers import make_password

    from portal.models import District, User

    district, _ = District.objects.get_or_create(code="B01", defaults={"name": "本町1丁目"})
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{i}@bench.example.jp",
                family_name="山田",
                given_name=f"{prefix}{i}",
                district=district,
                password=unusable,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    return list(User.objects.filter(email__startswith=prefix, email__endswith="@bench.example.jp").order_by("pk"))


def make_facility(slug: str, *, units: int, frames: list[tuple[str, dtime, dtime]], fee: int = 1000):
    from facilities.models import Facility, Fee, OpeningHours, TimeFrame, Unit

    facility = Facility.objects.create(
        name=f"ベンチ{slug}", slug=slug, kind=Facility.Kind.SPORTS, max_active_reservations=10, max_slots_per_day=3
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=facility, weekday=d, opens=dtime(7), closes=dtime(22)) for d in range(7)
    )
    created = []
    for u in range(units):
        unit = Unit.objects.create(facility=facility, name=f"室{u + 1:02d}", capacity=20, sort_order=u)
        for label, start, end in frames:
            frame = TimeFrame.objects.create(unit=unit, label=label, start=start, end=end)
            Fee.objects.bulk_create(
                Fee(unit=unit, frame=frame, resident=r, day_type=t, amount=fee * (1 if r else 2))
                for r in (True, False)
                for t in Fee.DayType.values
            )
        created.append(unit)
    return facility, created


THREE = [("午前", dtime(9), dtime(12)), ("午後", dtime(13), dtime(17)), ("夜間", dtime(18), dtime(21))]
HOURLY = [(f"{h}時", dtime(h), dtime(h + 1)) for h in range(8, 21)]
FOUR = [
    ("1", dtime(9), dtime(11)),
    ("2", dtime(11), dtime(13)),
    ("3", dtime(13), dtime(15)),
    ("4", dtime(15), dtime(17)),
]


def bookable_days(n: int) -> list[date]:
    """Days open for first-come booking now: from the day after tomorrow until the end of next month."""
    from django.utils import timezone

    from facilities import rules

    today = timezone.localdate()
    last = rules.first_of_month(rules.first_of_month(today) + timedelta(days=62)) - timedelta(days=1)
    days = [today + timedelta(days=i) for i in range(2, (last - today).days + 1)]
    return days[:n]


# --- (a) one slot, many people ---------------------------------------------------------------
def contest(unit, frame, day, users, max_connections: int) -> dict:
    """Everyone books the same slot at once; count wins, refusals (and those refused by the database)."""
    from django.db import IntegrityError, connection

    from facilities import services
    from facilities.errors import BookingError

    barrier = threading.Barrier(len(users))
    pool = threading.Semaphore(max_connections)
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def attempt(user) -> None:
        barrier.wait()
        with pool:
            try:
                services.book(user=user, unit=unit, slots=[services.SlotRequest(frame, day)])
                outcome = ("won", "")
            except BookingError as refusal:
                outcome = ("db" if isinstance(refusal.__cause__, IntegrityError) else "refused", refusal.message)
            except Exception as error:  # noqa: BLE001 - counting anything unexpected is the point
                outcome = ("error", repr(error))
            finally:
                connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(user,)) for user in users]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    kinds = [kind for kind, _ in results]
    return {
        "won": kinds.count("won"),
        "refused": kinds.count("refused") + kinds.count("db"),
        "by_db": kinds.count("db"),
        "errors": [msg for kind, msg in results if kind == "error"],
        "messages": sorted({msg for kind, msg in results if kind in ("refused", "db")}),
        "seconds": seconds,
    }


# --- (b) distinct slots ----------------------------------------------------------------------
def distinct_run(requests: list[tuple], threads: int) -> dict:
    """Each (user, unit, frame, day) books its own slot; ``threads`` at a time."""
    from django.db import connection

    from facilities import services

    errors: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    chunks = [requests[i::threads] for i in range(threads)]

    def run(chunk) -> None:
        for user, unit, frame, day in chunk:
            began = time.perf_counter()
            try:
                services.book(user=user, unit=unit, slots=[services.SlotRequest(frame, day)])
            except Exception as error:  # noqa: BLE001
                with lock:
                    errors.append(repr(error))
            with lock:
                latencies.append(time.perf_counter() - began)
        connection.close()

    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    return {
        "n": len(requests),
        "seconds": seconds,
        "rate": len(requests) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "errors": errors,
    }


# --- (c) a year of bookings ------------------------------------------------------------------
def fill_year(facility, units, share: float = 0.7) -> int:
    """Book about ``share`` of a year's slots (half a year back, half ahead) straight into the tables."""
    from facilities.models import Occupancy, Reservation

    rng = random.Random(7)
    today = date.today()
    reservations = []
    for offset in range(-182, 183):
        day = today + timedelta(days=offset)
        for unit in units:
            for frame in unit.bench_frames:
                if rng.random() >= share:
                    continue
                start, end = frame.bounds(day)
                reservations.append(
                    Reservation(
                        unit=unit,
                        frame=frame,
                        date=day,
                        start=start,
                        end=end,
                        customer_name="ベンチ",
                        source=Reservation.Source.COUNTER,
                        fee=1000,
                    )
                )
    Reservation.objects.bulk_create(reservations, batch_size=2000)
    Occupancy.objects.bulk_create(
        (Occupancy(reservation=r, space_id=r.unit_id, start=r.start, end=r.end) for r in reservations),
        batch_size=2000,
    )
    return len(reservations)


def time_selector(facility, month: date, n: int = 50, *, one_unit: bool = False) -> dict:
    from facilities import selectors

    unit = facility.units.first()
    times = []
    for _ in range(n):
        began = time.perf_counter()
        availability = selectors.month_availability(facility, month, unit=unit if one_unit else None)
        for day in availability.days():
            availability.day_state(unit, day)
        times.append(time.perf_counter() - began)
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": percentile(times, 95) * 1000}


def month_page_queries(full, empty, month: date) -> tuple[int, int]:
    """Queries one anonymous ``GET`` of the month page makes: on the full facility and on an empty twin."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = []
    for facility in (full, empty):
        client = Client(HTTP_HOST="127.0.0.1")
        path = f"/facilities/{facility.slug}/units/{facility.units.first().pk}/?month={month:%Y-%m}"
        assert client.get(path).status_code == 200  # warms the header's caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts.append(len(captured.captured_queries))
    return counts[0], counts[1]


# --- (d) the lottery --------------------------------------------------------------------------
def lottery_run(n_applications: int) -> dict:
    from django.utils import timezone

    from bench.lottery_data import time_pure_draw
    from facilities import rules
    from facilities.lottery import services as lottery_services
    from facilities.models import LotteryApplication, LotteryChoice, LotteryRound

    facility, units = make_facility("bench-lottery", units=20, frames=FOUR)
    month = rules.first_of_month(rules.first_of_month(timezone.localdate()) + timedelta(days=62))
    days = rules.month_days(month)[:25]
    slots = [(unit, frame, day) for unit in units for frame in unit.frames.all() for day in days]
    now = timezone.now()
    round = LotteryRound.objects.create(
        facility=facility,
        month=month,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(minutes=1),
        max_choices=3,
        max_wins=2,
    )
    users = make_users("lot", n_applications)
    numbers = LotteryApplication.new_numbers(set(), len(users))
    LotteryApplication.objects.bulk_create(
        [LotteryApplication(round=round, user=user, number=n) for user, n in zip(users, numbers, strict=True)],
        batch_size=1000,
    )
    applications = list(round.applications.order_by("pk"))
    rng = random.Random(11)
    LotteryChoice.objects.bulk_create(
        [
            LotteryChoice(application=app, rank=rank, unit=unit, frame=frame, date=day)
            for app in applications
            for rank, (unit, frame, day) in enumerate(rng.sample(slots, 3), start=1)
        ],
        batch_size=2000,
    )
    began = time.perf_counter()
    lottery_services.draw(round)
    seconds = time.perf_counter() - began
    round.refresh_from_db()
    # The result mails are queued after the draw commits, by a task (here: called directly).
    began = time.perf_counter()
    lottery_services.mail_results(round)
    mail_seconds = time.perf_counter() - began
    won = round.applications.filter(status=LotteryApplication.Status.WON).count()
    wins = LotteryChoice.objects.filter(application__round=round, reservation__isnull=False).count()
    pure = time_pure_draw(applications=n_applications)
    from notifications.models import OutboundMail

    return {
        "applications": n_applications,
        "slots": len(slots),
        "seconds": seconds,
        "mail_seconds": mail_seconds,
        "winners": won,
        "slots_won": wins,
        "mails": OutboundMail.objects.filter(idempotency_key__startswith="facilities:lottery:result:").count(),
        "status": round.status,
        "pure_s": pure,
    }


# --- HTTP -------------------------------------------------------------------------------------
class Gunicorn:
    def __init__(self, workers: int, threads: int) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.process: subprocess.Popen | None = None
        self.log = Path("/tmp") / f"{BENCH_DB}-gunicorn.log"

    def start(self) -> Gunicorn:
        env = {**os.environ, **ENV}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request("GET", self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def server_errors(self) -> int:
        """Lines the server logged at ERROR (Django logs every 5xx response there)."""
        return sum(" ERROR " in line for line in self.log.read_text(errors="replace").splitlines())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def request(method: str, port: int, path: str, body: str = "", cookies: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": "127.0.0.1", "Connection": "close"}
    if cookies:
        headers["Cookie"] = cookies
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def signed_in(users) -> list[tuple[object, str, str]]:
    """A session and a CSRF secret per user, as cookies for raw HTTP requests."""
    from django.test import Client

    out = []
    for user in users:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as the form token
        out.append((user, f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}", csrf))
    return out


def http_posts(port: int, jobs: list[tuple[str, str]], concurrency: int) -> dict:
    """POST each (path?cookies, body) with ``concurrency`` client threads; all start together."""
    statuses: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()
    chunks = [jobs[i::concurrency] for i in range(concurrency)]
    barrier = threading.Barrier(len(chunks))

    def run(chunk) -> None:
        barrier.wait()
        for path, cookies, body in chunk:
            began = time.perf_counter()
            try:
                status, _ = request("POST", port, path, body, cookies)
            except OSError:
                status = 599
            with lock:
                statuses.append(status)
                latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return {
        "statuses": {s: statuses.count(s) for s in sorted(set(statuses))},
        "seconds": seconds,
        "rate": len(jobs) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
    }


def booking_job(facility, frame, day, user_cookie) -> tuple[str, str, str]:
    _user, cookies, csrf = user_cookie
    body = urlencode({"csrfmiddlewaretoken": csrf, "date": day.isoformat(), "frame": frame.pk, "club": ""})
    return f"/facilities/{facility.slug}/book/", cookies, body


def http_month(port: int, path: str, n: int) -> dict:
    for _ in range(20):  # warm-up: imports, template caches, connections
        request("GET", port, path)
    times, statuses = [], set()
    for _ in range(n):
        began = time.perf_counter()
        status, body = request("GET", port, path)
        times.append(time.perf_counter() - began)
        statuses.add(status)
    return {
        "statuses": sorted(statuses),
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "max_ms": max(times) * 1000,
        "bytes": len(body),
    }


# --- Report -----------------------------------------------------------------------------------
def main() -> int:
    args = parse_args()
    create_database(BENCH_DB)
    flush_redis(REDIS_URL)
    setup_django()

    from django.db import connections
    from django.utils import timezone

    from facilities import rules
    from facilities.models import Reservation

    rows: list[tuple[str, str]] = []
    failed: list[str] = []
    server = None
    try:
        info = machine()
        day = bookable_days(1)[0]

        # (a) service level
        facility_a, (unit_a,) = make_facility("bench-contest", units=1, frames=THREE)
        frame_a = unit_a.frames.get(label="午前")
        racers = make_users("race", args.attempts)
        print(f"(a) {args.attempts} people race for one slot (service) ...", flush=True)
        a = contest(unit_a, frame_a, day, racers, args.max_connections)
        rows += [
            ("(a) racers / connections at once", f"{args.attempts} / {min(args.max_connections, args.attempts)}"),
            ("(a) won / refused / other errors", f"{a['won']} / {a['refused']} / {len(a['errors'])}"),
            ("(a) refused by the database constraint", f"{a['by_db']} (the rest by the pre-check)"),
            ("(a) refusal message", " | ".join(a["messages"])[:100]),
            ("(a) all attempts done in", f"{a['seconds']:.2f} s"),
        ]
        if (a["won"], a["refused"], a["errors"]) != (1, args.attempts - 1, []):
            failed.append(f"(a) service: {a['won']} won, {a['refused']} refused, errors {a['errors'][:3]}")

        # (b) service level
        facility_b, units_b = make_facility("bench-distinct", units=20, frames=THREE)
        slots_b = [(u, f, d) for d in bookable_days(60) for u in units_b for f in u.frames.all()]
        need = 2 * args.distinct
        if len(slots_b) < need:
            raise RuntimeError(f"only {len(slots_b)} distinct slots for {need} bookings")
        bookers = make_users("dist", need)
        jobs = [(user, *slot) for user, slot in zip(bookers, slots_b, strict=False)]
        print(f"(b) {args.distinct} bookings of distinct slots, 1 thread and {args.threads} threads ...", flush=True)
        b1 = distinct_run(jobs[: args.distinct], 1)
        b8 = distinct_run(jobs[args.distinct : need], args.threads)
        for label, b in (("1 thread", b1), (f"{args.threads} threads", b8)):
            rows.append(
                (
                    f"(b) distinct slots, {label}",
                    f"{b['rate']:.0f} bookings/s ({b['n']} in {b['seconds']:.1f} s; "
                    f"p50 {b['p50_ms']:.0f} ms, p95 {b['p95_ms']:.0f} ms; errors {len(b['errors'])})",
                )
            )
            if b["errors"]:
                failed.append(f"(b) {label}: {b['errors'][:3]}")

        # (c) a year of bookings, selector level
        facility_c, units_c = make_facility("bench-month", units=5, frames=HOURLY)
        for unit in units_c:
            unit.bench_frames = list(unit.frames.all())
        print("(c) booking a year of hourly slots at 90 % ...", flush=True)
        booked_year = fill_year(facility_c, units_c, share=0.9)
        month = rules.first_of_month(rules.first_of_month(timezone.localdate()) + timedelta(days=32))
        sel_unit = time_selector(facility_c, month, one_unit=True)
        sel = time_selector(facility_c, month)
        facility_e, _ = make_facility("bench-month-empty", units=5, frames=HOURLY)
        queries_full, queries_empty = month_page_queries(facility_c, facility_e, month)
        if queries_full != queries_empty:
            failed.append(f"(c) month page: {queries_full} queries full, {queries_empty} empty")
        rows += [
            ("(c) facility", f"5 units × 13 hourly frames, {booked_year} reservations over a year (90 %)"),
            (
                "(c) availability selector, one unit's month",
                f"p50 {sel_unit['p50_ms']:.1f} ms, p95 {sel_unit['p95_ms']:.1f} ms",
            ),
            ("(c) availability selector, whole facility", f"p50 {sel['p50_ms']:.1f} ms, p95 {sel['p95_ms']:.1f} ms"),
            ("(c) month page queries: full / empty month", f"{queries_full} / {queries_empty}"),
        ]

        # (d) the lottery
        print(f"(d) lottery: {args.applications} applications × 3 choices ...", flush=True)
        d = lottery_run(args.applications)
        rows += [
            (
                "(d) lottery draw (database)",
                f"{d['seconds']:.2f} s for {d['applications']} applications over {d['slots']} slots "
                f"(target < {LOTTERY_TARGET_S} s)",
            ),
            ("(d) then queueing the result mails", f"{d['mail_seconds']:.2f} s"),
            ("(d) winners / slots won / result mails", f"{d['winners']} / {d['slots_won']} / {d['mails']}"),
            ("(d) pure draw (no database)", f"{d['pure_s']:.2f} s"),
        ]
        if d["status"] != "drawn" or d["mails"] != d["applications"]:
            failed.append(f"(d) round {d['status']}, {d['mails']} mails")

        if not args.no_http:
            connections.close_all()
            print(f"HTTP: gunicorn {args.http_workers} workers × {args.http_threads} threads ...", flush=True)
            server = Gunicorn(args.http_workers, args.http_threads).start()

            # (a) over HTTP: a fresh slot, fresh people, all POSTs at once.
            frame_h = unit_a.frames.get(label="午後")
            people = signed_in(make_users("hrace", args.attempts))
            jobs_h = [booking_job(facility_a, frame_h, day, p) for p in people]
            ah = http_posts(server.port, jobs_h, concurrency=len(jobs_h))
            won_h = Reservation.objects.filter(frame=frame_h, date=day, status=Reservation.Status.CONFIRMED).count()
            fivexx = sum(n for s, n in ah["statuses"].items() if s >= 500)
            rows += [
                ("(a) HTTP: simultaneous POSTs", f"{args.attempts} (gunicorn {args.http_workers}×{args.http_threads})"),
                ("(a) HTTP: status codes", ", ".join(f"{s}×{n}" for s, n in ah["statuses"].items())),
                ("(a) HTTP: booked / 5xx", f"{won_h} / {fivexx} (all answered in {ah['seconds']:.2f} s)"),
            ]
            if ah["statuses"] != {302: 1, 409: args.attempts - 1} or won_h != 1:
                failed.append(f"(a) HTTP: {ah['statuses']}, {won_h} booked")

            # (b) over HTTP
            facility_h, units_h = make_facility("bench-distinct-http", units=20, frames=THREE)
            slots_h = [(u, f, d) for d in bookable_days(60) for u in units_h for f in u.frames.all()]
            slots_h = slots_h[: args.distinct]
            people = signed_in(make_users("hdist", len(slots_h)))
            jobs_h = [booking_job(facility_h, f, d_, p) for (u, f, d_), p in zip(slots_h, people, strict=True)]
            bh = http_posts(server.port, jobs_h, concurrency=args.threads)
            rows.append(
                (
                    f"(b) HTTP: distinct slots, {args.threads} clients",
                    f"{bh['rate']:.0f} bookings/s ({len(jobs_h)} in {bh['seconds']:.1f} s; p50 {bh['p50_ms']:.0f} ms, "
                    f"p95 {bh['p95_ms']:.0f} ms; {', '.join(f'{s}×{n}' for s, n in bh['statuses'].items())})",
                )
            )
            if set(bh["statuses"]) != {302}:
                failed.append(f"(b) HTTP: {bh['statuses']}")

            # (c) over HTTP
            path = f"/facilities/{facility_c.slug}/units/{units_c[0].pk}/?month={month:%Y-%m}"
            ch = http_month(server.port, path, args.requests)
            rows.append(
                (
                    "(c) HTTP: month page",
                    f"p50 {ch['p50_ms']:.1f} ms, p95 {ch['p95_ms']:.1f} ms, max {ch['max_ms']:.0f} ms "
                    f"({args.requests} requests, {ch['bytes']} bytes, status {ch['statuses']}; "
                    f"target p95 < {P95_TARGET_MS} ms)",
                )
            )
            if ch["statuses"] != [200]:
                failed.append(f"(c) HTTP: status {ch['statuses']}")

            errors_logged = server.server_errors()
            rows.append(("HTTP: errors in the server log", f"{errors_logged} ({server.log})"))
            if errors_logged:
                failed.append(f"server logged {errors_logged} errors, see {server.log}")

        rows += [
            ("load average (1 min) at end", f"{os.getloadavg()[0]:.2f}"),
            ("nproc", info["nproc"]),
            ("CPU", info["cpu"]),
            ("Python / Django", f"{info['python']} / {info['django']}"),
            ("PostgreSQL", info["postgresql"]),
        ]
        width = max(len(k) for k, _ in rows)
        print()
        for key, value in rows:
            print(f"{key:<{width}}  {value}")
        for failure in failed:
            print(f"FAILED: {failure}")
        return 1 if failed else 0
    finally:
        if server is not None:
            server.stop()
        connections.close_all()
        flush_redis(REDIS_URL)
        drop_database(BENCH_DB)


if __name__ == "__main__":
    sys.exit(main())
