"""Fixtures of the release tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure.release.models import ReleasedFile


@pytest.fixture
def stored_files():
    """Count the files in the private storage, to prove a refused upload left nothing behind."""
    root = Path(ReleasedFile._meta.get_field("file").storage.location)

    def count() -> int:
        return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0

    return count


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    """Staff sign in with force_login (the second factor is covered by tests/portal/test_staff_groups.py)."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
