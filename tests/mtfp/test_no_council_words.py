"""No council's words in shared text: a pack built for another council from a copy of Dorset's
folder (another name, another ONS code; every mention of Dorset in its own data files renamed,
its ILLUSTRATIVE.md and productivity.yaml removed, as both are optional) names Dorset nowhere.
Any "Dorset" left in the pages then comes from the notebooks or the library."""

from __future__ import annotations

import re
import shutil

import pytest

from analysis.core import paths
from analysis.pack.build import build_pack

NEW_NAME, NEW_SHORT, NEW_CODE = "Testshire Council", "Testshire", "E06000998"


@pytest.fixture
def testshire(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (root / "notebooks").symlink_to(paths.notebooks_dir())
    folder = root / "data" / "raw" / "testshire"
    shutil.copytree(paths.council_dir("dorset"), folder)
    (folder / "ILLUSTRATIVE.md").unlink()
    (folder / "productivity.yaml").unlink()
    for path in folder.rglob("*"):
        if path.suffix in (".yaml", ".md", ".csv", ".json"):
            text = path.read_text(encoding="utf-8")
            text = text.replace("E06000059", NEW_CODE).replace("Dorset Council", NEW_NAME)
            path.write_text(text.replace("Dorset", NEW_SHORT), encoding="utf-8")
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    paths.project_root.cache_clear()
    yield root
    monkeypatch.undo()
    paths.project_root.cache_clear()


@pytest.mark.slow
def test_a_copied_council_pack_names_no_other_council(testshire, tmp_path):
    from openpyxl import load_workbook

    # The Q1 register's title row names the council it came from: the copy's own data.
    register = testshire / "data" / "raw" / "testshire" / "savings" / "2021-22-Q1.xlsx"
    book = load_workbook(register)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "Dorset" in cell.value:
                    cell.value = cell.value.replace("Dorset", NEW_SHORT)
    book.save(register)

    result = build_pack("testshire", "2021-22-Q2", "base", output_root=tmp_path / "out")
    assert result.ok, result.message
    pages = sorted(result.directory.glob("*.html"))
    assert len(pages) == 5  # index and the four reports
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = [text[max(0, m.start() - 80) : m.end() + 80] for m in re.finditer("Dorset", text)]
        assert found == [], f"{page.name}: {found[:3]}"
    mtfp = (result.directory / "01_mtfp_scenarios.html").read_text(encoding="utf-8")
    assert NEW_NAME in mtfp
    # Without ILLUSTRATIVE.md no page carries an illustrative-data header.
    assert "Built on illustrative data" not in mtfp
