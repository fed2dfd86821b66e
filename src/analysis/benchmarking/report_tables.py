"""The tables the value-for-money notebook shows, with committee headers (no analyst terms),
narrow enough to print, and the collapsed list of unmatched authorities. Re-exported by
:mod:`analysis.benchmarking.report`.
"""

from __future__ import annotations

import pandas as pd

from analysis.benchmarking.pipeline import BenchmarkResult

# Committee headers: no analyst terms on the page.
POSITION_HEADERS = {
    "service": "Service",
    "net_expenditure_gbp_k": "Net spend (£k; minus = net income)",
    "net_expenditure_per_head_gbp": "£ a head",
    "comparator_median_per_head_gbp": "Median (£ a head)",
    "diff_per_head_gbp": "Difference (£ a head)",
    "diff_from_median_fraction": "Difference (%)",
    "basis": "No percentage because",
    "cost_rank": "Rank (1 = highest cost)",
    "cost_quartile": "Quartile (4 = highest cost)",
    "n_comparators_with_data": "Comparators with data",
}


def basis_words(value: float, median: float) -> str:
    """Why a service has no percentage difference, in words that say what the figures are
    ('' where it has one): a percentage of a nil or negative figure means nothing."""
    if pd.isna(value) or pd.isna(median):
        return "no comparator figure" if pd.isna(median) else "no figure for the council"
    words = []
    if value < 0:
        words.append("net income")
    elif value == 0:
        words.append("no net spend")
    if median < 0:
        words.append("median is net income")
    elif median == 0:
        words.append("median is nil")
    return "; ".join(words)


PERFORMANCE_HEADERS = {
    "description": "Measure",
    "better_when": "Better when",
    "value": "Council",
    "comparator_median": "Comparator median",
    "quartile": "Quarter (4 = highest value)",
    "n_comparators_with_data": "Comparators with data",
}

SAVINGS_HEADERS = {
    "service": "Service",
    "net_expenditure_per_head_gbp": "£ per head",
    "comparator_median_per_head_gbp": "Comparator median (£ per head)",
    "notional_saving_gbp_k": "Notional difference (£k)",
}

REVIEW_HEADERS = {
    "rank": "Order",
    "service": "Service",
    "evidence": "Evidence",
    "net_expenditure_gbp_k": "Net spend (£k)",
    "reason": "Why it is proposed",
    "not_proposed_because": "Why it is not proposed",
}


def positions_table(result: BenchmarkResult) -> pd.DataFrame:
    """The cost positions as the committee page shows them (see :data:`POSITION_HEADERS`): the
    difference in £ a head always, as a percentage only where both figures are above nil."""
    frame = result.positions.assign(
        basis=[
            basis_words(v, m)
            for v, m in zip(
                result.positions["net_expenditure_per_head_gbp"],
                result.positions["comparator_median_per_head_gbp"],
                strict=True,
            )
        ]
    )
    return frame[list(POSITION_HEADERS)]


def performance_table(result: BenchmarkResult) -> pd.DataFrame:
    """The performance measures in words: 'higher' / 'lower' / 'not published' is better."""
    frame = result.performance
    if frame.empty:
        return pd.DataFrame(columns=list(PERFORMANCE_HEADERS))
    words = {"higher_is_better": "higher", "lower_is_better": "lower"}
    frame = frame.assign(better_when=frame["polarity"].map(words).fillna("not published"))
    return frame[list(PERFORMANCE_HEADERS)]


def savings_table(result: BenchmarkResult) -> pd.DataFrame:
    """The notional differences as the committee page shows them (narrow enough to print)."""
    return result.savings[list(SAVINGS_HEADERS)]


def review_table(result: BenchmarkResult) -> pd.DataFrame:
    """The proposed services in order, each with its own reason."""
    return result.proposals[["rank", "service", "evidence", "net_expenditure_gbp_k", "reason"]]


def not_proposed_table(result: BenchmarkResult) -> pd.DataFrame:
    """The services not proposed, and why, from each one's own figures."""
    frame = result.priorities[~result.priorities["proposed"].astype(bool)]
    return frame[["service", "net_expenditure_gbp_k", "not_proposed_because"]].reset_index(
        drop=True
    )


