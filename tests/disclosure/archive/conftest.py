"""Fixtures of the public archive tests: a decided request and a way to publish requests."""

from __future__ import annotations

import datetime

import pytest

from disclosure.archive import services
from disclosure.models import Event, EventKind, Status
from tests.disclosure.factories import RequestFactory

#: The requester's identity: none of it may ever appear on a public page.
IDENTITY = {
    "name": "山田 花子",
    "address": "みどり町本町1-2-3",
    "email": "hanako.yamada@example.jp",
    "phone": "090-1234-5678",
}


@pytest.fixture
def make_decided(db):
    """A request with a decision (部分開示 unless ``status`` says otherwise), the 決定 event included."""

    def make(status=Status.PARTIAL, *, decided_on=datetime.date(2026, 7, 10), decision=Status.PARTIAL, **fields):
        fields = {**IDENTITY, "user": None, **fields}
        request = RequestFactory(
            status=status,
            decided_on=decided_on,
            reason="" if status == Status.DISCLOSED else "条例第7条第2号（個人情報）",
            department="建設課",
            **fields,
        )
        # The history a decision leaves: after 実施 the status no longer says what was decided.
        Event.objects.create(
            request=request, kind=EventKind.DECIDED, status=decision if status == Status.IMPLEMENTED else status
        )
        return request

    return make


@pytest.fixture
def decided(make_decided):
    return make_decided(document="令和7年度 町道改良工事の設計書（山田 花子が請求）")


@pytest.fixture
def publish(clerk):
    """Publish ``request`` as the 情報公開 clerk with ``title`` and ``text``."""

    def do(request, title="町道改良工事の設計書", text="令和7年度 町道改良工事の設計書一式"):
        return services.publish(request=request, by=clerk, title=title, text=text)

    return do
