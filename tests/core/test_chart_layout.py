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


def _busy_chart():
    """A chart with what the layout must make room for: a wrapped title, axis labels, a legend
    outside the axes and a caption."""
    charts.apply_house_style()
    fig, ax = charts.new_figure(
        "A long title that states the message and has to wrap onto a second line because it "
        "runs on for longer than the width of the chart"
    )
    for n, style in enumerate(charts.series_styles(3)):
        ax.plot([2019, 2020, 2021], [n, n + 2.5, n + 1], label=f"Series {n}", **style)
    charts.gbp_m_axis(ax)
    ax.set_xlabel("Year")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    charts.add_caption(fig, "a source", "2021-22")
    return fig


def test_laying_out_once_draws_the_same_picture_as_savefig():
    import io

    fig = _busy_chart()
    try:
        buffer = io.BytesIO()  # matplotlib's own way: the layout engine stays on
        fig.savefig(
            buffer,
            format="png",
            metadata={"Software": None},
            pil_kwargs={"compress_level": charts.PNG_COMPRESS_LEVEL},
        )
    finally:
        plt.close(fig)
    fig = _busy_chart()
    try:
        assert charts.figure_png(fig) == buffer.getvalue()
        assert fig.get_layout_engine() is None  # laid out once, and the engine taken off
    finally:
        plt.close(fig)
