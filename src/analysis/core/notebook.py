"""What every scheduled notebook does in its second cell: ``report = setup(...)``.

The first code cell holds the papermill parameters (literal values only). The second calls
:func:`setup`, which applies the chart style, loads the council, resolves the period and the
folder the notebook's tables go to, and returns a :class:`Report` with those and a
``save_table`` method.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import charts, config, paths, tables
from analysis.core.config import Council
from analysis.core.periods import Period
from analysis.core.schedule import resolve_period


@dataclass
class Report:
    council: Council
    period: Period
    scenario: str
    tables_dir: Path
    public_data: Path | None

    def save_table(self, df: pd.DataFrame, name: str) -> Path:
        return tables.save_table(df, name, self.tables_dir)

    def read_table(self, name: str) -> pd.DataFrame:
        return tables.read_table(name, self.tables_dir)


def default_tables_dir(council: str, period: Period) -> Path:
    """Where tables go when a notebook runs on its own (e.g. in JupyterLab)."""
    return paths.processed_dir() / council / str(period) / "tables"


def setup(
    council: str, period: str, scenario: str = "base", tables_dir: str = "", public_data: str = ""
) -> Report:
    charts.apply_house_style()
    loaded = config.load_council(council)
    resolved = resolve_period(loaded, period)
    directory = Path(tables_dir) if tables_dir else default_tables_dir(council, resolved)
    charts.export_charts_to(directory.parent / "charts")  # every chart also as PNG and SVG
    return Report(loaded, resolved, scenario, directory, public_folder(public_data))


def autoreload(mode: str) -> None:
    """Have IPython re-import library code edited since the last cell: ``mode`` as
    ``%autoreload`` takes it ("all", "explicit", ...), or "off" for none. "off", as a pack
    runs, loads nothing: loading the extension records every imported module (about 1,400) for
    a reload that cannot happen. Outside IPython, nothing."""
    if mode == "off":
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    shell.extension_manager.load_extension("autoreload")
    shell.run_line_magic("autoreload", mode)


def public_folder(public_data: str) -> Path | None:
    """The notebooks' ``public_data`` parameter as the folder it names (None for ""): a relative
    path is taken from the project root, as the pack records it."""
    public = Path(public_data) if public_data else None
    if public is not None and not public.is_absolute():
        public = paths.project_root() / public
    return public
