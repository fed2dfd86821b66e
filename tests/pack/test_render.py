"""The pack's report pages: nbconvert's template exporter with the pack's template; the title and
table of contents from the notebook's markdown headings; every image described."""

from __future__ import annotations

import base64
from html.parser import HTMLParser

import nbformat
import pytest

from analysis.pack import render

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()
NBCONVERT_ALT = "No description has been provided for this image"
# The elements that have no content and no end tag in HTML.
VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the self-closed ones, as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.self_closed: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.self_closed.append(tag)


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _info() -> render.PageInfo:
    return render.PageInfo(
        "Toy <b>Council</b>", "Cabinet", "2021-22 Q2", "base", "today", "abc",
        nav=[{"title": "Cover", "href": "index.html"}], footer="Built <here>",
    )  # fmt: skip


def _notebook(*markdown: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    chart = nbformat.v4.new_code_cell("show()")
    chart.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": f'<img src="data:image/png;base64,{PNG}" alt="Bar chart: costs">'},
        ),
        nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
    ]
    hidden = nbformat.v4.new_code_cell("council = 'x'", metadata={"tags": ["parameters"]})
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown] + [hidden, chart]
    return nb


SECTIONS = (
    "# The *title*\n\nText with **bold** and ![a chart](c.png).\n\n## Part one",
    "```\n# not a heading\n```\n\n## Part *two* & more\n\n### Detail",
    "# Another top heading\n\n## Part three",
    "<img src='d.png'> a raw image with no alt",
)


def test_the_title_and_contents_come_from_the_markdown_headings():
    page = render.render_notebook(_notebook(*SECTIONS), "Fallback", _info())
    tags = _tags(page)
    assert [t for t, _ in tags.tags].count("h1") == 1, "the title once, in the header"
    assert "<h1>The title</h1>" in page.replace("\n", "")
    toc = [a["href"] for t, a in tags.tags if t == "a" and a.get("href", "").startswith("#")]
    ids = [a["id"] for t, a in tags.tags if t == "h2" and "id" in a and a["id"] != "toc-title"]
    # the demoted top heading is a section; the fenced '#' line is not a heading
    assert ids == ["Part-one", "Part-two-&-more", "Another-top-heading", "Part-three"]
    assert [h for h in toc if h != "#content"][: len(ids)] == [f"#{i}" for i in ids]
    assert "Part two &amp; more</a>" in page
    assert "# not a heading" in page


def test_a_short_page_has_no_contents_and_keeps_its_fallback_title():
    page = render.render_notebook(_notebook("Just text.\n\n## One part"), "Fallback", _info())
    assert 'id="toc-title"' not in page
    assert "<h1>Fallback</h1>" in page


def test_the_page_is_for_readers_and_its_values_are_escaped():
    page = render.render_notebook(_notebook(*SECTIONS), "Fallback", _info())
    tags = _tags(page)
    alts = [a.get("alt") for t, a in tags.tags if t == "img"]
    assert sorted(alts) == sorted(["a chart", "Bar chart: costs", NBCONVERT_ALT, NBCONVERT_ALT])
    assert "council = 'x'" not in page and "a warning" not in page
    assert "show()" not in page and "In&nbsp;[" not in page
    # a browser reads <a .../> as an open link: none is written that way
    assert set(tags.self_closed) <= VOID_ELEMENTS
    assert "Toy &lt;b&gt;Council&lt;/b&gt;" in page and "<b>Council" not in page
    assert "Built &lt;here&gt;" in page


def test_the_cover_page_has_the_same_header_and_footer():
    cover = render.page("<p>Body</p>", "Cover <title>", _info())
    report = render.render_notebook(_notebook("# Report"), "x", _info())
    for page in (cover, report):
        assert "Toy &lt;b&gt;Council&lt;/b&gt; · report for Cabinet" in page
        assert "Built &lt;here&gt;" in page and 'class="pack-nav"' in page
    assert "<p>Body</p>" in cover and "<h1>Cover &lt;title&gt;</h1>" in cover


def test_a_page_validates_its_notebook_once_and_an_invalid_one_fails(monkeypatch):
    notebook, broken = _notebook(*SECTIONS), _notebook(*SECTIONS)
    broken.cells[-1].outputs.append({"output_type": "stream", "name": "stdout"})  # no text
    calls = []
    validate = nbformat.validate

    def counted(*args, **kwargs):
        calls.append(1)
        return validate(*args, **kwargs)

    monkeypatch.setattr(nbformat, "validate", counted)
    render.render_notebook(notebook, "Fallback", _info())
    assert len(calls) == 1, "once after every preprocessor, not after each"
    with pytest.raises(nbformat.ValidationError):
        render.render_notebook(broken, "Fallback", _info())


def test_an_image_without_a_description_in_an_output_gets_nbconverts_words():
    nb = _notebook("# Report")
    nb.cells[-1].outputs.append(
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": "<p>Map<br><img src='m.png'></p><img src='n.png' alt=''>"},
        )
    )
    tags = _tags(render.render_notebook(nb, "x", _info()))
    alts = sorted(a.get("alt") for t, a in tags.tags if t == "img")
    assert alts == sorted(["", "Bar chart: costs", NBCONVERT_ALT, NBCONVERT_ALT])


