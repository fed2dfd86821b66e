"""The council's financial position from the published returns: the schools high-needs deficit,
reserves, debt, budget against outturn and what each service's spending is made of, for the
council, its comparators and every council of its class.

Every function reads the tidy public-data panel (:func:`analysis.public_data.load_panel`:
ons_code, name, authority_class, year, measure, value, source_file) and returns one row per
authority (and service) with the financial ``year`` the figure is for and the ``source_file`` it
came from. Years are financial years by their start (2023 = 2023-24); a balance "at 31 March" of
year Y is at 31 March Y+1. Money is £ thousand (``_gbp_k``) or £ (``_gbp``, per head).

- :func:`dsg_position` (a): the DSG adjustment account (the schools high-needs deficit, RS line
  912, found in the panel as ``dsg_adjustment_account_31mar`` by its description) at 31 March of
  the newest RS year that has it, not later than the benchmark year. ``dsg_deficit_gbp_k`` is the
  account's balance with the sign turned (the RS prints a deficit as a negative balance), so a
  deficit is positive. Per head with the population of that year (or the newest before it, named
  in ``population_year``); as a share of usable reserves, unallocated (RS916) plus other earmarked
  (RS915) at the same date: the reserves not ring-fenced (schools', DSG and public health reserves
  are left out, as in the resilience indicators).
- :func:`reserves_position` (b): unallocated and other earmarked reserves at 31 March of the
  newest year not later than the benchmark year, against that year's net revenue expenditure
  (RS805), and the change since each earlier year with a balance
  (:func:`analysis.benchmarking.resilience.reserve_balances`).
- :func:`debt_position` (c): capital financing requirement, gross external borrowing and other
  long-term liabilities at 31 March (capital outturn COR C), per head and against net revenue
  expenditure of the same year, or of the nearest RS year before it when that year's RS is not in
  the data (``nre_year`` says which).
- :func:`~analysis.benchmarking.service_finances.budget_against_outturn` (d): for each service line, the budget (RA, ``RA190``) against the
  outturn (RS, ``RS190``) of the same year: over (+) or under (-) spend in £ thousand, per head and
  as a share of the budget.
- :func:`~analysis.benchmarking.service_finances.service_split` (e): each service's spending split (RSX) into employees, running costs and
  income per head, and :func:`~analysis.benchmarking.service_finances.split_reasons` whether a service costs more than its comparators'
  median because it spends more or because it earns less.

:func:`compare` sets a measure against the comparators' median and every council of the same
class (median and rank).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.benchmarking.resilience import reserve_balances
from analysis.public_data import SERVICE_LINES

SERVICES = SERVICE_LINES  # the RS service lines, as the cost table compares them
DSG_MEASURE = "dsg_adjustment_account_31mar"
RESERVE_MEASURES = {"unallocated": "RS916_31mar", "earmarked": "RS915_31mar"}
NRE = "RS805"
DEBT_MEASURES = {
    "cfr": "cfr_31mar",
    "borrowing": "gross_borrowing_31mar",
    "other_liabilities": "other_long_term_liabilities_31mar",
}
SPLIT_KINDS = ["employees", "running_expenses", "total_expenditure", "total_income", "net"]
IDS = ["ons_code", "name", "authority_class"]


def measure_rows(history: pd.DataFrame, measures, year: int | None = None) -> pd.DataFrame:
    rows = history[history["measure"].astype(str).isin(list(measures))]
    if year is not None:
        rows = rows[rows["year"] == year]
    rows = rows.dropna(subset=["ons_code"])
    if "aggregated" in rows:  # an authority's own figure before a sum of its predecessors
        rows = rows.sort_values("aggregated", kind="stable")
    return rows.drop_duplicates(["ons_code", "year", "measure"])


def wide_by_measure(rows: pd.DataFrame, measures) -> pd.DataFrame:
    wide = rows.pivot_table(
        index="ons_code", columns="measure", values="value", aggfunc="first", observed=True
    )
    wide.columns = wide.columns.astype(str)
    return wide.reindex(columns=list(measures))


def authority_ids(history: pd.DataFrame) -> pd.DataFrame:
    rows = history.dropna(subset=["ons_code"]).sort_values("year")
    return rows.drop_duplicates("ons_code", keep="last").set_index("ons_code")[
        ["name", "authority_class"]
    ]


def source_files(rows: pd.DataFrame, measure: str) -> pd.Series:
    """The file each authority's ``measure`` came from. A sum of predecessors records every file
    its predecessors' rows came from: only those that publish ``measure`` are kept."""
    mine = rows[rows["measure"].astype(str) == measure]
    files = mine.set_index("ons_code")["source_file"].astype(str)
    own = mine[~mine["aggregated"].astype(bool)] if "aggregated" in mine else mine
    publishing = set(own["source_file"].astype(str))

    def keep(text: str) -> str:
        parts = [p for p in text.split("; ") if p in publishing]
        return "; ".join(parts) if parts else text

    return files.map(keep)


