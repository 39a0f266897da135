"""A terminal's side of the terminal API, as a card reader's firmware does it: sign, post, buffer, re-upload.

Used by the ``simulate_terminal`` command, the tests and the benchmark. It uses only the
Python standard library (urllib, hmac) and signs exactly as docs/terminal-api.md describes,
independently of the server's code, so it also checks that the documentation is right.

Rules a real terminal follows, and this one too:

* Every event gets its UUID and its time when the card is touched; both stay the same when it
  is sent again, so the server stores it once however often it is uploaded.
* Offline, events go to a local buffer (one JSON object a line). A flush uploads the buffer in
  batches of at most 500 and removes an event only when the server acknowledged it (accepted or
  duplicate). A rejected event stays for a person to look at; nothing is thrown away silently.
* Every attempt is signed again with the current time; a signed request is never re-sent.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

EVENTS_PATH = "/api/terminals/v1/events"
MAX_BATCH = 500
ACKNOWLEDGED = {"accepted", "duplicate"}


class TerminalOffline(Exception):
    """The server could not be reached (or did not answer with JSON); the events must be kept."""


@dataclass(frozen=True)
class Answer:
    status: int
    data: dict

    @property
    def ok(self) -> bool:
        return self.status == 200

    def acknowledged_ids(self) -> set[str]:
        return {r["event_id"] for r in self.data.get("results", []) if r.get("status") in ACKNOWLEDGED}


def new_event(card: str, kind: str = "in", occurred_at: datetime | None = None) -> dict:
    """One card touch as the reader records it: a fresh UUID and the local time with its offset."""
    occurred_at = occurred_at or datetime.now().astimezone()
    return {
        "event_id": str(uuid.uuid4()),
        "card": card,
        "kind": kind,
        "occurred_at": occurred_at.isoformat(timespec="milliseconds"),
    }


def signature(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256(secret, METHOD + "\\n" + PATH + "\\n" + TIMESTAMP + "\\n" + hex SHA-256(body))."""
    message = f"{method.upper()}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class TerminalClient:
    base_url: str
    key_id: str
    secret: str
    timeout: float = 10.0

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + EVENTS_PATH

    def post_events(self, events: list[dict]) -> Answer:
        """Sign and POST one batch. Raises TerminalOffline when there is no JSON answer to act on.

        The same batch sent twice within one second would carry the same signature and be refused
        as a replay (409); then it is signed again in the next second and sent once more.
        """
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
        answer = self._send(body)
        if answer.status == 409 and answer.data.get("error") == "replayed_request":
            time.sleep(1.05 - time.time() % 1)
            answer = self._send(body)
        return answer

    def _send(self, body: bytes) -> Answer:
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's --url
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Terminal-Key": self.key_id,
                "X-Timestamp": timestamp,
                "X-Signature": signature(self.secret, "POST", urlsplit(self.url).path, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return Answer(response.status, _json(response.read()))
        except urllib.error.HTTPError as error:
            data = _json(error.read())
            if error.code >= 500 or not data:
                raise TerminalOffline(f"HTTP {error.code}") from error
            return Answer(error.code, data)
        except (urllib.error.URLError, OSError) as error:
            raise TerminalOffline(str(getattr(error, "reason", error))) from error


def _json(raw: bytes) -> dict:
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class EventBuffer:
    """Events not yet acknowledged by the server, one JSON object a line, safe for concurrent use."""

    path: Path

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, events: list[dict]) -> None:
        with self._locked(), open(self.path, "a", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def _read(self) -> list[dict]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def events(self) -> list[dict]:
        with self._locked():
            return self._read()

    def _write(self, events: list[dict]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)  # all or nothing: a crash never loses the buffer

    def flush(self, client: TerminalClient) -> FlushReport:
        """Upload the buffer in batches; keep what the server did not acknowledge."""
        report = FlushReport()
        with self._locked():
            pending = self._read()
            report.buffered = len(pending)
            for start in range(0, len(pending), MAX_BATCH):
                batch = pending[start : start + MAX_BATCH]
                try:
                    answer = client.post_events(batch)
                except TerminalOffline as error:
                    report.error = f"server unreachable: {error}"
                    break
                if not answer.ok:
                    report.error = f"HTTP {answer.status}: {answer.data.get('error')}: {answer.data.get('message')}"
                    break
                report.add(answer)
            kept = [e for e in pending if str(e.get("event_id")) not in report.acknowledged]
            self._write(kept)
            report.remaining = len(kept)
        return report


@dataclass
class FlushReport:
    buffered: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: list[dict] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    remaining: int = 0
    error: str = ""

    def add(self, answer: Answer) -> None:
        self.accepted += answer.data.get("accepted", 0)
        self.duplicate += answer.data.get("duplicate", 0)
        self.rejected += [r for r in answer.data.get("results", []) if r.get("status") == "rejected"]
        self.acknowledged |= answer.acknowledged_ids()
