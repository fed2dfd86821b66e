"""Budget against outturn (RA against RS) and what each service's spending is made of (RSX), for
every authority: measures (d) and (e) of :mod:`analysis.benchmarking.finances`, on the same tidy
public-data panel and with the same conventions (year, source file, population year).
"""

from __future__ import annotations

import pandas as pd

from analysis.benchmarking.finances import (
    IDS,
    SERVICES,
    SPLIT_KINDS,
    authority_ids,
    debt_position,
    dsg_position,
    measure_rows,
    newest_year,
    per_head,
    population_at,
    ratio,
    reserves_position,
    source_files,
    wide_by_measure,
)

# (d) Budget against outturn --------------------------------------------------------------------

BUDGET_COLUMNS = [
    *IDS,
    "year",
    "line",
    "service",
    "budget_gbp_k",
    "outturn_gbp_k",
    "variance_gbp_k",
    "variance_per_head_gbp",
    "variance_of_budget_fraction",
    "population_year",
    "budget_file",
    "outturn_file",
]


def budget_year(history: pd.DataFrame, year: int | None) -> int | None:
    """The newest year not later than ``year`` with both a budget (RA) and an outturn (RS)."""
    measures = history["measure"].astype(str)
    ra = set(history.loc[measures == "RA190", "year"])
    rs = set(history.loc[measures == "RS190", "year"])
    both = sorted(int(y) for y in ra & rs if year is None or y <= year)
    return both[-1] if both else None


