"""The pack's cover page, ``index.html``: what is in the pack and what it was built from."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from analysis.core.config import load_council
from analysis.core.periods import Period
from analysis.pack import catalogue
from analysis.pack.render import PageInfo, build_label, illustrative_note, page


def provenance_sentences(manifest: dict) -> list[str]:
    """The manifest in words, for readers who will never open the JSON."""
    git = manifest.get("git", {})
    commit = (git.get("commit") or "an unknown version")[:10]
    state = " with uncommitted local changes" if git.get("dirty") else ""
    sentences = [
        f"Built on {_when(manifest['built_at'])} from version {commit} of the analysis code{state}.",
        f"Inputs: {len(manifest.get('inputs', {}))} data files, each fingerprinted (SHA-256) in "
        "manifest.json, so the same figures can be rebuilt and checked.",
        f"Period: {Period.parse(manifest['period']).description}. "
        f"Scenario: '{manifest['scenario']}'. Python {manifest['packages'].get('python', '?')}, "
        f"pandas {manifest['packages'].get('pandas', '?')}.",
    ]
    files = sorted(manifest.get("inputs", {}))
    if files:
        sentences.append(f"Data files read: {', '.join(files)}.")
    unmatched = manifest.get("unmatched_authorities") or []
    if unmatched:
        sentences.append(
            f"{len(unmatched)} authorities could not be matched between public data sources and "
            "are listed in the benchmarking report."
        )
    return sentences


def _when(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%d %B %Y at %H:%M")


ABOUT = {
    "summary": "The headline figures on one page: gap, reserves, savings at risk, services to review.",
    "mtfp": "The budget gap over the plan, reserves, the schools high-needs deficit, and scenarios.",
    "savings": "Delivery of this year's savings by value, what is at risk, and movement since last quarter.",
    "benchmark": "Cost and performance against similar councils, and services proposed for review.",
}


def _entries(manifest: dict) -> list[dict]:
    """Every report of the pack in reading order; those not run in this pack say so."""
    run = {entry["key"]: entry for entry in manifest["notebooks"]}
    specs = {spec.key: spec for spec in catalogue.NOTEBOOKS}
    entries = []
    for key in catalogue.READING_ORDER:
        if key in run:
            entries.append(run[key])
        elif key in specs:
            entries.append(
                {"key": key, "title": specs[key].title, "status": "not in this run", "html": None}
            )
    return entries


def cover_body(manifest: dict) -> str:
    rows = []
    for entry in _entries(manifest):
        status = entry["status"]
        cls = {"ok": "status-ok", "not in this run": "status-missing"}.get(status, "status-failed")
        label = "Ready" if status == "ok" else status.capitalize()
        link = (
            f'<a href="{html.escape(entry["html"])}">{html.escape(entry["title"])}</a>'
            if status == "ok"
            else html.escape(entry["title"])
        )
        rows.append(
            f'<tr><th scope="row" class="text">{link}</th>'
            f'<td class="text">{html.escape(ABOUT.get(entry.get("key", ""), ""))}</td>'
            f'<td class="text"><span class="{cls}">{label}</span></td>'
            f'<td class="num" data-label="Data tables (CSV): ">{len(entry.get("tables", []))}</td></tr>'
        )
    period = Period.parse(manifest["period"])
    intro = (
        f"<p>This pack reports {html.escape(manifest['council_name'])}'s finances for "
        f"{html.escape(period.description)}. Start with the quarterly summary; each report "
        "opens with what its figures mean, then the detail.</p>"
    )
    table = (
        '<div class="table-wrap" role="region" tabindex="0" aria-label="Reports in this pack">'
        '<table class="data-table"><caption>Reports in this pack</caption>'
        '<thead><tr><th scope="col" class="text">Report</th><th scope="col" class="text">What it covers</th>'
        '<th scope="col" class="text">Status</th>'
        '<th scope="col" class="num">Data tables (CSV)</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )
    words = "".join(f"<li>{html.escape(s)}</li>" for s in provenance_sentences(manifest))
    return (
        '<div class="cover-page">'
        + intro
        + '<h2 id="reports">Reports</h2>'
        + table
        + '<h2 id="provenance">How this pack was built</h2>'
        + f"<ul>{words}</ul>"
        + "<p>The figures behind every chart and table are in the <code>tables/</code> folder "
        "as CSV files; the executed notebooks are in <code>executed/</code>.</p></div>"
    )


def write_cover(directory: Path, manifest: dict) -> Path:
    period = Period.parse(manifest["period"])
    git = manifest.get("git", {})
    build = build_label(git)
    nav = [{"title": "Cover", "href": "index.html", "current": True}] + [
        {"title": e["title"], "href": e["html"], "current": False}
        for e in manifest["notebooks"]
        if e["status"] == "ok"
    ]
    try:
        committee = load_council(manifest["council"]).committee
    except Exception:  # the cover must not fail for want of a committee name
        committee = ""
    info = PageInfo(
        council=manifest["council_name"],
        committee=committee,
        period_label=period.label,
        scenario=manifest["scenario"],
        built=_when(manifest["built_at"]),
        build=build,
        nav=nav,
        footer="Provenance in manifest.json.",
        illustrative=illustrative_note(manifest["council"]),
    )
    path = directory / "index.html"
    path.write_text(
        page(cover_body(manifest), f"Quarterly finance pack, {period.label}", info), "utf-8"
    )
    return path
