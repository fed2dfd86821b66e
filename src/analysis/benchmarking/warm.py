"""Read the tables a benchmarking run shares with every other council into this process, once.

A batch runs each council's benchmarking notebook in a fresh kernel, forked from one parent
process per worker (:mod:`analysis.pack.forked`). Every one of those kernels reads the same
tables from the cache on disk: the panel, each year's unit costs, names and classes, the
resilience indicators, spend per head over the years and the financial measures (about 0.4 s of
a kernel's 2 s). :func:`warm`, run once in the parent, reads them into the parent's memory (the
cache's memory layer, :mod:`analysis.core.cache`), where each kernel forked afterwards finds
them.

It changes nothing a kernel computes: a kernel looks each table up under the same key (its input
files' SHA-256s, parameters and code) and gets its own copy; a kernel is a separate process, so
nothing it does reaches the parent or another kernel. The record of the files read is cleared,
so a kernel's manifest lists only what its own run read.
"""

from __future__ import annotations


def warm(council: str, public_data: str) -> None:
    """Read every shared table a benchmarking run for ``council`` (a council folder's name)
    reads, as its notebook does with the same ``public_data`` parameter (the tables' keys
    include the folder as named), keeping them in this process's cache."""
    from analysis.benchmarking import pipeline, report_finances, trends
    from analysis.core import config, provenance
    from analysis.core.notebook import public_folder

    loaded = config.load_council(council)
    result = pipeline.run(loaded, public_folder(public_data))
    trends.for_result(result)
    report_finances.for_result(result)
    provenance.reset()
