"""Every authority in the published data: who a batch can benchmark.

Read from the latest Revenue Outturn Summary in a folder of published files, with whether the
nearest-neighbour list names the authority (else it is compared with its class).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.benchmarking.panel import find_public_files
from analysis.benchmarking.settings import BenchmarkSettings
from analysis.core.errors import InputError, display_path
from analysis.public_data import read_neighbours, read_rs_many

# The kind of council some RS years append to a name (unitary, county, metropolitan borough,
# borough and district councils).
NAME_SUFFIX = r"\s+(?:UA|CC|MBC|MDC|BC|DC|LBC)$"
AUTHORITY_COLUMNS = ["ons_code", "e_code", "name", "authority_class", "year", "has_neighbours"]


def authorities(public_data: Path) -> pd.DataFrame:
    """One row per authority in the latest RS year: ons_code, e_code, name, authority_class,
    year (the RS financial year, e.g. 2016 for 2016-17) and has_neighbours. Names are as
    published, less the kind of council some years add ("Hartlepool UA", "Cambridgeshire CC")."""
    files = find_public_files(Path(public_data), BenchmarkSettings())
    if not files["rs"]:
        raise InputError.single(
            display_path(public_data), "no Revenue Outturn Summary (RS) file found"
        )
    rs = read_rs_many(files["rs"])
    latest = int(rs["year"].max())
    found = (
        rs.loc[rs["year"] == latest, AUTHORITY_COLUMNS[:-1]]
        .drop_duplicates("ons_code")
        .sort_values("ons_code", ignore_index=True)
    )
    listed: set[str] = set()
    if files["neighbours"]:
        listed = set(read_neighbours(files["neighbours"][0])["ons_code"])
    found["has_neighbours"] = found["ons_code"].isin(listed)
    # The RS adds the kind of council to some names ("Hartlepool UA", "Cambridgeshire CC",
    # "Stockport MBC", "Gedling BC"): the class has its own column.
    found["name"] = found["name"].str.replace(NAME_SUFFIX, "", regex=True)
    return found.reset_index(drop=True)
