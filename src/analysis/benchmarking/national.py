"""What a panel says about every authority, the same whichever council a run is for: each year's
unit costs, the authorities' names and classes, the comparator variables, the resilience
indicators and reserve changes, spend per head over every year, and the financial position
measures of every authority.

A batch runs council after council on one panel, each notebook in a fresh kernel. Each of these
figures is computed the first time any process asks for it and kept in the project's one cache
(:mod:`analysis.core.cache`) under the panel's key (the SHA-256 of the files it was read from,
:attr:`Panel.key`), the figure's parameters and the code that computes it: the next kernel reads
it in milliseconds. A panel made any other way (no key) gets its figures computed afresh.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis.benchmarking import service_finances as svc
from analysis.benchmarking.panel import Panel
from analysis.benchmarking.positions import features_for, returned_years, rs_classes, unit_costs
from analysis.benchmarking.resilience import reserve_changes, resilience_indicators
from analysis.benchmarking.trends import per_head_history, rs_years, summed_frame
from analysis.core.cache import code_fingerprint, derived


def _code() -> str:
    return code_fingerprint("benchmarking", "public_data", "core")


class National:
    """Every authority's figures from one panel, each computed once (see the module's docstring)."""

    def __init__(self, panel: Panel):
        self.panel = panel

    def _frame(self, name: str, params: tuple, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        if self.panel.key is None:
            return build()
        return derived(
            f"national-{name}", [], build, code=_code(), params=[self.panel.key, *params]
        )

    def _frames(
        self, name: str, params: tuple, count: int, build: Callable[[], tuple]
    ) -> tuple[pd.DataFrame, ...]:
        """Several frames one computation gives, each kept as its own table."""
        whole: list = []

        def part(i: int) -> Callable[[], pd.DataFrame]:
            def one() -> pd.DataFrame:
                if not whole:
                    whole.append(build())
                return whole[0][i]

            return one

        return tuple(self._frame(f"{name}-{i}", params, part(i)) for i in range(count))

    def unit_costs(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(unit costs, unmatched) for ``year``: :func:`~.positions.unit_costs`."""
        return self._frames(
            "unit-costs", (year,), 2, lambda: unit_costs(self.panel.rs, self.panel.population, year)
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

        return self._frame("names", (), build)

    def classes(self, year: int) -> pd.Series:
        """ons_code -> authority class in the RS data for ``year``."""
        frame = self._frame("classes", (year,), lambda: rs_classes(self.panel, year).to_frame())
        return frame.iloc[:, 0]

    def features(self, year: int, variables: list[str]) -> pd.DataFrame:
        """The comparator variables for ``year``: :func:`~.positions.features_for`."""
        return self._frame(
            "features",
            (year, *variables),
            lambda: features_for(self.panel.rs, self.panel.population, year, variables),
        )

    def resilience_indicators(self) -> pd.DataFrame:
        """:func:`~.resilience.resilience_indicators` for every authority."""
        return self._frame(
            "resilience", (), lambda: resilience_indicators(self.panel.rs, self.panel.history)
        )

    def reserve_changes(self) -> pd.DataFrame:
        """:func:`~.resilience.reserve_changes` for every authority, from every year there is."""
        source = self.panel.history if self.panel.history is not None else self.panel.rs
        return self._frame("reserve-changes", (), lambda: reserve_changes(source))

    def returns(self) -> pd.DataFrame:
        """:func:`~.positions.returned_years`: each authority's years with a service figure."""
        return self._frame("returns", (), lambda: returned_years(self.panel.rs))

    def summed(self, measure: str | None = None) -> pd.DataFrame:
        """:func:`~.trends.summed_frame`: ons_code and year of every figure (of ``measure``, or
        of any) that is a successor's predecessors' sum."""
        return self._frame(
            "summed", (measure or "",), lambda: summed_frame(self.panel.history, measure)
        )

    def rs_years(self) -> pd.DataFrame:
        """:func:`~.trends.rs_years`: the years with any Revenue Outturn figure."""
        return self._frame("rs-years", (), lambda: rs_years(self.panel.history))

    def per_head(self) -> pd.DataFrame:
        """:func:`~.trends.per_head_history`: spend per head by service, every year."""
        return self._frame("per-head", (), lambda: per_head_history(self.panel.history))

    def finances(self, year: int) -> tuple[pd.DataFrame, ...]:
        """Every authority's DSG, reserves, debt, budget-against-outturn and service-split
        measures for the data ``year`` (:mod:`.finances`, :mod:`.service_finances`)."""
        history = self.panel.history
        if history is None:
            history = pd.DataFrame(columns=["ons_code", "year", "measure", "value", "source_file"])
        return tuple(
            self._frame(f"finances-{measure.__name__}", (year,), lambda m=measure: m(history, year))
            for measure in svc.POSITION_MEASURES
        )


def national_for(panel: Panel) -> National:
    """The figures of ``panel`` (see the module's docstring)."""
    return National(panel.copy())
