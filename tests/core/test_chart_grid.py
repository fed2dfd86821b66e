"""Grids laid out from measured text: titles wrap to the width, and nothing leaves the figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.benchmarking import trend_charts
from analysis.core import chart_grid, charts
from analysis.core.chart_files import text_outside


def test_widths_add_up_and_grow_with_size():
    one = chart_grid.text_width_in("net", 10)
    two = chart_grid.text_width_in("net spend", 10)
    # The two words and the space between them: the width of "a a" less that of "aa".
    space = chart_grid.text_width_in("a a", 10) - chart_grid.text_width_in("aa", 10)
    assert two == pytest.approx(one + space + chart_grid.text_width_in("spend", 10))
    assert chart_grid.text_width_in("net spend", 20) == pytest.approx(2 * two, rel=0.02)
    assert chart_grid.text_width_in("net", 10, "bold") > one


def test_wrap_keeps_line_breaks_and_fills_lines_greedily():
    word = chart_grid.text_width_in("word", 10)
    space = chart_grid.text_width_in("a a", 10) - chart_grid.text_width_in("aa", 10)
    room_for_three = 3 * word + 2 * space + 0.001
    text = "word word word word word\nlast"
    assert chart_grid.wrap_lines(text, room_for_three, 10) == [
        "word word word",
        "word word",
        "last",
    ]
    # A word wider than the width is not broken: it has a line of its own.
    assert chart_grid.wrap_lines("a unbreakable b", 0.2, 10) == ["a", "unbreakable", "b"]


def test_grid_places_panels_at_the_given_inches():
    grid = chart_grid.Grid(
        rows=2, cols=3, panel_w=2.0, panel_h=1.5, left=0.5, right=0.2, top=0.8, bottom=0.4,
        wgap=0.6, hgap=0.5,
    )  # fmt: skip
    assert grid.size == (0.5 + 6.0 + 1.2 + 0.2, 0.8 + 3.0 + 0.5 + 0.4)
    fig, axes = grid.figure()
    try:
        width, height = grid.size
        x0, y0, w, h = axes[1, 2].get_position().bounds  # second row, last column
        assert x0 * width == pytest.approx(0.5 + 2 * (2.0 + 0.6))
        assert w * width == pytest.approx(2.0) and h * height == pytest.approx(1.5)
        assert y0 * height == pytest.approx(0.4)
    finally:
        plt.close(fig)


def _trend(services: list[str], scale: float) -> pd.DataFrame:
    rows = []
    for line, service in enumerate(services):
        for year in range(2010, 2017):
            base = scale * (1 + line / 10) + year - 2010
            rows.append(
                {
                    "line": line,
                    "service": service,
                    "year": year,
                    "council_per_head_gbp": base,
                    "comparator_median_per_head_gbp": base * 0.9,
                    "comparator_q1_per_head_gbp": base * 0.8,
                    "comparator_q3_per_head_gbp": base * 1.1,
                }
            )
    return pd.DataFrame(rows)


LONG = [
    "Environmental and regulatory services",
    "Planning and development services",
    "Highways and transport services",
    "Housing services (GFRA only)",
    "Education services",
]


@pytest.mark.parametrize("scale", [0.4, 9000.0])  # small fractions, and thousands a head
def test_trend_grid_keeps_every_text_inside_the_figure(scale):
    charts.apply_house_style()
    title = (
        "Kingston upon Hull City Council:\nenvironmental and regulatory services moved furthest "
        "up the cost ranking, from 14 to 1 of 15 (2010-11 to 2016-17)"
    )
    fig = trend_charts.chart_trends(_trend(LONG, scale), "Kingston upon Hull City Council", title)
    try:
        fig.canvas.draw()
        assert text_outside(fig) == []
        renderer = fig.canvas.get_renderer()
        texts = [t for t in fig.texts if t.get_visible() and t.get_text()]
        boxes = {id(t): t.get_window_extent(renderer) for t in texts}
        # No two texts of the chart overlap (tick labels, axis labels, panel titles, title).
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                assert not boxes[id(a)].overlaps(boxes[id(b)]), (a.get_text(), b.get_text())
        # The title wrapped to three lines; the legend under it; every panel's title below both.
        (suptitle,) = [t for t in texts if t.get_text() == fig.get_suptitle()]
        assert fig.get_suptitle().count("\n") == 2
        legend = fig.legends[0].get_window_extent(renderer)
        assert legend.y1 < boxes[id(suptitle)].y0
        panel_titles = [t for t in texts if t.get_text() in LONG]
        assert [t.get_text() for t in panel_titles] == LONG
        assert all(boxes[id(t)].y1 < legend.y0 for t in panel_titles)
    finally:
        plt.close(fig)


def test_strip_grid_keeps_every_text_inside_the_figure():
    charts.apply_house_style()
    rng = np.random.default_rng(1)
    strips = pd.DataFrame(
        [
            {
                "line": line,
                "service": service,
                "ons_code": f"E{n}",
                "net_expenditure_per_head_gbp": float(rng.normal(500, 200)),
                "is_council": n == 0,
            }
            for line, service in enumerate(LONG)
            for n in range(40)
        ]
    )
    fig = trend_charts.chart_strips(strips, "Kingston upon Hull City Council", 2016, "UA")
    try:
        fig.canvas.draw()
        assert text_outside(fig) == []
        assert [t.get_text() for t in fig.texts if t.get_text() in LONG] == LONG
        # Each strip's name sits level with its strip, left of it, and the strips do not meet.
        renderer = fig.canvas.get_renderer()
        names = [t for t in fig.texts if t.get_text() in LONG]
        boxes = [t.get_window_extent(renderer) for t in names]
        assert all(a.y0 > b.y1 for a, b in zip(boxes, boxes[1:], strict=False))
        (baselines,) = [c for c in fig.artists if c.get_capstyle() == "projecting"]
        starts = [segment[0] for segment in baselines.get_segments()]
        assert all(
            box.x1 < fig.dpi_scale_trans.transform(start)[0]
            for box, start in zip(boxes, starts, strict=True)
        )
    finally:
        plt.close(fig)


def test_grid_panels_are_where_its_axes_go():
    grid = chart_grid.Grid(
        rows=2, cols=3, panel_w=2.0, panel_h=1.5, left=0.5, right=0.2, top=0.8, bottom=0.4,
        wgap=0.6, hgap=0.5,
    )  # fmt: skip
    fig, axes = grid.figure()
    try:
        width, height = grid.size
        for (x, y, w, h), ax in zip(grid.panels(), axes.ravel(), strict=True):
            x0, y0, aw, ah = ax.get_position().bounds
            assert (x, y, w, h) == pytest.approx((x0 * width, y0 * height, aw * width, ah * height))
    finally:
        plt.close(fig)
