"""Properties that hold for any register: totals agree across cuts; rates stay within [0, 1]."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import savings
from analysis.savings.fields import COLUMNS, RAG_ORDER

DIRS = ["Adults", "Children", "Place", "Corporate"]
TYPES = ["Tactical", "Transformational", "Convergence"]


@st.composite
def registers(draw, delivered_within_planned: bool = False):
    n = draw(st.integers(min_value=0, max_value=25))
    records = []
    for i in range(n):
        planned = draw(st.integers(min_value=0, max_value=5_000))
        if delivered_within_planned:
            delivered = draw(st.integers(min_value=0, max_value=planned))
            forecast = draw(st.integers(min_value=delivered, max_value=planned))
        else:
            delivered = draw(st.integers(min_value=0, max_value=6_000))
            forecast = draw(st.integers(min_value=0, max_value=6_000))
        records.append(
            {
                "reference": f"R{i}", "title": "t", "directorate": draw(st.sampled_from(DIRS)),
                "service": "", "type": draw(st.sampled_from(TYPES)),
                "financial_year": draw(st.sampled_from([2021, 2021, 2021, 2022])),
                "planned_gbp_k": float(planned), "delivered_gbp_k": float(delivered),
                "forecast_gbp_k": float(forecast), "rag": draw(st.sampled_from(RAG_ORDER)),
                "owner": "", "mitigation": "", "note": "", "source_row": i + 2,
            }
        )  # fmt: skip
    return pd.DataFrame(records, columns=COLUMNS)


MONEY = ["planned_gbp_m", "delivered_gbp_m", "forecast_gbp_m", "at_risk_gbp_m", "lost_gbp_m"]


@settings(max_examples=30, deadline=None)
@given(registers())
def test_totals_agree_by_directorate_type_and_overall(register):
    head = savings.headline(register, 2021).iloc[0]
    by_d = savings.by_directorate(register, 2021, DIRS)
    by_t = savings.by_type(register, 2021, TYPES)
    assert list(by_d["directorate"]) == DIRS and list(by_t["type"]) == TYPES
    for column in MONEY:
        assert by_d[column].sum() == pytest.approx(head[column], abs=1e-9)
        assert by_t[column].sum() == pytest.approx(head[column], abs=1e-9)
    assert by_d["number_of_savings"].sum() == by_t["number_of_savings"].sum()
    # The RAG split adds up to the planned value in every row.
    rag_sum = by_d[["blue_gbp_m", "green_gbp_m", "amber_gbp_m", "red_gbp_m"]].sum(axis=1)
    assert list(rag_sum) == pytest.approx(list(by_d["planned_gbp_m"]))
    pressure = savings.mtfp_pressure(register, 2021, DIRS)
    assert pressure["undelivered_gbp_m"].sum() == pytest.approx(
        head["planned_gbp_m"] - head["forecast_gbp_m"], abs=1e-9
    )
    at_risk = savings.at_risk(register, 2021)
    assert at_risk["planned_gbp_k"].sum() / 1000 == pytest.approx(head["at_risk_gbp_m"], abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(registers(delivered_within_planned=True))
def test_rates_within_zero_and_one_when_delivered_never_exceeds_planned(register):
    tables = [
        savings.headline(register, 2021),
        savings.by_directorate(register, 2021, DIRS),
        savings.by_type(register, 2021, TYPES),
    ]
    for table in tables:
        for column in ("delivery_rate", "forecast_delivery_rate"):
            rates = table[column].dropna()
            assert ((rates >= 0) & (rates <= 1 + 1e-12)).all()
        # NaN exactly where nothing is planned
        assert (table["delivery_rate"].isna() == (table["planned_gbp_m"] == 0)).all()
    rates = savings.delivery_rates(register, 2021, DIRS, TYPES)["delivery_rate"].dropna()
    assert rates.between(0, 1).all()


@settings(max_examples=30, deadline=None)
@given(registers())
def test_delivery_rates_always_clipped_and_shaped(register):
    rates = savings.delivery_rates(register, 2021, DIRS, TYPES)
    assert list(rates.columns) == savings.RATE_COLUMNS
    assert rates["delivery_rate"].dropna().between(0, 1).all()
    overall = rates[rates["directorate"].isna() & rates["type"].isna()]
    assert len(overall) == 1
    this_year = register[register["financial_year"] == 2021]
    planned = this_year.groupby("directorate")["planned_gbp_k"].sum()
    assert set(rates.loc[rates["type"].isna(), "directorate"].dropna()) == set(
        planned[planned > 0].index
    )
    if this_year["planned_gbp_k"].sum() > 0:
        assert rates["delivery_rate"].notna().all()  # what the MTFP's haircut requires
