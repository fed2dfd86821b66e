"""The pack's HTML exporter: nbconvert's page, without its closing BeautifulSoup pass."""

from __future__ import annotations

import base64
import re

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from analysis.pack import render

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()


def test_an_image_without_alt_text_gets_the_standard_text():
    assert render.with_alt_text('<p><img src="a.png"></p>') == (
        f'<p><img src="a.png" alt="{render.MISSING_ALT}"></p>'
    )
    assert render.with_alt_text("<IMG SRC='a.png'/>") == (
        f"<IMG SRC='a.png' alt=\"{render.MISSING_ALT}\"/>"
    )


def test_an_image_with_alt_text_keeps_it_even_when_empty():
    for tag in [
        '<img src="a.png" alt="Bar chart: costs">',
        '<img alt="" src="a.png">',
        "<img ALT=x>",
    ]:
        assert render.with_alt_text(tag) == tag


def test_alt_inside_another_attribute_is_not_taken_for_alt_text():
    tag = '<img src="data:image/png;base64,AAA+alt=" title="alt=x">'
    assert render.with_alt_text(tag) == tag[:-1] + f' alt="{render.MISSING_ALT}">'


def test_text_that_only_mentions_img_is_left_alone():
    text = "<p>&lt;img src=x&gt; and <code>img</code></p>"
    assert render.with_alt_text(text) == text


def test_an_element_written_xml_style_gets_its_end_tag():
    heading = '<h2 id="Part">Part<a class="anchor-link" href="#Part" /></h2><p>Text</p>'
    assert render.with_end_tags(heading) == (
        '<h2 id="Part">Part<a class="anchor-link" href="#Part"></a></h2><p>Text</p>'
    )
    assert render.with_end_tags("<span/><DIV title='a/>b' />") == (
        "<span></span><DIV title='a/>b'></DIV>"
    )


def test_elements_without_content_keep_their_slash():
    for tag in ["<br/>", "<br />", '<img src="a.png" alt="" />', "<hr/>", "<input type=x />"]:
        assert render.with_end_tags(tag) == tag


def _notebook() -> nbformat.NotebookNode:
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
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Title\n\nText with **bold** and ![a chart](c.png).\n\n## Part"
        ),
        hidden,
        chart,
        nbformat.v4.new_markdown_cell("<img src='d.png'> a raw image with no alt"),
    ]
    return nb


def test_the_page_is_the_one_nbconvert_renders_apart_from_the_alt_wording():
    notebook = _notebook()
    ours = render.notebook_body(notebook)
    stock, _ = render.for_readers(HTMLExporter(template_name="basic")).from_notebook_node(notebook)
    stock = stock.replace("No description has been provided for this image", render.MISSING_ALT)
    assert str(BeautifulSoup(ours, features="html.parser")) == stock
    # html.parser takes <a/> as an empty element, a browser as an open one: none is left
    assert not re.search(r"<(?!(?:br|img|hr|input|meta|link)\b)[a-zA-Z][^>]*/>", ours)
    assert 'class="anchor-link" href="#Part"></a>' in ours
    # what the comparison covers: images with and without alt text, a hidden cell, stderr
    assert ours.count(f'alt="{render.MISSING_ALT}"') == 2
    assert 'alt="Bar chart: costs"' in ours and 'alt="a chart"' in ours
    assert "council = 'x'" not in ours and "a warning" not in ours
