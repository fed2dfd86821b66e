"""The published performance extract (CSV), read into tidy rows with polarity.

Two layouts are read, by their header text:

- the Office for Local Government data explorer extract (``Financial year``, ``Local authority
  code``, ``Local authority name``, ``Measure``, ``Code``, ``Value``, ``rank_order``;
  ``MEDIAN`` and ``MADs_from_median`` kept as published). ``rank_order`` ``desc`` (any case)
  is read as "higher is better", ``asc`` as "lower is better" and ``None`` (no ranking
  published) as polarity ``unknown`` (such measures are shown but not scored unless
  ``council.yaml`` sets their polarity); blank rows take their measure's value;
- the project's own tidy form (``ons_code``, ``name``, ``year``, ``measure``, ``description``,
  ``value``, ``polarity`` = higher_is_better / lower_is_better, optional ``service_line``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import InputError, Problem, display_path
from analysis.core.periods import parse_year
from analysis.public_data._common import TIDY_COLUMNS, cached, check_file, tidy

WHAT = "performance extract (CSV with polarity)"
POLARITIES = {"higher_is_better", "lower_is_better", "unknown"}
ENTITY_CLASS = {
    "unitary authorities": "UA",
    "metropolitan districts": "MD",
    "london boroughs": "LB",
    "counties": "SC",
    "shire districts": "SD",
}
OFLOG = {
    "Financial year": "year",
    "Local authority code": "ons_code",
    "Local authority name": "name",
    "Code": "measure",
    "Measure": "description",
    "Value": "value",
    "rank_order": "rank_order",
}
OWN = ["ons_code", "name", "year", "measure", "value", "polarity"]


def _years(series: pd.Series, shown: str, problems: list[Problem], offset: int) -> pd.Series:
    out = []
    for i, value in enumerate(series):
        try:
            out.append(parse_year(int(value)) if str(value).isdigit() else parse_year(str(value)))
        except ValueError:
            problems.append(
                Problem(shown, f"'{value}' is not a financial year", row=i + offset, column="year")
            )
            out.append(0)
    return pd.Series(out, index=series.index)


def _row_problems(
    shown: str, rows: Iterable[Any], column: str, message: Callable[[Any], str]
) -> list[Problem]:
    """One Problem per bad row (row labels are 0-based below the header: file line = label + 2)."""
    return [Problem(shown, message(i), row=i + 2, column=column) for i in rows]


def _parse(path: Path) -> pd.DataFrame:
    shown = display_path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError.single(shown, f"not a readable CSV (expected the {WHAT}): {exc}") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    problems: list[Problem] = []
    if set(OFLOG) <= set(raw.columns):
        frame = raw.rename(columns=OFLOG)
        # rank_order is given per row but is a property of the measure: blank rows take the
        # measure's published value; "None" (no ranking published) gives polarity "unknown".
        order = frame["rank_order"].str.strip().str.lower()
        mapped = order.map(
            {"desc": "higher_is_better", "asc": "lower_is_better", "none": "unknown"}
        )
        bad = order.ne("") & mapped.isna()
        problems += _row_problems(
            shown,
            frame.index[bad],
            "rank_order",
            lambda i: f"rank_order '{raw.loc[i, 'rank_order']}' is not asc, desc or None",
        )
        per_measure = mapped.dropna().groupby(frame["measure"]).unique()
        for measure, values in per_measure.items():
            if len(values) > 1:
                problems.append(
                    Problem(
                        shown,
                        f"measure {measure} has conflicting rank_order values ({', '.join(sorted(values))})",
                        column="rank_order",
                    )
                )
        single = {m: v[0] for m, v in per_measure.items() if len(v) == 1}
        frame["polarity"] = frame["measure"].map(single).fillna("unknown")
        entity = (
            raw["Entity_Name"] if "Entity_Name" in raw.columns else pd.Series("", index=raw.index)
        )
        frame["authority_class"] = entity.str.strip().str.lower().map(ENTITY_CLASS)
        frame["published_median"] = pd.to_numeric(raw.get("MEDIAN"), errors="coerce")
        frame["published_mads_from_median"] = pd.to_numeric(
            raw.get("MADs_from_median"), errors="coerce"
        )
        frame["service_line"] = pd.NA
    elif set(OWN) <= set(raw.columns):
        frame = raw.copy()
        bad = ~frame["polarity"].isin(POLARITIES)
        problems += _row_problems(
            shown,
            frame.index[bad],
            "polarity",
            lambda i: (
                f"polarity '{frame.loc[i, 'polarity']}' must be higher_is_better, lower_is_better or unknown"
            ),
        )
        if "description" not in frame.columns:
            frame["description"] = frame["measure"]
        if "service_line" not in frame.columns:
            frame["service_line"] = pd.NA
    else:
        missing = sorted(set(OFLOG) - set(raw.columns))
        raise InputError.single(
            shown,
            f"this does not look like the {WHAT}: no columns {', '.join(missing)} "
            f"(nor the tidy form {', '.join(OWN)}); found {', '.join(raw.columns[:8])}",
        )
    if frame.empty:
        raise InputError.single(shown, f"no rows (expected the {WHAT})")
    frame["year"] = _years(frame["year"], shown, problems, 2)
    values = pd.to_numeric(frame["value"].replace({"": None}), errors="coerce")
    problems += _row_problems(
        shown,
        [
            i
            for i in frame.index[values.isna() & frame["value"].astype(str).str.strip().ne("")]
            if str(frame.loc[i, "value"]).strip().lower() not in {"[x]", "x", "..", "-", "[c]"}
        ],
        "value",
        lambda i: f"value '{frame.loc[i, 'value']}' is not a number",
    )
    if problems:
        raise InputError(problems)
    frame["value"] = values
    frame["service_line"] = pd.to_numeric(frame["service_line"], errors="coerce").astype("Int64")
    frame["unit"] = frame.get("unit", "")
    frame["e_code"] = None
    frame["line"] = pd.NA
    for column in ("published_median", "published_mads_from_median"):
        if column not in frame.columns:
            frame[column] = float("nan")
    keep = ["polarity", "service_line", "published_median", "published_mads_from_median"]
    out = tidy(frame[[c for c in frame.columns if c in TIDY_COLUMNS or c in keep]])
    return out


def read_performance(path: str | Path) -> pd.DataFrame:
    """Read a performance extract: tidy columns plus polarity, service_line and the published
    median and MADs where the file has them."""
    path = check_file(path, WHAT)
    return cached("performance", path, _parse)
