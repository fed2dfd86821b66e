"""The pages of a complete pack, in reading order (the cover first), for the page tests."""

from __future__ import annotations

from pathlib import Path

from analysis.pack.catalogue import NOTEBOOKS, READING_ORDER

_FILES = {spec.key: spec.filename for spec in NOTEBOOKS}
PAGES = ["index.html"] + [f"{Path(_FILES[key]).stem}.html" for key in READING_ORDER]
