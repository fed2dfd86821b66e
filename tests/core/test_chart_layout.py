"""Shortcuts that spare matplotlib layout work must leave the picture as it was."""

from __future__ import annotations

import matplotlib.pyplot as plt

from analysis.core import charts


def _png(shortcuts: bool) -> bytes:
    charts.apply_house_style()
    fig, ax = charts.new_figure("A title that states the message")
    if not shortcuts:
        ax.set_title("A title that states the message", loc="left", wrap=True)  # automatic y
    ax.plot([2019, 2020, 2021], [1.0, 3.0, 2.0])
    charts.gbp_m_axis(ax)
    if shortcuts:
        charts.no_axis_label(ax.xaxis)
    charts.add_caption(fig, "a source", "2021-22")
    try:
        return charts.figure_png(fig)
    finally:
        plt.close(fig)


def test_given_title_height_and_no_x_label_draw_the_same_picture():
    assert _png(shortcuts=True) == _png(shortcuts=False)
