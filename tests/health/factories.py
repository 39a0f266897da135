"""Factories of the health-log tests."""

from __future__ import annotations

import datetime

import factory

from health.models import Caregiver, HealthRecord
from tests.portal.factories import MemberFactory, UserFactory


class RecordFactory(factory.django.DjangoModelFactory):
    """A resident's own health record."""

    class Meta:
        model = HealthRecord

    user = factory.SubFactory(UserFactory)
    member = None


class MemberRecordFactory(factory.django.DjangoModelFactory):
    """The health record of a household member (a child born 2024-05-10 unless told)."""

    class Meta:
        model = HealthRecord

    user = None
    member = factory.SubFactory(MemberFactory, birth_date=datetime.date(2024, 5, 10))


class CaregiverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caregiver

    record = factory.SubFactory(RecordFactory)
    user = factory.SubFactory(UserFactory)
