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
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

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


class Element(NamedTuple):
    """One element of a page, where it is in the page's text: ``text[start:end]`` is the whole
    element, ``text[inner_start:inner_end]`` what is between its start and end tags."""

    tag: str
    attrs: dict[str, str | None]
    start: int
    inner_start: int
    inner_end: int
    end: int

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()


class _ElementFinder(HTMLParser):
    """Finds the elements of the given tags in a page (the standard library's HTML parser says
    where each tag begins; an end tag closes the latest open element of its name)."""

    def __init__(self, text: str, tags: Iterable[str]):
        super().__init__(convert_charrefs=True)
        self._text = text
        self._lines = [0]  # where each line of the text begins (the parser counts lines)
        newline = text.find("\n")
        while newline >= 0:
            self._lines.append(newline + 1)
            newline = text.find("\n", newline + 1)
        self._open: dict[str, list[tuple[dict[str, str | None], int, int]]] = {
            tag: [] for tag in tags
        }
        self.found: list[Element] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in self._open:
            start = self._offset()
            inner = start + len(self.get_starttag_text())
            self._open[tag].append((dict(attrs), start, inner))

    def handle_startendtag(self, tag, attrs):
        if tag in self._open:  # <tag ... />: an element with nothing inside
            start = self._offset()
            end = start + len(self.get_starttag_text())
            self.found.append(Element(tag, dict(attrs), start, end, end, end))

    def handle_endtag(self, tag):
        if self._open.get(tag):
            attrs, start, inner = self._open[tag].pop()
            inner_end = self._offset()
            end = self._text.index(">", inner_end) + 1
            self.found.append(Element(tag, attrs, start, inner, inner_end, end))


def elements(text: str, *tags: str) -> list[Element]:
    """The elements of these tags in an HTML page or fragment, in the order they begin (so an
    element comes before the ones inside it); an element never closed is left out. The text
    inside ``<script>`` and ``<style>`` is not searched, as a browser would not."""
    finder = _ElementFinder(text, tags)
    finder.feed(text)
    finder.close()
    return sorted(finder.found, key=lambda element: element.start)


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, without its tags and with its character references
    resolved (``&amp;`` is "&")."""
    parser = _TextParser()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def _first(found: list[Element], tag: str, cls: str | None, where: Path) -> Element:
    """The first ``<tag class="cls">`` found; a clear error naming the page when there is none."""
    for element in found:
        if element.tag == tag and (cls is None or element.has_class(cls)):
            return element
    name = f'<{tag} class="{cls}">' if cls else f"<{tag}>"
    raise ValueError(f"{where}: no {name} element, which the committee paper is made from")


def _start_tag(tag: str, attrs: dict[str, str | None]) -> str:
    """A start tag with these attributes (values quoted and escaped)."""
    written = "".join(
        f" {name}" if value is None else f' {name}="{html.escape(value)}"'
        for name, value in attrs.items()
    )
    return f"<{tag}{written}>"


def _main_content(page: str, where: Path) -> str:
    """A rendered page's ``<main>`` content, without its 'On this page' list
    (``<nav class="toc">``), as written in the page."""
    found = elements(page, "main", "nav")
    main = _first(found, "main", None, where)
    kept, position = [], main.inner_start
    for nav in found:
        inside = main.inner_start <= nav.start and nav.end <= main.inner_end
        if nav.tag == "nav" and nav.has_class("toc") and inside and nav.start >= position:
            kept.append(page[position : nav.start])
            position = nav.end
    kept.append(page[position : main.inner_end])
    return "".join(kept)


def _page_title(page: str, where: Path) -> str:
    """The text of a page's first ``<h1>``."""
    h1 = _first(elements(page, "h1"), "h1", None, where)
    return text_of(page[h1.inner_start : h1.inner_end]).strip()


def _cover(cover: str, where: Path) -> tuple[str, str, str]:
    """From the pack's cover page: its stylesheet, its header's content (the title's
    ``<h1>`` given the class ``paper-title``) and the council line's text."""
    found = elements(cover, "style", "header", "h1", "p")
    style = _first(found, "style", None, where)
    header = _first(found, "header", "pack-header", where)
    within = [e for e in found if header.inner_start <= e.start and e.end <= header.inner_end]
    council = next((e for e in within if e.tag == "p" and e.has_class("council")), None)
    footer = text_of(cover[council.inner_start : council.inner_end]) if council else ""
    content = cover[header.inner_start : header.inner_end]
    title = next((e for e in within if e.tag == "h1"), None)
    if title is not None:
        classes = " ".join([*(title.attrs.get("class") or "").split(), "paper-title"])
        tag = _start_tag("h1", {**title.attrs, "class": classes})
        offset = header.inner_start
        content = content[: title.start - offset] + tag + content[title.inner_start - offset :]
    return cover[style.inner_start : style.inner_end], content, footer


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
        title = _page_title(path.read_text("utf-8"), path)
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
    cover_path = build_dir / "index.html"
    cover = cover_path.read_text("utf-8")
    style, header, footer = _cover(cover, cover_path)
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
        body = _main_content(part.page.read_text("utf-8"), part.page)
        sections.append(
            f'<section class="part {kind}"><h1 class="part-title">{html.escape(part.title)}</h1>'
            f"{body}</section>"
        )
    council = _page_title(cover, cover_path)
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
