"""The pack's cover page, ``index.html``: what is in the pack and what it was built from."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from analysis.periods import Period
from analysis.render import PageInfo, page


def provenance_sentences(manifest: dict) -> list[str]:
    """The manifest in words, for readers who will never open the JSON."""
    git = manifest.get("git", {})
    commit = (git.get("commit") or "an unknown version")[:10]
    state = " with uncommitted local changes" if git.get("dirty") else ""
    sentences = [
        f"Built on {_when(manifest['built_at'])} from version {commit} of the analysis code{state}.",
        f"Inputs: {len(manifest.get('inputs', {}))} data files, each fingerprinted (SHA-256) in "
        "manifest.json, so the same figures can be rebuilt and checked.",
        f"Scenario: '{manifest['scenario']}'. Python {manifest['packages'].get('python', '?')}, "
        f"pandas {manifest['packages'].get('pandas', '?')}.",
    ]
    unmatched = manifest.get("unmatched_authorities") or []
    if unmatched:
        sentences.append(
            f"{len(unmatched)} authorities could not be matched between public data sources and "
            "are listed in the benchmarking report."
        )
    return sentences


def _when(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%d %B %Y at %H:%M")


def cover_body(manifest: dict) -> str:
    rows = []
    for entry in manifest["notebooks"]:
        status = entry["status"]
        cls = "status-ok" if status == "ok" else "status-failed"
        label = "Ready" if status == "ok" else status.capitalize()
        link = (
            f'<a href="{html.escape(entry["html"])}">{html.escape(entry["title"])}</a>'
            if status == "ok"
            else html.escape(entry["title"])
        )
        rows.append(
            f'<tr><th scope="row" class="text">{link}</th>'
            f'<td class="text"><span class="{cls}">{label}</span></td>'
            f'<td class="num">{len(entry.get("tables", []))}</td></tr>'
        )
    period = Period.parse(manifest["period"])
    intro = (
        f"<p>This pack reports {html.escape(manifest['council_name'])}'s finances for "
        f"{html.escape(period.description)}. Start with the quarterly summary; each report "
        "opens with what its figures mean, then the detail.</p>"
    )
    table = (
        '<div class="table-wrap"><table class="data-table"><caption>Reports in this pack</caption>'
        '<thead><tr><th scope="col" class="text">Report</th><th scope="col" class="text">Status</th>'
        '<th scope="col" class="num">Data tables (CSV)</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )
    words = "".join(f"<li>{html.escape(s)}</li>" for s in provenance_sentences(manifest))
    return (
        intro
        + '<h2 id="reports">Reports</h2>'
        + table
        + '<h2 id="provenance">How this pack was built</h2>'
        + f"<ul>{words}</ul>"
        + "<p>The figures behind every chart and table are in the <code>tables/</code> folder "
        "as CSV files; the executed notebooks are in <code>executed/</code>.</p>"
    )


def write_cover(directory: Path, manifest: dict) -> Path:
    period = Period.parse(manifest["period"])
    git = manifest.get("git", {})
    build = (git.get("commit") or "unknown")[:10] + (" (uncommitted changes)" if git.get("dirty") else "")
    nav = [{"title": "Cover", "href": "index.html", "current": True}] + [
        {"title": e["title"], "href": e["html"], "current": False}
        for e in manifest["notebooks"]
        if e["status"] == "ok"
    ]
    info = PageInfo(
        council=manifest["council_name"],
        committee="",
        period_label=period.label,
        scenario=manifest["scenario"],
        built=_when(manifest["built_at"]),
        build=build,
        nav=nav,
        footer="Provenance in manifest.json.",
    )
    path = directory / "index.html"
    path.write_text(page(cover_body(manifest), f"Quarterly finance pack, {period.label}", info), "utf-8")
    return path
