"""A starter council folder from the published files: ``python -m analysis new-council``.

For any English council in the newest Revenue Outturn Summary (RS) of ``--public-data`` this
writes ``data/raw/<slug>/``:

- ``council.yaml``: name, codes and class as the RS gives them, one directorate per RS service
  line with spending, the savings types and comparators (published nearest neighbours where
  the council has them, else its class);
- ``mtfp.yaml``: the base budget by service (RS net current expenditure), capital financing,
  business rates and grants (RS financing lines), usable reserves and the DSG adjustment account
  at the RS year's 31 March, the council tax base, Band D and requirement of the newest Council
  Tax Requirement (CTR) table, the referendum limits of :data:`LIMITS_FILE` and national default
  pay, price and demand assumptions; each figure names its file and line, each default says so;
- ``savings/<quarter>.xlsx``: an empty savings register for the current quarter, with the
  expected columns, drop-down lists for RAG status, directorate and type, and instructions;
- ``ILLUSTRATIVE.md``: that the plan is a starter and what to replace first.

The figures are found by the publications' own markers (RS line numbers, CTR line
descriptions) through :mod:`analysis.public_data`, never by position.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import InputError, display_path
from analysis.core.periods import Period, year_label
from analysis.public_data.ctr import read_ctr
from analysis.public_data.panel import find_files
from analysis.public_data.rs import SERVICE_LINES, read_rs
from analysis.savings.fields import FIELDS, RAG_ORDER

LIMITS_FILE = Path(__file__).with_name("referendum_limits.csv")
SOCIAL_CARE = ("UA", "MD", "LB", "SC")  # authorities with an adult social care precept
COUNCIL_CLASSES = (*SOCIAL_CARE, "SD")
HORIZON = 5

# National defaults, each said to be one wherever it is written.
DEFAULTS = {
    "pay_award_pct": (0.03, "a 3% pay award a year (national default: recent NJC awards)"),
    "price_inflation_pct": (0.02, "2% a year (national default: the Bank of England's target)"),
    "pay_share": (0.35, "35% of each service's net spend is pay (national default)"),
    "demand_social_care": (0.03, "3% a year (national default for social care demand)"),
    "tax_base_growth_pct": (0.0075, "0.75% a year (national default)"),
    "business_rates_growth_pct": (0.02, "2% a year (national default: CPI uprating)"),
    "minimum_reserve_percent": (5.0, "5% of the net budget (default; set the council's own)"),
}
# The first financial year without the DSG statutory override (national position: extended to
# 31 March 2028 with the 2025-26 local government finance settlement).
OVERRIDE_ENDS = "2028-29"
SAVING_TYPES = ["Efficiency", "Income", "Transformation"]
CORPORATE = "Other corporate items"
# RS lines that are financing, not spending, in the base budget.
CAPITAL_FINANCING_LINES = (773, 781, 786)
GRANT_LINES = {
    851: "Revenue Support Grant",
    803: "Local Services Support Grant",
    804: "Specific and special grants inside AEF",
    791: "Specific and special grants outside AEF",
    856: "Police grant",
    885: "Other items (RS line 885)",
}
REGISTER_ROWS = 500


@dataclass(frozen=True)
class Published:
    """One council's rows in the newest RS and CTR tables, with where they came from."""

    name: str
    ons_code: str
    e_code: str
    authority_class: str
    rs: dict[str, float]  # measure -> £k
    rs_year: int
    rs_file: str
    ctr: dict[str, float]  # standard measure -> value
    ctr_year: int
    ctr_file: str
    has_neighbours: bool
    ctr_note: str = ""  # where the council tax figures come from


def slugify(name: str) -> str:
    """'Kent County Council' -> 'kent-county-council'."""
    text = name.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _newest(files: list[Path], reader, what: str, public: Path) -> tuple[pd.DataFrame, Path]:
    if not files:
        raise InputError.single(display_path(public), f"no {what} found in this folder")
    frames = [(reader(p), p) for p in files]
    return max(frames, key=lambda item: int(item[0]["year"].max()))


