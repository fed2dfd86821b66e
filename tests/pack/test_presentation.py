"""What a committee reader sees on every page: the illustrative-data banner, percentages with
the precision of their inputs, 'Band D', one row for identical DSG figures, and (in a browser)
a cover that fits a phone and tables that print whole."""

from __future__ import annotations

import html
import re

import nbformat
import pandas as pd
import pytest
from pack_pages import PAGES

from analysis import summary
from analysis.core import paths
from analysis.core.display import format_cell, percent_text, pretty_header
from analysis.pack import render
from analysis.pack.cover import write_cover


def _info(**extra) -> render.PageInfo:
    return render.PageInfo("Toy Council", "Cabinet", "2021-22 Q2", "base", "today", "abc", **extra)


def _notebook(council: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nText.")]
    nb.metadata["papermill"] = {"parameters": {"council": council}}
    return nb


def test_a_council_marked_illustrative_gets_the_banner_on_every_page(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "made-up").mkdir(parents=True)
    (raw / "real").mkdir(parents=True)
    (raw / "made-up" / "ILLUSTRATIVE.md").write_text(
        "# Heading\n\nInvented figures for a demonstration.\nNot the council's own.\n\nMore.\n"
    )
    monkeypatch.setattr(paths, "raw_dir", lambda: raw)
    note = "Invented figures for a demonstration. Not the council's own."
    assert render.illustrative_note("made-up") == note
    assert render.illustrative_note("real") is None
    page = render.render_notebook(_notebook("made-up"), "Report", _info())
    header = html.unescape(page.split("</header>")[0])
    assert "Illustrative data." in header and note in header
    plain = render.render_notebook(_notebook("real"), "Report", _info())
    assert "Illustrative data." not in plain


def test_the_default_council_is_marked_illustrative():
    note = render.illustrative_note("dorset")
    assert note and "illustrative" in note and "not Dorset Council's own figures" in note


@pytest.mark.slow
def test_every_page_of_the_default_pack_says_it_is_illustrative(default_pack):
    for name in PAGES:
        header = (default_pack / name).read_text("utf-8").split("</header>")[0]
        assert "Illustrative data." in header, name


@pytest.mark.slow
def test_no_absolute_machine_path_in_any_report_or_table(default_pack):
    machine = re.compile(r"(?<![\w.])/(?:work|tmp|home|root|Users|var)/")
    for path in [*default_pack.glob("*.html"), *default_pack.glob("tables/*.csv")]:
        assert not machine.search(path.read_text("utf-8")), path.name
    assert not machine.search((default_pack / "manifest.json").read_text("utf-8"))


def test_the_cover_carries_the_banner(tmp_path):
    manifest = {
        "council": "dorset",
        "council_name": "Dorset Council",
        "period": "2021-22-Q2",
        "scenario": "base",
        "built_at": "2026-11-22T04:00:00+00:00",
        "git": {"commit": "abc"},
        "packages": {},
        "notebooks": [],
    }
    html = write_cover(tmp_path, manifest).read_text("utf-8")
    assert "Illustrative data." in html.split("</header>")[0]


def test_percentages_keep_the_precision_of_their_inputs():
    # A 1.99% increase beside a 1.99% limit: never '2.0%'.
    assert percent_text(0.0199) == "1.99%"
    assert percent_text(0.02) == "2%"
    assert percent_text(0.035) == "3.5%"
    assert percent_text(0.809923) == "81%"  # computed: whole per cent in prose
    assert format_cell(0.0199, "core_increase_fraction") == ("1.99%", "num")
    assert format_cell(0.03, "referendum_limit_asc_fraction") == ("3.0%", "num")
    assert format_cell(0.809923, "delivery_rate") == ("81.0%", "num")


def test_band_d_keeps_its_capital():
    assert pretty_header("band_d_gbp") == "Band D (£)"
    assert pretty_header("tax_base_band_d_equivalents") == "Tax base band D equivalents"


def test_identical_dsg_rows_collapse_into_one():
    headline = pd.DataFrame(
        {
            "scenario": ["base", "optimistic", "pessimistic"],
            "final_year": ["2025-26"] * 3,
            "dsg_deficit_final_year_gbp_m": [70.19, 70.19, 70.19],
            "dsg_deficit_final_year_unmitigated_gbp_m": [109.96, 109.96, 109.96],
        }
    )
    table = summary.dsg_table(headline)
    assert table.values.tolist() == [["All 3 scenarios", "2025-26", 70.19, 109.96]]
    headline.loc[2, "dsg_deficit_final_year_gbp_m"] = 81.0
    assert len(summary.dsg_table(headline)) == 3


def test_the_header_names_the_committee_only_when_one_is_known():
    named = render.page("<p>x</p>", "Title", _info())
    assert "Toy Council · report for Cabinet" in named
    generated = render.page(
        "<p>x</p>", "Title", render.PageInfo("Toy Council", "", "2016-17 Q4", "base", "t", "a")
    )
    assert "report for" not in generated and "Toy Council" in generated