def sets_table(result: BenchmarkResult) -> tuple[pd.DataFrame, dict[str, str], str]:
    """(table, headers, sentence): each service's difference from the median of every comparator
    set, and in words where the position does not hold across them."""
    across = result.comparator_sets
    if across.empty:
        return pd.DataFrame(columns=["service"]), {}, "No other comparator group could be formed."
    labels = list(dict.fromkeys(across["comparator_set"]))
    value = result.positions.set_index("line")["net_expenditure_per_head_gbp"]
    across = across.assign(
        shown=[set_difference(r, value.get(r["line"])) for _i, r in across.iterrows()]
    )
    wide = across.pivot(index="service", columns="comparator_set", values="shown")
    order = result.positions["service"].tolist()
    wide = wide.reindex([s for s in order if s in wide.index])[labels]
    columns = {label: f"set_{i}" for i, label in enumerate(labels, start=1)}
    n = across.groupby("comparator_set")["n_comparators_with_data"].max()
    headers = {columns[lbl]: f"Against {lbl} ({int(n[lbl])} with data)" for lbl in labels}
    headers["service"] = "Service"
    table = wide.rename(columns=columns).reset_index()
    side = across.assign(side=across["diff_per_head_gbp"] > 0).groupby("service")["side"]
    mixed = sorted(s for s, v in side.nunique().items() if v > 1)
    if mixed:
        sentence = (
            f"The cost position of {len(mixed)} service{'s' if len(mixed) != 1 else ''} depends on "
            f"the comparators chosen: {', '.join(mixed)}. A service is proposed on cost only when "
            "it is above the median whichever comparator group is used."
        )
    else:
        sentence = (
            f"Every service's cost position (above or below the median) is the same under all "
            f"{len(labels)} comparator groups."
        )
    return table, headers, sentence


def set_difference(row: pd.Series, value: float | None) -> str:
    """'+13%' against one comparator set; where the council's or the set's median figure is nil
    or net income, the difference in £ a head and why there is no percentage."""
    fraction = row["diff_from_median_fraction"]
    if pd.notna(fraction):
        return f"{fraction * 100:+.0f}%"
    median = row["comparator_median_per_head_gbp"]
    why = basis_words(value if value is not None else float("nan"), median)
    diff = float(row["diff_per_head_gbp"])
    side = "above" if diff > 0 else "below" if diff < 0 else "at the median"
    return f"£{abs(diff):,.2f} a head {side} ({why}: no %)" if diff else f"{side} ({why})"


def relevant_unmatched(result: BenchmarkResult) -> pd.DataFrame:
    """Unmatched authorities of the classes in this council's comparison (its own class and its
    comparators'), or in its comparator group; police, fire, waste and other bodies left out."""
    names = pd.concat(
        [
            result.panel.rs[["ons_code", "authority_class"]],
            result.panel.population[["ons_code", "authority_class"]],
        ]
    ).dropna(subset=["ons_code"])
    classes = names.drop_duplicates("ons_code").set_index("ons_code")["authority_class"]
    relevant = {result.council.authority_class} | set(
        result.comparators["authority_class"].dropna()
    )
    frame = result.unmatched
    keep = frame["code"].map(classes).isin(relevant) | frame["code"].isin(
        result.comparators["ons_code"]
    )
    return frame[keep].reset_index(drop=True)


def unmatched_html(result: BenchmarkResult) -> str:
    """The relevant unmatched authorities in a collapsed section, with a count."""
    import html

    from analysis.core.display import table_html

    frame = relevant_unmatched(result)
    classes = sorted(
        {result.council.authority_class} | set(result.comparators["authority_class"].dropna())
    )
    left_out = len(result.unmatched) - len(frame)
    compared = f"the classes compared ({', '.join(classes)})"
    if len(frame):
        count = (
            f"{len(frame)} authorit{'y' if len(frame) == 1 else 'ies'} of {compared} could not "
            "be matched across the sources."
        )
    else:
        count = f"Every authority of {compared} was matched across the sources."
    note = (
        f" {left_out} other unmatched bodies (police, fire, waste and other classes not in "
        "this comparison) are in the saved table only."
        if left_out
        else ""
    )
    # The count stands outside <details>: printed packs hide the summary line and show the list.
    out = f"<p>{html.escape(count + note)}</p>"
    if len(frame):
        out += (
            "<details><summary>Show the list</summary>"
            f"{table_html(frame, 'Unmatched authorities of the classes compared')}</details>"
        )
    return out


def show_unmatched(result: BenchmarkResult) -> None:
    from IPython.display import HTML, display

    display(HTML(unmatched_html(result)))
