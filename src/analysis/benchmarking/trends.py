"""Trends: net spend per head by service over every published year, the council against its
comparators' median and interquartile range, and the change in its rank, and the data for a strip
("barcode") chart per service of every comparable authority with the council highlighted (as the
Office for Local Government's explorer shows); the charts are drawn by
:mod:`analysis.benchmarking.trend_charts`.

Reads the multi-year history (``result.panel.history``: RS lines ``RS190`` ... and ``population``
by ONS code and year). Per head = net current expenditure (£ thousand x 1,000) / the ONS mid-year
population at the start of the financial year. Rank 1 = the highest cost among the council and the
comparators with data that year; ties share the middle rank (:func:`~.comparators.mid_rank`, the
rule of the cost table), and no change in rank is reported where the council is level with a
comparator in the first or the last year. The data year's figures are the cost table's own (the
same unit costs, population and comparators, :func:`for_result`), so the trend's newest median
is the cost table's. A successor's years before it existed are its predecessors' sums
(``aggregated``): shown for the council itself, and said so; never used for a comparator, as the
cost table cannot use them either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.benchmarking import comparators as comp
from analysis.core.display import join_words
from analysis.core.periods import year_label
from analysis.public_data.rs import SERVICE_LINES

CLASS_NAMES = {
    "UA": "unitary authority",
    "MD": "metropolitan district",
    "LB": "London borough",
    "SC": "county council",
    "SD": "district council",
}
TREND_COLUMNS = [
    "year",
    "year_label",
    "line",
    "service",
    "council_per_head_gbp",
    "comparator_median_per_head_gbp",
    "comparator_q1_per_head_gbp",
    "comparator_q3_per_head_gbp",
    "n_comparators_with_data",
    "cost_rank",
    "n_ranked",
    "n_level_with_council",
    "council_aggregated",
]


def per_head_history(history: pd.DataFrame | None, lines: dict[int, str] | None = None):
    """ons_code, year, line, service, net_expenditure_gbp_k, population, per head, aggregated."""
    lines = lines or SERVICE_LINES
    columns = ["ons_code", "name", "authority_class", "year", "line", "service"]
    if history is None or history.empty:
        return pd.DataFrame(columns=[*columns, "net_expenditure_per_head_gbp", "aggregated"])
    measures = {f"RS{line}": line for line in lines}
    spend = history[history["measure"].isin(list(measures))].dropna(subset=["ons_code", "value"])
    spend = spend.assign(line=spend["measure"].astype(str).map(measures))
    pop = history[history["measure"] == "population"].dropna(subset=["ons_code", "value"])
    pop = pop.drop_duplicates(["ons_code", "year"]).set_index(["ons_code", "year"])["value"]
    keys = pd.MultiIndex.from_arrays([spend["ons_code"], spend["year"]])
    population = pop.reindex(keys).to_numpy()
    out = pd.DataFrame(
        {
            "ons_code": spend["ons_code"].astype(str).to_numpy(),
            "name": spend["name"].astype(str).to_numpy(),
            "authority_class": spend["authority_class"].to_numpy(),
            "year": spend["year"].astype(int).to_numpy(),
            "line": spend["line"].astype(int).to_numpy(),
            "net_expenditure_gbp_k": spend["value"].to_numpy(dtype=float),
            "population": population,
            "aggregated": (
                spend["aggregated"].fillna(False).astype(bool).to_numpy()
                if "aggregated" in spend
                else False
            ),
        }
    )
    out["service"] = out["line"].map(lines)
    out["net_expenditure_per_head_gbp"] = out["net_expenditure_gbp_k"] * 1000 / out["population"]
    return out.dropna(subset=["net_expenditure_per_head_gbp"]).reset_index(drop=True)


def trend_table(per_head: pd.DataFrame, council: str, comparators: list[str]) -> pd.DataFrame:
    """One row per service and year where the council has data: its value, the comparators'
    median and interquartile range, and its rank among them (1 = highest cost)."""
    rows = []
    group = per_head[per_head["ons_code"].isin([council, *comparators])]
    codes = group["ons_code"].to_numpy()
    values = group["net_expenditure_per_head_gbp"].to_numpy(dtype=float)
    services = group["service"].to_numpy()
    aggregated = group["aggregated"].to_numpy()
    # One pass over the (line, year) groups on arrays: positions in the frame's order.
    for (line, year), where in sorted(group.groupby(["line", "year"]).indices.items()):
        mine = codes[where] == council
        if mine.all() or not mine.any():
            continue
        first = where[mine][0]  # the council's (first) row
        others, value = values[where][~mine], float(values[first])
        q1, q3 = np.percentile(others, [25.0, 75.0])
        rank, level = comp.rank_in(np.append(others, value), value)
        rows.append(
            {
                "year": int(year),
                "year_label": year_label(int(year)),
                "line": int(line),
                "service": services[first],
                "council_per_head_gbp": value,
                "comparator_median_per_head_gbp": float(np.median(others)),
                "comparator_q1_per_head_gbp": float(q1),
                "comparator_q3_per_head_gbp": float(q3),
                "n_comparators_with_data": int(others.size),
                "cost_rank": rank,  # ties share the middle rank
                "n_ranked": int(others.size) + 1,
                "n_level_with_council": level,
                "council_aggregated": bool(aggregated[first]),
            }
        )
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def rank_changes(trend: pd.DataFrame) -> pd.DataFrame:
    """Per service: first and last year with data, the council's rank and value in each, and the
    change in rank (positive = it now ranks as higher cost among its comparators)."""
    rows = []
    for line, frame in trend.sort_values("year").groupby("line", sort=True):
        first, last = frame.iloc[0], frame.iloc[-1]
        rows.append(
            {
                "line": int(line),
                "service": last["service"],
                "first_year": int(first["year"]),
                "last_year": int(last["year"]),
                "years_with_data": int(frame.shape[0]),
                "first_per_head_gbp": first["council_per_head_gbp"],
                "last_per_head_gbp": last["council_per_head_gbp"],
                "first_median_per_head_gbp": first["comparator_median_per_head_gbp"],
                "last_median_per_head_gbp": last["comparator_median_per_head_gbp"],
                "first_rank": float(first["cost_rank"]),
                "first_n_ranked": int(first["n_ranked"]),
                "last_rank": float(last["cost_rank"]),
                "last_n_ranked": int(last["n_ranked"]),
                # No change between tied values: level with a comparator at either end, the
                # rank says where the tie sits, not where the council does.
                "tied": bool(first["n_level_with_council"] or last["n_level_with_council"]),
                "rank_change": (
                    np.nan
                    if first["n_level_with_council"] or last["n_level_with_council"]
                    else float(first["cost_rank"] - last["cost_rank"])
                ),
                "aggregated_years": int(frame["council_aggregated"].sum()),
            }
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


CHANGE_COLUMNS = [
    "line",
    "service",
    "first_year",
    "last_year",
    "years_with_data",
    "first_per_head_gbp",
    "last_per_head_gbp",
    "first_median_per_head_gbp",
    "last_median_per_head_gbp",
    "first_rank",
    "first_n_ranked",
    "last_rank",
    "last_n_ranked",
    "tied",
    "rank_change",
    "aggregated_years",
]


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The rank changes as a reader sees them: years as years ('2010-11', not 2,010)."""
    out = changes.copy()
    for column in ("first_year", "last_year"):
        out[column] = [year_label(int(y)) for y in out[column]]
    return out


