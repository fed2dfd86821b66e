"""The house look for every chart in the pack.

- A colour-blind-safe palette (Okabe and Ito) ordered so that neighbouring series also differ in
  lightness, with hatches and line styles so a chart still reads when printed in greyscale.
- Money on axes in £m (the data are £k: divide by 1,000 before plotting).
- A title that states the message, and a caption with the source and the period.
- Every chart is shown through :func:`show`, which embeds the PNG with alt text and, when given,
  the table behind the chart in a collapsible section beside it.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

# Okabe-Ito, reordered so consecutive colours differ in lightness as well as hue.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

# RAG status colours with hatches that separate them in greyscale.
RAG_COLOURS = {"Blue": "#0072B2", "Green": "#009E73", "Amber": "#E69F00", "Red": "#D55E00"}
RAG_HATCHES = {"Blue": "", "Green": "..", "Amber": "//", "Red": "xx"}

HIGHLIGHT = "#D55E00"
MUTED = "#9A9A9A"
TEXT = "#1A1A1A"


def apply_house_style() -> None:
    """Set matplotlib defaults for the pack. Called by :func:`analysis.core.notebook.setup`."""
    plt.rcParams.update(
        {
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "font.size": 10.5,
            "axes.titlesize": 12.5,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelcolor": TEXT,
            "axes.edgecolor": "#555555",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "axes.axisbelow": True,  # grid lines behind bars, not across them
            "hatch.linewidth": 1.3,  # hatches that survive greyscale printing
            "grid.color": "#DDDDDD",
            "grid.linewidth": 0.8,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE[:6], linestyle=LINESTYLES),
            "legend.frameon": False,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "svg.hashsalt": "council-finance",
            # Text comes from registers and council.yaml: "$" is a dollar sign, never TeX
            # (a directorate named "Costs $x^" would otherwise stop the chart).
            "text.parse_math": False,
        }
    )


def gbp_m(value: float, _pos: int | None = None) -> str:
    """Format a £m value for an axis: £12m, -£3.5m."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    text = (
        f"{magnitude:,.0f}"
        if magnitude >= 10 or magnitude == int(magnitude)
        else f"{magnitude:,.1f}"
    )
    return f"{sign}£{text}m"


def gbp_m_axis(ax, axis: str = "y", label: str | None = "£m") -> None:
    """Label an axis of £m values."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(gbp_m))
    if label:
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(label)


def percent_axis(ax, axis: str = "y", label: str | None = None, decimals: int = 0) -> None:
    """Label an axis of fractions (0.25) as percentages (25%)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:.{decimals}f}%"))
    if label:
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(label)


def new_figure(title: str, width: float = 8.0, height: float = 4.5, ncols: int = 1):
    """A figure with the message-stating title; returns (fig, ax) or (fig, axes)."""
    plt.rcParams["text.parse_math"] = False  # user text is text, even outside a notebook
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), layout="constrained")
    first = axes[0] if ncols > 1 else axes
    first.set_title(title, loc="left", wrap=True, y=TITLE_Y)
    return fig, axes


# Where matplotlib puts an axes' title when nothing (top ticks, a top label) is above the axes,
# as on every chart here. Given, it is not worked out again from every axis at each layout pass
# and draw: the same picture for less work.
TITLE_Y = 1.0


def no_axis_label(axis) -> None:
    """For an axis with no label (``ax.xaxis``): leave its empty label out of the layout, so
    matplotlib does not place it again at each layout pass and draw (the same picture)."""
    axis.label.set_visible(False)
    axis.set_label_coords(0.5, 0.0)


def add_caption(fig, source: str, period: str | None = None) -> None:
    """Put 'Source: ...; period ...' under the chart."""
    text = f"Source: {source}" + (f". Period: {period}" if period else "")
    fig.supxlabel(text, x=0.01, ha="left", fontsize=8.5, color="#444444")


# zlib level 3: on the benchmarking charts as fast as level 1 (a third less time than the
# default, 6) for 0.2% more bytes (level 1: 3% more).
PNG_COMPRESS_LEVEL = 3


def figure_png(fig) -> bytes:
    """The figure as PNG bytes, deterministic for the same figure (no timestamp metadata)."""
    lay_out_once(fig)
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        metadata={"Software": None},
        pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
    )
    return buffer.getvalue()


def lay_out_once(fig) -> None:
    """Run the figure's layout engine now, at the resolution it is saved at, then take the engine
    off: the same picture, for less work. With an engine, ``savefig`` first draws the whole
    figure with drawing switched off to lay it out, then draws it again for real; a fifth of a
    chart's time. ("tight" bounds would draw it twice more.)"""
    engine = fig.get_layout_engine()
    if engine is None:
        return
    dpi = plt.rcParams["savefig.dpi"]
    if dpi != "figure":
        fig.set_dpi(dpi)
    engine.execute(fig)
    # None (not "none", which leaves a placeholder engine that savefig still lays out for).
    with plt.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


