"""The terminal simulator against a running portal (live server): send, buffer offline, re-upload once."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command

from notifications.models import OutboundMail
from safety.management.commands.simulate_terminal import simulate
from safety.models import Tap
from safety.terminal_client import EventBuffer, TerminalClient
from tests.safety.factories import CARD, enrol_child, make_gate

# Transactional tests flush the database; serialized_rollback brings back what the
# migrations made, and keeps Django from re-making part of it after the flush (post_migrate),
# which would clash with the next restore.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def reader(live_server, tmp_path):
    child = enrol_child()
    _terminal, key = make_gate()
    options = {"url": live_server.url, "key_id": key.key_id, "secret": key.secret, "buffer": tmp_path / "buffer.jsonl"}
    return child, options


def tap_mails():
    return OutboundMail.objects.filter(category="safety_tap")


def test_online_touch_is_stored_and_mails_the_guardian(reader):
    child, options = reader
    outcome = simulate(card=CARD, kind="in", count=2, **options)
    assert not outcome.failed
    assert outcome.lines[0] == "Sent 2 event(s): accepted 2, duplicate 0, rejected 0."
    assert Tap.objects.filter(member=child).count() == 2
    assert tap_mails().count() == 2


def test_offline_touches_wait_in_the_buffer_and_a_flush_stores_each_once(reader):
    child, options = reader
    simulate(card=CARD, kind="in", count=3, offline=True, **options)
    simulate(card="FFFF0000FFFF0000", kind="out", offline=True, **options)
    buffered = EventBuffer(options["buffer"]).events()
    assert len(buffered) == 4
    assert not Tap.objects.exists(), "nothing was sent while offline"

    outcome = simulate(flush=True, **options)

    assert not outcome.failed, outcome.lines
    assert "accepted 4, duplicate 0, rejected 0; 0 left in the buffer" in outcome.lines[0]
    assert EventBuffer(options["buffer"]).events() == []
    stored = {str(t.event_id): t.occurred_at for t in Tap.objects.all()}
    assert stored == {e["event_id"]: datetime.fromisoformat(e["occurred_at"]) for e in buffered}, (
        "each event keeps its id and the time of the touch, not of the upload"
    )
    assert tap_mails().count() == 3, "three taps of the known card, the unknown one mails nobody"

    # The terminal crashed before it cleared its buffer and uploads the same events again.
    EventBuffer(options["buffer"]).append(buffered)
    outcome = simulate(flush=True, **options)
    assert "accepted 0, duplicate 4" in outcome.lines[0]
    assert Tap.objects.count() == 4 and tap_mails().count() == 3


def test_flush_keeps_what_the_server_did_not_acknowledge(reader):
    _child, options = reader
    buffer = EventBuffer(options["buffer"])
    buffer.append([{"event_id": "not-a-uuid", "card": CARD, "kind": "in", "occurred_at": "2025-04-14T08:02:11+09:00"}])
    simulate(card=CARD, offline=True, **options)

    outcome = simulate(flush=True, **options)

    assert "accepted 1, duplicate 0, rejected 1; 1 left in the buffer" in outcome.lines[0]
    assert [e["event_id"] for e in buffer.events()] == ["not-a-uuid"]


def test_flush_with_a_wrong_secret_keeps_the_whole_buffer(reader):
    _child, options = reader
    simulate(card=CARD, count=2, offline=True, **options)
    outcome = simulate(flush=True, **{**options, "secret": "wrong"})
    assert outcome.failed
    assert "HTTP 401: bad_signature" in outcome.lines[-1]
    assert len(EventBuffer(options["buffer"]).events()) == 2
    assert not Tap.objects.exists()


def test_unreachable_server_keeps_the_touch_in_the_buffer(reader):
    _child, options = reader
    outcome = simulate(card=CARD, **{**options, "url": "http://127.0.0.1:9"})
    assert outcome.failed
    assert len(EventBuffer(options["buffer"]).events()) == 1


def test_command_line(reader):
    _child, options = reader
    common = ["--url", options["url"], "--terminal-key", options["key_id"], "--secret", options["secret"]]
    common += ["--buffer", str(options["buffer"])]
    out = io.StringIO()
    call_command("simulate_terminal", *common, "--card", CARD, "--kind", "out", stdout=out)
    assert "accepted 1" in out.getvalue()
    assert Tap.objects.get().kind == "out"
    with pytest.raises(CommandError, match="--card"):
        call_command("simulate_terminal", *common, stdout=io.StringIO())


def test_client_signs_as_the_docs_say(reader):
    """The client signs independently of the server's code; a 200 proves both follow the same rule."""
    _child, options = reader
    client = TerminalClient(options["url"], options["key_id"], options["secret"])
    answer = client.post_events([])
    assert (answer.status, answer.data) == (200, json.loads('{"results":[],"accepted":0,"duplicate":0,"rejected":0}'))
