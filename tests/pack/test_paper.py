"""The committee paper (``--pdf``): one document, cover with the headline and contents, the
summary, then each report as an appendix, numbered pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from analysis.pack import paper

PAGE = """<!DOCTYPE html><html><head><style>body {{ color: black; }}</style></head><body>
<header class="pack-header"><p class="council">Toy Council · report for Cabinet</p>
<h1>{title}</h1></header><main id="content"><nav class="toc"><h2>On this page</h2></nav>
<h2>{title} section</h2><p>{title} text</p></main></body></html>"""


def _pack(tmp_path):
    names = {
        "index.html": "Quarterly finance pack, 2021-22 Q2",
        "00_summary.html": "Quarterly finance summary",
        "01_mtfp_scenarios.html": "MTFP scenarios",
        "02_savings_delivery.html": "Savings delivery",
        "03_vfm_benchmarking.html": "Value for money",
    }
    for name, title in names.items():
        (tmp_path / name).write_text(PAGE.format(title=title), "utf-8")
    results = [SimpleNamespace(html=n, status="ok") for n in list(names)[1:]]
    results[2] = SimpleNamespace(html="02_savings_delivery.html", status="failed")
    return results


def test_the_summary_then_each_report_as_a_lettered_appendix(tmp_path):
    items = paper.parts(tmp_path, _pack(tmp_path))
    assert [p.title for p in items] == [
        "Quarterly finance summary",
        "Appendix A: MTFP scenarios",
        "Appendix B: Value for money",  # the failed report is left out, the letters run on
    ]


def test_one_document_cover_contents_then_the_parts_without_their_page_indexes(tmp_path):
    items = paper.parts(tmp_path, _pack(tmp_path))
    text = paper.paper_html(
        tmp_path, items, {p.title: n for p, n in zip(items, (2, 3, 5), strict=True)}
    )
    order = [
        text.index('<h1 class="paper-title">Quarterly finance pack, 2021-22 Q2</h1>'),
        text.index("The quarterly summary was not part of this run"),  # no summary tables
        text.index('<h2 id="contents">Contents</h2>'),
        text.index('<h1 class="part-title">Quarterly finance summary</h1>'),
        text.index('<h1 class="part-title">Appendix A: MTFP scenarios</h1>'),
        text.index('<h1 class="part-title">Appendix B: Value for money</h1>'),
    ]
    assert order == sorted(order)
    assert (
        '<li><span>Appendix A: MTFP scenarios</span><span class="leader"></span>'
        '<span class="page-number">3</span></li>'
    ) in text
    assert "On this page" not in text  # each report's own index is left out
    assert 'counter(page) " of " counter(pages)' in text  # numbered pages
    assert "body { color: black; }" in text  # the pack's own stylesheet
    assert text.count("<html") == 1


def test_print_paper_prints_twice_with_the_contents_numbered(tmp_path, monkeypatch):
    results = _pack(tmp_path)
    printed = []

    def fake_print(page, target):
        printed.append(page.read_text("utf-8"))
        target.write_bytes(b"%PDF-")
        return target

    monkeypatch.setattr(paper, "outline_pages", lambda pdf: {"Appendix A: MTFP scenarios": 4})
    said = []
    path = paper.print_paper(tmp_path, results, fake_print, said.append)
    assert path == tmp_path / paper.PAPER_NAME and path.read_bytes() == b"%PDF-"
    assert len(printed) == 2
    assert '<span class="page-number">4</span>' in printed[1]
    assert '<span class="page-number">4</span>' not in printed[0]
    assert not (tmp_path / paper.HTML_NAME).exists()  # the source is not left in the pack
    assert said == [f"  printed  {paper.PAPER_NAME}"]


# ---------------------------------------------------------------------------------------------
# The parts cut from the pages by an HTML parser: nested elements, entities, quoted attributes,
# self-closing tags and script text as written.

COVER = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Cover</title>
<style>body > p::before { content: "<b>&amp;</b>"; }</style>
<script>const fake = '<header class="pack-header"><h1>Not this</h1></header>';</script>
</head><body><!-- <header class="pack-header"><h1>Nor this</h1></header> -->
<header class="pack-header" id="top">{header}</header>
<main id="content"><p>Cover body</p></main></body></html>"""

COVER_HEADER = (
    '<p class="council">Tom &amp; Jerry&#8217;s &quot;Borough&quot; <abbr title="C">Cl</abbr></p>'
    '\n<h1 id="t" class="big">Pack for Q2 &amp; Q3</h1><img src="logo.png" alt="A &amp; B" />'
)

