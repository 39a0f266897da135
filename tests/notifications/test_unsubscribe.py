"""One-click unsubscribe (RFC 8058): a cookie-less POST from the mail client is enough."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.unsubscribe import make_token, unsubscribe_url
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_one_click_post_without_cookies_or_csrf_unsubscribes():
    user = UserFactory(receive_town_news=True)
    url = unsubscribe_url(topic="town_news", user_id=user.pk).split("8000", 1)[1]
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.receive_town_news is False


def test_get_only_asks_for_confirmation(client):
    user = UserFactory(receive_town_news=True)
    url = unsubscribe_url(topic="town_news", user_id=user.pk).split("8000", 1)[1]
    response = client.get(url)
    assert response.status_code == 200
    assert "<form" in response.content.decode()
    user.refresh_from_db()
    assert user.receive_town_news is True, "link scanners that GET must not unsubscribe anyone"


def test_tampered_token_is_404_and_changes_nothing(client):
    user = UserFactory(receive_town_news=True)
    other = UserFactory(receive_town_news=True)
    token = make_token(topic="town_news", user_id=user.pk)
    forged = token.replace(str(user.pk), str(other.pk), 1) + "x"
    assert client.post(f"/mail/unsubscribe/{forged}/").status_code == 404
    other.refresh_from_db()
    assert other.receive_town_news is True


@pytest.mark.parametrize(
    "language, browser, asking, done",
    [
        ("en", "ja", "<h1>Unsubscribe</h1>", "<h1>Unsubscribed</h1>"),
        ("ja", "en", "<h1>配信停止</h1>", "<h1>配信を停止しました</h1>"),
    ],
)
def test_the_unsubscribe_pages_speak_the_recipients_language_not_the_browsers(client, language, browser, asking, done):
    """An English reader who follows the link in an English mail gets English pages (issue 12)."""
    user = UserFactory(receive_town_news=True, language=language)
    url = unsubscribe_url(topic="town_news", user_id=user.pk).split("8000", 1)[1]
    confirm = client.get(url, HTTP_ACCEPT_LANGUAGE=browser).content.decode()
    assert asking in confirm and f'<html lang="{language}"' in confirm
    answer = client.post(url, HTTP_ACCEPT_LANGUAGE=browser).content.decode()
    assert done in answer and f'<html lang="{language}"' in answer
