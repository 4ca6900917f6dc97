"""Fixtures of the county's tests."""

import pytest

from kiosk.outbox import identity


@pytest.fixture
def terminals(tmp_path):
    """Three terminals' identities (their signing keys), as the county sees them."""
    return [identity.load_or_create(tmp_path / f"terminal-{n}") for n in range(3)]
