"""Load and check a council's savings register: one snapshot per quarter.

A register lives in ``data/raw/<council>/savings/<period>.xlsx`` (or ``.csv``), e.g.
``2021-22-Q2.xlsx``: one row per saving per financial year, money in £ thousand.

Real registers are kept by hand in Excel, so the loader accepts:

- title rows above the header (the header row is found by matching column names);
- header names in any case, spacing or common wording (``Ref``, ``Saving Title``,
  ``Planned Saving (£k)``...), plus a mapping in ``council.yaml`` ``savings.columns``;
- money as numbers or as text: ``£1,234``, ``1,234.5``, ``(250)`` (negative), ``-`` (zero);
- blank rows; a totals row at the bottom (reference blank, a cell reading ``Total``), which is
  dropped after checking it against the sum of the rows;
- hidden sheets (ignored: the configured sheet, else the first visible one is read);
- RAG as words or letters (``Blue``/``B``/``achieved``/``complete``, ``G``, ``A``, ``R``...);
- financial years as ``2021-22`` or ``2021/22``.

What is wrong is reported in one :class:`~analysis.errors.InputError` listing every problem,
each naming the file, the sheet, the row as Excel numbers it, and the column as headed in the
file.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analysis.config import Council, parse_model
from analysis.errors import InputError, Problem, display_path
from analysis.periods import Period, parse_year, year_label
from analysis.provenance import record_input

RAG_ORDER = ["Blue", "Green", "Amber", "Red"]
RAG_RANK = {rag: i for i, rag in enumerate(RAG_ORDER)}

MONEY_FIELDS = ("planned", "delivered", "forecast")

# Canonical field -> (label used in messages, accepted header wordings after normalising).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reference": (
        "Reference",
        (
            "reference",
            "ref",
            "ref no",
            "reference no",
            "reference number",
            "saving ref",
            "saving reference",
            "savings ref",
            "savings reference",
            "saving id",
            "id",
        ),
    ),
    "title": (
        "Title",
        (
            "title",
            "saving title",
            "savings title",
            "saving",
            "description",
            "saving description",
            "savings description",
            "proposal",
            "saving name",
            "name",
        ),
    ),
    "directorate": ("Directorate", ("directorate", "department", "dir")),
    "service": ("Service", ("service", "service area", "services")),
    "type": ("Type", ("type", "saving type", "savings type", "category", "saving category")),
    "financial_year": (
        "Financial year",
        ("financial year", "year", "fy", "fin year", "delivery year", "year of saving"),
    ),
    "planned": (
        "Planned",
        (
            "planned",
            "planned value",
            "planned saving",
            "planned savings",
            "saving planned",
            "target",
            "saving target",
            "savings target",
            "budgeted saving",
            "budget saving",
            "original target",
            "planned amount",
            "value",
            "saving value",
        ),
    ),
    "delivered": (
        "Delivered to date",
        (
            "delivered",
            "delivered to date",
            "delivered ytd",
            "achieved",
            "achieved to date",
            "actual",
            "actual to date",
            "delivered so far",
            "savings delivered",
            "saving delivered",
        ),
    ),
    "forecast": (
        "Forecast",
        (
            "forecast",
            "forecast for the year",
            "forecast for year",
            "forecast delivery",
            "forecast outturn",
            "forecast year end",
            "year end forecast",
            "forecast saving",
            "projected",
            "projected delivery",
            "forecast to year end",
        ),
    ),
    "rag": ("RAG", ("rag", "rag status", "status", "rag rating", "rating", "delivery rag")),
    "owner": (
        "Owner",
        (
            "owner",
            "lead officer",
            "responsible officer",
            "saving owner",
            "lead",
            "accountable officer",
            "budget holder",
        ),
    ),
    "mitigation": (
        "Mitigation",
        (
            "mitigation",
            "mitigations",
            "mitigating action",
            "mitigating actions",
            "mitigation action",
            "mitigation actions",
            "mitigation plan",
        ),
    ),
    "note": ("Note", ("note", "notes", "comment", "comments")),
}
REQUIRED = (
    "reference", "title", "directorate", "type", "financial_year", "planned", "delivered",
    "forecast", "rag", "owner", "mitigation",
)  # fmt: skip

RAG_WORDS = {
    "Blue": ("blue", "b", "achieved", "complete", "completed", "delivered", "done"),
    "Green": ("green", "g", "on track", "on target"),
    "Amber": ("amber", "a", "at risk", "some risk"),
    "Red": ("red", "r", "not achievable", "undeliverable", "will not be delivered", "off track"),
}
_RAG_LOOKUP = {word: rag for rag, words in RAG_WORDS.items() for word in words}

_TOTAL = re.compile(r"^\s*(grand\s+)?totals?\b", re.IGNORECASE)
_NUMBER = re.compile(r"^((\d{1,3}(,\d{3})+|\d+)(\.\d+)?|\.\d+)$")
_DASHES = {"-", "–", "—", "", "nil"}
HEADER_SEARCH_ROWS = 30

COLUMNS = [
    "reference", "title", "directorate", "service", "type", "financial_year", "planned_gbp_k",
    "delivered_gbp_k", "forecast_gbp_k", "rag", "owner", "mitigation", "note", "source_row",
]  # fmt: skip


class SavingsSettings(BaseModel):
    """``savings:`` in council.yaml."""

    model_config = ConfigDict(extra="forbid")
    types: list[str] = Field(min_length=1)
    columns: dict[str, str] = Field(default_factory=dict)
    sheet: str | None = None

    @field_validator("types")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        seen = [normalise(v) for v in value]
        if len(set(seen)) != len(seen) or not all(seen):
            raise ValueError("savings types must be distinct and not blank")
        return value

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(
                f"unknown register field(s) {unknown}: map one of {sorted(FIELDS)} "
                "to the header as written in your register"
            )
        return value


def normalise(text: Any) -> str:
    """Lower case, words only: ``' Planned Saving (£k) '`` -> ``'planned saving'``."""
    s = str(text).lower().replace("\u2019", "'")
    s = re.sub(r"\(.*?\)", " ", s)  # units in brackets: (£k), (£000)
    s = re.sub(r"£\s*k\b|£\s*000s?\b|£|\bgbp\b|\bk\b", " ", s)
    s = re.sub(r"[^a-z0-9']+", " ", s)
    return " ".join(s.split())


def load_settings(council: Council) -> SavingsSettings:
    """Validate the ``savings`` section of the council's ``council.yaml``."""
    file = display_path(council.folder / "council.yaml")
    if not council.savings:
        raise InputError.single(
            file, "no 'savings' section: list the savings types (savings: types: [...])",
            key="savings",
        )  # fmt: skip
    return parse_model(SavingsSettings, council.savings, file, prefix="savings")


