"""Every chart as files, and a check that nothing in it is cut at the picture's edge.

:func:`analysis.core.charts.show` saves each chart it shows as PNG (the bytes shown) and SVG in
the folder :func:`export_charts_to` names (``charts/`` beside the pack's tables, set by
:func:`analysis.core.notebook.setup`), named after its title (:func:`file_stem`).
:func:`text_outside` lists the drawn texts that do not lie wholly inside the figure; with
``ANALYSIS_CHART_CHECK_LOG`` set (by the tests), :func:`log_check` appends it for every chart.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path


def text_outside(fig) -> list[str]:
    """The visible texts of a drawn figure that do not lie wholly inside it (each as its text,
    shortened): what a reader would see cut at the picture's edge."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    undrawn = set()  # labels of ticks beyond an axis' limits, which matplotlib does not draw
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            margin = (high - low) * 1e-6
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - margin <= tick.get_loc() <= high + margin:
                    undrawn.update({id(tick.label1), id(tick.label2)})
    cut = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in undrawn:
            continue
        box = text.get_window_extent(renderer)
        if (
            box.x0 < frame.x0 - 0.5
            or box.y0 < frame.y0 - 0.5
            or box.x1 > frame.x1 + 0.5
            or box.y1 > frame.y1 + 0.5
        ):
            cut.append(text.get_text()[:60])
    return cut


def chart_title(fig) -> str:
    """The title a figure states: its suptitle, else its first axes' title."""
    title = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    if not title:
        for ax in fig.axes:
            for loc in ("left", "center", "right"):
                title = title or ax.get_title(loc=loc)
    return " ".join(title.split())


# Where :func:`show` also saves each chart as PNG and SVG (set by
# :func:`analysis.core.notebook.setup`: the ``charts/`` folder beside the tables), the file
# names this process has written there, and the SVGs left for :func:`write_later`.
_EXPORT: dict = {"directory": None, "names": set(), "later": []}

# Set by the pack for the kernels it runs: each chart's SVG is written once the notebook has
# ended (:func:`write_later`, which the pack calls), not as the chart is shown. The notebook's
# result is then ready that much sooner, and the pack goes on with the next report while the
# SVGs are written. The files are the same.
LATER_VARIABLE = "ANALYSIS_CHART_SVG_LATER"

# Set by the tests: a file to which :func:`show` appends, for every chart, its title and any
# text cut at its edge (one JSON line each), so a test can check every chart of a real pack.
CHECK_LOG_VARIABLE = "ANALYSIS_CHART_CHECK_LOG"


def export_charts_to(directory: str | Path | None) -> None:
    """Save every chart :func:`show` shows as ``<directory>/<title>.png`` and ``.svg`` too
    (None: don't)."""
    _EXPORT["directory"] = Path(directory) if directory else None
    _EXPORT["names"] = set()


def file_stem(title: str, most: int = 80) -> str:
    """A file name for a chart, from its title: "The gap reaches £24.3m by 2025-26" ->
    "the-gap-reaches-24.3m-by-2025-26" (lower case, letters, digits, dots and hyphens)."""
    words = re.sub(r"[^a-z0-9.]+", "-", title.lower().replace("£", "")).strip("-.")
    words = re.sub(r"-*\.-*", ".", words).strip(".-")
    if len(words) > most:
        words = words[:most].rsplit("-", 1)[0]
    return words or "chart"


def export_chart(fig, png: bytes) -> list[Path]:
    """Write the figure as PNG (the same bytes as shown) and SVG to the export folder."""
    directory = _EXPORT["directory"]
    if directory is None:
        return []
    stem, n = file_stem(chart_title(fig)), 2
    base = stem
    directory.mkdir(parents=True, exist_ok=True)
    # Each notebook runs in its own kernel, the pack's side by side: a chart of the same title
    # saved by another notebook is on disk, not in this process's names, and is kept too. The
    # PNG is created only if no file has its name ("x"), so that two kernels saving charts of
    # the same title at the same moment each get a name of their own.
    while True:
        png_path, svg_path = directory / f"{stem}.png", directory / f"{stem}.svg"
        if stem not in _EXPORT["names"]:
            try:
                with open(png_path, "xb") as handle:
                    handle.write(png)
                break
            except FileExistsError:
                pass
        stem, n = f"{base}-{n}", n + 1
    _EXPORT["names"].add(stem)
    if os.environ.get(LATER_VARIABLE):
        _EXPORT["later"].append((fig, svg_path))
    else:
        _save_svg(fig, svg_path)
    return [png_path, svg_path]


def _save_svg(fig, path: Path) -> None:
    fig.savefig(path, format="svg", metadata={"Date": None})


def write_later(niceness: int = 0) -> int:
    """Write the SVGs that :func:`export_chart` left for later (see :data:`LATER_VARIABLE`), at
    ``niceness`` more than this process's scheduling priority (the pack's kernels use the time
    the other reports leave); how many. The figures are the ones shown, kept until now."""
    pending, _EXPORT["later"] = _EXPORT["later"], []
    if pending and niceness and hasattr(os, "nice"):
        os.nice(niceness)
    for fig, path in pending:
        _save_svg(fig, path)
    return len(pending)


def log_check(fig, min_font_pt: float) -> None:
    log = os.environ.get(CHECK_LOG_VARIABLE)
    if not log:
        return
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    record = {
        "title": chart_title(fig),
        "outside": text_outside(fig),
        "smallest_pt": min(sizes, default=min_font_pt),
    }
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
