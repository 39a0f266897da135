"""Factories for facilities: a facility open every day, units, frames, fees, groups, reservations.

``gym()`` builds the usual sports hall: アリーナ全面 made of 半面A and 半面B, each with 午前, 午後
and 夜間 frames and fees (residents 1,000 / 1,500 yen on weekdays / holidays, others double).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import factory

from facilities.models import Club, Facility, Fee, OpeningHours, TimeFrame, Unit
from tests.portal.factories import UserFactory

BANDS = [("午前", time(9), time(12)), ("午後", time(13), time(17)), ("夜間", time(18), time(21))]


class FacilityFactory(factory.django.DjangoModelFactory):
    """A facility open 9:00–21:00 every day of the week."""

    class Meta:
        model = Facility
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"町民体育館{n}")
    slug = factory.Sequence(lambda n: f"gym-{n}")
    kind = Facility.Kind.SPORTS
    address = "みどり町本町1-1"
    phone = "0123-45-6789"

    @factory.post_generation
    def open_days(self, create, extracted, **kwargs):
        if create:
            days = range(7) if extracted is None else extracted
            OpeningHours.objects.bulk_create(
                OpeningHours(facility=self, weekday=d, opens=time(9), closes=time(21)) for d in days
            )


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    facility = factory.SubFactory(FacilityFactory)
    name = factory.Sequence(lambda n: f"会議室{n}")
    capacity = 30


class TimeFrameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeFrame

    unit = factory.SubFactory(UnitFactory)
    label = "午前"
    start = time(9)
    end = time(12)


class ClubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Club

    name = factory.Sequence(lambda n: f"みどりバレー部{n}")
    representative = factory.SubFactory(UserFactory)
    member_count = 10
    resident_member_count = 8
    purpose = "バレーボールの練習"
    status = Club.Status.APPROVED


def add_frames(unit: Unit, *, resident_fee=(1000, 1500), other_fee=(2000, 3000)) -> dict[str, TimeFrame]:
    """午前, 午後 and 夜間 for ``unit``, each with fees (weekday, holiday) for residents and others."""
    frames = {}
    for label, start, end in BANDS:
        frame = TimeFrame.objects.create(unit=unit, label=label, start=start, end=end)
        for resident, (weekday, holiday) in ((True, resident_fee), (False, other_fee)):
            Fee.objects.create(unit=unit, frame=frame, resident=resident, day_type=Fee.DayType.WEEKDAY, amount=weekday)
            Fee.objects.create(unit=unit, frame=frame, resident=resident, day_type=Fee.DayType.HOLIDAY, amount=holiday)
        frames[label] = frame
    return frames


@dataclass
class Gym:
    facility: Facility
    arena: Unit
    half_a: Unit
    half_b: Unit
    frames: dict[int, dict[str, TimeFrame]]  # unit pk -> label -> frame

    def frame(self, unit: Unit, label: str = "午前") -> TimeFrame:
        return self.frames[unit.pk][label]


def gym(**facility_fields) -> Gym:
    facility = FacilityFactory(**facility_fields)
    arena = UnitFactory(facility=facility, name="アリーナ全面", capacity=200, sort_order=0)
    half_a = UnitFactory(facility=facility, name="半面A", parent=arena, capacity=100, sort_order=1)
    half_b = UnitFactory(facility=facility, name="半面B", parent=arena, capacity=100, sort_order=2)
    frames = {
        arena.pk: add_frames(arena, resident_fee=(2000, 3000), other_fee=(4000, 6000)),
        half_a.pk: add_frames(half_a),
        half_b.pk: add_frames(half_b),
    }
    return Gym(facility, arena, half_a, half_b, frames)
