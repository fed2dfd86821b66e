"""The pack runner on small stand-in notebooks: publishing, failure handling, rendering."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.core import paths
from analysis.pack import catalogue
from analysis.pack.build import build_pack
from analysis.pack.catalogue import NotebookSpec

PARAMETERS = 'council = "dorset"\nperiod = "2021-22-Q2"\nscenario = "base"\ntables_dir = ""\npublic_data = ""'


def _notebook(path: Path, body: str, title: str) -> None:
    nb = new_notebook(
        cells=[
            new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
            new_markdown_cell(f"# {title}\n\nIntro text.\n\n## Figures"),
            new_code_cell(body),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "council-finance",
        "display_name": "Python",
        "language": "python",
    }
    nbformat.write(nb, path)


GOOD = """
import warnings
import pandas as pd
from analysis.core import charts, display, notebook
report = notebook.setup(council, period, scenario, tables_dir, public_data)
warnings.warn("this warning must not reach the report")
print("SECRET-CODE-MARKER" * 0 + "printed line")
frame = pd.DataFrame({"year": ["2021-22", "2022-23"], "budget_gap_gbp_m": [1.5, 3.25]})
report.save_table(frame, "alpha_gap")
display.show_table(frame, "The gap")
fig, ax = charts.new_figure("The gap grows")
ax.bar(frame["year"], frame["budget_gap_gbp_m"])
charts.show(fig, alt="Bar chart: the gap grows from 1.5 to 3.25 £m", table=frame)
"""

BAD = """
from analysis.core import notebook
report = notebook.setup(council, period, scenario, tables_dir, public_data)
raise ZeroDivisionError("boom in the second notebook")
"""


@pytest.fixture
def toy_pack(tmp_path, monkeypatch):
    """Two stand-in notebooks run by the real runner into a temporary outputs folder."""
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    _notebook(nb_dir / "alpha.ipynb", GOOD, "Alpha report")
    _notebook(nb_dir / "beta.ipynb", GOOD.replace("alpha_gap", "beta_gap"), "Beta report")
    specs = (
        NotebookSpec("alpha", "alpha.ipynb", "Alpha", None),
        NotebookSpec("beta", "beta.ipynb", "Beta", None),
    )
    monkeypatch.setattr(catalogue, "NOTEBOOKS", specs)
    monkeypatch.setattr(catalogue, "READING_ORDER", ("alpha", "beta"))
    monkeypatch.setattr(paths, "notebooks_dir", lambda: nb_dir)
    return tmp_path


@pytest.mark.slow
def test_pack_is_published_with_html_tables_and_manifest(toy_pack):
    out = toy_pack / "outputs"
    result = build_pack("dorset", "2021-22-Q2", output_root=out)
    assert result.ok, result.message
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
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["period"] == "2021-22-Q2" and manifest["scenario"] == "base"
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert "data/raw/dorset/council.yaml" in manifest["inputs"]
    assert all(len(h) == 64 for h in manifest["inputs"].values())
    assert {n["key"]: n["status"] for n in manifest["notebooks"]} == {"alpha": "ok", "beta": "ok"}
    assert all(n["duration_s"] > 0 for n in manifest["notebooks"])
    assert manifest["packages"]["pandas"]
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
    assert "beta.ipynb" in result.message and "cell" in result.message
    assert "ZeroDivisionError: boom in the second notebook" in result.message
    failed = out / "dorset" / "2021-22-Q2.failed"
    assert (failed / "executed" / "beta.ipynb").is_file()
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
