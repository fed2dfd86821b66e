"""The financial position in the value-for-money report: tables and the sentences beside them,
each generated from the figures of :mod:`analysis.benchmarking.finances` and naming its year and
source (the publication; the files read, with their SHA-256, are in the manifest).

:func:`for_result` computes every measure for a benchmark run (its council, comparators and data
year); the ``*_sentences`` functions say what the figures say; the ``*_table`` functions give the
tables the notebook shows; :mod:`analysis.benchmarking.report_budget` does the same for budget against outturn and the
service split, and gives the one-row headline table the national index reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.benchmarking import finances as fin
from analysis.benchmarking import service_finances as svc
from analysis.benchmarking.national import national_for
from analysis.benchmarking.services import NOT_PROVIDED
from analysis.core.display import gbp_m_text, half_up, pct_text
from analysis.core.periods import year_label


@dataclass
class FinancialPosition:
    """Every authority's figures and the council's code, name and comparators."""

    code: str
    name: str
    comparators: list[str]
    year: int
    dsg: pd.DataFrame
    reserves: pd.DataFrame
    debt: pd.DataFrame
    budget: pd.DataFrame
    split: pd.DataFrame
    # Service lines the council's class does not provide ({line: who runs them}), and its class.
    not_provided: dict[int, str] = field(default_factory=dict)
    authority_class: str = ""
    # Tables worked out from these figures, kept for the next section that asks (the budget
    # table is read by its own section, its sentences and the headline row).
    worked: dict[str, pd.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # not passed on by dataclasses.replace: a changed position works its tables out anew


def _assembled(
    frames, code: str, name: str, comparators: list[str], year: int, authority_class: str = ""
) -> FinancialPosition:
    dsg, reserves, debt, budget, split = frames
    return FinancialPosition(
        code=code,
        name=name,
        comparators=[c for c in comparators if c != code],
        year=year,
        dsg=dsg,
        reserves=reserves,
        debt=debt,
        budget=budget,
        split=split,
        not_provided=dict(NOT_PROVIDED.get(authority_class, {})),
        authority_class=authority_class,
    )


def position(
    history: pd.DataFrame, code: str, name: str, comparators: list[str], year: int
) -> FinancialPosition:
    """Every measure of :mod:`~analysis.benchmarking.finances` for the data ``year``, computed
    from ``history`` (:data:`~.service_finances.POSITION_MEASURES`)."""
    frames = [measure(history, year) for measure in svc.POSITION_MEASURES]
    return _assembled(frames, code, name, comparators, year)


def for_result(result) -> FinancialPosition:
    """The financial position for a :class:`~analysis.benchmarking.pipeline.BenchmarkResult`:
    every authority's measures from the panel's national figures (computed once per panel and
    year, :mod:`~analysis.benchmarking.national`)."""
    comps = result.comparators
    comparators = list(comps.loc[comps["role"] == "comparator", "ons_code"]) if len(comps) else []
    return _assembled(
        national_for(result.panel).finances(result.year),
        result.council.ons_code,
        result.council.name,
        comparators,
        result.year,
        result.council.authority_class,
    )


# Words ------------------------------------------------------------------------------------------


def _march(year: int) -> str:
    """The balance date of financial year ``year``: 31 March of the year after."""
    return f"31 March {year + 1}"


def _money(value_gbp_k: float) -> str:
    """£k for prose: '£22.3m' from £100k up, else '£13k' (so a small change never reads £0.0m)."""
    if abs(value_gbp_k) >= 100:
        return gbp_m_text(value_gbp_k)
    sign = "-" if value_gbp_k < 0 and half_up(abs(value_gbp_k), 0) != "0" else ""
    return f"{sign}£{half_up(abs(value_gbp_k), 0)}k"


def per_head_text(value: float) -> str:
    sign = "-" if value < 0 and half_up(abs(value), 0) != "0" else ""
    return f"{sign}£{half_up(abs(value), 0)}"


NO_POPULATION = "no figure per head (no population estimate for it in the data)"


def head_words(value: float) -> str:
    """'£113 per head', or why there is no figure per head."""
    return NO_POPULATION if pd.isna(value) else f"{per_head_text(value)} per head"


def population_words(year: int, pop_year) -> str:
    if pop_year is None or pd.isna(pop_year):
        return "no population estimate in the data"
    pop_year = int(pop_year)
    if pop_year == year:
        return f"population mid-{pop_year}"
    return f"population mid-{pop_year} (mid-{year} is not in the data)"


def council_row(frame: pd.DataFrame, code: str) -> pd.Series | None:
    rows = frame[frame["ons_code"] == code]
    return rows.iloc[0] if len(rows) else None


def dsg_sentences(pos: FinancialPosition) -> list[str]:
    """The schools high-needs deficit at 31 March: £, per head, share of usable reserves, against
    the comparators' median and the class."""
    dsg = pos.dsg
    if dsg.empty:
        return [
            f"No outturn year up to {year_label(pos.year)} in the data reports the DSG adjustment "
            "account (the schools high-needs deficit)."
        ]
    year = int(dsg["year"].iloc[0])
    row = council_row(dsg, pos.code)
    if row is None:
        return [
            f"{pos.name} has no DSG adjustment account figure in the {year_label(year)} revenue "
            "outturn (RS)."
        ]
    compared = fin.compare(dsg, "dsg_deficit_per_head_gbp", pos.code, pos.comparators).iloc[0]
    source = f"Source: RS {year_label(year)}; " + population_words(year, row["population_year"])
    deficit = row["dsg_deficit_gbp_k"]
    peers = dsg[dsg["authority_class"] == row["authority_class"]]["dsg_account_gbp_k"].dropna()
    if deficit == 0 and len(peers) and (peers == 0).all():
        return [
            f"None of the {len(peers)} {row['authority_class']} councils has a balance on the DSG "
            f"adjustment account (the schools high-needs deficit) at {_march(year)}: the account "
            "holds schools funding, which they do not receive.",
            source + ".",
        ]
    median = compared["comparator_median"]
    median_words = (
        f"the median of its {int(compared['n_comparators'])} comparators was "
        f"{per_head_text(median)} per head"
        if not np.isnan(median)
        else "no comparator has the figure"
    )
    if deficit > 0:
        share = row["dsg_deficit_to_usable_reserves"]
        share_words = (
            f", {pct_text(share)} of its usable reserves (unallocated and other earmarked, "
            f"{_money(row['usable_reserves_gbp_k'])})"
            if not pd.isna(share)
            else ""
        )
        first = (
            f"At {_march(year)}, {pos.name}'s schools high-needs deficit (the DSG adjustment "
            f"account) was {gbp_m_text(deficit)}: {head_words(row['dsg_deficit_per_head_gbp'])}"
            f"{share_words}."
        )
        cls, n_class = row["authority_class"], int(compared["n_class"])
        national = (
            f" and the median of all {n_class} {cls} councils {per_head_text(compared['class_median'])}"
            if n_class and not pd.isna(compared["class_median"])
            else ""
        )
        second = (
            f"By comparison, {median_words}{national}; {pos.name} has "
            f"{_ordinal(compared['class_rank'])} largest deficit per head of the {n_class} {cls} "
            "councils with the figure."
            if compared["class_rank"] is not None and not pd.isna(compared["class_rank"])
            else f"By comparison, {median_words}{national}."
        )
        return [first, second, source + "."]
    if deficit == 0:
        first = (
            f"At {_march(year)}, {pos.name} had no deficit on its DSG adjustment account "
            f"(the schools high-needs deficit); {median_words}."
        )
    else:
        first = (
            f"At {_march(year)}, {pos.name}'s DSG adjustment account was in surplus by "
            f"{gbp_m_text(-deficit)}; {median_words} of deficit."
        )
    return [first, source + "."]