# The renderer's own 'On this page' list (class after aria-labelledby), with a list and a nav
# inside it.
TOC = (
    '<nav aria-labelledby="toc-title" class="toc"><h2 id="toc-title">On this page</h2>'
    '<ol><li><a href="#a">A &amp; B</a><nav class="inner"><a href="#b">B</a></nav></li></ol>'
    "</nav>"
)

BODY = """
<h2 id="a">A &amp; B</h2><p title='say "hi"' data-x="1 &lt; 2">&#163;5 &pound;6 &#x20AC;7</p>
<img src="chart.png" alt="Chart: spend &gt; budget" />
<script>if (1 < 2 && "</nav>") { document.title = "<main>"; }</script>
<main class="inner"><p>Nested main</p></main>
<p>Last</p>
"""

REPORT = f"""<!DOCTYPE html><html><head><style>p {{ color: red; }}</style></head><body>
<nav class="pack-nav"><a href="index.html">Cover</a></nav>
<header class="pack-header"><p class="council">Tom &amp; Jerry</p>
<h1>Costs &amp; <em>income</em>, &#163;m</h1></header>
<main id="content">{TOC}{BODY}</main>
<footer><p>After main</p></footer></body></html>"""


def _parsed_pack(tmp_path, report=REPORT):
    (tmp_path / "index.html").write_text(COVER.replace("{header}", COVER_HEADER), "utf-8")
    (tmp_path / "01_mtfp_scenarios.html").write_text(report, "utf-8")
    return [SimpleNamespace(html="01_mtfp_scenarios.html", status="ok")]


def test_a_page_title_is_the_text_of_its_first_h1(tmp_path):
    items = paper.parts(tmp_path, _parsed_pack(tmp_path))
    assert [p.title for p in items] == ["Appendix A: Costs & income, £m"]


def test_each_part_is_its_main_as_written_without_the_on_this_page_list(tmp_path):
    items = paper.parts(tmp_path, _parsed_pack(tmp_path))
    text = paper.paper_html(tmp_path, items)
    # The whole of the outer <main> (the nested one, entities, quoted attributes, the
    # self-closing image and the script's "<" as written), the toc and what it holds left out.
    assert (
        '<section class="part appendix"><h1 class="part-title">'
        f"Appendix A: Costs &amp; income, £m</h1>{BODY}</section>"
    ) in text
    assert "On this page" not in text and 'class="inner"><a href="#b">' not in text
    assert "After main" not in text and "pack-nav" not in text


def test_the_cover_gives_its_stylesheet_header_council_line_and_title(tmp_path):
    items = paper.parts(tmp_path, _parsed_pack(tmp_path))
    text = paper.paper_html(tmp_path, items)
    # The stylesheet's text untouched (its "&amp;" is CSS text, not a reference).
    assert '<style>body > p::before { content: "<b>&amp;</b>"; }\n' in text
    # The real header (not the one in the script or the comment), the title's class added.
    header = COVER_HEADER.replace('class="big"', 'class="big paper-title"')
    assert f'<section class="paper-cover"><header class="pack-header">{header}</header>' in text
    assert "Not this" not in text and "Nor this" not in text
    # The council line as plain text in the page footer; the document's title is the cover's.
    assert ':root { --paper-footer: "Tom & Jerry’s \\"Borough\\" Cl"; }' in text
    assert "<title>Pack for Q2 &amp; Q3</title>" in text


def test_a_page_without_its_main_is_an_error_naming_it(tmp_path):
    results = _parsed_pack(tmp_path, REPORT.replace("<main", "<div").replace("</main>", "</div>"))
    items = paper.parts(tmp_path, results)
    with pytest.raises(ValueError, match=r"01_mtfp_scenarios\.html: no <main> element"):
        paper.paper_html(tmp_path, items)


def test_elements_match_nested_tags_and_skip_script_and_comments():
    page = (
        '<div id="a"><div id="b"><br/></div><script>"</div>"</script>'
        '<!-- <div id="c"></div> --><img src="x.png" /></div>'
    )
    found = paper.elements(page, "div", "img")
    assert [(e.tag, e.attrs.get("id") or e.attrs.get("src")) for e in found] == [
        ("div", "a"),
        ("div", "b"),
        ("img", "x.png"),
    ]
    outer, inner, image = found
    assert page[outer.start : outer.end] == page
    assert page[inner.inner_start : inner.inner_end] == "<br/>"
    assert page[image.start : image.end] == '<img src="x.png" />'
    assert paper.text_of("Tom &amp; <b>Jerry</b> &#163;5") == "Tom & Jerry £5"
