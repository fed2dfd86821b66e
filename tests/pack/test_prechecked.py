"""Inputs checked once for a batch: taken as given by each pack's checks, and recorded."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.core import config, provenance
from analysis.core.provenance import Prechecked
from analysis.pack.engine import kernel_environment
from analysis.pack.validate import validate_all


def test_a_prechecked_module_is_not_checked_again_and_its_inputs_are_recorded(monkeypatch):
    council = config.load_council("dorset")
    # Dorset's own benchmarking panel would be loaded and summarised by its own check; here the
    # summary given stands, and the module is never asked.
    given = Prechecked("Benchmarking (public data): as checked once", {"/data/RS.xlsx": "ab" * 32})
    provenance.reset()
    summaries = validate_all(
        council, None, "base", None, ("analysis.benchmarking",), {"analysis.benchmarking": given}
    )
    assert summaries == [given.summary]
    assert provenance.inputs_read() == {"/data/RS.xlsx": "ab" * 32}
    provenance.reset()
    own = validate_all(council, None, "base", None, ("analysis.benchmarking",))
    assert own != summaries and "illustrative panel" in own[0]
    provenance.reset()


def _loaded_after(code: str, packages: tuple[str, ...]) -> list[str]:
    """Which of ``packages`` a fresh Python process has imported after running ``code``."""
    check = (
        "\nimport json, sys\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(packages)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + check], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.slow  # a new Python process importing the library
def test_a_batch_worker_does_not_load_pandas():
    """A Dask worker builds benchmark packs whose notebooks run on its kernel: the worker
    itself needs neither pandas nor matplotlib (pandas alone is about 90 MB a process)."""
    code = "import analysis.batch.worker, analysis.pack.build, analysis.pack.manifest"
    assert _loaded_after(code, ("pandas", "matplotlib")) == []


@pytest.mark.slow  # a new Python process importing the library
def test_checking_a_pack_s_inputs_does_not_load_matplotlib():
    """The checks run in the main process while the kernels start on the same cores: the chart
    modules (and matplotlib, about 0.3 s) are left to the kernels."""
    code = (
        "from analysis.core import config\n"
        "from analysis.core.schedule import resolve_period\n"
        "from analysis.pack.validate import validate_all\n"
        "council = config.load_council('dorset')\n"
        "validate_all(council, resolve_period(council, 'latest'), 'base')"
    )
    assert _loaded_after(code, ("matplotlib",)) == []


@pytest.mark.slow  # a new Python process importing the library
def test_the_kernels_can_start_before_papermill_nbconvert_or_pandas_are_imported():
    """`run` starts the kernels first, so they warm up while the rest is imported: the modules it
    needs for that leave papermill, nbformat, nbconvert and pandas (about a second) for later."""
    code = (
        "import analysis.cli\n"
        "from analysis.pack.catalogue import select_notebooks\n"
        "from analysis.pack.engine import KernelPool, default_workers\n"
        "from analysis.pack.execute import ensure_kernel"
    )
    heavy = ("papermill", "nbformat", "nbconvert", "pandas", "matplotlib")
    assert _loaded_after(code, heavy) == []
    assert _loaded_after(code + "\nimport analysis.pack.build", heavy) != []  # the check works


def test_kernels_allocate_from_the_system_unless_told(monkeypatch):
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    assert kernel_environment()["ARROW_DEFAULT_MEMORY_POOL"] == "system"
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    assert kernel_environment()["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert "MALLOC_TRIM_THRESHOLD_" not in kernel_environment()  # glibc's dynamic thresholds
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "0")
    assert kernel_environment()["MALLOC_TRIM_THRESHOLD_"] == "0"
