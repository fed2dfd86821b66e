"""Fixtures for the pack's tests."""

from __future__ import annotations

import pytest
from pack_toys import make_toy_pack


@pytest.fixture
def toy_pack(tmp_path, monkeypatch):
    """Two stand-in notebooks run by the real runner into a temporary outputs folder."""
    return make_toy_pack(tmp_path, monkeypatch)
