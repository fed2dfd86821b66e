"""Each notebook's key tables as tidy CSV files in the pack.

Names are snake_case and units live in column names (``budget_gap_gbp_m``). Writing is
deterministic: the same frame gives the same bytes, so two runs on the same inputs give
identical CSV files.

Officers open these files in Excel, and the text in them comes from registers many people edit.
A text cell beginning with ``= + - @``, a tab or a line break would be read by Excel as a
formula (CSV injection), so it is written with a leading apostrophe (and a carriage return inside
text becomes a line feed, which the writer quotes), as OWASP recommends; numbers,
negative ones included, stay numbers. :func:`read_table` takes the apostrophe off again, so a
notebook reading another's table sees the text as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.csvtext import (
    FORMULA_TRIGGERS,
    QUOTE,
    needs_neutralising,
    neutralise,
    restore,
)
from analysis.core.errors import InputError

__all__ = ["FORMULA_TRIGGERS", "QUOTE", "neutralise", "restore"]  # re-exported

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FLOAT_DECIMALS = 6


def neutralise_column(series: pd.Series) -> pd.Series:
    """``series`` with every text cell safe to open in Excel: itself when no cell needs it (the
    usual case, checked cell by cell without building a new column)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series
    if not any(map(needs_neutralising, series.tolist())):
        return series
    return series.map(neutralise, na_action="ignore")


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell safe to open in Excel."""
    out = frame.copy()
    for column in out.columns:
        out[column] = neutralise_column(out[column])
    return out


# What this kernel saved: table name -> (rows, columns), so a report showing the top rows of a
# long table can say which CSV holds them all. A pack runs each notebook on a fresh kernel
# (analysis.pack.engine), so this names only the notebook's own tables, never another's.
_SAVED: dict[str, tuple[int, frozenset[str]]] = {}


def saved_table_holding(df: pd.DataFrame) -> str | None:
    """The name of a table this notebook's kernel saved with the same rows and at least these
    columns."""
    columns = {str(c) for c in df.columns}
    for name, (rows, saved_columns) in sorted(_SAVED.items()):
        if rows == len(df) and columns <= saved_columns:
            return name
    return None


def save_table(df: pd.DataFrame, name: str, directory: str | Path) -> Path:
    """Write ``df`` to ``directory/name.csv`` (rounded to 6 decimals, no index, LF endings)."""
    if not _NAME.match(name):
        raise ValueError(f"table name '{name}' must be snake_case, e.g. 'budget_gap'")
    bad = [c for c in df.columns if not _NAME.match(str(c))]
    if bad:
        raise ValueError(f"table '{name}' has columns that are not snake_case: {bad}")
    if df.columns.has_duplicates:
        twice = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise ValueError(f"table '{name}' has columns named more than once: {twice}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.csv"
    # The written frame is made once from its columns (each rounded or neutralised as needed):
    # assigning them one by one into a copy cost twice as much, for every table of every pack.
    columns = {}
    # The index is not written; the columns are put together again on it, so it must not repeat.
    plain = df if df.index.is_unique else df.reset_index(drop=True)
    for column in plain.columns:
        series = plain[column]
        if pd.api.types.is_float_dtype(series):
            columns[column] = series.round(FLOAT_DECIMALS)
        else:
            columns[column] = neutralise_column(series)
    pd.DataFrame(columns, index=plain.index).to_csv(path, index=False, lineterminator="\n")
    _SAVED[name] = (len(df), frozenset(str(c) for c in df.columns))
    return path


def read_table(name: str, directory: str | Path) -> pd.DataFrame:
    """Read a table another notebook saved in the same pack."""
    path = Path(directory) / f"{name}.csv"
    if not path.is_file():
        raise InputError.single(
            path, "table not found: the notebook that writes it must run first in the pack"
        )
    return read_csv_table(path)


def read_csv_table(path: str | Path) -> pd.DataFrame:
    """A CSV written by :func:`save_table`, text as it was before it was made safe for Excel."""
    frame = pd.read_csv(path)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(restore, na_action="ignore")
    return frame
