"""Registers as councils keep them: a field's header may change from quarter to quarter
(``savings.columns`` takes a list of headers; ``savings.columns_by_period`` one period's), a
missing column lists the headers found and the setting to change, and a missing period lists
the periods there are."""

from __future__ import annotations

import pytest
from test_savings_register import HEADER, make_council, write_xlsx

from analysis.core.errors import InputError, display_path
from analysis.core.periods import Period
from analysis.savings.fields import load_settings
from analysis.savings.register import load_snapshot, load_year

ROW = ["A1", "Reablement", "Adults", "Tactical", "2021-22", 100, 40, 90, "G", "Head", "", ""]


def register(tmp_path, quarter: int, forecast_header: str):
    header = [forecast_header if h == "Forecast for year (£k)" else h for h in HEADER]
    return write_xlsx(tmp_path / "savings" / f"2021-22-Q{quarter}.xlsx", [header, ROW])


def test_each_quarters_header_is_accepted_from_a_list(tmp_path):
    # Q1 says "Q1 projection (£k)", Q2 "Q2 projection (£k)": neither is a built-in wording.
    register(tmp_path, 1, "Q1 projection (£k)")
    register(tmp_path, 2, "Q2 projection (£k)")
    council = make_council(
        tmp_path, columns={"forecast": ["Q1 projection (£k)", "Q2 projection (£k)"]}
    )
    year = load_year(council, Period(2021, 2))
    assert [frame["forecast_gbp_k"].tolist() for frame in year.values()] == [[90.0], [90.0]]


def test_a_mapping_for_one_period_leaves_the_others_alone(tmp_path):
    register(tmp_path, 1, "Forecast for year (£k)")  # a built-in wording
    register(tmp_path, 2, "Q2 projection (£k)")
    council = make_council(
        tmp_path, columns_by_period={"2021-22-Q2": {"forecast": "Q2 projection (£k)"}}
    )
    q1 = load_snapshot(council, Period(2021, 1))
    q2 = load_snapshot(council, Period(2021, 2))
    assert q1["forecast_gbp_k"].tolist() == q2["forecast_gbp_k"].tolist() == [90.0]
    # One mapping for every period, as before, would break Q1's built-in match:
    broken = make_council(tmp_path, columns={"forecast": "Q2 projection (£k)"})
    with pytest.raises(InputError) as caught:
        load_snapshot(broken, Period(2021, 1))
    message = caught.value.problems[0].message
    assert "no header for Forecast (expected 'Q2 projection (£k)' (as the settings say))" in message
    assert "'Forecast for year (£k)'" in message  # the headers found are listed
    assert "savings.columns_by_period.2021-22-Q1.forecast" in message
    assert "council.yaml" in message


def test_a_missing_column_lists_the_headers_and_the_setting(tmp_path):
    register(tmp_path, 2, "Q2 projection (£k)")
    council = make_council(tmp_path)
    with pytest.raises(InputError) as caught:
        load_snapshot(council, Period(2021, 2))
    (problem,) = caught.value.problems
    assert problem.row == 1 and problem.file.endswith("2021-22-Q2.xlsx")
    assert problem.message == (
        "required column missing: no header for Forecast (expected 'Forecast' or a similar "
        "wording). Headers in this row: 'Ref', 'Saving Title', 'Directorate', 'Savings Type', "
        "'Financial Year', 'Planned Saving (£k)', 'Delivered to date (£k)', "
        "'Q2 projection (£k)', 'RAG Status', 'Lead Officer', 'Mitigating actions', 'Notes'. "
        "If one of them is the Forecast column, name it in savings.columns.forecast (every "
        "period) or savings.columns_by_period.2021-22-Q2.forecast in "
        f"{display_path(tmp_path / 'council.yaml')} (one header, or a list of the headers your "
        "registers use)"
    )


def test_a_missing_period_lists_the_periods_there_are(tmp_path):
    register(tmp_path, 1, "Forecast")
    council = make_council(tmp_path)
    with pytest.raises(InputError) as caught:
        load_year(council, Period(2021, 3))
    messages = [p.message for p in caught.value.problems]
    assert any(
        "no savings register for 2021-22-Q3" in m and "the periods there are: 2021-22-Q1" in m
        for m in messages
    )


def test_bad_period_mappings_are_refused(tmp_path):
    for bad in ({"Q2": {"forecast": "x"}}, {"2021-22-Q2": {"colour": "x"}}):
        with pytest.raises(InputError) as caught:
            load_settings(make_council(tmp_path, columns_by_period=bad))
        assert caught.value.problems[0].key.startswith("savings.columns_by_period")
    with pytest.raises(InputError):
        load_settings(make_council(tmp_path, columns={"forecast": []}))
