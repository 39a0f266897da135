"""Real Celery worker processes for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """A URL for the database this process uses right now (the test database under pytest)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class CeleryWorker:
    """``celery worker`` in its own process group, so a test can SIGKILL all of it at once."""

    def __init__(
        self,
        *,
        smtp_port: int,
        concurrency: int = 2,
        beat: bool = False,
        extra_env: dict[str, str] | None = None,
        name: str = "w1",
    ) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "3",
            "CELERY_TASK_SOFT_TIME_LIMIT": "4",
            "CELERY_TASK_TIME_LIMIT": "5",
            "OUTBOX_LEASE_SECONDS": "6",
            "OUTBOX_RETRY_BASE_SECONDS": "1",
            "OUTBOX_RETRY_MAX_SECONDS": "2",
            "OUTBOX_SWEEP_SECONDS": "1",
            "OUTBOX_SWEEP_GRACE_SECONDS": "2",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' setting, not a worker's
        self.concurrency = concurrency
        self.beat = beat
        self.name = name
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="celery-", suffix=".log", delete=False)  # noqa: SIM115 - lives as long as the worker

    def start(self) -> CeleryWorker:
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(self.concurrency),
            "--pool",
            "prefork",
            "--hostname",
            f"{self.name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if self.beat:
            cmd += ["--beat", "--schedule", str(Path(tempfile.mkdtemp(prefix="beat-")) / "schedule")]
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no clean-up, no acknowledgement, like a power cut."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")


def wait_until(predicate, timeout: float, interval: float = 0.1, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")
