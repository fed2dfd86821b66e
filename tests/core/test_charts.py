"""Charts that read right: exact tick labels, nothing cut at the edge, legible text, true RAG
colours, and every chart saved as PNG and SVG named after its title."""

from __future__ import annotations

import colorsys
import json
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis.core import charts


def _tick_labels(fig, ax, axis="y") -> list[str]:
    charts.figure_png(fig)  # lays the figure out and draws it, as the pack does
    target = ax.yaxis if axis == "y" else ax.xaxis
    low, high = sorted(target.get_view_interval())
    return [t.label1.get_text() for t in target.get_major_ticks() if low <= t.get_loc() <= high]


def test_exact_formatter_shows_the_decimals_the_ticks_need():
    pound_m = charts.ExactFormatter("£", "m")
    # The bug: 0, 2.5, ..., 17.5 shown as "£0m £2.5m £5m £7.5m £10m £12m £15m £18m".
    assert pound_m.format_ticks([0, 2.5, 5, 7.5, 10, 12.5, 15, 17.5]) == [
        "£0.0m", "£2.5m", "£5.0m", "£7.5m", "£10.0m", "£12.5m", "£15.0m", "£17.5m",
    ]  # fmt: skip
    assert pound_m.format_ticks([0, 5, 10, 15]) == ["£0m", "£5m", "£10m", "£15m"]
    assert pound_m.format_ticks([-5, 0, 5]) == ["-£5m", "£0m", "£5m"]
    # The strip axes: "£2 £2 £2 £2" for 1.75 ... 2.5.
    assert charts.ExactFormatter("£").format_ticks([1.75, 2.0, 2.25, 2.5]) == [
        "£1.75", "£2.00", "£2.25", "£2.50",
    ]  # fmt: skip
    percent = charts.ExactFormatter(suffix="%", scale=100)
    assert percent.format_ticks([0, 0.025, 0.05]) == ["0.0%", "2.5%", "5.0%"]
    assert percent.format_ticks([0, 0.25, 0.5]) == ["0%", "25%", "50%"]
    assert charts.gbp_m(12.5) == "£12.5m" and charts.gbp_m(-3) == "-£3m"


def test_gbp_m_axis_ticks_are_round_and_labelled_exactly():
    charts.apply_house_style()
    fig, ax = charts.new_figure("A gap of £17.3m")
    ax.plot([0, 1, 2], [0.0, 9.0, 17.3])
    charts.gbp_m_axis(ax)
    try:
        labels = _tick_labels(fig, ax)
    finally:
        plt.close(fig)
    values = [float(label.strip("£m")) for label in labels]
    steps = {round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in (1, 2, 5, 10, 20), labels  # 1, 2 or 5 x 10^n
    decimals = {len(label.strip("£m").partition(".")[2]) for label in labels}
    assert len(decimals) == 1, labels  # the same decimals on every tick


def test_a_long_axis_title_and_caption_are_wrapped_not_cut():
    charts.apply_house_style()
    fig, ax = charts.new_figure("A message")
    ax.barh(
        [f"A long row label number {i} with words" for i in range(5)], [1.0, 2.0, 3.0, 4.0, 5.0]
    )
    charts.gbp_m_axis(
        ax, axis="x", label="Change in the 2025-26 gap, £m (+ widens, - narrows) with more words"
    )
    charts.add_caption(fig, "A source with a long name " * 6, "plan 2021-22 to 2025-26")
    try:
        charts.figure_png(fig)
        assert charts.text_outside(fig) == []
        assert ax.xaxis.label.get_text().replace("\n", " ").endswith("narrows) with more words")
        assert "\n" in ax.xaxis.label.get_text()  # on two lines, whole
    finally:
        plt.close(fig)


def test_a_caption_set_without_wrapping_is_wrapped_before_saving():
    charts.apply_house_style()
    fig, _ax = charts.new_figure("A message")
    fig.supxlabel("Source: a publication with a very long name " * 4, x=0.01, ha="left")
    try:
        charts.figure_png(fig)
        caption = fig.get_supxlabel()
        assert "\n" in caption and caption.replace("\n", " ").startswith("Source: a publication")
        assert charts.text_outside(fig) == []
    finally:
        plt.close(fig)


def test_text_outside_finds_text_cut_at_the_edge():
    fig = plt.figure(figsize=(4, 3))
    fig.text(0.9, 0.5, "This sentence runs off the right-hand edge")
    fig.text(0.1, 0.5, "inside")
    try:
        charts.figure_png(fig)
        assert charts.text_outside(fig) == ["This sentence runs off the right-hand edge"]
    finally:
        plt.close(fig)


def test_no_text_is_smaller_than_the_minimum_in_a_saved_chart():
    charts.apply_house_style()
    fig, ax = charts.new_figure("Small text")
    ax.plot([0, 1], [0, 1], label="a series")
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=5)
    try:
        charts.figure_png(fig)
        sizes = [t.get_fontsize() for t in fig.findobj(plt.Text) if t.get_text()]
        sizes += [t.get_fontsize() for t in ax.get_xticklabels()]
        assert min(sizes) >= charts.MIN_FONT_PT
    finally:
        plt.close(fig)


