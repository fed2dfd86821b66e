"""The summary as a one-page brief: each message once, in the section that owns it.

:func:`section_messages` gives the messages of each section (the same sentences as
:func:`analysis.summary.messages.key_messages`, the services named in one sentence),
:func:`section_html` a section's opening paragraph with its link; :func:`messages_table` and
:func:`tiles_table` are what the summary saves for the pack's cover.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.core.display import join_words
from analysis.summary.bridge import bridge_sentence
from analysis.summary.report import detail_link_html, services_display
from analysis.summary.sentences import (
    dsg_sentence,
    gap_sentence,
    productivity_sentences,
    published_dsg_sentence,
    reserves_sentence,
    savings_sentence,
)
from analysis.summary.tables import BASE, REPORTS, PackTables, not_in_run_sentence
from analysis.summary.vfm import (
    is_present,
    older_year_sentence,
    published_reserves_sentence,
    top_services,
    vfm_sentence,
)


def services_lead(proposals: pd.DataFrame, status: pd.DataFrame | None) -> str:
    """The services section's one sentence: how many services are proposed and which (the
    reasons are in the table below it); without proposals, the benchmarking's own sentence."""
    top = top_services(proposals, len(proposals)) if proposals is not None else None
    if top is None or top.empty or not is_present(status):
        return vfm_sentence(proposals, status)
    n = len(top)
    names = join_words([str(s) for s in top["service"]])
    if n == 1:
        return f"One service is proposed for a value-for-money review: {names}."
    return f"{n} services are proposed for a value-for-money review, in this order: {names}."


def proposed_services(pack: PackTables) -> pd.DataFrame | None:
    """The services section's table (service, why, in order), or None where there is nothing to
    list (no benchmarking, no data for the council, or no service proposed)."""
    proposals = pack.get("benchmark_review_proposals")
    if not pack.has("benchmark") or proposals is None or proposals.empty:
        return None
    if not is_present(pack.get("benchmark_status")):
        return None
    return services_display(proposals).drop(columns="rank")  # the rows are in order


# The summary's sections, in reading order: (id, heading). Each key message belongs to one.
SECTIONS = (
    ("gap", "Budget gap and reserves"),
    ("savings", "Savings delivery"),
    ("dsg", "Schools high-needs (DSG) deficit"),
    ("services", "Services to review"),
)


def section_messages(
    pack: PackTables, scenario: str = BASE, period_label: str | None = None
) -> list[tuple[str, str, str]]:
    """The summary's messages as (section, sentence, report key), each once, in the section
    that owns it: the same sentences as :func:`key_messages`, but the services to review are
    named in one sentence (their reasons are in the section's table). Worked out once for a
    pack, scenario and period (every section and the saved table read them)."""
    key = ("section_messages", scenario, period_label)
    return list(pack.once(key, lambda: _section_messages(pack, scenario, period_label)))


