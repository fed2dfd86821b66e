"""Executed notebook -> self-contained HTML report for committee readers.

The report has no code, no prompts, no parameters cell, no warnings or tracebacks; its images
are embedded; it fetches nothing (no script, style sheet or font from elsewhere). nbconvert's
template exporter (:class:`ReportExporter`) renders it with the pack's template
(``templates/report``, which extends nbconvert's ``basic``): a header (council, title, period,
scenario, build), navigation between reports, a table of contents for long reports, and an
inline stylesheet with print rules. The exporter's own configuration leaves out inputs and
prompts; preprocessors leave out hidden cells and stray outputs (:class:`ReaderOutputs`), give
every image a description (:class:`ReaderImages`, nbconvert's standard words where it has none)
and take the page's title and table of contents from the notebook's markdown headings
(:class:`ReaderHeadings`).
"""

from __future__ import annotations

import contextlib
import pickle
import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
)
from nbconvert.exporters import TemplateExporter
from nbconvert.filters import Highlight2HTML, get_metadata, markdown2html_mistune
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import default

from analysis import __version__
from analysis.core import paths

HIDDEN_TAGS = {"parameters", "injected-parameters", "remove", "hide"}
TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "report"
TOC_MIN_SECTIONS = 4  # a table of contents for a page with at least this many sections


class ReaderOutputs(Preprocessor):
    """Keep only what a reader should see: no stderr, no errors, no empty text outputs."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    continue
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    continue
                kept.append(output)
            cell.outputs = kept
        return cell, resources


# The description nbconvert's HTML exporter gives an image that has none.
MISSING_ALT = "No description has been provided for this image"
# The image outputs the template writes as <img> with the output's (or else the cell's) "alt"
# metadata (the pack's template gives SVG the same as nbconvert's gives PNG and JPEG).
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")


class _ImagesWithoutAlt(HTMLParser):
    """Whether an HTML fragment has an ``<img>`` without an ``alt`` attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_starttag(self, tag, attrs):
        if tag == "img" and "alt" not in dict(attrs):
            self.found = True

    handle_startendtag = handle_starttag


def with_alt(fragment: str) -> str:
    """``fragment`` (HTML) with :data:`MISSING_ALT` as the description of each ``<img>`` that
    has none; the same string when every image has one. An HTML parser finds them; only a
    fragment that has one is parsed into a tree (BeautifulSoup) and written again."""
    if "<img" not in fragment.lower():
        return fragment
    finder = _ImagesWithoutAlt()
    finder.feed(fragment)
    finder.close()
    if not finder.found:
        return fragment
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "html.parser")
    for image in soup.find_all("img"):
        if not image.has_attr("alt"):
            image["alt"] = MISSING_ALT
    return str(soup)


