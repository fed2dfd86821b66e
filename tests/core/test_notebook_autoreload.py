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


def test_off_loads_nothing_and_an_edit_is_not_picked_up(shell, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    module = tmp_path / "autoreload_probe_off.py"
    module.write_text("VALUE = 1\n")
    shell.run_cell("import autoreload_probe_off")
    notebook.autoreload("off")
    assert not any("autoreload" in name for name in shell.extension_manager.loaded)
    _edit(module, "VALUE = 2\n")
    shell.run_cell("value = autoreload_probe_off.VALUE")
    assert shell.user_ns["value"] == 1


def test_all_reimports_a_module_edited_since_the_last_cell(shell, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    module = tmp_path / "autoreload_probe_all.py"
    module.write_text("VALUE = 1\n")
    shell.run_cell("import autoreload_probe_all")
    notebook.autoreload("all")
    assert any("autoreload" in name for name in shell.extension_manager.loaded)
    shell.run_cell("first = autoreload_probe_all.VALUE")
    _edit(module, "VALUE = 2\n")
    shell.run_cell("value = autoreload_probe_all.VALUE")
    assert (shell.user_ns["first"], shell.user_ns["value"]) == (1, 2)


def test_outside_ipython_it_does_nothing():
    InteractiveShell.clear_instance()
    notebook.autoreload("all")  # no shell: no error, nothing to set up
