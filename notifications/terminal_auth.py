"""Signing of terminal API requests (HMAC-SHA256), shared by the API and the terminal simulator.

A terminal signs ``METHOD\\nPATH\\nTIMESTAMP\\nSHA256(BODY)`` with its secret and sends::

    X-Terminal-Key: <key id>
    X-Timestamp: <unix seconds>
    X-Signature: <hex HMAC-SHA256>

The server refuses a timestamp more than five minutes away from its clock and a signature it
has already accepted (a replay), so a captured request cannot be sent again.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

MAX_CLOCK_SKEW_SECONDS = 300


def string_to_sign(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, hashlib.sha256(body).hexdigest()]).encode()


def sign(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), string_to_sign(method, path, timestamp, body), hashlib.sha256).hexdigest()


def signature_matches(secret: str, signature: str, method: str, path: str, timestamp: str, body: bytes) -> bool:
    return hmac.compare_digest(sign(secret, method, path, timestamp, body), signature.lower())


def card_hash(card_id: str) -> str:
    """The stored form of a card ID: HMAC-SHA256 with a server secret, so the ID cannot be recovered."""
    normalised = "".join(card_id.split()).upper()
    return hmac.new(settings.PORTAL_CARD_HASH_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()
