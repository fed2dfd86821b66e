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
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from analysis.core.chart_files import (  # noqa: E402, F401  (re-exported)
    CHECK_LOG_VARIABLE,
    chart_title,
    export_chart,
    export_charts_to,
    file_stem,
    log_check,
    text_outside,
)
from analysis.core.chart_ticks import (  # noqa: E402, F401  (re-exported)
    NICE_STEPS,
    ExactFormatter,
    axis_of,
    decimals_needed,
    exact_axis,
)

# Okabe-Ito, reordered so consecutive colours differ in lightness as well as hue.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "--", "++"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

# RAG status colours as committees expect them (a true red, an amber, a green), with hatches
# that separate them for colour-blind readers and in greyscale; the status is also named in each
# chart's legend or labels.
RAG_COLOURS = {"Blue": "#0072B2", "Green": "#1A7F37", "Amber": "#F2A900", "Red": "#C8102E"}
RAG_HATCHES = {"Blue": "", "Green": "..", "Amber": "//", "Red": "xx"}

# The smallest text in a saved chart, in points: at the pack's resolution (110 dpi) 8 pt is
# 12 px in the image, which a page shows no narrower than 600 px (it scrolls on a phone).
MIN_FONT_PT = 8.0

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
            # The SVG keeps its words as text, not as drawn outlines: a finance team can edit a
            # title in Word or PowerPoint, search it and copy it, and a screen reader reads it.
            # The file names DejaVu Sans, the font the PNG is drawn in, then matplotlib's
            # fallbacks (Verdana, Arial, ...). A third less time per SVG.
            "svg.fonttype": "none",
            # Text comes from registers and council.yaml: "$" is a dollar sign, never TeX
            # (a directorate named "Costs $x^" would otherwise stop the chart).
            "text.parse_math": False,
        }
    )


def gbp_m(value: float, _pos: int | None = None) -> str:
    """A £m value with the decimals it needs (up to 2): £12m, -£3.5m, £0.25m."""
    return ExactFormatter("£", "m").format_ticks([value])[0] if math.isfinite(value) else ""


def gbp_m_axis(ax, axis: str = "y", label: str | None = "£m") -> None:
    """Label an axis of £m values: £0m, £5m, £10m (or £0.5m steps, never rounded)."""
    exact_axis(ax, axis, "£", "m")
    if label:
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(label)


def gbp_axis(ax, axis: str = "y", label: str | None = None) -> None:
    """Label an axis of pounds (costs per head): £0, £250, £500; £1.5 where the steps need it."""
    exact_axis(ax, axis, "£")
    if label:
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(label)


def percent_axis(ax, axis: str = "y", label: str | None = None, decimals: int = 0) -> None:
    """Label an axis of fractions (0.25) as percentages (25%); at least ``decimals`` places, more
    where the ticks need them (2.5%)."""
    target = axis_of(ax, axis)
    target.set_major_locator(MaxNLocator(nbins="auto", steps=NICE_STEPS))
    target.set_major_formatter(ExactFormatter(suffix="%", scale=100, least=decimals))
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


CAPTION_PT = 8.5


def add_caption(fig, source: str, period: str | None = None) -> None:
    """Put 'Source: ...; period ...' under the chart, wrapped to the chart's width."""
    from analysis.core.chart_grid import wrap_lines

    text = f"Source: {source}" + (f". Period: {period}" if period else "")
    width = fig.get_figwidth() * 0.96
    fig.supxlabel(
        "\n".join(wrap_lines(text, width, CAPTION_PT)),
        x=0.01,
        ha="left",
        fontsize=CAPTION_PT,
        color="#444444",
    )


# zlib level 3: on the benchmarking charts as fast as level 1 (a third less time than the
# default, 6) for 0.2% more bytes (level 1: 3% more).
PNG_COMPRESS_LEVEL = 3


def readable_text(fig) -> None:
    """Make the figure's text legible and whole before it is laid out: no text smaller than
    :data:`MIN_FONT_PT`, and axis labels and the caption wider than the figure wrapped onto
    more lines (a long label is never cut at the picture's edge)."""
    from analysis.core.chart_grid import wrap_lines

    for text in fig.findobj(Text):
        if text.get_text() and text.get_fontsize() < MIN_FONT_PT:
            text.set_fontsize(MIN_FONT_PT)
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels = axis.get_ticklabels()
            if labels and labels[0].get_fontsize() < MIN_FONT_PT:
                ax.tick_params(axis=name, labelsize=MIN_FONT_PT)
    width, height = fig.get_size_inches()
    for ax in fig.axes:
        # Room for an axis title: it is centred on its axes, which the layout may narrow.
        for label, room in ((ax.xaxis.label, width * 0.6), (ax.yaxis.label, height * 0.8)):
            _wrap(label, room, wrap_lines)
    caption = fig.get_supxlabel() if hasattr(fig, "get_supxlabel") else ""
    if caption:
        # The caption is one of the figure's own texts (supxlabel adds it there): no second
        # walk through every artist of every axes.
        for text in fig.texts:
            if text.get_text() == caption:
                _wrap(text, width * 0.96, wrap_lines)


