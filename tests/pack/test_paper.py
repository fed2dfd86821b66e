"""The committee paper (``--pdf``): one document, cover with the headline and contents, the
summary, then each report as an appendix, numbered pages."""

from __future__ import annotations

from types import SimpleNamespace

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
