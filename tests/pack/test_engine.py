"""Warm kernels: successive notebooks on one kernel see a fresh namespace, and fail cleanly."""

from __future__ import annotations

import nbformat
import pytest

from analysis.pack.catalogue import NotebookSpec
from analysis.pack.engine import Job, KernelPool
from analysis.pack.execute import ensure_kernel

pytestmark = pytest.mark.slow


def _notebook(path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('label = "x"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "council-finance", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def notebooks(tmp_path, monkeypatch):
    from analysis.core import paths

    folder = tmp_path / "notebooks"
    folder.mkdir()
    _notebook(
        folder / "first.ipynb",
        "%load_ext autoreload\n%autoreload 2\nleft_behind = 41\nprint(label, left_behind + 1)",
    )
    _notebook(
        folder / "second.ipynb",
        "%load_ext autoreload\n%autoreload 2\nprint(label, 'left_behind' in globals())",
    )
    _notebook(folder / "broken.ipynb", "1 / 0")
    monkeypatch.setattr(paths, "notebooks_dir", lambda: folder)
    return folder


def _spec(name: str) -> NotebookSpec:
    return NotebookSpec(name, f"{name}.ipynb", name.title(), None)


def _texts(nb) -> list[str]:
    return [
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    ]


def test_successive_notebooks_start_from_a_fresh_namespace(notebooks, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    jobs = [
        Job(_spec("first"), out / "first.ipynb", {"label": "one"}, 60),
        Job(_spec("second"), out / "second.ipynb", {"label": "two"}, 60),
        Job(_spec("first"), out / "again.ipynb", {"label": "three"}, 60),
    ]
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        outcomes = [next(pool.run([job])) for job in jobs]
    assert [o.ok for o in outcomes] == [True, True, True]
    first, second, again = (nbformat.read(j.destination, as_version=4) for j in jobs)
    assert _texts(first) == ["one 42\n"]
    # the second notebook does not see the first one's variable, and autoreload loads quietly
    assert _texts(second) == ["two False\n"]
    assert _texts(again) == ["three 42\n"]
    counts = [c.execution_count for c in again.cells if c.cell_type == "code"]
    assert counts[0] == 1, "execution counts restart with each notebook"


def test_a_failing_cell_is_reported_and_the_kernel_goes_on(notebooks, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        broken = next(pool.run([Job(_spec("broken"), out / "broken.ipynb", {}, 60)]))
        after = next(pool.run([Job(_spec("second"), out / "second.ipynb", {"label": "ok"}, 60)]))
    assert not broken.ok
    assert "ZeroDivisionError" in broken.error and "1 / 0" in broken.error
    assert (out / "broken.ipynb").is_file(), "the notebook as far as it ran is kept"
    assert after.ok and _texts(nbformat.read(out / "second.ipynb", as_version=4)) == ["ok False\n"]


def test_autoreload_stays_off_on_a_packs_kernel(notebooks, tmp_path):
    """The notebooks turn autoreload on for analysts; on a pack's kernel, whose code cannot
    change while it runs, it stays off (it checks every module before every cell)."""
    _notebook(
        notebooks / "reload.ipynb",
        "%load_ext autoreload\n%autoreload 2\n"
        "magics = get_ipython().magics_manager.registry['AutoreloadMagics']\n"
        "print(magics._reloader.enabled)",
    )
    out = tmp_path / "out"
    out.mkdir()
    with KernelPool(1, ensure_kernel(), cwd=notebooks) as pool:
        outcome = next(pool.run([Job(_spec("reload"), out / "reload.ipynb", {}, 60)]))
    assert outcome.ok, outcome.error
    assert _texts(nbformat.read(out / "reload.ipynb", as_version=4)) == ["False\n"]
