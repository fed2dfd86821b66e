"""The national outputs of a batch: one index page and tidy tables for every council.

Every figure is read from the council's own published pack (its ``tables/*.csv``), so the index
says what each council's summary says. The tables stack each council's table of the same name
with the council's slug, ONS code, name and class in front (CSV and Parquet).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.core.display import gbp_m_text, half_up, pct_text
from analysis.core.periods import year_label
from analysis.core.tables import save_table
from analysis.pack.render import PageInfo, page
from analysis.summary.tables import without_schools

NATIONAL_TABLES = (
    "benchmark_positions",
    "benchmark_resilience",
    "benchmark_review_proposals",
    "benchmark_priorities",
    "summary_key_figures",
    "benchmark_financial_position",
)
ID_COLUMNS = ["council", "ons_code", "council_name", "authority_class"]
RESERVES_INDICATOR = "reserves_to_nre_ratio"

SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th button").forEach(function (button, column) {
    button.addEventListener("click", function () {
      var th = button.parentElement;
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-sort"), y = b.cells[column].getAttribute("data-sort");
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def _read(pack: Path, name: str) -> pd.DataFrame | None:
    path = pack / "tables" / f"{name}.csv"
    return pd.read_csv(path) if path.is_file() else None


def national_tables(outcomes: list[dict]) -> dict[str, pd.DataFrame]:
    """Each of :data:`NATIONAL_TABLES` stacked over the councils whose pack is published."""
    stacked: dict[str, list[pd.DataFrame]] = {name: [] for name in NATIONAL_TABLES}
    for outcome in outcomes:
        if outcome["status"] not in ("ok", "skipped") or not outcome["pack"]:
            continue
        for name in NATIONAL_TABLES:
            frame = _read(Path(outcome["pack"]), name)
            if frame is None:
                continue
            ids = {
                "council": outcome["slug"],
                "ons_code": outcome["ons_code"],
                "council_name": outcome["name"],
                "authority_class": outcome["authority_class"],
            }
            # The batch's identifiers lead; a table that names the council itself (the financial
            # position's ons_code) gives way to them, so no column is named twice.
            frame = frame.drop(columns=[c for c in ID_COLUMNS if c in frame.columns])
            stacked[name].append(frame.assign(**ids)[ID_COLUMNS + list(frame.columns)])
    return {
        name: pd.concat(frames, ignore_index=True) for name, frames in stacked.items() if frames
    }


def headline(pack: Path) -> dict:
    """The figures the index shows for one council, from its own tables."""
    out: dict = {"reserves_to_nre": None, "above_median": None, "services": None, "review": []}
    resilience = _read(pack, "benchmark_resilience")
    if resilience is not None and not resilience.empty:
        rows = resilience[resilience["indicator"] == RESERVES_INDICATOR]
        if not rows.empty:
            value = rows.sort_values("year").iloc[-1]["value"]
            out["reserves_to_nre"] = None if pd.isna(value) else float(value)
    positions = _read(pack, "benchmark_positions")
    if positions is not None and not positions.empty:
        latest = positions[positions["year"] == positions["year"].max()]
        known = latest.dropna(subset=["diff_per_head_gbp"])
        out["above_median"] = int((known["diff_per_head_gbp"] > 0).sum())
        out["services"] = len(known)
    key_figures = _read(pack, "summary_key_figures")
    if key_figures is not None and not key_figures.empty:
        ranks = key_figures[key_figures["measure"] == "review_priority_rank"]
        out["review"] = list(ranks.sort_values("value")["service"].astype(str))
    return out


def finance_headline(pack: Path) -> dict:
    """The council's financial-position figures (``benchmark_financial_position``, one row):
    the DSG deficit per head, the capital financing requirement per head and the largest
    overspend against budget, each with its year; None where the pack has no figure."""
    out: dict = dict.fromkeys(
        ["dsg_per_head", "dsg_year", "cfr_per_head", "debt_year", "overspend", "budget_year"]
    )
    frame = _read(pack, "benchmark_financial_position")
    if frame is None or frame.empty:
        return out
    row = frame.iloc[0]

    def number(column: str):
        value = row.get(column)
        return None if value is None or pd.isna(value) else float(value)

    out["dsg_per_head"], out["dsg_year"] = number("dsg_deficit_per_head_gbp"), number("dsg_year")
    out["no_schools"] = without_schools(frame)
    out["cfr_per_head"], out["debt_year"] = number("cfr_per_head_gbp"), number("debt_year")
    out["budget_year"] = number("budget_year")
    service, amount = row.get("largest_overspend_service"), number("largest_overspend_gbp_k")
    if isinstance(service, str) and amount is not None:
        out["overspend"] = (service, amount)
    return out


def _year_text(year) -> str:
    return "" if year is None else f" ({year_label(int(year))})"


def finance_cells(pack: Path) -> list[str]:
    """The index cells of :func:`finance_headline`: each figure with its year."""
    f = finance_headline(pack)
    dsg, cfr, over = f["dsg_per_head"], f["cfr_per_head"], f["overspend"]
    return [
        _cell(
            "No schools"
            if f.get("no_schools")
            else "No data"
            if dsg is None
            else f"£{half_up(dsg, 0)}{_year_text(f['dsg_year'])}",
            dsg,
        ),
        _cell("No data" if cfr is None else f"£{half_up(cfr, 0)}{_year_text(f['debt_year'])}", cfr),
        _cell(
            "No data"
            if over is None
            else html.escape(f"{over[0]}: {gbp_m_text(over[1])}{_year_text(f['budget_year'])}"),
            None if over is None else over[1],
        ),
    ]


def _cell(text: str, sort: str | float | None) -> str:
    if sort is None or (isinstance(sort, float) and math.isnan(sort)):
        sort = ""
    return f'<td data-sort="{html.escape(str(sort))}">{text}</td>'


def index_rows(outcomes: list[dict], output_root: Path) -> list[str]:
    rows = []
    for o in outcomes:
        name = html.escape(o["name"])
        if o["status"] in ("ok", "skipped") and o["pack"]:
            pack = Path(o["pack"])
            link = html.escape(str(pack.relative_to(output_root) / "index.html"))
            council = f'<a href="../{link}">{name}</a>'
            figures = headline(pack)
            reserves = figures["reserves_to_nre"]
            above, services = figures["above_median"], figures["services"]
            status = "Built" if o["status"] == "ok" else "Unchanged since last run"
            review = html.escape("; ".join(figures["review"])) or "None proposed"
            cells = [
                _cell(council, o["name"]),
                _cell(html.escape(o["authority_class"]), o["authority_class"]),
                _cell(html.escape(o["period"]), o["period"]),
                _cell(
                    "No data" if reserves is None else pct_text(reserves, 1),
                    reserves,
                ),
                _cell(
                    "No data" if services is None else f"{above} of {services}",
                    above,
                ),
                _cell(review, "; ".join(figures["review"])),
                *finance_cells(pack),
                _cell(status, status),
            ]
        else:
            reason = html.escape(o["reason"].splitlines()[0] if o["reason"] else "failed")
            cells = [
                _cell(name, o["name"]),
                _cell(html.escape(o["authority_class"]), o["authority_class"]),
                _cell(html.escape(o["period"]) or "-", o["period"]),
                _cell("-", None),
                _cell("-", None),
                _cell("-", ""),
                *[_cell("-", None)] * 3,
                _cell(f"Failed: {reason}", "Failed"),
            ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return rows


HEADERS = (
    "Council",
    "Class",
    "Period",
    "Usable reserves / net revenue expenditure",
    "Services costing more per head than the comparator median",
    "Services proposed for a value-for-money review",
    "Schools high-needs deficit per head at 31 March (DSG adjustment account)",
    "Capital financing requirement per head at 31 March",
    "Largest overspend against budget",
    "Pack",
)


def index_html(outcomes: list[dict], output_root: Path, seconds: float) -> str:
    """The national index page: every council, its headline figures, sortable, linked."""
    built = sum(o["status"] == "ok" for o in outcomes)
    skipped = sum(o["status"] == "skipped" for o in outcomes)
    failed = [o for o in outcomes if o["status"] == "failed"]
    heads = "".join(
        f'<th scope="col"><button type="button">{html.escape(h)}</button></th>' for h in HEADERS
    )
    summary = (
        f"<p>Packs for {len(outcomes)} councils: {built} built, {skipped} unchanged since the "
        f"last run, {len(failed)} failed. Each figure comes from the council's own pack; select "
        "a column heading to sort by it. Benchmarks pose questions; they are not league "
        "tables.</p>"
    )
    body = (
        summary
        + '<div class="table-wrap"><table class="sortable"><caption>Every council in this run, '
        "with its headline benchmarking figures</caption>"
        + f"<thead><tr>{heads}</tr></thead><tbody>"
        + "".join(index_rows(outcomes, output_root))
        + "</tbody></table></div>"
        + f"<script>{SORT_SCRIPT}</script>"
    )
    info = PageInfo(
        council="England",
        committee="",
        period_label=", ".join(sorted({o["period"] for o in outcomes if o["period"]})),
        scenario="base",
        built=dt.datetime.now(dt.UTC).astimezone().strftime("%d %B %Y %H:%M %Z"),
        build=f"analysis {__version__}",
        footer=f"Batch of {len(outcomes)} councils in {seconds:.0f} s.",
    )
    return page(body, "Council finance packs: national index", info)


def write_national(outcomes: list[dict], output_root: Path, seconds: float) -> Path:
    """Write ``<output_root>/national/index.html`` and its tables; returns the index path."""
    folder = Path(output_root) / "national"
    tables = folder / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    for name, frame in national_tables(outcomes).items():
        save_table(frame, f"national_{name}", tables)
        frame.to_parquet(tables / f"national_{name}.parquet", index=False)
    pd.DataFrame(outcomes).drop(columns=["pack"]).to_csv(
        folder / "batch_report.csv", index=False, lineterminator="\n"
    )
    index = folder / "index.html"
    index.write_text(index_html(outcomes, Path(output_root), seconds), "utf-8")
    return index
