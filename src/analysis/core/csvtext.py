"""Text in the pack's CSV tables made safe for Excel, and read back, without pandas.

A text cell beginning with ``= + - @``, a tab or a line break would be read by Excel as a
formula (CSV injection): :func:`neutralise` writes it with a leading apostrophe and
:func:`restore` takes it off again (see :mod:`analysis.core.tables`). :func:`read_csv_records`
reads a small table of text back as records (the manifest's list of unmatched authorities),
for processes that need not load pandas.
"""

from __future__ import annotations

import csv
from pathlib import Path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
QUOTE = "'"


def needs_neutralising(value) -> bool:
    """Whether :func:`neutralise` would change ``value``: text Excel would read as a formula, or
    holding a carriage return."""
    return isinstance(value, str) and (
        value.lstrip(QUOTE).startswith(FORMULA_TRIGGERS) or "\r" in value
    )


def neutralise(value):
    """A text cell Excel would read as a formula, with an apostrophe in front; anything else as it is.

    Text already beginning with apostrophes before a trigger gets one more, so
    :func:`restore` gives back exactly what was written.
    """
    if not isinstance(value, str):
        return value
    # A bare carriage return is not quoted by the CSV writer and would split the row.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.lstrip(QUOTE).startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def restore(value):
    """The inverse of :func:`neutralise`."""
    if (
        isinstance(value, str)
        and value.startswith(QUOTE)
        and value.lstrip(QUOTE).startswith(FORMULA_TRIGGERS)
    ):
        return value[1:]
    return value


def read_csv_records(path: str | Path) -> list[dict]:
    """The rows of a CSV table of text as dicts, text restored, empty cells as None."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            {key: (restore(value) if value != "" else None) for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]
