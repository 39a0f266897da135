"""Released files are reachable only by whom the rule allows; everyone else gets 404."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.disclosure.factories import ReleasedFileFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(released) -> str:
    return f"/disclosure/released/{released.pk}/{released.name}"


@pytest.fixture
def decided(disclosure_request):
    disclosure_request.status = "partial"
    disclosure_request.decided_on = datetime.date(2026, 7, 10)
    disclosure_request.save()
    return disclosure_request


def test_the_requester_downloads_a_released_document_after_the_decision(client, decided):
    released = ReleasedFileFactory(request=decided)
    client.force_login(decided.user)
    response = client.get(url(released))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["anonymous", "another resident", "staff"])
def test_anyone_but_the_requester_gets_404_before_publication(client, decided, who):
    released = ReleasedFileFactory(request=decided)
    if who == "another resident":
        client.force_login(UserFactory())
    elif who == "staff":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url(released)).status_code == 404


def test_nothing_is_released_before_the_decision(client, disclosure_request):
    released = ReleasedFileFactory(request=disclosure_request)
    letter = ReleasedFileFactory(request=disclosure_request, kind="letter", name="通知書.pdf")
    client.force_login(disclosure_request.user)
    assert client.get(url(released)).status_code == 404
    assert client.get(url(letter)).status_code == 404


def test_a_refusal_gives_the_letter_but_no_document(client, disclosure_request):
    disclosure_request.status = "not_disclosed"
    disclosure_request.save()
    document = ReleasedFileFactory(request=disclosure_request)
    letter = ReleasedFileFactory(request=disclosure_request, kind="letter", name="通知書.pdf")
    client.force_login(disclosure_request.user)
    assert client.get(url(letter)).status_code == 200
    assert client.get(url(document)).status_code == 404


def test_a_published_document_is_public_but_its_letter_never_is(client, decided):
    decided.published_at = timezone.now()
    decided.save()
    document = ReleasedFileFactory(request=decided)
    letter = ReleasedFileFactory(request=decided, kind="letter", name="通知書.pdf")
    response = client.get(url(document))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert client.get(url(letter)).status_code == 404


def test_a_wrong_name_or_unknown_id_is_404(client, decided):
    released = ReleasedFileFactory(request=decided)
    client.force_login(decided.user)
    assert client.get(f"/disclosure/released/{released.pk}/other.pdf").status_code == 404
    assert client.get(f"/disclosure/released/{released.pk + 999}/{released.name}").status_code == 404
