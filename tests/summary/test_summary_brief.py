"""The summary as a one-page brief: each message once, in the section that owns it; scenarios
by their titles; the messages and tiles saved for the cover."""

from __future__ import annotations

import pandas as pd
from test_summary import _resilience, full_pack, mtfp_headline, proposals, status

from analysis import summary
from analysis.summary.tables import PackTables


def test_each_message_appears_once_in_the_section_that_owns_it():
    pack = full_pack()
    messages = summary.section_messages(pack, "base", "2021-22 Q2")
    sentences = [m for _s, m, _k in messages]
    assert len(sentences) == len(set(sentences))
    sections = [s for s, _m, _k in messages]
    assert sections == ["gap", "gap", "savings", "dsg", "services"]
    assert {s for s, _h in summary.SECTIONS} == set(sections)
    # The gap section leads with the gap and the reserves sentences, joined, with one link.
    html = summary.section_html(pack, "gap", "base", "2021-22 Q2")
    assert html.count('class="detail-link"') == 1
    assert summary.gap_sentence(mtfp_headline(), "base") in html.replace("&#x27;", "'")
    assert html.count("<p") == 1


def test_services_are_named_in_one_sentence_and_their_reasons_only_in_the_table():
    pack = full_pack()
    lead = summary.services_lead(proposals(), status())
    # In rank order: Adult social care (1), Highways (2), Waste (3), Libraries (4).
    assert lead == (
        "4 services are proposed for a value-for-money review, in this order: "
        "Adult social care, Highways, Waste and Libraries."
    )
    assert "a head" not in lead  # the reasons are in the table, not repeated here
    table = summary.proposed_services(pack)
    assert table.columns.tolist() == ["service", "reason"]
    assert table["service"].tolist() == ["Adult social care", "Highways", "Waste", "Libraries"]
    one = proposals().head(1)
    assert summary.services_lead(one, status()) == (
        "One service is proposed for a value-for-money review: Highways."
    )


def test_no_services_table_without_benchmarking_data_or_proposals():
    pack = full_pack()
    absent = PackTables({**pack.tables, "benchmark_status": status(present=False)})
    assert summary.proposed_services(absent) is None
    empty = PackTables({**pack.tables, "benchmark_review_proposals": proposals().head(0)})
    assert summary.proposed_services(empty) is None
    assert summary.services_lead(proposals().head(0), status()) == summary.vfm_sentence(
        proposals().head(0), status()
    )


def test_scenarios_show_their_title_or_their_name_in_words():
    assert summary.scenario_title("pay_shock") == "Pay shock"
    assert summary.scenario_title("base") == "Base"
    titled = mtfp_headline().assign(scenario_title=["Central case", "Upside", None])
    assert summary.scenario_title("base", titled) == "Central case"
    assert summary.scenario_title("pessimistic", titled) == "Pessimistic"
    table = summary.scenario_table(titled)
    assert table["scenario"].tolist() == ["Central case", "Upside", "Pessimistic"]


def test_messages_and_tiles_are_saved_for_the_cover():
    pack = full_pack()
    table = summary.messages_table(pack, "base", "2021-22 Q2")
    assert table.columns.tolist() == [
        "order", "section", "message", "report", "report_title", "report_href",
    ]  # fmt: skip
    assert table["order"].tolist() == [1, 2, 3, 4, 5]
    assert table.loc[0, "report_href"] == "01_mtfp_scenarios.html"
    assert table.loc[2, "message"] == summary.savings_sentence(
        pack.get("savings_headline"), "2021-22 Q2"
    )
    # A report not in the run: its message says so and links nowhere.
    without = PackTables({k: v for k, v in pack.tables.items() if not k.startswith("savings")})
    row = summary.messages_table(without).iloc[2]
    assert row["message"] == summary.not_in_run_sentence("savings")
    assert pd.isna(row["report_href"])
    tiles = summary.headline_tiles(pack)
    saved = summary.tiles_table(tiles)
    assert list(saved.itertuples(index=False, name=None)) == [
        (i, *tile) for i, tile in enumerate(tiles, start=1)
    ]


