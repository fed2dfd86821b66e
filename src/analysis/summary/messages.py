"""The first screen's messages in order, each with the detailed report it links to."""

from __future__ import annotations

from analysis.summary.sentences import (
    dsg_sentence,
    gap_sentence,
    reserves_sentence,
    savings_sentence,
)
from analysis.summary.tables import (
    BASE,
    PackTables,
    not_in_run_sentence,
)
from analysis.summary.vfm import older_year_sentence, vfm_sentence


def key_messages(
    pack: PackTables, scenario: str = BASE, period_label: str | None = None
) -> list[tuple[str, str]]:
    """(sentence, report key) for the first screen, one per topic, in reading order."""
    messages: list[tuple[str, str]] = []
    headline = pack.get("mtfp_headline")
    if pack.has("mtfp") and headline is not None and not headline.empty:
        messages.append((gap_sentence(headline, scenario), "mtfp"))
        simulated, leanings = pack.get("mtfp_monte_carlo"), pack.get("mtfp_monte_carlo_leanings")
        messages.append((reserves_sentence(headline, scenario, simulated, leanings), "mtfp"))
    else:
        messages.append((not_in_run_sentence("mtfp"), "mtfp"))
    savings = pack.get("savings_headline")
    if pack.has("savings") and savings is not None and not savings.empty:
        messages.append((savings_sentence(savings, period_label), "savings"))
    else:
        messages.append((not_in_run_sentence("savings"), "savings"))
    if pack.has("mtfp") and headline is not None and not headline.empty:
        messages.append((dsg_sentence(headline, scenario), "mtfp"))
    if pack.has("benchmark"):
        status = pack.get("benchmark_status")
        if (older := older_year_sentence(status)) is not None:
            messages.append((older, "benchmark"))
        messages.append((vfm_sentence(pack.get("benchmark_review_proposals"), status), "benchmark"))
    else:
        messages.append((not_in_run_sentence("benchmark"), "benchmark"))
    return messages