def _ordinal(n) -> str:
    n = int(n)
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"the {n}{suffix}" if n != 1 else "the"


def _change_words(row: pd.Series) -> str:
    change = row["change_gbp_k"]
    if change == 0:
        return "are unchanged"
    verb = "have risen" if change > 0 else "have fallen"
    frac = row["change_fraction"]
    share = f" ({pct_text(abs(frac))})" if not pd.isna(frac) else ""
    return f"{verb} by {_money(abs(change))}{share}"


def reserves_sentences(pos: FinancialPosition) -> list[str]:
    """Unallocated and earmarked reserves at 31 March against NRE, against the comparators'
    medians, and the change since the previous and the earliest balance in the data."""
    res = pos.reserves
    if res.empty:
        return [f"No reserves at 31 March in the outturn data up to {year_label(pos.year)}."]
    year = int(res["year"].iloc[0])
    mine = res[res["ons_code"] == pos.code]
    if mine.empty:
        return [f"{pos.name} has no reserves figures in the {year_label(year)} outturn (RS)."]
    now = mine.drop_duplicates("kind").set_index("kind")
    latest = res.drop_duplicates(["ons_code", "kind"])
    parts, medians = [], []
    for kind in ("unallocated", "earmarked"):
        if kind not in now.index:
            continue
        row = now.loc[kind]
        label = "unallocated" if kind == "unallocated" else "other earmarked"
        parts.append(
            f"{gbp_m_text(row['balance_gbp_k'])} of {label} reserves "
            f"({pct_text(row['balance_to_nre'])} of net revenue expenditure)"
            if not pd.isna(row["balance_to_nre"])
            else f"{gbp_m_text(row['balance_gbp_k'])} of {label} reserves"
        )
        compared = fin.compare(
            latest[latest["kind"] == kind], "balance_to_nre", pos.code, pos.comparators
        ).iloc[0]
        if not np.isnan(compared["comparator_median"]):
            medians.append(f"{pct_text(compared['comparator_median'])} ({label})")
    nre = now["nre_gbp_k"].dropna()
    nre_words = (
        f" Net revenue expenditure in {year_label(year)} was {gbp_m_text(nre.iloc[0])}."
        if len(nre)
        else ""
    )
    sentences = [f"At {_march(year)}, {pos.name} held " + " and ".join(parts) + "." + nre_words]
    if medians:
        n = int(
            fin.compare(latest, "balance_to_nre", pos.code, pos.comparators, by=["kind"])[
                "n_comparators"
            ].max()
        )
        sentences.append(f"The medians of its {n} comparators were " + " and ".join(medians) + ".")
    earlier = mine.dropna(subset=["from_year"])
    if len(earlier):
        for pick, words in (
            (earlier["from_year"].max(), "the previous balance in the data"),
            (earlier["from_year"].min(), "the earliest in the data"),
        ):
            rows = earlier[earlier["from_year"] == pick].set_index("kind")
            changes = [
                f"{'unallocated' if k == 'unallocated' else 'earmarked'} reserves "
                f"{_change_words(rows.loc[k])}"
                for k in ("unallocated", "earmarked")
                if k in rows.index
            ]
            summed = " (its predecessors' summed)" if rows["aggregated_from"].any() else ""
            sentences.append(
                f"Since {_march(int(pick))} ({words}{summed}), " + " and ".join(changes) + "."
            )
            if earlier["from_year"].nunique() == 1:
                break
    # The publication, not its file name: the files read are listed on the cover.
    sentences.append(f"Source: RS {year_label(year)} and the earlier RS years.")
    return sentences


