"""Financial years and quarters: ``2021-22`` and ``2021-22-Q2``.

Input accepts ``2021-22``, ``2021/22``, ``2021-22 Q2``, ``2021/22-Q2``; output is always
``2021-22`` for a year and ``2021-22-Q2`` for a period (``2021-22 Q2`` in prose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")
_PERIOD = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*[- _]?\s*Q([1-4])\s*$", re.IGNORECASE)

QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}


def _start_year(first: str, second: str, text: str) -> int:
    start = int(first)
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if len(second) == 2 and end < start:
        end += 100
    if end != start + 1:
        raise ValueError(
            f"'{text}' is not a financial year: expected consecutive years like 2021-22"
        )
    return start


def parse_year(text: str | int) -> int:
    """The starting calendar year of a financial year: ``'2021-22'`` and ``'2021/22'`` give 2021."""
    if isinstance(text, int):
        return text
    match = _YEAR.match(str(text))
    if not match:
        raise ValueError(f"'{text}' is not a financial year: expected a form like 2021-22")
    return _start_year(match.group(1), match.group(2), str(text))


def year_label(start_year: int) -> str:
    """2021 -> '2021-22'."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """A quarter of a financial year. Q4 is the outturn."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(str(text))
        if not match:
            raise ValueError(f"'{text}' is not a period: expected a form like 2021-22-Q1")
        return cls(_start_year(match.group(1), match.group(2), str(text)), int(match.group(3)))

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def previous(self) -> Period | None:
        """The previous quarter of the same financial year; None for Q1."""
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else None

    def __str__(self) -> str:
        return f"{self.year_label}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year_label} Q{self.quarter}"

    @property
    def description(self) -> str:
        return f"{self.year_label} quarter {self.quarter} ({QUARTER_MONTHS[self.quarter]})"
