"""Receipt numbers under load: requests filed at the same moment each get their own number, none skipped."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from disclosure import services
from disclosure.models import Request
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway")
def test_requests_filed_at_once_get_distinct_consecutive_numbers():
    users = [UserFactory() for _ in range(6)]
    barrier = threading.Barrier(len(users))
    errors: list[BaseException] = []

    def file(user):
        try:
            barrier.wait(timeout=10)
            services.file_request(
                user=user,
                requester_type="individual",
                name="山田 花子",
                address="みどり町本町1-2-3",
                email=user.email,
                document="議事録",
                preferred_form="viewing",
                today=date(2026, 7, 1),
            )
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    numbers = sorted(Request.objects.values_list("number", flat=True))
    assert numbers == [f"R2026-{n:04d}" for n in range(1, 7)]