class ReaderImages(Preprocessor):
    """Every image a description: an image output that has none, in its own metadata or its
    cell's (where the template looks, with nbconvert's ``get_metadata``), gets
    :data:`MISSING_ALT` in its metadata; an ``<img>`` without one in an HTML output gets it
    in the HTML (:func:`with_alt`; markdown cells get it as they are rendered,
    :meth:`ReportExporter.markdown2html`)."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                html = data["text/html"]
                html = "".join(html) if isinstance(html, list) else html
                fixed = with_alt(html)
                if fixed is not html:
                    data["text/html"] = fixed
            for kind in IMAGE_TYPES:
                if kind not in data:
                    continue
                if not (get_metadata(output, "alt", kind) or get_metadata(cell, "alt")):
                    output.setdefault("metadata", {}).setdefault(kind, {})["alt"] = MISSING_ALT
        return cell, resources


class ReportExporter(TemplateExporter):
    """nbconvert's template exporter writing the pack's HTML pages, with the two filters that
    nbconvert's templates use and its HTML exporter adds: markdown to HTML (headings get their
    ids and nbconvert's anchor link, which the stylesheet hides) and code highlighting. The HTML
    exporter also reads every page it has written into a tree (BeautifulSoup) and writes it
    again, to describe images that have no description (three fifths of a page's time: 0.21 of
    0.35 s for the default pack's four reports); here :class:`ReaderImages` does that on the
    outputs and cells that have such an image, and nothing else is parsed."""

    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self):
        return ".html"

    def default_filters(self):
        yield from super().default_filters()
        yield ("markdown2html", self.markdown2html)
        yield ("highlight_code", Highlight2HTML(pygments_lexer="ipython3", parent=self))

    @pass_context
    def markdown2html(self, context, source):
        """A markdown cell as HTML, as nbconvert's HTML exporter renders it (its attachments
        included), with every image described. (An empty anchor link would be written as
        ``<a .../>``, which a browser reads as a link left open over the rest of the page.)"""
        cell = context.get("cell", {})
        renderer = IPythonRenderer(escape=False, attachments=cell.get("attachments", {}))
        return with_alt(MarkdownWithMath(renderer=renderer).render(source))


@dataclass
class PageInfo:
    council: str
    committee: str
    period_label: str
    scenario: str
    built: str
    build: str
    nav: list[dict] = field(default_factory=list)
    footer: str = ""
    illustrative: str | None = None  # the header's note when the pack is built on illustrative data


ILLUSTRATIVE_FILE = "ILLUSTRATIVE.md"


def illustrative_note(council: str) -> str | None:
    """The note every page's header shows when ``data/raw/<council>/ILLUSTRATIVE.md`` marks the
    council's data as illustrative: that file's first paragraph (headings skipped), or a
    standard sentence when the file has none. None when the council's data is its own."""
    path = paths.council_dir(council) / ILLUSTRATIVE_FILE
    if not path.is_file():
        return None
    paragraph: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        text = line.strip()
        if text.startswith("#"):
            continue
        if not text:
            if paragraph:
                break
            continue
        paragraph.append(text)
    return (
        " ".join(paragraph) or "The figures in this pack are illustrative, not the council's own."
    )


def notebook_council(notebook: nbformat.NotebookNode) -> str | None:
    """The council a notebook was run for (papermill's record of its parameters)."""
    parameters = notebook.get("metadata", {}).get("papermill", {}).get("parameters", {})
    council = parameters.get("council")
    return str(council) if council else None


def build_label(git: dict) -> str:
    """The code version a page was built from: short commit, and whether the tree was dirty."""
    commit = (git.get("commit") or "unknown")[:10]
    return commit + (" (uncommitted changes)" if git.get("dirty") else "")


# A markdown ATX heading (CommonMark: up to three spaces, 1-6 #, a space, the text, optional
# closing #s). This reads the notebook's markdown source, never HTML.
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class _HeadingParser(HTMLParser):
    """The id and text of the heading nbconvert renders (its text without the anchor link)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.id: str | None = None
        self.text: list[str] = []
        self._in_link = 0

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and self.id is None:
            self.id = found.get("id")
        if tag == "a" and "anchor-link" in (found.get("class") or "").split():
            self._in_link += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._in_link:
            self._in_link -= 1

    def handle_data(self, data):
        if not self._in_link:
            self.text.append(data)


def heading_anchor(markdown_heading: str) -> tuple[str | None, str]:
    """The id nbconvert gives a markdown heading, and its text, read from the heading as
    nbconvert's markdown filter renders it."""
    parser = _HeadingParser()
    parser.feed(markdown2html_mistune(markdown_heading))
    parser.close()
    return parser.id, " ".join("".join(parser.text).split())


def markdown_headings(source: str) -> list[tuple[int, int, str]]:
    """(line number, level, text) of each ATX heading in markdown ``source``, outside fenced
    code blocks."""
    found, fence = [], None
    for number, line in enumerate(source.splitlines()):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        heading = _ATX.match(line)
        if heading:
            found.append((number, len(heading.group(1)), (heading.group(2) or "").strip()))
    return found


