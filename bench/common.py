"""What every benchmark needs: its own PostgreSQL database, a clean Redis, a free port, the machine.

The scripts run as ``python bench/<name>.py`` from the repository root; each puts the root on
``sys.path`` and imports this module as ``bench.common``.
"""

from __future__ import annotations

import os
import platform
import socket
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = "127.0.0.1:5432"
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}/postgres"


def database_url(name: str) -> str:
    return f"postgres://postgres@{PG_HOST}/{name}"


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_database(name: str) -> None:
    """An empty database of this name, replacing one left by an earlier run."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def machine() -> dict[str, str]:
    """CPU count and model, Python and PostgreSQL versions (Django must be set up)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "postgresql": pg_version,
    }


def wait_for_worker(worker, timeout: float = 60, *, by_name: bool = False) -> None:
    """Until the Celery worker answers a ping (only this one with ``by_name``); fails if it exits first."""
    from portal.celery import app

    destination = [f"{worker.name}@{socket.gethostname()}"] if by_name else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{worker.output()[-3000:]}")
        if app.control.ping(timeout=1, destination=destination):
            return
    raise RuntimeError(f"worker not ready after {timeout}s:\n{worker.output()[-3000:]}")
