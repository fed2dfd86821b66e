"""Published files are measured before they are read (issue 23): one value at XFD1048576 in
ctr_2223.xlsx aborted the process; a 3 GB sparse file was read whole to check 8 bytes."""

from __future__ import annotations

import re
import resource
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from hostile_files import far_cell_xlsx, many_sheets_xlsx, repeated_ods

from analysis.core.errors import InputError
from analysis.public_data import _common
from analysis.public_data._common import LIMITS, open_workbook
from analysis.public_data.ctr import read_ctr


def _grown_mb(before: int) -> float:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def test_a_far_cell_in_a_published_sheet_is_refused_before_it_is_read(tmp_path):
    book = open_workbook(far_cell_xlsx(tmp_path / "t.xlsx", "XFD1048576"), "test table")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for read in (book.rows, book.head):
        with pytest.raises(InputError) as caught:
            read("Tracker")
        message = str(caught.value.problems[0])
        assert "t.xlsx, sheet 'Tracker': cell XFD1048576 holds a value, beyond the 5,000 rows" in (
            message
        )
    assert _grown_mb(before) < 50


def test_the_published_limits_allow_a_wide_table(tmp_path):
    """A sheet of 2,000 columns (a publisher's wide table) is within the limits."""
    book = open_workbook(far_cell_xlsx(tmp_path / "t.xlsx", "BXX10"), "test table")
    rows = book.rows("Tracker")
    assert len(rows) == 10 and len(rows[0]) == LIMITS.columns


def test_an_ods_of_huge_repeats_is_refused_when_opened(tmp_path):
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        open_workbook(repeated_ods(tmp_path / "t.ods"), "test table")
    assert "sheet 'Tracker': cell WQJ1048002 holds a value" in str(caught.value)
    assert time.perf_counter() - started < 1


def test_too_many_sheets_are_refused_when_opened(tmp_path):
    with pytest.raises(InputError) as caught:
        open_workbook(many_sheets_xlsx(tmp_path / "t.xlsx", 600), "test table")
    assert "the workbook has 600 sheets; a published table has at most 500" in str(caught.value)


def test_a_3_gb_sparse_file_is_not_read_whole(tmp_path):
    path = tmp_path / "RS_2022-23_data_by_LA.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"<html>\n")
        handle.truncate(3 << 30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"a web page \(HTML\)"):
        open_workbook(path, "test table")
    assert time.perf_counter() - started < 1 and _grown_mb(before) < 50


def test_an_oversized_xls_is_refused_by_its_size(tmp_path, monkeypatch):
    path = tmp_path / "t.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    monkeypatch.setattr(_common, "MAX_XLS_BYTES", 1000)
    with pytest.raises(InputError, match="saved as .xls is at most"):
        open_workbook(path, "test table")


@pytest.mark.public_data
def test_a_far_cell_in_the_published_ctr_names_the_cell(shared_public, tmp_path):
    """The case that aborted a run under --public-data: ctr_2223.xlsx with one more value."""
    source = next(shared_public.rglob("ctr_2223.xlsx"))
    path = tmp_path / source.name
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename):
                far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                data = data.replace(b"</sheetData>", far)
            new.writestr(info, data)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        read_ctr(path)
    assert "ctr_2223.xlsx, sheet '" in str(caught.value)
    assert "cell XFD1048576 holds a value, beyond the 5,000 rows x 2,000 columns" in str(
        caught.value
    )
    assert time.perf_counter() - started < 5 and _grown_mb(before) < 100
    shutil.copy(source, path)  # the file as published reads
    assert len(read_ctr(path)) > 1000


def test_a_huge_file_in_the_public_folder_is_refused_before_it_is_hashed(tmp_path, monkeypatch):
    """The panel hashes every published file: a 3 GB one took 34 s before it was refused."""
    from analysis.public_data import panel as panel_module

    path = tmp_path / "RS_2022-23_data_by_LA.xlsx"
    with open(path, "wb") as handle:
        handle.write(b"<html>\n")
        handle.truncate(3 << 30)
    started = time.perf_counter()
    with pytest.raises(InputError, match="the file is 3,221 MB; a published table is at most"):
        panel_module.load_panel(tmp_path, tmp_path / "cache")
    with pytest.raises(InputError, match="the file is 3,221 MB"):
        _common.check_file(path, "test table")
    assert time.perf_counter() - started < 1


def _far_xls(shared_public, tmp_path, name: str) -> Path:
    """A published RS .xls with one NUMBER record moved to row 65,536, column IV (same size:
    the container is untouched). Its reader took 1 GB just to open it."""
    source = next(shared_public.rglob("Revenue_Outturn_Summary__RS__data_2013-14*.xls"))
    data = bytearray(source.read_bytes())
    at = data.find(b"\x03\x02\x0e\x00", 4096)  # a NUMBER record: type 0x0203, 14 bytes
    data[at + 4 : at + 8] = (65535).to_bytes(2, "little") + (255).to_bytes(2, "little")
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return path


@pytest.mark.public_data
def test_a_far_cell_in_a_published_xls_is_refused_before_it_is_opened(shared_public, tmp_path):
    from analysis.core.biff import xls_extents

    source = next(shared_public.rglob("Revenue_Outturn_Summary__RS__data_2013-14*.xls"))
    count, extents = xls_extents(source.read_bytes())
    assert count == 5 and (
        extents["RS LA Data 2013-14 (1)"].rows,
        extents["RS LA Data 2013-14 (1)"].columns,
    ) == (472, 96)  # as python-calamine reads it
    path = _far_xls(shared_public, tmp_path, "RS_2013-14.xls")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError) as caught:
        open_workbook(path, "test table")
    assert "sheet 'RS LA Data 2013-14 (1)': cell IV65536 holds a value, beyond the 5,000" in str(
        caught.value
    )
    assert _grown_mb(before) < 100


@pytest.mark.public_data
def test_a_far_cell_in_an_xls_register_is_refused(shared_public, tmp_path):
    from analysis.core.config import Council
    from analysis.savings.register import load_register

    path = _far_xls(shared_public, tmp_path, "2021-22-Q1.xls")
    council = Council(
        name="T",
        ons_code="E06000099",
        authority_class="UA",
        minimum_general_fund_reserve={"percent_of_net_budget": 5},
        directorates=["Adults"],
        savings={"types": ["Tactical"]},
        slug="t",
        folder=tmp_path,
    )
    with pytest.raises(InputError, match="cell IV65536 holds a value, beyond the 120,000 rows"):
        load_register(path, council)


def test_a_published_xls_that_is_a_web_page_says_so_in_one_line(tmp_path):
    path = tmp_path / "RS_2022-23_data_by_LA.xls"
    path.write_bytes(b"\n  <HTML><HEAD><TITLE>Page not found</TITLE></HEAD><BODY>gone</BODY>")
    with pytest.raises(InputError) as caught:
        open_workbook(path, "revenue outturn summary (RS)")
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{path}: this file is a web page (HTML), not an Excel workbook: download the file "
        "itself (expected the revenue outturn summary (RS))"
    )
    assert "\n" not in str(problem)