def savings_folder(council: Council) -> Path:
    return council.folder / "savings"


def register_path(council: Council, period: Period) -> Path | None:
    """The snapshot file for a period, or None when there is none."""
    found = [savings_folder(council) / f"{period}{ext}" for ext in (".xlsx", ".csv")]
    found = [p for p in found if p.is_file()]
    if len(found) > 1:
        raise InputError.single(
            display_path(found[0].parent),
            f"both {found[0].name} and {found[1].name} exist for {period}: keep one",
        )
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------
# Reading cells


@dataclass
class _Sheet:
    """Raw rows of the sheet read, each with its spreadsheet row number."""

    file: str
    sheet: str | None
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def _read_xlsx(path: Path, shown: str, settings: SavingsSettings) -> _Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as exc:  # a corrupt or password-protected file
        raise InputError.single(shown, f"cannot open as an Excel workbook: {exc}") from None
    try:
        if settings.sheet is not None:
            if settings.sheet not in workbook.sheetnames:
                raise InputError.single(
                    shown,
                    f"no sheet named '{settings.sheet}' (savings.sheet in council.yaml); "
                    f"sheets: {', '.join(workbook.sheetnames)}",
                )
            sheet = workbook[settings.sheet]
        else:
            visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
            if not visible:
                raise InputError.single(shown, "the workbook has no visible sheet")
            sheet = visible[0]
        result = _Sheet(shown, sheet.title)
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            result.rows.append((number, list(values)))
        return result
    finally:
        workbook.close()


def _read_csv(path: Path, shown: str) -> _Sheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    result = _Sheet(shown, None)
    reader = csv.reader(text.splitlines())
    for number, values in enumerate(reader, start=1):
        result.rows.append((number, list(values)))
    return result


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_money(value: Any) -> float | None:
    """A money cell as a number; None when it is not money. Blank and ``-`` are zero.

    Accepts numbers and text such as ``£1,234``, ``1,234.5``, ``(250)`` or ``-250`` (negative).
    """
    if isinstance(value, bool) or isinstance(value, datetime | date):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if value is None:
        return 0.0
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace("£", "")
    if text.lower() in _DASHES:
        return 0.0
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    if not _NUMBER.match(text):
        return None
    number = float(text.replace(",", ""))
    return -number if negative else number


def parse_rag(value: Any) -> str | None:
    return _RAG_LOOKUP.get(normalise(value)) if not _blank(value) else None


# ---------------------------------------------------------------------------------------------
# Loading