def _section_messages(
    pack: PackTables, scenario: str, period_label: str | None
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    headline = pack.get("mtfp_headline")
    mtfp = pack.has("mtfp") and headline is not None and not headline.empty
    if mtfp:
        out.append(("gap", gap_sentence(headline, scenario), "mtfp"))
        simulated, leanings = pack.get("mtfp_monte_carlo"), pack.get("mtfp_monte_carlo_leanings")
        out.append(("gap", reserves_sentence(headline, scenario, simulated, leanings), "mtfp"))
        moved = pack.get("mtfp_bridge")
        if moved is not None:  # a pack from before the bridge has no such table: nothing to say
            out.append(("gap", bridge_sentence(moved), "mtfp"))
    elif (reserves := published_reserves_sentence(pack.get("benchmark_resilience"))) is not None:
        # The council's own published reserves, from the benchmarking report.
        out.append(("gap", reserves, "benchmark"))
    else:
        out.append(("gap", not_in_run_sentence("mtfp"), "mtfp"))
    savings = pack.get("savings_headline")
    if pack.has("savings") and savings is not None and not savings.empty:
        out.append(("savings", savings_sentence(savings, period_label), "savings"))
    else:
        out.append(("savings", not_in_run_sentence("savings"), "savings"))
    if mtfp:
        out.append(("dsg", dsg_sentence(headline, scenario), "mtfp"))
    elif (
        published := published_dsg_sentence(pack.get("benchmark_financial_position"))
    ) is not None:
        # The council's own published balance, from the benchmarking.
        out.append(("dsg", published, "benchmark"))
    else:  # the section's heading is on the page: it says why it is empty
        out.append(
            (
                "dsg",
                "The schools high-needs deficit comes with the Medium Term Financial Plan "
                "report, which was not part of this run.",
                "mtfp",
            )
        )
    if pack.has("benchmark"):
        lead = services_lead(pack.get("benchmark_review_proposals"), pack.get("benchmark_status"))
        out.append(("services", lead, "benchmark"))
    else:
        out.append(("services", not_in_run_sentence("benchmark"), "benchmark"))
    older = older_year_sentence(pack.get("benchmark_status")) if pack.has("benchmark") else None
    if older is not None:  # said once, before the first figure it explains
        first = next(i for i, (_s, _m, key) in enumerate(out) if key == "benchmark")
        out.insert(first, (out[first][0], older, "benchmark"))
    return out


def messages_table(
    pack: PackTables, scenario: str = BASE, period_label: str | None = None
) -> pd.DataFrame:
    """The summary's messages as the table it saves (``summary_messages``), which the pack's
    cover shows: ``order, section, message, report, report_title, report_href`` (report
    empty when its report is not in this run)."""
    rows = []
    for order, (section, sentence, key) in enumerate(
        section_messages(pack, scenario, period_label), start=1
    ):
        report = REPORTS[key]
        present = pack.has(key)
        rows.append(
            {
                "order": order,
                "section": section,
                "message": sentence,
                "report": key if present else None,
                "report_title": report.title if present else None,
                "report_href": report.href if present else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["order", "section", "message", "report", "report_title", "report_href"],
    )


def tiles_table(tiles: list[tuple[str, str, str]]) -> pd.DataFrame:
    """The headline tiles as the table the summary saves (``summary_tiles``) for the cover."""
    return pd.DataFrame(
        [{"order": i, "label": a, "value": b, "note": c} for i, (a, b, c) in enumerate(tiles, 1)],
        columns=["order", "label", "value", "note"],
    )


def section_html(
    pack: PackTables, section: str, scenario: str = BASE, period_label: str | None = None
) -> str:
    """A section's messages as its opening paragraph, with a link to the detailed report."""
    found = [
        (t, k) for sec, t, k in section_messages(pack, scenario, period_label) if sec == section
    ]
    if not found:
        return ""
    text = " ".join(html.escape(t) for t, _k in found)
    key = found[0][1]
    link = f" {detail_link_html(key)}" if pack.has(key) else ""
    return f'<p class="section-lead" data-section="{html.escape(section, quote=True)}">{text}{link}</p>'


def productivity_html(pack: PackTables, year_label: str | None = None) -> str:
    """The productivity section's paragraph (the plan's figures in words, or why there are
    none), marked as a section of the brief like the others (the page's layout places it)."""
    text = " ".join(
        html.escape(s)
        for s in productivity_sentences(pack.get("mtfp_productivity"), year_label, pack.has("mtfp"))
    )
    return f'<p class="section-lead" data-section="productivity">{text}</p>'


def show_productivity(pack: PackTables, year_label: str | None = None) -> None:
    from IPython.display import HTML, display

    display(HTML(productivity_html(pack, year_label)))


def show_section(
    pack: PackTables, section: str, scenario: str = BASE, period_label: str | None = None
) -> None:
    from IPython.display import HTML, display

    display(HTML(section_html(pack, section, scenario, period_label)))
