"""Fixtures of the safety-mail tests (the shared harness is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.safety.factories import WATCH_CARD, add_watched_person


@pytest.fixture
def grandma(child):
    """ハナ, watched over by 太郎's household (the module's ``child``), with a card used at town terminals."""
    return add_watched_person(household=child.household, card_id=WATCH_CARD, label="22DD")