def match(query: str, rs: pd.DataFrame, file: str) -> pd.Series:
    """The one authority ``query`` names: an ONS code, or a name (case and punctuation ignored;
    a unique part of a name will do). Refuses none or several, listing them."""
    who = rs.drop_duplicates("ons_code")[["ons_code", "e_code", "name", "authority_class"]]
    who = who[who["authority_class"].isin(COUNCIL_CLASSES)]  # not police, fire or others
    code = query.strip().upper()
    hits = who[who["ons_code"] == code]
    if hits.empty:
        wanted = slugify(query)
        slugs = who["name"].map(slugify)
        hits = who[slugs == wanted]
        if hits.empty:
            hits = who[slugs.str.contains(re.escape(wanted), regex=True)] if wanted else hits
    if len(hits) == 1:
        return hits.iloc[0]
    if hits.empty:
        raise InputError.single(
            file, f"no authority matches '{query}': give its ONS code (E06000059) or its name"
        )
    listed = "; ".join(
        f"{r.name} ({r.authority_class}, {r.ons_code})" for r in hits.head(12).itertuples()
    )
    raise InputError.single(
        file, f"'{query}' matches {len(hits)} authorities: {listed}. Give the ONS code."
    )


def published(query: str, public: Path) -> Published:
    """The newest RS and CTR figures of the council ``query`` names."""
    files = find_files(public)
    rs, rs_path = _newest(files["rs"], read_rs, "Revenue Outturn Summary (RS)", public)
    ctr, ctr_path = _newest(files["ctr"], read_ctr, "Council Tax Requirement (CTR) table", public)
    row = match(query, rs, display_path(rs_path))
    own = rs[rs["ons_code"] == row["ons_code"]]
    ctr_year = int(ctr["year"].max())
    mine = ctr[(ctr["e_code"] == row["e_code"]) & (ctr["year"] == ctr_year)]
    mine = mine.dropna(subset=["standard"])
    figures = {s: float(v) for s, v in zip(mine["standard"], mine["value"], strict=True)}
    rs_figures = {m: float(v) for m, v in zip(own["measure"], own["value"], strict=True) if v == v}
    ctr_note = f"CTR {year_label(ctr_year)} ({ctr_path.name})"
    if mine.empty and row["authority_class"] == "SC":
        figures, ctr_note = _precepting(row, rs_figures, ctr, ctr_year, ctr_path.name, rs_path)
    elif mine.empty:
        raise InputError.single(
            display_path(ctr_path),
            f"{row['name']} ({row['e_code']}) is not in the {year_label(ctr_year)} CTR table",
        )
    neighbours = list(Path(public).rglob("*neighbour*.json"))
    has = False
    if neighbours:
        has = row["ons_code"] in json.loads(neighbours[0].read_text(encoding="utf-8"))
    return Published(
        name=str(row["name"]),
        ons_code=str(row["ons_code"]),
        e_code=str(row["e_code"]),
        authority_class=str(row["authority_class"]),
        rs=rs_figures,
        rs_year=int(own["year"].iloc[0]),
        rs_file=rs_path.name,
        ctr=figures,
        ctr_note=ctr_note,
        ctr_year=ctr_year,
        ctr_file=ctr_path.name,
        has_neighbours=has,
    )


def _precepting(
    row: pd.Series, rs: dict[str, float], ctr: pd.DataFrame, year: int, ctr_file: str, rs_path
) -> tuple[dict[str, float], str]:
    """A county council sets no council tax of its own, so the CTR's billing-authority table
    does not list it: its requirement is the RS's (line 890, £ thousand) and its tax base the
    sum of its districts' (CTR line 7; a district's E-code shares the county's first three
    characters, the publisher's own numbering by county area)."""
    area = str(row["e_code"])[:3]
    districts = ctr[
        (ctr["year"] == year)
        & (ctr["standard"] == "tax_base")
        & (ctr["authority_class"] == "SD")
        & ctr["e_code"].astype(str).str.startswith(area)
    ]
    if districts.empty or "RS890" not in rs:
        raise InputError.single(
            display_path(rs_path),
            f"{row['name']} ({row['e_code']}): no council tax requirement (RS line 890) or no "
            f"districts in the {year_label(year)} CTR table to take its tax base from",
        )
    figures = {
        "council_tax_requirement": rs["RS890"] * 1000,
        "tax_base": float(districts["value"].sum()),
    }
    note = (
        f"RS line 890 (council tax requirement) and the tax bases (CTR line 7) of its "
        f"{len(districts)} districts in CTR {year_label(year)} ({ctr_file})"
    )
    return figures, note