def test_without_the_mtfp_report_every_section_says_why_it_is_empty():
    # A benchmark-only pack (a district's, say) keeps the summary's section headings: the
    # schools deficit section said nothing under its heading.
    messages = summary.section_messages(summary.PackTables({}), "base", "2023-24 Q4")
    dsg = [m for s, m, _k in messages if s == "dsg"]
    assert dsg == [
        "The schools high-needs deficit comes with the Medium Term Financial Plan report, which "
        "was not part of this run."
    ]
    sentences = [m for _s, m, _k in messages]
    assert len(sentences) == len(set(sentences))


def test_each_section_paragraph_says_which_section_it_is_for_the_page_layout():
    # The stylesheet places the short sections side by side on a wide screen by these marks.
    from test_summary import productivity

    pack = full_pack()
    for section, _heading in summary.SECTIONS:
        html = summary.section_html(pack, section, "base", "2021-22 Q2")
        assert html.startswith(f'<p class="section-lead" data-section="{section}">'), section
    with_plan = PackTables({**pack.tables, "mtfp_productivity": productivity()})
    html = summary.productivity_html(with_plan, "2021-22")
    assert html.startswith('<p class="section-lead" data-section="productivity">')
    sentences = summary.productivity_sentences(productivity(), "2021-22")
    assert html.replace("&#x27;", "'").endswith(" ".join(sentences) + "</p>")
    # Without the MTFP report the paragraph says the figures come with it.
    without = PackTables({k: v for k, v in pack.tables.items() if not k.startswith("mtfp")})
    assert "was not part of this run" in summary.productivity_html(without, "2021-22")


def test_without_the_mtfp_report_the_schools_deficit_is_the_published_one():
    """A benchmark-only pack has the council's own published DSG adjustment account (from the
    benchmarking report's financial position): the section gives it, and links there."""
    position = pd.DataFrame(
        {
            "runs_schools": [True],
            "dsg_year": [2023],
            "dsg_deficit_gbp_k": [22_300.0],
            "dsg_deficit_per_head_gbp": [112.6],
            "dsg_deficit_to_usable_reserves": [0.2604],
        }
    )
    pack = summary.PackTables({"benchmark_financial_position": position})
    dsg = [(m, k) for s, m, k in summary.section_messages(pack, "base", "2023-24 Q4") if s == "dsg"]
    assert dsg == [
        (
            "At 31 March 2024 the published schools high-needs (DSG) deficit was £22.3m (£113 a "
            "head, 26% of usable reserves); the Medium Term Financial Plan report, which projects "
            "it, was not part of this run.",
            "benchmark",
        )
    ]
    nil = position.assign(dsg_deficit_gbp_k=[0.0], dsg_deficit_per_head_gbp=[0.0])
    assert summary.published_dsg_sentence(nil).startswith(
        "At 31 March 2024 the published schools high-needs (DSG) adjustment account showed no "
        "deficit;"
    )
    assert summary.published_dsg_sentence(position.assign(dsg_year=[float("nan")])) is None
    assert summary.published_dsg_sentence(None) is None
    district = position.assign(runs_schools=[False], dsg_year=[float("nan")])
    assert summary.published_dsg_sentence(district) == (
        "Schools are not among the council's services, so it has no schools high-needs (DSG) "
        "deficit of its own."
    )