def rank_text(rank: float) -> str:
    """8.5 -> '8.5', 3.0 -> '3'."""
    return f"{float(rank):g}"


def largest_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Every service that shares the largest change in rank (either way), none when no rank
    changed (ties, whose change is not reported, left out)."""
    moved = changes[changes["years_with_data"] > 1].dropna(subset=["rank_change"])
    moved = moved[moved["rank_change"] != 0]
    if moved.empty:
        return moved
    size = moved["rank_change"].abs()
    return moved[size == size.max()].sort_values("line")


def gbp_text(value: float) -> str:
    """£ to the pound from £10, else to the penny; a negative figure is said as net income
    ('net income of £4.37'), never '£-4.37'."""
    amount = abs(float(value))
    text = f"£{amount:,.0f}" if amount >= 10 else f"£{amount:,.2f}"
    return f"net income of {text}" if value < 0 else text


def _places(n: float) -> str:
    text = rank_text(n)
    return f"{text} place{'s' if text != '1' else ''}"


def rank_move(row) -> str:
    """A service's move in the cost ranking, '3 to 1 of 3'; with each rank's own count when the
    number ranked changed, '16 of 16 to 10 of 12' (never a rank above the count beside it)."""
    first, last = rank_text(row["first_rank"]), rank_text(row["last_rank"])
    if int(row["first_n_ranked"]) == int(row["last_n_ranked"]):
        return f"{first} to {last} of {row['last_n_ranked']}"
    return f"{first} of {row['first_n_ranked']} to {last} of {row['last_n_ranked']}"


def _moves(rows: pd.DataFrame) -> str:
    """'Adult social care (3 to 1 of 3) and Housing (4 of 6 to 2 of 5)'."""
    parts = [f"{r['service']} ({rank_move(r)})" for _i, r in rows.sort_values("line").iterrows()]
    return join_words(parts)


def trend_sentences(changes: pd.DataFrame, council_name: str) -> list[str]:
    """At most two sentences above the table of :func:`trend_rank_table`: the largest move up
    the cost ranking and the largest move down, each naming every service that shares it."""
    if changes.empty:
        return [
            f"No trend can be shown for {council_name}: the published data have no years in "
            "which both the council and its comparators report net spending per head."
        ]
    moved = changes[changes["years_with_data"] > 1].dropna(subset=["rank_change"])
    if moved.empty:  # nothing to compare: saying that no rank changed would be empty of meaning
        return [
            f"No trend can be shown for {council_name}: each service has a rank among its "
            "comparators in one year at most."
        ]
    up, down = moved[moved["rank_change"] > 0], moved[moved["rank_change"] < 0]
    if up.empty and down.empty:
        return ["No service's rank among the comparators changed between its first and last year."]
    out = []
    for rows, way in ((up, "up"), (down, "down")):
        if rows.empty:
            out.append(f"No service moved {way} the cost ranking.")
            continue
        size = rows["rank_change"].abs()
        top = rows[size == size.max()]
        each = " each" if len(top) > 1 else ""
        out.append(
            f"The largest move {way} the cost ranking (1 = highest cost) is {_places(size.max())}"
            f"{each}: {_moves(top)}."
        )
    return out


TREND_RANK_HEADERS = {
    "service": "Service",
    "from_year": "From",
    "to_year": "To",
    "rank_then": "Rank then",
    "rank_now": "Rank now",
    "change": "Change",
    "note": "Note",
}


def _change_text(row) -> str:
    if row.years_with_data == 1:
        return "one year only: no trend"
    if row.tied:
        return "level with a comparator: not read"
    if row.rank_change > 0:
        return f"up {_places(row.rank_change)}"
    if row.rank_change < 0:
        return f"down {_places(-row.rank_change)}"
    return "same"


def trend_rank_table(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per service: its first and last year with data, its rank among the council and
    its comparators then and now ('3 of 17'; 1 = highest cost) and the change ('up 2 places'
    = now higher cost among them). A note column says where years are the sums of the
    authorities the council replaced, when any are."""
    rows = []
    for row in changes.itertuples(index=False):
        single = row.years_with_data == 1
        rows.append(
            {
                "service": row.service,
                "from_year": year_label(int(row.first_year)),
                "to_year": year_label(int(row.last_year)),
                "rank_then": ""
                if single
                else f"{rank_text(row.first_rank)} of {row.first_n_ranked}",
                "rank_now": f"{rank_text(row.last_rank)} of {row.last_n_ranked}",
                "change": _change_text(row),
                "note": (
                    f"{row.aggregated_years} of {row.years_with_data} years summed from the "
                    "authorities the council replaced"
                    if row.aggregated_years
                    else ""
                ),
            }
        )
    table = pd.DataFrame(rows, columns=list(TREND_RANK_HEADERS))
    if not (table["note"] != "").any():
        table = table.drop(columns="note")
    return table


