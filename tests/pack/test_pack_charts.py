"""Every chart of the default pack: nothing cut at the picture's edge, no text below the minimum
size, and each saved in ``charts/`` as PNG and SVG (built with the chart check switched on)."""

from __future__ import annotations

import json

import pytest

from analysis.core import charts


@pytest.mark.slow
def test_every_chart_of_the_default_pack_is_whole_legible_and_saved(tmp_path, monkeypatch):
    from analysis.pack.build import build_pack

    log = tmp_path / "charts.jsonl"
    monkeypatch.setenv(charts.CHECK_LOG_VARIABLE, str(log))  # the kernels inherit it
    result = build_pack("dorset", "latest", "base", output_root=tmp_path / "packs")
    assert result.ok, result.message
    records = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert len(records) >= 15
    cut = {r["title"]: r["outside"] for r in records if r["outside"]}
    assert cut == {}, cut
    small = {r["title"]: r["smallest_pt"] for r in records if r["smallest_pt"] < charts.MIN_FONT_PT}
    assert small == {}, small
    folder = result.directory / "charts"
    pngs = sorted(p.stem for p in folder.glob("*.png"))
    assert pngs == sorted(p.stem for p in folder.glob("*.svg"))
    shown = sum(
        (result.directory / page).read_text("utf-8").count('<figure class="chart">')
        for page in ("00_summary.html", "01_mtfp_scenarios.html", "02_savings_delivery.html",
                     "03_vfm_benchmarking.html")
    )  # fmt: skip
    assert len(pngs) == shown == len(records)
    assert {charts.file_stem(r["title"]) for r in records} <= set(pngs)
