"""Cell-level helpers the readers share: a block of published cells as numbers in one vectorised
pass, header texts, and the markers of an identifier header (``E-code``, ``ONS Code``).

Kept apart from :mod:`analysis.public_data._common` (the workbook layer) so that the readers can
recognise a table by its own markers whatever container it came in (.xls, .xlsx, .ods or CSV).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from analysis.public_data._common import MISSING_MARKERS, clean_text

# How publishers have labelled the column of DLUHC's four-character authority codes (E0101).
ECODE_LABELS = {"e-code", "ecode", "e code", "e_code", "lgf code"}
ECODE = re.compile(r"^E\d{4}$")
_NUMERIC_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def header_texts(row: tuple | list) -> list[str]:
    """A row's cells as lower-case text with whitespace collapsed (blank cells as '')."""
    return [clean_text(v).lower() for v in row]


def is_ecode_label(text: str) -> bool:
    return text.replace("\u2011", "-") in ECODE_LABELS


def find_label(texts: list[str], *labels: str, start: bool = False) -> int | None:
    """Index of the first cell equal to one of ``labels`` (or starting with one, if ``start``);
    spaces inside the cell are ignored ('ONS  Code' is 'ons code')."""
    squeezed = [t.replace(" ", "") for t in texts]
    wanted = [label.replace(" ", "") for label in labels]
    for j, text in enumerate(squeezed):
        if not text:
            continue
        if text in wanted or (start and any(text.startswith(w) for w in wanted)):
            return j
    return None


def numbers(block: Any) -> np.ndarray:
    """A 2-D block of cells as floats in one pass: numbers as they are, numeric text (with
    thousands separators or accounting brackets) parsed, and every "no return" marker, blank or
    other text as NaN."""
    values = np.asarray(block, dtype=object)
    if values.size == 0:
        return np.zeros(values.shape, dtype=float)
    flat = pd.Series(values.ravel(), dtype=object)
    is_text = flat.map(type).eq(str).to_numpy()
    out = np.array(pd.to_numeric(flat.where(~is_text), errors="coerce"), dtype=float)
    if is_text.any():
        text = flat[is_text].str.strip().str.replace(",", "", regex=False)
        text = text.where(~text.str.lower().isin(MISSING_MARKERS))
        # Accounting brackets: '(1,234)' is -1234.
        bracketed = text.str.match(r"^\(.*\)$", na=False)
        text = text.where(~bracketed, "-" + text.str.slice(1, -1).str.strip())
        text = text.where(text.str.match(_NUMERIC_TEXT.pattern, na=False))
        out[is_text] = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    return out.reshape(values.shape)


def block(rows: list[tuple], columns: list[int]) -> np.ndarray:
    """The cells of ``columns`` in every row (short rows padded with blanks), as an object array."""
    width = max(columns) + 1 if columns else 0
    padded = [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows]
    if not padded or not columns:
        return np.empty((len(rows), len(columns)), dtype=object)
    return np.asarray(padded, dtype=object)[:, columns]


def each(values: Any, n: int) -> pd.api.extensions.ExtensionArray:
    """Text values each repeated ``n`` times (a, a, b, b), as a string array built by one take
    (far quicker than repeating Python objects)."""
    values = list(values)
    return pd.array(values, dtype="str").take(np.repeat(np.arange(len(values)), n))


def cycle(values: Any, n: int) -> pd.api.extensions.ExtensionArray:
    """Text values cycled ``n`` times (a, b, a, b), as a string array."""
    values = list(values)
    return pd.array(values, dtype="str").take(np.tile(np.arange(len(values)), n))
