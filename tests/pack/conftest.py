"""Fixtures for the pack's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pack_toys import make_toy_pack

from analysis.pack import browser


@pytest.fixture
def toy_pack(tmp_path, monkeypatch):
    """Two stand-in notebooks run by the real runner into a temporary outputs folder."""
    return make_toy_pack(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def chromium_path() -> Path:
    try:
        return browser.find_chromium()
    except browser.BrowserNotFound as exc:
        pytest.skip(f"no browser: {exc}")


@pytest.fixture(scope="module")
def chromium(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a dev dependency: install it, don't skip
        pytest.fail(
            "playwright is not installed: pip install -e '.[dev]' (never 'playwright install')"
        )
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(chromium_path),
            headless=True,
            args=[flag for flag in browser.FLAGS if flag != "--headless"],
        )
        try:
            yield launched
        finally:
            launched.close()
