"""Fixtures of the disclosure tests: a resident's request and a member of the 情報公開 staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from portal.staff import DISCLOSURE
from tests.disclosure.factories import RequestFactory
from tests.portal.factories import UserFactory


@pytest.fixture
def disclosure_request(db):
    """花子's request R2026-0001, received on 2026-07-01, due 2026-07-16."""
    return RequestFactory(seq=1)


@pytest.fixture
def clerk(db):
    """A member of the 情報公開 staff, who gets the staff mails and may use the admin."""
    user = UserFactory(email="clerk@town.example.jp", is_staff=True, family_name="情報", given_name="係")
    user.groups.add(Group.objects.get(name=DISCLOSURE))
    return user
