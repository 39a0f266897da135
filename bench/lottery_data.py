"""Lottery benchmark data: synthetic inputs of the pure draw, and a whole draw against the database.

:func:`time_pure_draw` times :func:`facilities.lottery.draw.draw` on :func:`benchmark_inputs`
(no database); ``bench/booking.py`` reports it and a test keeps it fast.

:func:`run_lottery_benchmark` (from a Django shell: ``from bench.lottery_data import
run_lottery_benchmark``) builds a facility with 2,000 slots in a month (20 units × 25 days ×
4 frames; four whole courts each made of two halves, so parent/child conflicts count), 5,000
residents each applying with 3 random choices, and times :func:`facilities.lottery.services.draw`:
reading the applications, the pure draw, writing the winners' reservations and occupancies and
every application's result, and the published record (inputs, order, winners), which it then
re-checks with the verifier (``verify_seconds``). The 5,000 result mails are queued after the draw by a background
task; with ``mails=True`` that step (:func:`~facilities.lottery.services.mail_results`) is timed
too, separately. Everything happens in one transaction that is rolled back afterwards (unless
``keep=True``), so the database is left as it was and no mail is sent.
"""

from __future__ import annotations

import json
import random
import secrets
import time as clock
from dataclasses import asdict, dataclass
from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from facilities import rules
from facilities.lottery import services as lottery_services
from facilities.lottery.draw import Application, Choice, draw
from facilities.lottery.selectors import public_document
from facilities.lottery.verify import verify
from facilities.models import (
    Facility,
    LotteryApplication,
    LotteryChoice,
    LotteryRound,
    OpeningHours,
    Reservation,
    TimeFrame,
    Unit,
)
from notifications.models import OutboundMail


@dataclass
class LotteryBenchResult:
    applications: int
    choices: int
    slots: int
    slots_won: int
    mails: int
    setup_seconds: float
    draw_seconds: float
    mail_seconds: float | None
    #: re-running the published draw with the verifier (facilities.lottery.verify), and its JSON's size
    verify_seconds: float | None = None
    published_bytes: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def setup_lottery_benchmark(
    *, applications: int = 5000, choices: int = 3, units: int = 20, days: int = 25, frames: int = 4, seed: int = 1
) -> tuple[LotteryRound, int]:
    """Create the facility, residents, a closed round and its applications; return the round and the slot count."""
    token = secrets.token_hex(4)
    now = timezone.now()
    facility = Facility.objects.create(name=f"Bench {token}", slug=f"bench-lottery-{token}", kind="sports")
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=facility, weekday=d, opens=time(9), closes=time(21)) for d in range(7)
    )
    made: list[Unit] = []
    courts = min(4, units // 3)
    for c in range(courts):
        whole = Unit.objects.create(facility=facility, name=f"Court {c + 1}", sort_order=len(made))
        made += [whole]
        for half in "AB":
            made.append(Unit.objects.create(facility=facility, parent=whole, name=f"Court {c + 1}{half}"))
    while len(made) < units:
        made.append(Unit.objects.create(facility=facility, name=f"Room {len(made)}", sort_order=len(made)))
    frame_rows = TimeFrame.objects.bulk_create(
        TimeFrame(unit=u, label=f"F{f + 1}", start=time(9 + 2 * f), end=time(11 + 2 * f))
        for u in made
        for f in range(frames)
    )
    month = rules.first_of_month(timezone.localdate(now), -2)
    slots = [(frame.unit_id, frame.pk, month + timedelta(days=d)) for frame in frame_rows for d in range(days)]

    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"bench-{token}-{i}@example.invalid", password="!", language="ja")  # noqa: S106
        for i in range(applications)
    )
    round = LotteryRound.objects.create(
        facility=facility,
        month=month,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(minutes=1),
        max_choices=choices,
        max_wins=2,
    )
    numbers = LotteryApplication.new_numbers(set(), len(users))
    apps = LotteryApplication.objects.bulk_create(
        (LotteryApplication(round=round, user=u, number=n) for u, n in zip(users, numbers, strict=True)),
        batch_size=1000,
    )
    rng = random.Random(seed)
    LotteryChoice.objects.bulk_create(
        (
            LotteryChoice(application=a, rank=rank, unit_id=unit_id, frame_id=frame_id, date=day)
            for a in apps
            for rank, (unit_id, frame_id, day) in enumerate(rng.sample(slots, choices), start=1)
        ),
        batch_size=2000,
    )
    return round, len(slots)


def run_lottery_benchmark(*, keep: bool = False, mails: bool = False, **kwargs: int) -> LotteryBenchResult:
    """Set up and draw a lottery (5,000 applications × 3 choices over 2,000 slots by default); time the draw."""
    with transaction.atomic():
        began = clock.perf_counter()
        round, slots = setup_lottery_benchmark(**kwargs)
        setup_seconds = clock.perf_counter() - began
        began = clock.perf_counter()
        lottery_services.draw(round)
        draw_seconds = clock.perf_counter() - began
        mail_seconds = None
        if mails:
            began = clock.perf_counter()
            lottery_services.mail_results(round)
            mail_seconds = round_seconds(clock.perf_counter() - began)
        began = clock.perf_counter()
        document = public_document(LotteryRound.objects.select_related("facility").get(pk=round.pk))
        outcome = verify(document)
        verify_seconds = clock.perf_counter() - began
        assert outcome.ok, outcome.code
        result = LotteryBenchResult(
            applications=round.applications.count(),
            choices=LotteryChoice.objects.filter(application__round=round).count(),
            slots=slots,
            slots_won=Reservation.objects.filter(lottery_choice__application__round=round).count(),
            mails=OutboundMail.objects.filter(idempotency_key__startswith="facilities:lottery:result:")
            .filter(recipient__lottery_applications__round=round)
            .count(),
            setup_seconds=round_seconds(setup_seconds),
            draw_seconds=round_seconds(draw_seconds),
            mail_seconds=mail_seconds,
            verify_seconds=round_seconds(verify_seconds),
            published_bytes=len(json.dumps(document, ensure_ascii=False).encode()),
        )
        if not keep:
            transaction.set_rollback(True)
    return result


def round_seconds(seconds: float) -> float:
    return float(f"{seconds:.3f}")


# --- The pure draw, without the database ---------------------------------------------------


def benchmark_inputs(
    *, applications: int = 5000, choices: int = 3, units: int = 20, days: int = 25, frames: int = 4, seed: int = 1
) -> tuple[list[Application], int]:
    """Synthetic applications for timing the pure draw: ``units × days × frames`` slots (2,000 by default).

    Every fifth unit is a whole court made of the next two, so parent/child conflicts are exercised.
    Returns the applications and the number of slots.
    """
    rng = random.Random(seed)
    slots = []
    for u in range(units):
        spaces = frozenset({u + 1, u + 2}) if u % 5 == 0 else frozenset({u})
        for d in range(days):
            for f in range(frames):
                start = d * 100 + f * 10
                slots.append(Choice(slot=(u, d, f), spaces=spaces, start=start, end=start + 9))
    apps = [
        Application(id=i + 1, applicant=f"user:{i + 1}", choices=tuple(rng.sample(slots, choices)))
        for i in range(applications)
    ]
    return apps, len(slots)


def time_pure_draw(**kwargs: int) -> float:
    """Seconds the pure draw takes on :func:`benchmark_inputs` (without the database)."""
    apps, _slots = benchmark_inputs(**kwargs)
    began = clock.perf_counter()
    draw(seed="bench", applications=apps, max_wins=2)
    return clock.perf_counter() - began
