"""The default pack in headless Chromium: the cover fits a 390 px phone screen without sideways
scrolling, and in print (A4, the page's own print stylesheet) every table fits the page width,
so no column is cut (the savings Mitigation column, the council tax table's twelfth column).

    .venv/bin/python -m pytest -m browser tests/pack/test_presentation_browser.py
"""

from __future__ import annotations

import pytest
from pack_pages import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

A4_PRINTABLE_PX = 702  # 210 mm - 2 x 12 mm margins, at 96 px per inch


def _open(chromium, path, width: int, media: str = "screen"):
    context = chromium.new_context(viewport={"width": width, "height": 800}, offline=True)
    page = context.new_page()
    page.emulate_media(media=media)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return context, page


def test_the_cover_does_not_scroll_sideways_on_a_phone(default_pack, chromium):
    context, page = _open(chromium, default_pack / "index.html", 390)
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        context.close()
    assert width <= 390


@pytest.mark.parametrize("name", PAGES)
def test_every_table_fits_the_printed_page(default_pack, chromium, name):
    context, page = _open(chromium, default_pack / name, A4_PRINTABLE_PX, media="print")
    try:
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        too_wide = page.evaluate(
            """(limit) => Array.from(document.querySelectorAll('table'))
                .filter(t => t.getBoundingClientRect().right > limit + 1)
                .map(t => (t.caption ? t.caption.textContent : '?').slice(0, 80))""",
            A4_PRINTABLE_PX,
        )
    finally:
        context.close()
    assert too_wide == []
