"""Terminal API rules: how requests are signed, who may post taps, how often, and the life of a terminal's keys.

A terminal signs ``METHOD\\nPATH\\nTIMESTAMP\\nSHA256(BODY)`` with its secret (HMAC-SHA256) and sends::

    X-Terminal-Key: <key id>
    X-Timestamp: <unix seconds>
    X-Signature: <hex HMAC-SHA256>

The rules, in plain words:

* A request must name a key that exists, is not revoked and belongs to an active terminal.
* Its ``X-Timestamp`` must be unix seconds at most five minutes away from the server's clock,
  in either direction.
* Its ``X-Signature`` must be the HMAC-SHA256 of method, path, timestamp and body with that
  key's secret (:func:`sign`).
* A signature is accepted once. The same signed request sent again is refused as a replay; a
  terminal that retries signs again with a new timestamp (its events are idempotent anyway).
  The signature is remembered in the transaction that stores the request's taps, so a request
  refused later on (rate limit, malformed body) or failed is not remembered.
  Seen signatures are kept for ten minutes, twice the clock window, then purged.
* A terminal may make ``Terminal.rate_limit_per_minute`` signed requests per clock minute.
  Only requests that passed the signature check count, so nobody can use up a terminal's
  allowance with forged requests.
* Keys rotate: a new key works at once and the old ones keep working until they are revoked,
  immediately or at the end of a grace period. A key whose ``revoked_at`` lies in the future is
  still valid until then.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.db import insert_new
from safety.errors import TerminalApiError
from safety.models import SeenSignature, Terminal, TerminalKey

logger = logging.getLogger(__name__)

#: A request's X-Timestamp may be this many seconds away from the server's clock, either way.
MAX_CLOCK_SKEW_SECONDS = 300

#: Signatures are remembered this long: a timestamp stays acceptable for five minutes either side.
SEEN_SIGNATURE_MINUTES = 2 * MAX_CLOCK_SKEW_SECONDS // 60

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")


# --- Signatures (shared by the API, the simulator's tests and the benchmark) ------------------
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


# --- Keys -----------------------------------------------------------------------------------
def key_is_valid(key: TerminalKey, *, now: datetime | None = None) -> bool:
    """A key works until its revocation time; with none set it works until it is revoked."""
    now = now or timezone.now()
    return key.revoked_at is None or key.revoked_at > now


def usable_keys(terminal: Terminal, *, now: datetime | None = None):
    """The keys a terminal may sign with right now, newest first."""
    now = now or timezone.now()
    return terminal.keys.filter(Q(revoked_at=None) | Q(revoked_at__gt=now)).order_by("-created_at", "-pk")


@transaction.atomic
def rotate_key(terminal: Terminal, *, grace: timedelta | None = None) -> TerminalKey:
    """Give a terminal a new key. The old keys stay valid: for ``grace`` if given, else until revoked.

    The new key's secret is shown to staff once (by the ``terminal_keys`` command) and then
    only lives in the terminal and in the database, which needs it to check signatures.
    """
    now = timezone.now()
    Terminal.objects.select_for_update().filter(pk=terminal.pk).first()  # one rotation at a time
    if grace is not None:
        revoke_at = now + grace
        for key in usable_keys(terminal, now=now):
            if key.revoked_at is None or key.revoked_at > revoke_at:
                key.revoked_at = revoke_at
                key.save(update_fields=["revoked_at"])
    return TerminalKey.objects.create(terminal=terminal, created_at=now)


@transaction.atomic
def revoke_old_keys(terminal: Terminal) -> int:
    """Revoke every key of the terminal except the newest usable one, at once; returns how many."""
    now = timezone.now()
    Terminal.objects.select_for_update().filter(pk=terminal.pk).first()
    keys = list(usable_keys(terminal, now=now))
    for key in keys[1:]:
        key.revoked_at = now
        key.save(update_fields=["revoked_at"])
    return len(keys[1:])


# --- Request checks -------------------------------------------------------------------------
@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    key_id: str
    timestamp: str
    signature: str
    body: bytes


def authenticate(request: SignedRequest, *, now: float | None = None) -> TerminalKey:
    """The key that signed ``request``, or TerminalApiError. Checks key, clock, signature, then replay.

    A request that passes is remembered (its signature), so the same request is refused later.
    """
    now = time.time() if now is None else now
    key = _known_key(request.key_id)
    if not _TIMESTAMP.fullmatch(request.timestamp or "") or abs(int(request.timestamp) - now) > MAX_CLOCK_SKEW_SECONDS:
        raise TerminalApiError(
            401,
            "stale_timestamp",
            f"stale timestamp: X-Timestamp must be unix seconds within {MAX_CLOCK_SKEW_SECONDS} s of the server clock",
            server_time=int(now),
        )
    if not _SIGNATURE.fullmatch(request.signature or "") or not signature_matches(
        key.secret, request.signature, request.method, request.path, request.timestamp, request.body
    ):
        raise TerminalApiError(401, "bad_signature", "X-Signature does not match the request")
    if not insert_new([SeenSignature(signature=request.signature.lower())], match="signature"):
        raise TerminalApiError(
            409, "replayed_request", "this signed request was received before; sign again with a new timestamp"
        )
    return key


def _known_key(key_id: str) -> TerminalKey:
    if not key_id:
        raise TerminalApiError(401, "missing_key", "X-Terminal-Key, X-Timestamp and X-Signature are required")
    key = None
    if _KEY_ID.fullmatch(key_id):
        key = TerminalKey.objects.select_related("terminal__school").filter(key_id=key_id).first()
    if key is None:
        raise TerminalApiError(401, "unknown_key", "unknown X-Terminal-Key")
    if not key_is_valid(key):
        raise TerminalApiError(401, "revoked_key", "this key was revoked; use the terminal's current key")
    if not key.terminal.active:
        raise TerminalApiError(401, "inactive_terminal", "this terminal is switched off in the portal")
    return key


def check_rate_limit(terminal: Terminal, *, now: float | None = None) -> None:
    """Count one request in the terminal's current clock minute; TerminalApiError 429 past its limit.

    The count lives in the shared cache (Redis in production). If the cache is down the request
    is let through: a missed arrival mail is worse than an unthrottled terminal.
    """
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"terminal-api:rate:{terminal.pk}:{window}"
    try:
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
    except Exception:  # noqa: BLE001 - any cache failure
        logger.warning("Terminal rate limit skipped: the cache is unavailable", exc_info=True)
        return
    if count > terminal.rate_limit_per_minute:
        retry_after = max(1, math.ceil((window + 1) * 60 - now))
        raise TerminalApiError(
            429,
            "rate_limited",
            f"more than {terminal.rate_limit_per_minute} requests this minute; retry after {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )


def purge_seen_signatures(*, now: datetime | None = None) -> int:
    """Forget signatures older than ten minutes: their timestamps are refused as stale by now."""
    now = now or timezone.now()
    deleted, _ = SeenSignature.objects.filter(seen_at__lt=now - timedelta(minutes=SEEN_SIGNATURE_MINUTES)).delete()
    return deleted
