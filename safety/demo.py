"""Demo data for safety mail: a school, its gate reader and the demo child's IC card (used by ``load_demo``)."""

from __future__ import annotations

from django.conf import settings

from portal.demo import DemoPeople
from portal.models import HouseholdMember
from safety import services, terminals
from safety.models import Card, Consent, School, Student, Terminal, TerminalKey
from safety.terminals import card_hash

DEMO_SCHOOL = "みどり町立中央小学校"
DEMO_TERMINAL = "中央小学校 正門リーダー"
#: A made-up FeliCa IDm printed in the README; only its keyed hash is stored.
DEMO_CARD_ID = "012E4C8A9B123456"


def load_safety_demo(*, member: HouseholdMember) -> TerminalKey:
    """Make ``member`` a pupil of the demo school with consent and a card; return a fresh key of its gate reader.

    Safe to run again. Like the demo passwords, the reader gets a new key on every run and the
    old ones are revoked, so the printed secret is always the one that works.
    """
    school, _created = School.objects.get_or_create(name=DEMO_SCHOOL)
    terminal, _created = Terminal.objects.get_or_create(
        name=DEMO_TERMINAL, defaults={"kind": Terminal.Kind.GATE, "place": "正門", "school": school}
    )
    Student.objects.update_or_create(member=member, defaults={"school": school, "grade": 3, "class_name": "2組"})
    if not member.consents.filter(purpose=Consent.Purpose.SCHOOL_GATE, withdrawn_at=None).exists():
        services.record_consent(
            member=member, purpose=Consent.Purpose.SCHOOL_GATE, given_by=member.household.owner.get_full_name()
        )
    digest = card_hash(DEMO_CARD_ID)
    for card in Card.objects.filter(card_hash=digest, status=Card.Status.ACTIVE).exclude(member=member):
        services.deactivate_card(card=card, lost=False)
    if not Card.objects.filter(card_hash=digest, status=Card.Status.ACTIVE, member=member).exists():
        services.register_card(member=member, card_id=DEMO_CARD_ID, label=DEMO_CARD_ID)
    key = terminals.rotate_key(terminal)
    terminals.revoke_old_keys(terminal)
    return key


def demo_instructions(key: TerminalKey, url: str | None = None) -> list[str]:
    """The lines ``load_demo`` prints: how to touch the demo card on the demo gate reader, at ``SITE_URL``."""
    url = url or settings.SITE_URL.rstrip("/")
    return [
        "  Safety mail: touch the demo child's card on the gate reader (with the server running):",
        f"    python manage.py simulate_terminal --url {url} --terminal-key {key.key_id} "
        f"--secret {key.secret} --card {DEMO_CARD_ID}",
    ]


def load_demo(people: DemoPeople) -> list[str]:
    """``load_demo``'s part for safety mail (see portal/demo.py): the demo child gets a card and a gate reader."""
    return demo_instructions(load_safety_demo(member=people.child))
