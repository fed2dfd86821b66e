"""Question 3, value-for-money benchmarking: where each service's cost and performance sits
against comparable councils, and which services should get a review first.

- :mod:`.panel` gathers the government's published files (read by :mod:`analysis.public_data`) (or the council's own panel) into tidy tables;
- :mod:`.comparators` and :mod:`.positions` place each service among the comparators;
- :mod:`.resilience`, :mod:`.performance` and :mod:`.priorities` add the resilience indicators,
  cost against performance, and the review priorities;
- :mod:`.pipeline` runs it all (``benchmarking.run(council, public_data)``), and :mod:`.report`
  gives what the notebook shows (``benchmarking.report.chart_positions(result)``).
"""

from analysis.benchmarking import report, trends
from analysis.benchmarking.authorities import authorities
from analysis.benchmarking.checks import PublicCheck, public_check, validate_inputs
from analysis.benchmarking.panel import Panel, find_public_files, load_panel
from analysis.benchmarking.performance import performance_positions, quadrants
from analysis.benchmarking.pipeline import BenchmarkResult, run
from analysis.benchmarking.positions import comparator_group, features_for, unit_costs
from analysis.benchmarking.priorities import (
    notional_savings,
    priorities,
    priority_components,
    vfm_share,
    weights_table,
)
from analysis.benchmarking.resilience import years_covered
from analysis.benchmarking.settings import BenchmarkSettings, load_settings
from analysis.core.lazy import submodules_on_first_use

__all__ = [
    "authorities",
    "BenchmarkResult",
    "BenchmarkSettings",
    "Panel",
    "PublicCheck",
    "comparator_group",
    "features_for",
    "find_public_files",
    "load_panel",
    "load_settings",
    "notional_savings",
    "performance_positions",
    "priorities",
    "public_check",
    "priority_components",
    "quadrants",
    "report",
    "report_budget",
    "report_finances",
    "run",
    "trend_charts",
    "trends",
    "unit_costs",
    "validate_inputs",
    "vfm_share",
    "weights_table",
    "years_covered",
]


# The chart helpers (and matplotlib) load when a notebook first asks for them; so do the
# financial-position report modules.
__getattr__ = submodules_on_first_use(
    __name__, {"trend_charts", "report_finances", "report_budget"}
)