def test_outputs_whose_images_are_described_are_written_as_the_notebook_has_them():
    # The page is not read into a tree and written again (nbconvert's HTML exporter does that
    # to every page: three fifths of its time), which would also write <br> as <br/>.
    nb = _notebook("# Report\n\nA line<br>break")
    html = (
        '<figure><img src="c.png" alt="Chart"><br></figure><table><tr><td>1<br></td></tr></table>'
    )
    nb.cells[-1].outputs.append(nbformat.v4.new_output("display_data", data={"text/html": html}))
    page = render.render_notebook(nb, "x", _info())
    assert html in page
    assert "A line<br>break" in page


def test_with_alt_returns_the_fragment_itself_when_nothing_is_missing():
    described = '<IMG SRC="a.png" ALT="A">'
    assert render.with_alt(described) is described
    assert render.with_alt("<p>no image</p>") == "<p>no image</p>"
    assert render.with_alt("<img src=a.png>") == f'<img alt="{render.MISSING_ALT}" src="a.png"/>'


def test_images_keep_the_description_their_output_or_cell_gives_and_others_get_nbconverts():
    nb = _notebook("# Report")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
    described = nbformat.v4.new_code_cell("show()", metadata={"alt": "From the cell"})
    described.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG})]
    top_level = nbformat.v4.new_output(
        "display_data", data={"image/jpeg": PNG}, metadata={"alt": "From the output"}
    )
    vector = nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": svg}, metadata={"image/svg+xml": {"alt": "SVG"}}
    )
    bare_vector = nbformat.v4.new_output("display_data", data={"image/svg+xml": svg})
    nb.cells[-1].outputs = [top_level, vector, bare_vector]
    nb.cells.append(described)
    tags = _tags(render.render_notebook(nb, "x", _info()))
    alts = sorted(a.get("alt") for t, a in tags.tags if t == "img")
    assert alts == sorted(["From the cell", "From the output", "SVG", NBCONVERT_ALT])


@pytest.fixture
def template_folder(tmp_path, monkeypatch):
    """The compiled templates' cache in a folder of the test's own; fresh exporters before and
    after (one is kept for every page of a run)."""
    monkeypatch.setattr(render.paths, "processed_dir", lambda: tmp_path)
    render._exporter.cache_clear()
    render._page_template.cache_clear()
    yield tmp_path / "templates"
    render._exporter.cache_clear()
    render._page_template.cache_clear()


def _compiled(monkeypatch) -> list[str]:
    """The templates jinja2 compiles from now on (their names)."""
    from jinja2 import Environment

    names: list[str] = []
    compile_ = Environment.compile

    def counted(self, source, name=None, *args, **kwargs):
        names.append(name)
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counted)
    return names


def test_templates_compile_once_and_a_page_from_the_cache_is_the_same(template_folder, monkeypatch):
    compiled = _compiled(monkeypatch)
    notebook = _notebook(*SECTIONS)
    first = render.render_notebook(notebook, "Fallback", _info())
    cover = render.page("<p>Body</p>", "Cover", _info())
    assert "index.html.j2" in compiled and "page.html.j2" in compiled
    assert sorted(p.name for p in template_folder.iterdir()), "the compiled templates are kept"
    # a later run (new exporters) compiles nothing and writes the same pages
    render._exporter.cache_clear()
    render._page_template.cache_clear()
    compiled.clear()
    assert render.render_notebook(notebook, "Fallback", _info()) == first
    assert render.page("<p>Body</p>", "Cover", _info()) == cover
    assert compiled == []


def test_a_cache_that_cannot_be_kept_costs_the_compilation_not_the_page(
    template_folder, tmp_path, monkeypatch
):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert render.template_cache(blocked / "templates") is None
    gone = tmp_path / "gone"
    cache = render.template_cache(gone)
    gone.rmdir()  # nothing can be read or written there now
    monkeypatch.setattr(render, "template_cache", lambda: cache)
    compiled = _compiled(monkeypatch)
    page = render.render_notebook(_notebook("# Report"), "x", _info())
    assert "<h1>Report</h1>" in page and "index.html.j2" in compiled
    assert not gone.exists()


def test_a_garbled_cache_entry_is_compiled_again_not_a_failed_page(template_folder, monkeypatch):
    from jinja2.bccache import bc_magic

    notebook = _notebook(*SECTIONS)
    first = render.render_notebook(notebook, "Fallback", _info())
    entries = list(template_folder.iterdir())
    for entry in entries:  # a header that reads, then bytes that do not
        entry.write_bytes(bc_magic + b"\x80garbled")
    render._exporter.cache_clear()
    compiled = _compiled(monkeypatch)
    assert render.render_notebook(notebook, "Fallback", _info()) == first
    assert "index.html.j2" in compiled
    assert all(e.read_bytes() != bc_magic + b"\x80garbled" for e in entries), "rewritten"