def _hue_degrees(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_rag_colours_are_a_true_red_an_amber_and_a_green_each_with_its_own_hatch():
    red, amber, green = (_hue_degrees(charts.RAG_COLOURS[s]) for s in ("Red", "Amber", "Green"))
    assert red < 5 or red > 345  # a red, not the old dark orange (#D55E00: 26 degrees)
    assert 35 <= amber <= 50
    assert 100 <= green <= 160
    assert len(set(charts.RAG_HATCHES.values())) == len(charts.RAG_HATCHES)


@pytest.mark.parametrize(
    ("status", "hatch_rgb"),
    [("Amber", (0x1A, 0x1A, 0x1A)), ("Red", (0xFF, 0xFF, 0xFF)), ("Green", (0xFF, 0xFF, 0xFF))],
)
def test_a_hatch_is_drawn_in_a_colour_that_stands_out_from_its_fill(status, hatch_rgb):
    """Dark hatching on a light fill, white on a dark one: the cue a greyscale copy keeps."""
    fill = tuple(int(charts.RAG_COLOURS[status][i : i + 2], 16) for i in (1, 3, 5))
    fig, ax = plt.subplots(figsize=(2, 2), dpi=100)
    ax.set_axis_off()
    ax.set_position((0, 0, 1, 1))
    ax.bar([0], [1], width=1.0, **charts.rag_style(status))
    ax.set_xlim(-0.5, 0.5)
    ax.set_ylim(0, 1)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[20:180, 20:180, :3].reshape(-1, 3).astype(int)
    plt.close(fig)
    near = lambda rgb: (np.abs(pixels - rgb).sum(axis=1) < 60).mean()  # noqa: E731
    assert near(fill) > 0.4  # mostly the fill
    assert near(hatch_rgb) > 0.05  # with lines of the hatch's colour across it


def test_show_saves_each_chart_as_png_and_svg_named_after_its_title(tmp_path, monkeypatch):
    pytest.importorskip("IPython")
    charts.apply_house_style()
    charts.export_charts_to(tmp_path / "charts")
    log = tmp_path / "check.jsonl"
    monkeypatch.setenv(charts.CHECK_LOG_VARIABLE, str(log))
    try:
        for _ in range(2):
            fig, ax = charts.new_figure("The gap reaches £24.3m by 2025-26")
            ax.plot([0, 1], [0, 24.3])
            charts.show(fig, alt="A line rising to £24.3m.")
    finally:
        charts.export_charts_to(None)
    names = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert names == [
        "the-gap-reaches-24.3m-by-2025-26-2.png",
        "the-gap-reaches-24.3m-by-2025-26-2.svg",
        "the-gap-reaches-24.3m-by-2025-26.png",
        "the-gap-reaches-24.3m-by-2025-26.svg",
    ]
    png = (tmp_path / "charts" / names[2]).read_bytes()
    assert png.startswith(b"\x89PNG")
    svg = (tmp_path / "charts" / names[3]).read_text(encoding="utf-8")
    assert "<svg" in svg[:2000]
    # Words stay words (editable, searchable, read aloud), in the PNG's font first.
    texts = re.findall(r"<text [^>]*>([^<]*)<", svg)
    assert "The gap reaches £24.3m by 2025-26" in texts
    assert "font-family: 'DejaVu Sans'" in svg
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["title"] for r in records] == ["The gap reaches £24.3m by 2025-26"] * 2
    assert records[0]["outside"] == []


