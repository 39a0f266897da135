"""The request form sent several times at the same moment (a double click on a slow line): one request,
one receipt number used, one receipt mail."""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
from django.db import connection

from disclosure import services
from disclosure.models import ReceiptCounter, Request
from notifications.models import OutboundMail
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_same_form_sent_at_once_files_one_request():
    user = UserFactory()
    token = uuid.uuid4()
    senders = 4
    barrier = threading.Barrier(senders)
    results: list[int] = []
    errors: list[BaseException] = []

    def send():
        try:
            barrier.wait(timeout=10)
            filed = services.file_request(
                user=user,
                requester_type="individual",
                name="山田 花子",
                address="みどり町本町1-2-3",
                email=user.email,
                document="議事録",
                preferred_form="copy",
                today=date(2026, 7, 1),
                submission_token=token,
            )
            results.append(filed.pk)
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    filed = Request.objects.get()
    assert results == [filed.pk] * senders and filed.number == "R2026-0001"
    assert ReceiptCounter.objects.get(year=2026).last == 1  # no number used up by the duplicates
    assert OutboundMail.objects.filter(to_email=user.email).count() == 1
