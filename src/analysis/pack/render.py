"""Executed notebook -> self-contained HTML report for committee readers.

The report has no code, no prompts, no parameters cell, no warnings or tracebacks; its images
are embedded; it fetches nothing (no script, style sheet or font from elsewhere). nbconvert's
``basic`` template renders the notebook body; :func:`page` wraps it in the pack's own page with
a header (council, title, period, scenario, build), navigation between reports, a table of
contents for long reports, and an inline stylesheet with print rules.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import nbformat
from jinja2 import Environment, StrictUndefined
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from analysis import __version__

HIDDEN_TAGS = {"parameters", "injected-parameters", "remove", "hide"}


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
    from analysis.core.paths import council_dir

    path = council_dir(council) / ILLUSTRATIVE_FILE
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


MISSING_ALT = "Image without a description"

# A start tag's attributes, read as HTML reads them: a name, then optionally = and a quoted or
# bare value (so an "alt=" inside another attribute's value is not taken for an alt attribute).
_NAME = r"""[^\s"'>/=]+"""
_VALUE = r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
_ATTRIBUTES = rf"((?:\s+{_NAME}{_VALUE})*)"
_ATTRIBUTE = re.compile(rf"\s+({_NAME}){_VALUE}")
_IMG_TAG = re.compile(r"(<img)" + _ATTRIBUTES + r"\s*(/?)>", re.IGNORECASE)
_SELF_CLOSED_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)" + _ATTRIBUTES + r"\s*/>")
# The elements that have no content and no end tag in HTML.
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


def with_end_tags(body: str) -> str:
    """Write ``<a ... />`` as ``<a ...></a>``: in HTML a slash does not end an element that can
    have content, so a browser reads what follows as inside it. nbconvert writes each heading's
    empty anchor link that way (``add_anchor`` serialises XML); the pack's stylesheet hides those
    links, and with them everything after the first heading."""

    def close(match: re.Match) -> str:
        name, attributes = match.group(1), match.group(2)
        if name.lower() in VOID_ELEMENTS:
            return match.group(0)
        return f"<{name}{attributes}></{name}>"

    return _SELF_CLOSED_TAG.sub(close, body)


def with_alt_text(body: str) -> str:
    """Give every ``<img>`` without an ``alt`` attribute the text :data:`MISSING_ALT`, so a
    screen reader says an image is there (the pack's own charts always carry their own)."""

    def add(match: re.Match) -> str:
        tag, attributes, closing = match.groups()
        if "alt" in {m.group(1).lower() for m in _ATTRIBUTE.finditer(attributes)}:
            return match.group(0)
        return f'{tag}{attributes} alt="{MISSING_ALT}"{closing}>'

    return _IMG_TAG.sub(add, body)


class ReaderHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter without its closing BeautifulSoup pass.

    That pass re-parses the whole page to add alt text to images that have none and tab stops to
    code inputs and outputs inside a ``jp-Notebook`` element, and writes the page out again as
    HTML; it was three quarters of the time spent rendering a page. The ``basic`` template has
    no ``jp-Notebook`` element, so what remains is the alt text (:func:`with_alt_text`) and the
    end tags of elements written XML-style (:func:`with_end_tags`), both done without
    re-parsing the page. The filters are registered as
    :meth:`HTMLExporter.from_notebook_node` registers them."""

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_types)
        body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return with_alt_text(with_end_tags(body)), resources


@lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    """One exporter for every page of a run (building it costs more than using it)."""
    return for_readers(ReaderHTMLExporter(template_name="basic"))


def for_readers(exporter: HTMLExporter) -> HTMLExporter:
    """Set ``exporter`` up for the reader's view: no code or prompts, empty anchor links on the
    headings (the stylesheet hides them; the headings keep their ids for the table of contents),
    no hidden cells (:data:`HIDDEN_TAGS`) or stray outputs (:class:`ReaderOutputs`)."""
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    tags = TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True)
    exporter.register_preprocessor(tags, enabled=True)
    exporter.register_preprocessor(ReaderOutputs(), enabled=True)
    return exporter


def notebook_body(notebook: nbformat.NotebookNode) -> str:
    """The reader's view of an executed notebook, as an HTML fragment."""
    body, _ = _exporter().from_notebook_node(notebook)
    return body


_HEADING = re.compile(r"<h([1-6])([^>]*)>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r'\bid="([^"]+)"')


def _heading_text(inner: str) -> str:
    return html.unescape(_TAG.sub("", inner)).strip()


def split_title(body: str) -> tuple[str | None, str]:
    """Take the first h1 out of the body as the page title; demote any further h1 to h2."""
    title = None

    def replace(match: re.Match) -> str:
        nonlocal title
        level, attrs, inner = match.group(1), match.group(2), match.group(3)
        if level != "1":
            return match.group(0)
        if title is None:
            title = _heading_text(inner)
            return ""
        return f"<h2{attrs}>{inner}</h2>"

    body = _HEADING.sub(replace, body)
    return title, body


def table_of_contents(body: str) -> list[tuple[str, str]]:
    """(anchor, text) for each h2 that has an id."""
    toc = []
    for match in _HEADING.finditer(body):
        if match.group(1) == "2":
            found = _ID.search(match.group(2))
            if found:
                toc.append((found.group(1), _heading_text(match.group(3))))
    return toc


@lru_cache(maxsize=1)
def _template():
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    text = resources.files("analysis.pack").joinpath("templates/page.html.j2").read_text("utf-8")
    return env.from_string(text)


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return resources.files("analysis.pack").joinpath("templates/pack.css").read_text("utf-8")


def page(body_html: str, title: str, info: PageInfo, toc_min_sections: int = 4) -> str:
    """Wrap an HTML fragment in the pack's page."""
    from markupsafe import Markup

    toc = table_of_contents(body_html)
    return _template().render(
        title=title,
        council=info.council,
        committee=info.committee,
        period_label=info.period_label,
        scenario=info.scenario,
        built=info.built,
        build=info.build,
        nav=info.nav,
        footer=info.footer,
        illustrative=info.illustrative,
        toc=toc if len(toc) >= toc_min_sections else [],
        body=Markup(body_html),
        css=Markup(stylesheet()),
        version=__version__,
    )


def render_notebook(notebook: nbformat.NotebookNode, fallback_title: str, info: PageInfo) -> str:
    """An executed notebook as a complete, self-contained HTML page; its header says so when the
    council's data is illustrative (:func:`illustrative_note`)."""
    if info.illustrative is None:
        council = notebook_council(notebook)
        if council:
            info = replace(info, illustrative=illustrative_note(council))
    title, body = split_title(notebook_body(notebook))
    return page(body, title or fallback_title, info)