def test_a_benchmark_only_summary_leads_with_the_published_schools_deficit():
    """Without the savings and MTFP reports, the second tile is the council's published schools
    deficit, not a blank; for a council without schools it stays 'Not in this run'."""
    from analysis.summary.report import published_dsg_tile

    position = pd.DataFrame(
        {
            "runs_schools": [True],
            "dsg_year": [2023],
            "dsg_deficit_gbp_k": [103_400.0],
            "dsg_deficit_per_head_gbp": [64.2],
            "dsg_deficit_to_usable_reserves": [0.3036],
        }
    )
    tiles = summary.headline_tiles(summary.PackTables({"benchmark_financial_position": position}))
    assert tiles[1] == (
        "Schools deficit at 31 March 2024",
        "£103.4m",
        "published DSG adjustment account; £64 a head; 30% of usable reserves",
    )
    assert published_dsg_tile(position.assign(dsg_deficit_gbp_k=[0.0]))[1] == "None"
    district = position.assign(runs_schools=[False])
    tiles = summary.headline_tiles(summary.PackTables({"benchmark_financial_position": district}))
    assert tiles[1] == ("Savings at risk", "Not in this run", "the savings report was not run")


def test_a_nil_published_reserve_balance_is_flagged_not_ranked_silently():
    """A council's return with nil usable reserves at 31 March after a positive balance a year
    before (Oxford's 2023-24 RS): the tile says it was published as nil and to check it."""
    from analysis.summary.vfm import reserves_tile

    resilience = pd.DataFrame(
        {
            "year": [2023, 2023],
            "indicator": ["reserves_to_nre_ratio", "reserves_change_fraction"],
            "value": [0.0, -1.0],
            "comparator_median_value": [1.4516, 1.0231],
            "rank": [14.0, 14.0],
            "n_ranked": [14, 14],
        }
    )
    assert reserves_tile(resilience) == (
        "Usable reserves 2023-24",
        "0.0%",
        "published as nil at 31 March 2024 after a positive balance a year before: check it "
        "against the council's own accounts; comparator median 145.2%; rank 14 of 14 "
        "(1 = highest)",
    )
    normal = resilience.assign(value=[0.782, 0.05])
    assert reserves_tile(normal)[2].startswith("of net revenue expenditure, published outturn")


def test_without_the_mtfp_report_the_gap_section_gives_the_published_reserves():
    """A benchmark-only pack (every council the batch generates): the budget gap and reserves
    section gives the council's reserves as published, as the reserves tile does, and links to
    the benchmarking report, rather than only saying the MTFP report was not run."""
    resilience = pd.DataFrame(
        {
            "year": [2022, 2023, 2023],
            "indicator": ["reserves_to_nre_ratio", "reserves_to_nre_ratio", "council_tax_ratio"],
            "value": [1.40, 1.565292, 0.7],
            "comparator_median_value": [1.9, 2.112876, 0.6],
            "rank": [10.0, 11.0, 3.0],
            "n_ranked": [16, 16, 16],
        }
    )
    pack = summary.PackTables({"benchmark_resilience": resilience})
    gap = [(m, k) for s, m, k in summary.section_messages(pack, "base", "2023-24 Q4") if s == "gap"]
    assert gap == [
        (
            "At 31 March 2024 the council's usable reserves were 156.5% of its net revenue "
            "expenditure for 2023-24 (published outturn), against a comparator median of 211.3% "
            "(rank 11 of 16, 1 = highest); the Medium Term Financial Plan report, which projects "
            "the budget gap and reserves, was not part of this run.",
            "benchmark",
        )
    ]
    # the same figures as the headline tile beside it
    tile = summary.headline_tiles(pack)[0]
    assert tile[1] == "156.5%" and "211.3%" in tile[2] and "rank 11 of 16" in tile[2]
    no_median = resilience.assign(comparator_median_value=float("nan"))
    assert summary.published_reserves_sentence(no_median).startswith(
        "At 31 March 2024 the council's usable reserves were 156.5% of its net revenue "
        "expenditure for 2023-24 (published outturn); the Medium"
    )
    nil = pd.concat(
        [
            resilience.assign(value=[1.4, 0.0, 0.7]),
            pd.DataFrame(
                {"year": [2023], "indicator": ["reserves_change_fraction"], "value": [-1.0]}
            ),
        ]
    )
    assert summary.published_reserves_sentence(nil).startswith(
        "The council's usable reserves were published as nil at 31 March 2024 after a positive "
        "balance a year before: check it against the council's own accounts;"
    )
    assert summary.published_reserves_sentence(None) is None
    assert summary.published_reserves_sentence(resilience.iloc[2:]) is None
    # no benchmarking either: the section says the report was not run
    empty = summary.section_messages(summary.PackTables({}), "base", "2023-24 Q4")
    assert [m for s, m, _k in empty if s == "gap"] == [summary.not_in_run_sentence("mtfp")]


