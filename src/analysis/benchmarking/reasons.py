"""The words beside each service in the review list, generated from the service's own figures
(one row of the priorities table), so that every sentence is true of the row it sits in.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.core.display import join_words


def join(items: Sequence[str]) -> str:
    return join_words([str(i) for i in items if str(i)])


def pct_words(fraction: float, threshold: float | None = None) -> str:
    """0.152 -> '15%'; below 1% but not 0 -> 'under 1%'. Given the ``threshold`` a rule compares
    the figure with (0.10), the figure keeps the decimals that keep it on its own side:
    0.0963 -> '9.6%', never '10%' beside 'less than 10% above the median'."""
    value = abs(float(fraction)) * 100
    if 0 < value < 0.5:
        return "under 1%"
    limit = abs(threshold) * 100 if threshold is not None else None
    for places in range(4):
        text = f"{value:.{places}f}"
        if limit is None or value == limit or float(text) != limit:
            return f"{text}%"
    return f"{value:.4f}%"


def per_head(value: float) -> str:
    return f"£{float(value):,.2f} a head"


def figure_words(value: float) -> str:
    """A net figure a head in words that say what it is: '£3.20 a head', 'net income of £2.81 a
    head', 'nil (£0.00 a head)'."""
    value = float(value)
    if value < 0:
        return f"net income of {per_head(-value)}"
    if value == 0:
        return "nil (£0.00 a head)"
    return per_head(value)


def cost_phrase(row: pd.Series, threshold: float | None = None) -> str:
    """'£323.26 a head, 15% above the median of 13 comparators (£280.62)'; where either figure
    is nil or net income, no percentage: 'net income of £2.81 a head against a median of 15
    comparators of net income of £8.45 a head: £5.64 a head above the median'."""
    value, median = row["net_expenditure_per_head_gbp"], row["comparator_median_per_head_gbp"]
    n = int(row["n_comparators_with_data"])
    of = f"the median of {n} comparator{'s' if n != 1 else ''}"
    if pd.isna(median):
        return f"{figure_words(value)}; no comparator has data for this service"
    fraction = row["cost_diff_from_median_fraction"]
    if pd.isna(fraction):
        diff = float(row["diff_per_head_gbp"])
        side = "above" if diff > 0 else "below" if diff < 0 else "at"
        gap = f"£{abs(diff):,.2f} a head {side} the median" if diff else "at the median"
        return f"{figure_words(value)} against {of} of {figure_words(median)}: {gap}"
    if float(row["diff_per_head_gbp"]) == 0:
        return f"{per_head(value)}, at {of}"
    side = "above" if float(row["diff_per_head_gbp"]) > 0 else "below"
    words = pct_words(fraction, threshold)
    return f"{per_head(value)}, {words} {side} {of} (£{float(median):,.2f})"


def performance_phrase(row: pd.Series) -> str:
    """'performance below the comparator median on 2 of 3 measures; bottom quartile on X'."""
    n = int(row["n_measures"])
    if n == 0:
        return "no performance measures for this service"
    below, above = int(row["n_measures_below_median"]), int(row["n_measures_above_median"])
    of = f"{n} measure{'s' if n != 1 else ''}"
    if below:
        text = f"performance below the comparator median on {below} of {of}"
        if above:
            text += f" and above it on {above}"
    elif above:
        text = f"performance above the comparator median on {above} of {of}"
    else:
        text = f"performance at the comparator median on {of}"
    bottom = str(row.get("bottom_quartile_measures") or "")
    if bottom:
        text += f"; bottom quartile on {bottom}"
    return text


def sets_phrase(row: pd.Series) -> str:
    """For a service above the median: 'above the median of all 3 comparator groups', or under which groups it is not (blank with fewer than two groups, or when the
    service is not above the median of its own comparators)."""
    n = int(row["n_sets_with_data"]) if pd.notna(row["n_sets_with_data"]) else 0
    if n < 2 or not float(row["diff_per_head_gbp"]) > 0:
        return ""
    above = int(row["n_sets_above_median"])
    if above == n:
        return f"above the median of all {n} comparator groups"
    text = f"above the median of {above} of the {n} comparator groups"
    if row["sets_not_above_median"]:
        text += f" (not of {row['sets_not_above_median']})"
    return text


def self_assessment_phrase(row: pd.Series) -> str:
    score = row["self_assessment_score"]
    if pd.isna(score):
        return ""
    return f"the council rates its own value for money {int(score)} out of 4, where 4 is good"


def reason(row: pd.Series) -> str:
    """Why a service is proposed, from its own figures."""
    parts = [cost_phrase(row), performance_phrase(row), sets_phrase(row)]
    parts.append(self_assessment_phrase(row))
    return "; ".join(p for p in parts if p)


def not_proposed_because(row: pd.Series, rules) -> str:
    """Why a service is not proposed, from its own figures (blank for a proposed service)."""
    if row["proposed"]:
        return ""
    spend = float(row["net_expenditure_gbp_k"])
    if spend < 0:
        return (
            f"net income: {cost_phrase(row)}; a service that brings in more than it spends is "
            "not proposed on cost"
        )
    if spend == 0:
        return "no net spend on this service (£0k)"
    if not row["material"]:
        share = float(row["share_of_net_spend"]) * 100
        return (
            f"too small to review: £{float(row['net_expenditure_gbp_k']):,.0f}k, "
            f"{share:.2f}% of net spend on the services compared "
            f"(the rule is at least {rules.min_share_of_spend * 100:g}%)"
        )
    if int(row["n_comparators_with_data"]) < rules.min_comparators:
        return (
            f"only {int(row['n_comparators_with_data'])} comparators with data (the rule is at "
            f"least {rules.min_comparators})"
        )
    # Beside the rule's "less than 10% above", the figure is never rounded up to the rule.
    parts = [cost_phrase(row, rules.cost_threshold)]
    if row["cost_material"] and not row["cost_holds"]:
        parts.append(sets_phrase(row) or "not above the median whichever comparator group is used")
    elif not row["cost_material"] and float(row["diff_per_head_gbp"]) > 0:
        fraction = row["cost_diff_from_median_fraction"]
        if pd.notna(fraction) and float(fraction) < rules.cost_threshold:
            parts.append(f"less than {rules.cost_threshold * 100:g}% above the median")
        else:
            parts.append(
                f"within the usual spread of the comparators' costs (less than "
                f"{rules.min_robust_score:g} typical spread"
                f"{'s' if rules.min_robust_score != 1 else ''} above the median, the measure the "
                "caveats explain)"
            )
    elif float(row["diff_per_head_gbp"]) <= 0:
        parts.append("not above the median")
    parts.append(performance_phrase(row))
    return "; ".join(p for p in parts if p)
