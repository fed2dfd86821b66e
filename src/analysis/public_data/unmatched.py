"""The report of authorities a join could not match: nothing is dropped silently."""

from __future__ import annotations

import pandas as pd

UNMATCHED_COLUMNS = ["source", "code", "name", "reason"]


def unmatched_frame(source: str, codes, names, reason: str) -> pd.DataFrame:
    codes, names = list(codes), list(names)
    return pd.DataFrame(
        {
            "source": [source] * len(codes),
            "code": codes,
            "name": names,
            "reason": [reason] * len(codes),
        },
        columns=UNMATCHED_COLUMNS,
    )


def join_report(
    left: pd.DataFrame,
    right: pd.DataFrame,
    left_source: str,
    right_source: str,
    on: str = "ons_code",
    name: str = "name",
    left_subset: pd.Series | None = None,
) -> pd.DataFrame:
    """Authorities in ``left`` with no match in ``right`` (and, where ``left_subset`` is not
    given, also the reverse), one row each: source, code, name, reason."""
    lk = left[[on, name]].drop_duplicates(on)
    rk = right[[on, name]].drop_duplicates(on)

    def not_found(source: str, rows: pd.DataFrame, other: str) -> tuple:
        reason = f"code not found in the {other} data (boundary change or different coverage)"
        return source, rows[on], rows[name], reason

    no_code = lk[lk[on].isna()]
    lk = lk.dropna(subset=[on])
    groups = [
        (
            left_source,
            ["(none)"] * len(no_code),
            no_code[name],
            f"no ONS code in the {left_source} data, so it cannot be joined",
        ),
        not_found(left_source, lk[~lk[on].isin(rk[on])], right_source),
    ]
    if left_subset is None:
        extra = rk.dropna(subset=[on])
        groups.append(not_found(right_source, extra[~extra[on].isin(lk[on])], left_source))
    parts = [unmatched_frame(*group) for group in groups if len(group[1])]
    if not parts:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(
        ["source", "code", "name"], ignore_index=True
    )


def panel_unmatched(panel: pd.DataFrame) -> pd.DataFrame:
    """Every authority the panel holds without an ONS code, once per file: its rows stay in the
    panel under its E-code and name, but no per-head figure or comparator join can use them.
    (source = the file, code = the E-code, name, reason)."""
    rows = panel[panel["ons_code"].isna()]
    if rows.empty:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    rows = rows.drop_duplicates(["source_file", "e_code", "name"])
    frame = pd.DataFrame(
        {
            "source": rows["source_file"].astype(str).to_numpy(),
            "code": rows["e_code"].astype(object).fillna("(none)").to_numpy(),
            "name": rows["name"].astype(str).to_numpy(),
            "reason": "no ONS code printed, and its E-code is in no other file or lookup: "
            "kept under its E-code, not joined to population or comparators",
        },
        columns=UNMATCHED_COLUMNS,
    )
    return frame.sort_values(["source", "code"], ignore_index=True)