def newest_year(history: pd.DataFrame, measure: str, year: int | None) -> int | None:
    """The newest year not later than ``year`` (None: any) with ``measure`` for any authority."""
    rows = history.loc[history["measure"].astype(str) == measure, ["year", "value"]].dropna()
    years = sorted(int(y) for y in rows["year"].unique() if year is None or y <= year)
    return years[-1] if years else None


def population_at(history: pd.DataFrame, year: int) -> tuple[pd.Series, int | None]:
    """(population by ons_code, the mid-year used): mid-``year``, else the newest before it,
    else the earliest there is; never silently: the year used is returned."""
    rows = history[history["measure"].astype(str) == "population"].dropna(subset=["value"])
    years = sorted(int(y) for y in rows["year"].unique())
    if not years:
        return pd.Series(dtype=float), None
    earlier = [y for y in years if y <= year]
    used = earlier[-1] if earlier else years[0]
    mine = measure_rows(rows, ["population"], used)
    return mine.set_index("ons_code")["value"].astype(float), used


def _frame(index: pd.Index, history: pd.DataFrame, year: int) -> pd.DataFrame:
    ids = authority_ids(history).reindex(index)
    out = ids.reset_index().rename(columns={"index": "ons_code"})
    out.insert(3, "year", year)
    return out


def per_head(gbp_k: pd.Series, population: pd.Series) -> pd.Series:
    pop = population.reindex(gbp_k.index)
    return gbp_k * 1000 / pop.where(pop > 0)


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator > 0)


# (a) The schools high-needs deficit ------------------------------------------------------------


