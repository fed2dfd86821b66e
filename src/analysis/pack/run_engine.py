"""The papermill engine that runs a notebook on a kernel the caller started
(:class:`analysis.pack.engine.StartedKernel`); importing this module registers it.

It is papermill's own nbclient engine (:class:`papermill.engines.NBClientEngine`) with two
documented arguments more: ``km``, the started kernel's manager, which nbclient then uses instead
of starting one, and ``on_start``, called with the notebook before it runs (so the caller keeps
the notebook as far as it ran when a cell fails or times out). nbclient stops a cell that runs
longer than ``execution_timeout`` seconds; its client's channels are closed when the notebook
ends, and the caller, who started the kernel, stops it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jupyter_client.manager import AsyncKernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

ENGINE_NAME = "started-kernel"

# nbclient's log: what it says of a dead kernel or a timeout reaches the user through the
# notebook's outcome (one line), not as log lines on the terminal.
LOG = logging.getLogger("analysis.pack.notebooks")
LOG.addHandler(logging.NullHandler())


class StartedKernelEngine(NBClientEngine):
    """Papermill's nbclient engine, on a kernel already started (``km=``)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        km: AsyncKernelManager | None = None,
        on_start: Callable | None = None,
        execution_timeout=None,
        start_timeout=60,
        **kwargs,
    ):
        if km is None:
            raise ValueError("the started-kernel engine needs km=<a started AsyncKernelManager>")
        if on_start is not None:
            on_start(nb_man.nb)
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            log=LOG,
            log_output=False,
        )
        try:
            return client.execute()
        finally:  # the kernel is the caller's to stop (after it has the outcome)
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(ENGINE_NAME, StartedKernelEngine)
