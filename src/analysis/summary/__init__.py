"""The quarterly summary: the pack's first screen, built only from the other reports' tables.

:mod:`.tables` reads the pack's CSV tables and holds their contracts, :mod:`.sentences` turns
each table into one sentence, and :mod:`.report` gives the tiles, tables and chart the summary
notebook shows.
"""

from analysis.summary.bridge import bridge_chart, bridge_sentence
from analysis.summary.messages import key_messages
from analysis.summary.report import (
    SCENARIO_TABLE_HEADERS,
    SERVICES_HEADERS,
    detail_link_html,
    dsg_table,
    gap_chart,
    headline_tiles,
    key_figures,
    messages_html,
    savings_table,
    scenario_table,
    services_display,
    show_detail_link,
    show_messages,
    show_not_in_run,
)
from analysis.summary.sentences import (
    dsg_sentence,
    gap_sentence,
    likely_below_year,
    money,
    percent,
    probability_sentence,
    productivity_sentences,
    reserves_sentence,
    savings_sentence,
    scenario_row,
    year_text,
)
from analysis.summary.tables import (
    BASE,
    PRIORITY_DETAIL_COLUMNS,
    REPORTS,
    TABLES,
    TOP_SERVICES,
    DetailReport,
    PackTables,
    not_in_run_sentence,
    read_pack,
)
from analysis.summary.vfm import absent_sentence, top_services, vfm_sentence

__all__ = [
    "bridge_chart",
    "bridge_sentence",
    "BASE",
    "DetailReport",
    "PRIORITY_DETAIL_COLUMNS",
    "PackTables",
    "REPORTS",
    "SCENARIO_TABLE_HEADERS",
    "SERVICES_HEADERS",
    "TABLES",
    "TOP_SERVICES",
    "absent_sentence",
    "detail_link_html",
    "dsg_sentence",
    "dsg_table",
    "gap_chart",
    "gap_sentence",
    "headline_tiles",
    "key_figures",
    "key_messages",
    "likely_below_year",
    "messages_html",
    "money",
    "not_in_run_sentence",
    "percent",
    "probability_sentence",
    "productivity_sentences",
    "read_pack",
    "reserves_sentence",
    "savings_sentence",
    "savings_table",
    "scenario_row",
    "scenario_table",
    "services_display",
    "show_detail_link",
    "show_messages",
    "show_not_in_run",
    "top_services",
    "vfm_sentence",
    "year_text",
]
