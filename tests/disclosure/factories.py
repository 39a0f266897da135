"""Factories of the disclosure tests."""

from __future__ import annotations

import datetime

import factory

from disclosure.models import ClosedDay, Request
from tests.portal.factories import UserFactory


class RequestFactory(factory.django.DjangoModelFactory):
    """A request received on 2026-07-01 (due 2026-07-16 by the default ordinance)."""

    class Meta:
        model = Request

    user = factory.SubFactory(UserFactory)
    year = 2026
    seq = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda r: f"R{r.year}-{r.seq:04d}")
    requester_type = "individual"
    name = "山田 花子"
    address = "みどり町本町1-2-3"
    email = factory.LazyAttribute(lambda r: r.user.email if r.user else "hanako@example.jp")
    document = "令和7年度 町道改良工事の設計書"
    preferred_form = "copy"
    received_on = datetime.date(2026, 7, 1)
    due_date = datetime.date(2026, 7, 16)


class ClosedDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosedDay

    date = datetime.date(2026, 7, 16)
    name = "庁舎停電"


class ReleasedFileFactory(factory.django.DjangoModelFactory):
    """A one-page PDF released on a request (a disclosed document unless ``kind`` says otherwise)."""

    class Meta:
        model = "disclosure.ReleasedFile"

    request = factory.SubFactory(RequestFactory)
    kind = "document"
    name = "設計書_部分開示.pdf"
    content_type = "application/pdf"
    file = factory.django.FileField(filename="design.pdf", data=b"%PDF-1.4\n%released\n")
    size = factory.LazyAttribute(lambda f: f.file.size)
    pages = 1
