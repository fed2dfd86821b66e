"""The benchmark run finds the published files as the public-data panel does."""

from __future__ import annotations

from analysis.benchmarking import find_public_files
from analysis.benchmarking.settings import BenchmarkSettings
from analysis.public_data import find_files


def _touch(folder, *names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def test_every_published_form_the_panel_reads_is_found(tmp_path):
    _touch(
        tmp_path,
        "revenue_outturn_summary/RS_2024-25_data_by_LA.csv",  # the data sheet saved as CSV
        "revenue_outturn_summary/RS_2023-24_data_by_LA.ods",
        "revenue_outturn_summary/Revenue_Outturn_Summary__RS__data_2012-13_by_LA.xls",
        "population/MYE4_2024.xlsx",  # the ONS's upper-case name
        "comparators/nearest_neighbours.json",
        "performance/adult_social_care_oflog.csv",
    )
    files = find_public_files(tmp_path, BenchmarkSettings())
    panel = find_files(tmp_path)
    assert [p.name for p in files["rs"]] == [
        "RS_2023-24_data_by_LA.ods",
        "RS_2024-25_data_by_LA.csv",
    ]
    # The legacy .xls years (E-codes only) reach the reports through the history panel alone.
    assert {p.name for p in panel["rs"]} - {p.name for p in files["rs"]} == {
        "Revenue_Outturn_Summary__RS__data_2012-13_by_LA.xls"
    }
    assert files["population"] == panel["population"] != []
    assert [p.name for p in files["neighbours"]] == ["nearest_neighbours.json"]
    assert [p.name for p in files["performance"]] == ["adult_social_care_oflog.csv"]


def test_a_file_named_in_the_settings_is_used_instead(tmp_path):
    _touch(tmp_path, "RS_2023-24_data_by_LA.ods", "my_rs.xlsx")
    settings = BenchmarkSettings(public_files={"rs": "my_rs.xlsx"})
    assert find_public_files(tmp_path, settings)["rs"] == [tmp_path / "my_rs.xlsx"]