def _find_header(
    sheet: _Sheet, settings: SavingsSettings
) -> tuple[int, int, dict[str, int], list[Problem]] | None:
    """(index into rows, row number, field -> column index, problems) for the header row."""
    mapped = {normalise(header): name for name, header in settings.columns.items()}
    synonyms = {word: name for name, (_label, words) in FIELDS.items() for word in words}
    best = None
    for index, (number, values) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        matches: dict[str, list[int]] = {}
        for col, value in enumerate(values):
            if _blank(value) or not isinstance(value, str):
                continue
            key = normalise(value)
            name = mapped.get(key)
            if name is None:
                name = synonyms.get(key)
                if name in settings.columns:  # the user named this field's column explicitly
                    name = None
            if name is not None:
                matches.setdefault(name, []).append(col)
        required_found = len(set(matches) & set(REQUIRED))
        if required_found >= 3 and (best is None or required_found > best[0]):
            best = (required_found, index, number, matches)
    if best is None:
        return None
    _found, index, number, matches = best
    headers = sheet.rows[index][1]
    problems = []
    columns = {}
    for name, cols in matches.items():
        if len(cols) > 1:
            written = ", ".join(f"'{_text(headers[c])}'" for c in cols)
            problems.append(
                Problem(
                    sheet.file,
                    f"more than one column could be the {FIELDS[name][0]} column ({written}): "
                    f"rename one, or set savings.columns.{name} in council.yaml",
                    row=number,
                    sheet=sheet.sheet,
                )
            )
        columns[name] = cols[0]
    for name in REQUIRED:
        if name not in columns:
            hint = (
                f"'{settings.columns[name]}' (savings.columns.{name})"
                if name in settings.columns
                else f"'{FIELDS[name][0]}'"
            )
            problems.append(
                Problem(
                    sheet.file,
                    f"required column missing: expected a header such as {hint}",
                    row=number,
                    sheet=sheet.sheet,
                )
            )
    return index, number, columns, problems


