"""Load and check a council's savings register: one snapshot per quarter.

A register lives in ``data/raw/<council>/savings/<period>.xlsx`` (or ``.xlsm``, ``.xls``,
``.ods``, ``.csv``, in any case), e.g. ``2021-22-Q2.xlsx``: one row per saving per financial
year, money in £ thousand.

Real registers are kept by hand in Excel, so the loader accepts:

- title rows above the header (the header row is found by matching column names);
- header names in any case, spacing or common wording (``Ref``, ``Saving Title``,
  ``Planned Saving (£k)``...), plus a mapping in ``council.yaml`` ``savings.columns``;
- money as numbers or as text: ``£1,234``, ``1,234.5``, ``(250)`` (negative), ``-`` (zero);
- blank rows; a totals row at the bottom (reference blank, a cell reading ``Total``, or
  ``Total`` in the reference column), which is dropped after checking it against the sum of
  the rows;
- hidden sheets (ignored: the configured sheet, else the first visible one is read);
- RAG as words or letters (``Blue``/``B``/``achieved``/``complete``, ``G``, ``A``, ``R``...);
- financial years as ``2021-22`` or ``2021/22``.

What is wrong is reported in one :class:`~analysis.core.errors.InputError` listing every problem,
each naming the file, the sheet, the row as Excel numbers it, and the column as headed in the
file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.config import Council
from analysis.core.errors import InputError, Problem, Problems, display_path, listing
from analysis.core.periods import Period, parse_year, year_label
from analysis.core.provenance import record_input
from analysis.core.schedule import SNAPSHOT_SUFFIXES, snapshot_files
from analysis.savings.fields import (
    COLUMNS,
    FIELDS,
    MAX_MONEY_GBP_K,
    MONEY_FIELDS,
    REQUIRED,
    SavingsSettings,
    cell_text,
    is_blank,
    load_settings,
    normalise,
    parse_money,
    parse_rag,
)
from analysis.savings.sheets import (
    HEADER_SEARCH_ROWS,
    WORKBOOK_SUFFIXES,
    RegisterWorkbook,
    find_header,
    read_csv,
    read_workbook,
    uncached_formulas,
)

MAX_PROBLEMS_CHECKED = 10_000  # a register this wrong is the wrong file: stop checking it

_TOTAL = re.compile(r"^\s*(grand\s+)?totals?\b", re.IGNORECASE)


def savings_folder(council: Council) -> Path:
    return council.folder / "savings"


def register_path(council: Council, period: Period) -> Path | None:
    """The snapshot file for a period (any readable format, any case), or None when there is none."""
    found = snapshot_files(council.slug, council.folder).get(period, [])
    if len(found) > 1:
        raise InputError.single(
            display_path(found[0].parent),
            f"{' and '.join(p.name for p in found)} all hold {period}: keep one",
        )
    return found[0] if found else None


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
    if suffix in WORKBOOK_SUFFIXES:
        sheet = read_workbook(path, shown, settings.sheet)
    elif suffix == ".csv":
        sheet = read_csv(path, shown)
    else:
        raise InputError.single(
            shown, f"a savings register must be one of {', '.join(SNAPSHOT_SUFFIXES)}"
        )
    record_input(path)

    found = find_header(sheet, settings)
    if found is None:
        raise _no_header(path, sheet, settings)
    index, header_row, columns, header_problems = found
    problems = Problems(header_problems)
    headers = sheet.rows[index][1]
    if any(name not in columns for name in REQUIRED):
        raise InputError(problems)

    def header(name: str) -> str:
        return cell_text(headers[columns[name]]) or FIELDS[name][0]

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
    stopped: list[Problem] = []  # said first, so never among the problems counted, not listed

    for number, values in sheet.rows[index + 1 :]:
        if len(problems) >= MAX_PROBLEMS_CHECKED:
            stopped.append(
                Problem(
                    shown,
                    f"checking stopped here after {len(problems):,} problems: the rows from "
                    "this one down were not checked (is this the register meant?)",
                    row=number,
                    sheet=sheet.sheet,
                )
            )
            break
        if all(is_blank(v) for v in values):
            continue
        reference = cell_text(cell(values, "reference"))
        if _TOTAL.match(reference) and is_blank(cell(values, "directorate")):
            totals.append((number, values))  # "Total" typed in the reference column
            continue
        if not reference:
            first_text = next((v for v in values if isinstance(v, str) and v.strip()), "")
            if _TOTAL.match(cell_text(cell(values, "title"))) or _TOTAL.match(first_text):
                totals.append((number, values))
                continue
        if totals:
            if reference and sum(not is_blank(v) for v in values) >= 3:
                problem(
                    number, "reference", "a saving below the totals row: move it above the total"
                )
            continue  # notes under the total are not savings
        if not reference:
            problem(number, "reference", "reference is blank")
            continue

        record: dict[str, Any] = {"reference": reference, "source_row": number}
        for name in ("title", "service", "owner", "mitigation", "note"):
            record[name] = cell_text(cell(values, name))
        if not record["title"]:
            problem(number, "title", "title is blank")

        raw = cell_text(cell(values, "directorate"))
        record["directorate"] = directorates.get(normalise(raw))
        if record["directorate"] is None:
            problem(
                number, "directorate",
                f"unknown directorate '{raw}': expected one of {listing(council.directorates)} "
                "(council.yaml directorates)",
            )  # fmt: skip

        raw = cell_text(cell(values, "type"))
        record["type"] = types.get(normalise(raw))
        if record["type"] is None:
            problem(
                number, "type",
                f"unknown savings type '{raw}': expected one of {listing(settings.types)} "
                "(council.yaml savings.types)",
            )  # fmt: skip

        raw = cell(values, "financial_year")
        try:
            record["financial_year"] = parse_year(cell_text(raw))
        except ValueError:
            record["financial_year"] = None
            problem(
                number,
                "financial_year",
                f"'{cell_text(raw)}' is not a financial year: write it like 2021-22",
            )

        raw = cell(values, "rag")
        record["rag"] = parse_rag(raw)
        if record["rag"] is None:
            problem(
                number, "rag",
                f"unknown RAG status '{cell_text(raw)}': use Blue (achieved), Green, Amber or Red "
                "(or B, G, A, R)",
            )  # fmt: skip

        for name in MONEY_FIELDS:
            raw = cell(values, name)
            value = parse_money(raw)
            if value is None:
                problem(
                    number, name,
                    f"'{cell_text(raw)[:40]}' is not an amount of money (£k, at most "
                    f"{MAX_MONEY_GBP_K:,.0f})",
                )  # fmt: skip
            elif name in ("planned", "forecast") and is_blank(raw):
                problem(
                    number, name, f"{FIELDS[name][0].lower()} value is blank (write 0 for none)"
                )
                value = None
            record[f"{name}_gbp_k"] = value
        planned, delivered = record["planned_gbp_k"], record["delivered_gbp_k"]
        if planned is not None and planned < 0:
            problem(
                number,
                "planned",
                f"planned value is negative ({cell_text(cell(values, 'planned'))})",
            )
        for name in ("delivered", "forecast"):
            value = record[f"{name}_gbp_k"]
            if value is not None and value < 0 and not record["note"]:
                problem(
                    number, name,
                    f"{FIELDS[name][0].lower()} is negative ({cell_text(cell(values, name))}): "
                    "a saving clawed back is 0 delivered; correct it, or explain it in the note "
                    "column",
                )  # fmt: skip
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
            if is_blank(raw):
                continue
            value = parse_money(raw)
            if value is None:
                problem(
                    number, name, f"'{cell_text(raw)}' in the totals row is not an amount of money"
                )
                continue
            total = pd.to_numeric(frame[f"{name}_gbp_k"], errors="coerce").sum()
            if abs(value - total) > 0.5 + 1e-6 * abs(total):
                problem(
                    number, name,
                    f"the totals row says {value:,.1f} but the savings above add up to {total:,.1f}",
                )  # fmt: skip
    if problems:
        explained = _explain_formulas(path, sheet.sheet, problems.lines(), columns, headers)
        raise InputError([*stopped, *explained])
    frame["financial_year"] = frame["financial_year"].astype(int)
    for name in MONEY_FIELDS:
        frame[f"{name}_gbp_k"] = frame[f"{name}_gbp_k"].astype(float)
    frame["source_row"] = frame["source_row"].astype(int)
    return frame


def _no_header(path: Path, sheet, settings: SavingsSettings) -> InputError:
    """No header row: say which other sheet holds the register, if one does (a hidden one
    included: the message says it is hidden). The workbook is opened once for all of them."""
    shown = sheet.file
    if sheet.sheet is not None:
        with RegisterWorkbook(path, shown) as book:
            hidden = [name for name in book.hidden if name != sheet.sheet]
            book.measure([*sheet.others, *hidden])
            for other in [*sheet.others, *hidden]:
                if find_header(book.read(other), settings) is None:
                    continue
                if other in book.hidden:
                    return InputError.single(
                        shown, book.hidden_register(other, sheet.sheet), sheet=sheet.sheet
                    )
                return InputError.single(
                    shown,
                    f"the register is on sheet '{other}', not '{sheet.sheet}': set savings.sheet: "
                    f"'{other}' in council.yaml (or move that sheet first)",
                    sheet=sheet.sheet,
                )
    return InputError.single(
        shown,
        f"cannot find the header row in the first {HEADER_SEARCH_ROWS} rows: expected "
        "column names such as Reference, Title, Directorate, Type, Financial year, Planned, "
        "Delivered to date, Forecast, RAG, Owner, Mitigation (or set savings.columns in "
        "council.yaml)",
        sheet=sheet.sheet,
    )


def _explain_formulas(path, sheet_name, problems, columns, headers) -> list[Problem]:
    """A cell that looks blank but holds a formula with no saved value is said to be one."""
    blanks = [p for p in problems if "blank" in p.message or "''" in p.message]
    if not blanks:
        return problems
    formulas = uncached_formulas(path, sheet_name)
    if not formulas:
        return problems
    by_header = {cell_text(headers[col]) or FIELDS[name][0]: col for name, col in columns.items()}
    out = []
    for p in problems:
        col = by_header.get(p.column or "")
        if p in blanks and (p.row, col) in formulas:
            p = Problem(
                p.file,
                "formula with no saved value: open the file in Excel and save it, so the value "
                "is stored with the formula",
                row=p.row,
                column=p.column,
                sheet=p.sheet,
            )
        out.append(p)
    return out


def load_snapshot(
    council: Council, period: Period, settings: SavingsSettings | None = None
) -> pd.DataFrame | None:
    """The register for a period, or None when there is no file for it."""
    path = register_path(council, period)
    if path is None:
        return None
    return load_register(path, council, (settings or load_settings(council)).for_period(period))


def missing_register_error(council: Council, period: Period) -> InputError:
    folder = display_path(savings_folder(council))
    present = sorted(snapshot_files(council.slug, council.folder))
    there = ", ".join(str(p) for p in present) if present else "none"
    return InputError.single(
        folder,
        f"no savings register for {period}: expected {period}.xlsx (or "
        f"{', '.join(SNAPSHOT_SUFFIXES[1:])}) in this folder; the periods there are: {there}",
    )


def load_year(council: Council, period: Period) -> dict[Period, pd.DataFrame]:
    """Every snapshot of the period's financial year up to and including the period.

    The period's own register must exist; earlier quarters are included when present. Problems
    in all of them are reported together.
    """
    settings = load_settings(council)
    snapshots: dict[Period, pd.DataFrame] = {}
    problems = Problems()
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
