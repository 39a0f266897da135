"""load_demo fills the archive, the statistics and the demo resident's own request, once, and mails nobody."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from disclosure.models import Request
from notifications.models import OutboundMail

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite
def test_load_demo_publishes_requests_and_gives_the_resident_a_decided_one(client):
    mails = OutboundMail.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # safe to run again
    assert Request.objects.filter(year=2025).count() == 4
    assert OutboundMail.objects.count() == mails  # no requester or clerk was mailed

    archive = client.get("/disclosure/archive/").content.decode()
    assert "町道中央線改良工事 入札結果" in archive and "町民プール" in archive
    assert "公開 請求者" not in archive and "kokai.demo" not in archive

    statistics = client.get("/disclosure/statistics/?year=2025").content.decode()
    assert "部分開示" in statistics and "建設課" in statistics

    mine = Request.objects.get(year=2025, seq=4)
    client.force_login(mine.user)
    page = client.get(f"/my/disclosure/{mine.pk}/").content.decode()
    assert "部分開示決定通知書.pdf" in page and "第7条第2号" in page
    released = mine.released_files.get(kind="document")
    response = client.get(f"/disclosure/released/{released.pk}/{released.name}")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert "落札者" in text and "緑川" not in text and "090-0000-1234" not in text
