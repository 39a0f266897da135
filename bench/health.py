"""Health log: the year chart and the CSV export of a resident with 10 years of daily measurements.

Run from the repository root::

    .venv/bin/python bench/health.py [--years 10] [--requests 50] [--keep]

It creates (and, without ``--keep``, drops again) the PostgreSQL database ``machi_bench_health``
on the server of ``DATABASE_URL`` (default the local one), migrates it, and gives one resident
10 years of daily measurements (about 40,000 rows): weight every morning (with its derived BMI),
blood pressure and pulse morning and evening, blood glucose three times a day, temperature and
steps once a day, height once a year. A second resident has an empty log. Then, in-process
through Django's test client (the whole request: middleware, session, selectors, template):

(a) **Year chart** ``/my/health/<id>/measurements/blood_pressure/?period=year`` (the type with
    the most rows, 730 a year): p50/p95 over ``--requests`` requests after 5 warm-ups (target
    p95 < 150 ms), and the number of SQL queries, which must equal the empty log's.
    The same for the month chart and for temperature, the log page (latest reading of each type)
    and /my/ with its health panel (for comparison: a page of the site frame with little data).
(b) **CSV export** of everything (``/my/health/<id>/measurements.csv``): seconds for the whole
    file, its rows and size (target < 2 s), best and median of 5.

Exits non-zero if a query count differs from the empty log's or a request fails (not for a missed
speed target). Redis: databases 4 (cache) and 5 (broker) unless ``REDIS_URL`` / ``CELERY_BROKER_URL``
say otherwise; nothing is flushed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import create_database, drop_database  # noqa: E402

BENCH_DB = "machi_bench_health"
P95_TARGET_MS = 150
CSV_TARGET_S = 2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="years of daily measurements (default 10)")
    parser.add_argument("--requests", type=int, default=50, help="chart pages fetched per case (default 50)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def bench_database_url() -> str:
    """``DATABASE_URL``'s server with the benchmark's own database name."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + BENCH_DB, "", ""))


def setup_django() -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected here
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": bench_database_url(),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4"),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
            "DEBUG": "0",
            "LOG_LEVEL": "ERROR",
            "DB_CONN_MAX_AGE": "60",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def build(years: int):
    """A resident with ``years`` of daily readings, and one with an empty log."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from health.measurements import services
    from health.measurements.selectors import TOKYO
    from health.models import HealthRecord, Measurement
    from portal.models import User

    rng = random.Random(13)
    users = [User.objects.create(email=f"health-bench-{i}@example.jp", password=make_password(None)) for i in range(2)]
    full, empty = (HealthRecord.objects.create(user=u) for u in users)
    today = timezone.localdate()
    first = today - timedelta(days=365 * years - 1)
    rows: list[Measurement] = []

    def add(day, hour, minute, type_key, value, value2=None):
        at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)
        rows.append(Measurement(record=full, type=type_key, value=value, value2=value2, measured_at=at))

    weight = 68.0
    for n in range((today - first).days + 1):
        day = first + timedelta(days=n)
        weight = min(90.0, max(55.0, weight + rng.uniform(-0.25, 0.25)))
        add(day, 6, 30, "weight", Decimal(f"{weight:.2f}"))
        for hour in (6, 21):
            sys_bp = rng.randint(112, 148)
            add(day, hour, 35, "blood_pressure", Decimal(sys_bp), Decimal(sys_bp - rng.randint(35, 55)))
            add(day, hour, 36, "pulse", Decimal(rng.randint(58, 88)))
        for hour in (7, 12, 19):
            add(day, hour, 50, "glucose", Decimal(rng.randint(80, 160)))
        temp = 36.6 + rng.gauss(0, 0.25) + (1.6 if rng.random() < 0.01 else 0)
        add(day, 7, 0, "temperature", Decimal(f"{temp:.1f}"))
        add(day, 23, 0, "steps", Decimal(rng.randint(2000, 14000)))
        if day.month == 4 and day.day == 1:
            add(day, 9, 0, "height", Decimal("170.5"))
    Measurement.objects.bulk_create(rows, batch_size=5000)
    services.rederive_bmi(record=full)  # the BMI of each weight, as entry would have made it
    services.set_goal(record=full, type_key="blood_pressure", low=None, high=Decimal(135), high2=Decimal(85))
    services.set_goal(record=full, type_key="temperature", low=Decimal("36.0"), high=Decimal("37.2"))
    return full, empty, users


def query_count(client, url: str) -> int:
    """SQL queries of one request: the least of 3 (a cache entry of the site frame may expire meanwhile)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    return min(counts)


