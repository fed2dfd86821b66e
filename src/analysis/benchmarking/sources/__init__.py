"""Readers for the official publications, read exactly as downloaded.

Each reader returns a tidy frame (ons_code, e_code, name, authority_class, year, measure, line,
description, value, unit) and raises :class:`analysis.core.errors.InputError` naming the file and
what it could not find when handed the wrong file or a damaged one. Each file read is recorded
with :func:`analysis.provenance.record_input`. Parsed frames are cached per path and mtime.
"""

from analysis.benchmarking.sources.performance import read_performance
from analysis.public_data._common import TIDY_COLUMNS, clear_cache
from analysis.public_data.ctr import attach_ons_codes, read_ctr
from analysis.public_data.neighbours import read_neighbours
from analysis.public_data.population import read_population
from analysis.public_data.rs import SERVICE_LINES, ecode_to_ons, read_rs, read_rs_many
from analysis.public_data.unmatched import UNMATCHED_COLUMNS, join_report, unmatched_frame

__all__ = [
    "TIDY_COLUMNS",
    "UNMATCHED_COLUMNS",
    "SERVICE_LINES",
    "attach_ons_codes",
    "clear_cache",
    "ecode_to_ons",
    "join_report",
    "read_ctr",
    "read_neighbours",
    "read_performance",
    "read_population",
    "read_rs",
    "read_rs_many",
    "unmatched_frame",
]
