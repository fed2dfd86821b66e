"""Tables and sentences for the committee reports.

Everything shown here is escaped: a saving titled ``<script>`` or ``**bold**`` appears as that
text, never as markup. Tables get a caption and header cells with a scope; numbers are
right-aligned and negatives are shown the same way everywhere (a minus sign, class ``neg``).

Column names carry their units (``gap_gbp_m``, ``delivery_rate_pct``). :func:`table_html` uses
them to format: ``_gbp_m`` to one decimal place, ``_gbp_k`` and ``_gbp`` with thousands
separators, ``_fraction``, ``_rate`` and ``_pct`` as a percentage of a fraction with the
precision of the input (0.25 -> 25.0%, 0.0199 -> 1.99%; a computed 0.809923 -> 81.0%),
``_ratio`` to two places.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

MINUS = "\u2212"
ACRONYMS = {
    w.lower(): w
    for w in ("ASC", "DSG", "MTFP", "RAG", "VfM", "NRE", "ONS", "EHCP", "EHCPs", "MAD", "RS")
}


def half_up(value: float, decimals: int) -> str:
    """``value`` to ``decimals`` places, halves rounded away from zero (1.25 -> 1.3), with
    thousands separators, as finance readers expect (Python's own rounding gives 1.2)."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}"


def exact_decimals(percent: float, most: int = 2) -> int | None:
    """The fewest decimal places (up to ``most``) that show ``percent`` exactly, or None when it
    needs more (a computed figure rather than an input such as a 1.99% limit)."""
    for decimals in range(most + 1):
        if abs(percent - round(percent, decimals)) < 1e-9:
            return decimals
    return None


def percent_text(fraction: float, least: int = 0, computed: int = 0) -> str:
    """A fraction as a percentage with the precision of its input: 0.0199 -> '1.99%' (never
    '2.0%' beside a 1.99% limit), 0.02 -> '2%'; a computed figure such as 0.809923 to
    ``computed`` places ('81%'). ``least`` sets a minimum number of places."""
    percent = float(fraction) * 100
    decimals = exact_decimals(percent)
    places = computed if decimals is None else max(decimals, least)
    return half_up(percent, places) + "%"


def _fmt_number(value: float, column: str) -> str:
    """Unsigned text for a number in a column named with its unit."""
    if column.endswith(("_pct", "_fraction", "_rate")):
        return percent_text(abs(value), least=1, computed=1)
    if column.endswith("_gbp_m"):
        return half_up(abs(value), 1)
    if column.endswith("_per_head_gbp"):
        return half_up(abs(value), 2)
    if column.endswith("_gbp_k"):
        return half_up(abs(value), 0)
    if column.endswith("_gbp"):  # pounds: Band D charges, unit costs
        return half_up(abs(value), 2)
    if float(value).is_integer() and abs(value) < 1e15:
        return half_up(abs(value), 0)
    return half_up(abs(value), 2)


def format_cell(value, column: str) -> tuple[str, str]:
    """(text, css class) for one cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–", "num missing"
    if isinstance(value, bool):
        return ("Yes" if value else "No"), "text"
    if isinstance(value, numbers.Number):
        text = _fmt_number(float(value), column)
        if value < 0 and text.strip("0.,%"):  # a minus only where the shown figure is not zero
            return MINUS + text, "num neg"
        return text, "num"
    return html.escape(str(value)), "text"


def pretty_header(column: str) -> str:
    """``gap_gbp_m`` -> 'Gap (£m)'."""
    units = [
        ("_per_head_gbp", " (£ per head)"),
        ("_gbp_m", " (£m)"),
        ("_gbp_k", " (£k)"),
        ("_gbp", " (£)"),
        ("_pct", " (%)"),
        ("_fraction", " (%)"),
    ]
    label, suffix = column, ""
    for ending, unit in units:
        if column.endswith(ending):
            label, suffix = column[: -len(ending)], unit
            break
    # A single letter is a name, not a word: "band_d" -> "Band D".
    words = [
        ACRONYMS.get(word, word.upper() if len(word) == 1 and word.isalpha() else word)
        for word in label.replace("_", " ").split()
    ]
    label = " ".join(words)
    return (label[:1].upper() + label[1:] + suffix) if label else column


LONG_TEXT_CHARS = 40  # a text column with a longer cell wraps at a readable width


def table_html(
    df: pd.DataFrame,
    caption: str,
    headers: dict[str, str] | None = None,
    index: bool = False,
    max_rows: int | None = None,
) -> str:
    """A captioned, accessible HTML table. ``headers`` renames columns for display only."""
    if not caption:
        raise ValueError("every table needs a caption")
    frame = df.reset_index() if index else df
    if max_rows is not None and len(frame) > max_rows:
        frame = frame.head(max_rows)
        caption = f"{caption} (first {max_rows} of {len(df)} rows)"
    headers = headers or {}
    columns = [str(c) for c in frame.columns]
    head = "".join(
        f'<th scope="col" class="{"num" if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) else "text"}">'
        f"{html.escape(headers.get(str(c), pretty_header(str(c))))}</th>"
        for c in frame.columns
    )
    # Columns of long text (a reason, a mitigation) wrap at a readable width (class "wrap").
    long_text = {
        str(c)
        for c in frame.columns
        if any(isinstance(v, str) and len(v) > LONG_TEXT_CHARS for v in frame[c])
    }
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for position, (value, column) in enumerate(zip(record, columns, strict=True)):
            text, cls = format_cell(value, column)
            if column in long_text and cls == "text":
                cls = "text wrap"
            if position == 0 and cls.startswith("text"):
                cells.append(f'<th scope="row" class="{cls}">{text}</th>')
            else:
                cells.append(f'<td class="{cls}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    # The wrapper scrolls sideways on narrow screens: a named, focusable region, so keyboard
    # users can scroll it too (WCAG 2.1.1; axe rule scrollable-region-focusable).
    return (
        f'<div class="table-wrap" role="region" tabindex="0" aria-label="{html.escape(caption, quote=True)}">'
        '<table class="data-table">'
        f"<caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


MAX_SHOWN_ROWS = 200  # a report shows the top rows of a long table; the CSV holds them all


def capped_table_html(
    df: pd.DataFrame, caption: str, max_rows: int = MAX_SHOWN_ROWS, **kwargs
) -> str:
    """:func:`table_html` for at most ``max_rows`` rows, then "and M more rows, all in
    tables/x.csv" naming the pack table that holds them (when the notebook saved one)."""
    if len(df) <= max_rows:
        return table_html(df, caption, **kwargs)
    from analysis.core.tables import saved_table_holding

    hidden = len(df) - max_rows
    name = saved_table_holding(df)
    where = f", all in tables/{name}.csv" if name else " (not shown)"
    note = f"and {hidden:,} more row{'s' if hidden != 1 else ''}{where}"
    return (
        table_html(df.head(max_rows), f"{caption} (top {max_rows:,} of {len(df):,} rows)", **kwargs)
        + f'<p class="table-more">{html.escape(note)}</p>'
    )


def show_table(df: pd.DataFrame, caption: str, **kwargs) -> None:
    """Display a table (see :func:`table_html`), at most :data:`MAX_SHOWN_ROWS` rows of it."""
    from IPython.display import HTML, display

    display(HTML(capped_table_html(df, caption, **kwargs)))


def say(*sentences: str) -> None:
    """Display generated sentences as a paragraph, escaped."""
    from IPython.display import HTML, display

    display(HTML("<p>" + " ".join(html.escape(s) for s in sentences) + "</p>"))


def bullets(items: Iterable[str]) -> None:
    from IPython.display import HTML, display

    display(HTML("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"))


def callout(text: str, kind: str = "note") -> None:
    """A highlighted box: kind is 'note', 'warning' or 'caveat'."""
    from IPython.display import HTML, display

    label = {"note": "Note", "warning": "Warning", "caveat": "Caveat"}.get(kind, "Note")
    display(
        HTML(
            f'<div class="callout callout-{html.escape(kind)}" role="note">'
            f"<strong>{label}:</strong> {html.escape(text)}</div>"
        )
    )


def headline_html(items: Iterable[tuple[str, str, str]]) -> str:
    """Key figures as tiles: (label, value, one-line explanation)."""
    tiles = "".join(
        f'<div class="kpi"><div class="kpi-label">{html.escape(label)}</div>'
        f'<div class="kpi-value">{html.escape(value)}</div>'
        f'<div class="kpi-note">{html.escape(note)}</div></div>'
        for label, value, note in items
    )
    return f'<div class="kpis">{tiles}</div>'


def headline(items: Iterable[tuple[str, str, str]]) -> None:
    from IPython.display import HTML, display

    display(HTML(headline_html(items)))


def gbp_m_text(value_gbp_k: float, decimals: int = 1) -> str:
    """£k -> '£12.3m' for prose (negative as '-£1.2m')."""
    text = half_up(abs(value_gbp_k) / 1000.0, decimals)
    sign = "-" if value_gbp_k < 0 and text.strip("0.,") else ""
    return f"{sign}£{text}m"


def in_sentence(name: str) -> str:
    """A service's name inside a sentence: its first letter in lower case, the rest as it is
    ("Housing services (GFRA only)" -> "housing services (GFRA only)"); a name that starts with
    initials keeps them ("DSG deficit")."""
    return name if name[:2] == name[:2].upper() else name[:1].lower() + name[1:]


def join_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' (the pack's lists in prose; '' for none)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def pct_text(fraction: float, decimals: int = 0) -> str:
    """0.256 -> '26%'."""
    return half_up(fraction * 100, decimals) + "%"