def _older(newest, year=2016, present=True) -> pd.DataFrame:
    return status(present).assign(council="Mid Suffolk", year=year, newest_outturn_year=newest)


def test_figures_for_an_earlier_year_say_why_once_before_the_first_of_them():
    older = _older(2023)
    expected = (
        "Mid Suffolk made no Revenue Outturn return for 2023-24 in the published data, so its "
        "benchmarking figures here are for 2016-17, the newest year for which it made one."
    )
    assert summary.older_year_sentence(older) == expected
    # Figures for the newest year, a council not in the data, a pack saved before the column:
    # nothing to explain.
    assert summary.older_year_sentence(_older(2016)) is None
    assert summary.older_year_sentence(_older(2023, present=False)) is None
    assert summary.older_year_sentence(status()) is None

    pack = full_pack()
    with_older = PackTables({**pack.tables, "benchmark_status": older})
    messages = summary.section_messages(with_older, "base", "2023-24 Q4")
    said = [(s, k) for s, m, k in messages if m == expected]
    assert said == [("services", "benchmark")]  # the MTFP holds the gap section: services first
    services = [m for s, m, _k in messages if s == "services"]
    assert services[0] == expected
    # Without the MTFP, the council's published reserves lead the gap section: said there.
    tables = {k: v for k, v in with_older.tables.items() if not k.startswith("mtfp")}
    no_mtfp = PackTables({**tables, "benchmark_resilience": _resilience()})
    messages = summary.section_messages(no_mtfp, "base", "2023-24 Q4")
    firsts = [(s, m) for s, m, k in messages if k == "benchmark"]
    assert firsts[0] == ("gap", expected) and firsts[1][0] == "gap"
    assert [m for _s, m, _k in messages].count(expected) == 1
    # The first screen says it just before the services to review.
    key = [m for m, _k in summary.key_messages(with_older, "base", "2023-24 Q4")]
    assert key.count(expected) == 1
    assert key[key.index(expected) + 1] == summary.vfm_sentence(proposals(), older)
    assert summary.key_messages(pack, "base", "2023-24 Q4")[-1][0] == summary.vfm_sentence(
        proposals(), status()
    )


def test_the_messages_are_worked_out_once_for_every_section_and_the_saved_table(monkeypatch):
    from analysis.summary import brief

    pack = full_pack()
    expected = brief._section_messages(pack, "base", "2021-22 Q2")
    calls = []
    worked = brief._section_messages
    monkeypatch.setattr(
        brief, "_section_messages", lambda *args: calls.append(args[1:]) or worked(*args)
    )
    pages = [summary.section_html(pack, s, "base", "2021-22 Q2") for s, _h in summary.SECTIONS]
    table = summary.messages_table(pack, "base", "2021-22 Q2")
    assert calls == [("base", "2021-22 Q2")]
    assert table["message"].tolist() == [m for _s, m, _k in expected]
    assert all(pages)
    # Another scenario or period is worked out for itself.
    summary.section_messages(pack, "optimistic", "2021-22 Q2")
    summary.section_messages(pack, "base", "2021-22 Q3")
    assert calls[1:] == [("optimistic", "2021-22 Q2"), ("base", "2021-22 Q3")]
    # What a caller does with the list it is given does not change the kept one.
    summary.section_messages(pack, "base", "2021-22 Q2").clear()
    assert summary.section_messages(pack, "base", "2021-22 Q2") == expected
