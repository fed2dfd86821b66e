"""Headless Chromium for the pack: the committee paper as one PDF, and a PNG of each page's
first screen.

``python -m analysis run --pdf --screenshots`` calls :func:`pack_extras`, whose result the pack
runner calls after rendering (``after_render(build_dir, results)``), before the pack is
published. It writes

- ``committee-paper.pdf``: the cover's headline and contents, the summary, and each report as
  an appendix, numbered, printed with the pages' own print stylesheet (A4), see
  :mod:`analysis.pack.paper`; and
- ``screenshots/<report>.png``: each page's first screen as a councillor would see it
  (1280 x 800).

Chromium is found at ``/usr/bin/chromium`` or as ``chromium``, ``chromium-browser``,
``google-chrome`` or ``google-chrome-stable`` on PATH (or ``$CHROMIUM``); when none is there,
:class:`BrowserNotFound` says how to install one. It runs with no network use of its own (the
flags below), a new empty profile, and loads only the local file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEFAULT_PATH = Path("/usr/bin/chromium")
SCREEN = (1280, 800)  # a laptop's first screen
TIMEOUT_S = 120

# Flags that work as root in a container with a closed network (see the module docstring).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--force-color-profile=srgb",
)


class BrowserNotFound(RuntimeError):
    """No Chromium or Chrome on this machine."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "No Chromium found: looked for /usr/bin/chromium, $CHROMIUM and "
            f"{', '.join(CANDIDATES)} on PATH. Install it (Debian/Ubuntu: "
            "'apt-get update && apt-get install -y chromium') or run without --pdf/--screenshots."
        )


class BrowserFailed(RuntimeError):
    """Chromium ran but did not produce the file."""


def find_chromium() -> Path:
    """The Chromium (or Chrome) executable; raises :class:`BrowserNotFound`. A ``$CHROMIUM``
    that names no program is refused, never passed over for another browser: the setting is
    what the user asked for."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        found = shutil.which(configured)
        if found:
            return Path(found)
        raise BrowserNotFound(
            f"CHROMIUM is set to {configured}, which is not a program that can be run: set it "
            "to the browser's path, unset it to use the one installed, or run without "
            "--pdf/--screenshots."
        )
    if DEFAULT_PATH.is_file() and os.access(DEFAULT_PATH, os.X_OK):
        return DEFAULT_PATH
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise BrowserNotFound()


def _run(chromium: Path, extra: list[str], url: str, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.exists():
        output.unlink()
    with tempfile.TemporaryDirectory(prefix="pack-chromium-") as profile:
        command = [str(chromium), *FLAGS, f"--user-data-dir={profile}", *extra, url]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise BrowserFailed(f"Chromium took over {TIMEOUT_S} s on {url}") from exc
    if not output.is_file() or output.stat().st_size == 0:
        tail = "\n".join((done.stderr or "").strip().splitlines()[-5:])
        raise BrowserFailed(
            f"Chromium did not write {output.name} (exit {done.returncode})"
            + (f": {tail}" if tail else ", and said nothing")
        )


def print_pdf(chromium: Path, html_file: Path, pdf_file: Path) -> Path:
    """Print a page to PDF with its print stylesheet, without the browser's header and footer;
    its headings become the PDF's outline (bookmarks)."""
    _run(
        chromium,
        [
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={pdf_file}",
        ],
        html_file.resolve().as_uri(),
        pdf_file,
    )
    return pdf_file


def screenshot(
    chromium: Path, html_file: Path, png_file: Path, size: tuple[int, int] = SCREEN
) -> Path:
    """A PNG of the page's first screen at ``size`` (width, height) CSS pixels."""
    width, height = size
    _run(
        chromium,
        [
            f"--window-size={width},{height}",
            "--run-all-compositor-stages-before-draw",
            f"--screenshot={png_file}",
        ],
        html_file.resolve().as_uri(),
        png_file,
    )
    return png_file


def report_pages(build_dir: Path, results: Iterable) -> list[Path]:
    """The cover and each rendered report, in reading order."""
    pages = [build_dir / "index.html"]
    for result in results:
        html = getattr(result, "html", None)
        if getattr(result, "status", "ok") == "ok" and html and (build_dir / html).is_file():
            pages.append(build_dir / html)
    return [p for p in pages if p.is_file()]


def pack_extras(
    pdf: bool = False,
    screenshots: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Callable[[Path, list], None]:
    """The ``after_render`` hook for :func:`analysis.pack.build_pack`.

    Finds Chromium now, so a missing browser stops the run before any notebook executes.
    """
    chromium = find_chromium() if (pdf or screenshots) else None

    def after_render(build_dir: Path, results: list) -> None:
        if chromium is None:
            return
        if pdf:
            from analysis.pack.paper import print_paper

            print_paper(
                Path(build_dir),
                results,
                lambda page, target: print_pdf(chromium, page, target),
                progress,
            )
        for page in report_pages(Path(build_dir), results):
            if screenshots:
                target = Path(build_dir) / "screenshots" / f"{page.stem}.png"
                screenshot(chromium, page, target)
                progress(f"  captured screenshots/{target.name}")

    return after_render
