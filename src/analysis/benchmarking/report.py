"""What the value-for-money notebook shows: headline tiles, sentences, caveats, charts, and the
tables with committee headers (no analyst terms), narrow enough to print, with the collapsed list
of unmatched authorities."""

from __future__ import annotations

import pandas as pd

from analysis.benchmarking import comparators as comp
from analysis.benchmarking.national import national_for
from analysis.benchmarking.pipeline import BenchmarkResult
from analysis.benchmarking.services import not_compared_sentence
from analysis.benchmarking.settings import METHOD_TEXT
from analysis.core.display import half_up, in_sentence
from analysis.core.periods import Period
from analysis.public_data.rs import SERVICE_LINES

ROBUST_SCORE_TEXT = (
    "The saved tables also give each difference in typical spreads: how far the council is "
    "from the comparators' median, divided by how far the comparators typically sit from it "
    "(the measure the Office for Local Government uses). Two typical spreads is notable, not "
    "rare. Where at least half the comparators report the same figure there is no spread to "
    "measure by, so the figure is blank unless the council is at the median."
)


def cost_counts(result: BenchmarkResult) -> tuple[int, int]:
    """(services above the comparator median, services compared): the one source of both
    counts for the headline, the sentences and the chart title."""
    diff = result.positions["diff_per_head_gbp"]
    return int((diff > 0).sum()), int(diff.notna().sum())


def comparators_text(result: BenchmarkResult) -> str:
    """'13 comparators with data for 2016-17 (of 15 in the group)'."""
    n, group = result.n_comparators_with_data, result.n_comparators
    text = f"{n} comparator{'s' if n != 1 else ''} with data for {result.year_label}"
    return text + (f" (of {group} in the group)" if group != n else "")


def absent_text(result: BenchmarkResult) -> str:
    return (
        f"No benchmarking data for {result.council.ons_code} ({result.council.display_name}) "
        f"in the {result.year_label} data."
    )


def savings_empty_text(result: BenchmarkResult) -> str:
    """What the notional-difference section says when it has no rows."""
    if not result.council_present:
        return absent_text(result)
    above, _total = cost_counts(result)
    if above:
        return (
            f"The {above} service{'s' if above != 1 else ''} above the comparator median "
            f"{'are' if above != 1 else 'is'} net income or set against a median of net income: "
            "spending at the median means nothing there, so no notional difference is shown "
            "(the difference in £ a head is in the cost table)."
        )
    return (
        "No service costs more per head than the comparator median, so there is no notional "
        "difference to show."
    )


def headline_items(result: BenchmarkResult) -> list[tuple[str, str, str]]:
    if not result.council_present:
        return [
            (
                "Benchmarking",
                "No data",
                f"no benchmarking data for {result.council.ons_code} in {result.year_label}",
            )
        ]
    items = [
        (
            "Comparators with data",
            f"{result.n_comparators_with_data} authorities",
            f"{METHOD_TEXT[result.settings.comparator_method]}; {result.n_comparators} in the group",
        )
    ]
    above, total = cost_counts(result)
    items.append(
        (
            "Services above the comparator median",
            f"{above} of {total}",
            f"net cost per head, {result.year_label}",
        )
    )
    proposals = result.proposals
    items.append(
        (
            "Services proposed for a review",
            str(len(proposals)) if len(proposals) else "None",
            ", ".join(proposals["service"]) if len(proposals) else "no service meets the rule",
        )
    )
    return items


def review_sentences(result: BenchmarkResult) -> list[str]:
    """One sentence per proposed service with its own reason, or a plain 'none qualifies'."""
    if not result.council_present:
        return [absent_text(result)]
    proposals = result.proposals
    rules = result.settings.review
    if proposals.empty:
        return [
            "No service qualifies for a value-for-money review on these figures: none of the "
            f"services large enough to matter costs at least {rules.cost_threshold * 100:g}% "
            "more per head than the comparator median whichever comparator group is used, or performs "
            "below the comparator median on most of its measures."
        ]
    return [f"{r['rank']}. {r['service']}: {r['reason']}." for _i, r in proposals.iterrows()]


