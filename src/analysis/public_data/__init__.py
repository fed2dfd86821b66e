"""The government's published local-government files, read as published and harmonised into one
tidy panel that every question can use (below the domains: benchmarking and the MTFP both read it).

- readers: :func:`read_rs` (Revenue Outturn Summary, .xls/.xlsx/.ods, every year),
  :func:`read_ctr` (Council Tax Requirement tables), :func:`read_taxbase` (Council Taxbase),
  :func:`read_population` (ONS MYE4), :func:`read_restructuring` (boundary changes),
  :func:`read_rsx` (service expenditure summary), :func:`read_ra` (Revenue Account budget),
  :func:`read_capital` (capital outturn COR B and C), :func:`read_borrowing` (borrowing and
  investment table); each also reads a published sheet saved as CSV;
- :func:`build_panel` / :func:`load_panel`: the harmonised history of every council, cached as
  Parquet and rebuilt when an input changes; successors aggregated from predecessors.
"""

from analysis.public_data._common import TIDY_COLUMNS, check_file, check_size, clear_cache, tidy
from analysis.public_data.borrowing import read_borrowing
from analysis.public_data.boundaries import read_restructuring
from analysis.public_data.capital import read_capital
from analysis.public_data.ctr import attach_ons_codes, read_ctr, standard_measure
from analysis.public_data.neighbours import read_neighbours
from analysis.public_data.panel import PANEL_COLUMNS, build_panel, find_files, load_panel
from analysis.public_data.performance import read_performance
from analysis.public_data.population import read_population
from analysis.public_data.ra import read_ra
from analysis.public_data.rs import SERVICE_LINES, ecode_to_ons, read_rs, read_rs_many
from analysis.public_data.rsx import read_rsx
from analysis.public_data.taxbase import read_taxbase
from analysis.public_data.unmatched import UNMATCHED_COLUMNS, join_report, unmatched_frame

__all__ = [
    "SERVICE_LINES",
    "TIDY_COLUMNS",
    "UNMATCHED_COLUMNS",
    "attach_ons_codes",
    "check_file",
    "check_size",
    "clear_cache",
    "ecode_to_ons",
    "join_report",
    "read_borrowing",
    "read_capital",
    "read_ctr",
    "read_neighbours",
    "read_performance",
    "read_restructuring",
    "PANEL_COLUMNS",
    "build_panel",
    "find_files",
    "load_panel",
    "read_population",
    "read_ra",
    "read_rs",
    "read_rs_many",
    "read_rsx",
    "read_taxbase",
    "standard_measure",
    "tidy",
    "unmatched_frame",
]
