"""Scheduled notebooks follow the rules: one literal parameters cell, no def/class, no outputs.

nbval also executes every notebook top to bottom with its default parameters (``pytest
notebooks/`` with ``--nbval-lax``, configured in pyproject.toml).
"""

from __future__ import annotations

import ast
import json

import pytest

from analysis.core import paths
from analysis.pack.catalogue import NOTEBOOKS

STANDARD_PARAMETERS = ["council", "period", "scenario", "tables_dir", "public_data", "autoreload"]
NOTEBOOK_FILES = sorted(p.name for p in paths.notebooks_dir().glob("*.ipynb"))


def _load(name: str) -> dict:
    return json.loads((paths.notebooks_dir() / name).read_text())


def _python(source: str) -> str:
    """Cell source without IPython magics, so it can be parsed."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def test_every_notebook_is_scheduled_and_every_scheduled_notebook_exists():
    assert sorted(spec.filename for spec in NOTEBOOKS) == NOTEBOOK_FILES


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_exactly_one_parameters_cell_first_with_literal_values(name):
    cells = [c for c in _load(name)["cells"] if c["cell_type"] == "code"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert cells[0] is tagged[0], "the parameters cell must be the first code cell"
    tree = ast.parse("".join(tagged[0]["source"]))
    names = []
    for statement in tree.body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1
        assert isinstance(statement.value, ast.Constant), (
            f"{ast.unparse(statement)} is not a literal"
        )
        names.append(statement.targets[0].id)
    assert names == STANDARD_PARAMETERS


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_the_setup_cell_reloads_edited_code_as_the_parameter_says(name):
    """In JupyterLab edits to the library are picked up ("all"); a pack passes "off"."""
    cells = [c for c in _load(name)["cells"] if c["cell_type"] == "code"]
    assert "\nnotebook.autoreload(autoreload)" in "".join(cells[1]["source"])
    assert 'autoreload = "all"' in "".join(cells[0]["source"])


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_no_functions_or_classes_in_notebooks(name):
    for cell in _load(name)["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_python("".join(cell["source"])))
        defined = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        assert not defined, f"move {[d.name for d in defined]} into src/analysis/"


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_notebooks_are_committed_without_outputs(name):
    notebook = _load(name)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert notebook["metadata"]["kernelspec"]["name"] == "council-finance"


@pytest.mark.parametrize("name", NOTEBOOK_FILES)
def test_notebooks_open_with_a_title_and_use_the_library(name):
    cells = _load(name)["cells"]
    first_markdown = next(c for c in cells if c["cell_type"] == "markdown")
    assert "".join(first_markdown["source"]).lstrip().startswith("# "), "start with a '# Title'"
    setup = [c for c in cells if c["cell_type"] == "code"][1]
    assert "notebook.setup(" in "".join(setup["source"])
