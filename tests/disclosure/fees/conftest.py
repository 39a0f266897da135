"""Fixtures of the fee tests: a request whose copies were released, and the clerk in the admin."""

from __future__ import annotations

import pytest

from disclosure.models import Status
from tests.disclosure.factories import RequestFactory


@pytest.fixture
def released(db):
    """花子's request R2026-0001 for paper copies, disclosed in part."""
    return RequestFactory(seq=1, status=Status.PARTIAL, decided_on="2026-07-10", reason="条例第7条第2号")


@pytest.fixture
def staff_client(client, clerk, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(clerk)
    return client
