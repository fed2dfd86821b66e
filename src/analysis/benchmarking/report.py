"""What the value-for-money notebook shows: headline tiles, sentences, caveats and charts."""

from __future__ import annotations

import pandas as pd

from analysis.benchmarking import sources
from analysis.benchmarking.pipeline import BenchmarkResult
from analysis.benchmarking.settings import METHOD_TEXT
from analysis.core.periods import Period


def headline_items(result: BenchmarkResult) -> list[tuple[str, str, str]]:
    items = [
        (
            "Comparator group",
            f"{result.n_comparators} authorities",
            METHOD_TEXT[result.settings.comparator_method],
        )
    ]
    if not result.council_present:
        items.append(
            (
                "Positions",
                "not available",
                f"{result.council.ons_code} is not in the {result.year_label} data",
            )
        )
        return items
    above = int((result.positions["diff_per_head_gbp"] > 0).sum())
    total = int(result.positions["diff_per_head_gbp"].notna().sum())
    items.append(
        (
            "Services above the comparator median",
            f"{above} of {total}",
            f"net cost per head, {result.year_label}",
        )
    )
    if len(result.priorities):
        top = result.priorities.iloc[0]
        items.append(
            (
                "Top service for a VfM review",
                str(top["service"]),
                f"priority score {top['priority_score']:.0f} of 100",
            )
        )
    return items


def summary_sentences(result: BenchmarkResult) -> list[str]:
    c = result.council.display_name
    out = [
        f"{c}'s net spending per head on each service is compared with {result.n_comparators} comparator authorities for {result.year_label}, using {result.panel.source}."
    ]
    if result.council_present and len(result.positions):
        above = result.positions[result.positions["diff_per_head_gbp"] > 0]
        out.append(
            f"{len(above)} of {len(result.positions)} services cost more per head than the comparator median."
        )
        if len(result.savings):
            total = result.savings["notional_saving_gbp_k"].sum()
            out.append(
                f"If each of those services had spent at the comparator median, spending would have been about £{total / 1000:.1f}m lower: a question for review, not a target."
            )
    return out


def caveats(result: BenchmarkResult, period: Period | None = None) -> list[str]:
    lag = (
        f" The report is for {period.label}; the latest outturn data are for {result.year_label}, so they describe spending {period.year - result.year} year(s) earlier."
        if period
        else ""
    )
    items = [
        "Benchmarks pose questions; they are not league tables. A high cost may reflect need, local choices or how a council classifies its spending.",
        f"Data year and lag: Revenue Outturn figures for {result.year_label} (population mid-{result.population_year}).{lag}",
        "Classification: councils allocate overheads and shared costs to RS service lines differently; compare lines, not totals, with care. Net expenditure is after income (fees, charges, specific grants).",
        "Per-head figures use the whole population; some services serve a subset (older adults, children), so per-client costs may tell a different story.",
        "Boundary changes (Dorset, Bournemouth Christchurch & Poole, Buckinghamshire, Northamptonshire and others) leave some authorities unmatched across sources; they are listed, never dropped silently.",
        "Positions are against the comparators' median (the council itself excluded); ranks count the council and comparators with data (1 = highest cost). Robust scores are in median absolute deviations (MADs); where the MAD is 0 the score is blank unless the council is at the median.",
    ]
    if result.panel.illustrative:
        items.insert(
            0,
            "ILLUSTRATIVE DATA: the comparator panel figures are invented but plausible, for demonstration only. Run with --public-data DIR for the published figures.",
        )
    return items + result.messages


def chart_positions(result: BenchmarkResult):
    from analysis.core import charts

    frame = result.positions.dropna(subset=["diff_from_median_pct"]).sort_values(
        "diff_from_median_pct"
    )
    if frame.empty:
        fig, ax = charts.new_figure("No cost positions: the council is not in these data")
        ax.set_axis_off()
        return fig
    above = int((frame["diff_from_median_pct"] > 0).sum())
    fig, ax = charts.new_figure(
        f"{result.council.display_name} spends more per head than the comparator median on {above} of {len(frame)} services",
        height=5.0,
    )
    colours = [
        charts.HIGHLIGHT if v > 0 else charts.PALETTE[0] for v in frame["diff_from_median_pct"]
    ]
    hatches = ["//" if v > 0 else "" for v in frame["diff_from_median_pct"]]
    bars = ax.barh(
        frame["service"], frame["diff_from_median_pct"], color=colours, edgecolor="white"
    )
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax.axvline(0, color="#333333", linewidth=1)
    charts.percent_axis(
        ax, axis="x", label="Net cost per head: difference from the comparator median"
    )
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    charts.add_caption(
        fig, f"RS {result.year_label}, ONS population; {result.panel.source}", result.year_label
    )
    return fig


def chart_quadrant(result: BenchmarkResult):
    from analysis.core import charts

    points = result.performance_points
    if points.empty:
        fig, ax = charts.new_figure("No performance measures to set against cost for these data")
        ax.set_axis_off()
        return fig
    line = int(points["service_line"].iloc[0])
    pts = points[points["service_line"] == line]
    service = sources.SERVICE_LINES.get(line, f"RS line {line}")
    mine = pts[pts["role"] == "council"]
    others = pts[pts["role"] != "council"]
    quadrant = result.quadrants.set_index("line")["quadrant"].get(line, "")
    fig, ax = charts.new_figure(
        f"{service}: {result.council.display_name} is '{quadrant.lower()}' among its comparators",
        height=5.0,
    )
    ax.scatter(
        others["net_expenditure_per_head_gbp"],
        others["performance_vs_median_pct"],
        color=charts.MUTED,
        marker="o",
        label="Comparators",
    )
    ax.scatter(
        mine["net_expenditure_per_head_gbp"],
        mine["performance_vs_median_pct"],
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
    ax.legend(loc="best")
    charts.add_caption(
        fig,
        "RS outturn: earmarked (line 915) + unallocated (line 916) reserves at 31 March / line 805",
        None,
    )
    return fig