def load_register(
    path: str | Path, council: Council, settings: SavingsSettings | None = None
) -> pd.DataFrame:
    """Read and check one register snapshot; returns one row per saving per financial year.

    Columns: ``reference, title, directorate, service, type, financial_year`` (start year, int),
    ``planned_gbp_k, delivered_gbp_k, forecast_gbp_k, rag`` (Blue/Green/Amber/Red),
    ``owner, mitigation, note, source_row`` (the spreadsheet row). Raises InputError.
    """
    path = Path(path)
    shown = display_path(path)
    settings = settings or load_settings(council)
    if not path.is_file():
        raise InputError.single(shown, "file not found")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        sheet = _read_xlsx(path, shown, settings)
    elif suffix == ".csv":
        sheet = _read_csv(path, shown)
    else:
        raise InputError.single(shown, "a savings register must be an .xlsx or .csv file")
    record_input(path)

    found = _find_header(sheet, settings)
    if found is None:
        raise InputError.single(
            shown,
            f"cannot find the header row in the first {HEADER_SEARCH_ROWS} rows: expected "
            "column names such as Reference, Title, Directorate, Type, Financial year, Planned, "
            "Delivered to date, Forecast, RAG, Owner, Mitigation (or set savings.columns in "
            "council.yaml)",
            sheet=sheet.sheet,
        )
    index, header_row, columns, problems = found
    headers = sheet.rows[index][1]
    if any(name not in columns for name in REQUIRED):
        raise InputError(problems)

    def header(name: str) -> str:
        return _text(headers[columns[name]]) or FIELDS[name][0]

    def cell(values: list[Any], name: str) -> Any:
        col = columns.get(name)
        return values[col] if col is not None and col < len(values) else None

    def problem(row: int, name: str | None, message: str) -> None:
        problems.append(
            Problem(
                shown, message, row=row, column=header(name) if name else None, sheet=sheet.sheet
            )
        )

    directorates = {normalise(d): d for d in council.directorates}
    types = {normalise(t): t for t in settings.types}
    records: list[dict[str, Any]] = []
    totals: list[tuple[int, list[Any]]] = []
    seen: dict[tuple[str, int], int] = {}

    for number, values in sheet.rows[index + 1 :]:
        if all(_blank(v) for v in values):
            continue
        reference = _text(cell(values, "reference"))
        if not reference:
            first_text = next((v for v in values if isinstance(v, str) and v.strip()), "")
            if _TOTAL.match(_text(cell(values, "title"))) or _TOTAL.match(first_text):
                totals.append((number, values))
                continue
        if totals:
            if reference and sum(not _blank(v) for v in values) >= 3:
                problem(
                    number, "reference", "a saving below the totals row: move it above the total"
                )
            continue  # notes under the total are not savings
        if not reference:
            problem(number, "reference", "reference is blank")
            continue

        record: dict[str, Any] = {"reference": reference, "source_row": number}
        for name in ("title", "service", "owner", "mitigation", "note"):
            record[name] = _text(cell(values, name))
        if not record["title"]:
            problem(number, "title", "title is blank")

        raw = _text(cell(values, "directorate"))
        record["directorate"] = directorates.get(normalise(raw))
        if record["directorate"] is None:
            problem(
                number, "directorate",
                f"unknown directorate '{raw}': expected one of {', '.join(council.directorates)} "
                "(council.yaml directorates)",
            )  # fmt: skip

        raw = _text(cell(values, "type"))
        record["type"] = types.get(normalise(raw))
        if record["type"] is None:
            problem(
                number, "type",
                f"unknown savings type '{raw}': expected one of {', '.join(settings.types)} "
                "(council.yaml savings.types)",
            )  # fmt: skip

        raw = cell(values, "financial_year")
        try:
            record["financial_year"] = parse_year(_text(raw))
        except ValueError:
            record["financial_year"] = None
            problem(
                number,
                "financial_year",
                f"'{_text(raw)}' is not a financial year: write it like 2021-22",
            )

        raw = cell(values, "rag")
        record["rag"] = parse_rag(raw)
        if record["rag"] is None:
            problem(
                number, "rag",
                f"unknown RAG status '{_text(raw)}': use Blue (achieved), Green, Amber or Red "
                "(or B, G, A, R)",
            )  # fmt: skip

        for name in MONEY_FIELDS:
            raw = cell(values, name)
            value = parse_money(raw)
            if value is None:
                problem(number, name, f"'{_text(raw)}' is not an amount of money (£k)")
            elif name in ("planned", "forecast") and _blank(raw):
                problem(
                    number, name, f"{FIELDS[name][0].lower()} value is blank (write 0 for none)"
                )
                value = None
            record[f"{name}_gbp_k"] = value
        planned, delivered = record["planned_gbp_k"], record["delivered_gbp_k"]
        if planned is not None and planned < 0:
            problem(
                number, "planned", f"planned value is negative ({_text(cell(values, 'planned'))})"
            )
        if (
            planned is not None
            and planned >= 0
            and delivered is not None
            and delivered > planned + 1e-9
            and not record["note"]
        ):
            problem(
                number, "delivered",
                f"delivered to date ({delivered:,.1f}) is more than planned ({planned:,.1f}): "
                "correct it, or explain it in the note column",
            )  # fmt: skip

        key = (reference.lower(), record["financial_year"])
        if record["financial_year"] is not None:
            if key in seen:
                problem(
                    number, "reference",
                    f"duplicate reference '{reference}' for {year_label(record['financial_year'])} "
                    f"(also on row {seen[key]})",
                )  # fmt: skip
            else:
                seen[key] = number
        records.append(record)

    frame = pd.DataFrame(records, columns=COLUMNS)
    for number, values in totals[-1:]:
        for name in MONEY_FIELDS:
            raw = cell(values, name)
            if _blank(raw):
                continue
            value = parse_money(raw)
            if value is None:
                problem(number, name, f"'{_text(raw)}' in the totals row is not an amount of money")
                continue
            total = pd.to_numeric(frame[f"{name}_gbp_k"], errors="coerce").sum()
            if abs(value - total) > 0.5 + 1e-6 * abs(total):
                problem(
                    number, name,
                    f"the totals row says {value:,.1f} but the savings above add up to {total:,.1f}",
                )  # fmt: skip
    if problems:
        raise InputError(problems)
    frame["financial_year"] = frame["financial_year"].astype(int)
    for name in MONEY_FIELDS:
        frame[f"{name}_gbp_k"] = frame[f"{name}_gbp_k"].astype(float)
    frame["source_row"] = frame["source_row"].astype(int)
    return frame


def load_snapshot(
    council: Council, period: Period, settings: SavingsSettings | None = None
) -> pd.DataFrame | None:
    """The register for a period, or None when there is no file for it."""
    path = register_path(council, period)
    return None if path is None else load_register(path, council, settings)


def missing_register_error(council: Council, period: Period) -> InputError:
    folder = display_path(savings_folder(council))
    return InputError.single(
        folder,
        f"no savings register for {period}: expected {period}.xlsx or {period}.csv in this folder",
    )


def load_year(council: Council, period: Period) -> dict[Period, pd.DataFrame]:
    """Every snapshot of the period's financial year up to and including the period.

    The period's own register must exist; earlier quarters are included when present. Problems
    in all of them are reported together.
    """
    settings = load_settings(council)
    snapshots: dict[Period, pd.DataFrame] = {}
    problems: list[Problem] = []
    for quarter in range(1, period.quarter + 1):
        each = Period(period.year, quarter)
        try:
            loaded = load_snapshot(council, each, settings)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if loaded is not None:
            snapshots[each] = loaded
        elif each == period:
            problems.extend(missing_register_error(council, period).problems)
    if problems:
        raise InputError(problems)
    return snapshots
