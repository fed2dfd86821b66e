"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core import paths


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
