"""Budget against outturn and the service split in the value-for-money report: tables and the
sentences beside them (from :mod:`analysis.benchmarking.service_finances`), and
:func:`headline_row`, the council's headline financial-position figures for the national index.
"""

from __future__ import annotations

import pandas as pd

from analysis.benchmarking import finances as fin
from analysis.benchmarking import service_finances as svc
from analysis.benchmarking.report_finances import (
    FinancialPosition,
    council_row,
    head_words,
    per_head_text,
    population_words,
)
from analysis.benchmarking.services import CLASS_WORDS
from analysis.core.display import gbp_m_text, half_up, in_sentence, join_words, pct_text
from analysis.core.periods import year_label

EDUCATION_LINE = 190  # the RS line whose schools budget the DSG funds

HEADLINE_COLUMNS = [
    "ons_code",
    "runs_schools",  # False for a class that does not provide education (no DSG of its own)
    "dsg_year",
    "dsg_deficit_gbp_k",
    "dsg_deficit_per_head_gbp",
    "dsg_deficit_to_usable_reserves",
    "reserves_year",
    "usable_reserves_to_nre",
    "unallocated_reserves_to_nre",
    "earmarked_reserves_to_nre",
    "debt_year",
    "cfr_per_head_gbp",
    "borrowing_per_head_gbp",
    "budget_year",
    "largest_overspend_service",
    "largest_overspend_gbp_k",
    "largest_overspend_of_budget_fraction",
]


def budget_table(pos: FinancialPosition) -> pd.DataFrame:
    """The council's services: budget, outturn, over (+) or under (-) spend (£k, per head, share of
    budget) and its comparators' median share; without the services the class does not provide
    or the council has neither budgeted nor spent on (:func:`left_out_sentences` names them).
    Worked out once for ``pos``; each caller gets its own copy."""
    if "budget" not in pos.worked:
        pos.worked["budget"] = _budget_table(pos)
    return pos.worked["budget"].copy()


def _budget_table(pos: FinancialPosition) -> pd.DataFrame:
    columns = [
        "service",
        "budget_gbp_k",
        "outturn_gbp_k",
        "variance_gbp_k",
        "variance_per_head_gbp",
        "variance_of_budget_fraction",
        "comparator_median_fraction",
        "n_comparators",
    ]
    mine = pos.budget[pos.budget["ons_code"] == pos.code]
    mine = mine[~mine["service"].isin(_left_out(pos, pos.budget, svc.BUDGET_NIL_COLUMNS))]
    if mine.empty:
        return pd.DataFrame(columns=columns)
    compared = fin.compare(
        pos.budget, "variance_of_budget_fraction", pos.code, pos.comparators, by=["line"]
    ).set_index("line")
    out = mine.set_index("line").join(
        compared[["comparator_median", "n_comparators"]].rename(
            columns={"comparator_median": "comparator_median_fraction"}
        )
    )
    return out.reset_index()[columns]


def budget_sentences(pos: FinancialPosition) -> list[str]:
    """The largest overspend and underspend against budget, with the comparators' medians."""
    budget = pos.budget
    if budget.empty:
        return [
            f"No year up to {year_label(pos.year)} has both a budget (RA) and an outturn (RS) in "
            "the data, so spending cannot be set against budget."
        ]
    year = int(budget["year"].iloc[0])
    table = budget_table(pos)
    if table.empty:
        return [f"{pos.name} has no {year_label(year)} budget and outturn to compare."]
    mine = budget[budget["ons_code"] == pos.code]
    total = table["variance_gbp_k"].sum()
    sentences = [
        f"In {year_label(year)}, {pos.name}'s services together spent "
        + (
            f"{gbp_m_text(total)} more than budgeted"
            if total > 0
            else f"{gbp_m_text(-total)} less than budgeted"
            if total < 0
            else "exactly their budget"
        )
        + f" (outturn {gbp_m_text(table['outturn_gbp_k'].sum())} against a budget of "
        f"{gbp_m_text(table['budget_gbp_k'].sum())})."
    ]
    sentences += left_out_sentences(
        pos,
        pos.budget,
        svc.BUDGET_NIL_COLUMNS,
        f"with neither a budget nor an outturn for {pos.name} in {year_label(year)}",
    )
    over = table[table["variance_gbp_k"] > 0].sort_values("variance_gbp_k", ascending=False)
    under = table[table["variance_gbp_k"] < 0].sort_values("variance_gbp_k")
    for rows, word in ((over, "overspend"), (under, "underspend")):
        if rows.empty:
            sentences.append(f"No service had an {word}.")
            continue
        row = rows.iloc[0]
        amount = gbp_m_text(abs(row["variance_gbp_k"]))
        text = (
            f"The largest {word} was on {in_sentence(row['service'])}: {amount} "
            f"({head_words(abs(row['variance_per_head_gbp']))}"
        )
        frac = row["variance_of_budget_fraction"]
        if not pd.isna(frac):
            text += f", {pct_text(abs(frac))} {'over' if frac > 0 else 'under'} its budget"
        text += ")"
        median = row["comparator_median_fraction"]
        if not pd.isna(median):
            text += "; its comparators' median was " + (
                f"{pct_text(abs(median))} {'over' if median > 0 else 'under'} budget"
                if half_up(abs(median) * 100, 0) != "0"
                else "on budget"
            )
        sentences.append(text + ".")
    # The publications, not their file names (the manifest lists the files read).
    sentences.append(
        f"Source: budget RA {year_label(year)}; outturn RS {year_label(year)}; "
        + population_words(year, mine["population_year"].iloc[0])
        + "."
    )
    return sentences


