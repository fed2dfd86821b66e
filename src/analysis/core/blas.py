"""One BLAS thread in each of the project's processes.

numpy's wheels link OpenBLAS, which starts a worker thread for each core but one as numpy is
imported, and again in a forked process at its first matrix call. A worker that has just started
or finished a call waits busily for more work for a while before it sleeps. The project's
matrices are small (a Monte Carlo of 10,000 draws over a five-year plan, a least-squares trend
through a dozen years), so the workers never help; on a two-core machine they took about 0.07 s
of CPU a process for an import of numpy alone, and 0.17 s a default pack across this process,
the kernels' parent and the kernels, out of about 6.4 s.

OpenBLAS reads ``OPENBLAS_NUM_THREADS`` once, as numpy loads it: the commands set it before
anything imports numpy (:func:`analysis.cli.main`), and every kernel's environment carries it
(:func:`analysis.pack.engine.kernel_environment`). A value the user has set is kept.
"""

from __future__ import annotations

from collections.abc import MutableMapping

__all__ = ["VARIABLE", "one_thread"]

VARIABLE = "OPENBLAS_NUM_THREADS"


def one_thread(environment: MutableMapping[str, str]) -> None:
    """Ask for one BLAS thread in ``environment`` (``os.environ``, or a child's), unless the user
    has asked for a number already."""
    environment.setdefault(VARIABLE, "1")
