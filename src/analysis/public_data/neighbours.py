"""Nearest-neighbour lists: JSON mapping each ONS code to its comparator codes, the authority
itself included (the Office for Local Government extract gives 16: itself and 15 neighbours)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError, Problem, display_path
from analysis.public_data._common import check_file

WHAT = "nearest-neighbour list (JSON: ONS code -> list of codes)"
_CODE = re.compile(r"^[EWSN]\d{8}$")


def read_neighbours(path: str | Path) -> pd.DataFrame:
    """Tidy comparator groups: ons_code, neighbour_code, neighbour_rank (0 = the authority)."""
    path = check_file(path, WHAT)
    shown = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(shown, f"not valid JSON (expected the {WHAT}): {exc}") from None
    if not isinstance(data, dict) or not data:
        raise InputError.single(
            shown, f"expected a JSON object mapping ONS codes to lists ({WHAT})"
        )
    problems, records = [], []
    for code, members in data.items():
        if not _CODE.match(str(code)):
            problems.append(Problem(shown, f"'{code}' is not an ONS code", key=str(code)))
            continue
        if not isinstance(members, list) or not all(
            isinstance(m, str) and _CODE.match(m) for m in members
        ):
            problems.append(Problem(shown, "expected a list of ONS codes", key=code))
            continue
        ordered = [code] + [m for m in dict.fromkeys(members) if m != code]  # duplicates dropped
        for rank, member in enumerate(ordered):
            records.append({"ons_code": code, "neighbour_code": member, "neighbour_rank": rank})
    if problems:
        raise InputError(problems)
    return pd.DataFrame.from_records(records)
