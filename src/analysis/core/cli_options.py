"""Command-line options that the CLI defines without importing the analysis they belong to.

``python -m analysis`` builds its whole parser on every call; importing the benchmarking package
only to describe ``data fetch``'s options would cost every ``run`` about a second before its
kernels start.
"""

from __future__ import annotations

import argparse

FETCH_DEST = "data/raw/public"


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m analysis data fetch`` (run by :mod:`analysis.benchmarking.fetch`)."""
    parser.add_argument(
        "urls", nargs="*", help="URLs of published files (default: the documented list)"
    )
    parser.add_argument(
        "--dest", default=FETCH_DEST, help=f"folder to download into (default {FETCH_DEST})"
    )
    parser.add_argument(
        "--list", action="store_true", help="print the default list of files and exit"
    )
    parser.add_argument(
        "--years",
        help="financial years to fetch through the GOV.UK content API, e.g. 2010-11:2022-23",
    )
    parser.add_argument(
        "--kinds",
        help="publications to fetch with --years (default all: rs,ctr,taxbase,comparators)",
    )
    parser.add_argument(
        "--api", default="https://www.gov.uk", help="content API host (default GOV.UK)"
    )
    parser.add_argument("--registry", help="a publications YAML file instead of the packaged one")