def _wrap(text: Text, room_in: float, wrap_lines) -> None:
    content = text.get_text()
    if not content:
        return
    size, weight = text.get_fontsize(), str(text.get_fontweight())
    weight = "bold" if weight in ("bold", "700", "heavy", "semibold") else "normal"
    lines = [
        line for part in content.split("\n") for line in wrap_lines(part, room_in, size, weight)
    ]
    if "\n".join(lines) != content:
        text.set_text("\n".join(lines))


def _fit_axis_titles(fig) -> bool:
    """Wrap each x-axis title wider than its laid-out axes (it is centred on them, so it would
    run off the picture beside long row labels); whether any changed."""
    from analysis.core.chart_grid import wrap_lines

    renderer = fig.canvas.get_renderer()
    changed = False
    for ax in fig.axes:
        label = ax.xaxis.label
        if not label.get_visible() or not label.get_text():
            continue
        room = ax.get_position().width * fig.get_figwidth()
        if label.get_window_extent(renderer).width / fig.dpi > room:
            before = label.get_text()
            _wrap(label, room, wrap_lines)
            changed = changed or label.get_text() != before
    return changed


def figure_png(fig) -> bytes:
    """The figure as PNG bytes, deterministic for the same figure (no timestamp metadata).

    The figure takes the resolution it is saved at first: what is measured after it is drawn
    (where a legend put its words, how wide a label is) is then in the same pixels as the
    figure's frame, whatever the figure was made at."""
    readable_text(fig)
    at_saved_resolution(fig)
    lay_out_once(fig)
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        metadata={"Software": None},
        pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL},
    )
    return buffer.getvalue()


def at_saved_resolution(fig) -> None:
    """Give the figure the resolution charts are saved at (``savefig.dpi``)."""
    dpi = plt.rcParams["savefig.dpi"]
    if dpi != "figure":
        fig.set_dpi(dpi)


def lay_out_once(fig) -> None:
    """Run the figure's layout engine now, then take the engine off: the same picture, for less
    work. With an engine, ``savefig`` first draws the whole figure with drawing switched off to
    lay it out, then draws it again for real; a fifth of a chart's time. ("tight" bounds would
    draw it twice more.) Call it at the resolution the figure is saved at
    (:func:`at_saved_resolution`, as :func:`figure_png` does)."""
    engine = fig.get_layout_engine()
    if engine is None:
        return
    engine.execute(fig)
    if _fit_axis_titles(fig):
        engine.execute(fig)  # again, with the longer axis titles on two lines
    # None (not "none", which leaves a placeholder engine that savefig still lays out for).
    with plt.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)


def figure_html(
    fig, alt: str, table: pd.DataFrame | None = None, table_caption: str | None = None
) -> str:
    """The figure as a self-contained ``<figure>``: embedded PNG, alt text, optional data table."""
    _check_alt(alt)
    return _figure_html(figure_png(fig), alt, table, table_caption)


def _check_alt(alt: str) -> None:
    if not alt or not alt.strip():
        raise ValueError("every chart needs alt text describing what it shows")


def _figure_html(png: bytes, alt: str, table, table_caption) -> str:
    from analysis.core.display import capped_table_html

    encoded = base64.b64encode(png).decode("ascii")
    parts = [
        '<figure class="chart">',
        '<div class="chart-frame">'
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}">'
        "</div>",
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
    """Display a chart in the notebook and the report, with alt text and its data, and save it
    as PNG and SVG in the pack's ``charts/`` folder; closes it."""
    from IPython.display import HTML, display

    try:
        _check_alt(alt)
        png = figure_png(fig)
        log_check(fig, MIN_FONT_PT)
        export_chart(fig, png)
        display(HTML(_figure_html(png, alt, table, table_caption)))
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


def _bar_style(colour: str, hatch: str) -> dict:
    """A bar's fill and hatch. matplotlib draws a hatch in the bar's edge colour, so a hatched
    bar's edge takes the hatch's colour and a width of nothing (the hatch shows, no outline);
    a plain bar keeps a white outline that parts it from its neighbours."""
    if hatch:
        return {"color": colour, "hatch": hatch, "edgecolor": hatch_colour(colour), "linewidth": 0}
    return {"color": colour, "hatch": hatch, "edgecolor": "white"}


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
    extents = [0.0]
    for i, value in enumerate(values):
        first_or_last = i in (0, len(values) - 1)
        bottom = 0.0 if first_or_last else level
        style = total if first_or_last else (up if value > 0 else down)
        ax.bar(i, value, bottom=bottom, **style)
        extents += [bottom, bottom + value]
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
    # Room for the figures above the bars, set here: a floating bar's base is a "sticky" edge
    # that autoscaling never pads past, so a step ending at the top (a nil last step) would put
    # its figure on the chart's title.
    low, high = min(extents), max(extents)
    pad = 0.12 * (high - low) or 1.0
    ax.set_ylim(low - (pad if low < 0 else 0.0), high + pad)
