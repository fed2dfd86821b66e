"""The pack's cover page, ``index.html``: it leads with the headline figures and the summary's
messages (read from the tables the summary saved, ``summary_tiles`` and ``summary_messages``),
then the reports and the files finance teams use; how the pack was built (versions,
fingerprints) is folded at the bottom."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from analysis.core.config import load_council
from analysis.core.csvtext import read_csv_records
from analysis.core.periods import Period
from analysis.core.scenarios import key_in_words, title_in_folder
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
        "the pack's manifest, so the same figures can be rebuilt and checked.",
        f"Period: {Period.parse(manifest['period']).description}. "
        f"Scenario: {key_in_words(manifest['scenario'])}. Python {manifest['packages'].get('python', '?')}, "
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


def summary_tables(directory: Path | None) -> tuple[list[dict], list[dict]]:
    """The headline tiles and messages the summary saved in ``directory/tables`` (empty when
    the summary was not part of this run)."""
    if directory is None:
        return [], []
    found = []
    for name in ("summary_tiles", "summary_messages"):
        path = Path(directory) / "tables" / f"{name}.csv"
        rows = read_csv_records(path) if path.is_file() else []
        found.append(sorted(rows, key=lambda r: int(r.get("order") or 0)))
    return found[0], found[1]


def headline_section(tiles: list[dict], messages: list[dict]) -> str:
    """The headline figures and the summary's messages, each linking to its report."""
    if not tiles and not messages:
        return (
            '<p class="cover-lead">The quarterly summary was not part of this run, so the '
            "headline figures are in the reports below.</p>"
        )
    from analysis.core.display import headline_html  # (loads pandas: only when a cover is written)

    parts = []
    if tiles:
        parts.append(
            headline_html((t["label"] or "", t["value"] or "", t["note"] or "") for t in tiles)
        )
    items = []
    for message in messages:
        text = html.escape(message.get("message") or "")
        if message.get("report_href"):
            text += (
                f' <a class="detail-link" href="{html.escape(message["report_href"], quote=True)}">'
                f"Detail: {html.escape(message.get('report_title') or '')}</a>"
            )
        items.append(f"<li>{text}</li>")
    if items:
        parts.append('<ul class="key-messages">' + "".join(items) + "</ul>")
    return "".join(parts)


def _files_section(directory: Path | None) -> str:
    """Links to the files finance teams use, where the pack has them."""
    links = []
    if directory is None or (Path(directory) / "tables.xlsx").is_file():
        links.append(
            '<li><a href="tables.xlsx">Every table as an Excel workbook</a>, one sheet a '
            "table with a contents sheet</li>"
        )
    if directory is None or (Path(directory) / "charts").is_dir():
        links.append('<li><a href="charts/">Every chart as a picture</a> (PNG and SVG)</li>')
    if not links:
        return ""
    return '<h2 id="files">Files for finance teams</h2><ul>' + "".join(links) + "</ul>"


def cover_body(manifest: dict, directory: Path | None = None) -> str:
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
            f'<td class="text"><span class="{cls}">{label}</span></td></tr>'
        )
    period = Period.parse(manifest["period"])
    tiles, messages = summary_tables(directory)
    intro = (
        f'<p class="cover-lead">{html.escape(manifest["council_name"])}\'s finances for '
        f"{html.escape(period.description)}: the headline figures, then the reports.</p>"
    )
    table = (
        '<div class="table-wrap" role="region" tabindex="0" aria-label="Reports in this pack">'
        '<table class="data-table"><caption>Reports in this pack</caption>'
        '<thead><tr><th scope="col" class="text">Report</th><th scope="col" class="text">What it covers</th>'
        '<th scope="col" class="text">Status</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )
    words = "".join(f"<li>{html.escape(s)}</li>" for s in provenance_sentences(manifest))
    return (
        '<div class="cover-page">'
        + intro
        + '<h2 id="headline">The headline</h2>'
        + headline_section(tiles, messages)
        + '<h2 id="reports">Reports</h2>'
        + table
        + _files_section(directory)
        + '<details class="provenance"><summary id="provenance">How this pack was built</summary>'
        + f"<ul>{words}</ul></details></div>"
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
        loaded = load_council(manifest["council"])
        committee = loaded.committee
        scenario = title_in_folder(loaded.folder, manifest["scenario"])
    except Exception:  # the cover must not fail for want of a committee name
        committee, scenario = "", key_in_words(manifest["scenario"])
    info = PageInfo(
        council=manifest["council_name"],
        committee=committee,
        period_label=period.label,
        scenario=scenario,
        built=_when(manifest["built_at"]),
        build=build,
        nav=nav,
        footer="How this pack was built is at the end of this page.",
        illustrative=illustrative_note(manifest["council"]),
    )
    path = directory / "index.html"
    path.write_text(
        page(cover_body(manifest, directory), f"Quarterly finance pack, {period.label}", info),
        "utf-8",
    )
    return path