class ReaderHeadings(Preprocessor):
    """The page's title and table of contents, from the notebook's markdown headings.

    The first level-1 heading becomes the page title (``resources["title"]``) and leaves the
    body (the page's header shows it); a later level-1 heading becomes a level-2 one. Each
    level-2 heading is an entry of ``resources["toc"]``: (its id, as nbconvert renders it;
    its text)."""

    def preprocess(self, nb, resources):
        title, toc = None, []
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            lines = cell.source.splitlines()
            drop = None
            for number, level, text in markdown_headings(cell.source):
                if level == 1 and title is None:
                    title, drop = heading_anchor(f"# {text}")[1], number
                    continue
                if level == 1:
                    lines[number] = "#" + lines[number].lstrip()
                    level = 2
                if level == 2:
                    anchor, shown = heading_anchor(f"## {text}")
                    if anchor:
                        toc.append((anchor, shown))
            if drop is not None:
                del lines[drop]
            cell.source = "\n".join(lines)
        resources["title"], resources["toc"] = title, toc
        return nb, resources


class TemplateCache(FileSystemBytecodeCache):
    """jinja2's bytecode cache on disk, for the templates a page is rendered with (the pack's
    and nbconvert's): compiled once, not on every run (0.05 s of CPU a default pack, a quarter
    of its rendering). An entry names its template and holds the checksum of its source and
    the Python it was compiled for, so a changed template or Python compiles again. A cache
    that cannot be read or written costs the compilation, never the page."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()  # an entry cut short or garbled: compiled again, and rewritten

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(directory: Path | None = None) -> TemplateCache | None:
    """The compiled templates' cache, in ``directory`` (default ``data/processed/templates/``);
    None where that folder cannot be made (templates are then compiled each run)."""
    directory = directory or paths.processed_dir() / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return TemplateCache(str(directory))


@lru_cache(maxsize=1)
def _exporter() -> ReportExporter:
    """One exporter for every page of a run (building it costs more than using it)."""
    exporter = for_readers(
        ReportExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES)])
    )
    exporter.environment.bytecode_cache = template_cache()  # before its first template
    return exporter


def for_readers(exporter: ReportExporter) -> ReportExporter:
    """Set ``exporter`` up for the reader's view: no code or prompts, no hidden cells
    (:data:`HIDDEN_TAGS`) or stray outputs (:class:`ReaderOutputs`), every image described
    (:class:`ReaderImages`), the title and contents from the headings (:class:`ReaderHeadings`)."""
    exporter.exclude_input = True
    # The notebook is validated once, after the last preprocessor, not after each of them (15
    # schema validations of the whole notebook a page); an invalid one still fails the page.
    exporter.optimistic_validation = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    tags = TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True)
    exporter.register_preprocessor(tags, enabled=True)
    exporter.register_preprocessor(ReaderOutputs(), enabled=True)
    exporter.register_preprocessor(ReaderImages(), enabled=True)
    exporter.register_preprocessor(ReaderHeadings(), enabled=True)
    return exporter


@lru_cache(maxsize=1)
def _page_template():
    env = Environment(
        loader=FileSystemLoader([TEMPLATES, TEMPLATES / TEMPLATE_NAME]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        bytecode_cache=template_cache(),
    )
    return env.get_template("page.html.j2")


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / "pack.css").read_text("utf-8")


def _page_values(info: PageInfo, title: str, toc: list[tuple[str, str]]) -> dict:
    return {
        **asdict(info),
        "title": title,
        "toc": toc if len(toc) >= TOC_MIN_SECTIONS else [],
        "css": stylesheet(),
        "version": __version__,
    }


def page(body_html: str, title: str, info: PageInfo, toc: list[tuple[str, str]] = ()) -> str:
    """A page of the pack that is not a notebook (the cover): ``body_html`` in the pack's page,
    as the reports have it."""
    from markupsafe import Markup

    values = _page_values(info, title, list(toc))
    values["css"] = Markup(values["css"])
    return _page_template().render(page=values, body=Markup(body_html))


def render_notebook(notebook: nbformat.NotebookNode, fallback_title: str, info: PageInfo) -> str:
    """An executed notebook as a complete, self-contained HTML page; its header says so when the
    council's data is illustrative (:func:`illustrative_note`)."""
    if info.illustrative is None:
        council = notebook_council(notebook)
        if council:
            info = replace(info, illustrative=illustrative_note(council))
    values = _page_values(info, fallback_title, [])
    values["toc_min"] = TOC_MIN_SECTIONS
    body, _ = _exporter().from_notebook_node(notebook, resources={"page": values})
    return body
