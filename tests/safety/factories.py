"""Safety test data: a gate reader, an enrolled child, a watched grandmother, a second guardian, signed requests."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from portal.models import HouseholdMember, MemberGuardian
from safety import services, terminals
from safety.models import Consent, School, Student, Terminal, TerminalKey, WatchedPerson
from safety.terminals import sign
from tests.portal.factories import MemberFactory, UserFactory

PATH = "/api/terminals/v1/events"
SCHOOL = "みどり町立中央小学校"
CARD = "012E4C8A9B123456"
WATCH_CARD = "99AA00BB11CC22DD"  # the watched grandmother's


def make_gate(*, school_name: str = SCHOOL, rate_limit: int = 120) -> tuple[Terminal, TerminalKey]:
    school, _created = School.objects.get_or_create(name=school_name)
    terminal = Terminal.objects.create(
        name=f"{school_name} 正門",
        kind=Terminal.Kind.GATE,
        place="正門",
        school=school,
        rate_limit_per_minute=rate_limit,
    )
    return terminal, terminals.rotate_key(terminal)


def enrol_child(*, owner_language: str = "en", card: str = CARD, school_name: str = SCHOOL) -> HouseholdMember:
    """太郎, a pupil with a consent and a registered card; his household owner gets the mails."""
    owner = UserFactory(language=owner_language, given_name="花子")
    child = MemberFactory(household__owner=owner, given_name="太郎")
    school, _created = School.objects.get_or_create(name=school_name)
    Student.objects.create(member=child, school=school, grade=3)
    services.record_consent(member=child, purpose=Consent.Purpose.SCHOOL_GATE, given_by=str(owner))
    services.register_card(member=child, card_id=card)
    return child


def add_watched_person(
    *,
    household,
    card_id: str,
    no_activity_hours: int | None = 6,
    label: str = "",
    given_by: str = "本人",
) -> HouseholdMember:
    """ハナ, a grandmother in ``household``, watched over with her consent and a registered card."""
    member = MemberFactory(household=household, given_name="ハナ", relationship=HouseholdMember.Relationship.PARENT)
    WatchedPerson.objects.create(member=member, no_activity_hours=no_activity_hours)
    services.record_consent(member=member, purpose=Consent.Purpose.WATCH_OVER, given_by=given_by)
    services.register_card(member=member, card_id=card_id, label=label)
    return member


def add_guardian(child: HouseholdMember, *, language: str = "ja"):
    """A second guardian who accepted the owner's invitation."""
    user = UserFactory(language=language, family_name="佐藤", given_name="一郎")
    MemberGuardian.objects.create(member=child, user=user, invited_by=child.household.owner)
    return user


def event(*, card: str = CARD, kind: str = "in", occurred_at: datetime | str, event_id: str | None = None) -> dict:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "card": card,
        "kind": kind,
        "occurred_at": occurred_at if isinstance(occurred_at, str) else occurred_at.isoformat(),
    }


@dataclass
class Signed:
    body: bytes
    headers: dict[str, str]


def signed(
    key: TerminalKey, payload, *, timestamp: int | str | None = None, secret: str | None = None, path: str = PATH
) -> Signed:
    """A request as a terminal sends it: ``payload`` (bytes, or JSON-serialised) signed with ``key``."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = sign(secret or key.secret, "POST", path, timestamp, body)
    return Signed(body, {"X-Terminal-Key": key.key_id, "X-Timestamp": timestamp, "X-Signature": signature})


def post(client, key: TerminalKey, payload, **kwargs):
    request = signed(key, payload, **kwargs)
    return client.post(PATH, data=request.body, content_type="application/json", headers=request.headers)
