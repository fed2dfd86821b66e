"""Plain English where a reader looks: no statistical terms, scale codes, column names or raw
scenario keys in the words the reports show (issue 22, item 2)."""

from __future__ import annotations

import json

import pandas as pd

from analysis import summary
from analysis.benchmarking import reasons, resilience
from analysis.benchmarking.report import ROBUST_SCORE_TEXT
from analysis.core import paths
from analysis.savings import measures

JARGON = ("MAD", "standard deviation", "absolute deviation", "= not falling", "pooled with")


def _clean(text: str) -> None:
    for word in JARGON:
        assert word not in text, f"{word!r} in {text!r}"


def test_the_spread_is_explained_in_plain_words():
    _clean(ROBUST_SCORE_TEXT)
    assert "typical spread" in ROBUST_SCORE_TEXT


def test_the_resilience_labels_say_what_100_means():
    label = resilience.INDICATORS["reserves_sustainability_years"]
    _clean(label)
    assert "100 in the saved table where reserves are steady or rising" in label


def test_the_self_assessment_reads_as_a_rating_not_a_code():
    text = reasons.self_assessment_phrase(pd.Series({"self_assessment_score": 1.0}))
    assert text == "the council rates its own value for money 1 out of 4, where 4 is good"
    assert "score 1 of 4" not in text


def test_the_delivery_rate_table_says_where_each_rate_comes_from():
    shown = [measures.HEADERS["delivery_rate"], measures.HEADERS["rate_basis"]]
    shown += [measures.OWN, measures.POOLED_DIRECTORATE, measures.POOLED_OVERALL]
    for text in shown:
        _clean(text)
        assert "Rate used" not in text and "_" not in text


def test_the_benchmarking_notebook_has_no_statistical_terms():
    book = json.loads((paths.notebooks_dir() / "03_vfm_benchmarking.ipynb").read_text("utf-8"))
    for cell in book["cells"]:
        if cell["cell_type"] == "markdown":
            _clean("".join(cell["source"]))


def _headline(titles: dict[str, str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "scenario": ["base", "pay_shock"],
            "final_year": ["2025-26", "2025-26"],
            "cumulative_gap_final_year_gbp_m": [10.0, 25.0],
            "general_fund_below_minimum_year": [None, "2024-25"],
            "usable_reserves_exhausted_year": [None, None],
        }
    )
    if titles is not None:
        frame["scenario_title"] = frame["scenario"].map(titles)
    return frame


def test_sentences_show_a_scenario_by_its_title_never_its_key():
    untitled = _headline()
    text = summary.gap_sentence(untitled, "pay_shock") + summary.reserves_sentence(untitled)
    assert "pay_shock" not in text
    assert text.startswith("The pay shock scenario cumulative budget gap reaches £25.0m")
    assert "Under the pay shock scenario it falls below the minimum in 2024-25." in text

    titled = _headline({"base": "Base", "pay_shock": "Pay award of 5%"})
    text = summary.gap_sentence(titled) + summary.reserves_sentence(titled)
    assert "£25.0m under the Pay award of 5% scenario" in text
    assert "Under the Pay award of 5% scenario it falls below" in text
    assert "pay_shock" not in text
