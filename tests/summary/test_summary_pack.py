"""The summary and the VfM report built together on the published files: the summary states
each proposed service's own reason from the VfM report's table, counts agree across the two
pages, and a council absent from the data is told so on both."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from analysis.pack.build import build_pack


def page_text(path) -> str:
    text = re.sub(r"<style.*?</style>|<script.*?</script>", "", path.read_text(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def build(council, shared_public, tmp_path):
    result = build_pack(
        council,
        "2016-17-Q4",
        "base",
        notebooks=["benchmark", "summary"],
        output_root=tmp_path,
        public_data=shared_public,
    )
    assert result.ok, result.message
    return result.directory


@pytest.mark.slow
def test_summary_states_each_proposed_service_and_its_reason(shared_public, tmp_path):
    pack = build("bath-ne-somerset", shared_public, tmp_path)
    proposals = pd.read_csv(pack / "tables" / "benchmark_review_proposals.csv")
    status = pd.read_csv(pack / "tables" / "benchmark_status.csv").iloc[0]
    assert len(proposals) == status["n_services_proposed"] > 0
    summary = page_text(pack / "00_summary.html")
    vfm = page_text(pack / "03_vfm_benchmarking.html")
    assert "cost above and/or performance below comparable councils" not in summary
    for _i, row in proposals.iterrows():
        assert f"{row['service']} {row['reason']}" in summary  # a row of the services table
        assert row["reason"] in vfm
    # The table's rows are in the order of review (no separate order column).
    ordered = proposals.sort_values("rank")
    places = [summary.index(f"{r['service']} {r['reason']}") for _i, r in ordered.iterrows()]
    assert places == sorted(places)
    # Counts agree across the two pages and within each.
    n = len(proposals)
    assert f"Services to review {n} services" in summary
    assert f"Services proposed for a review {n} " in vfm
    above, total = status["n_services_above_median"], status["n_services_compared"]
    assert f"{above} of {total} services cost more per head" in vfm
    alt = re.search(r'alt="([^"]*Bar chart[^"]*)"', (pack / "03_vfm_benchmarking.html").read_text())
    assert f"{above} of {total} services cost more per head than the median" in alt.group(1)
    assert f"compared with {status['n_comparators_with_data']} comparators with data" in vfm
    # Other services (£29k, 16p a head, comparator MAD 0) is not proposed.
    assert "Other services" not in set(proposals["service"])


@pytest.mark.slow
def test_a_council_absent_from_the_data_is_told_so_on_both_pages(shared_public, tmp_path):
    pack = build("dorset", shared_public, tmp_path)
    for page in ("00_summary.html", "03_vfm_benchmarking.html"):
        text = page_text(pack / page)
        assert "No benchmarking data for E06000059" in text, page
        assert "no service" not in text.lower() and "none flagged" not in text.lower(), page