def figure_html(
    fig, alt: str, table: pd.DataFrame | None = None, table_caption: str | None = None
) -> str:
    """The figure as a self-contained ``<figure>``: embedded PNG, alt text, optional data table."""
    from analysis.core.display import capped_table_html

    if not alt or not alt.strip():
        raise ValueError("every chart needs alt text describing what it shows")
    encoded = base64.b64encode(figure_png(fig)).decode("ascii")
    parts = [
        '<figure class="chart">',
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}">',
    ]
    if table is not None:
        caption = table_caption or "The figures behind this chart"
        parts.append(
            f"<details><summary>Show the data behind this chart</summary>"
            f"{capped_table_html(table, caption=caption)}</details>"
        )
    parts.append("</figure>")
    return "".join(parts)


def show(
    fig, alt: str, table: pd.DataFrame | None = None, table_caption: str | None = None
) -> None:
    """Display a chart in the notebook and the report, with alt text and its data; closes it."""
    from IPython.display import HTML, display

    try:
        display(HTML(figure_html(fig, alt, table, table_caption)))
    finally:
        plt.close(fig)


def series_styles(n: int) -> list[dict]:
    """Colour, line style and marker for ``n`` series, distinct in colour and in greyscale."""
    return [
        {
            "color": PALETTE[i % len(PALETTE)],
            "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)],
        }
        for i in range(n)
    ]


def _lightness(colour: str) -> float:
    """Perceived lightness 0 (black) to 1 (white) of '#RRGGBB', as a greyscale printer sees it."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def hatch_colour(fill: str) -> str:
    """Dark hatching on light fills, white on dark ones, so hatches show in greyscale."""
    return TEXT if _lightness(fill) > 0.5 else "#FFFFFF"


_HATCHCOLOR = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 10)


def _bar_style(colour: str, hatch: str) -> dict:
    style = {"color": colour, "hatch": hatch, "edgecolor": "white"}
    if _HATCHCOLOR and hatch:
        style["hatchcolor"] = hatch_colour(colour)
    return style


def bar_styles(n: int) -> list[dict]:
    """Fill colour and hatch for ``n`` bar series (hatches visible in greyscale)."""
    return [_bar_style(PALETTE[i % len(PALETTE)], HATCHES[i % len(HATCHES)]) for i in range(n)]


def rag_style(status: str) -> dict:
    """Bar style for a RAG status ('Blue', 'Green', 'Amber', 'Red'): colour and hatch."""
    return _bar_style(RAG_COLOURS[status], RAG_HATCHES[status])


def label_years(ax, years: Sequence[str]) -> None:
    ax.set_xticks(range(len(years)))
    ax.set_xticklabels(list(years))


def label_line_ends(
    ax, x: float, values: Sequence[float], labels: Sequence[str], gap: float = 0.07
) -> None:
    """Name each line at its last point instead of a legend (reads in greyscale, no matching of
    colours to a key). Labels closer than ``gap`` of the axis height are pushed apart."""
    if not values:
        return
    low, high = ax.get_ylim()
    low, high = min(low, *values), max(high, *values)
    step = (high - low) * gap
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed: dict[int, float] = {}
    previous = None
    for i in order:
        y = values[i] if previous is None else max(values[i], previous + step)
        placed[i] = previous = y
    for i, label in enumerate(labels):
        ax.annotate(
            label,
            (x, values[i]),
            xytext=(x + 0.08, placed[i]),
            textcoords="data",
            va="center",
            ha="left",
            fontsize=9,
            color=TEXT,
            arrowprops=None
            if abs(placed[i] - values[i]) < step / 4
            else {"arrowstyle": "-", "color": MUTED, "lw": 0.6},
        )


def waterfall(ax, labels: Sequence[str], start: float, steps: Sequence[float], end: float) -> None:
    """A waterfall on ``ax``: a bar for ``start``, one floating bar per step (rising = up, one
    style; falling, another) and a bar for ``end``, each labelled with its figure. The caller
    passes the figures as they should read (steps that add up to ``end - start``)."""
    up, down, total = bar_styles(3)
    level = float(start)
    values = [float(start), *map(float, steps), float(end)]
    for i, value in enumerate(values):
        first_or_last = i in (0, len(values) - 1)
        bottom = 0.0 if first_or_last else level
        style = total if first_or_last else (up if value > 0 else down)
        ax.bar(i, value, bottom=bottom, **style)
        ax.annotate(
            f"{value:.1f}" if first_or_last or value == 0 else f"{value:+.1f}",
            (i, bottom + max(value, 0.0)),
            ha="center",
            va="bottom",
            fontsize=8,
            color=TEXT,
        )
        if not first_or_last:
            level += value
    ax.set_xticks(range(len(values)), list(labels), rotation=30, ha="right")
    ax.axhline(0, color=MUTED, linewidth=0.8)
    ax.margins(y=0.12)  # room for the figures above the bars