def referendum_limits() -> dict[str, tuple[float, float]]:
    """Year -> (core, adult social care precept) limits from :data:`LIMITS_FILE`."""
    with LIMITS_FILE.open(encoding="utf-8") as handle:
        return {
            r["year"]: (float(r["core_limit_fraction"]), float(r["asc_limit_fraction"]))
            for r in csv.DictReader(handle)
        }


def current_quarter(today: date) -> Period:
    year = today.year if today.month >= 4 else today.year - 1
    quarter = ((today.month - 4) % 12) // 3 + 1
    return Period(year, quarter)


def _line(p: Published, line: int, when: str = "") -> float:
    return p.rs.get(f"RS{line}{when}", 0.0)


def _q(text: str) -> str:
    """A YAML string (JSON quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def services(p: Published) -> dict[str, tuple[float, str]]:
    """Directorate -> (£k, where from): each RS service line with spending, and the other
    corporate items between the service total and net revenue expenditure that are neither
    capital financing nor grants."""
    out = {}
    src = f"RS {year_label(p.rs_year)} ({p.rs_file})"
    for line, name in SERVICE_LINES.items():
        value = _line(p, line)
        if value:
            out[name] = (value, f"{src} line {line}, net current expenditure")
    other = (
        _line(p, 800)
        - _line(p, 699)
        - sum(_line(p, n) for n in CAPITAL_FINANCING_LINES)
        - _line(p, 791)
        + _line(p, 806)
    )
    out[CORPORATE] = (
        other,
        f"{src} line 800 less line 699, capital financing (773, 781, 786) and grants outside "
        "AEF (791), plus line 806",
    )
    return out


def _n(value: float) -> str:
    """A number as YAML, every digit kept (12345 or 0.0299, never 1.2e+04)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _by_year(values: dict[str, float]) -> str:
    return "{" + ", ".join(f"{y}: {_n(v)}" for y, v in values.items()) + "}"


