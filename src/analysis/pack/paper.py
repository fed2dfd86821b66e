"""The committee paper: one PDF of the whole pack, as councils file papers.

``python -m analysis run --pdf`` writes ``committee-paper.pdf`` beside the reports: a cover with
the headline figures and a contents list; then the summary; then each
detailed report as an appendix (A, B, C, ...). Every page but the cover is numbered ("Page 3 of
41"); sections run on rather than each starting a new page, so no page is left mostly empty.
The figures behind each chart are left out (they are in ``tables.xlsx``).

It is one HTML document (the reports' own content and stylesheet, see :func:`paper_html`)
printed by headless Chromium (:mod:`analysis.pack.browser`): page numbers come from the CSS
page margin boxes; the contents list's page numbers come from a first printing, whose outline
(bookmarks Chromium makes from the headings) pypdf reads, and the paper is printed again with
them (the contents list is the same length either way, so no page moves).
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.pack.cover import headline_section, summary_tables

PAPER_NAME = "committee-paper.pdf"
HTML_NAME = "committee-paper.html"
SUMMARY_PAGE = "00_summary.html"

PAPER_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #444; }
  @bottom-left { content: var(--paper-footer); font-size: 8pt; color: #444; } }
@page :first { @bottom-right { content: none; } @bottom-left { content: none; } }
body { font-size: 10pt; }
h1.part-title { font-size: 16pt; margin: 0 0 .4rem; padding-top: .3rem; border-top: 3px solid #00527f; break-after: avoid; }
section.part { margin-top: 1.2rem; }
section.part.summary-part { break-before: page; }
.paper-cover .pack-header { background: none; color: #000; padding: 0 0 .5rem; border-bottom: 2px solid #000; }
.paper-cover h1 { font-size: 20pt; }
ol.contents { list-style: none; padding: 0; margin: .4rem 0; max-width: 34rem; }
ol.contents li { display: flex; gap: .5rem; align-items: baseline; padding: .15rem 0; }
ol.contents .leader { flex: 1; border-bottom: 1px dotted #777; }
ol.contents .page-number { font-variant-numeric: tabular-nums; }
/* The reports' charts at their full size (only the summary's is made small); the figures
   behind each chart are in the workbook, not printed under it. */
section.appendix figure.chart img { max-height: 23cm; max-width: 100%; width: auto; }
section.part figure.chart details { display: none; }
"""


@dataclass(frozen=True)
class Part:
    """One part of the paper: its heading, and the page it was rendered to."""

    title: str
    page: Path


def _between(text: str, start: str, end: str) -> str:
    """The text between the first ``start`` and the next ``end`` (empty when absent)."""
    begin = text.find(start)
    if begin < 0:
        return ""
    begin += len(start)
    finish = text.find(end, begin)
    return text[begin:finish] if finish >= 0 else ""


def _main_content(page: str) -> str:
    """A rendered page's ``<main>`` content, without its 'On this page' list."""
    match = re.search(r"<main\b[^>]*>(.*)</main>", page, flags=re.S)
    content = match.group(1) if match else ""
    return re.sub(r'<nav class="toc".*?</nav>', "", content, flags=re.S)


def _page_title(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def parts(build_dir: Path, results) -> list[Part]:
    """The summary (where it was run) and the reports, in reading order, as appendices."""
    found: list[Part] = []
    letters = iter(string.ascii_uppercase)
    for result in results:
        name = getattr(result, "html", None)
        if getattr(result, "status", "ok") != "ok" or not name:
            continue
        path = Path(build_dir) / name
        if not path.is_file():
            continue
        title = _page_title(path.read_text("utf-8"))
        if name == SUMMARY_PAGE:
            found.append(Part(title, path))
        else:
            found.append(Part(f"Appendix {next(letters)}: {title}", path))
    return found


def contents_html(items: list[Part], pages: dict[str, int] | None) -> str:
    """The contents list; page numbers where known (a blank of the same width before)."""
    rows = []
    for part in items:
        number = str(pages.get(part.title, "")) if pages else ""
        rows.append(
            f'<li><span>{html.escape(part.title)}</span><span class="leader"></span>'
            f'<span class="page-number">{html.escape(number) or "&nbsp;&nbsp;"}</span></li>'
        )
    return '<h2 id="contents">Contents</h2><ol class="contents">' + "".join(rows) + "</ol>"


def paper_html(build_dir: Path, items: list[Part], pages: dict[str, int] | None = None) -> str:
    """The whole paper as one HTML document (see the module docstring)."""
    build_dir = Path(build_dir)
    cover = (build_dir / "index.html").read_text("utf-8")
    style = _between(cover, "<style>", "</style>")
    header = _between(cover, '<header class="pack-header">', "</header>")
    header = header.replace("<h1>", '<h1 class="paper-title">', 1)
    footer = html.unescape(re.sub(r"<[^>]+>", "", _between(header, '<p class="council">', "</p>")))
    tiles, _messages = summary_tables(build_dir)
    # The cover is one page: the headline figures and the contents. The summary's messages
    # follow on the next page, in the summary itself (each message once).
    cover_part = (
        '<section class="paper-cover">'
        f'<header class="pack-header">{header}</header>'
        + headline_section(tiles, [])
        + contents_html(items, pages)
        + "</section>"
    )
    sections = []
    for part in items:
        kind = "summary-part" if part.page.name == SUMMARY_PAGE else "appendix"
        body = _main_content(part.page.read_text("utf-8"))
        sections.append(
            f'<section class="part {kind}"><h1 class="part-title">{html.escape(part.title)}</h1>'
            f"{body}</section>"
        )
    council = _page_title(cover)
    footer_css = ":root { --paper-footer: " + _css_string(footer) + "; }"
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(council)}</title>"
        f"<style>{style}\n{PAPER_CSS}\n{footer_css}</style></head><body>"
        + cover_part
        + "".join(sections)
        + "</body></html>"
    )


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def outline_pages(pdf: Path) -> dict[str, int]:
    """The top-level bookmarks of a printed paper: heading -> page number (from 1)."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages: dict[str, int] = {}
    for entry in reader.outline:
        if isinstance(entry, list):
            continue
        pages.setdefault(str(entry.title).strip(), reader.get_destination_page_number(entry) + 1)
    return pages


def print_paper(
    build_dir: Path,
    results,
    print_pdf: Callable[[Path, Path], Path],
    progress: Callable[[str], None] = lambda message: None,
) -> Path | None:
    """Write ``committee-paper.pdf`` in ``build_dir``; ``print_pdf(html, pdf)`` prints a page
    with headless Chromium (and its headings as the PDF's outline). None when nothing to print."""
    build_dir = Path(build_dir)
    items = parts(build_dir, results)
    if not (build_dir / "index.html").is_file():
        return None
    source = build_dir / HTML_NAME
    target = build_dir / PAPER_NAME
    try:
        source.write_text(paper_html(build_dir, items), "utf-8")
        print_pdf(source, target)
        pages = outline_pages(target)
        source.write_text(paper_html(build_dir, items, pages), "utf-8")
        print_pdf(source, target)
    finally:
        source.unlink(missing_ok=True)
    progress(f"  printed  {PAPER_NAME}")
    return target
