"""Unit costs and comparator groups: each service's net expenditure per head placed among the
council's comparators (rank, quartile, difference from the median, robust score; see
:mod:`analysis.benchmarking.comparators`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.benchmarking import comparators as comp
from analysis.benchmarking.panel import Panel
from analysis.benchmarking.settings import METHOD_TEXT, BenchmarkSettings
from analysis.core.errors import InputError
from analysis.core.periods import year_label
from analysis.public_data.rs import SERVICE_LINES
from analysis.public_data.unmatched import join_report, unmatched_frame

SERVICE_POSITION_COLUMNS = [
    "year",
    "line",
    "service",
    "net_expenditure_gbp_k",
    "population",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "diff_from_median_fraction",
    "mad",
    "robust_score",
    "mad_is_zero",
    "cost_rank",
    "n_ranked",
    "cost_quartile",
    "n_comparators_with_data",
]


def population_for(population: pd.DataFrame, year: int) -> tuple[pd.DataFrame, int]:
    """(ons_code, name, population; the mid-year used) for financial year ``year``: the mid-year
    estimate of the year it starts (mid-2023 for 2023-24). ``population`` holds one figure per
    area and mid-year, from the newest release that has it
    (:func:`analysis.public_data.panel.read_population_releases`). When no release has
    mid-``year``, the nearest earlier mid-year (else the earliest) is used and returned, so the
    caller names it on the page (the pipeline's message: "mid-2020 estimates used for 2023-24
    (mid-2023 not available)"); never another year without saying so."""
    rows = population[population["measure"] == "population"].dropna(subset=["value"])
    available = sorted(rows["year"].unique())
    if not available:
        raise InputError.single("population", "no population estimates in the data")
    earlier = [y for y in available if y <= year]
    used = earlier[-1] if earlier else available[0]
    frame = rows[rows["year"] == used].drop_duplicates("ons_code", keep="last")
    return frame[["ons_code", "name", "value"]].rename(columns={"value": "population"}), int(used)


def unit_costs(
    rs: pd.DataFrame, population: pd.DataFrame, year: int, lines: dict[int, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Net current expenditure per head on each service line for one RS year.

    Returns (unit costs, unmatched): unit costs has ons_code, name, authority_class, year, line,
    service, net_expenditure_gbp_k, population, net_expenditure_per_head_gbp (= £k x 1000 /
    population); unmatched lists every RS authority without a population figure and every
    population area without RS data (source, code, name, reason).
    """
    lines = lines or SERVICE_LINES
    year_rs = rs[
        (rs["year"] == year) & rs["line"].isin(list(lines)) & rs["measure"].str.fullmatch(r"RS\d+")
    ]
    pop, _used = population_for(population, year)
    authorities = year_rs.drop_duplicates(["e_code", "ons_code"])[
        ["ons_code", "name", "authority_class"]
    ]
    unmatched = join_report(
        authorities, pop, "RS", "population", left_subset=authorities["ons_code"]
    )
    other = authorities.loc[authorities["authority_class"].eq("O"), "ons_code"]
    is_other = unmatched["source"].eq("RS") & (
        unmatched["code"].isin(other) | unmatched["code"].eq("(none)")
    )
    unmatched.loc[is_other, "reason"] = (
        "not a local-authority area (class O: police, fire, parks, waste and other bodies): no population, not benchmarked per head"
    )
    # Population areas of local-authority classes with no RS row (boundary changes).
    la_pop = population[
        (population["year"] == _used)
        & population["authority_class"].isin(["UA", "MD", "LB", "SD", "SC"])
        & population["ons_code"].str.startswith("E")
    ]
    extra = la_pop[~la_pop["ons_code"].isin(authorities["ons_code"])]
    if len(extra):
        unmatched = pd.concat(
            [
                unmatched,
                unmatched_frame(
                    "population",
                    extra["ons_code"],
                    extra["name"],
                    f"no RS {year_label(year)} data for this code (boundary change or different coverage)",
                ),
            ],
            ignore_index=True,
        )
    frame = year_rs.merge(pop[["ons_code", "population"]], on="ons_code", how="inner")
    frame = frame.rename(columns={"value": "net_expenditure_gbp_k"})
    frame["service"] = frame["line"].astype(int).map(lines)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["net_expenditure_per_head_gbp"] = (
            frame["net_expenditure_gbp_k"] * 1000.0 / frame["population"]
        )
    cols = [
        "ons_code",
        "name",
        "authority_class",
        "year",
        "line",
        "service",
        "net_expenditure_gbp_k",
        "population",
        "net_expenditure_per_head_gbp",
    ]
    return frame[cols].reset_index(drop=True), unmatched


def own_years(rs: pd.DataFrame, code: str, returns: pd.DataFrame | None = None) -> list[int]:
    """The RS years in which the authority ``code`` has a figure for at least one service line
    (a year of "no return" markers only does not count). ``returns``: :func:`returned_years`
    of ``rs``, when the caller has it."""
    if returns is None:
        returns = returned_years(rs[rs["ons_code"].eq(code)])
    return sorted(int(y) for y in returns.loc[returns["ons_code"].eq(code), "year"])


def returned_years(rs: pd.DataFrame) -> pd.DataFrame:
    """ons_code and year of each authority's each year with a figure for at least one service
    line (see :func:`own_years`)."""
    has = rs[
        rs["line"].isin(list(SERVICE_LINES))
        & rs["measure"].astype(str).str.fullmatch(r"RS\d+")
        & rs["value"].notna()
    ]
    return has[["ons_code", "year"]].drop_duplicates().reset_index(drop=True)


def features_for(
    rs: pd.DataFrame, population: pd.DataFrame, year: int, variables: list[str]
) -> pd.DataFrame:
    """One row per authority, one column per variable: ``population``, an RS measure (``RS805``)
    or an RS measure per head (``RS805_per_head``)."""
    pop, _ = population_for(population, year)
    pop = pop.set_index("ons_code")["population"]
    year_rs = rs[(rs["year"] == year)].dropna(subset=["ons_code"])
    wide = year_rs.pivot_table(index="ons_code", columns="measure", values="value", aggfunc="first")
    out = {}
    for variable in variables:
        if variable == "population":
            out[variable] = pop.reindex(wide.index)
        elif variable.endswith("_per_head"):
            measure = variable[: -len("_per_head")]
            out[variable] = (
                wide.get(measure) * 1000.0 / pop.reindex(wide.index) if measure in wide else None
            )
        else:
            out[variable] = wide.get(variable)
    missing = [k for k, v in out.items() if v is None]
    if missing:
        raise InputError.single(
            "council.yaml",
            f"unknown comparator variables {missing}: use population, an RS measure such as RS805, or RS805_per_head",
            key="benchmark.computed_variables",
        )
    return pd.DataFrame(out)


def rs_classes(panel: Panel, year: int) -> pd.Series:
    """ons_code -> authority class in the RS data for ``year``."""
    rs = panel.rs[panel.rs["year"] == year]
    return rs.drop_duplicates("ons_code").set_index("ons_code")["authority_class"]


def comparator_group(
    council_code: str,
    council_class: str,
    settings: BenchmarkSettings,
    panel: Panel,
    year: int,
    national=None,
) -> tuple[pd.DataFrame, str]:
    """(groups frame for the council, sentence saying how the group was chosen). ``national``:
    the panel's :class:`~analysis.benchmarking.national.National` figures, when the caller has
    them (the same figures, kept between councils)."""
    method = settings.comparator_method
    unlisted = ""
    if method == "nearest_neighbours":
        groups = comp.neighbour_groups(panel.neighbours, [council_code])
        text = f"Comparators: {METHOD_TEXT[method]} ({len(groups)} authorities)."
        if groups.empty:  # an authority newer than the list (Somerset, 2023): computed instead
            method = "computed"
            unlisted = f"The published nearest-neighbour list has no entry for {council_code}. "
    if method == "computed":
        variables = settings.computed_variables
        if national is not None:
            features, classes = national.features(year, variables), national.classes(year)
        else:
            features = features_for(panel.rs, panel.population, year, variables)
            classes = rs_classes(panel, year)
        groups = comp.computed_neighbours(features, classes.dropna(), settings.k, [council_code])
        text = unlisted + (
            f"Comparators: the {settings.k} nearest authorities of class {council_class}, by Euclidean distance "
            f"on standardised {', '.join(settings.computed_variables)} ({year_label(year)})."
        )
    elif method == "list":
        groups = comp.list_groups(council_code, settings.comparators)
        text = f"Comparators: {METHOD_TEXT[method]} ({len(groups)} authorities)."
    elif method == "class":
        classes = national.classes(year) if national is not None else rs_classes(panel, year)
        groups = comp.class_groups(classes, [council_code])
        text = f"Comparators: {METHOD_TEXT[method]} ({council_class}, {len(groups)} authorities)."
    return groups.reset_index(drop=True), text