def summary_sentences(result: BenchmarkResult) -> list[str]:
    c = result.council.display_name
    if not result.council_present:
        return [absent_text(result) + f" Source: {result.panel.source}."]
    out = [
        f"{c}'s net spending per head on each service is compared with {comparators_text(result)}, using {result.panel.source}."
    ]
    above, total = cost_counts(result)
    if total:
        out.append(f"{above} of {total} services cost more per head than the comparator median.")
        n = len(result.savings)
        if n:
            saving = result.savings["notional_saving_gbp_k"].sum()
            who = (
                "each of those services"
                if n == above
                else f"the {n} of them with net spending above a median that is not net income"
            )
            rest = above - n
            left = (
                f" ({rest} other{'s are' if rest != 1 else ' is'} net income or set against a "
                "median of net income: compared in £ a head only)"
                if rest
                else ""
            )
            out.append(
                f"If {who} had spent at the comparator median, spending would have been about "
                f"£{saving / 1000:.1f}m lower{left}: a question for review, not a target."
            )
    return out


def not_compared_text(result: BenchmarkResult) -> str | None:
    """The services the council does not provide, listed once with the reason (None if none)."""
    return not_compared_sentence(result.not_compared)


def lag_words(years: int, data_year: str) -> str:
    """How far the outturn year lies behind the report's year, in words."""
    if years <= 0:
        return f"the latest outturn data are for {data_year}, the same financial year."
    return (
        f"the latest outturn data are for {data_year}, so they describe spending {years} "
        f"year{'s' if years != 1 else ''} earlier."
    )


def caveats(result: BenchmarkResult, period: Period | None = None) -> list[str]:
    lag = (
        f" The report is for {period.label}; {lag_words(period.year - result.year, result.year_label)}"
        if period
        else ""
    )
    items = [
        "Benchmarks pose questions; they are not league tables. A high cost may reflect need, local choices or how a council classifies its spending.",
        f"Data year and lag: Revenue Outturn figures for {result.year_label} (population mid-{result.population_year}).{lag}",
        "Classification: councils allocate overheads and shared costs to RS service lines differently; compare lines, not totals, with care. Net expenditure is after income (fees, charges, specific grants).",
        "Per-head figures use the whole population; some services serve a subset (older adults, children), so per-client costs may tell a different story.",
        "Boundary changes (councils merged or reorganised into new unitary authorities) leave some authorities unmatched across sources; they are listed, never dropped silently.",
        f"Positions are against the comparators' median (the council itself excluded); ranks count the council and comparators with data (1 = highest cost; {comp.RANK_RULE}); {comp.QUARTILE_RULE}. {ROBUST_SCORE_TEXT}",
        "Net income: where the council's or the median's net figure is nil or negative (income above spending, as with parking), no percentage difference is given; the difference is in £ a head. A service with net spending above a median of nil or net income meets the percentage part of the review rule; a service with net income is not proposed on cost.",
    ]
    if result.panel.illustrative:
        items.insert(
            0,
            "ILLUSTRATIVE DATA: the comparator panel figures are invented but plausible, for demonstration only. Run with --public-data DIR for the published figures.",
        )
    return items + result.messages


def positions_alt(result: BenchmarkResult) -> str:
    """The text alternative of :func:`chart_positions`, with the same counts as its title."""
    above, total = cost_counts(result)
    if not total:
        return f"No cost positions: no benchmarking data for {result.council.ons_code}."
    return (
        "Bar chart of the difference between the council's net cost per head and the comparator "
        f"median for each service: {above} of {total} services cost more per head than the "
        "median (bars to the right)."
    )


