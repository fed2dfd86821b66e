"""The cover leads: headline figures and the summary's messages first, then the reports and the
files finance teams use; how the pack was built is folded at the bottom."""

from __future__ import annotations

import pandas as pd

from analysis.core.tables import save_table
from analysis.pack.cover import write_cover

MANIFEST = {
    "council": "dorset",
    "council_name": "Dorset Council",
    "period": "2021-22-Q2",
    "scenario": "base",
    "built_at": "2026-11-22T04:00:00+00:00",
    "git": {"commit": "abc1234567890"},
    "packages": {"python": "3.11.7", "pandas": "3.1.1"},
    "inputs": {"data/raw/dorset/mtfp.yaml": "f" * 64},
    "notebooks": [
        {"key": "summary", "title": "Quarterly finance summary", "status": "ok",
         "html": "00_summary.html", "tables": ["summary_tiles.csv"]},
        {"key": "mtfp", "title": "Medium Term Financial Plan scenarios", "status": "ok",
         "html": "01_mtfp_scenarios.html", "tables": []},
    ],
}  # fmt: skip


def _summary_tables(directory):
    tables = directory / "tables"
    save_table(
        pd.DataFrame(
            {
                "order": [2, 1],
                "label": ["Savings at risk", "Budget gap by 2025-26"],
                "value": ["£10.5m", "£24.3m"],
                "note": ["amber or red", "=cumulative <b>before</b> action"],
            }
        ),
        "summary_tiles",
        tables,
    )
    save_table(
        pd.DataFrame(
            {
                "order": [1, 2],
                "section": ["gap", "savings"],
                "message": ["The gap reaches £24.3m by 2025-26.", "Savings: not in this run."],
                "report": ["mtfp", None],
                "report_title": ["Medium Term Financial Plan scenarios", None],
                "report_href": ["01_mtfp_scenarios.html", None],
            }
        ),
        "summary_messages",
        tables,
    )


def test_the_cover_opens_with_the_headline_then_reports_then_provenance_folded(tmp_path):
    _summary_tables(tmp_path)
    (tmp_path / "tables.xlsx").write_bytes(b"x")
    (tmp_path / "charts").mkdir()
    page = write_cover(tmp_path, MANIFEST).read_text("utf-8")
    main = page.split("<main", 1)[1]
    # Tiles in their saved order, then the messages, then the reports, then the files.
    order = [
        main.index("£24.3m"),
        main.index("£10.5m"),
        main.index("The gap reaches £24.3m by 2025-26."),
        main.index("Reports in this pack"),
        main.index('href="tables.xlsx"'),
        main.index("How this pack was built"),
    ]
    assert order == sorted(order)
    # Text is escaped and its formula guard taken off.
    assert "=cumulative &lt;b&gt;before&lt;/b&gt; action" in main
    # The message links to its report; the one of a report not run links nowhere.
    assert (
        'The gap reaches £24.3m by 2025-26. <a class="detail-link" '
        'href="01_mtfp_scenarios.html">Detail: Medium Term Financial Plan scenarios</a>'
    ) in main
    assert "Savings: not in this run.</li>" in main
    # Versions and fingerprints only inside the folded block at the bottom.
    provenance = main.index('<details class="provenance">')
    for word in ("SHA-256", "Python 3.11.7", "pandas 3.1.1", "abc1234567"):
        assert main.index(word) > provenance, word
    assert "manifest.json" not in page


def test_without_the_summary_the_cover_says_so_and_links_no_missing_file(tmp_path):
    page = write_cover(tmp_path, MANIFEST).read_text("utf-8")
    assert "The quarterly summary was not part of this run" in page
    assert 'href="tables.xlsx"' not in page and 'href="charts/"' not in page
