"""CSV formula injection: text Excel would run as a formula is written with an apostrophe."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core.tables import FORMULA_TRIGGERS, neutralise, read_table, restore, save_table

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


def _raw_cells(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_live_formula(path) -> None:
    """No cell of a CSV starts with a formula character unless it is a plain number."""
    for row in _raw_cells(path):
        for cell in row:
            assert not (cell.startswith(FORMULA_TRIGGERS) and not _is_number(cell)), (path, cell)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_written_with_an_apostrophe_and_read_back_as_it_was(tmp_path, text):
    frame = pd.DataFrame({"title": [text, "Plain"], "planned_gbp_k": [-250.0, 3.0]})
    path = save_table(frame, "savings_titles", tmp_path)
    rows = _raw_cells(path)
    written = text.replace("\r", "\n")  # a bare CR would split the row; it becomes a line feed
    assert rows[1][0] == "'" + written
    assert rows[1][1] == "-250.0"  # a negative number stays a number
    assert len(rows) == 3
    assert_no_live_formula(path)
    expected = frame.assign(title=[written, "Plain"])
    pd.testing.assert_frame_equal(read_table("savings_titles", tmp_path), expected)


def test_plain_text_and_numbers_are_untouched(tmp_path):
    frame = pd.DataFrame({"name": ["Adults", "it's", "a-b"], "gap_gbp_m": [-1.5, 0.0, 2.0]})
    path = save_table(frame, "plain", tmp_path)
    assert path.read_text() == "name,gap_gbp_m\nAdults,-1.5\nit's,0.0\na-b,2.0\n"


@pytest.mark.parametrize("text", ["=1", "'=1", "''=1", "'x", "x"])
def test_restore_inverts_neutralise(text):
    assert restore(neutralise(text)) == text


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(
        st.text(
            st.sampled_from(list("=+-@\t'ab1 ,\"")) | st.characters(codec="utf-8"), max_size=12
        ).filter(lambda t: t.strip() == t and "\r" not in t and "\x00" not in t and t != ""),
        min_size=1,
        max_size=6,
    )
)
def test_any_text_is_safe_in_the_file_and_unchanged_when_read(tmp_path, texts):
    frame = pd.DataFrame({"title": texts, "value_gbp_k": [-1.0] * len(texts)})
    path = save_table(frame, "generated", tmp_path)
    assert_no_live_formula(path)
    rows = _raw_cells(path)[1:]
    assert [restore(row[0]) for row in rows] == texts
    assert [row[1] for row in rows] == ["-1.0"] * len(texts)


def test_records_read_without_pandas_restore_text_and_give_none_for_empty(tmp_path):
    import pandas as pd

    from analysis.core.csvtext import read_csv_records

    frame = pd.DataFrame({"code": ["E06000059", "=E07"], "reason": ["-1 year", None]})
    path = save_table(frame, "unmatched", tmp_path)
    assert read_csv_records(path) == [
        {"code": "E06000059", "reason": "-1 year"},
        {"code": "=E07", "reason": None},
    ]


@given(st.text(st.sampled_from(list("=+-@\t\r\n'ab1 ")), max_size=6) | st.integers() | st.none())
def test_a_cell_is_checked_exactly_when_neutralise_would_change_it(value):
    from analysis.core.csvtext import needs_neutralising

    assert needs_neutralising(value) == (neutralise(value) != value)


def test_every_kind_of_text_column_is_neutralised_and_the_frame_passed_in_is_unchanged(tmp_path):
    frame = pd.DataFrame(
        {
            "mixed": ["=1+1", 7, None],
            "category": pd.Categorical(["@SUM(A1)", "ok", "ok"]),
            "text": pd.array(["fine", "-x", None], dtype="str"),
            "share_fraction": [0.12345678, 1.0, None],
        },
        index=[5, 5, 2],  # an index with a repeat: never written, never in the way
    )
    before = frame.copy()
    path = save_table(frame, "kinds", tmp_path)
    assert _raw_cells(path) == [
        ["mixed", "category", "text", "share_fraction"],
        ["'=1+1", "'@SUM(A1)", "fine", "0.123457"],
        ["7", "ok", "'-x", "1.0"],
        ["", "ok", "", ""],
    ]
    pd.testing.assert_frame_equal(frame, before)


def test_a_table_with_a_column_named_twice_is_refused(tmp_path):
    frame = pd.DataFrame([[1, 2, 3]], columns=["year", "value_gbp", "year"])
    with pytest.raises(ValueError, match=r"named more than once: \['year'\]"):
        save_table(frame, "twice", tmp_path)
    assert not (tmp_path / "twice.csv").exists()