def chart_positions(result: BenchmarkResult):
    from analysis.core import charts

    frame = result.positions.dropna(subset=["diff_per_head_gbp"]).sort_values(
        ["diff_from_median_fraction", "diff_per_head_gbp"], na_position="first"
    )
    if frame.empty:
        fig, ax = charts.new_figure(
            f"No cost positions: no benchmarking data for {result.council.ons_code}"
        )
        ax.set_axis_off()
        return fig
    above, total = cost_counts(result)
    fig, ax = charts.new_figure(
        f"{result.council.display_name} spends more per head than the comparator median on {above} of {total} services",
        height=5.0,
    )
    # A service with a nil or negative figure (net income) has no percentage: drawn at 0, labelled.
    values = frame["diff_from_median_fraction"].fillna(0.0)
    colours = [charts.HIGHLIGHT if v > 0 else charts.PALETTE[0] for v in frame["diff_per_head_gbp"]]
    hatches = ["//" if v > 0 else "" for v in frame["diff_per_head_gbp"]]
    bars = ax.barh(frame["service"], values, color=colours, edgecolor="white")
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    for y, (pct, diff, value, median) in enumerate(
        zip(
            frame["diff_from_median_fraction"],
            frame["diff_per_head_gbp"],
            frame["net_expenditure_per_head_gbp"],
            frame["comparator_median_per_head_gbp"],
            strict=True,
        )
    ):
        if pd.isna(pct):
            ax.annotate(
                f"no %: {basis_words(value, median)}; £{diff:+,.2f} a head",
                (0, y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    ax.axvline(0, color="#333333", linewidth=1)
    charts.percent_axis(
        ax, axis="x", label="Net cost per head: difference from the comparator median"
    )
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    charts.no_axis_label(ax.yaxis)
    charts.add_caption(
        fig, f"RS {result.year_label}, ONS population; {result.panel.source}", result.year_label
    )
    return fig


def has_performance(result: BenchmarkResult) -> bool:
    """Whether any performance measure in the data covers one of the council's services."""
    return not result.performance_points.empty


def no_performance_text(result: BenchmarkResult) -> str:
    """What the page says in place of the cost-against-performance chart and tables."""
    return (
        f"No performance measure in these data covers a service {result.council.display_name} "
        "is compared on, so cost is not set against performance here: the services are judged "
        "on cost alone, as the review reasons say."
    )


def quadrant_alt(result: BenchmarkResult) -> str:
    """The quadrant chart's alt text: what it plots, for which service."""
    line = int(result.performance_points["service_line"].iloc[0])
    service = in_sentence(SERVICE_LINES.get(line, f"RS line {line}"))
    return (
        f"Scatter chart of {service}: net cost per head against performance relative to the "
        f"comparator median, for {result.council.display_name} (highlighted diamond) and each "
        "comparator with data."
    )


def chart_quadrant(result: BenchmarkResult):
    """Cost per head against performance for the first service with measures (only where
    :func:`has_performance`)."""
    from analysis.core import charts

    points = result.performance_points
    if points.empty:
        raise ValueError("no performance measures: show no_performance_text(result) instead")
    line = int(points["service_line"].iloc[0])
    pts = points[points["service_line"] == line]
    service = SERVICE_LINES.get(line, f"RS line {line}")
    mine = pts[pts["role"] == "council"]
    others = pts[pts["role"] != "council"]
    quadrant = result.quadrants.set_index("line")["quadrant"].get(line, "")
    fig, ax = charts.new_figure(
        f"{service}: {result.council.display_name} is '{quadrant.lower()}' among its comparators",
        height=5.0,
    )
    ax.scatter(
        others["net_expenditure_per_head_gbp"],
        others["performance_vs_median_fraction"],
        color=charts.MUTED,
        marker="o",
        label="Comparators",
    )
    ax.scatter(
        mine["net_expenditure_per_head_gbp"],
        mine["performance_vs_median_fraction"],
        color=charts.HIGHLIGHT,
        marker="D",
        s=80,
        label=result.council.display_name,
        zorder=3,
    )
    median_cost = result.positions.set_index("line")["comparator_median_per_head_gbp"].get(line)
    if median_cost is not None and pd.notna(median_cost):
        ax.axvline(median_cost, color="#333333", linestyle="--", linewidth=1)
    ax.axhline(0, color="#333333", linestyle="--", linewidth=1)
    ax.set_xlabel(f"Net cost per head, £ ({result.year_label})")
    charts.percent_axis(ax, axis="y", label="Performance vs comparator median (+ = better)")
    ax.grid(axis="x")
    ax.legend(loc="best")
    charts.add_caption(
        fig,
        "RS outturn, ONS population, performance extract (polarity applied); dashed lines: comparator medians",
        result.year_label,
    )
    return fig


def chart_resilience(result: BenchmarkResult):
    from analysis.core import charts

    frame = result.resilience[
        result.resilience["indicator"] == "reserves_to_nre_ratio"
    ].sort_values("year")
    if frame.empty:
        fig, ax = charts.new_figure("No resilience indicators: the council is not in these data")
        ax.set_axis_off()
        return fig
    latest = frame.iloc[-1]
    direction = "above" if latest["diff"] > 0 else "below"
    fig, ax = charts.new_figure(
        f"Usable reserves are {direction} the comparator median ({latest['year_label']})"
    )
    styles = charts.series_styles(2)
    ax.plot(frame["year_label"], frame["value"], label=result.council.display_name, **styles[0])
    ax.plot(
        frame["year_label"],
        frame["comparator_median_value"],
        label="Comparator median",
        **styles[1],
    )
    charts.percent_axis(ax, label="Usable reserves / net revenue expenditure")
    charts.no_axis_label(ax.xaxis)
    ax.legend(loc="best")
    charts.add_caption(
        fig,
        "RS outturn: earmarked (line 915) + unallocated (line 916) reserves at 31 March / line 805",
        None,
    )
    return fig


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
    national = result.national if result.national is not None else national_for(result.panel)
    classes = national.names()["authority_class"]
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


RESILIENCE_HEADERS = {
    "year_label": "Year",
    "description": "Indicator",
    "council": "Council",
    "comparator_median": "Comparator median",
    "rank": "Rank (1 = highest)",
    "n_comparators_with_data": "Comparators with data",
}
# On the page the run-out years say "not falling" where the table's figure is its cap.
_SUSTAINABILITY = "reserves_sustainability_years"
_SHOWN_DESCRIPTIONS = {
    _SUSTAINABILITY: "Years until usable reserves run out at the recent rate of use"
}


def indicator_text(indicator: str, value: float) -> str:
    """A resilience indicator's figure as the chart shows it: ratios and shares as percentages
    ('74.0%'), changes signed ('+2.2%', '−100.0%'), years until reserves run out in years
    ('12.5 years'; 'not falling' at the cap of 100), a missing figure as 'no figure'."""
    if pd.isna(value):
        return "no figure"
    if indicator == _SUSTAINABILITY:
        return "not falling" if value >= 100 else f"{half_up(value, 1)} years"
    sign = "−" if value < 0 and half_up(abs(value) * 100, 1) != "0.0" else ""
    if indicator.endswith("_change") or indicator.endswith("change_fraction"):
        sign = sign or ("+" if value > 0 and half_up(value * 100, 1) != "0.0" else "")
    return f"{sign}{half_up(abs(value) * 100, 1)}%"


def resilience_table(result: BenchmarkResult) -> pd.DataFrame:
    """The resilience indicators for the page: each figure in its own unit, as the chart shows
    it (:func:`indicator_text`); :data:`RESILIENCE_HEADERS` names the columns."""
    table = result.resilience
    out = pd.DataFrame(
        {
            "year_label": table["year_label"],
            "description": [
                _SHOWN_DESCRIPTIONS.get(i, d)
                for i, d in zip(table["indicator"], table["description"], strict=True)
            ],
            "council": [
                indicator_text(i, v)
                for i, v in zip(table["indicator"], table["value"], strict=True)
            ],
            "comparator_median": [
                indicator_text(i, v)
                for i, v in zip(table["indicator"], table["comparator_median_value"], strict=True)
            ],
            "rank": table["rank"],
            "n_comparators_with_data": table["n_comparators_with_data"],
        }
    )
    return out.reset_index(drop=True)
