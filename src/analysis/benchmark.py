"""Value-for-money benchmarking: unit costs, resilience, cost against performance, priorities.

The council's net current expenditure per head on each RS service line is placed among its
comparators (rank, quartile, difference from the comparator median, robust score in MADs; see
:mod:`analysis.comparators`), alongside financial resilience indicators
(:mod:`analysis.resilience`) and performance indicators with polarity. Services are then ranked
for a VfM deep dive. Benchmarks pose questions; they are not league tables.

Data come either from the official files (``public_data``: a folder such as
``../shared/data/public`` or ``data/raw/public`` after ``python -m analysis data fetch``), or from
the council's own panel in ``data/raw/<council>/benchmark/`` in the same tidy form the readers
produce (for Dorset, an illustrative panel: figures invented but plausible).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analysis import comparators as comp
from analysis import sources
from analysis.config import Council, parse_model
from analysis.errors import InputError, Problem, display_path
from analysis.periods import Period, year_label
from analysis.resilience import INDICATORS, resilience_indicators, years_covered
from analysis.sources._common import check_file, tidy
from analysis.sources.unmatched import UNMATCHED_COLUMNS, join_report, unmatched_frame

METHOD_TEXT = {
    "nearest_neighbours": "the published nearest-neighbour list",
    "computed": "nearest neighbours computed here from standardised variables",
    "list": "a list of comparators given in council.yaml",
    "class": "all authorities of the same class",
}
QUADRANTS = {
    (True, False): "Higher cost, lower performance",
    (True, True): "Higher cost, higher performance",
    (False, False): "Lower cost, lower performance",
    (False, True): "Lower cost, higher performance",
}
SCORE_CAP = 3.0
QUADRANT_COLUMNS = [
    "ons_code",
    "line",
    "service",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "diff_from_median_pct",
    "cost_robust_score",
    "n_measures",
    "performance_balance",
    "performance_score",
    "measures",
    "quadrant",
]
PRIORITY_COLUMNS = [
    "rank",
    "service",
    "line",
    "priority_score",
    "net_expenditure_gbp_k",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "cost_robust_score",
    "cost_rank",
    "n_ranked",
    "performance_score",
    "quadrant",
    "self_assessment_score",
    "spend_component",
    "cost_component",
    "performance_component",
    "self_assessment_component",
    "components_used",
]
SERVICE_POSITION_COLUMNS = [
    "year",
    "line",
    "service",
    "net_expenditure_gbp_k",
    "population",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "diff_from_median_pct",
    "mad",
    "robust_score",
    "mad_is_zero",
    "cost_rank",
    "n_ranked",
    "cost_quartile",
    "n_comparators_with_data",
]
SAVINGS_COLUMNS = [
    "service",
    "line",
    "net_expenditure_per_head_gbp",
    "comparator_median_per_head_gbp",
    "diff_per_head_gbp",
    "population",
    "notional_saving_gbp_k",
    "label",
]


# ---------------------------------------------------------------------------------------------
# Settings (the ``benchmark:`` section of council.yaml)


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spend: float = Field(default=0.25, ge=0)
    cost: float = Field(default=0.35, ge=0)
    performance: float = Field(default=0.25, ge=0)
    self_assessment: float = Field(default=0.15, ge=0)


class BenchmarkSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comparator_method: Literal["nearest_neighbours", "computed", "list", "class"] = (
        "nearest_neighbours"
    )
    comparators: list[str] = Field(default_factory=list)
    computed_variables: list[str] = Field(default_factory=lambda: ["population", "RS805_per_head"])
    k: int = Field(default=15, ge=1, le=100)
    panel: str = "benchmark"
    public_files: dict[Literal["rs", "population", "neighbours", "performance"], str] = Field(
        default_factory=dict
    )
    weights: Weights = Field(default_factory=Weights)
    self_assessment: dict[str, int] = Field(default_factory=dict)
    vfm_target_share: float = Field(default=0.75, ge=0, le=1)
    performance_services: dict[str, int] = Field(default_factory=lambda: {"ASC": 360})
    polarity_overrides: dict[str, Literal["higher_is_better", "lower_is_better"]] = Field(
        default_factory=dict
    )

    @field_validator("self_assessment")
    @classmethod
    def scores_1_to_4(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {k: v for k, v in value.items() if v not in (1, 2, 3, 4)}
        if bad:
            raise ValueError(f"self-assessment scores must be 1, 2, 3 or 4 (found {bad})")
        return value

    @field_validator("comparators")
    @classmethod
    def ons_codes(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not re.match(r"^E\d{8}$", c)]
        if bad:
            raise ValueError(f"not ONS codes: {bad}")
        return value


def load_settings(council: Council) -> BenchmarkSettings:
    return parse_model(
        BenchmarkSettings,
        council.benchmark,
        display_path(council.folder / "council.yaml"),
        "benchmark",
    )


# ---------------------------------------------------------------------------------------------
# Loading the data


@dataclass
class Panel:
    """The data a benchmark run uses, and where they came from."""

    rs: pd.DataFrame
    population: pd.DataFrame
    neighbours: pd.DataFrame | None
    performance: pd.DataFrame | None
    files: dict[str, list[Path]]
    illustrative: bool
    source: str
    notes: list[str] = field(default_factory=list)


def _tidy_csv(path: Path, what: str, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV in the tidy reader form (as the illustrative panel ships)."""
    path = check_file(path, what)
    shown = display_path(path)
    try:
        frame = pd.read_csv(path, dtype={"ons_code": str, "e_code": str, "measure": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError.single(shown, f"not a readable CSV ({what}): {exc}") from None
    needed = ["ons_code", "name", "authority_class", "year", "measure", "value", *extra]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError.single(shown, f"missing columns {', '.join(missing)} ({what})")
    problems = [
        Problem(shown, "value is not a number", row=i + 2, column="value")
        for i in frame.index[
            pd.to_numeric(frame["value"], errors="coerce").isna() & frame["value"].notna()
        ]
    ]
    if problems:
        raise InputError(problems)
    return tidy(frame)


def _find(directory: Path, patterns: list[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found += [p for p in sorted(directory.rglob(pattern)) if p.is_file() and p not in found]
    return found


def find_public_files(directory: Path, settings: BenchmarkSettings) -> dict[str, list[Path]]:
    """The published files in a folder (searched recursively by their published names)."""
    patterns = {
        "rs": ["RS_*.xlsx", "*Revenue_Outturn_Summary*.xlsx", "revenue_outturn_summary/*.xlsx"],
        "population": ["*popestimates*.xlsx", "*mye*.xlsx", "population/*.xlsx"],
        "neighbours": ["*neighbour*.json"],
        "performance": ["*oflog*.csv", "performance/*.csv"],
    }
    files = {}
    for kind, globs in patterns.items():
        if kind in settings.public_files:
            files[kind] = [directory / settings.public_files[kind]]
        else:
            files[kind] = _find(directory, globs)
    if files["population"]:
        files["population"] = files["population"][:1]
    if files["neighbours"]:
        files["neighbours"] = files["neighbours"][:1]
    return files


def load_panel(council: Council, settings: BenchmarkSettings, public_data: Path | None) -> Panel:
    """Read everything the run needs, raising one InputError listing every problem."""
    problems: list[Problem] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except InputError as exc:
            problems.extend(exc.problems)
            return None

    if public_data is not None:
        directory = Path(public_data)
        if not directory.is_dir():
            raise InputError.single(display_path(directory), "public data folder not found")
        files = find_public_files(directory, settings)
        for kind in ("rs", "population"):
            if not files[kind]:
                problems.append(
                    Problem(
                        display_path(directory),
                        f"no {kind.upper() if kind == 'rs' else kind} file found (see data/raw/README.md, Benchmarking)",
                    )
                )
        rs = attempt(sources.read_rs_many, files["rs"]) if files["rs"] else None
        population = (
            attempt(sources.read_population, files["population"][0])
            if files["population"]
            else None
        )
        illustrative, source = False, f"published files in {display_path(directory)}"
    else:
        folder = council.folder / settings.panel
        if not folder.is_dir():
            raise InputError.single(
                display_path(folder),
                "no benchmarking panel for this council: add one, or run with --public-data DIR "
                "(a folder of the published RS, population and comparator files)",
            )
        files = {
            "rs": [folder / "rs.csv"],
            "population": [folder / "population.csv"],
            "neighbours": [p for p in [folder / "neighbours.json"] if p.is_file()],
            "performance": [p for p in [folder / "performance.csv"] if p.is_file()],
        }
        rs = attempt(_tidy_csv, files["rs"][0], "RS lines in tidy form", ("line",))
        population = attempt(_tidy_csv, files["population"][0], "population in tidy form")
        illustrative = (folder / "ILLUSTRATIVE.md").is_file()
        source = f"the panel in {display_path(folder)}" + (
            " (illustrative figures)" if illustrative else ""
        )
    # The neighbour list and the performance extract are read the same way from either source.
    neighbours = (
        attempt(sources.read_neighbours, files["neighbours"][0]) if files["neighbours"] else None
    )
    performance = (
        attempt(sources.read_performance, files["performance"][0]) if files["performance"] else None
    )
    if settings.comparator_method == "nearest_neighbours" and neighbours is None and not problems:
        problems.append(
            Problem(
                display_path(council.folder / "council.yaml"),
                "comparator_method is nearest_neighbours but no nearest-neighbour list (*neighbour*.json) was found",
                key="benchmark.comparator_method",
            )
        )
    if settings.comparator_method == "list" and not settings.comparators:
        problems.append(
            Problem(
                display_path(council.folder / "council.yaml"),
                "comparator_method is list but no comparators are given",
                key="benchmark.comparators",
            )
        )
    if problems:
        raise InputError(problems)
    return Panel(rs, population, neighbours, performance, files, illustrative, source)


# ---------------------------------------------------------------------------------------------
# Unit costs


def population_for(population: pd.DataFrame, year: int) -> tuple[pd.DataFrame, int]:
    """Population at mid-``year`` (or the nearest earlier year, else the nearest); (frame, year used)."""
    available = sorted(population["year"].unique())
    earlier = [y for y in available if y <= year]
    used = earlier[-1] if earlier else available[0]
    frame = population[(population["year"] == used) & (population["measure"] == "population")]
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
    lines = lines or sources.SERVICE_LINES
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


# ---------------------------------------------------------------------------------------------
# Comparator groups


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


def comparator_group(
    council_code: str, council_class: str, settings: BenchmarkSettings, panel: Panel, year: int
) -> tuple[pd.DataFrame, str]:
    """(groups frame for the council, sentence saying how the group was chosen)."""
    method = settings.comparator_method
    if method == "nearest_neighbours":
        groups = comp.neighbour_groups(panel.neighbours, [council_code])
        text = f"Comparators: {METHOD_TEXT[method]} ({len(groups)} authorities)."
        if groups.empty:
            text = (
                f"The nearest-neighbour list has no entry for {council_code}: no comparator group."
            )
    elif method == "computed":
        features = features_for(panel.rs, panel.population, year, settings.computed_variables)
        classes = (
            panel.rs[panel.rs["year"] == year]
            .drop_duplicates("ons_code")
            .set_index("ons_code")["authority_class"]
        )
        groups = comp.computed_neighbours(features, classes.dropna(), settings.k, [council_code])
        text = (
            f"Comparators: the {settings.k} nearest authorities of class {council_class}, by Euclidean distance "
            f"on standardised {', '.join(settings.computed_variables)} ({year_label(year)})."
        )
    elif method == "list":
        groups = comp.list_groups(council_code, settings.comparators)
        text = f"Comparators: {METHOD_TEXT[method]} ({len(groups)} authorities)."
    else:
        classes = (
            panel.rs[panel.rs["year"] == year]
            .drop_duplicates("ons_code")
            .set_index("ons_code")["authority_class"]
        )
        groups = comp.class_groups(classes, [council_code])
        groups["neighbour_rank"] = range(1, len(groups) + 1)
        text = f"Comparators: {METHOD_TEXT[method]} ({council_class}, {len(groups)} authorities)."
    return groups.reset_index(drop=True), text


# ---------------------------------------------------------------------------------------------
# Performance


def performance_year(performance: pd.DataFrame, year: int) -> int:
    available = sorted(performance["year"].unique())
    earlier = [y for y in available if y <= year]
    return int(earlier[-1] if earlier else available[0])


def service_for_measure(measure: str, row_line, mapping: dict[str, int]) -> float:
    if pd.notna(row_line):
        return int(row_line)
    for prefix, line in mapping.items():
        if str(measure).upper().startswith(prefix.upper()):
            return line
    return np.nan


def performance_positions(
    performance: pd.DataFrame, groups: pd.DataFrame, year: int, settings: BenchmarkSettings
) -> pd.DataFrame:
    """The council's position on each performance measure: positions plus polarity and
    ``performance_score`` (the robust score, sign turned so + = better than the comparator
    median) and ``better_than_median`` (+1 better, -1 worse, 0 at the median)."""
    perf = performance[performance["year"] == year].copy()
    override = perf["measure"].map(settings.polarity_overrides)
    perf["polarity"] = override.where(override.notna(), perf["polarity"]).astype(str)
    perf["service_line"] = [
        service_for_measure(m, s, settings.performance_services)
        for m, s in zip(perf["measure"], perf["service_line"], strict=True)
    ]
    meta = perf.drop_duplicates("measure").set_index("measure")[
        ["description", "polarity", "service_line"]
    ]
    pos = comp.positions(perf.dropna(subset=["ons_code"]), groups, ["measure"])
    pos = pos.join(meta, on="measure")
    sign = pos["polarity"].map({"higher_is_better": 1.0, "lower_is_better": -1.0})
    pos["performance_score"] = pos["robust_score"] * sign
    pos["better_than_median"] = np.sign(pos["diff"]) * sign
    pos["year"] = year
    return pos


def quadrants(costs: pd.DataFrame, perf: pd.DataFrame) -> pd.DataFrame:
    """Each service's cost position (above or below the comparator median per head) against its
    performance position (the mean of its scored measures' better/worse signs)."""
    scored = perf.dropna(subset=["better_than_median", "service_line"]) if len(perf) else perf
    if len(scored):
        by = scored.groupby("service_line")
        summary = pd.DataFrame(
            {
                "n_measures": by.size(),
                "performance_balance": by["better_than_median"].mean(),
                "performance_score": by["performance_score"].mean(),
                "measures": by["measure"].apply(lambda s: ", ".join(sorted(s))),
            }
        )
    else:
        summary = pd.DataFrame(
            columns=["n_measures", "performance_balance", "performance_score", "measures"]
        )
    out = costs[
        [
            "ons_code",
            "line",
            "service",
            "value",
            "comparator_median",
            "diff",
            "diff_pct",
            "robust_score",
        ]
    ].rename(
        columns={
            "value": "net_expenditure_per_head_gbp",
            "comparator_median": "comparator_median_per_head_gbp",
            "diff": "diff_per_head_gbp",
            "diff_pct": "diff_from_median_pct",
            "robust_score": "cost_robust_score",
        }
    )
    out = out.join(summary, on="line")
    out["n_measures"] = out["n_measures"].fillna(0).astype("int64")
    labels = []
    for diff, balance in zip(out["diff_per_head_gbp"], out["performance_balance"], strict=True):
        if pd.isna(balance) or pd.isna(diff):
            labels.append("No performance data" if pd.isna(balance) else "No cost comparison")
        elif balance == 0:
            labels.append(("Higher" if diff > 0 else "Lower") + " cost, performance at the median")
        else:
            labels.append(QUADRANTS[(bool(diff > 0), bool(balance > 0))])
    out["quadrant"] = labels
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Prioritisation


def self_assessment_for(settings: BenchmarkSettings, line: int, service: str) -> float:
    for key, score in settings.self_assessment.items():
        if str(key).strip() == str(line) or str(key).strip().lower() == service.lower():
            return float(score)
    return np.nan


def priority_components(frame: pd.DataFrame) -> pd.DataFrame:
    """Each component 0-1, 1 = more reason to review:

    - spend: the service's net expenditure / the largest service's (negative spend counts 0);
    - cost: the cost robust score capped at +/-3 MADs mapped to 0-1 ((score + 3) / 6); a MAD of 0
      counts as the cap in the direction of the difference;
    - performance: (3 - capped performance score) / 6, blank without performance data;
    - self_assessment: (4 - score) / 3 for the council's own 1-4 VfM score (4 = good value), blank
      where not given.
    """
    out = frame.copy()
    spend = out["net_expenditure_gbp_k"].clip(lower=0)
    out["spend_component"] = spend / spend.max() if spend.max() > 0 else 0.0
    cost = out["cost_robust_score"].copy()
    zero = out["mad_is_zero"].fillna(False).astype(bool) & cost.isna()
    cost[zero] = np.sign(out.loc[zero, "diff_per_head_gbp"]) * SCORE_CAP
    out["cost_component"] = (cost.clip(-SCORE_CAP, SCORE_CAP) + SCORE_CAP) / (2 * SCORE_CAP)
    out["performance_component"] = (
        SCORE_CAP - out["performance_score"].clip(-SCORE_CAP, SCORE_CAP)
    ) / (2 * SCORE_CAP)
    out["self_assessment_component"] = (4 - out["self_assessment_score"]) / 3
    return out


def priorities(
    positions_frame: pd.DataFrame, quadrant_frame: pd.DataFrame, settings: BenchmarkSettings
) -> pd.DataFrame:
    """Services ranked for a VfM deep dive by a weighted score 0-100 (weights from council.yaml,
    re-scaled over the components each service has)."""
    frame = positions_frame.rename(
        columns={"robust_score": "cost_robust_score", "diff": "diff_per_head_gbp"}
    )
    frame = frame.merge(
        quadrant_frame[["line", "performance_score", "quadrant", "n_measures"]],
        on="line",
        how="left",
    )
    frame["self_assessment_score"] = [
        self_assessment_for(settings, int(line), svc)
        for line, svc in zip(frame["line"], frame["service"], strict=True)
    ]
    frame = priority_components(frame)
    weights = settings.weights.model_dump()
    comps = [f"{k}_component" for k in weights]
    values = frame[comps].to_numpy(dtype=float)
    w = np.array([weights[k] for k in weights], dtype=float)
    present = ~np.isnan(values)
    total_w = (present * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["priority_score"] = np.where(
            total_w > 0, 100 * np.nansum(values * w, axis=1) / total_w, np.nan
        )
    frame["components_used"] = [
        ", ".join(k for k, p in zip(weights, row, strict=True) if p) for row in present
    ]
    frame = frame.sort_values(
        ["priority_score", "net_expenditure_gbp_k", "line"],
        ascending=[False, False, True],
        na_position="last",
        ignore_index=True,
    )
    frame["rank"] = np.arange(1, len(frame) + 1)
    cols = PRIORITY_COLUMNS
    frame = frame.rename(
        columns={
            "value": "net_expenditure_per_head_gbp",
            "comparator_median": "comparator_median_per_head_gbp",
            "rank_cost": "cost_rank",
        }
    )
    return frame[cols]


def weights_table(settings: BenchmarkSettings) -> pd.DataFrame:
    text = {
        "spend": "size of the service's net spend",
        "cost": "cost per head against the comparator median (MADs)",
        "performance": "performance against the comparator median (MADs, polarity applied)",
        "self_assessment": "the council's own VfM self-assessment (1 = poor to 4 = good)",
    }
    weights = settings.weights.model_dump()
    total = sum(weights.values()) or 1.0
    return pd.DataFrame(
        {
            "component": list(weights),
            "what_it_measures": [text[k] for k in weights],
            "weight": list(weights.values()),
            "weight_share_pct": [v / total for v in weights.values()],
        }
    )


def notional_savings(positions_frame: pd.DataFrame) -> pd.DataFrame:
    """For services above the comparator median per head: what spending at the median would have
    cost. A question for review, not a target."""
    above = positions_frame[positions_frame["diff"] > 0].copy()
    above["notional_saving_gbp_k"] = above["diff"] * above["population"] / 1000.0
    above = above.rename(
        columns={
            "value": "net_expenditure_per_head_gbp",
            "comparator_median": "comparator_median_per_head_gbp",
            "diff": "diff_per_head_gbp",
        }
    )
    above["label"] = "question for review, not a target"
    cols = SAVINGS_COLUMNS
    return above.sort_values("notional_saving_gbp_k", ascending=False, ignore_index=True)[cols]


def vfm_share(settings: BenchmarkSettings) -> tuple[float | None, int]:
    """The share of self-assessed services scoring 2 or above (the Bromsgrove measure), and the
    number of services scored."""
    scores = list(settings.self_assessment.values())
    if not scores:
        return None, 0
    return sum(1 for s in scores if s >= 2) / len(scores), len(scores)


# ---------------------------------------------------------------------------------------------
# The whole run


@dataclass
class BenchmarkResult:
    council: Council
    settings: BenchmarkSettings
    panel: Panel
    year: int
    population_year: int
    council_present: bool
    method_text: str
    messages: list[str]
    comparators: pd.DataFrame
    positions: pd.DataFrame
    resilience: pd.DataFrame
    performance: pd.DataFrame
    performance_points: pd.DataFrame
    quadrants: pd.DataFrame
    priorities: pd.DataFrame
    savings: pd.DataFrame
    unmatched: pd.DataFrame
    unit_costs_all: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def n_comparators(self) -> int:
        return int(self.comparators["role"].eq("comparator").sum()) if len(self.comparators) else 0


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


def run(
    council: Council, public_data: Path | None = None, year: int | None = None
) -> BenchmarkResult:
    """Load the data and compute every table the notebook shows."""
    settings = load_settings(council)
    panel = load_panel(council, settings, public_data)
    rs = panel.rs
    year = int(year if year is not None else rs["year"].max())
    code = council.ons_code
    messages: list[str] = []
    costs, unmatched_costs = unit_costs(rs, panel.population, year)
    _, pop_year = population_for(panel.population, year)
    if pop_year != year:
        messages.append(
            f"Population: mid-{pop_year} estimates used for {year_label(year)} (mid-{year} not available)."
        )
    present = bool((costs["ons_code"] == code).any())
    groups, method_text = comparator_group(code, council.authority_class, settings, panel, year)

    names = (
        pd.concat(
            [
                rs[["ons_code", "name", "authority_class"]],
                panel.population[["ons_code", "name", "authority_class"]],
            ]
        )
        .dropna(subset=["ons_code"])
        .drop_duplicates("ons_code")
    )
    names = names.set_index("ons_code")
    in_year = set(costs["ons_code"])
    comparators = pd.concat(
        [
            pd.DataFrame({"comparator_code": [code], "neighbour_rank": [0]}),
            groups.drop(columns=["ons_code"], errors="ignore"),
        ],
        ignore_index=True,
    )
    comparators["name"] = (
        comparators["comparator_code"].map(names["name"]).fillna("(not in the data)")
    )
    comparators["authority_class"] = comparators["comparator_code"].map(names["authority_class"])
    comparators["in_cost_data"] = comparators["comparator_code"].isin(in_year)
    comparators["role"] = np.where(comparators["comparator_code"] == code, "council", "comparator")
    comparators = comparators.rename(columns={"comparator_code": "ons_code"})
    keep = ["ons_code", "name", "authority_class", "role", "neighbour_rank", "in_cost_data"] + (
        ["distance"] if "distance" in comparators else []
    )
    comparators = comparators[keep]
    missing_comp = comparators[~comparators["in_cost_data"]]
    unmatched_parts = [unmatched_costs]
    if len(missing_comp):
        unmatched_parts.append(
            unmatched_frame(
                "comparator group",
                missing_comp["ons_code"],
                missing_comp["name"],
                f"in the comparator group but no {year_label(year)} cost data (boundary change: the code may postdate the data)",
            )
        )

    if not present:
        messages.append(
            f"{council.name} ({code}) is not in the {year_label(year)} data ({panel.source}). Its ONS code may "
            "postdate the data (e.g. Dorset Council, E06000059, was created on 1 April 2019 from Dorset County "
            "Council and five districts). No positions can be computed for it from these data; use data for a "
            "year after the change, or a council whose code existed then."
        )
    unit = costs.rename(columns={"net_expenditure_per_head_gbp": "value"})
    pos = (
        comp.positions(unit[["ons_code", "line", "value"]], groups, ["line"])
        if present and len(groups)
        else _empty(["ons_code", "line", *comp.POSITION_COLUMNS])
    )
    if len(pos):
        mine = costs[costs["ons_code"] == code][
            ["line", "service", "net_expenditure_gbp_k", "population"]
        ]
        pos = pos.merge(mine, on="line", how="left")
        pos["year"] = year
        pos = pos.rename(columns={"rank": "rank_cost"})
        pos_table = pos.rename(
            columns={
                "value": "net_expenditure_per_head_gbp",
                "comparator_median": "comparator_median_per_head_gbp",
                "diff": "diff_per_head_gbp",
                "diff_pct": "diff_from_median_pct",
                "rank_cost": "cost_rank",
                "quartile": "cost_quartile",
            }
        )
        pos_table = pos_table[SERVICE_POSITION_COLUMNS]
    else:
        pos_table = _empty(SERVICE_POSITION_COLUMNS)

    # Resilience: every year available, council and comparators.
    indicators = resilience_indicators(rs)
    members = set(comparators["ons_code"])
    res_pos = (
        comp.positions(
            indicators[indicators["ons_code"].isin(members)], groups, ["year", "indicator"]
        )
        if len(groups)
        else _empty(["ons_code", "year", "indicator", *comp.POSITION_COLUMNS])
    )
    res_pos = res_pos[res_pos["ons_code"] == code]
    resilience = res_pos.rename(columns={"comparator_median": "comparator_median_value"}).drop(
        columns=["ons_code"]
    )
    resilience.insert(2, "description", resilience["indicator"].map(INDICATORS))
    resilience.insert(0, "year_label", resilience["year"].map(year_label))
    resilience_all = indicators[indicators["ons_code"].isin(members)]

    # Performance.
    perf_pos = _empty(
        [
            "measure",
            *comp.POSITION_COLUMNS,
            "description",
            "polarity",
            "service_line",
            "performance_score",
            "better_than_median",
            "year",
        ]
    )
    points = _empty(
        [
            "ons_code",
            "name",
            "role",
            "net_expenditure_per_head_gbp",
            "performance_vs_median_pct",
            "service_line",
        ]
    )
    if panel.performance is not None and present and len(groups):
        pyear = performance_year(panel.performance, year)
        if pyear != year:
            messages.append(
                f"Performance: {year_label(pyear)} measures used against {year_label(year)} costs (the nearest year available)."
            )
        perf_pos = performance_positions(panel.performance, groups, pyear, settings)
        perf_pos = perf_pos[perf_pos["ons_code"] == code].drop(columns=["ons_code"])
        unknown = sorted(perf_pos.loc[perf_pos["polarity"] == "unknown", "measure"])
        if unknown:
            messages.append(
                f"Performance measures without a published polarity are shown but not scored: {', '.join(unknown)} (set benchmark.polarity_overrides in council.yaml to score them)."
            )
        points = performance_points(panel.performance, costs, comparators, perf_pos, pyear, code)
    quads = (
        quadrants(pos.rename(columns={"rank_cost": "rank"}), perf_pos)
        if len(pos)
        else _empty(QUADRANT_COLUMNS)
    )
    prios = priorities(pos, quads, settings) if len(pos) else _empty(PRIORITY_COLUMNS)
    savings = notional_savings(pos) if len(pos) else _empty(SAVINGS_COLUMNS)
    unmatched = pd.concat(unmatched_parts, ignore_index=True).drop_duplicates(ignore_index=True)
    unmatched = unmatched.sort_values(["source", "code", "name"], ignore_index=True)[
        UNMATCHED_COLUMNS
    ]
    result = BenchmarkResult(
        council,
        settings,
        panel,
        year,
        pop_year,
        present,
        method_text,
        messages,
        comparators,
        pos_table,
        resilience.reset_index(drop=True),
        perf_pos.reset_index(drop=True),
        points,
        quads,
        prios,
        savings,
        unmatched,
        costs,
    )
    result.resilience_all = resilience_all  # type: ignore[attr-defined]
    return result


def performance_points(
    performance: pd.DataFrame,
    costs: pd.DataFrame,
    comparators: pd.DataFrame,
    perf_pos: pd.DataFrame,
    pyear: int,
    code: str,
) -> pd.DataFrame:
    """For the cost-performance chart: each group member's cost per head on the service and its
    mean polarity-adjusted difference from the comparator median over the scored measures."""
    scored = perf_pos[perf_pos["polarity"].isin(["higher_is_better", "lower_is_better"])].dropna(
        subset=["service_line"]
    )
    if scored.empty:
        return _empty(
            [
                "ons_code",
                "name",
                "role",
                "net_expenditure_per_head_gbp",
                "performance_vs_median_pct",
                "service_line",
            ]
        )
    perf = performance[
        (performance["year"] == pyear)
        & performance["measure"].isin(scored["measure"])
        & performance["ons_code"].isin(comparators["ons_code"])
    ]
    stats = scored.set_index("measure")
    sign = stats["polarity"].map({"higher_is_better": 1.0, "lower_is_better": -1.0})
    perf = perf.assign(
        rel=(perf["value"] - perf["measure"].map(stats["comparator_median"]))
        / perf["measure"].map(stats["comparator_median"]).abs()
        * perf["measure"].map(sign),
        service_line=perf["measure"].map(stats["service_line"]),
    )
    by = (
        perf.groupby(["ons_code", "service_line"], as_index=False)["rel"]
        .mean()
        .rename(columns={"rel": "performance_vs_median_pct"})
    )
    cost = costs[["ons_code", "line", "net_expenditure_per_head_gbp", "name"]].rename(
        columns={"line": "service_line"}
    )
    out = by.merge(cost, on=["ons_code", "service_line"], how="inner")
    out["role"] = np.where(out["ons_code"] == code, "council", "comparator")
    return out[
        [
            "ons_code",
            "name",
            "role",
            "service_line",
            "net_expenditure_per_head_gbp",
            "performance_vs_median_pct",
        ]
    ].sort_values(["service_line", "ons_code"], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Report text


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


# ---------------------------------------------------------------------------------------------
# Charts (figures returned to the notebook, shown with analysis.charts.show)


def chart_positions(result: BenchmarkResult):
    from analysis import charts

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
    from analysis import charts

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
    from analysis import charts

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


# ---------------------------------------------------------------------------------------------
# Validation hook


def validate_inputs(
    council: Council, period: Period, scenario: str, public_data: Path | None
) -> str:
    """Load and check everything notebook 03 reads; returns a one-line summary."""
    settings = load_settings(council)
    panel = load_panel(council, settings, public_data)
    years = sorted(panel.rs["year"].unique())
    n = panel.rs["ons_code"].nunique()
    present = bool((panel.rs["ons_code"] == council.ons_code).any())
    where = (
        "illustrative panel" if panel.illustrative else ("public data" if public_data else "panel")
    )
    return (
        f"Benchmarking ({where}): RS {', '.join(year_label(y) for y in years)} for {n} authorities; "
        f"comparators by {settings.comparator_method.replace('_', ' ')}"
        + ("" if present else f"; {council.ons_code} not in these data")
    )


__all__ = [
    "BenchmarkResult",
    "BenchmarkSettings",
    "Panel",
    "caveats",
    "chart_positions",
    "chart_quadrant",
    "chart_resilience",
    "comparator_group",
    "features_for",
    "find_public_files",
    "headline_items",
    "load_panel",
    "load_settings",
    "notional_savings",
    "performance_positions",
    "priorities",
    "priority_components",
    "quadrants",
    "run",
    "summary_sentences",
    "unit_costs",
    "validate_inputs",
    "vfm_share",
    "weights_table",
    "years_covered",
]
