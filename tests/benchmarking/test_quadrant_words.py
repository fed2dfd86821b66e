"""Cost against performance: a chart only where a measure covers a service, and words that say
what is shown."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.benchmarking import report


def _result(points: pd.DataFrame):
    return SimpleNamespace(
        performance_points=points, council=SimpleNamespace(display_name="Bromsgrove")
    )


def test_no_measures_gives_a_sentence_not_an_empty_chart():
    result = _result(pd.DataFrame(columns=["service_line", "role"]))
    assert not report.has_performance(result)
    assert report.no_performance_text(result).startswith(
        "No performance measure in these data covers a service Bromsgrove is compared on"
    )
    with pytest.raises(ValueError, match="no performance measures"):
        report.chart_quadrant(result)


def test_the_alt_text_names_the_service_charted():
    result = _result(pd.DataFrame({"service_line": [360, 360], "role": ["council", "comparator"]}))
    assert report.has_performance(result)
    assert report.quadrant_alt(result).startswith("Scatter chart of adult social care:")
    assert "Bromsgrove (highlighted diamond)" in report.quadrant_alt(result)
