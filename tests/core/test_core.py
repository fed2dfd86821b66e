"""Periods, council configuration, tables and the display helpers."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core import config, paths, tables
from analysis.core.display import format_cell, gbp_m_text, in_sentence, pretty_header, table_html
from analysis.core.errors import InputError, Problem
from analysis.core.periods import Period, parse_year, year_label


@pytest.mark.parametrize("text", ["2021-22", "2021/22", " 2021 - 22 ", "2021/2022"])
def test_financial_years_accept_both_styles(text):
    assert parse_year(text) == 2021


def test_year_label_crosses_the_century():
    assert year_label(1999) == "1999-00"
    assert parse_year("1999-00") == 1999


@pytest.mark.parametrize("text", ["2021-23", "21-22", "2021", "Q1"])
def test_bad_years_are_rejected(text):
    with pytest.raises(ValueError, match="financial year"):
        parse_year(text)


@pytest.mark.parametrize("text", ["2021-22-Q2", "2021/22 Q2", "2021-22 q2", "2021/22-Q2"])
def test_periods_parse_and_print_one_style(text):
    period = Period.parse(text)
    assert (period.year, period.quarter) == (2021, 2)
    assert str(period) == "2021-22-Q2" and period.label == "2021-22 Q2"
    assert period.previous == Period(2021, 1)
    assert Period(2021, 1).previous is None


def test_periods_order_by_year_then_quarter():
    assert sorted([Period(2022, 1), Period(2021, 4), Period(2021, 2)]) == [
        Period(2021, 2),
        Period(2021, 4),
        Period(2022, 1),
    ]


def test_period_rejects_quarter_five():
    with pytest.raises(ValueError, match="not a period"):
        Period.parse("2021-22-Q5")


def test_default_council_loads():
    council = config.load_council("dorset")
    assert council.ons_code == "E06000059" and council.authority_class == "UA"
    # 5% of a £312m net budget is £15.6m.
    assert council.minimum_general_fund_reserve.minimum_gbp_k(312_000) == pytest.approx(15_600)


def _council_folder(tmp_path, monkeypatch, text: str):
    folder = tmp_path / "data" / "raw" / "test"
    folder.mkdir(parents=True)
    (folder / "council.yaml").write_text(text)
    monkeypatch.setattr(paths, "raw_dir", lambda: tmp_path / "data" / "raw")
    return folder


def test_council_yaml_errors_name_file_and_every_key(tmp_path, monkeypatch):
    _council_folder(
        tmp_path,
        monkeypatch,
        (
            "name: Test\nons_code: X123\nauthority_class: ZZ\n"
            "minimum_general_fund_reserve: {percent_of_net_budget: 5, amount_gbp_k: 10}\n"
            "directorates: [A]\nunexpected: 1\n"
        ),
    )
    with pytest.raises(InputError) as caught:
        config.load_council("test")
    keys = {p.key for p in caught.value.problems}
    assert {"ons_code", "authority_class", "minimum_general_fund_reserve", "unexpected"} <= keys
    assert all(p.file.endswith("council.yaml") for p in caught.value.problems)


def test_council_yaml_syntax_error_names_the_line(tmp_path, monkeypatch):
    _council_folder(tmp_path, monkeypatch, "name: Test\nons_code: [unclosed\n")
    with pytest.raises(InputError) as caught:
        config.load_council("test")
    problem = caught.value.problems[0]
    assert "not valid YAML" in problem.message and problem.row is not None


def test_unknown_council_lists_the_known_ones():
    with pytest.raises(InputError, match="no such council folder.*dorset"):
        config.load_council("atlantis")


def test_problem_names_file_sheet_row_and_column():
    text = str(
        Problem(
            "a.xlsx", "expected a number, found 'abc'", row=7, column="Planned", sheet="Register"
        )
    )
    assert (
        text == "a.xlsx, sheet 'Register', row 7, column 'Planned': expected a number, found 'abc'"
    )


def test_tables_are_written_deterministically(tmp_path):
    frame = pd.DataFrame({"year": ["2021-22"], "gap_gbp_m": [1 / 3]})
    first = tables.save_table(frame, "gap", tmp_path).read_bytes()
    second = tables.save_table(frame, "gap", tmp_path).read_bytes()
    assert first == second == b"year,gap_gbp_m\n2021-22,0.333333\n"


def test_table_names_and_columns_must_be_snake_case(tmp_path):
    with pytest.raises(ValueError, match="snake_case"):
        tables.save_table(pd.DataFrame({"Gap £m": [1]}), "gap", tmp_path)
    with pytest.raises(ValueError, match="snake_case"):
        tables.save_table(pd.DataFrame({"gap": [1]}), "Gap", tmp_path)


def test_reading_a_missing_table_says_which_notebook_must_run():
    with pytest.raises(InputError, match="must run first"):
        tables.read_table("nope", "/nonexistent")


def test_cells_format_money_rates_and_negatives():
    assert format_cell(-1.25, "gap_gbp_m") == ("\u22121.3", "num neg")
    assert format_cell(1234.4, "planned_gbp_k") == ("1,234", "num")
    assert format_cell(0.256, "delivery_rate") == ("25.6%", "num")
    assert format_cell(float("nan"), "gap_gbp_m")[0] == "–"
    assert format_cell(-0.01, "gap_gbp_m") == ("0.0", "num")  # no "-0.0"
    assert format_cell(1.25, "gap_gbp_m") == ("1.3", "num")  # halves round up, as in Excel


def test_headers_carry_units():
    assert pretty_header("budget_gap_cumulative_gbp_m") == "Budget gap cumulative (£m)"
    assert pretty_header("net_expenditure_per_head_gbp") == "Net expenditure (£ per head)"
    assert pretty_header("asc_precept_in_band_d_gbp") == "ASC precept in band D (£)"
    assert format_cell(1779.39, "band_d_gbp") == ("1,779.39", "num")


def test_tables_escape_free_text_and_have_captions():
    html = table_html(
        pd.DataFrame({"title": ["<script>alert(1)</script> **bold**"], "gap_gbp_m": [2.0]}),
        "Savings",
    )
    assert "<script>" not in html and "&lt;script&gt;" in html and "**bold**" in html
    assert "<caption>Savings</caption>" in html and 'scope="col"' in html
    with pytest.raises(ValueError):
        table_html(pd.DataFrame({"a": [1]}), "")


def test_prose_money():
    assert gbp_m_text(263_918.6) == "£263.9m"
    assert gbp_m_text(-1_250) == "-£1.3m"
    assert gbp_m_text(-20) == "£0.0m"


def test_chart_submodules_load_on_first_use_and_other_names_still_fail():
    import pytest

    from analysis import mtfp

    assert mtfp.report.__name__ == "analysis.mtfp.report"
    with pytest.raises(AttributeError, match="analysis.mtfp' has no attribute 'nothing'"):
        mtfp.nothing  # noqa: B018


def test_a_name_in_a_sentence_keeps_its_initials():
    assert in_sentence("Housing services (GFRA only)") == "housing services (GFRA only)"
    assert in_sentence("Children's social care") == "children's social care"
    assert in_sentence("DSG deficit") == "DSG deficit"
    assert in_sentence("") == ""
