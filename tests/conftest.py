"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core import paths


def pytest_collection_modifyitems(items):
    """A test that reads the whole published data (the ``shared_public`` fixture) or builds a
    pack (``default_pack``) is slow and needs the data: ``make test-fast`` leaves it out, so the
    unit tests stay under a minute; ``make test`` runs it."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "shared_public" in fixtures:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.public_data)
        if "default_pack" in fixtures:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def shared_public() -> Path:
    """``../shared/data/public`` beside the checkout; skips the test where it is absent."""
    path = paths.shared_public_data()
    if path is None:
        pytest.skip("../shared/data/public is not beside this checkout (the public sample data)")
    return path


@pytest.fixture(scope="session")
def default_pack(tmp_path_factory) -> Path:
    """The default quarterly pack (Dorset, latest period, base scenario), built once per session."""
    from analysis.pack.build import build_pack

    root = tmp_path_factory.mktemp("packs")
    result = build_pack("dorset", "latest", "base", output_root=root)
    assert result.ok, result.message
    return result.directory
