"""Fixtures of the health-log tests: a resident, their own record and their child's record."""

from __future__ import annotations

import pytest

from tests.health.factories import MemberRecordFactory, RecordFactory


@pytest.fixture
def own_record(db):
    """花子's own health record (``own_record.user`` is 花子)."""
    return RecordFactory()


@pytest.fixture
def child_record(own_record):
    """The record of 花子's child 太郎, born 2024-05-10, in 花子's household."""
    from portal.services import get_or_create_household

    household = get_or_create_household(own_record.user)
    return MemberRecordFactory(member__household=household)


# The sharing tests register a small fake section (health.sections) through this fixture.
from tests.health.sharing_fixtures import fake_section  # noqa: E402, F401