def services_list(services: list[str]) -> str:
    """'education services, children social care and public health' (lower case, joined)."""
    return join_words([in_sentence(s) for s in services])


def _not_provided(pos: FinancialPosition, frame: pd.DataFrame) -> list[str]:
    """The services in ``frame`` the council's class does not provide, in line order."""
    lines = frame.drop_duplicates("line").sort_values("line")
    return list(lines.loc[lines["line"].isin(list(pos.not_provided)), "service"])


def _left_out(pos: FinancialPosition, frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Every service a table of ``frame`` leaves out: those the class does not provide, then
    those the council has nothing for (:func:`~.service_finances.nil_services`)."""
    statutory = _not_provided(pos, frame)
    nil = svc.nil_services(frame, pos.code, columns)
    return statutory + [s for s in nil if s not in statutory]


def left_out_sentences(
    pos: FinancialPosition, frame: pd.DataFrame, columns: list[str], nil_words: str
) -> list[str]:
    """What a table leaves out, once: the services the class does not provide (as the cost
    table's 'not compared' says), then those with nothing recorded (``nil_words``)."""
    sentences = []
    statutory = _not_provided(pos, frame)
    if statutory:
        word = CLASS_WORDS.get(pos.authority_class, pos.authority_class)
        who = sorted({pos.not_provided[line] for line in pos.not_provided})
        plural = len(statutory) > 1
        sentences.append(
            "Not in the table: "
            + services_list(statutory)
            + (f", not {word} services" if plural else f", not a {word} service")
            + f" ({' and '.join(who)} {'runs them' if plural else 'runs it'})."
        )
    nil = [s for s in svc.nil_services(frame, pos.code, columns) if s not in statutory]
    if nil:
        sentences.append("Not in the table: " + services_list(nil) + f", {nil_words}.")
    return sentences


def split_table(pos: FinancialPosition) -> pd.DataFrame:
    """Per service: spending, income and net cost per head against the comparators' medians and
    why the net cost differs (:func:`~analysis.benchmarking.finances.split_reasons`), without
    the services the council's class does not provide."""
    table = svc.split_reasons(pos.split, pos.code, pos.comparators)
    return table[~table["line"].isin(list(pos.not_provided))].reset_index(drop=True)


def split_sentences(pos: FinancialPosition, most: int = 3) -> list[str]:
    """For the (up to ``most``) services costing most above the comparators' median per head:
    whether because the council spends more or earns less."""
    table = split_table(pos)
    if pos.split.empty:
        return [
            f"The service expenditure summary (RSX) has no year up to {year_label(pos.year)} in the data."
        ]
    year = int(pos.split["year"].iloc[0])
    if table.empty:
        return [f"{pos.name} is not in the {year_label(year)} service expenditure summary (RSX)."]
    if table["net_per_head_gbp"].isna().all():
        return [
            f"{pos.name}'s {year_label(year)} service spending cannot be set per head against "
            "its comparators: there is no population estimate for it in the data."
        ]
    above = table[table["net_per_head_gbp"] > table["median_net_per_head_gbp"]].copy()
    above["gap"] = above["net_per_head_gbp"] - above["median_net_per_head_gbp"]
    above = above.sort_values("gap", ascending=False).head(most)
    if above.empty:
        sentences = [
            f"In {year_label(year)} no service cost {pos.name} more per head, net of income, than "
            "its comparators' median."
        ]
    else:
        sentences = []
        for _, row in above.iterrows():
            sentences.append(
                f"{row['service']} cost {per_head_text(row['net_per_head_gbp'])} per head net in "
                f"{year_label(year)} against a comparator median of "
                f"{per_head_text(row['median_net_per_head_gbp'])}: the council "
                f"{row['reason']} (spending {per_head_text(row['spend_per_head_gbp'])} per head, "
                f"median {per_head_text(row['median_spend_per_head_gbp'])}; income "
                f"{per_head_text(row['income_per_head_gbp'])}, median "
                f"{per_head_text(row['median_income_per_head_gbp'])})."
            )
    sentences += left_out_sentences(
        pos,
        pos.split,
        svc.SPLIT_NIL_COLUMNS,
        f"on which {pos.name} recorded no spending and no income in {year_label(year)}",
    )
    pop_year = pos.split["population_year"].iloc[0]
    sentences.append(f"Source: RSX {year_label(year)}; " + population_words(year, pop_year) + ".")
    return sentences


def headline_row(pos: FinancialPosition) -> pd.DataFrame:
    """One row of the council's headline financial-position figures (the national index)."""
    row: dict = dict.fromkeys(HEADLINE_COLUMNS)
    row["ons_code"] = pos.code
    row["runs_schools"] = EDUCATION_LINE not in pos.not_provided
    dsg = council_row(pos.dsg, pos.code) if row["runs_schools"] else None
    if dsg is not None:
        row["dsg_year"] = int(dsg["year"])
        row["dsg_deficit_gbp_k"] = dsg["dsg_deficit_gbp_k"]
        row["dsg_deficit_per_head_gbp"] = dsg["dsg_deficit_per_head_gbp"]
        row["dsg_deficit_to_usable_reserves"] = dsg["dsg_deficit_to_usable_reserves"]
    res = pos.reserves[pos.reserves["ons_code"] == pos.code].drop_duplicates("kind")
    if len(res):
        ratios = res.set_index("kind")["balance_to_nre"]
        row["reserves_year"] = int(res["year"].iloc[0])
        row["unallocated_reserves_to_nre"] = ratios.get("unallocated")
        row["earmarked_reserves_to_nre"] = ratios.get("earmarked")
        row["usable_reserves_to_nre"] = (
            ratios.get("unallocated") + ratios.get("earmarked")
            if {"unallocated", "earmarked"} <= set(ratios.index)
            else None
        )
    debt = council_row(pos.debt, pos.code)
    if debt is not None:
        row["debt_year"] = int(debt["year"])
        row["cfr_per_head_gbp"] = debt["cfr_per_head_gbp"]
        row["borrowing_per_head_gbp"] = debt["borrowing_per_head_gbp"]
    table = budget_table(pos)
    if len(table):
        row["budget_year"] = int(pos.budget["year"].iloc[0])
        over = table[table["variance_gbp_k"] > 0].sort_values("variance_gbp_k", ascending=False)
        if len(over):
            row["largest_overspend_service"] = over["service"].iloc[0]
            row["largest_overspend_gbp_k"] = over["variance_gbp_k"].iloc[0]
            row["largest_overspend_of_budget_fraction"] = over["variance_of_budget_fraction"].iloc[
                0
            ]
    return pd.DataFrame([row], columns=HEADLINE_COLUMNS)


BUDGET_HEADERS = {
    "service": "Service",
    "budget_gbp_k": "Budget (£k)",
    "outturn_gbp_k": "Outturn (£k)",
    "variance_gbp_k": "Over (+) / under (-) spend (£k)",
    "variance_per_head_gbp": "Per head (£)",
    "variance_of_budget_fraction": "Share of budget",
    "comparator_median_fraction": "Comparators' median share",
    "n_comparators": "Comparators with data",
}
SPLIT_HEADERS = {
    "service": "Service",
    "spend_per_head_gbp": "Spending per head (£)",
    "median_spend_per_head_gbp": "Comparators' median spending (£)",
    "employees_per_head_gbp": "of which employees (£)",
    "median_employees_per_head_gbp": "Comparators' median employees (£)",
    "income_per_head_gbp": "Income per head (£)",
    "median_income_per_head_gbp": "Comparators' median income (£)",
    "net_per_head_gbp": "Net per head (£)",
    "median_net_per_head_gbp": "Comparators' median net (£)",
    "reason": "Why the net cost differs",
}


def budget_caption(pos: FinancialPosition) -> str:
    """The budget table's caption, naming the year and both sources."""
    if pos.budget.empty:
        return "Budget against outturn: no year with both in the data"
    year = year_label(int(pos.budget["year"].iloc[0]))
    return (
        f"Budget (RA) against outturn (RS) by service, {year}, £ thousand: over (+) or under (-) "
        "spend, per head and as a share of the budget, against the comparators' median share"
    )


def split_caption(pos: FinancialPosition) -> str:
    """The service split table's caption, naming the year and the source."""
    if pos.split.empty:
        return "Service spending split: no RSX year in the data"
    year = year_label(int(pos.split["year"].iloc[0]))
    return (
        f"What each service's net cost is made of, {year} (RSX), per head: spending (and of it, "
        "employees), income and net cost, against the comparators' medians"
    )