def dsg_position(history: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """One row per authority: the DSG adjustment account at 31 March of the newest RS year not
    later than ``year`` that has it; empty when no year has it (before 2020-21 the RS had no
    such line)."""
    columns = [
        *IDS,
        "year",
        "dsg_account_gbp_k",
        "dsg_deficit_gbp_k",
        "usable_reserves_gbp_k",
        "dsg_deficit_to_usable_reserves",
        "population",
        "population_year",
        "dsg_deficit_per_head_gbp",
        "source_file",
    ]
    found = newest_year(history, DSG_MEASURE, year)
    if found is None:
        return pd.DataFrame(columns=columns)
    measures = [DSG_MEASURE, *RESERVE_MEASURES.values()]
    rows = measure_rows(history, measures, found)
    wide = wide_by_measure(rows, measures).dropna(subset=[DSG_MEASURE])
    out = _frame(wide.index, history, found)
    account = wide[DSG_MEASURE]
    deficit = 0.0 - account  # 0.0 - 0.0 is 0.0, where -0.0 would print as "-0"
    usable = wide[RESERVE_MEASURES["unallocated"]] + wide[RESERVE_MEASURES["earmarked"]]
    population, pop_year = population_at(history, found)
    out["dsg_account_gbp_k"] = account.to_numpy()
    out["dsg_deficit_gbp_k"] = deficit.to_numpy()
    out["usable_reserves_gbp_k"] = usable.to_numpy()
    out["dsg_deficit_to_usable_reserves"] = ratio(deficit, usable).to_numpy()
    out["population"] = population.reindex(wide.index).to_numpy()
    out["population_year"] = pop_year
    out["dsg_deficit_per_head_gbp"] = per_head(deficit, population).to_numpy()
    out["source_file"] = source_files(rows, DSG_MEASURE).reindex(wide.index).to_numpy()
    return out[columns]


# (b) Reserves against net revenue expenditure --------------------------------------------------

RESERVE_COLUMNS = [
    *IDS,
    "kind",
    "year",
    "balance_gbp_k",
    "nre_gbp_k",
    "balance_to_nre",
    "from_year",
    "from_balance_gbp_k",
    "change_gbp_k",
    "change_fraction",
    "aggregated_from",
    "source_file",
]


def reserves_position(history: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Unallocated and other earmarked reserves at 31 March of the newest year not later than
    ``year``, against that year's NRE, with the change since every earlier year with a balance:
    one row per authority, kind and earlier year (``from_year``; NaN when there is none).
    ``aggregated_from`` is True where the earlier balance is the sum of predecessors'."""
    found = newest_year(history, RESERVE_MEASURES["unallocated"], year)
    if found is None:
        return pd.DataFrame(columns=RESERVE_COLUMNS)
    measures = [f"RS{n}_{d}" for n in (915, 916) for d in ("1apr", "31mar")] + [NRE]
    rows = measure_rows(history, measures)
    rows = rows[rows["year"] <= found]
    balances = reserve_balances(rows)
    now = balances[balances["year"] == found].set_index(["ons_code", "kind"])
    before = balances[balances["year"] < found]
    aggregated = (
        rows[rows.get("aggregated", False) == True]  # noqa: E712 (a column of booleans)
        .groupby(["ons_code", "year"])
        .size()
        .index
        if "aggregated" in rows
        else pd.MultiIndex.from_tuples([], names=["ons_code", "year"])
    )
    merged = now.reset_index().merge(
        before[["ons_code", "kind", "year", "balance_gbp_k"]].rename(
            columns={"year": "from_year", "balance_gbp_k": "from_balance_gbp_k"}
        ),
        on=["ons_code", "kind"],
        how="left",
    )
    merged["balance_to_nre"] = ratio(merged["balance_gbp_k"], merged["nre_gbp_k"])
    merged["change_gbp_k"] = merged["balance_gbp_k"] - merged["from_balance_gbp_k"]
    merged["change_fraction"] = ratio(merged["change_gbp_k"], merged["from_balance_gbp_k"])
    pairs = pd.MultiIndex.from_arrays([merged["ons_code"], merged["from_year"]])
    merged["aggregated_from"] = pairs.isin(aggregated)
    ids = authority_ids(history).reindex(merged["ons_code"])
    merged["name"] = ids["name"].to_numpy()
    merged["authority_class"] = ids["authority_class"].to_numpy()
    sources = {
        kind: source_files(rows[rows["year"] == found], measure)
        for kind, measure in RESERVE_MEASURES.items()
    }
    merged["source_file"] = [
        sources[k].get(c) for c, k in zip(merged["ons_code"], merged["kind"], strict=True)
    ]
    merged["year"] = found
    return merged[RESERVE_COLUMNS].sort_values(["ons_code", "kind", "from_year"], ignore_index=True)


# (c) Debt --------------------------------------------------------------------------------------


def debt_position(history: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Capital financing requirement, gross borrowing and other long-term liabilities at 31 March
    of the newest capital outturn (COR C) year not later than ``year``: £k, per head and against
    net revenue expenditure (of that year, else the nearest RS year before it: ``nre_year``)."""
    columns = [*IDS, "year"]
    for kind in DEBT_MEASURES:
        columns += [f"{kind}_gbp_k", f"{kind}_per_head_gbp", f"{kind}_to_nre"]
    columns += ["nre_gbp_k", "nre_year", "population", "population_year", "source_file"]
    found = newest_year(history, DEBT_MEASURES["cfr"], year)
    if found is None:
        return pd.DataFrame(columns=columns)
    rows = measure_rows(history, DEBT_MEASURES.values(), found)
    wide = wide_by_measure(rows, DEBT_MEASURES.values()).dropna(how="all")
    nre_year = newest_year(history, NRE, found)
    if nre_year is None:
        nre_year = newest_year(history, NRE, None)
    nre = (
        wide_by_measure(measure_rows(history, [NRE], nre_year), [NRE])[NRE]
        if nre_year is not None
        else pd.Series(dtype=float)
    )
    population, pop_year = population_at(history, found)
    out = _frame(wide.index, history, found)
    for kind, measure in DEBT_MEASURES.items():
        value = wide[measure]
        out[f"{kind}_gbp_k"] = value.to_numpy()
        out[f"{kind}_per_head_gbp"] = per_head(value, population).to_numpy()
        out[f"{kind}_to_nre"] = ratio(value, nre.reindex(wide.index)).to_numpy()
    out["nre_gbp_k"] = nre.reindex(wide.index).to_numpy()
    out["nre_year"] = nre_year
    out["population"] = population.reindex(wide.index).to_numpy()
    out["population_year"] = pop_year
    out["source_file"] = source_files(rows, DEBT_MEASURES["cfr"]).reindex(wide.index).to_numpy()
    return out[columns]


# Against comparators and nationally ------------------------------------------------------------

COMPARE_COLUMNS = [
    "value",
    "comparator_median",
    "n_comparators",
    "class_median",
    "class_rank",
    "n_class",
]


def compare(
    frame: pd.DataFrame, column: str, code: str, comparators: list[str], by: list[str] | None = None
) -> pd.DataFrame:
    """The council's ``column`` against its comparators' median (the council left out) and every
    authority of its class (median; rank, 1 = highest, among those with a figure), by ``by``.

    Worked on the columns as arrays: the rows of each key are found once (not by filtering the
    whole frame for the council, its comparators and its class, key by key)."""
    by = by or []
    codes = frame["ons_code"]
    is_council = (codes == code).to_numpy(dtype=bool, na_value=False)
    cls = frame.loc[is_council, "authority_class"].dropna()
    is_peer = (
        (frame["authority_class"] == cls.iloc[0]).to_numpy(dtype=bool, na_value=False)
        if len(cls)
        else np.zeros(len(frame), dtype=bool)
    )
    is_other = codes.isin([c for c in comparators if c != code]).to_numpy(dtype=bool)
    values = frame[column].to_numpy(dtype=float, na_value=np.nan)
    filled = ~np.isnan(values)
    if by:
        keys = list(frame.loc[is_council, by].drop_duplicates().itertuples(index=False, name=None))
        rows_of = frame.groupby(by, sort=False).indices  # a key's rows (keys with a gap: none)
    else:
        keys, rows_of = [()], {(): np.arange(len(frame))}
    results = []
    for key in keys:
        rows = rows_of.get(key[0] if len(by) == 1 else key, np.array([], dtype=int))
        part, has = values[rows], filled[rows]
        mine, comp = part[has & is_council[rows]], part[has & is_other[rows]]
        peer = part[has & is_peer[rows]]
        value = float(mine[0]) if len(mine) else np.nan
        rank = int((peer > value).sum() + 1) if not np.isnan(value) and len(peer) else None
        results.append(
            {
                **dict(zip(by, key, strict=True)),
                "value": value,
                "comparator_median": float(np.median(comp)) if len(comp) else np.nan,
                "n_comparators": len(comp),
                "class_median": float(np.median(peer)) if len(peer) else np.nan,
                "class_rank": rank,
                "n_class": len(peer),
            }
        )
    return pd.DataFrame(results, columns=[*by, *COMPARE_COLUMNS])