def test_svgs_left_for_later_are_written_when_asked_and_the_same(tmp_path, monkeypatch):
    """In a pack's kernels (``LATER_VARIABLE`` set) a shown chart's PNG is saved at once and
    its SVG once the notebook asks (``write_later``): the same file as one saved at once."""
    pytest.importorskip("IPython")
    from analysis.core import chart_files

    charts.apply_house_style()
    files = {}
    for mode in ("now", "later"):
        if mode == "later":
            monkeypatch.setenv(chart_files.LATER_VARIABLE, "1")
        charts.export_charts_to(tmp_path / mode)
        try:
            fig, ax = charts.new_figure("Reserves fall to £12.5m by 2025-26")
            ax.plot([0, 1, 2], [30, 20, 12.5])
            charts.show(fig, alt="A line falling to £12.5m.")
        finally:
            charts.export_charts_to(None)
        files[mode] = sorted(p.name for p in (tmp_path / mode).iterdir())
        if mode == "later":
            assert files[mode] == ["reserves-fall-to-12.5m-by-2025-26.png"], "the SVG waits"
            assert chart_files.write_later() == 1
            assert chart_files.write_later() == 0, "each SVG is written once"
            files[mode] = sorted(p.name for p in (tmp_path / mode).iterdir())
    assert files["later"] == files["now"]
    for name in files["now"]:
        assert (tmp_path / "later" / name).read_bytes() == (tmp_path / "now" / name).read_bytes()


def test_file_stem():
    assert charts.file_stem("81% of planned savings: £5.0m at risk") == (
        "81-of-planned-savings-5.0m-at-risk"
    )
    assert len(charts.file_stem("word " * 40)) <= 80
    assert charts.file_stem("£") == "chart"


@pytest.mark.parametrize(
    ("start", "steps", "end", "low", "high"),
    [
        (20.6, [0.0, 0.0, 3.7, 0.0], 24.3, 0.0, 24.3),  # a nil last step at the top
        (20.0, [-3.0, 1.0], 18.0, 0.0, 20.0),  # a falling step's base is the highest point
        (-2.0, [-1.0], -3.0, -3.0, 0.0),  # all below zero
    ],
)
def test_a_waterfall_leaves_room_for_its_figures(start, steps, end, low, high):
    """Every bar's figure sits above it inside the axes: the limits reach 12% of the range past
    the highest (and lowest, below zero) bar, whatever bar ends there."""
    fig, ax = charts.new_figure("A waterfall", height=3.6)
    charts.waterfall(ax, [str(i) for i in range(len(steps) + 2)], start, steps, end)
    bottom, top = ax.get_ylim()
    span = high - low
    assert top == pytest.approx(high + 0.12 * span)
    assert bottom == pytest.approx(low - 0.12 * span if low < 0 else 0.0)
    charts.plt.close(fig)


def test_texts_measured_after_saving_are_where_the_png_drew_them():
    """A legend placed in inches near the top of a figure made at another resolution than the
    saved one: measured after saving, its words are inside the figure, as the PNG shows them."""
    from matplotlib.lines import Line2D

    from analysis.core.chart_files import text_outside

    charts.apply_house_style()
    fig = plt.figure(figsize=(4, 3), dpi=100)
    try:
        fig.legend(
            handles=[Line2D([], [], label="near the top")],
            loc="upper left",
            bbox_to_anchor=(0.1, 2.95),
            bbox_transform=fig.dpi_scale_trans,
        )
        charts.figure_png(fig)
        assert fig.dpi == plt.rcParams["savefig.dpi"]
        assert text_outside(fig) == []
    finally:
        plt.close(fig)
