"""The pack runner on small stand-in notebooks: publishing, failure handling, rendering."""

from __future__ import annotations

import gc
import hashlib
import json
from pathlib import Path

import pytest
from pack_toys import BAD, GOOD, _notebook  # the stand-in notebooks; the toy_pack fixture: conftest

from analysis.core import paths
from analysis.pack import catalogue
from analysis.pack.build import build_pack


@pytest.mark.slow
def test_pack_is_published_with_html_tables_and_manifest(toy_pack):
    out = toy_pack / "outputs"
    result = build_pack("dorset", "2021-22-Q2", output_root=out)
    assert result.ok, result.message
    assert gc.get_freeze_count() == 0, "what the build set aside is the collector's again"
    folder = out / "dorset" / "2021-22-Q2"
    assert result.directory == folder
    assert sorted(p.name for p in folder.glob("*.html")) == [
        "alpha.html",
        "beta.html",
        "index.html",
    ]
    assert (folder / "tables" / "alpha_gap.csv").read_text() == (
        "year,budget_gap_gbp_m\n2021-22,1.5\n2022-23,3.25\n"
    )
    assert (folder / "executed" / "alpha.ipynb").is_file()
    # Both reports' charts have the same title, saved side by side: each has its own files.
    assert sorted(p.name for p in (folder / "charts").iterdir()) == [
        "the-gap-grows-2.png",
        "the-gap-grows-2.svg",
        "the-gap-grows.png",
        "the-gap-grows.svg",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["period"] == "2021-22-Q2" and manifest["scenario"] == "base"
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert "data/raw/dorset/council.yaml" in manifest["inputs"]
    assert all(len(h) == 64 for h in manifest["inputs"].values())
    assert {n["key"]: n["status"] for n in manifest["notebooks"]} == {"alpha": "ok", "beta": "ok"}
    assert all(n["duration_s"] > 0 for n in manifest["notebooks"])
    assert manifest["packages"]["pandas"]
    lock = (paths.project_root() / "requirements.lock").read_bytes()
    assert manifest["environment_lock"] == {
        "file": "requirements.lock",
        "sha256": hashlib.sha256(lock).hexdigest(),
    }
    # No leftovers from the build.
    assert [p.name for p in (out / "dorset").iterdir()] == ["2021-22-Q2"]


@pytest.mark.slow
def test_relative_output_folder_is_relative_to_where_the_run_starts(toy_pack, monkeypatch):
    monkeypatch.chdir(toy_pack)
    result = build_pack("dorset", "2021-22-Q2", output_root=Path("relative-out"))
    assert result.ok, result.message
    assert (
        toy_pack / "relative-out" / "dorset" / "2021-22-Q2" / "tables" / "alpha_gap.csv"
    ).is_file()


@pytest.mark.slow
def test_report_html_is_for_readers_and_self_contained(toy_pack):
    result = build_pack("dorset", "2021-22-Q2", output_root=toy_pack / "outputs")
    page = (result.directory / "alpha.html").read_text()
    for absent in (
        "import pandas",
        "notebook.setup",
        "Injected",
        "injected-parameters",
        'tables_dir = "',
        "warning must not",
        "Traceback",
        "In&nbsp;[",
        "<script",
        "<link",
        "http://",
        "https://",
        "@import",
    ):
        assert absent not in page, absent
    assert page.count("<h1") == 1 and "<title>" in page and 'lang="en-GB"' in page
    assert "Alpha report" in page and "Dorset Council" in page and "2021-22 Q2" in page
    assert 'src="data:image/png;base64,' in page
    assert 'alt="Bar chart: the gap grows' in page
    assert "<caption>The gap</caption>" in page


@pytest.mark.slow
def test_failing_notebook_stops_the_run_and_keeps_the_last_good_pack(toy_pack, monkeypatch):
    out = toy_pack / "outputs"
    good = build_pack("dorset", "2021-22-Q2", output_root=out)
    assert good.ok
    before = {p.name: p.read_bytes() for p in good.directory.rglob("*") if p.is_file()}
    _notebook(toy_pack / "notebooks" / "beta.ipynb", BAD, "Beta report")

    result = build_pack("dorset", "2021-22-Q2", output_root=out)

    assert not result.ok
    assert gc.get_freeze_count() == 0
    assert "beta.ipynb" in result.message and "cell" in result.message
    assert "ZeroDivisionError: boom in the second notebook" in result.message
    failed = out / "dorset" / "2021-22-Q2.failed"
    assert (failed / "executed" / "beta.ipynb").is_file()
    after = {p.name: p.read_bytes() for p in good.directory.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_a_chart_whose_svg_cannot_be_written_after_its_notebook_fails_the_pack(toy_pack):
    """The pack's kernels write their charts' SVGs once their notebooks have ended: one that
    cannot be written fails the pack, naming the notebook, and publishes nothing."""
    out = toy_pack / "outputs"
    good = build_pack("dorset", "2021-22-Q2", output_root=out, notebooks=["beta"])
    assert good.ok, good.message
    charts = sorted(p.name for p in (good.directory / "charts").iterdir())
    assert charts == ["the-gap-grows.png", "the-gap-grows.svg"]
    before = {p.name: p.read_bytes() for p in good.directory.rglob("*") if p.is_file()}
    # The charts' folder goes once beta's chart is shown, before its SVG is written.
    gone = GOOD.replace("alpha_gap", "beta_gap") + "\nimport shutil\nshutil.rmtree('charts')\n"
    _notebook(toy_pack / "notebooks" / "beta.ipynb", gone, "Beta report")

    result = build_pack("dorset", "2021-22-Q2", output_root=out, notebooks=["beta"])

    assert not result.ok
    assert "notebook beta.ipynb ran, but its charts were not saved as SVG" in result.message
    assert "FileNotFoundError" in result.message
    after = {p.name: p.read_bytes() for p in good.directory.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.slow
def test_cli_reports_failure_with_non_zero_exit(toy_pack, capsys):
    from analysis.cli import main

    _notebook(toy_pack / "notebooks" / "alpha.ipynb", BAD, "Alpha report")
    code = main(
        [
            "run",
            "--council",
            "dorset",
            "--period",
            "2021-22-Q2",
            "--output-dir",
            str(toy_pack / "outputs"),
            "--notebooks",
            "alpha",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "alpha.ipynb failed in cell" in err and "ZeroDivisionError" in err


def test_unknown_notebook_is_a_usage_error():
    with pytest.raises(ValueError, match="unknown notebook"):
        catalogue.select_notebooks(["mtfp", "nonsense"])


def test_the_build_imports_nbconvert_only_once_its_first_notebooks_are_running():
    """nbconvert (a tenth of a second) is imported while the kernels start, not before the
    inputs are checked: the kernels are asked for that much sooner."""
    import subprocess
    import sys

    code = "import sys, analysis.pack.build; print(sorted({'nbconvert', 'bs4'} & set(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
