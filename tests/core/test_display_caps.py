"""Reports stay readable on hostile data: long tables are capped, "$" in names is not TeX."""

from __future__ import annotations

import matplotlib
import pandas as pd

from analysis.core import charts, tables
from analysis.core.display import MAX_SHOWN_ROWS, capped_table_html

matplotlib.use("Agg")


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"reference": [f"R{i}" for i in range(n)], "planned_gbp_k": range(n)})


def test_a_long_table_shows_the_top_rows_and_names_the_csv_holding_them_all(tmp_path):
    frame = _frame(100_000)
    tables.save_table(frame, "savings_register", tmp_path)
    html = capped_table_html(frame, "Every saving")
    assert html.count("<tr>") == MAX_SHOWN_ROWS + 1  # the header row and the top 200
    assert "R199<" in html and "R200<" not in html
    assert "(top 200 of 100,000 rows)" in html
    # 100,000 - 200 = 99,800
    assert "and 99,800 more rows, all in tables/savings_register.csv" in html
    assert len(html) < 100_000


def test_a_long_table_not_saved_says_the_rest_is_not_shown():
    html = capped_table_html(_frame(MAX_SHOWN_ROWS + 1).rename(columns={"reference": "ref"}), "T")
    assert "and 1 more row (not shown)" in html


def test_a_short_table_is_shown_whole():
    html = capped_table_html(_frame(MAX_SHOWN_ROWS), "T")
    assert html.count("<tr>") == MAX_SHOWN_ROWS + 1 and "more row" not in html


def test_dollar_signs_in_user_text_are_drawn_as_text():
    fig, ax = charts.new_figure("Costs in $ and $x^{2$ for Directorate $\\frac$")
    ax.bar(["Adults $x^", "$$Place"], [1, 2])
    ax.legend(["$\\badcommand$"])
    html = charts.figure_html(fig, alt="Bar chart of costs", table=_frame(3))
    assert html.startswith('<figure class="chart">')
    assert ax.get_title(loc="left").startswith("Costs in $")
