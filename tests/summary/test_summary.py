"""The quarterly summary's figure selection and sentences, on small hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import summary
from analysis.core.errors import InputError


def mtfp_headline() -> pd.DataFrame:
    # Three scenarios over a plan ending 2025-26; years as the CSV gives them back (NaN = never).
    return pd.DataFrame(
        {
            "scenario": ["base", "optimistic", "pessimistic"],
            "final_year": ["2025-26", "2025-26", "2025-26"],
            "cumulative_gap_final_year_gbp_m": [45.24, 20.0, 71.96],
            "general_fund_below_minimum_year": [float("nan"), float("nan"), "2024-25"],
            "usable_reserves_exhausted_year": [float("nan"), float("nan"), "2025-26"],
            "dsg_deficit_final_year_gbp_m": [70.0, 62.5, 81.0],
            "dsg_deficit_final_year_unmitigated_gbp_m": [110.0, 98.0, 125.3],
        }
    )


def mtfp_scenarios() -> pd.DataFrame:
    rows = []
    # base: 10, 20, 30; pessimistic: 15, 30, 45 (cumulative, £m)
    for name, step in (("base", 10.0), ("pessimistic", 15.0)):
        for i, year in enumerate(["2023-24", "2024-25", "2025-26"]):
            rows.append(
                {
                    "scenario": name,
                    "year": year,
                    "budget_gap_cumulative_gbp_m": step * (i + 1),
                    "budget_gap_incremental_gbp_m": step,
                    "general_fund_gbp_m": 30.0 - step * i,
                    "usable_reserves_gbp_m": 100.0 - step * i,
                }
            )
    return pd.DataFrame(rows)


def savings_headline() -> pd.DataFrame:
    # planned 30.0; delivered 12.0 = 40%; forecast 25.5 = 85%; at risk 6.0 (amber + red);
    # not expected this year = planned - forecast = 30.0 - 25.5 = 4.5
    return pd.DataFrame(
        {
            "financial_year": ["2021-22"],
            "planned_gbp_m": [30.0],
            "delivered_gbp_m": [12.0],
            "forecast_gbp_m": [25.5],
            "at_risk_gbp_m": [6.0],
            "lost_gbp_m": [4.5],
            "delivery_rate": [0.4],
            "forecast_delivery_rate": [0.85],
        }
    )


def proposals() -> pd.DataFrame:
    # Deliberately out of rank order, with an extra column the summary ignores; each reason is
    # the benchmarking report's own words for that service.
    return pd.DataFrame(
        {
            "rank": [2, 1, 4, 3],
            "service": ["Highways", "Adult social care", "Libraries", "Waste"],
            "line": [290, 360, 509, 590],
            "reason": [
                "£75.10 a head, 11% above the median of 15 comparators (£67.54)",
                "£418.70 a head, 5% above the median of 15 comparators (£399.35); performance "
                "below the comparator median on 1 of 1 measure",
                "£30.00 a head, 20% above the median of 15 comparators (£25.00)",
                "£112.87 a head, 12% above the median of 14 comparators (£100.78)",
            ],
            "something_else": [1, 2, 3, 4],
        }
    )


def status(present=True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ons_code": ["E06000059"],
            "council_present": [present],
            "year_label": ["2020-21"],
            "n_comparators_with_data": [15 if present else 0],
            "n_services_proposed": [4 if present else 0],
        }
    )


def mtfp_monte_carlo(scenario: str = "base") -> pd.DataFrame:
    # 10,000 draws of the base case: the general fund is below its minimum in 10%, 55% and 80%
    # of draws; the median gap by 2025-26 is £52.0m against the base case's own £45.24m.
    return pd.DataFrame(
        {
            "scenario": [scenario] * 3,
            "draws": [10_000] * 3,
            "year": ["2023-24", "2024-25", "2025-26"],
            "budget_gap_cumulative_p50_gbp_m": [20.0, 35.0, 52.0],
            "probability_general_fund_below_minimum_fraction": [0.10, 0.55, 0.80],
        }
    )


def full_pack() -> summary.PackTables:
    return summary.PackTables(
        {
            "mtfp_headline": mtfp_headline(),
            "mtfp_scenarios": mtfp_scenarios(),
            "mtfp_monte_carlo": mtfp_monte_carlo(),
            "savings_headline": savings_headline(),
            "benchmark_review_proposals": proposals(),
            "benchmark_status": status(),
        }
    )


# --- reading the pack -------------------------------------------------------------------------


def test_read_pack_marks_missing_reports_instead_of_failing():
    present = {"savings_headline": savings_headline()}

    def read(name):
        if name in present:
            return present[name]
        raise InputError.single(f"tables/{name}.csv", "table not found")

    pack = summary.read_pack(read)
    assert pack.has("savings")
    assert not pack.has("mtfp") and not pack.has("benchmark")
    assert pack.missing_reports == ["mtfp", "benchmark"]
    assert pack.get("mtfp_headline") is None


def test_read_pack_names_the_columns_a_broken_contract_lacks():
    broken = savings_headline().drop(columns=["lost_gbp_m"])
    tables = {
        "mtfp_headline": mtfp_headline(),
        "mtfp_scenarios": mtfp_scenarios(),
        "mtfp_monte_carlo": mtfp_monte_carlo(),
        "savings_headline": broken,
        "benchmark_review_proposals": proposals(),
        "benchmark_status": status(),
    }
    with pytest.raises(ValueError, match="'savings_headline' lacks the column.s. lost_gbp_m "):
        summary.read_pack(tables.__getitem__)


def test_one_mtfp_table_missing_means_the_mtfp_report_is_missing():
    pack = summary.PackTables({"mtfp_headline": mtfp_headline(), "mtfp_scenarios": None})
    assert not pack.has("mtfp")


# --- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (45.24, "£45.2m"),
        (45.25, "£45.2m"),
        (-1.26, "-£1.3m"),
        (-0.04, "£0.0m"),
        (1234.5, "£1,234.5m"),
    ],
)
def test_money_is_gbp_m_to_one_decimal_place(value, text):
    # 45.25 is stored as 45.2499999... in binary, so it rounds down; -0.04 rounds to 0, no sign
    assert summary.money(value) == text


@pytest.mark.parametrize(
    "value, text",
    [
        ("2024-25", "2024-25"),
        ("2024/25", "2024-25"),
        (2024, "2024-25"),
        (2024.0, "2024-25"),
        (float("nan"), None),
        ("", None),
        (None, None),
        ("never", None),
    ],
)
def test_year_text_accepts_the_forms_the_tables_may_use(value, text):
    assert summary.year_text(value) == text


# --- sentences --------------------------------------------------------------------------------


def test_gap_sentence_gives_the_chosen_scenario_then_the_others_largest_first():
    assert summary.gap_sentence(mtfp_headline(), "base") == (
        "The base-case cumulative budget gap reaches £45.2m by 2025-26 "
        "(£72.0m under the pessimistic scenario and £20.0m under the optimistic scenario), "
        "before any further action to close it."
    )


def test_gap_sentence_for_another_scenario_and_for_no_gap():
    frame = mtfp_headline().iloc[[1]].assign(cumulative_gap_final_year_gbp_m=[-2.0])
    assert summary.gap_sentence(frame, "optimistic") == (
        "The optimistic scenario plan shows no cumulative budget gap by 2025-26 (a £2.0m surplus), "
        "before any further action to close it."
    )


def test_gap_sentence_calls_a_negative_gap_a_surplus():
    frame = mtfp_headline()
    frame.loc[1, "cumulative_gap_final_year_gbp_m"] = -7.169  # optimistic: a surplus of 7.2
    assert (
        "(£72.0m under the pessimistic scenario and a £7.2m surplus under the optimistic scenario)"
        in (summary.gap_sentence(frame, "base"))
    )


def test_gap_sentence_falls_back_to_base_for_an_unknown_scenario():
    assert summary.gap_sentence(mtfp_headline(), "no-such").startswith("The base-case cumulative")


def test_reserves_sentence_names_the_earliest_other_scenario_that_breaches_the_minimum():
    assert summary.reserves_sentence(mtfp_headline(), "base") == (
        "Under the base case, the general fund stays above its minimum prudent level to 2025-26. "
        "Under the pessimistic scenario it falls below the minimum in 2024-25."
    )


def test_reserves_sentence_for_the_scenario_that_breaches():
    assert summary.reserves_sentence(mtfp_headline(), "pessimistic") == (
        "Under the pessimistic scenario, the general fund falls below its minimum prudent "
        "level in 2024-25 and usable reserves run out in 2025-26. "
        "It stays above the minimum under every other scenario modelled."
    )


def test_reserves_sentence_omits_another_scenario_that_breaches_no_earlier():
    frame = mtfp_headline()
    frame.loc[0, "general_fund_below_minimum_year"] = "2023-24"  # base breaches first
    assert summary.reserves_sentence(frame, "base") == (
        "Under the base case, the general fund falls below its minimum prudent level in 2023-24."
    )


def leanings(scenario: str = "base") -> pd.DataFrame:
    # savings delivery drawn 16.7 points below the scenario's value on average; price
    # inflation 0.7 points above (both widen the gap); pay balanced (noise).
    return pd.DataFrame(
        {
            "scenario": scenario,
            "label": ["the pay award", "price inflation", "savings delivery"],
            "mean_offset_fraction": [0.0001, 0.0067, -0.1667],
            "lean_widening_fraction": [0.0001, 0.0067, 0.1667],
            "leans": [False, True, True],
        }
    )


def test_reserves_sentence_reconciles_the_base_case_with_the_simulation():
    # Base case: never below the minimum by 2025-26; simulation: 55% in 2024-25 (first >= 50%),
    # median gap £52.0m above the base case's £45.2m; the draws of savings delivery and price
    # inflation lean towards a wider gap: the reason given is theirs.
    sentence = summary.reserves_sentence(mtfp_headline(), "base", mtfp_monte_carlo(), leanings())
    assert sentence == (
        "Under the base case, the general fund stays above its minimum prudent level to 2025-26. "
        "In 10,000 simulations of the base case, it is more likely than not to be below its "
        "minimum from 2024-25 (55% of simulations), earlier than the single projection says: "
        "the median simulated gap by 2025-26 (£52.0m) is above the single "
        "projection's (£45.2m), because the draws lean towards a wider gap than its central "
        "figures (savings delivery averages 16.7 points below its value; price "
        "inflation averages 0.7 points above its value). "
        "Under the pessimistic scenario it falls below the minimum in 2024-25."
    )
    # Without the draws' leanings the sentence gives no reason; with balanced draws, none that
    # blames a range.
    bare = summary.reserves_sentence(mtfp_headline(), "base", mtfp_monte_carlo())
    assert "is above the single projection's (£45.2m). Under" in bare
    assert "because" not in bare
    balanced = leanings().assign(leans=False)
    text = summary.reserves_sentence(mtfp_headline(), "base", mtfp_monte_carlo(), balanced)
    assert "no assumption's draws lean towards a wider gap on average" in text
    assert "skewed" not in text


def test_reserves_sentence_when_the_simulation_agrees_or_is_for_another_scenario():
    frame = mtfp_headline()
    frame.loc[0, "general_fund_below_minimum_year"] = "2024-25"
    agreed = summary.reserves_sentence(frame, "base", mtfp_monte_carlo())
    assert "In 10,000 simulations of the base case" in agreed
    assert "which agrees with the single projection." in agreed
    # A simulation of another scenario says nothing about this one.
    other = summary.reserves_sentence(frame, "base", mtfp_monte_carlo("pessimistic"))
    assert "simulation" not in other
    assert summary.likely_below_year(mtfp_monte_carlo(), "base") == "2024-25"
    assert summary.likely_below_year(None, "base") is None
    # A simulation whose median is below the projection, never likely below the minimum, while
    # the base case falls below it in 2024-25: later; the draws lean only towards a wider gap,
    # so no lean explains a lower median.
    kind = mtfp_monte_carlo().assign(
        budget_gap_cumulative_p50_gbp_m=[10.0, 20.0, 30.0],
        probability_general_fund_below_minimum_fraction=[0.0, 0.2, 0.4],
    )
    later = summary.reserves_sentence(frame, "base", kind, leanings())
    assert "below its minimum in at most 40% of simulations in any year" in later
    assert "later than the single projection" in later and "(£30.0m) is below" in later
    assert "no assumption's draws lean towards a narrower gap on average" in later


def test_the_reserves_tile_carries_the_simulation_too():
    tiles = {label: (value, note) for label, value, note in summary.headline_tiles(full_pack())}
    value, note = tiles["General fund below minimum"]
    assert value == "Not by 2025-26"
    assert "simulation: more likely than not from 2024-25" in note


def test_dsg_sentence_with_and_without_mitigation():
    assert summary.dsg_sentence(mtfp_headline(), "base") == (
        "The schools high-needs (DSG) cumulative deficit reaches £70.0m by 2025-26 with the "
        "mitigation plan, £110.0m without it; a statutory override keeps it off the general "
        "fund for now."
    )


def test_savings_sentence_from_the_headline_row():
    assert summary.savings_sentence(savings_headline(), "2021-22 Q2") == (
        "Of £30.0m of savings planned for 2021-22, £12.0m (40%) had been delivered by the end "
        "of 2021-22 Q2 and £25.5m (85%) is forecast by the year end; £6.0m is at risk (rated "
        "amber or red) and £4.5m (planned minus forecast) is not expected this year."
    )


def test_savings_sentence_with_nothing_planned():
    frame = savings_headline().assign(planned_gbp_m=[0.0])
    assert summary.savings_sentence(frame) == "No savings are planned for 2021-22."


def test_dsg_table_per_scenario():
    table = summary.dsg_table(mtfp_headline())
    assert table.columns.tolist() == [
        "scenario",
        "final_year",
        "with_mitigation_gbp_m",
        "without_mitigation_gbp_m",
    ]
    assert table.loc[2].tolist() == ["pessimistic", "2025-26", 81.0, 125.3]


def test_savings_table_shares_of_planned():
    table = summary.savings_table(savings_headline())
    # at risk 6.0 / 30.0 = 0.2; not expected (30.0 - 25.5) 4.5 / 30.0 = 0.15
    assert table["share_of_planned_fraction"].tolist() == pytest.approx([1.0, 0.4, 0.85, 0.2, 0.15])
    assert table["value_gbp_m"].tolist() == [30.0, 12.0, 25.5, 6.0, 4.5]


def test_top_services_are_taken_by_rank_not_by_row_order():
    top = summary.top_services(proposals())
    assert top["service"].tolist() == ["Adult social care", "Highways", "Waste"]
    assert top.columns.tolist() == ["rank", "service", "reason"]


def test_vfm_sentence_gives_each_service_its_own_reason():
    sentence = summary.vfm_sentence(proposals(), status())
    assert sentence == (
        "4 services are proposed for a value-for-money review; the first 3 are Adult social "
        "care, Highways and Waste. Adult social care: £418.70 a head, 5% above the median of "
        "15 comparators (£399.35); performance below the comparator median on 1 of 1 measure. "
        "Highways: £75.10 a head, 11% above the median of 15 comparators (£67.54). Waste: "
        "£112.87 a head, 12% above the median of 14 comparators (£100.78). Benchmarks pose "
        "questions for the review to answer; they are not a league table."
    )
    assert "cost above and/or performance below comparable councils" not in sentence
    # Every reason shown is the reason of that very service in the table.
    for _i, row in summary.top_services(proposals()).iterrows():
        assert f"{row['service']}: {row['reason']}." in sentence


def test_vfm_sentence_with_one_and_with_no_service():
    one = proposals().query("rank == 1")
    assert summary.vfm_sentence(one, status()).startswith(
        "The service proposed for a value-for-money review is Adult social care. Adult social "
        "care: £418.70 a head"
    )
    none = summary.vfm_sentence(proposals().iloc[0:0], status())
    assert none.startswith(
        "No service qualifies for a value-for-money review on the 2020-21 figures"
    )


def test_a_council_absent_from_the_benchmarking_data_is_said_so():
    pack = summary.PackTables(
        {"benchmark_review_proposals": proposals().iloc[0:0], "benchmark_status": status(False)}
    )
    sentence = summary.vfm_sentence(pack.get("benchmark_review_proposals"), status(False))
    assert sentence.startswith("No benchmarking data for E06000059 in the 2020-21 data")
    assert "no service" not in sentence.lower() and "qualifies" not in sentence
    messages = dict((k, m) for m, k in summary.key_messages(pack))
    assert messages["benchmark"] == sentence
    tile = summary.headline_tiles(pack)[-1]
    assert tile == ("Services to review", "No data", "no benchmarking data for E06000059")


def test_council_present_read_back_from_csv_text():
    # read_csv gives a bool column, but a hand-edited CSV may hold "False".
    frame = status().assign(council_present=["False"])
    assert summary.vfm_sentence(proposals(), frame).startswith("No benchmarking data")


# --- first screen -----------------------------------------------------------------------------


def test_headline_tiles_show_gap_reserves_savings_at_risk_dsg_and_services():
    tiles = summary.headline_tiles(full_pack(), "base")
    labels = [t[0] for t in tiles]
    assert labels == [
        "Budget gap by 2025-26",
        "General fund below minimum",
        "Savings at risk 2021-22",
        "DSG deficit by 2025-26",
        "Services to review",
    ]
    assert tiles[0][1] == "£45.2m"
    # base never breaches in its single projection; the simulation (55% in 2024-25) and the
    # earliest other breach (pessimistic, 2024-25) are in the note
    assert tiles[1] == (
        "General fund below minimum",
        "Not by 2025-26",
        "base-case; simulation: more likely than not from 2024-25; pessimistic scenario: 2024-25",
    )
    assert tiles[2][1] == "£6.0m"
    assert tiles[2][2] == "amber or red, of £30.0m planned; 85% forecast to be delivered"
    assert tiles[3][1] == "£70.0m"
    assert tiles[4] == (
        "Services to review",
        "4 services",
        "Adult social care, Highways, Waste and Libraries",
    )


def test_headline_tiles_and_messages_say_which_reports_were_not_run():
    pack = summary.PackTables({"savings_headline": savings_headline()})
    tiles = summary.headline_tiles(pack, "base")
    assert ("Budget gap", "Not in this run", "the MTFP report was not run") in tiles
    assert tiles[-1][1] == "Not in this run"
    messages = summary.key_messages(pack, "base", "2021-22 Q2")
    assert [key for _s, key in messages] == ["mtfp", "savings", "benchmark"]
    assert messages[0][0].startswith(
        "The Medium Term Financial Plan scenarios report was not part of this run"
    )
    html = summary.messages_html(pack, "base")
    assert "Savings delivery</a>" in html and 'href="02_savings_delivery.html"' in html
    assert 'href="01_mtfp_scenarios.html"' not in html  # no link to a report that is not there


def test_messages_link_every_detailed_report_relatively():
    html = summary.messages_html(full_pack(), "base", "2021-22 Q2")
    for href in ("01_mtfp_scenarios.html", "02_savings_delivery.html", "03_vfm_benchmarking.html"):
        assert f'href="{href}"' in html
    assert html.count("<li>") == 5  # gap, reserves, savings, DSG, services


def test_messages_are_escaped():
    frame = proposals().assign(service=["<b>x</b>", "A & B", "c", "d"])
    pack = summary.PackTables({"benchmark_review_proposals": frame, "benchmark_status": status()})
    html = summary.messages_html(pack)
    assert "A &amp; B" in html and "<b>x</b>" not in html


# --- saved table and chart --------------------------------------------------------------------


def test_key_figures_is_tidy_and_complete():
    table = summary.key_figures(full_pack())
    assert table.columns.tolist() == [
        "section",
        "measure",
        "scenario",
        "financial_year",
        "service",
        "value",
    ]
    # 3 scenarios x 5 MTFP/DSG facts + 7 savings measures + 4 proposed services = 26 rows
    assert len(table) == 26
    gap = table.query("measure == 'cumulative_gap_gbp_m' and scenario == 'pessimistic'")
    assert gap["value"].tolist() == [71.96] and gap["financial_year"].tolist() == ["2025-26"]
    below = table.query("measure == 'general_fund_below_minimum'").set_index("scenario")
    assert below.loc["pessimistic", "financial_year"] == "2024-25"
    assert pd.isna(below.loc["base", "financial_year"]) and math.isnan(below.loc["base", "value"])
    ranks = table.query("section == 'vfm'")
    assert ranks["service"].tolist() == ["Adult social care", "Highways", "Waste", "Libraries"]
    assert ranks["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_key_figures_of_an_empty_pack_is_an_empty_table_with_the_columns():
    table = summary.key_figures(summary.PackTables({}))
    assert table.empty and "value" in table.columns


def test_gap_chart_puts_the_chosen_scenario_first_and_describes_it():
    import matplotlib.pyplot as plt

    fig, alt, table = summary.gap_chart(
        mtfp_scenarios(), "base", source="MTFP model", period="2021-22 Q2"
    )
    try:
        assert alt == (
            "Line chart of the cumulative budget gap from 2023-24 to 2025-26 under 2 scenarios. "
            "By 2025-26: Base £30.0m; Pessimistic £45.0m."
        )  # scenarios by their titles, never their keys
        assert fig.axes[0].get_title(loc="left") == (
            "The cumulative budget gap reaches £30.0m by 2025-26 (base scenario)"
        )
        assert [line.get_label() for line in fig.axes[0].get_lines()][:2] == [
            "Base",
            "Pessimistic",
        ]
        assert table.columns.tolist() == ["scenario", "year", "cumulative_gap_gbp_m"]
        assert len(table) == 6
    finally:
        plt.close(fig)


def test_counts_on_the_summary_page_agree():
    import re

    pack = full_pack()
    tile = summary.headline_tiles(pack)[-1]
    sentence = summary.vfm_sentence(pack.get("benchmark_review_proposals"), status())
    n = len(proposals())  # 4 proposed
    assert tile[1] == f"{n} services"
    assert re.match(r"(\d+) services are proposed", sentence).group(1) == str(n)
    assert status()["n_services_proposed"].iloc[0] == n
    table = summary.services_display(proposals())
    assert table.columns.tolist() == ["service", "rank", "reason"]
    assert table["service"].tolist() == ["Adult social care", "Highways", "Waste", "Libraries"]
    assert set(summary.SERVICES_HEADERS.values()) == {"Service", "Order", "Why it is proposed"}


def productivity() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": ["2024-25", "2024-25"],
            "item": ["Agency staff", "Consultants"],
            "share_of_staff_budget_fraction": [0.0035, 0.0096],
            "spend_gbp_k": [float("nan"), float("nan")],
            "source": ["Productivity Plan, Cabinet 9 July 2024"] * 2,
        }
    )


def test_productivity_sentences_keep_the_plan_s_precision_and_say_its_year():
    sentences = summary.productivity_sentences(productivity(), "2021-22")
    # 0.35% + 0.96% = 1.31%
    assert sentences == [
        "In its 2024-25 productivity plan (a different year from this pack's 2021-22) the "
        "council reports that agency staff cost 0.35% of its total staff budget and "
        "consultants 0.96% (1.31% together).",
        "Source: Productivity Plan, Cabinet 9 July 2024.",
    ]
    with_spend = productivity().assign(spend_gbp_k=[420.0, 1152.0])
    same_year = summary.productivity_sentences(with_spend, "2024-25")[0]
    assert "a different year" not in same_year
    assert "agency staff cost 0.35% (£0.4m) of its total staff budget" in same_year
    assert summary.productivity_sentences(None) == [
        "The council has not supplied its productivity plan figures for this pack."
    ]


def test_a_productivity_item_keeps_its_initials_in_the_sentence():
    items = productivity().assign(item=["ICT contractors", "Consultants"])
    sentence = summary.productivity_sentences(items, "2024-25")[0]
    assert "council reports that ICT contractors cost 0.35% of its total staff budget" in sentence


def test_productivity_is_optional_in_the_pack():
    tables = {
        "mtfp_headline": mtfp_headline(),
        "mtfp_scenarios": mtfp_scenarios(),
        "mtfp_monte_carlo": mtfp_monte_carlo(),
    }

    def read(name):
        if name in tables:
            return tables[name]
        raise InputError.single(f"tables/{name}.csv", "table not found")

    pack = summary.read_pack(read)
    assert pack.has("mtfp") and pack.get("mtfp_productivity") is None
    tables["mtfp_productivity"] = productivity()
    assert summary.read_pack(read).get("mtfp_productivity") is not None


def test_a_simulated_probability_is_rounded_to_a_whole_per_cent():
    # 0.6927 of 10,000 draws is a computed share: '69%', not '69.27%'.
    simulated = mtfp_monte_carlo().assign(
        probability_general_fund_below_minimum_fraction=[0.1, 0.6927, 0.8]
    )
    sentence = summary.reserves_sentence(mtfp_headline(), "base", simulated)
    assert "from 2024-25 (69% of simulations)" in sentence


def _resilience() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2015, 2016, 2016],
            "indicator": ["reserves_to_nre_ratio", "reserves_to_nre_ratio", "council_tax_ratio"],
            "value": [0.85, 0.4872, 0.39],
            "comparator_median_value": [0.32, 0.3076, 0.45],
            "rank": [3.0, 4.5, 13.0],
            "n_ranked": [16, 16, 16],
        }
    )


def test_without_the_mtfp_the_first_tile_is_the_published_reserves():
    """A council benchmarked from the published data alone: its usable reserves in the latest
    outturn, against its comparators, rather than a tile saying the MTFP was not run."""
    pack = summary.PackTables({"benchmark_resilience": _resilience()})
    assert summary.headline_tiles(pack, "base")[0] == (
        "Usable reserves 2016-17",
        "48.7%",
        "of net revenue expenditure, published outturn; comparator median 30.8%; "
        "rank 4.5 of 16 (1 = highest)",
    )
    no_reserves = _resilience()[lambda f: f["indicator"] != "reserves_to_nre_ratio"]
    pack = summary.PackTables({"benchmark_resilience": no_reserves})
    assert summary.headline_tiles(pack, "base")[0][1] == "Not in this run"
    with_mtfp = summary.PackTables(
        {"mtfp_headline": mtfp_headline(), "benchmark_resilience": _resilience()}
    )
    assert summary.headline_tiles(with_mtfp, "base")[0][0].startswith("Budget gap by")


def headline_with_override_end() -> pd.DataFrame:
    # As the MTFP writes it when mtfp.yaml says the DSG statutory override ends in 2023-24:
    # usable reserves on the plan's terms run out then (-£38.4m at 31 March 2024); if the
    # override continued, in 2025-26 (base) or never (optimistic).
    return mtfp_headline().assign(
        general_fund_below_minimum_year=["2023-24", float("nan"), "2022-23"],
        usable_reserves_exhausted_year=["2023-24", "2023-24", "2023-24"],
        usable_reserves_exhausted_year_override_continues=["2025-26", float("nan"), "2023-24"],
        statutory_override_ends=["2023-24", "2023-24", "2023-24"],
        usable_reserves_at_override_end_gbp_m=[-38.369, -20.0, -60.0],
    )


def test_reserves_on_the_plans_terms_when_the_override_ends_inside_the_plan():
    headline = headline_with_override_end()
    sentence = summary.reserves_sentence(headline, "base")
    assert sentence == (
        "Under the base case, the general fund falls below its minimum prudent level in 2023-24. "
        "Usable reserves run out in 2023-24 with the schools high-needs (DSG) deficit counted "
        "from 2023-24 (-£38.4m at the end of 2023-24); if the statutory override continued, "
        "they would run out in 2025-26. "
        "Under the pessimistic scenario it falls below the minimum in 2022-23."
    )
    assert "last to 2025-26." in summary.reserves_sentence(headline, "optimistic")
    assert summary.dsg_sentence(headline, "base") == (
        "The schools high-needs (DSG) cumulative deficit reaches £70.0m by 2025-26 with the "
        "mitigation plan, £110.0m without it; the plan assumes the statutory override that "
        "keeps it off the general fund ends in 2023-24, after which it counts against usable "
        "reserves."
    )
    pack = summary.PackTables(
        {
            **{n: full_pack().get(n) for n in ("mtfp_scenarios", "savings_headline")},
            "mtfp_headline": headline,
        }
    )
    tiles = {label: (value, note) for label, value, note in summary.headline_tiles(pack, "base")}
    assert tiles["Usable reserves run out"] == (
        "2023-24",
        "with the DSG deficit counted from 2023-24; if the statutory override continued: 2025-26",
    )
    table = summary.scenario_table(headline).set_index("scenario")
    base, optimistic = (summary.scenario_title(n, headline) for n in ("base", "optimistic"))
    assert table.loc[base, "usable_reserves_run_out"] == "2023-24"
    assert table.loc[base, "usable_reserves_run_out_if_override_continues"] == "2025-26"
    assert table.loc[optimistic, "usable_reserves_run_out_if_override_continues"] == (
        "Not in plan period"
    )
    # Without the override's end in the table (an older pack), the old wording stands.
    assert "for now" in summary.dsg_sentence(mtfp_headline(), "base")


def mtfp_bridge() -> pd.DataFrame:
    # As the MTFP saves it (£m): 20.6 at Q1, savings +3.7 as shown (3.639 exactly), 24.3 at Q2;
    # pay -1.2 in between for the test (then 20.6 - 1.2 + 3.7 + ... as shown).
    groups = ["Pay", "Prices", "Demand", "Capital financing", "Council tax"]
    groups += ["Business rates and grants", "Savings and their delivery", "Other"]
    shown = [-1.2, 0.0, 0.0, 0.0, 0.0, 0.0, 3.7, 0.0]
    return pd.DataFrame(
        {
            "scenario": "base",
            "period": "2021-22-Q2",
            "previous_period": "2021-22-Q1",
            "final_year": "2025-26",
            "row": ["start"] + ["step"] * 8 + ["end"],
            "group": ["Gap at 2021-22 Q1", *groups, "Gap at 2021-22 Q2"],
            "gap_gbp_m": [21.8, 20.6, 20.6, 20.6, 20.6, 20.6, 20.6, 24.3, 24.3, 24.3],
            "change_shown_gbp_m": [float("nan"), *shown, 2.5],
        }
    )


def test_bridge_sentence_names_the_largest_step_as_shown():
    assert summary.bridge_sentence(mtfp_bridge()) == (
        "The 2025-26 gap was £21.8m at 2021-22 Q1 and is £24.3m at 2021-22 Q2; the largest step "
        "is savings and their delivery, which widened it by £3.7m."
    )
    narrowed = mtfp_bridge()
    narrowed.loc[1, "change_shown_gbp_m"] = -5.0
    assert "the largest step is pay, which narrowed it by £5.0m." in summary.bridge_sentence(
        narrowed
    )
    assert "no bridge" in summary.bridge_sentence(None)
    assert summary.bridge_sentence(mtfp_bridge().head(0)) == (
        "There is no bridge from last quarter's gap: the MTFP report says why."
    )
    fig, alt, data = summary.bridge_chart(mtfp_bridge(), "MTFP model", "2021-22 Q2")
    assert "Waterfall" in alt and data["change_gbp_m"].iloc[1:-1].sum() == pytest.approx(2.5)
    title = fig.axes[0].get_title(loc="left")
    assert title == "The 2025-26 gap moved from £21.8m to £24.3m since 2021-22 Q1"


def test_unallocated_reserves_published_below_zero_are_named_beside_the_total():
    """One council's 2023-24 return has unallocated reserves of -£64.6m: its usable total is
    0.6% of net revenue expenditure, and the summary says why rather than leave a reader to
    think the council has spent its reserves."""
    below = pd.concat(
        [
            _resilience(),
            pd.DataFrame(
                {
                    "year": [2016, 2015],
                    "indicator": ["unallocated_reserves_to_nre_ratio"] * 2,
                    "value": [-0.2831, 0.05],
                    "comparator_median_value": [0.0546, 0.05],
                    "rank": [16.0, 8.0],
                    "n_ranked": [16, 16],
                }
            ),
        ],
        ignore_index=True,
    )
    tile = summary.headline_tiles(summary.PackTables({"benchmark_resilience": below}), "base")[0]
    assert tile[2].startswith(
        "of net revenue expenditure, published outturn (unallocated reserves published below "
        "zero); comparator median 30.8%"
    )
    sentence = summary.published_reserves_sentence(below)
    assert sentence.endswith(
        "was not part of this run. Its unallocated reserves were published below zero (-28.3% "
        "of net revenue expenditure), which takes the usable total down: check them against "
        "the council's own accounts."
    )
    # Above zero in the latest year (only the year before below), or no such row: not said.
    earlier = below["indicator"].eq("unallocated_reserves_to_nre_ratio")
    above = below.assign(value=below["value"].where(~earlier, [None] * 3 + [0.05, -0.2]))
    assert "below zero" not in summary.published_reserves_sentence(above)
    assert "below zero" not in summary.published_reserves_sentence(_resilience())
    assert (
        "below zero"
        not in summary.headline_tiles(
            summary.PackTables({"benchmark_resilience": _resilience()}), "base"
        )[0][2]
    )