def timed_gets(client, url: str, n: int) -> dict:
    for _ in range(5):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(n):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "max_ms": max(times) * 1000,
        "queries": query_count(client, url),
        "bytes": len(response.content),
    }


def main() -> int:
    args = parse_args()
    setup_django_done = False
    url = bench_database_url()
    create_database(BENCH_DB) if "127.0.0.1" in url or "localhost" in url else None
    try:
        setup_django()
        setup_django_done = True
        from django.test import Client
        from django.urls import reverse

        from bench.common import machine
        from health.models import Measurement

        began = time.perf_counter()
        full, empty, users = build(args.years)
        total = Measurement.objects.filter(record=full).count()
        print(f"data: {total:,} measurements over {args.years} years in {time.perf_counter() - began:.1f} s")
        print("machine:", machine(), f"load average {os.getloadavg()[0]:.1f}")

        failed = False
        client, empty_client = Client(), Client()
        client.force_login(users[0])
        empty_client.force_login(users[1])
        for type_key in ("blood_pressure", "temperature"):
            for period in ("year", "month"):
                path = reverse("portal:health_chart", args=[full.pk, type_key]) + f"?period={period}"
                result = timed_gets(client, path, args.requests)
                empty_path = reverse("portal:health_chart", args=[empty.pk, type_key]) + f"?period={period}"
                empty_queries = query_count(empty_client, empty_path)
                same = result["queries"] == empty_queries
                failed |= not same
                target = f" (target p95 < {P95_TARGET_MS} ms)" if period == "year" else ""
                print(
                    f"(a) {type_key} {period} chart: p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms"
                    f"{target}, max {result['max_ms']:.0f} ms; {result['queries']} queries"
                    f" (empty log: {empty_queries}{'' if same else ' — DIFFERENT'}); {result['bytes']:,} bytes"
                )

        # The log page (the latest reading of each type) and /my/ (the panel), for comparison.
        for name, path, empty_path in (
            (
                "log page",
                reverse("portal:health_record", args=[full.pk]),
                reverse("portal:health_record", args=[empty.pk]),
            ),
            ("/my/", "/my/", "/my/"),
        ):
            result = timed_gets(client, path, args.requests)
            empty_queries = query_count(empty_client, empty_path)
            same = result["queries"] == empty_queries
            failed |= not same
            print(
                f"(a) {name}: p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms,"
                f" max {result['max_ms']:.0f} ms;"
                f" {result['queries']} queries (empty log: {empty_queries}{'' if same else ' — DIFFERENT'})"
            )

        csv_url = reverse("portal:health_measurements_csv", args=[full.pk])
        times = []
        for _ in range(5):
            began = time.perf_counter()
            response = client.get(csv_url)
            times.append(time.perf_counter() - began)
            failed |= response.status_code != 200
        lines = response.content.count(b"\n")
        print(
            f"(b) CSV export: best {min(times):.2f} s, median {statistics.median(times):.2f} s"
            f" (target < {CSV_TARGET_S} s); {lines - 1:,} rows, {len(response.content) / 1e6:.1f} MB"
        )
        return 1 if failed else 0
    finally:
        if setup_django_done:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(BENCH_DB)


if __name__ == "__main__":
    sys.exit(main())