def rs_years(history: pd.DataFrame) -> pd.DataFrame:
    """The years (column ``year``) in which ``history`` has any Revenue Outturn figure."""
    measures = history["measure"]
    names = pd.Series(measures.dropna().unique())  # a few hundred names, not every row
    rs_names = names[names.astype(str).str.match(r"^RS\d")]
    years = sorted(int(y) for y in history.loc[measures.isin(rs_names), "year"].unique())
    return pd.DataFrame({"year": pd.Series(years, dtype="int64")})


def missing_years_sentence(
    trend: pd.DataFrame,
    history: pd.DataFrame | None,
    last_year: int | None = None,
    published: pd.DataFrame | None = None,
) -> str | None:
    """Say plainly which published years (up to ``last_year``, the data year) a service has no
    figure for. ``published``: :func:`rs_years` of ``history``, when the caller has it."""
    if trend.empty or history is None:
        return None
    if published is None:
        published = rs_years(history)
    years = [int(y) for y in published["year"]]
    if last_year is not None:
        years = [y for y in years if y <= last_year]
    gaps = []
    for service, frame in trend.groupby("service", sort=False):
        present = set(frame["year"])
        absent = [year_label(y) for y in years if y not in present]
        if absent:
            gaps.append(f"{service} ({', '.join(absent)})")
    if not gaps:
        return None
    return (
        "Some services have no comparable figure in every published year (the lines were split or "
        "renamed, e.g. social care before 2011-12, public health before 2013-14): "
        + "; ".join(gaps)
        + "."
    )


