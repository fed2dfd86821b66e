"""Every authority in the published data: who a batch can benchmark.

Read from the latest Revenue Outturn Summary in a folder of published files, with whether the
nearest-neighbour list names the authority (else it is compared with its class).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.benchmarking import sources
from analysis.benchmarking.panel import find_public_files
from analysis.benchmarking.settings import BenchmarkSettings
from analysis.core.errors import InputError, display_path

AUTHORITY_COLUMNS = ["ons_code", "e_code", "name", "authority_class", "year", "has_neighbours"]


def authorities(public_data: Path) -> pd.DataFrame:
    """One row per authority in the latest RS year: ons_code, e_code, name, authority_class,
    year (the RS financial year, e.g. 2016 for 2016-17) and has_neighbours. Names are as
    published, less the " UA" the RS adds to unitary authorities' names."""
    files = find_public_files(Path(public_data), BenchmarkSettings())
    if not files["rs"]:
        raise InputError.single(
            display_path(public_data), "no Revenue Outturn Summary (RS) file found"
        )
    rs = sources.read_rs_many(files["rs"])
    latest = int(rs["year"].max())
    found = (
        rs.loc[rs["year"] == latest, AUTHORITY_COLUMNS[:-1]]
        .drop_duplicates("ons_code")
        .sort_values("ons_code", ignore_index=True)
    )
    listed: set[str] = set()
    if files["neighbours"]:
        listed = set(sources.read_neighbours(files["neighbours"][0])["ons_code"])
    found["has_neighbours"] = found["ons_code"].isin(listed)
    # The RS names unitary authorities "Hartlepool UA": the class has its own column.
    found["name"] = found["name"].str.replace(r"\s+UA$", "", regex=True)
    return found.reset_index(drop=True)
