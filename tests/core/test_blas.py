"""One BLAS thread for the commands and the kernels they start, unless the user says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

from analysis import cli
from analysis.core import blas
from analysis.pack.engine import kernel_environment


def test_one_thread_is_asked_for_unless_the_user_set_a_number():
    environment: dict[str, str] = {}
    blas.one_thread(environment)
    assert environment == {"OPENBLAS_NUM_THREADS": "1"}
    environment = {"OPENBLAS_NUM_THREADS": "4"}
    blas.one_thread(environment)
    assert environment == {"OPENBLAS_NUM_THREADS": "4"}


def test_every_kernel_gets_one_blas_thread(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert kernel_environment()["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    assert kernel_environment()["OPENBLAS_NUM_THREADS"] == "3"


def test_a_command_sets_it_for_itself_and_its_workers(monkeypatch, capsys):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert cli.main(["list"]) == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert cli.main(["list"]) == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"


def test_numpy_is_not_loaded_before_the_command_sets_it():
    # OpenBLAS reads the variable once, as numpy loads it: the entry point must not import
    # numpy before cli.main runs.
    code = "import sys\nimport analysis.__main__\nprint('numpy' in sys.modules)"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "False"
