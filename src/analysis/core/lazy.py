"""Submodules a package imports when they are first asked for (PEP 562)."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def submodules_on_first_use(package: str, names: set[str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` that imports the submodules ``names`` when code
    first reads them (``mtfp.report``); Python then binds them on the package, so this runs
    once. Used for the chart modules: checking a pack's inputs does not pay for matplotlib."""

    def __getattr__(name: str):
        if name in names:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
