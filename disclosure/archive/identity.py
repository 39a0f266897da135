"""Does a text name the requester? The pure check behind the refusal to publish it.

The requester's name (also written without spaces, or with other spaces), representative, email,
phone number (whatever its separators) and address are looked for in the folded text
(:func:`portal.textsearch.fold`: full and half width, katakana and hiragana are the same), so
「山田花子」, 「山田　花子」 and 「ﾔﾏﾀﾞ」 written as the name was given are all found.
"""

from __future__ import annotations

import re

from portal.textsearch import fold

#: Hyphens, dashes and long-vowel marks written between numbers in addresses and phone numbers.
_DASHES = re.compile(r"[\-‐‑‒–—―−ｰー－]")
_SPACES = re.compile(r"\s+")
#: A run of digits with the separators phone numbers are written with: 0123-45-6789, (0123)45 6789.
_NUMBER_RUN = re.compile(r"[0-9][0-9\-()\s]*[0-9]")
#: A phone number shorter than this (after dropping separators) is not looked for: too many false hits.
MIN_PHONE_DIGITS = 6
#: A name of one character (after dropping spaces) is not looked for: it would refuse nearly any text.
MIN_NAME_LENGTH = 2


def _flat(text: str) -> str:
    """Folded, with no spaces and every dash the same: how a name or an address is compared."""
    return _DASHES.sub("-", _SPACES.sub("", fold(text or "")))


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def _contains_phone(text: str, phone: str) -> bool:
    wanted = _digits(fold(phone))
    if len(wanted) < MIN_PHONE_DIGITS:
        return False
    folded = _DASHES.sub("-", fold(text))
    return any(wanted in _digits(run) for run in _NUMBER_RUN.findall(folded))


def identity_found(
    text: str,
    *,
    name: str,
    representative: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
    other_names: tuple[str, ...] = (),
    other_emails: tuple[str, ...] = (),
) -> list[str]:
    """Which of the requester's details ``text`` contains: a list of ``"name"``, ``"email"``,
    ``"phone"``, ``"address"`` (empty when none is there). ``other_names`` and ``other_emails`` are
    the names and address of the requester's account (its kana reading too), when there is one."""
    flat = _flat(text)
    found = []
    names = [value for value in (name, representative, *other_names) if len(_flat(value)) >= MIN_NAME_LENGTH]
    if any(_flat(value) in flat for value in names):
        found.append("name")
    if any(value.strip() and fold(value.strip()) in fold(text) for value in (email, *other_emails)):
        found.append("email")
    if phone.strip() and _contains_phone(text, phone):
        found.append("phone")
    if _flat(address) and _flat(address) in flat:
        found.append("address")
    return found