def strip_frame(per_head: pd.DataFrame, council: str, authority_class: str | None, year: int):
    """Every authority of the council's class with data in ``year`` (the strip chart's data)."""
    frame = per_head[per_head["year"] == year]
    if authority_class:
        frame = frame[
            (frame["authority_class"] == authority_class) | (frame["ons_code"] == council)
        ]
    frame = frame.assign(is_council=frame["ons_code"] == council)
    return frame[
        ["ons_code", "name", "line", "service", "net_expenditure_per_head_gbp", "is_council"]
    ].sort_values(["line", "net_expenditure_per_head_gbp"], ignore_index=True)


def summed_years(history: pd.DataFrame | None, summed: pd.DataFrame | None = None) -> pd.MultiIndex:
    """(ons_code, year) of every figure that is a successor's predecessors' sum. ``summed``:
    :func:`summed_frame` of ``history``, when the caller has it."""
    if summed is None:
        summed = summed_frame(history)
    return pd.MultiIndex.from_frame(summed[["ons_code", "year"]])


def summed_frame(history: pd.DataFrame | None, measure: str | None = None) -> pd.DataFrame:
    """ons_code and year of every figure (of ``measure``, or of any) that is a successor's
    predecessors' sum, once each."""
    if history is None or "aggregated" not in history:
        return pd.DataFrame({"ons_code": pd.Series(dtype=str), "year": pd.Series(dtype="int64")})
    keep = history["aggregated"].fillna(False).astype(bool)
    if measure is not None:
        keep &= history["measure"].eq(measure)
    rows = history.loc[keep, ["ons_code", "year"]]
    return rows.drop_duplicates().reset_index(drop=True)


def one_comparison(per_head: pd.DataFrame, result) -> pd.DataFrame:
    """Spend per head as every section of the page compares it: the history up to the data year,
    the data year's figures replaced by the cost table's own unit costs, no comparator's summed
    (``aggregated``) years, and none of the services the council is not compared on."""
    code, year = result.council.ons_code, result.year
    history = per_head[per_head["year"] < year]
    history = history[~history["aggregated"].astype(bool) | history["ons_code"].eq(code)]
    costs = getattr(result, "unit_costs_all", None)
    if costs is not None and len(costs):
        this_year = costs.dropna(subset=["net_expenditure_per_head_gbp"])  # "no return": no figure
        this_year = this_year.assign(aggregated=False)[list(per_head.columns)]
    else:
        this_year = per_head[(per_head["year"] == year) & ~per_head["aggregated"].astype(bool)]
    out = pd.concat([history, this_year], ignore_index=True)
    skipped = getattr(result, "not_compared", None)
    if skipped is not None and len(skipped):
        out = out[~out["line"].isin(skipped["line"])]
    return out.reset_index(drop=True)


@dataclass
class Trends:
    """Everything the trend section shows, for one council."""

    per_head: pd.DataFrame
    trend: pd.DataFrame
    changes: pd.DataFrame
    strips: pd.DataFrame
    strip_year: int | None
    sentences: list[str]
    gaps: str | None


def for_result(result) -> Trends:
    """The trends for a :class:`~analysis.benchmarking.pipeline.BenchmarkResult`."""
    council = result.council
    history = getattr(result.panel, "history", None)
    national = getattr(result, "national", None)  # the run's figures for every authority
    per_head = national.per_head() if national is not None else per_head_history(history)
    per_head = one_comparison(per_head, result)
    comparators = list(
        result.comparators.loc[result.comparators["role"] == "comparator", "ons_code"]
    )
    trend = trend_table(per_head, council.ons_code, comparators)
    changes = rank_changes(trend)
    mine = per_head[per_head["ons_code"] == council.ons_code]
    strip_year = int(mine["year"].max()) if len(mine) else None
    strips = (
        strip_frame(per_head, council.ons_code, council.authority_class, strip_year)
        if strip_year is not None
        else strip_frame(per_head.iloc[0:0], council.ons_code, None, 0)
    )
    return Trends(
        per_head,
        trend,
        changes,
        strips,
        strip_year,
        trend_sentences(changes, council.name),
        missing_years_sentence(
            trend,
            history,
            result.year,
            national.rs_years() if national is not None and history is not None else None,
        ),
    )
