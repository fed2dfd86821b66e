"""Is it just our choice of comparators? The council's cost position on each service under every
comparator set the data allow: the published nearest neighbours, all authorities of the same
class, and nearest neighbours computed here (plus the council's own list when that is the chosen
method). A service's cost position "holds" when it is on the same side of the median under every
set with data.
"""

from __future__ import annotations

import pandas as pd

from analysis.benchmarking import comparators as comp
from analysis.benchmarking.panel import Panel
from analysis.benchmarking.positions import comparator_group
from analysis.benchmarking.settings import BenchmarkSettings
from analysis.core.errors import InputError

CLASS_NAMES = {
    "UA": "unitary authorities",
    "MD": "metropolitan districts",
    "LB": "London boroughs",
    "SC": "shire counties",
    "SD": "shire districts",
}

SET_COLUMNS = [
    "comparator_set",
    "line",
    "service",
    "n_comparators_with_data",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "diff_from_median_fraction",
    "above_median",
]

HOLDS_COLUMNS = ["line", "n_sets_with_data", "n_sets_above_median", "sets_not_above_median"]


def set_label(method: str, council_class: str, settings: BenchmarkSettings) -> str:
    """A reader's name for a comparator set."""
    if method == "nearest_neighbours":
        return "published nearest neighbours"
    if method == "class":
        return f"all {CLASS_NAMES.get(council_class, council_class + ' authorities')}"
    if method == "computed":
        return f"{settings.k} nearest neighbours computed here"
    return "the council's own list"


def comparator_sets(
    code: str,
    council_class: str,
    settings: BenchmarkSettings,
    panel: Panel,
    year: int,
    national=None,
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """{label: groups} for every set the data allow, the chosen method first; and notes on the
    sets that could not be formed (for the analyst). ``national``: as for
    :func:`~analysis.benchmarking.positions.comparator_group`."""
    methods = [settings.comparator_method] + [
        m for m in ("nearest_neighbours", "class", "computed") if m != settings.comparator_method
    ]
    sets: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    for method in methods:
        label = set_label(method, council_class, settings)
        if method == "nearest_neighbours" and panel.neighbours is None:
            notes.append(f"No nearest-neighbour list in the data: '{label}' not tried.")
            continue
        try:
            groups, _text = comparator_group(
                code,
                council_class,
                settings.model_copy(update={"comparator_method": method}),
                panel,
                year,
                national,
            )
        except InputError as exc:
            notes.append(f"'{label}' could not be formed: {exc.problems[0].message}")
            continue
        if len(groups):
            sets[label] = groups
        else:
            notes.append(f"'{label}': no comparators for {code} in these data.")
    return sets, notes


def cost_across_sets(costs: pd.DataFrame, sets: dict[str, pd.DataFrame], code: str) -> pd.DataFrame:
    """The council's cost per head against the median of each comparator set, per service line.

    ``costs``: unit costs (ons_code, line, service, net_expenditure_per_head_gbp)."""
    values = costs.rename(columns={"net_expenditure_per_head_gbp": "value"})[
        ["ons_code", "line", "value"]
    ]
    services = costs.drop_duplicates("line").set_index("line")["service"]
    parts = []
    for label, groups in sets.items():
        pos = comp.positions(values, groups[groups["ons_code"] == code], ["line"])
        if pos.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "comparator_set": label,
                    "line": pos["line"],
                    "service": pos["line"].map(services),
                    "n_comparators_with_data": pos["n_comparators_with_data"],
                    "comparator_median_per_head_gbp": pos["comparator_median"],
                    "diff_per_head_gbp": pos["diff"],
                    "diff_from_median_fraction": pos["diff_fraction"],
                    "above_median": pos["diff"] > 0,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=SET_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out = out[out["n_comparators_with_data"] > 0]
    return out[SET_COLUMNS].reset_index(drop=True)


def holds_across_sets(across: pd.DataFrame) -> pd.DataFrame:
    """Per line: how many sets had data, under how many the cost is above the median, and the
    sets under which it is not (in words, '' when it holds everywhere)."""
    if across.empty:
        return pd.DataFrame(columns=HOLDS_COLUMNS)
    by = across.groupby("line", sort=True)
    out = pd.DataFrame(
        {
            "n_sets_with_data": by.size(),
            "n_sets_above_median": by["above_median"].sum().astype("int64"),
            "sets_not_above_median": by.apply(
                lambda g: "; ".join(g.loc[~g["above_median"], "comparator_set"]),
                include_groups=False,
            ),
        }
    )
    return out.reset_index()[HOLDS_COLUMNS]
