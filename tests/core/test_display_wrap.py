"""Columns of long text wrap at a readable width (class "wrap"); short ones do not."""

from __future__ import annotations

import pandas as pd

from analysis.core.display import LONG_TEXT_CHARS, table_html


def test_only_columns_with_long_text_are_marked_to_wrap():
    long = "x" * (LONG_TEXT_CHARS + 1)
    frame = pd.DataFrame(
        {
            "reference": ["AH01", "AH02"],
            "mitigation": [long, "short"],
            "owner": ["Head of Service", "x" * LONG_TEXT_CHARS],  # at the limit: no wrap
            "planned_gbp_k": [1570.0, 20.0],
        }
    )
    html = table_html(frame, "Savings at risk")
    assert '<th scope="row" class="text">AH01</th>' in html  # short row header unchanged
    assert f'<td class="text wrap">{long}</td>' in html
    assert '<td class="text wrap">short</td>' in html  # the whole column wraps
    assert '<td class="text">Head of Service</td>' in html
    assert '<td class="num">1,570</td>' in html


def test_a_long_row_header_wraps_and_stays_a_row_header():
    html = table_html(pd.DataFrame({"service": ["y" * 50], "n": [1]}), "Services")
    assert f'<th scope="row" class="text wrap">{"y" * 50}</th>' in html
