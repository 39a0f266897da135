"""Fixtures of the facility tests (the shared harness is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.facilities.factories import Gym, gym


@pytest.fixture
def g() -> Gym:
    """A gym: アリーナ全面 made of 半面A and 半面B, with frames and fees (tests/facilities/factories.py)."""
    return gym()
