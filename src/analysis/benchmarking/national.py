"""What a panel says about every authority, the same whichever council a run is for: each year's
unit costs, the authorities' names and classes, the comparator variables, the resilience
indicators and reserve changes, and spend per head over every year.

A batch runs council after council on one panel. :func:`national_for` keeps these figures,
each computed the first time it is asked for, for the last panel loaded, under the panel's key
(the SHA-256 of the files it was read from, :attr:`Panel.key`), from a private copy of that
panel; each caller gets its own copy of a figure. A panel made any other way (no key) gets its
figures computed afresh for each run.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pandas as pd

from analysis.benchmarking.panel import Panel
from analysis.benchmarking.positions import features_for, rs_classes, unit_costs
from analysis.benchmarking.resilience import reserve_changes, resilience_indicators
from analysis.benchmarking.trends import per_head_history


def _own(value):
    """The caller's own copy of a kept figure (frames and series copied; tuples item by item)."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)  # copy-on-write: the caller's changes stay its own
    if isinstance(value, tuple):
        return tuple(_own(v) for v in value)
    return value


class National:
    """Every authority's figures from one panel, each computed once when first asked for."""

    def __init__(self, panel: Panel):
        self.panel = panel
        self._kept: dict[Hashable, object] = {}

    def _once(self, key: Hashable, build: Callable[[], object]):
        if key not in self._kept:
            self._kept[key] = build()
        return _own(self._kept[key])

    def unit_costs(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(unit costs, unmatched) for ``year``: :func:`~.positions.unit_costs`."""
        return self._once(
            ("unit_costs", year), lambda: unit_costs(self.panel.rs, self.panel.population, year)
        )

    def names(self) -> pd.DataFrame:
        """name and authority_class by ons_code, from the RS and then the population data."""

        def build():
            both = pd.concat(
                [
                    self.panel.rs[["ons_code", "name", "authority_class"]],
                    self.panel.population[["ons_code", "name", "authority_class"]],
                ]
            )
            return (
                both.dropna(subset=["ons_code"]).drop_duplicates("ons_code").set_index("ons_code")
            )

        return self._once("names", build)

    def classes(self, year: int) -> pd.Series:
        """ons_code -> authority class in the RS data for ``year``."""
        return self._once(("classes", year), lambda: rs_classes(self.panel, year))

    def features(self, year: int, variables: list[str]) -> pd.DataFrame:
        """The comparator variables for ``year``: :func:`~.positions.features_for`."""
        return self._once(
            ("features", year, tuple(variables)),
            lambda: features_for(self.panel.rs, self.panel.population, year, variables),
        )

    def resilience_indicators(self) -> pd.DataFrame:
        """:func:`~.resilience.resilience_indicators` for every authority."""
        return self._once(
            "resilience",
            lambda: resilience_indicators(self.panel.rs, self.panel.history),
        )

    def reserve_changes(self) -> pd.DataFrame:
        """:func:`~.resilience.reserve_changes` for every authority, from every year there is."""
        source = self.panel.history if self.panel.history is not None else self.panel.rs
        return self._once("reserve_changes", lambda: reserve_changes(source))

    def per_head(self) -> pd.DataFrame:
        """:func:`~.trends.per_head_history`: spend per head by service, every year."""
        return self._once("per_head", lambda: per_head_history(self.panel.history))


# The last panel's figures: {panel key: National}. One panel at a time.
_LAST: dict[str, National] = {}


def national_for(panel: Panel) -> National:
    """The figures of ``panel`` (kept for the last panel loaded; see the module's docstring)."""
    if panel.key is None:
        return National(panel)
    if panel.key not in _LAST:
        _LAST.clear()
        _LAST[panel.key] = National(panel.copy())
    return _LAST[panel.key]