def mtfp_yaml(p: Published, today: date) -> str:
    """The starter ``mtfp.yaml`` (text with a comment on every figure)."""
    base = p.rs_year + 1  # opens on the reserves at the RS year's 31 March
    years = [year_label(base + i) for i in range(HORIZON)]
    limits = referendum_limits()
    latest = max(limits)
    social_care = p.authority_class in SOCIAL_CARE
    core = {y: limits.get(y, limits[latest])[0] for y in years}
    asc = {y: (limits.get(y, limits[latest])[1] if social_care else 0.0) for y in years}
    after = [y for y in years if y not in limits]
    rs_src = f"RS {year_label(p.rs_year)} ({p.rs_file})"
    ctr_src = p.ctr_note
    pay_share, pay_note = DEFAULTS["pay_share"]
    lines = [
        f"# Starter MTFP for {p.name} ({p.authority_class}, {p.ons_code}), written by",
        f"# `python -m analysis new-council` on {today.isoformat()} from the published files.",
        "# Every figure names its file and line; every default says it is one. Replace the",
        "# defaults with the council's own plan first (see ILLUSTRATIVE.md). Rates are fractions,",
        "# money in £ thousand unless the key ends _gbp.",
        "description: >-",
        f"  Starter plan for {p.name} built from published government data: the",
        f"  {year_label(p.rs_year)} Revenue Outturn Summary ({p.rs_file}) and the",
        f"  {year_label(p.ctr_year)} Council Tax Requirement table ({p.ctr_file}). Pay, prices,",
        "  demand and growth are national defaults, not the council's own assumptions.",
        f"base_year: {years[0]}",
        f"horizon_years: {HORIZON}",
        "",
        f"# Base budget: each service's net current expenditure in {rs_src}; {pay_note}.",
        "base_budget:",
    ]
    lines_by_service = services(p)
    for name, (value, where) in lines_by_service.items():
        pay = round(value * pay_share) if value > 0 and name != CORPORATE else 0
        lines.append(
            f"  {_q(name)}: {{pay_gbp_k: {_n(pay)}, non_pay_gbp_k: {_n(value - pay)}}}  # {where}"
        )
    pay_award, pay_award_note = DEFAULTS["pay_award_pct"]
    price, price_note = DEFAULTS["price_inflation_pct"]
    demand, demand_note = DEFAULTS["demand_social_care"]
    lines += [
        "",
        f"pay_award_pct: {pay_award:g}  # default: {pay_award_note}",
        f"price_inflation_pct: {price:g}  # default: {price_note}",
        "demand_growth_pct:",
    ]
    for name in lines_by_service:
        growing = name in ("Adult social care", "Children's social care")
        lines.append(
            f"  {_q(name)}: {demand if growing else 0:g}  # default: "
            + (demand_note if growing else "no demand growth")
        )
    capital = sum(_line(p, n) for n in CAPITAL_FINANCING_LINES)
    tax_base = p.ctr["tax_base"]
    requirement = p.ctr["council_tax_requirement"]
    growth, growth_note = DEFAULTS["tax_base_growth_pct"]
    rates_growth, rates_note = DEFAULTS["business_rates_growth_pct"]
    lines += [
        "",
        f"capital_financing_gbp_k: {_n(capital)}  # {rs_src} lines 773 (minimum revenue provision) + "
        "781 (interest payable) + 786 (interest and investment income), every year (default: flat)",
        "contingency_gbp_k: 0  # default: none",
        "",
        "council_tax:",
        f"  tax_base_band_d_equivalents: {tax_base!r}  # {ctr_src}: tax base for council tax "
        "setting (CTR line 7); replace with the base year's",
        f"  tax_base_growth_pct: {growth:g}  # default: {growth_note}",
        f"  band_d_gbp: {requirement / tax_base!r}  # {ctr_src}: council tax requirement "
        f"£{requirement:,.0f} / tax base, so tax base x Band D is the requirement"
        + (
            f"; the published average Band D (CTR line 9) is £{p.ctr['band_d']:,.2f}"
            if "band_d" in p.ctr
            else ""
        ),
        "  asc_precept_in_band_d_gbp: 0  # default: not in these files; give the council's own",
        f"  core_increase_pct: {_by_year(core)}  # default: the referendum limit each year",
        f"  asc_precept_increase_pct: {_by_year(asc)}  # default: the limit each year"
        + ("" if social_care else " (no adult social care precept for this class)"),
        f"  referendum_limit_core_pct: {_by_year(core)}  # library table "
        "analysis/mtfp/referendum_limits.csv"
        + (f"; {', '.join(after)}: default, the latest year's limit" if after else ""),
        f"  referendum_limit_asc_pct: {_by_year(asc)}  # the same table"
        + ("" if social_care else " (no adult social care precept for this class)"),
        f"collection_fund_gbp_k: {_by_year({y: (-_line(p, 880) if i == 0 else 0) for i, y in enumerate(years)})}"
        f"  # {rs_src} line 880 (surplus +) in the first year; later years default 0",
        "business_rates:",
        f"  base_gbp_k: {_n(-_line(p, 870))}  # {rs_src} line 870: retained income from the rate "
        "retention scheme",
        f"  growth_pct: {rates_growth:g}  # default: {rates_note}",
        "grants:",
    ]
    grants = [(line, name) for line, name in GRANT_LINES.items() if _line(p, line)]
    for line, name in grants:
        lines.append(
            f"  {_q(name)}: {{base_gbp_k: {_n(-_line(p, line))}, growth_pct: 0, certainty: assumed}}"
            f"  # {rs_src} line {line}; growth: default 0"
        )
    if not grants:
        lines[-1] = "grants: {}  # no grant lines in the RS financing"
    deficit = max(0.0, -_line(p, 912, "_31mar"))
    general_fund = _line(p, 916, "_31mar")
    earmarked = _line(p, 915, "_31mar") + _line(p, 914, "_31mar")
    lines += [
        "",
        f"saving_types: [{', '.join(SAVING_TYPES)}]  # default: replace with the council's",
        "planned_savings: []  # none yet: add the council's savings by year",
        "savings_delivery:",
        "  current_year: plan",
        "  later_years_rate: 1.0",
        "  later_years_basis: 'default: savings counted in full until the council states a rate'",
        "",
        "reserves:",
        f"  general_fund_opening_gbp_k: {_n(general_fund)}  # {rs_src} line 916, unallocated "
        f"reserves at 31 March {p.rs_year + 1}",
        f"  earmarked_opening_gbp_k: {_n(earmarked)}  # {rs_src} lines 915 (other earmarked) + 914 "
        f"(public health) at 31 March {p.rs_year + 1}",
        "  general_fund_contributions_gbp_k: 0  # default: none planned",
        "  earmarked_contributions_gbp_k: 0  # default: none planned",
        "",
        "# The high-needs block: no projection is published, so the deficit is held at its",
        "# 31 March level (in-year spend = grant) until the council gives its EHCP numbers and costs.",
        "dsg_high_needs:",
        f"  opening_deficit_gbp_k: {_n(deficit)}  # {rs_src} line 912, DSG adjustment account at "
        f"31 March {p.rs_year + 1} (a deficit is a negative balance)",
        "  plans_base_year: 1000  # default placeholder",
        "  plan_growth_pct: 0  # default",
        "  placements: {all: {share: 1.0, unit_cost_gbp: 10000}}  # default placeholder",
        "  unit_cost_inflation_pct: 0  # default",
        "  other_spend_gbp_k: 0  # default",
        "  grant_gbp_k: 10000  # default placeholder: equal to the placeholder spend",
        "  grant_growth_pct: 0  # default",
        f"  statutory_override_ends: {OVERRIDE_ENDS}  # default: the national position (override "
        "extended to 31 March 2028)",
        "",
        "monte_carlo:  # default ranges around each scenario's values",
        "  draws: 10000",
        "  seed: 1",
        "  distributions:",
        "    pay_award_pct: {distribution: normal, sd: 0.01}",
        "    price_inflation_pct: {distribution: triangular, below: 0.01, above: 0.02}",
        "    demand_growth_pct: {distribution: triangular, below: 0.01, above: 0.02}",
        "    council_tax.tax_base_growth_pct: {distribution: uniform, below: 0.005, above: 0.005}",
        "",
        "scenarios:",
        "  base: {}",
    ]
    return "\n".join(lines) + "\n"


