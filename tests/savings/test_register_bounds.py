"""A register's sheets are measured before they are read (issue 23): a value in a far cell, an
.ods of huge repeats, thousands of sheets or an endless CSV is refused by name in well under a
second, instead of the reader building billions of cells (a process abort at XFD1048576)."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from hostile_files import (
    HEADER,
    ROW,
    far_cell_xlsx,
    formatted_ods,
    many_sheets_xlsx,
    repeated_ods,
    sheet_xml,
    very_hidden_xlsx,
    write_xlsx,
)

from analysis.core.config import Council
from analysis.core.errors import InputError
from analysis.savings.register import load_register
from analysis.savings.sheets import LIMITS


def _council(folder: Path) -> Council:
    return Council(
        name="Test Council",
        ons_code="E06000099",
        authority_class="UA",
        minimum_general_fund_reserve={"percent_of_net_budget": 5},
        directorates=["Adults", "Place"],
        savings={"types": ["Tactical"]},
        slug="test",
        folder=folder,
    )


def _refused(path: Path, council: Council) -> tuple[str, float, float]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load_register(path, council)
    seconds = time.perf_counter() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0]), seconds, grown_mb


@pytest.mark.parametrize("ref", ["XFD1048576", "XFD6000", "A1048576", "GS2"])
def test_a_value_in_a_far_cell_is_refused_by_name(tmp_path, ref):
    path = far_cell_xlsx(tmp_path / "2021-22-Q1.xlsx", ref)
    assert path.stat().st_size < 10_000
    message, seconds, grown_mb = _refused(path, _council(tmp_path))
    assert "2021-22-Q1.xlsx, sheet 'Tracker'" in message
    assert f"cell {ref} holds a value, beyond the 120,000 rows x 200 columns" in message
    assert seconds < 2 and grown_mb < 100, (seconds, grown_mb)


def test_a_used_range_of_too_many_cells_is_refused(tmp_path):
    """200 columns and 30,000 rows are each allowed, but not both: 6 million cells."""
    path = far_cell_xlsx(tmp_path / "r.xlsx", "GR30000")
    message, _seconds, _grown = _refused(path, _council(tmp_path))
    assert "the used range A1:GR30000 is 6,000,000 cells" in message
    assert f"at most {LIMITS.cells:,}" in message


def test_cells_without_references_are_placed_as_a_reader_places_them(tmp_path):
    """References may be left out (a cell follows the one before it): counted, not skipped."""
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 300
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [("Tracker", "visible", sheet_xml([HEADER, ROW], f"<row>{cells}</row>"))],
    )
    message, _seconds, _grown = _refused(path, _council(tmp_path))
    assert "cell KN3 holds a value" in message


def test_an_empty_formatted_cell_far_away_is_not_counted(tmp_path):
    """A style on an empty cell (``<c r=".." s="1"/>``) holds no value: the reader skips it."""
    extra = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    path = write_xlsx(
        tmp_path / "r.xlsx", [("Tracker", "visible", sheet_xml([HEADER, ROW], extra))]
    )
    assert len(load_register(path, _council(tmp_path))) == 1


def test_an_ods_of_huge_repeats_is_refused_in_milliseconds(tmp_path):
    path = repeated_ods(tmp_path / "r.ods")
    assert path.stat().st_size < 5_000
    message, seconds, grown_mb = _refused(path, _council(tmp_path))
    assert "r.ods, sheet 'Tracker'" in message
    assert "holds a value, beyond the 120,000 rows x 200 columns" in message
    assert seconds < 1 and grown_mb < 50, (seconds, grown_mb)


def test_an_ods_of_6000_by_2000_repeats_is_refused(tmp_path):
    path = repeated_ods(tmp_path / "r.ods", rows=6_000, columns=2_000)
    message, _seconds, _grown = _refused(path, _council(tmp_path))
    assert "cell BXX3 holds a value" in message


def test_an_ods_formatted_to_its_last_row_is_read(tmp_path):
    """LibreOffice writes empty repeated rows to the end of a formatted sheet: not values."""
    frame = load_register(formatted_ods(tmp_path / "r.ods"), _council(tmp_path))
    assert list(frame["reference"]) == ["R1"]


def test_two_thousand_sheets_are_refused_at_once(tmp_path):
    path = many_sheets_xlsx(tmp_path / "r.xlsx", 2_000)
    message, seconds, _grown = _refused(path, _council(tmp_path))
    assert "the workbook has 2,000 sheets; a savings register has at most 250" in message
    assert seconds < 2, seconds


def test_a_workbook_of_many_sheets_is_opened_once_to_find_the_register(tmp_path):
    """No header on the first sheet: the others are searched in the one open workbook."""
    small = sheet_xml([["note"]])
    sheets = [(f"S{i}", "visible", small) for i in range(1, 250)]
    sheets.append(("Register", "visible", sheet_xml([HEADER, ROW])))
    path = write_xlsx(tmp_path / "r.xlsx", sheets)
    message, seconds, _grown = _refused(path, _council(tmp_path))
    assert "the register is on sheet 'Register', not 'S1'" in message
    assert seconds < 5, seconds


@pytest.mark.parametrize(
    "state, said, how",
    [("veryHidden", "very hidden", "VBA editor"), ("hidden", "hidden", "Unhide")],
)
def test_a_register_on_a_hidden_sheet_is_said_to_be_there(tmp_path, state, said, how):
    path = very_hidden_xlsx(tmp_path / "r.xlsx", state)
    message, _seconds, _grown = _refused(path, _council(tmp_path))
    assert f"the register is on sheet 'Register', which is {said}" in message
    assert how in message and "savings.sheet: 'Register'" in message


def test_a_csv_of_too_many_rows_stops_at_the_limit(tmp_path):
    path = tmp_path / "r.csv"
    line = ",".join(str(v) for v in ROW) + "\n"
    path.write_text(",".join(HEADER) + "\n" + line * (LIMITS.rows + 5))
    message, _seconds, _grown = _refused(path, _council(tmp_path))
    assert f"row {LIMITS.rows + 1}: the file has more than 120,000 rows" in message


def test_a_csv_row_of_too_many_columns_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(",".join(HEADER) + "\n" + "," * 100_000 + "\n")
    message, _seconds, _grown = _refused(path, _council(tmp_path))
    assert "row 2: the row has 100,001 columns; a savings register may use 200" in message


def test_a_register_of_bad_rows_lists_fifty_and_counts_the_rest(tmp_path):
    """Every row wrong in two columns: 10,000 problems found (then checking stops, as the
    file is plainly not the register meant), told in 51 lines, in bounded memory and time."""
    path = tmp_path / "r.csv"
    bad = ",".join(
        ["R{0}", "Saving", "Nowhere {0}", "Tactical", "2021-22", "lots", "40", "90", "G"]
    )
    path.write_text(
        ",".join(HEADER) + "\n" + "".join(bad.format(i) + ",H,,\n" for i in range(110_000))
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load_register(path, _council(tmp_path))
    seconds = time.perf_counter() - started
    text = caught.value.render()
    assert text.startswith(
        "10,001 problems in the input data:\n  - " + str(path) + ", row 5002: checking stopped"
    )
    assert len(text.splitlines()) == 1 + 50 + 1, text
    assert "r.csv, row 2, column 'Planned': 'lots' is not an amount of money" in text
    assert "(and 4,997 more rows like it)" in text  # one message for every row: said 3 times
    assert (
        "r.csv, column 'Directorate': and 4,954 more of the same kind as: unknown "
        "directorate 'Nowhere 46'" in text
    )
    assert "row 5002: checking stopped here after 10,000 problems" in text
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 200
    assert seconds < 30, seconds


def test_a_far_cell_is_found_without_the_workbook_relationships(tmp_path):
    """With xl/_rels/workbook.xml.rels gone, every worksheet part is measured for the sheet."""
    import zipfile

    from analysis.core.sheet_limits import check_workbook

    source = far_cell_xlsx(tmp_path / "full.xlsx", "XFD1048576")
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            if info.filename != "xl/_rels/workbook.xml.rels":
                new.writestr(info, old.read(info.filename))
    with pytest.raises(InputError, match="cell XFD1048576 holds a value"):
        check_workbook(path, "r.xlsx", LIMITS, sheets=["Tracker"])


def test_the_limits_are_the_ones_documented():
    readme = (Path(__file__).parents[2] / "data" / "raw" / "README.md").read_text()
    text = " ".join(readme.split())
    assert f"a register may reach {LIMITS.rows:,} rows x {LIMITS.columns:,} columns" in text
    assert f"and {LIMITS.cells:,} cells (rows x columns) and hold {LIMITS.sheets} sheets" in text


def test_a_column_is_named_by_its_letters_as_excel_shows_them():
    from analysis.core.sheet_limits import column_letter

    assert [column_letter(c) for c in (1, 2, 26, 27, 28, 702, 703, 16384)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA", "XFD"
    ]  # fmt: skip
