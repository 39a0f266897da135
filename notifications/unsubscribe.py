"""One-click unsubscribe (RFC 8058) for subscription mails.

An app registers a *topic* with a function that turns the subscription off; a mail about
that topic carries a signed link for its recipient. The link works without a login or a
cookie, so a mail client can POST to it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    unsubscribe: Callable[[int, str], bool]  # (user id, subject id) -> changed?


TOPICS: dict[str, Topic] = {}


def register_topic(topic: Topic) -> Topic:
    TOPICS[topic.key] = topic
    return topic


def make_token(*, topic: str, user_id: int, subject: str = "") -> str:
    if topic not in TOPICS:
        raise KeyError(f"Unknown unsubscribe topic {topic!r}")
    return signing.dumps({"t": topic, "u": user_id, "s": subject}, salt=SALT, compress=True)


def unsubscribe_url(*, topic: str, user_id: int, subject: str = "") -> str:
    token = make_token(topic=topic, user_id=user_id, subject=subject)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


@dataclass(frozen=True)
class Request:
    topic: Topic
    user_id: int
    subject: str


def read_token(token: str) -> Request | None:
    """The unsubscribe request a token stands for, or ``None`` if it was tampered with."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    topic = TOPICS.get(data.get("t"))
    if topic is None:
        return None
    return Request(topic=topic, user_id=int(data["u"]), subject=str(data.get("s", "")))
