"""The terminal API (docs/terminal-api.md): signed batches of card taps, each stored and mailed once."""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from notifications.models import OutboundMail
from portal.models import User
from safety import api, terminals
from safety.models import SeenSignature, Tap, TerminalKey
from safety.tasks import purge_seen_signatures
from safety.terminals import sign
from tests.safety.factories import CARD, PATH, SCHOOL, add_guardian, enrol_child, event, make_gate, post, signed

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ROOT = Path(__file__).resolve().parents[2]
TOKYO = ZoneInfo("Asia/Tokyo")
MORNING = datetime(2025, 4, 14, 8, 2, 11, tzinfo=TOKYO)


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # a terminal has no CSRF token; the API must not need one


@pytest.fixture
def gate():
    return make_gate()


@pytest.fixture
def key(gate):
    return gate[1]


@pytest.fixture
def child():
    return enrol_child()


@pytest.fixture
def clock(monkeypatch):
    """Set the portal's clock (when a tap is received); request timestamps stay on the real clock."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def mails():
    return OutboundMail.objects.filter(category="safety_tap").order_by("pk")


def assert_refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["error"] == code
    assert data["message"]
    return data


# --- Accepted taps and their mails ------------------------------------------------------------
def test_valid_batch_is_accepted_stored_and_mails_the_guardian_with_time_and_school(client, key, child, clock):
    clock(MORNING + timedelta(seconds=20))
    arrived, left = event(occurred_at=MORNING), event(kind="out", occurred_at=MORNING + timedelta(seconds=5))

    response = post(client, key, {"events": [arrived, left]})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"event_id": arrived["event_id"], "status": "accepted"},
            {"event_id": left["event_id"], "status": "accepted"},
        ],
        "accepted": 2,
        "duplicate": 0,
        "rejected": 0,
    }
    taps = Tap.objects.order_by("occurred_at")
    assert [(t.member, t.kind, t.mail_state) for t in taps] == [(child, "in", "queued"), (child, "out", "queued")]
    assert CARD not in str(list(Tap.objects.values())), "the raw card ID is never stored"
    first, second = mails()
    assert first.to_email == child.household.owner.email
    assert first.subject == f"太郎 arrived at {SCHOOL}"
    assert f"太郎 arrived at {SCHOOL} at 08:02." in first.body_text
    assert second.subject == f"太郎 left {SCHOOL}"
    assert "late" not in first.body_text


def test_japanese_guardian_gets_the_mail_in_japanese_with_the_time_and_school(client, key, clock):
    # 「太郎さんが 8:02 にみどり町立中央小学校に登校しました」 once the lead's catalogue is in; until then
    # only what any wording must contain is asserted: the name, the time, the school and the language.
    child = enrol_child(owner_language="ja")
    clock(MORNING + timedelta(seconds=20))
    post(client, key, {"events": [event(occurred_at=MORNING)]})
    [mail] = mails()
    assert mail.language == "ja"
    for text in (mail.subject, mail.body_text):
        assert "太郎" in text and SCHOOL in text
    assert "8:02" in mail.body_text
    assert mail.to_email == child.household.owner.email


def test_tap_mails_carry_the_one_click_unsubscribe_link_in_the_body_in_each_language(client, key, clock):
    child = enrol_child(owner_language="ja")
    clock(MORNING + timedelta(seconds=20))
    post(client, key, {"events": [event(occurred_at=MORNING)]})
    [mail] = mails()
    link = mail.headers["List-Unsubscribe"].strip("<>")
    assert f"太郎さんについてのメールをワンクリックで停止：{link}" in mail.body_text

    english = add_guardian(child, language="en")
    OutboundMail.objects.all().delete()
    post(client, key, {"events": [event(occurred_at=MORNING + timedelta(seconds=5), kind="out")]})
    [mail] = mails().filter(to_email=english.email)
    link = mail.headers["List-Unsubscribe"].strip("<>")
    assert f"Stop mails about 太郎 with one click: {link}" in mail.body_text
    assert Client().post(link).status_code == 200, "the link in the body unsubscribes like the header"


def test_both_guardians_get_one_mail_each_in_their_own_language(client, key, child, clock):
    second = add_guardian(child, language="ja")
    clock(MORNING + timedelta(seconds=20))
    post(client, key, {"events": [event(occurred_at=MORNING)]})
    assert sorted(mails().values_list("to_email", "language")) == sorted(
        [(child.household.owner.email, "en"), (second.email, "ja")]
    )
    assert all(m.headers.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click" for m in mails())


def test_reupload_reports_duplicates_and_mails_nobody_twice(client, key, child, clock):
    clock(MORNING + timedelta(seconds=20))
    first, second = event(occurred_at=MORNING), event(kind="out", occurred_at=MORNING + timedelta(seconds=1))
    assert post(client, key, {"events": [first, second]}).json()["accepted"] == 2
    later = event(occurred_at=MORNING + timedelta(seconds=9))

    # The terminal lost the answer and uploads its whole buffer again, plus a new tap; newly signed.
    response = post(client, key, {"events": [first, second, later]}, timestamp=int(time.time()) - 1)

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["duplicate", "duplicate", "accepted"]
    assert (response.json()["accepted"], response.json()["duplicate"]) == (1, 2)
    assert Tap.objects.count() == 3
    assert mails().count() == 3, "one mail per tap and guardian, however often it is uploaded"


def test_the_same_event_twice_in_one_batch_is_stored_once(client, key, child, clock):
    clock(MORNING + timedelta(seconds=20))
    tap = event(occurred_at=MORNING)
    response = post(client, key, {"events": [tap, dict(tap)]})
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "duplicate"]
    assert Tap.objects.count() == 1 and mails().count() == 1


def test_same_event_id_from_another_terminal_is_another_tap(client, key, child, clock):
    _other_terminal, other_key = make_gate(school_name="みどり町立東小学校")
    clock(MORNING + timedelta(seconds=20))
    tap = event(occurred_at=MORNING)
    assert post(client, key, {"events": [tap]}).json()["accepted"] == 1
    assert post(client, other_key, {"events": [tap]}).json()["accepted"] == 1
    assert Tap.objects.count() == 2


def test_unknown_card_is_kept_unmatched_and_mails_nobody(client, key, child, clock):
    clock(MORNING + timedelta(seconds=20))
    response = post(client, key, {"events": [event(card="FFFF0000FFFF0000", occurred_at=MORNING)]})
    assert response.json()["accepted"] == 1
    tap = Tap.objects.get()
    assert (tap.member, tap.card, tap.mail_state) == (None, None, Tap.MailState.UNMATCHED)
    assert not mails().exists()


def test_card_id_spacing_and_case_do_not_matter(client, key, child, clock):
    clock(MORNING + timedelta(seconds=20))
    post(client, key, {"events": [event(card="01 2e 4c 8a 9b 12 34 56", occurred_at=MORNING)]})
    assert Tap.objects.get().member == child


def test_late_upload_mails_the_real_time_and_says_it_is_late(client, key, child, clock):
    clock(MORNING + timedelta(minutes=30))
    post(client, key, {"events": [event(occurred_at=MORNING)]})
    [mail] = mails()
    assert "at 08:02." in mail.body_text, "the time of the tap, not of the upload"
    assert "This mail is late: the terminal sent the touch 30 minutes after it happened." in mail.body_text


def test_upload_older_than_the_limit_is_stored_but_not_mailed(client, key, child, clock, settings):
    settings.SAFETY_MAIL_MAX_AGE_MINUTES = 60
    clock(MORNING + timedelta(minutes=61))
    response = post(client, key, {"events": [event(occurred_at=MORNING)]})
    assert response.json()["accepted"] == 1
    assert Tap.objects.get().mail_state == Tap.MailState.TOO_OLD
    assert not mails().exists()


def test_invalid_events_are_rejected_one_by_one_and_the_valid_ones_stored(client, key, child, clock):
    clock(MORNING + timedelta(seconds=20))
    good = event(occurred_at=MORNING)
    batch = [
        good,
        {"event_id": "not-a-uuid", "card": CARD, "kind": "in", "occurred_at": MORNING.isoformat()},
        event(kind="sideways", occurred_at=MORNING),
        event(card="12", occurred_at=MORNING),
        event(card="0123\x004567", occurred_at=MORNING),
        event(occurred_at="2025-04-14T08:02:11"),  # no time zone
        event(occurred_at="2025-13-45T08:02:11+09:00"),  # well-formed, impossible
        event(occurred_at="0001-01-01T00:00:00+14:00"),  # before the calendar starts, in UTC
        event(occurred_at=MORNING + timedelta(minutes=6)),  # in the future
        "just a string",
        {"event_id": 12},
    ]
    response = post(client, key, {"events": batch})
    assert response.status_code == 200
    data = response.json()
    assert [r["status"] for r in data["results"]] == ["accepted"] + ["rejected"] * 10
    assert (data["accepted"], data["rejected"]) == (1, 10)
    assert data["results"][1] == {"event_id": "not-a-uuid", "status": "rejected", "error": "event_id must be a UUID"}
    assert data["results"][8]["error"] == "occurred_at is in the future"
    assert all(r["error"] for r in data["results"][1:])
    assert Tap.objects.get().event_id.hex == good["event_id"].replace("-", "")
    assert mails().count() == 1


def test_an_empty_batch_is_fine(client, key):
    assert post(client, key, {"events": []}).json() == {"results": [], "accepted": 0, "duplicate": 0, "rejected": 0}


def test_500_events_are_accepted_in_one_request(client, key, clock):
    clock(MORNING + timedelta(seconds=20))
    batch = [event(card=f"CARD{i:04d}", occurred_at=MORNING) for i in range(500)]
    assert post(client, key, {"events": batch}).json()["accepted"] == 500
    assert Tap.objects.count() == 500


# --- Refused requests: clear JSON, nothing stored -----------------------------------------------
def test_bad_signature_is_refused(client, key, child):
    response = post(client, key, {"events": [event(occurred_at=timezone.now())]}, secret="not-the-secret")
    assert_refused(response, 401, "bad_signature")
    assert not Tap.objects.exists() and not SeenSignature.objects.exists()


def test_body_changed_after_signing_is_refused(client, key, child):
    request = signed(key, {"events": [event(occurred_at=timezone.now())]})
    tampered = request.body.replace(b'"in"', b'"out"')
    response = client.post(PATH, data=tampered, content_type="application/json", headers=request.headers)
    assert_refused(response, 401, "bad_signature")
    assert not Tap.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_body_not_sent_as_json_is_refused_with_415_and_nothing_stored(client, key, child, content_type):
    request = signed(key, {"events": [event(occurred_at=timezone.now())]})
    response = client.post(PATH, data=request.body, content_type=content_type, headers=request.headers)
    data = assert_refused(response, 415, "unsupported_media_type")
    assert "application/json" in data["message"]
    assert not Tap.objects.exists() and not SeenSignature.objects.exists()


def test_json_with_a_charset_parameter_is_accepted(client, key, child):
    request = signed(key, {"events": [event(occurred_at=timezone.now())]})
    response = client.post(
        PATH, data=request.body, content_type="Application/JSON; charset=utf-8", headers=request.headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1


def test_signature_for_another_path_is_refused(client, key, child):
    request = signed(key, {"events": []}, path="/api/terminals/v1/other")
    response = client.post(PATH, data=request.body, content_type="application/json", headers=request.headers)
    assert_refused(response, 401, "bad_signature")


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_timestamp_more_than_five_minutes_off_is_refused(client, key, child, offset):
    now = int(time.time())
    response = post(client, key, {"events": [event(occurred_at=timezone.now())]}, timestamp=now + offset)
    data = assert_refused(response, 401, "stale_timestamp")
    assert "stale timestamp" in data["message"]
    assert abs(data["server_time"] - now) <= 2
    assert not Tap.objects.exists()


@pytest.mark.parametrize("offset", [-290, 290])
def test_timestamp_within_five_minutes_is_accepted(client, key, offset):
    response = post(client, key, {"events": []}, timestamp=int(time.time()) + offset)
    assert response.status_code == 200


@pytest.mark.parametrize("timestamp", ["", "soon", "1.7e9", "-5", "１７４４５８５３３５"])
def test_timestamp_that_is_not_unix_seconds_is_refused(client, key, timestamp):
    request = signed(key, {"events": []})
    request.headers["X-Timestamp"] = timestamp
    request.headers["X-Signature"] = sign(key.secret, "POST", PATH, timestamp, request.body)
    response = client.post(PATH, data=request.body, content_type="application/json", headers=request.headers)
    assert_refused(response, 401, "stale_timestamp")


def test_replayed_request_is_refused_and_stores_nothing_twice(client, key, child, clock):
    clock(MORNING + timedelta(seconds=20))
    request = signed(key, {"events": [event(occurred_at=MORNING)]})

    def send():
        return client.post(PATH, data=request.body, content_type="application/json", headers=request.headers)

    assert send().status_code == 200
    data = assert_refused(send(), 409, "replayed_request")
    assert "sign again" in data["message"]
    assert Tap.objects.count() == 1 and mails().count() == 1


def test_missing_and_unknown_keys_are_refused(client, key):
    request = signed(key, {"events": []})
    del request.headers["X-Terminal-Key"]
    response = client.post(PATH, data=request.body, content_type="application/json", headers=request.headers)
    assert_refused(response, 401, "missing_key")
    for key_id in ["0000000000000000", "bad key\nid", "x" * 200]:
        request.headers["X-Terminal-Key"] = key_id
        response = client.post(PATH, data=request.body, content_type="application/json", headers=request.headers)
        assert_refused(response, 401, "unknown_key")


def test_after_rotation_both_keys_work_until_the_old_one_is_revoked(client, gate, child, clock):
    terminal, old = gate
    now = int(time.time())
    new = terminals.rotate_key(terminal)
    assert post(client, old, {"events": []}, timestamp=now).status_code == 200
    assert post(client, new, {"events": []}, timestamp=now).status_code == 200

    assert terminals.revoke_old_keys(terminal) == 1

    assert_refused(post(client, old, {"events": [event(occurred_at=timezone.now())]}), 401, "revoked_key")
    assert post(client, new, {"events": []}, timestamp=now - 1).status_code == 200
    assert not Tap.objects.exists()


def test_rotation_with_a_grace_period_ends_the_old_key_by_itself(client, gate, clock):
    terminal, old = gate
    start, now = timezone.now(), int(time.time())
    new = terminals.rotate_key(terminal, grace=timedelta(hours=24))
    clock(start + timedelta(hours=23))
    assert post(client, old, {"events": []}, timestamp=now).status_code == 200
    clock(start + timedelta(hours=24, seconds=1))
    assert_refused(post(client, old, {"events": []}, timestamp=now - 1), 401, "revoked_key")
    assert post(client, new, {"events": []}).status_code == 200


def test_inactive_terminal_is_refused(client, gate, child):
    terminal, key = gate
    terminal.active = False
    terminal.save()
    assert_refused(post(client, key, {"events": [event(occurred_at=timezone.now())]}), 401, "inactive_terminal")
    assert not Tap.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff{}", b"[" * 100_000 + b"]" * 100_000])
def test_malformed_json_is_refused(client, key, body):
    assert_refused(post(client, key, body), 400, "malformed_json")


@pytest.mark.parametrize(
    "payload", [[], {"event": []}, {"events": {}}, {"events": "x"}, "events", 42, None, {"events": None}]
)
def test_body_of_the_wrong_shape_is_refused(client, key, payload):
    assert_refused(post(client, key, payload), 400, "wrong_shape")


def test_more_than_500_events_are_refused_and_nothing_stored(client, key, clock):
    clock(MORNING + timedelta(seconds=20))
    batch = [event(card=f"CARD{i:04d}", occurred_at=MORNING) for i in range(501)]
    data = assert_refused(post(client, key, {"events": batch}), 400, "too_many_events")
    assert "500" in data["message"]
    assert not Tap.objects.exists()


def test_rate_limit_per_terminal_and_minute(client, gate, child, monkeypatch, clock):
    terminal, key = gate
    terminal.rate_limit_per_minute = 3
    terminal.save()
    _other, other_key = make_gate(school_name="みどり町立東小学校")
    frozen = int(time.time()) // 60 * 60 + 10  # ten seconds into a minute
    monkeypatch.setattr(terminals, "time", SimpleNamespace(time=lambda: frozen))
    clock(MORNING + timedelta(seconds=20))

    for i in range(3):
        response = post(client, key, {"events": [event(occurred_at=MORNING)]}, timestamp=frozen - i)
        assert response.status_code == 200
    response = post(client, key, {"events": [event(occurred_at=MORNING)]}, timestamp=frozen - 3)

    data = assert_refused(response, 429, "rate_limited")
    assert response["Retry-After"] == "50"
    assert data["retry_after"] == 50
    assert Tap.objects.count() == 3, "a refused request stores nothing"
    assert post(client, other_key, {"events": []}, timestamp=frozen).status_code == 200, "other terminals go on"

    monkeypatch.setattr(terminals, "time", SimpleNamespace(time=lambda: frozen + 50))
    assert post(client, key, {"events": []}, timestamp=frozen + 50).status_code == 200, "a new minute, a new count"


def test_forged_requests_do_not_use_up_the_rate_limit(client, gate):
    terminal, key = gate
    terminal.rate_limit_per_minute = 2
    terminal.save()
    for _ in range(5):
        assert post(client, key, {"events": []}, secret="forged").status_code == 401
    assert post(client, key, {"events": []}).status_code == 200


def test_other_methods_and_urls_answer_json_not_html(client):
    response = client.get(PATH)
    assert_refused(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"
    assert_refused(
        client.post("/api/terminals/v2/events", data=b"{}", content_type="application/json"), 404, "not_found"
    )


# --- Keys, purge, demo ----------------------------------------------------------------------------
def test_terminal_keys_command_prints_the_new_secret_once_and_revokes(gate):
    terminal, old = gate
    out = io.StringIO()
    call_command("terminal_keys", str(terminal.pk), "--rotate", stdout=out)
    new = TerminalKey.objects.exclude(pk=old.pk).get()
    assert new.key_id in out.getvalue() and new.secret in out.getvalue()

    listing = io.StringIO()
    call_command("terminal_keys", str(terminal.pk), "--list", stdout=listing)
    assert old.key_id in listing.getvalue() and new.key_id in listing.getvalue()
    assert new.secret not in listing.getvalue() and old.secret not in listing.getvalue()

    call_command("terminal_keys", str(terminal.pk), "--revoke-old", stdout=io.StringIO())
    old.refresh_from_db()
    new.refresh_from_db()
    assert not terminals.key_is_valid(old) and terminals.key_is_valid(new)


def test_purge_forgets_signatures_older_than_ten_minutes():
    now = timezone.now()
    SeenSignature.objects.create(signature="a" * 64, seen_at=now - timedelta(minutes=11))
    SeenSignature.objects.create(signature="b" * 64, seen_at=now - timedelta(minutes=9))
    assert purge_seen_signatures() == 1
    assert list(SeenSignature.objects.values_list("signature", flat=True)) == ["b" * 64]


def test_demo_prints_a_simulator_command_that_mails_the_demo_resident():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)  # again: a fresh key, the old one revoked
    last = [line for line in out.getvalue().splitlines() if "simulate_terminal" in line][-1]
    key_id = re.search(r"--terminal-key (\S+)", last).group(1)
    secret = re.search(r"--secret (\S+)", last).group(1)
    card = re.search(r"--card (\S+)", last).group(1)
    key = TerminalKey.objects.get(key_id=key_id)
    assert key.secret == secret and terminals.usable_keys(key.terminal).get() == key

    response = post(Client(), key, {"events": [event(card=card, occurred_at=timezone.now())]})

    assert response.json()["accepted"] == 1
    [mail] = mails()
    assert mail.to_email == User.objects.get(email="resident@example.jp").email
    assert "太郎" in mail.subject


def test_demo_simulator_command_uses_the_site_url(settings):
    settings.SITE_URL = "https://portal.example.jp"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    [line] = [line for line in out.getvalue().splitlines() if "simulate_terminal" in line]
    assert "--url https://portal.example.jp " in line
    assert "127.0.0.1" not in line


# --- Documentation --------------------------------------------------------------------------------
def test_openapi_file_parses_and_matches_the_urlconf():
    spec = yaml.safe_load((ROOT / "docs/terminal-api.openapi.yaml").read_text())
    assert spec["openapi"].startswith("3.")
    documented = {path: {m.upper() for m in ops} for path, ops in spec["paths"].items()}

    resolver = get_resolver()
    served = {}
    for pattern in get_resolver("safety.api_urls").url_patterns:
        if pattern.name == "not_found":
            continue
        path = reverse(f"terminal_api:{pattern.name}")
        match = resolver.resolve(path)
        assert match.func is pattern.callback
        served[path] = set(pattern.callback.allowed_methods)
    assert documented == served
    assert served == {PATH: {"POST"}}
    assert spec["components"]["schemas"]["EventBatch"]["properties"]["events"]["maxItems"] == api.MAX_EVENTS
    schemes = spec["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"X-Terminal-Key", "X-Timestamp", "X-Signature"}


def test_worked_example_in_the_docs_is_right():
    doc = (ROOT / "docs/terminal-api.md").read_text()
    body = re.search(r"^(\{\"events\":\[.*\]\})$", doc, re.MULTILINE).group(1).encode()
    secret = re.search(r"Secret `([^`]+)`", doc).group(1)
    timestamp = re.search(r"timestamp `(\d+)`", doc).group(1)
    assert hashlib.sha256(body).hexdigest() in doc
    assert f"X-Signature: {sign(secret, 'POST', PATH, timestamp, body)}" in doc
    assert json.loads(body)["events"][0]["card"] == CARD
