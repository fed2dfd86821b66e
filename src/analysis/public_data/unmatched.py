"""Identifiers: the report of authorities a join could not match (nothing is dropped
silently), and misprinted ONS codes corrected from the E-code (each correction noted)."""

from __future__ import annotations

import re

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


CORRECTED = "ONS code corrected"
_CORRECTED = re.compile(
    CORRECTED + r": printed (?P<printed>\S+), (?P<code>E\d{8}) is the code the restructuring "
    r"lookup gives E-code (?P<e_code>E\d{4})"
)


def correct_ons_codes(panel: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """The panel with every misprinted ONS code corrected from the row's E-code.

    A printed ONS code is misprinted when the restructuring lookup knows the row's E-code but
    never gave it that ONS code in any year (North Yorkshire, E-code E2721, printed as
    E10000022 in the 2015-16 RS: the lookup gives E10000023 in every year). It is replaced by
    the lookup's code for the row's year (the nearest year the lookup covers), and the row's
    ``note`` says what was printed and why it changed (:func:`code_corrections` lists them).
    An E-code the lookup does not know leaves the printed code as it is."""
    if lookup is None or lookup.empty:
        return panel
    valid = set(zip(lookup["e_code"], lookup["ons_code"], strict=True))
    known = set(lookup["e_code"])
    # Each (E-code, ONS code) pair the frame prints is checked once, not once a row.
    printed = set(zip(panel["e_code"].to_numpy(), panel["ons_code"].to_numpy(), strict=True))
    bad = [(e, o) for e, o in printed if e in known and isinstance(o, str) and (e, o) not in valid]
    if not bad:
        return panel
    bad_e = {e for e, _ in bad}
    rows = panel.loc[panel["e_code"].isin(bad_e), ["e_code", "ons_code"]]
    wrong = [(e, o) in set(bad) for e, o in zip(rows["e_code"], rows["ons_code"], strict=True)]
    index = rows.index[wrong]
    years = sorted(lookup["year"].unique())
    by_year = lookup.set_index(["e_code", "year"])["ons_code"]
    by_year = by_year[~by_year.index.duplicated(keep="last")]
    out = panel.copy()
    if "note" not in out:
        out["note"] = None
    out["note"] = out["note"].astype(object)
    clamped = out.loc[index, "year"].clip(years[0], years[-1]).astype(int)
    found = pd.MultiIndex.from_arrays([out.loc[index, "e_code"].astype(object), clamped])
    right = by_year.reindex(found).to_numpy()
    for i, code in zip(index, right, strict=True):
        if not isinstance(code, str):  # the E-code has no code in the years around this one
            continue
        e_code, printed = out.at[i, "e_code"], out.at[i, "ons_code"]
        note = (
            f"{CORRECTED}: printed {printed}, {code} is the code the restructuring lookup gives "
            f"E-code {e_code}"
        )
        old = out.at[i, "note"]
        out.at[i, "note"] = f"{old}; {note}" if isinstance(old, str) and old else note
        out.at[i, "ons_code"] = code
    # Notes as text again (missing where there is none): the type the frame came in with, or
    # pandas' text type for a new column, as a Parquet round trip (the cache) gives it back.
    out["note"] = out["note"].astype(panel["note"].dtype if "note" in panel else "str")
    return out


def code_corrections(panel: pd.DataFrame) -> pd.DataFrame:
    """Every ONS code corrected in the panel, once per file and authority: source_file, year,
    e_code, name, printed, corrected (for the data log and the page)."""
    columns = ["source_file", "year", "e_code", "name", "printed", "corrected"]
    notes = panel["note"].astype("string")
    hit = panel[notes.str.contains(CORRECTED, regex=False, na=False)]
    if hit.empty:
        return pd.DataFrame(columns=columns)
    parts = hit["note"].astype(str).str.extract(_CORRECTED)
    out = pd.DataFrame(
        {
            "source_file": hit["source_file"].astype(str),
            "year": hit["year"].astype(int),
            "e_code": parts["e_code"],
            "name": hit["name"].astype(str),
            "printed": parts["printed"],
            "corrected": parts["code"],
        }
    )
    return out.drop_duplicates(["source_file", "e_code"]).sort_values(
        ["year", "e_code"], ignore_index=True
    )
