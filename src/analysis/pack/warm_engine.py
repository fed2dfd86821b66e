"""The papermill engine that runs a notebook on a kernel already started and warmed up
(:class:`analysis.pack.engine.WarmKernel`); importing this module registers it."""

from __future__ import annotations

import logging

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

from analysis.pack.execute import START_TIMEOUT_S

ENGINE_NAME = "warm-kernel"


class WarmKernelEngine(Engine):
    """Papermill engine that executes on an already running kernel (``warm=`` a WarmKernel)."""

    @classmethod
    def execute_managed_notebook(
        cls, nb_man, kernel_name, warm=None, execution_timeout=None, **kwargs
    ):
        if warm is None:
            raise ValueError("the warm-kernel engine needs warm=<WarmKernel>")
        warm.notebook = nb_man.nb
        client = PapermillNotebookClient(
            nb_man,
            km=warm.km,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=START_TIMEOUT_S,
            log=logging.getLogger("papermill"),
            log_output=False,
        )
        client.kc = warm.kc  # (set after __init__, which clears it) open for the next notebook
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
