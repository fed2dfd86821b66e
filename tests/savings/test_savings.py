"""Savings delivery measures, by value, on small hand-worked registers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import savings
from analysis.core import config, display
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.savings.fields import COLUMNS

DIRS = ["Adults", "Children", "Place"]
TYPES = ["Tactical", "Transformational"]


def reg(*rows, title: str | None = None) -> pd.DataFrame:
    """Rows of (reference, directorate, type, year, planned, delivered, forecast, rag)."""
    records = []
    for i, (ref, d, t, year, planned, delivered, forecast, rag) in enumerate(rows):
        records.append(
            {
                "reference": ref, "title": title or f"Saving {ref}", "directorate": d,
                "service": "", "type": t, "financial_year": year, "planned_gbp_k": float(planned),
                "delivered_gbp_k": float(delivered), "forecast_gbp_k": float(forecast), "rag": rag,
                "owner": f"Head of {d}", "mitigation": f"Plan for {ref}" if rag in ("Amber", "Red") else "",
                "note": "", "source_row": i + 2,
            }
        )  # fmt: skip
    return pd.DataFrame(records, columns=COLUMNS)


# A worked register for 2021-22 (£k):
#   S1 Adults   Tactical         planned 1000 delivered 400 forecast 1000 Green
#   S2 Adults   Transformational planned  500 delivered 100 forecast  300 Amber
#   S3 Children Tactical         planned  300 delivered   0 forecast    0 Red
#   S4 Children Tactical         planned  200 delivered 200 forecast  200 Blue
#   S5 Adults   Tactical 2022-23 planned  999 (another year: ignored for 2021-22)
# Place has no savings.
REGISTER = reg(
    ("S1", "Adults", "Tactical", 2021, 1000, 400, 1000, "Green"),
    ("S2", "Adults", "Transformational", 2021, 500, 100, 300, "Amber"),
    ("S3", "Children", "Tactical", 2021, 300, 0, 0, "Red"),
    ("S4", "Children", "Tactical", 2021, 200, 200, 200, "Blue"),
    ("S5", "Adults", "Tactical", 2022, 999, 0, 999, "Green"),
)


def test_headline_by_value():
    h = savings.headline(REGISTER, 2021).iloc[0]
    assert list(savings.headline(REGISTER, 2021).columns) == savings.HEADLINE_COLUMNS
    assert h["financial_year"] == "2021-22"
    assert h["planned_gbp_m"] == pytest.approx(2.0)  # 1000 + 500 + 300 + 200 = 2000k
    assert h["delivered_gbp_m"] == pytest.approx(0.7)  # 400 + 100 + 0 + 200 = 700k
    assert h["forecast_gbp_m"] == pytest.approx(1.5)  # 1000 + 300 + 0 + 200 = 1500k
    assert h["at_risk_gbp_m"] == pytest.approx(0.8)  # amber 500 + red 300
    # Not expected this year = planned - forecast = 2000 - 1500 = 500k (not red's planned 300:
    # the amber S2 forecasts 200 short too)
    assert h["lost_gbp_m"] == pytest.approx(0.5)
    assert h["delivery_rate"] == pytest.approx(0.35)  # 700 / 2000
    assert h["forecast_delivery_rate"] == pytest.approx(0.75)  # 1500 / 2000


def test_zero_planned_gives_nan_rates_not_a_crash():
    empty_year = savings.headline(REGISTER, 2019).iloc[0]
    assert empty_year["planned_gbp_m"] == 0
    assert math.isnan(empty_year["delivery_rate"]) and math.isnan(
        empty_year["forecast_delivery_rate"]
    )
    zero = reg(("Z1", "Adults", "Tactical", 2021, 0, 0, 0, "Green"))
    assert math.isnan(savings.headline(zero, 2021).iloc[0]["forecast_delivery_rate"])
    rates = savings.delivery_rates(zero, 2021)
    # nothing planned anywhere: only the overall row, NaN
    assert (
        len(rates) == 1
        and rates["directorate"].isna().all()
        and rates["delivery_rate"].isna().all()
    )
    # a zero-planned pair gives no row (the MTFP needs every rate to be a number)
    mixed = reg(
        ("Z1", "Adults", "Tactical", 2021, 0, 0, 0, "Green"),
        ("Z2", "Adults", "Transformational", 2021, 100, 0, 50, "Amber"),
    )
    rates = savings.delivery_rates(mixed, 2021)
    assert list(rates["type"].fillna("-")) == ["Transformational", "-", "-"]
    assert list(rates["delivery_rate"]) == [0.5, 0.5, 0.5]  # 50 / 100


def test_all_red():
    # planned 100 + 300 = 400, all red, forecast 0 + 30 = 30
    red = reg(
        ("R1", "Adults", "Tactical", 2021, 100, 0, 0, "Red"),
        ("R2", "Place", "Tactical", 2021, 300, 10, 30, "Red"),
    )
    h = savings.headline(red, 2021).iloc[0]
    assert h["at_risk_gbp_m"] == pytest.approx(0.4)
    # planned 400 - forecast 30 = 370k, not the red planned value 400 (R2 still forecasts 30)
    assert h["lost_gbp_m"] == pytest.approx(0.37)
    assert h["forecast_delivery_rate"] == pytest.approx(30 / 400)  # 0.075
    assert h["delivery_rate"] == pytest.approx(10 / 400)
    table = savings.at_risk(red, 2021)
    assert list(table["reference"]) == ["R2", "R1"]  # largest first
    assert list(table["shortfall_gbp_k"]) == [270.0, 100.0]  # 300 - 30, 100 - 0


def test_by_directorate_includes_directorates_with_no_savings():
    table = savings.by_directorate(REGISTER, 2021, DIRS)
    assert list(table["directorate"]) == DIRS
    adults, children, place = (table.iloc[i] for i in range(3))
    # Adults: planned 1000 + 500 = 1500; forecast 1000 + 300 = 1300; at risk 500 (amber)
    assert adults["planned_gbp_m"] == pytest.approx(1.5)
    assert adults["forecast_gbp_m"] == pytest.approx(1.3)
    assert adults["at_risk_gbp_m"] == pytest.approx(0.5)
    assert adults["green_gbp_m"] == pytest.approx(1.0) and adults["amber_gbp_m"] == pytest.approx(
        0.5
    )
    assert adults["forecast_delivery_rate"] == pytest.approx(1300 / 1500)
    assert adults["number_of_savings"] == 2
    # Children: planned 300 + 200 = 500; delivered 200; forecast 0 + 200 = 200, so not expected
    # 500 - 200 = 300; blue 200
    assert children["planned_gbp_m"] == pytest.approx(0.5)
    assert children["delivery_rate"] == pytest.approx(0.4)  # 200 / 500
    assert children["lost_gbp_m"] == pytest.approx(0.3) and children["blue_gbp_m"] == pytest.approx(
        0.2
    )
    # Place: nothing planned: zero row with NaN rates
    assert place["planned_gbp_m"] == 0 and place["number_of_savings"] == 0
    assert math.isnan(place["delivery_rate"])


def test_by_type():
    table = savings.by_type(REGISTER, 2021, TYPES)
    assert list(table["type"]) == TYPES
    tactical = table.iloc[0]
    # Tactical: S1 + S3 + S4: planned 1500, forecast 1200, at risk 300 (S3 red)
    assert tactical["planned_gbp_m"] == pytest.approx(1.5)
    assert tactical["forecast_gbp_m"] == pytest.approx(1.2)
    assert tactical["at_risk_gbp_m"] == pytest.approx(0.3)
    assert tactical["forecast_delivery_rate"] == pytest.approx(0.8)  # 1200 / 1500
    assert table.iloc[1]["planned_gbp_m"] == pytest.approx(0.5)


def test_at_risk_table_largest_first_with_owner_and_mitigation():
    table = savings.at_risk(REGISTER, 2021)
    assert list(table.columns) == savings.AT_RISK_COLUMNS
    assert list(table["reference"]) == ["S2", "S3"]  # 500 amber before 300 red
    assert table.loc[0, "owner"] == "Head of Adults"
    assert table.loc[0, "mitigation"] == "Plan for S2"
    assert table.loc[0, "shortfall_gbp_k"] == 200.0  # 500 - 300


def test_movement_since_previous_quarter():
    before = reg(
        ("S1", "Adults", "Tactical", 2021, 1000, 200, 1000, "Green"),
        ("S2", "Adults", "Transformational", 2021, 500, 50, 450, "Green"),
        ("S3", "Children", "Tactical", 2021, 300, 0, 100, "Amber"),
        ("S4", "Children", "Tactical", 2021, 200, 100, 200, "Green"),
        ("S6", "Place", "Tactical", 2021, 50, 0, 50, "Green"),  # removed at Q2
        ("S7", "Place", "Tactical", 2021, 80, 0, 80, "Amber"),  # moved to 2022-23 at Q2
    )
    now = pd.concat(
        [REGISTER, reg(("S7", "Place", "Tactical", 2022, 80, 0, 80, "Green"))], ignore_index=True
    )
    table = savings.movement(now, before, 2021)
    changes = dict(zip(table["reference"], table["change"], strict=True))
    assert changes == {
        "S2": "RAG worse",  # Green -> Amber
        "S3": "RAG worse",  # Amber -> Red
        "S4": "RAG better",  # Green -> Blue
        "S6": "Removed",
        "S7": "Moved to a later year",
    }  # S1 unchanged: not listed
    s2 = table[table["reference"] == "S2"].iloc[0]
    assert (s2["rag_before"], s2["rag_now"]) == ("Green", "Amber")
    assert s2["forecast_change_gbp_k"] == -150.0  # 300 - 450
    summary = savings.movement_summary(now, before, 2021, "2021-22 Q1")
    assert (summary.worse, summary.better, summary.new, summary.removed, summary.moved) == (
        2,
        1,
        0,
        1,
        1,
    )
    assert summary.worse_planned_gbp_k == 800.0  # S2 500 + S3 300
    # forecast now 1500; before 1000 + 450 + 100 + 200 + 50 + 80 = 1880 -> -380
    assert summary.forecast_change_gbp_k == -380.0

    added = savings.movement(REGISTER, REGISTER[REGISTER["reference"] != "S4"], 2021)
    assert list(added["change"]) == ["New"] and added.loc[0, "forecast_now_gbp_k"] == 200.0


def test_no_previous_snapshot_is_not_an_error():
    assert savings.movement(REGISTER, None, 2021).empty
    assert list(savings.movement(REGISTER, None, 2021).columns) == savings.MOVEMENT_COLUMNS
    assert not savings.movement_summary(REGISTER, None, 2021).available
    assert savings.slippage(REGISTER, None, 2021).empty


def test_trend_across_quarters():
    q1 = reg(("S1", "Adults", "Tactical", 2021, 1000, 100, 900, "Green"))
    q2 = reg(("S1", "Adults", "Tactical", 2021, 1000, 400, 600, "Amber"))
    other_year = reg(("X", "Adults", "Tactical", 2020, 1, 1, 1, "Blue"))
    table = savings.trend(
        {Period(2021, 2): q2, Period(2021, 1): q1, Period(2020, 4): other_year}, 2021
    )
    assert list(table["period"]) == ["2021-22-Q1", "2021-22-Q2"]
    assert list(table["forecast_delivery_rate"]) == pytest.approx([0.9, 0.6])  # 900/1000, 600/1000
    assert list(table["delivery_rate"]) == pytest.approx([0.1, 0.4])
    assert list(table["at_risk_gbp_m"]) == pytest.approx([0.0, 1.0])


def test_slippage_a_saving_moved_between_years():
    baseline = reg(
        ("M1", "Adults", "Tactical", 2021, 400, 0, 400, "Green"),  # wholly moved to 2022-23
        ("M2", "Place", "Transformational", 2021, 600, 0, 600, "Green"),  # 250 moved to 2023-24
        (
            "M3",
            "Place",
            "Tactical",
            2021,
            300,
            0,
            300,
            "Green",
        ),  # phased from the start: not slippage
        ("M3", "Place", "Tactical", 2022, 200, 0, 200, "Green"),
        (
            "M4",
            "Adults",
            "Tactical",
            2021,
            100,
            0,
            100,
            "Green",
        ),  # cut by 50 but nothing added later
    )
    current = reg(
        ("M1", "Adults", "Tactical", 2022, 400, 0, 400, "Green"),
        ("M2", "Place", "Transformational", 2021, 350, 0, 350, "Amber"),
        ("M2", "Place", "Transformational", 2023, 250, 0, 250, "Green"),
        ("M3", "Place", "Tactical", 2021, 300, 0, 300, "Green"),
        ("M3", "Place", "Tactical", 2022, 200, 0, 200, "Green"),
        ("M4", "Adults", "Tactical", 2021, 50, 0, 50, "Green"),
    )
    table = savings.slippage(current, baseline, 2021)
    assert list(table.columns) == savings.SLIPPAGE_COLUMNS
    assert list(table["reference"]) == ["M1", "M2"]
    assert list(table["slipped_gbp_k"]) == [400.0, 250.0]  # min(400 cut, 400 added), min(250, 250)
    assert list(table["to_year"]) == ["2022-23", "2023-24"]
    assert list(table["planned_now_gbp_k"]) == [0.0, 350.0]
    # partly moved: 100 cut this year, 60 added next year -> 60 slipped
    partial = reg(
        ("M5", "Adults", "Tactical", 2021, 40, 0, 40, "Green"),
        ("M5", "Adults", "Tactical", 2022, 60, 0, 60, "Green"),
    )
    was = reg(("M5", "Adults", "Tactical", 2021, 100, 0, 100, "Green"))
    assert savings.slippage(partial, was, 2021)["slipped_gbp_k"].tolist() == [60.0]


def test_mtfp_pressure_is_planned_minus_forecast():
    table = savings.mtfp_pressure(REGISTER, 2021, DIRS)
    assert list(table.columns) == savings.PRESSURE_COLUMNS
    # Adults 1500 - 1300 = 200; Children 500 - 200 = 300; Place 0
    assert list(table["undelivered_gbp_m"]) == pytest.approx([0.2, 0.3, 0.0])
    assert table["undelivered_gbp_m"].sum() == pytest.approx(0.5)  # headline 2.0 - 1.5


def test_delivery_rates_shape_for_the_mtfp():
    # No pooling here (every group counts as enough evidence): the groups' own rates.
    rates = savings.delivery_rates(REGISTER, 2021, DIRS, TYPES, min_count=1, min_planned_gbp_k=0)
    assert list(rates.columns) == savings.RATE_COLUMNS
    rows = [
        (d if isinstance(d, str) else None, t if isinstance(t, str) else None, r)
        for d, t, r in rates[["directorate", "type", "delivery_rate"]].itertuples(index=False)
    ]
    assert rows == [
        ("Adults", "Tactical", pytest.approx(1.0)),  # 1000 / 1000
        ("Adults", "Transformational", pytest.approx(0.6)),  # 300 / 500
        ("Children", "Tactical", pytest.approx(0.4)),  # 200 / 500
        ("Adults", None, pytest.approx(1300 / 1500)),
        ("Children", None, pytest.approx(0.4)),
        (None, None, pytest.approx(0.75)),  # 1500 / 2000
    ]
    # Place has no savings: no rows for it. Over-delivery is capped at 1.
    over = reg(("O1", "Place", "Tactical", 2021, 100, 120, 120, "Blue"))
    assert savings.delivery_rates(over, 2021)["delivery_rate"].tolist() == [1.0, 1.0, 1.0]


def test_free_text_reaches_html_escaped():
    nasty = reg(
        ("X1", "Adults", "Tactical", 2021, 100, 0, 10, "Red"),
        title="<script>alert(1)</script> **bold**",
    )
    nasty["mitigation"] = "<img src=x onerror=alert(2)>"
    html = display.table_html(savings.at_risk(nasty, 2021), caption="Red and amber savings")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "**bold**" in html and "<strong>" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_dorset_registers_load_and_tell_the_story():
    council = config.load_council("dorset")
    summary = savings.validate_inputs(council, Period(2021, 2), "base", None)
    assert summary.startswith("Savings register 2021-22-Q2: 48 savings for 2021-22, £27.1m planned")
    analysis = savings.analyse(council, Period(2021, 2))
    assert analysis.previous_period == Period(2021, 1)
    q1 = analysis.snapshots[Period(2021, 1)]
    q1_year = q1[q1["financial_year"] == 2021]
    # Q1 tactical + transformational for 2021-22 = £27.0m (the seed paper's programme)
    assert q1_year.loc[q1_year["type"] != "Convergence", "planned_gbp_k"].sum() == 27_000
    assert len(q1_year) == 48
    assert analysis.slippage()["slipped_gbp_k"].sum() > 0
    assert (analysis.movement()["change"] == "RAG worse").sum() >= 3
    trend = analysis.trend()
    assert trend["forecast_delivery_rate"].iloc[1] < trend["forecast_delivery_rate"].iloc[0]
    q1_only = savings.analyse(council, Period(2021, 1))
    assert "no earlier snapshot" in q1_only.movement_sentence()
    assert "no earlier snapshot" in q1_only.slippage_sentence()


def test_historical_delivery_rates_from_the_dorset_register():
    council = config.load_council("dorset")
    rates = savings.historical_delivery_rates(council, Period(2021, 2))
    assert list(rates.columns) == savings.RATE_COLUMNS
    overall = rates[rates["directorate"].isna() & rates["type"].isna()]
    assert len(overall) == 1
    headline = savings.analyse(council, Period(2021, 2)).headline().iloc[0]
    assert overall["delivery_rate"].iloc[0] == pytest.approx(
        min(1.0, headline["forecast_delivery_rate"])
    )
    assert rates["delivery_rate"].between(0, 1).all()
    assert set(rates["directorate"].dropna()) <= set(council.directorates)
    with pytest.raises(InputError, match="no savings register"):
        savings.historical_delivery_rates(council, Period(2019, 1))


def test_sentences_handle_nothing_planned(tmp_path):
    council = config.load_council("dorset")
    analysis = savings.analyse(council, Period(2021, 2))
    empty = savings.SavingsAnalysis(
        council, Period(2030, 1), analysis.settings, {Period(2030, 1): REGISTER.iloc[0:0]}
    )
    assert "no savings planned" in empty.headline_sentence()
    assert empty.headline_tiles()[1][1] == "n/a"
    assert "no earlier snapshot" in empty.movement_sentence()
    assert not np.isfinite(empty.headline().iloc[0]["delivery_rate"])


def test_shipped_q1_register_is_untidy_in_the_ways_the_loader_accepts():
    from openpyxl import load_workbook

    council = config.load_council("dorset")
    workbook = load_workbook(council.folder / "savings" / "2021-22-Q1.xlsx", data_only=True)
    first, tracker = workbook.worksheets[0], workbook["Savings Tracker"]
    assert first.sheet_state == "hidden"
    assert tracker["A1"].value.startswith("Dorset Council") and tracker["A4"].value == "Ref"
    values = [cell.value for row in tracker.iter_rows(min_row=5) for cell in row]
    assert any(isinstance(v, str) and v.startswith("£") for v in values)  # text money
    assert "Total" in values and "-" in values
    assert any(isinstance(v, str) and v.endswith("/22") for v in values)  # 2021/22


# ---------------------------------------------------------------------------------------------
# Delivery rates for the MTFP: small groups pooled


POOLING = reg(
    # Place: one convergence saving of 250, fully forecast (100% from one item), and three
    # tactical savings of 500 each forecasting 400, 400, 300.
    ("P1", "Place", "Convergence", 2021, 250, 250, 250, "Blue"),
    ("P2", "Place", "Tactical", 2021, 500, 100, 400, "Amber"),
    ("P3", "Place", "Tactical", 2021, 500, 100, 400, "Amber"),
    ("P4", "Place", "Tactical", 2021, 500, 100, 300, "Red"),
    # Adults: one saving only, 1000 planned, 500 forecast.
    ("A1", "Adults", "Tactical", 2021, 1000, 0, 500, "Red"),
)


def test_a_rate_from_one_small_saving_is_pooled_with_its_directorate():
    rates = savings.delivery_rates(POOLING, 2021, DIRS, TYPES, min_count=3, min_planned_gbp_k=1000)
    by = {
        tuple(v if isinstance(v, str) else None for v in (r.directorate, r.type)): r
        for r in rates.itertuples()
    }
    convergence = by[("Place", "Convergence")]
    # own rate 250 / 250 = 100%, from 1 saving: it takes Place's rate
    # Place = (250 + 400 + 400 + 300) / (250 + 500 + 500 + 500) = 1350 / 1750 = 0.771428...
    assert convergence.own_rate == 1.0
    assert convergence.delivery_rate == pytest.approx(1350 / 1750)
    assert convergence.rate_basis == "its directorate"
    # Place tactical: 3 savings, 1500 planned: enough; own rate 1100 / 1500
    tactical = by[("Place", "Tactical")]
    assert (tactical.delivery_rate, tactical.rate_basis) == (
        pytest.approx(1100 / 1500),
        "its own savings",
    )
    # Adults (1 saving) is too small even as a directorate: the overall rate
    # (1350 + 500) / (1750 + 1000) = 1850 / 2750; and so is its tactical group.
    overall = 1850 / 2750
    assert by[("Adults", None)].delivery_rate == pytest.approx(overall)
    assert by[("Adults", "Tactical")].delivery_rate == pytest.approx(overall)
    assert by[("Adults", "Tactical")].rate_basis == "the whole council"
    assert by[(None, None)].rate_basis == "its own savings"


def test_pooling_is_said_in_the_savings_report(monkeypatch):
    from analysis.savings.report import pooling_sentence

    rates = savings.delivery_rates(POOLING, 2021, DIRS, TYPES)
    sentence = pooling_sentence(rates)
    assert "Place convergence (100% from 1 saving worth £0.3m) uses Place's 77%" in sentence
    assert "Adults (50% from 1 saving worth £1.0m) uses the overall 67%" in sentence
    big = savings.delivery_rates(POOLING, 2021, DIRS, TYPES, min_count=1, min_planned_gbp_k=0)
    assert pooling_sentence(big) == "Every group rests on enough savings to use its own rate."


def test_words_say_not_expected_is_planned_minus_forecast_and_rates_are_this_years_forecast():
    council = config.load_council("dorset")
    settings = savings.analyse(council, Period(2021, 2)).settings
    worked = savings.SavingsAnalysis(
        council, Period(2021, 2), settings, {Period(2021, 2): REGISTER}
    )
    # planned 2000, forecast 1500: not expected 500 (£0.5m), not red's planned 300
    assert worked.headline_sentence().endswith(
        "£0.8m is at risk (rated amber or red), and £0.5m (planned minus forecast) is not "
        "expected to be delivered this year."
    )
    tiles = {label: (value, note) for label, value, note in worked.headline_tiles()}
    assert tiles["Not expected this year"][0] == "£0.5m"
    pressure = worked.pressure_sentence()
    assert pressure.startswith("£0.5m of the savings planned for 2021-22 are forecast not to be")
    # 1500 / 2000 = 75%, labelled as this year's forecast, not a track record
    assert "This register forecasts that 75% of this year's planned savings" in pressure
    assert "not a record of past years" in pressure
    # Every group of the worked register has fewer than 3 savings: all pooled, and said so.
    assert "Adults tactical (100% from 1 saving worth £1.0m) uses" in pressure


def test_the_rag_chart_hatches_each_status_in_the_house_colours():
    """Amber is hatched dark and red and green white (a hatch takes its bar's edge colour), so
    the statuses stay apart in greyscale; the chart's legend shows the same."""
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from analysis.core import charts

    analysis = savings.analyse(config.load_council("dorset"), Period(2021, 2))
    fig = analysis.rag_chart(analysis.by_directorate(), "directorate")
    try:
        bars = {c.get_label(): c.patches for c in fig.axes[0].containers}
        legend = dict(zip(
            [t.get_text() for t in fig.axes[0].get_legend().get_texts()],
            fig.axes[0].get_legend().get_patches(), strict=True,
        ))  # fmt: skip
        for rag in ("Green", "Amber", "Red"):
            style = charts.rag_style(rag)
            for patch in [*bars[rag], legend[rag]]:
                assert patch.get_hatch() == style["hatch"]
                assert mcolors.same_color(patch.get_edgecolor(), style["edgecolor"])
        assert mcolors.same_color(charts.rag_style("Amber")["edgecolor"], charts.TEXT)
    finally:
        plt.close(fig)
