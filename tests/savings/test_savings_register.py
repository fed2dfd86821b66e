"""Loading the savings register: messy but valid registers load, broken ones list every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from analysis.core.config import Council
from analysis.core.errors import InputError
from analysis.core.periods import Period
from analysis.savings.fields import load_settings, parse_money, parse_rag
from analysis.savings.register import load_register, load_year, register_path

DIRECTORATES = ["Adults", "Children's Services", "Place"]
TYPES = ["Tactical", "Transformational"]
HEADER = [
    "Ref", "Saving Title", "Directorate", "Savings Type", "Financial Year", "Planned Saving (£k)",
    "Delivered to date (£k)", "Forecast for year (£k)", "RAG Status", "Lead Officer",
    "Mitigating actions", "Notes",
]  # fmt: skip


def make_council(folder: Path, **savings) -> Council:
    return Council(
        name="Test Council",
        ons_code="E06000099",
        authority_class="UA",
        minimum_general_fund_reserve={"percent_of_net_budget": 5},
        directorates=DIRECTORATES,
        savings={"types": TYPES, **savings},
        slug="test",
        folder=folder,
    )


def write_xlsx(
    path: Path, rows: list[list], hidden_first: bool = True, title: str = "Tracker"
) -> Path:
    wb = Workbook()
    first = wb.active
    if hidden_first:
        first.title = "Lookups"
        # Looks like a register, but hidden: must be ignored.
        first.append(["Reference", "Title", "Directorate", "Type", "Year", "Planned", "RAG"])
        first.append(["ZZ1", "Not a saving", "Nowhere", "Nothing", "1999-00", "oops", "Purple"])
        first.sheet_state = "hidden"
        ws = wb.create_sheet(title)
    else:
        ws = first
        ws.title = title
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list]) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


MESSY_ROWS = [
    ["Test Council savings tracker 2021/22"],  # row 1: title
    ["Quarter 2, £ thousand"],  # row 2: title
    [],  # row 3
    HEADER,  # row 4
    ["A1", "Reablement", "adults", "Tactical", "2021/22", "£1,234", "(0)", "1,000.5", "G", "Head of Adults", "", ""],  # 5
    [],  # 6: blank
    ["C1", "Foster carers", "Children’s Services ", "transformational", "2021-22", 500, "-", 250, "amber", "Head of CiC", "Review weekly", ""],  # 7
    ["P1", "Parking", "PLACE", "Tactical", "2021/22", 300, 300, 300, "achieved", "Parking Manager", "", ""],  # 8
    ["P1", "Parking phase 2", "Place", "Tactical", "2022/23", 200, None, 200, "Green", "Parking Manager", "", ""],  # 9
    ["P2", "Fees", "Place", "Tactical", "2021-22", 100, 120, 120, "B", "Head of Planning", "", "More than planned: fee rise"],  # 10
    ["", "Total", "", "", "", 2334, "£420", "1,870.5", "", "", "", ""],  # 11: totals
]  # fmt: skip


def test_messy_xlsx_loads(tmp_path):
    council = make_council(tmp_path)
    path = write_xlsx(tmp_path / "savings" / "2021-22-Q2.xlsx", MESSY_ROWS)
    frame = load_register(path, council)
    assert list(frame["reference"]) == ["A1", "C1", "P1", "P1", "P2"]
    assert list(frame["source_row"]) == [5, 7, 8, 9, 10]  # Excel's row numbers
    assert list(frame["directorate"]) == [
        "Adults",
        "Children's Services",
        "Place",
        "Place",
        "Place",
    ]
    assert list(frame["type"]) == [
        "Tactical",
        "Transformational",
        "Tactical",
        "Tactical",
        "Tactical",
    ]
    assert list(frame["financial_year"]) == [2021, 2021, 2021, 2022, 2021]
    assert list(frame["planned_gbp_k"]) == [1234.0, 500.0, 300.0, 200.0, 100.0]
    # "(0)" and "-" and blank are zero.
    assert list(frame["delivered_gbp_k"]) == [0.0, 0.0, 300.0, 0.0, 120.0]
    assert list(frame["forecast_gbp_k"]) == [1000.5, 250.0, 300.0, 200.0, 120.0]
    assert list(frame["rag"]) == ["Green", "Amber", "Blue", "Green", "Blue"]
    assert frame.loc[1, "mitigation"] == "Review weekly"


def test_messy_csv_loads(tmp_path):
    council = make_council(tmp_path)
    path = write_csv(tmp_path / "savings" / "2021-22-Q2.csv", MESSY_ROWS)
    frame = load_register(path, council)
    assert list(frame["source_row"]) == [5, 7, 8, 9, 10]
    assert frame["planned_gbp_k"].sum() == 2334.0  # 1234 + 500 + 300 + 200 + 100


def broken_rows() -> list[list]:
    return [
        ["Register"],  # 1
        HEADER,  # 2
        ["A1", "Good one", "Adults", "Tactical", "2021-22", 100, 10, 100, "Green", "Head", "", ""],  # 3
        ["A1", "Duplicate", "Adults", "Tactical", "2021/22", 100, 10, 100, "Green", "Head", "", ""],  # 4
        ["A2", "Bad directorate", "Finance", "Tactical", "2021-22", 100, 10, 100, "Green", "Head", "", ""],  # 5
        ["A3", "Bad type", "Adults", "Efficiency", "2021-22", 100, 10, 100, "Green", "Head", "", ""],  # 6
        ["A4", "Bad RAG", "Adults", "Tactical", "2021-22", 100, 10, 100, "Purple", "Head", "", ""],  # 7
        ["A5", "Text money", "Adults", "Tactical", "2021-22", "about 100", 10, 100, "Green", "Head", "", ""],  # 8
        ["A6", "Negative planned", "Adults", "Tactical", "2021-22", "(50)", 0, 0, "Red", "Head", "", ""],  # 9
        ["A7", "Over-delivered", "Adults", "Tactical", "2021-22", 100, 150, 150, "Blue", "Head", "", ""],  # 10
        ["A8", "Bad year", "Adults", "Tactical", "21", 100, 10, 100, "Green", "Head", "", ""],  # 11
        ["", "Total", "", "", "", 999, "", "", "", "", "", ""],  # 12: wrong total
    ]  # fmt: skip


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_broken_register_lists_every_problem(tmp_path, kind):
    council = make_council(tmp_path)
    target = tmp_path / "savings" / f"2021-22-Q2.{kind}"
    path = write_xlsx(target, broken_rows()) if kind == "xlsx" else write_csv(target, broken_rows())
    with pytest.raises(InputError) as caught:
        load_register(path, council)
    found = {(p.row, p.column): p for p in caught.value.problems}
    sheet = "Tracker" if kind == "xlsx" else None
    assert all(p.sheet == sheet for p in caught.value.problems)
    assert all(p.file.endswith(f"2021-22-Q2.{kind}") for p in caught.value.problems)
    expected = {
        (4, "Ref"): "duplicate reference 'A1' for 2021-22 (also on row 3)",
        (5, "Directorate"): "unknown directorate 'Finance'",
        (6, "Savings Type"): "unknown savings type 'Efficiency'",
        (7, "RAG Status"): "unknown RAG status 'Purple'",
        (8, "Planned Saving (£k)"): "'about 100' is not an amount of money",
        (9, "Planned Saving (£k)"): "planned value is negative",
        (10, "Delivered to date (£k)"): "more than planned",
        (11, "Financial Year"): "'21' is not a financial year",
        # rows 3-7, 10, 11 hold 100 each, row 9 holds (50), row 8 no money: 7 x 100 - 50 = 650
        (
            12,
            "Planned Saving (£k)",
        ): "the totals row says 999.0 but the savings above add up to 650.0",
    }
    for where, text in expected.items():
        assert where in found, f"no problem reported at row {where[0]}, column {where[1]}"
        assert text in found[where].message
    assert len(caught.value.problems) == len(expected)
    rendered = str(caught.value)
    assert "row 12, column 'Planned Saving (£k)'" in rendered


def test_missing_columns_and_no_header(tmp_path):
    council = make_council(tmp_path)
    rows = [
        ["Ref", "Title", "Directorate", "Type", "Planned"],
        ["A1", "x", "Adults", "Tactical", 1],
    ]
    path = write_xlsx(tmp_path / "savings" / "2021-22-Q1.xlsx", rows, hidden_first=False)
    with pytest.raises(InputError) as caught:
        load_register(path, council)
    messages = [p.message for p in caught.value.problems]
    assert all(p.row == 1 for p in caught.value.problems)
    for label in ("Financial year", "Delivered to date", "Forecast", "RAG", "Owner", "Mitigation"):
        assert any(f"'{label}'" in m for m in messages), label
    assert len(messages) == 6

    path = write_csv(tmp_path / "other.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(InputError, match="cannot find the header row"):
        load_register(path, council)


def test_column_mapping_and_sheet_from_council_yaml(tmp_path):
    council = make_council(
        tmp_path, columns={"reference": "Saving No.", "forecast": "Q2 projection"}, sheet="Q2"
    )
    header = ["Saving No.", "Title", "Directorate", "Type", "Year", "Planned", "Delivered",
              "Q2 projection", "RAG", "Owner", "Mitigation"]  # fmt: skip
    wb = Workbook()
    wb.active.title = "Cover"
    wb.active.append(["Front page"])
    ws = wb.create_sheet("Q2")
    ws.append(header)
    ws.append(["S1", "A saving", "Place", "Tactical", "2021-22", 10, 5, 8, "A", "Head", "Plan B"])
    path = tmp_path / "savings" / "2021-22-Q2.xlsx"
    path.parent.mkdir()
    wb.save(path)
    frame = load_register(path, council)
    assert frame.loc[0, "reference"] == "S1"
    assert frame.loc[0, "forecast_gbp_k"] == 8.0

    missing_sheet = make_council(tmp_path, sheet="Nope")
    with pytest.raises(InputError, match="no sheet named 'Nope'"):
        load_register(path, missing_sheet)


def test_bad_savings_settings(tmp_path):
    council = make_council(tmp_path, columns={"colour": "Colour"})
    with pytest.raises(InputError) as caught:
        load_settings(council)
    assert caught.value.problems[0].key.startswith("savings.columns")
    no_section = make_council(tmp_path).model_copy(update={"savings": {}})
    with pytest.raises(InputError, match="no 'savings' section"):
        load_settings(no_section)


def test_saving_below_totals_row_and_blank_reference(tmp_path):
    council = make_council(tmp_path)
    rows = [
        HEADER,
        ["A1", "One", "Adults", "Tactical", "2021-22", 100, 0, 100, "G", "Head", "", ""],
        ["", "No reference", "Adults", "Tactical", "2021-22", 100, 0, 100, "G", "Head", "", ""],
        ["", "Total", "", "", "", 100, 0, 100],  # the saving without a reference is not counted
        ["A9", "Below", "Adults", "Tactical", "2021-22", 1, 0, 1, "G", "Head", "", ""],
        ["Source: finance team"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "r.csv", rows)
    with pytest.raises(InputError) as caught:
        load_register(path, council)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "Ref"), (5, "Ref")]


def test_load_year_reports_problems_in_all_quarters(tmp_path):
    council = make_council(tmp_path)
    write_csv(tmp_path / "savings" / "2021-22-Q1.csv", broken_rows()[1:4])
    with pytest.raises(InputError) as caught:
        load_year(council, Period(2021, 2))
    files = {Path(p.file).name for p in caught.value.problems}
    assert files == {"2021-22-Q1.csv", "savings"}  # the duplicate in Q1 and Q2's missing file
    assert any("no savings register for 2021-22-Q2" in p.message for p in caught.value.problems)

    write_csv(tmp_path / "savings" / "2021-22-Q2.xlsx", [])
    write_csv(tmp_path / "savings" / "2021-22-Q2.csv", [])
    with pytest.raises(InputError, match="keep one"):
        register_path(council, Period(2021, 2))


@pytest.mark.parametrize(
    ("text", "value"),
    [("£1,234", 1234.0), ("1,234.5", 1234.5), ("(250)", -250.0), ("-", 0.0), ("", 0.0),
     ("-£5", -5.0), ("£(1,000)", -1000.0), (12, 12.0), (None, 0.0),
     ("1.2m", None), ("12,34", None), ("abc", None), (True, None)],
)  # fmt: skip
def test_parse_money(text, value):
    assert parse_money(text) == value


@pytest.mark.parametrize(
    ("text", "rag"),
    [("Blue", "Blue"), ("B", "Blue"), ("achieved", "Blue"), ("Complete", "Blue"), ("g", "Green"),
     (" green ", "Green"), ("A", "Amber"), ("R", "Red"), ("RED", "Red"), ("Purple", None), (None, None)],
)  # fmt: skip
def test_parse_rag(text, rag):
    assert parse_rag(text) == rag