def council_yaml(p: Published, directorates: list[str], period: Period) -> str:
    percent, note = DEFAULTS["minimum_reserve_percent"]
    method = "nearest_neighbours" if p.has_neighbours else "class"
    return "\n".join(
        [
            "# Written by `python -m analysis new-council` from the published files: identity as",
            f"# the {year_label(p.rs_year)} Revenue Outturn Summary ({p.rs_file}) gives it.",
            f"name: {_q(p.name)}",
            f"ons_code: {p.ons_code}",
            f"e_code: {p.e_code}",
            f"authority_class: {p.authority_class}",
            'committee: ""  # set the committee the pack reports to',
            f"minimum_general_fund_reserve: {{percent_of_net_budget: {percent:g}}}  # {note}",
            "directorates:  # one per RS service line with spending: replace with the council's",
            *[f"  - {_q(d)}" for d in directorates],
            f"default_period: {period}",
            "savings:",
            f"  types: [{', '.join(SAVING_TYPES)}]",
            "  columns: {}",
            "benchmark:",
            f"  comparator_method: {method}",
            "",
        ]
    )


def register_template(path: Path, directorates: list[str], types: list[str]) -> None:
    """An empty savings register: the expected columns, drop-down lists for RAG status,
    directorate and type, and an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    headers = [
        FIELDS["reference"][0],
        FIELDS["title"][0],
        FIELDS["directorate"][0],
        FIELDS["service"][0],
        FIELDS["type"][0],
        FIELDS["financial_year"][0],
        "Planned (£k)",
        "Delivered to date (£k)",
        "Forecast (£k)",
        FIELDS["rag"][0],
        FIELDS["owner"][0],
        FIELDS["mitigation"][0],
        FIELDS["note"][0],
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = "Savings"
    sheet.append(headers)
    lists = book.create_sheet("Lists")
    for col, values in enumerate((RAG_ORDER, directorates, types), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row, col, value)
    lists.sheet_state = "hidden"
    last = REGISTER_ROWS + 1
    for letter, column, n in (("J", "A", 4), ("C", "B", len(directorates)), ("E", "C", len(types))):
        check = DataValidation(
            type="list", formula1=f"=Lists!${column}$1:${column}${n}", allow_blank=True
        )
        check.error = "Choose a value from the list"
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}{last}")
    notes = book.create_sheet("Instructions")
    for text in (
        "How to fill in this savings register",
        "One row per saving and financial year, under the headers on the Savings sheet.",
        "Reference: a unique code for the saving. Title: what it is.",
        "Directorate and Type: choose from the drop-down lists (they follow council.yaml).",
        "Financial year: as 2024-25. Money in £ thousand: Planned, Delivered to date and the "
        "Forecast for the year.",
        "RAG: Blue (delivered), Green (on track), Amber (at risk) or Red (will not be delivered).",
        "Owner and Mitigation: who is responsible, and what is done where a saving is at risk.",
        "Save a copy for each quarter as savings/<year>-Q<n>.xlsx (e.g. 2024-25-Q2.xlsx).",
    ):
        notes.append([text])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def illustrative_md(p: Published) -> str:
    return (
        f"# {p.name}: a starter plan\n\n"
        f"Built on published data and national defaults: a starter plan for {p.name} from the "
        f"{year_label(p.rs_year)} Revenue Outturn Summary and the {year_label(p.ctr_year)} Council "
        "Tax Requirement table, with pay, prices and demand at national defaults. These are not "
        "the council's own budget figures.\n\n"
        "Replace first, in mtfp.yaml: the pay award, price inflation and demand growth (each "
        "marked as a default); the council tax base and Band D for the plan's first year; the "
        "split of each service between pay and other spending; the high-needs (DSG) projection; "
        "then add the planned savings and fill in the savings register for the quarter. Delete "
        "this file when every input is the council's own.\n"
    )


def new_council(
    query: str, public: Path, today: date | None = None, root: Path | None = None
) -> tuple[Published, Path]:
    """Write the starter folder for the council ``query`` names; returns it and the folder.
    Refuses to overwrite an existing folder."""
    p = published(query, Path(public))
    slug = slugify(p.name)
    folder = (root or paths.raw_dir()) / slug
    if folder.exists():
        raise InputError.single(
            display_path(folder),
            f"already exists: {p.name} ({p.authority_class}, {p.ons_code}) has a folder; "
            "nothing was written (remove it first to start again)",
        )
    today = today or date.today()
    period = current_quarter(today)
    directorates = list(services(p))
    folder.mkdir(parents=True)
    (folder / "mtfp.yaml").write_text(mtfp_yaml(p, today), encoding="utf-8")
    (folder / "council.yaml").write_text(council_yaml(p, directorates, period), encoding="utf-8")
    (folder / "ILLUSTRATIVE.md").write_text(illustrative_md(p), encoding="utf-8")
    register_template(folder / "savings" / f"{period}.xlsx", directorates, SAVING_TYPES)
    return p, folder
