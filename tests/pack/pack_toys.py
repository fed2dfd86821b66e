"""Small stand-in notebooks for the pack runner's tests (the ``toy_pack`` fixture in conftest)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.core import paths
from analysis.pack import catalogue
from analysis.pack.catalogue import NotebookSpec

PARAMETERS = 'council = "dorset"\nperiod = "2021-22-Q2"\nscenario = "base"\ntables_dir = ""\npublic_data = ""\nautoreload = "all"'


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


def make_toy_pack(tmp_path, monkeypatch):
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