def debt_sentences(pos: FinancialPosition) -> list[str]:
    """Capital financing requirement and external borrowing at 31 March: per head and against
    NRE, against the comparators' medians."""
    debt = pos.debt
    if debt.empty:
        return [f"No capital outturn (COR C) year up to {year_label(pos.year)} is in the data."]
    year = int(debt["year"].iloc[0])
    row = council_row(debt, pos.code)
    if row is None:
        return [f"{pos.name} is not in the {year_label(year)} capital outturn (COR C)."]
    out = []
    words = []
    labels = (("cfr", "capital financing requirement"), ("borrowing", "gross external borrowing"))
    for kind, label in labels:
        value = row[f"{kind}_gbp_k"]
        if pd.isna(value):
            words.append(f"its {label} is not in the data")
            continue
        compared = fin.compare(debt, f"{kind}_per_head_gbp", pos.code, pos.comparators).iloc[0]
        ratio = row[f"{kind}_to_nre"]
        text = f"its {label} was {_money(value)} ({head_words(row[f'{kind}_per_head_gbp'])}"
        if not pd.isna(ratio):
            text += f"; {pct_text(ratio)} of net revenue expenditure"
        text += ")"
        if not np.isnan(compared["comparator_median"]):
            text += (
                f", against a comparator median of {per_head_text(compared['comparator_median'])} "
                "per head"
            )
        words.append(text)
    first = "; ".join(words)
    first = first.replace("its ", f"{pos.name}'s ", 1)
    out.append(f"At {_march(year)}, {first}.")
    nre_year = row["nre_year"]
    nre_note = (
        ""
        if pd.isna(nre_year) or int(nre_year) == year
        else f" Net revenue expenditure is that of {year_label(int(nre_year))}, the nearest "
        f"outturn year in the data (no {year_label(year)} RS)."
    )
    out.append(
        f"Source: capital outturn COR C {year_label(year)}; "
        + population_words(year, row["population_year"])
        + "."
        + nre_note
    )
    return out
