"""The worker writes each mail's MIME itself (services.message_bytes): the same mail Django would build.

What a resident's mail program sees must not change: the same headers with the same values, the
same text and HTML parts, in the resident's language, with their own unsubscribe link and
Message-ID. Mails the fast writer cannot write the same way go through Django as before.
"""

from __future__ import annotations

import base64
import email
import email.policy

import pytest

from notifications import services
from notifications.models import OutboundMail
from safety import broadcasts
from safety.models import Broadcast
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"title_en": "Suspicious person", "body_en": "A suspicious person was seen near Midori School at 15:00."}


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def django_bytes(mail: OutboundMail) -> bytes:
    return services.build_message(mail).message().as_bytes(linesep="\r\n")


def fast_bytes(mail: OutboundMail) -> bytes:
    prepared = services.message_bytes(mail)
    assert prepared is not None, "this mail is written by the fast path"
    return prepared[2]


def summary(message: email.message.EmailMessage) -> dict:
    """Every header (decoded, in order; Date and the boundary left out) and every part's content.

    Values are compared without surrounding white space: where Python folds a long header before
    its first word (``Subject: \\r\\n =?utf-8?b?…``), a parser keeps the fold's blank as a
    leading space, which RFC 5322 does not count as part of the value.
    """
    headers = [
        (name, str(value).strip()) for name, value in message.items() if name.lower() not in ("date", "content-type")
    ]
    return {
        "headers": headers,
        "type": message.get_content_type(),
        "has_date": message["Date"] is not None,
        "parts": [
            (part.get_content_type(), part.get_content_charset(), part["Content-Transfer-Encoding"], part.get_content())
            for part in message.walk()
            if not part.is_multipart()
        ],
    }


@pytest.fixture
def broadcast_mails():
    """A broadcast in Japanese and English, sent to a ja reader and an en reader."""
    ja = UserFactory(language="ja", email="ja-reader@example.jp")
    en = UserFactory(language="en", email="en-reader@example.jp")
    b = Broadcast.objects.create(
        category="suspicious",
        title="不審者情報",
        body="本日15時ごろ、みどり小学校付近で不審な人物が目撃されました。",
        target_all=True,
        status=Broadcast.Status.SENDING,
        **ENGLISH,
    )
    broadcasts.send(str(b.pk))
    rows = {m.to_email: m for m in OutboundMail.objects.filter(category=f"broadcast:{b.pk}")}
    return rows[ja.email], rows[en.email]


def test_broadcast_mail_parses_to_the_same_headers_and_parts_as_djangos(broadcast_mails):
    for mail in broadcast_mails:
        fast, slow = parsed(fast_bytes(mail)), parsed(django_bytes(mail))
        assert summary(fast) == summary(slow)
        assert fast.get_content_type() == "multipart/alternative"
        assert fast["Message-ID"] == mail.message_id
        assert fast["To"] == mail.to_email
        assert fast["List-Unsubscribe"] == mail.headers["List-Unsubscribe"]
        assert fast["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token_url = mail.headers["List-Unsubscribe"].strip("<>")
        text, html = (part.get_content() for part in fast.iter_parts())
        assert token_url in text and token_url in html, "the resident's own unsubscribe link is in the body"

    ja, en = (parsed(fast_bytes(mail)) for mail in broadcast_mails)
    assert "不審者情報" in ja["Subject"] and "不審な人物" in next(ja.iter_parts()).get_content()
    assert "Suspicious person" in en["Subject"] and "A suspicious person" in next(en.iter_parts()).get_content()
    assert ja["List-Unsubscribe"] != en["List-Unsubscribe"]


def test_text_only_mail_parses_the_same():
    mail = services.queue_mail(
        to_email="parent@example.jp",
        subject="【みどり小】太郎さんが 08:02 に登校しました",
        body_text="太郎さんが 08:02 に正門を通りました。\n\nみどり町\n",
        category="test",
        idempotency_key="fast-text",
        headers={"Auto-Submitted": "auto-generated"},
    )
    fast = parsed(fast_bytes(mail))
    assert summary(fast) == summary(parsed(django_bytes(mail)))
    assert fast.get_content_type() == "text/plain"


@pytest.mark.parametrize(
    "fields",
    [
        {"body_text": "x" * 1200},  # a line too long for 8bit: Django writes quoted-printable
        {"to_email": "山田@example.jp"},
        {"to_email": "Parent <parent@example.jp>"},
        {"headers": {"Reply-To": "office@example.jp"}},
    ],
)
def test_mails_the_fast_writer_cannot_write_alike_go_through_django(fields):
    values = {"to_email": "parent@example.jp", "subject": "件名", "body_text": "本文", "category": "test"}
    mail = services.queue_mail(idempotency_key="fallback", **{**values, **fields})
    assert services.message_bytes(mail) is None


def test_a_mail_with_an_attachment_goes_through_django():
    mail = services.queue_mail(
        to_email="parent@example.jp",
        subject="件名",
        body_text="本文",
        category="test",
        idempotency_key="attached",
        attachments=[services.Attachment("a.ics", b"BEGIN:VCALENDAR", "text/calendar")],
    )
    assert services.message_bytes(mail) is None
    assert base64.b64decode(mail.attachments[0]["content_b64"]) == b"BEGIN:VCALENDAR"


def test_over_smtp_each_resident_gets_their_mail_once_and_the_row_is_sent(broadcast_mails, settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    long_line = services.queue_mail(  # and one the fast writer leaves to Django, on the same connection
        to_email="other@example.jp", subject="件名", body_text="y" * 1200, category="test", idempotency_key="long"
    )
    mails = [*broadcast_mails, long_line]

    result = services.deliver_many([m.pk for m in mails], task_id="task-1")

    assert set(result.outcomes.values()) == {"sent"}
    assert smtp_sink.message_ids() == {m.message_id: 1 for m in mails}
    for mail in mails:
        [received] = smtp_sink.to(mail.to_email)
        assert received.envelope_from == "no-reply@portal.example.jp"
        if mail is not long_line:  # written by the fast path: what arrived is what Django would have sent
            assert summary(received.message) == summary(parsed(django_bytes(mail)))
        mail.refresh_from_db()
        assert mail.status == OutboundMail.Status.SENT and mail.sent_at is not None and mail.lease_expires_at is None
    assert "y" * 1200 in smtp_sink.to("other@example.jp")[0].message.get_content()