def budget_against_outturn(history: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """For every authority and service line, the outturn against the budget of the same year:
    ``variance_gbp_k`` = outturn - budget (+ overspent, - underspent), per head, and as a share of
    the budget (where the budget is above zero)."""
    found = budget_year(history, year)
    if found is None:
        return pd.DataFrame(columns=BUDGET_COLUMNS)
    measures = [f"{p}{line}" for p in ("RA", "RS") for line in SERVICES]
    rows = measure_rows(history, measures, found)
    wide = wide_by_measure(rows, measures)
    population, pop_year = population_at(history, found)
    ids = authority_ids(history)
    parts = []
    for line, service in SERVICES.items():
        budget, outturn = wide[f"RA{line}"], wide[f"RS{line}"]
        have = budget.notna() & outturn.notna()
        variance = (outturn - budget)[have]
        part = pd.DataFrame(
            {
                "ons_code": variance.index,
                "year": found,
                "line": line,
                "service": service,
                "budget_gbp_k": budget[have].to_numpy(),
                "outturn_gbp_k": outturn[have].to_numpy(),
                "variance_gbp_k": variance.to_numpy(),
                "variance_per_head_gbp": per_head(variance, population).to_numpy(),
                "variance_of_budget_fraction": ratio(variance, budget[have]).to_numpy(),
                "population_year": pop_year,
                "budget_file": source_files(rows, f"RA{line}").reindex(variance.index).to_numpy(),
                "outturn_file": source_files(rows, f"RS{line}").reindex(variance.index).to_numpy(),
            }
        )
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["name"] = out["ons_code"].map(ids["name"])
    out["authority_class"] = out["ons_code"].map(ids["authority_class"])
    return out[BUDGET_COLUMNS]


# (e) What a service's spending is made of ------------------------------------------------------

SPLIT_COLUMNS = [
    *IDS,
    "year",
    "line",
    "service",
    *[f"{k}_gbp_k" for k in SPLIT_KINDS],
    *[f"{k}_per_head_gbp" for k in SPLIT_KINDS],
    "population_year",
    "source_file",
]


def service_split(history: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Each service's employees, running expenses, total expenditure, total income and net
    current expenditure (RSX) of the newest RSX year not later than ``year``: £k and per head."""
    found = newest_year(history, "RSX190_net", year)
    if found is None:
        return pd.DataFrame(columns=SPLIT_COLUMNS)
    measures = [f"RSX{line}_{k}" for line in SERVICES for k in SPLIT_KINDS]
    rows = measure_rows(history, measures, found)
    wide = wide_by_measure(rows, measures)
    population, pop_year = population_at(history, found)
    ids = authority_ids(history)
    parts = []
    for line, service in SERVICES.items():
        part = pd.DataFrame({"ons_code": wide.index, "year": found, "line": line})
        part["service"] = service
        for kind in SPLIT_KINDS:
            value = wide[f"RSX{line}_{kind}"]
            part[f"{kind}_gbp_k"] = value.to_numpy()
            part[f"{kind}_per_head_gbp"] = per_head(value, population).to_numpy()
        part["population_year"] = pop_year
        part["source_file"] = source_files(rows, f"RSX{line}_net").reindex(wide.index).to_numpy()
        parts.append(part.dropna(subset=["net_gbp_k"]))
    out = pd.concat(parts, ignore_index=True)
    out["name"] = out["ons_code"].map(ids["name"])
    out["authority_class"] = out["ons_code"].map(ids["authority_class"])
    return out[SPLIT_COLUMNS]


def nil_services(frame: pd.DataFrame, code: str, columns: list[str]) -> list[str]:
    """The services (in line order) whose ``columns`` are all nil or missing for ``code``: ones
    the council did not run, or recorded nothing for, that year (a district's education)."""
    mine = frame[frame["ons_code"] == code].sort_values("line")
    empty = mine[columns].fillna(0).eq(0).all(axis=1)
    return list(mine.loc[empty, "service"])


SPLIT_NIL_COLUMNS = [
    "net_per_head_gbp",
    "total_expenditure_per_head_gbp",
    "total_income_per_head_gbp",
]
BUDGET_NIL_COLUMNS = ["budget_gbp_k", "outturn_gbp_k"]


def split_reasons(split: pd.DataFrame, code: str, comparators: list[str]) -> pd.DataFrame:
    """For each service, the council's spending and income per head against the comparators'
    medians, and why its net cost differs: ``reason`` is ``spends more``, ``earns less``,
    ``spends more and earns less`` (naming the larger part first), ``costs less``, ``costs the
    same`` or ``no data``. A service on which the council neither spends nor earns anything in
    the year is left out (:func:`nil_services` lists them).

    With Δspend = council total expenditure per head - comparators' median and Δincome = council
    total income per head - comparators' median: a service whose net cost per head is above the
    median spends more where Δspend > 0 and earns less where Δincome < 0."""
    columns = [
        "line",
        "service",
        "net_per_head_gbp",
        "median_net_per_head_gbp",
        "spend_per_head_gbp",
        "median_spend_per_head_gbp",
        "income_per_head_gbp",
        "median_income_per_head_gbp",
        "employees_per_head_gbp",
        "median_employees_per_head_gbp",
        "n_comparators",
        "reason",
        "year",
        "source_file",
    ]
    mine = split[split["ons_code"] == code].set_index("line")
    others = split[split["ons_code"].isin([c for c in comparators if c != code])]
    medians = others.groupby("line")[
        [
            "net_per_head_gbp",
            "total_expenditure_per_head_gbp",
            "total_income_per_head_gbp",
            "employees_per_head_gbp",
        ]
    ].median()
    counts = others.dropna(subset=["net_per_head_gbp"]).groupby("line").size()
    rows = []
    for line, row in mine.iterrows():
        med = medians.reindex([line]).iloc[0]
        net, spend, income = (
            row["net_per_head_gbp"],
            row["total_expenditure_per_head_gbp"],
            row["total_income_per_head_gbp"],
        )
        d_net = net - med["net_per_head_gbp"]
        d_spend = spend - med["total_expenditure_per_head_gbp"]
        d_income = income - med["total_income_per_head_gbp"]
        if all(pd.isna(x) or x == 0 for x in (net, spend, income)):
            continue  # nothing spent or earned: not the council's service this year (nil_services)
        if any(pd.isna(x) for x in (d_net, d_spend, d_income)):
            reason = "no data"
        elif round(d_net, 2) == 0:  # equal to the penny, as the table shows it
            reason = "costs the same"
        elif d_net < 0:
            reason = "costs less"
        elif d_spend > 0 and d_income < 0:
            reason = (
                "spends more and earns less"
                if d_spend >= -d_income
                else "earns less and spends more"
            )
        elif d_spend > 0:
            reason = "spends more"
        elif d_income < 0:
            reason = "earns less"
        else:  # net above the median although spend and income are not: medians do not add up
            reason = "costs more, which the medians of spend and income do not explain"
        rows.append(
            {
                "line": line,
                "service": row["service"],
                "net_per_head_gbp": net,
                "median_net_per_head_gbp": med["net_per_head_gbp"],
                "spend_per_head_gbp": spend,
                "median_spend_per_head_gbp": med["total_expenditure_per_head_gbp"],
                "income_per_head_gbp": income,
                "median_income_per_head_gbp": med["total_income_per_head_gbp"],
                "employees_per_head_gbp": row["employees_per_head_gbp"],
                "median_employees_per_head_gbp": med["employees_per_head_gbp"],
                "n_comparators": int(counts.get(line, 0)),
                "reason": reason,
                "year": row["year"],
                "source_file": row["source_file"],
            }
        )
    return pd.DataFrame(rows, columns=columns)


# Every authority's financial position measures for a data year, in FinancialPosition's order
# (dsg, reserves, debt, budget, split): each is ``measure(history, year)``.
POSITION_MEASURES = (
    dsg_position,
    reserves_position,
    debt_position,
    budget_against_outturn,
    service_split,
)
