"""Act as a card reader: sign and post taps to the terminal API, or buffer them offline and re-upload.

    python manage.py simulate_terminal --terminal-key KEYID --secret SECRET --card CARDID
    python manage.py simulate_terminal ... --card CARDID --kind out --count 3 --offline
    python manage.py simulate_terminal --terminal-key KEYID --secret SECRET --flush

The secret may also come from the environment variable TERMINAL_SECRET (keeps it out of the
shell history). As a real reader does, events that cannot be delivered are kept in the buffer
(``--buffer``, default ``<PORTAL_VAR_DIR>/terminal-buffers/<key id>.jsonl``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safety.terminal_client import MAX_BATCH, EventBuffer, TerminalClient, TerminalOffline, new_event


def default_buffer(key_id: str) -> Path:
    return Path(settings.VAR_DIR) / "terminal-buffers" / f"{key_id}.jsonl"


@dataclass
class Outcome:
    lines: list[str]
    failed: bool = False


def simulate(
    *,
    url: str,
    key_id: str,
    secret: str,
    card: str | None = None,
    kind: str = "in",
    count: int = 1,
    offline: bool = False,
    flush: bool = False,
    buffer: Path | None = None,
) -> Outcome:
    """What the command does, as a function the tests call: touch ``count`` times, or flush the buffer."""
    client = TerminalClient(url, key_id, secret)
    store = EventBuffer(buffer or default_buffer(key_id))
    if flush:
        report = store.flush(client)
        lines = [
            f"Buffer {store.path}: {report.buffered} event(s); accepted {report.accepted}, "
            f"duplicate {report.duplicate}, rejected {len(report.rejected)}; {report.remaining} left in the buffer."
        ]
        lines += [f"  rejected {r.get('event_id')}: {r.get('error')}" for r in report.rejected]
        if report.error:
            lines.append(f"Stopped: {report.error}")
        return Outcome(lines, failed=bool(report.error))
    events = [new_event(card, kind) for _ in range(count)]
    if offline:
        store.append(events)
        return Outcome([f"Offline: kept {len(events)} event(s) in {store.path}; send them with --flush."])
    totals = {"accepted": 0, "duplicate": 0, "rejected": 0}
    lines = []
    for start in range(0, len(events), MAX_BATCH):
        batch = events[start : start + MAX_BATCH]
        try:
            answer = client.post_events(batch)
        except TerminalOffline as error:
            answer, problem = None, f"Server unreachable ({error})"
        else:
            problem = "" if answer.ok else _problem(answer)
        if problem:
            # A reader never drops a touch: what was not delivered waits in the buffer for --flush.
            store.append(events[start:])
            return Outcome([*lines, problem, f"Kept {len(events) - start} event(s) in {store.path}."], failed=True)
        for name in totals:
            totals[name] += answer.data[name]
        lines += [f"  {r['status']} {r['event_id']} {r.get('error', '')}".rstrip() for r in answer.data["results"]]
    summary = ", ".join(f"{name} {number}" for name, number in totals.items())
    return Outcome([f"Sent {len(events)} event(s): {summary}.", *lines])


def _problem(answer) -> str:
    return f"HTTP {answer.status} {answer.data.get('error')}: {answer.data.get('message')}"


class Command(BaseCommand):
    help = "Sign and post card taps as a terminal does, with offline buffering and re-upload."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The portal's address.")
        parser.add_argument("--terminal-key", required=True, help="The key id (X-Terminal-Key).")
        parser.add_argument("--secret", default=os.environ.get("TERMINAL_SECRET"), help="The key's secret.")
        parser.add_argument("--card", help="The card ID as the reader reads it.")
        parser.add_argument("--kind", choices=["in", "out", "touch"], default="in")
        parser.add_argument("--count", type=int, default=1, help="How many touches (each its own event).")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--offline", action="store_true", help="Keep the touches in the buffer, send nothing.")
        mode.add_argument("--flush", action="store_true", help="Upload the buffer; keep what was not acknowledged.")
        parser.add_argument("--buffer", type=Path, help="Buffer file (default: per key id under PORTAL_VAR_DIR).")

    def handle(self, *args, **options):
        if not options["secret"]:
            raise CommandError("Give --secret or set TERMINAL_SECRET.")
        if not options["flush"] and not options["card"]:
            raise CommandError("Give --card (or --flush to upload the buffer).")
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        outcome = simulate(
            url=options["url"],
            key_id=options["terminal_key"],
            secret=options["secret"],
            card=options["card"],
            kind=options["kind"],
            count=options["count"],
            offline=options["offline"],
            flush=options["flush"],
            buffer=options["buffer"],
        )
        for line in outcome.lines:
            self.stdout.write(line)
        if outcome.failed:
            raise CommandError("Not everything was delivered; the events are in the buffer.")
