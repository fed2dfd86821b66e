"""The savings register's fields: the header names each is recognised by, the settings that map a
council's own column names (``savings:`` in ``council.yaml``), and how a cell is read (money such
as ``£1,234``, ``(250)`` or ``-``; RAG as words or letters).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from analysis.core.config import Council, parse_model
from analysis.core.errors import InputError, display_path
from analysis.core.periods import Period

RAG_ORDER = ["Blue", "Green", "Amber", "Red"]


RAG_RANK = {rag: i for i, rag in enumerate(RAG_ORDER)}


MONEY_FIELDS = ("planned", "delivered", "forecast")


# £1 trillion in £k: more than any council's budget; beyond it a figure is a typing slip (or
# an overflow) and sums would lose their pennies.
MAX_MONEY_GBP_K = 1e9


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


_NUMBER = re.compile(r"^((\d{1,3}(,\d{3})+|\d+)(\.\d+)?|\.\d+)$")


_DASHES = {"-", "–", "—", "", "nil"}


COLUMNS = [
    "reference", "title", "directorate", "service", "type", "financial_year", "planned_gbp_k",
    "delivered_gbp_k", "forecast_gbp_k", "rag", "owner", "mitigation", "note", "source_row",
]  # fmt: skip


def _headers(value: Any) -> list[str]:
    """One header or a list of accepted headers for a field, as a list."""
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(h, str) and h.strip() for h in items)
    ):
        raise ValueError("give the header as written in your register, or a list of headers")
    return items


def _check_fields(value: dict[str, Any], where: str) -> dict[str, list[str]]:
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        raise ValueError(
            f"unknown register field(s) {unknown}{where}: map one of {sorted(FIELDS)} "
            "to the header as written in your register"
        )
    return {name: _headers(headers) for name, headers in value.items()}


class SavingsSettings(BaseModel):
    """``savings:`` in council.yaml.

    ``columns`` maps a field to the header as the council writes it, or to a list of headers
    any of which is accepted (``forecast: ["Q1 projection (£k)", "Q2 projection (£k)"]``).
    ``columns_by_period`` maps a period to such a mapping, used for that period's register
    over ``columns`` (``2021-22-Q2: {forecast: "Q2 projection (£k)"}``).
    """

    model_config = ConfigDict(extra="forbid")
    types: list[str] = Field(min_length=1)
    columns: dict[str, list[str]] = Field(default_factory=dict)
    columns_by_period: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    sheet: str | None = None
    _file: str = PrivateAttr(default="council.yaml")
    _period: str | None = PrivateAttr(default=None)

    @field_validator("types")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        seen = [normalise(v) for v in value]
        if len(set(seen)) != len(seen) or not all(seen):
            raise ValueError("savings types must be distinct and not blank")
        return value

    @field_validator("columns", mode="before")
    @classmethod
    def _known_fields(cls, value: Any) -> Any:
        return _check_fields(value, "") if isinstance(value, dict) else value

    @field_validator("columns_by_period", mode="before")
    @classmethod
    def _periods(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, mapping in value.items():
            try:
                period = str(Period.parse(str(key)))
            except ValueError as exc:
                raise ValueError(f"columns_by_period: {exc}") from None
            if not isinstance(mapping, dict):
                raise ValueError(f"columns_by_period.{period}: expected field: header pairs")
            out[period] = _check_fields(mapping, f" for {period}")
        return out

    @property
    def file(self) -> str:
        """The settings' file (council.yaml), as shown to users."""
        return self._file

    def for_period(self, period: Period | str) -> SavingsSettings:
        """The settings for one period's register: ``columns_by_period`` over ``columns``."""
        key = str(period)
        out = self.model_copy(
            update={"columns": {**self.columns, **self.columns_by_period.get(key, {})}}
        )
        out._file, out._period = self._file, key
        return out

    def header_map(self) -> dict[str, str]:
        """Normalised header -> field, for every header the settings accept."""
        return {normalise(h): name for name, headers in self.columns.items() for h in headers}

    def setting_to_change(self, name: str) -> str:
        """Where to map ``name``'s column: the key and the file."""
        keys = f"savings.columns.{name}"
        if self._period:
            keys += f" (every period) or savings.columns_by_period.{self._period}.{name}"
        return f"{keys} in {self._file}"

    def missing_column(self, name: str, found: list[str]) -> str:
        """The message for a required column not found: what was expected, the headers that
        are there, and the setting to change."""
        label = FIELDS[name][0]
        if name in self.columns:
            expected = " or ".join(f"'{h}'" for h in self.columns[name])
            expected += " (as the settings say)"
        else:
            expected = f"'{label}' or a similar wording"
        headers = ", ".join(f"'{h}'" for h in found) or "none"
        return (
            f"required column missing: no header for {label} (expected {expected}). Headers in "
            f"this row: {headers}. If one of them is the {label} column, name it in "
            f"{self.setting_to_change(name)} (one header, or a list of the headers your "
            "registers use)"
        )


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
    settings = parse_model(SavingsSettings, council.savings, file, prefix="savings")
    settings._file = file
    return settings


def is_blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def cell_text(value: Any) -> str:
    if is_blank(value):
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
        number = float(value) if abs(value) < 1e300 else math.inf
        return number if math.isfinite(number) and abs(number) <= MAX_MONEY_GBP_K else None
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
    if not math.isfinite(number) or number > MAX_MONEY_GBP_K:
        return None
    return -number if negative else number


def parse_rag(value: Any) -> str | None:
    return _RAG_LOOKUP.get(normalise(value)) if not is_blank(value) else None
