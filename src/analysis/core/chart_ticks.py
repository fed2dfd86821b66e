"""Axis ticks labelled exactly: round steps, and the decimals those steps need.

:class:`ExactFormatter` gives every tick of an axis the decimals the ticks need to be shown
exactly (matplotlib hands a formatter all tick positions first, through ``set_locs``), and
:func:`exact_axis` pairs it with matplotlib's :class:`~matplotlib.ticker.MaxNLocator` at steps of
1, 2 or 5 times a power of ten. Nothing is rounded by hand: "£0m £2.5m £5m £7.5m £10m £12m" (the
old labels) cannot happen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.ticker import Formatter, MaxNLocator

# Axis ticks at 1, 2 or 5 times a power of ten: labels such as 2.5 never need rounding away.
NICE_STEPS = [1, 2, 5, 10]


def decimals_needed(values: Sequence[float], most: int = 3) -> int:
    """The fewest decimal places (up to ``most``) that show every value exactly: (0, 2.5, 5) -> 1."""
    finite = [float(v) for v in values if math.isfinite(v)]
    for places in range(most + 1):
        if all(math.isclose(round(v, places), v, abs_tol=1e-9) for v in finite):
            return places
    return most


class ExactFormatter(Formatter):
    """Tick labels with as many decimals as the axis' ticks need to be exact, the same for every
    tick of the axis (matplotlib gives the formatter all tick positions first, through
    ``set_locs``): 0, 2.5, 5 -> "£0.0m £2.5m £5.0m"; 0, 5, 10 -> "£0m £5m £10m".
    ``scale`` multiplies before formatting (100 for a fraction shown as a percentage)."""

    def __init__(self, prefix: str = "", suffix: str = "", scale: float = 1.0, least: int = 0):
        super().__init__()
        self.prefix, self.suffix, self.scale, self.least = prefix, suffix, scale, least
        self.places = least

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        self.places = max(self.least, decimals_needed([v * self.scale for v in locs]))

    def __call__(self, value, pos=None) -> str:
        scaled = value * self.scale
        text = f"{abs(scaled):,.{self.places}f}"
        sign = "-" if scaled < 0 and text.strip("0.,") else ""
        return f"{sign}{self.prefix}{text}{self.suffix}"


def axis_of(ax, axis: str):
    return ax.yaxis if axis == "y" else ax.xaxis


def exact_axis(ax, axis: str = "y", prefix: str = "", suffix: str = "", scale: float = 1.0):
    """Ticks at round steps (1, 2, 5 x 10^n) labelled exactly (see :class:`ExactFormatter`)."""
    target = axis_of(ax, axis)
    target.set_major_locator(MaxNLocator(nbins="auto", steps=NICE_STEPS))
    target.set_major_formatter(ExactFormatter(prefix, suffix, scale))
