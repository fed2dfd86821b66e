"""The notebooks' ``autoreload`` parameter: edited library code is re-imported before the next
cell in JupyterLab ("all"); a pack's "off" loads nothing."""

from __future__ import annotations

import os

import pytest
from IPython.core.interactiveshell import InteractiveShell

from analysis.core import notebook


@pytest.fixture
def shell():
    started = InteractiveShell.instance()
    yield started
    InteractiveShell.clear_instance()


def _edit(path, text: str) -> None:
    before = path.stat().st_mtime
    path.write_text(text)
    os.utime(path, (before + 5, before + 5))  # a later time, however coarse the clock


@pytest.mark.parametrize(("mode", "loaded", "after_edit"), [("off", False, 1), ("all", True, 2)])
def test_an_edited_module_is_reimported_unless_off(
    shell, tmp_path, monkeypatch, mode, loaded, after_edit
):
    """ "all": the module edited since the last cell is imported again before the next;
    "off": the extension is not even loaded, and the old code stays."""
    monkeypatch.syspath_prepend(str(tmp_path))
    name = f"autoreload_probe_{mode}"
    module = tmp_path / f"{name}.py"
    module.write_text("VALUE = 1\n")
    shell.run_cell(f"import {name}")
    notebook.autoreload(mode)
    assert any("autoreload" in n for n in shell.extension_manager.loaded) == loaded
    shell.run_cell(f"first = {name}.VALUE")
    _edit(module, "VALUE = 2\n")
    shell.run_cell(f"value = {name}.VALUE")
    assert (shell.user_ns["first"], shell.user_ns["value"]) == (1, after_edit)


def test_outside_ipython_it_does_nothing():
    InteractiveShell.clear_instance()
    notebook.autoreload("all")  # no shell: no error, nothing to set up
