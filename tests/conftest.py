"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import config


@pytest.fixture(scope="session")
def shared_public() -> Path:
    """``../shared/data/public`` beside the checkout; skips the test where it is absent."""
    path = config.shared_public_data()
    if path is None:
        pytest.skip("../shared/data/public is not beside this checkout (the public sample data)")
    return path
