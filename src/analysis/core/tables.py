"""Each notebook's key tables as tidy CSV files in the pack.

Names are snake_case and units live in column names (``budget_gap_gbp_m``). Writing is
deterministic: the same frame gives the same bytes, so two runs on the same inputs give
identical CSV files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FLOAT_DECIMALS = 6


def save_table(df: pd.DataFrame, name: str, directory: str | Path) -> Path:
    """Write ``df`` to ``directory/name.csv`` (rounded to 6 decimals, no index, LF endings)."""
    if not _NAME.match(name):
        raise ValueError(f"table name '{name}' must be snake_case, e.g. 'budget_gap'")
    bad = [c for c in df.columns if not _NAME.match(str(c))]
    if bad:
        raise ValueError(f"table '{name}' has columns that are not snake_case: {bad}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.csv"
    frame = df.copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].round(FLOAT_DECIMALS)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def read_table(name: str, directory: str | Path) -> pd.DataFrame:
    """Read a table another notebook saved in the same pack."""
    path = Path(directory) / f"{name}.csv"
    if not path.is_file():
        raise InputError.single(
            path, "table not found: the notebook that writes it must run first in the pack"
        )
    return pd.read_csv(path)
