"""Grids of panels laid out once, in inches, from measured text.

Matplotlib's constrained layout measures every tick label of every panel twice before the figure
is drawn; on a grid of a dozen panels that is about a third of the chart's cost, paid for every
council of a batch. On the grids here only a few things vary in size: the title (how many lines
it wraps to) and row labels (how wide the longest is). Those are measured from the font; tick
labels, in known fonts and a bounded number of characters, get fixed room. The figure's height
follows from its rows, so every panel keeps its size however many services a council has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import transforms as mtransforms
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

POINTS_PER_INCH = 72.0
LINE_SPACING = 1.2  # matplotlib's default for multi-line text

_TEXT = TextToPath()


def points(size) -> float:
    """A font size as matplotlib takes it (10.5, "large", ...) in points."""
    return FontProperties(size=size).get_size_in_points()


@lru_cache(maxsize=8192)
def _word_width_pt(word: str, size_pt: float, weight: str) -> float:
    width, _height, _descent = _TEXT.get_text_width_height_descent(
        word, FontProperties(size=size_pt, weight=weight), ismath=False
    )
    return width


@lru_cache(maxsize=64)
def _space_pt(size_pt: float, weight: str) -> float:
    return _word_width_pt("a a", size_pt, weight) - _word_width_pt("aa", size_pt, weight)


def text_width_in(text: str, size_pt: float, weight: str = "normal") -> float:
    """The width of one line of text in inches (each word measured once, then remembered)."""
    words = text.split(" ")
    total = sum(_word_width_pt(w, size_pt, weight) for w in words if w)
    return inches(total + _space_pt(size_pt, weight) * (len(words) - 1))


def wrap_lines(text: str, width_in: float, size_pt: float, weight: str = "normal") -> list[str]:
    """``text`` broken into lines no wider than ``width_in`` (its own line breaks kept; a word
    wider than the width stays whole on its own line)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width_in(trial, size_pt, weight) > width_in:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def inches(points_: float) -> float:
    """A length in points (font sizes, tick lengths and pads in rcParams) in inches."""
    return points_ / POINTS_PER_INCH


def line_height_in(size_pt: float, n_lines: int = 1) -> float:
    return inches(n_lines * size_pt * LINE_SPACING)


@dataclass(frozen=True)
class Grid:
    """A grid of equal panels, every distance in inches: the margins around the whole grid
    (``left`` holds the first column's tick labels, ``top`` the title and the first row's panel
    titles) and the gaps between panels (``wgap`` holds a column's tick labels, ``hgap`` a row's
    tick labels and the panel titles of the row below)."""

    rows: int
    cols: int
    panel_w: float
    panel_h: float
    left: float
    right: float
    top: float
    bottom: float
    wgap: float = 0.0
    hgap: float = 0.0

    @property
    def size(self) -> tuple[float, float]:
        width = self.left + self.cols * self.panel_w + (self.cols - 1) * self.wgap + self.right
        height = self.top + self.rows * self.panel_h + (self.rows - 1) * self.hgap + self.bottom
        return width, height

    def figure(self, **subplots):
        """(fig, axes) with the panels where the grid puts them (no layout engine)."""
        width, height = self.size
        fig, axes = plt.subplots(self.rows, self.cols, figsize=(width, height), **subplots)
        fig.subplots_adjust(
            left=self.left / width,
            right=1 - self.right / width,
            top=1 - self.top / height,
            bottom=self.bottom / height,
            wspace=self.wgap / self.panel_w,
            hspace=self.hgap / self.panel_h,
        )
        return fig, axes

    def panels(self) -> list[tuple[float, float, float, float]]:
        """Each panel's (left, bottom, width, height) in inches from the figure's lower left
        corner, row by row from the top: where :meth:`figure` puts its axes."""
        _width, height = self.size
        return [
            (
                self.left + col * (self.panel_w + self.wgap),
                height - self.top - row * (self.panel_h + self.hgap) - self.panel_h,
                self.panel_w,
                self.panel_h,
            )
            for row in range(self.rows)
            for col in range(self.cols)
        ]

    def blank(self):
        """A figure of the grid's size with no axes, for panels drawn in inches (artists with
        ``transform=fig.dpi_scale_trans`` at :meth:`panels`)."""
        return plt.figure(figsize=self.size)


def axis_limits(values: np.ndarray, axis: str) -> tuple[float, float]:
    """The range an axes of ``values`` shows along ``axis`` ("x" or "y"), for a panel drawn in
    inches: the figures' range (widened where they are all the same, as matplotlib widens it)
    and the margin matplotlib leaves either side (``axes.xmargin``, ``axes.ymargin``); 0 to 1
    when there is no figure."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 1.0
    low, high = mtransforms.nonsingular(float(finite.min()), float(finite.max()), expander=0.05)
    margin = plt.rcParams[f"axes.{axis}margin"] * (high - low)
    return low - margin, high + margin


def along(values, low: float, high: float, start: float, length: float):
    """Where ``values`` on a scale from ``low`` to ``high`` fall on a panel's side that starts at
    ``start`` and runs ``length`` (inches): the data's place in a panel drawn in inches."""
    return start + (np.asarray(values, dtype=float) - low) / (high - low) * length


def ticks_in_view(low: float, high: float, locator, formatter) -> tuple[list[float], list[str]]:
    """The ticks ``locator`` puts on a scale from ``low`` to ``high`` and ``formatter``'s labels
    for them, as an axis draws them: labelled together with the locator's ticks just beyond the
    ends (which set the decimals), and only those on the scale drawn (one at the very end is)."""
    locations = locator.tick_values(low, high)
    formatter.create_dummy_axis()
    formatter.axis.set_view_interval(low, high)
    formatter.axis.set_data_interval(low, high)
    labels = formatter.format_ticks(locations)
    close = (high - low) * 1e-10
    shown = [
        (float(t), label)
        for t, label in zip(locations, labels, strict=True)
        if low - close <= t <= high + close
    ]
    return [t for t, _ in shown], [label for _, label in shown]


def title_lines(text: str, width_in: float) -> list[str]:
    """A figure title (``suptitle``, at matplotlib's title size) wrapped to ``width_in``."""
    size = points(plt.rcParams["figure.titlesize"])
    return wrap_lines(text, width_in, size, str(plt.rcParams["figure.titleweight"]))


def title_height_in(n_lines: int) -> float:
    return line_height_in(points(plt.rcParams["figure.titlesize"]), n_lines)
