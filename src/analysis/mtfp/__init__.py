"""Question 1, MTFP scenarios: the budget gap over the plan, reserves, the DSG deficit, scenarios,
sensitivity and the Monte Carlo chance that the general fund falls below its minimum.

The notebook calls this package's functions (``mtfp.budget_gap(plan)``) and the report helpers in
:mod:`analysis.mtfp.report` (``mtfp.report.gap_chart(...)``).
"""

from analysis.core.lazy import submodules_on_first_use
from analysis.mtfp import backtest
from analysis.mtfp.assumptions import load_assumptions, load_assumptions_from, resolve_scenario
from analysis.mtfp.checks import validate_inputs
from analysis.mtfp.delivery import (
    DeliveryEvidence,
    apply_delivery_rates,
    delivery_evidence,
    delivery_rates_if_needed,
    planned_savings,
    savings_with_delivery,
)
from analysis.mtfp.dsg import dsg_projection, exhaustion_years, override_ends_effect
from analysis.mtfp.montecarlo import (
    fan_table,
    leanings_for_display,
    leanings_table,
    monte_carlo,
    monte_carlo_table,
)
from analysis.mtfp.productivity import load_productivity
from analysis.mtfp.projection import (
    Projection,
    budget_gap,
    build_drivers,
    council_tax_detail,
    funding_by_line,
    net_budget_by_directorate,
    opening_usable_reserves,
    projection,
    referendum_warnings,
    reserve_milestones,
    reserves_projection,
    resilience_indicators,
    to_gbp_m,
)
from analysis.mtfp.reconcile import reconciliation_sentence, savings_reconciliation
from analysis.mtfp.scenarios import compare_scenarios, scenario_headlines, sensitivity

__all__ = [
    "DeliveryEvidence",
    "Projection",
    "apply_delivery_rates",
    "backtest",
    "bridge",
    "budget_gap",
    "build_drivers",
    "compare_scenarios",
    "council_tax_detail",
    "delivery_evidence",
    "delivery_rates_if_needed",
    "dsg_projection",
    "exhaustion_years",
    "fan_table",
    "funding_by_line",
    "leanings_for_display",
    "leanings_table",
    "load_assumptions",
    "load_assumptions_from",
    "load_productivity",
    "monte_carlo",
    "monte_carlo_table",
    "net_budget_by_directorate",
    "opening_usable_reserves",
    "override_ends_effect",
    "planned_savings",
    "projection",
    "referendum_warnings",
    "report",
    "reconciliation_sentence",
    "reserve_milestones",
    "reserves_projection",
    "resilience_indicators",
    "resolve_scenario",
    "savings_reconciliation",
    "savings_with_delivery",
    "scenario_headlines",
    "sensitivity",
    "to_gbp_m",
    "validate_inputs",
]


# The chart helpers (and matplotlib) load when a notebook first asks for them.
__getattr__ = submodules_on_first_use(__name__, {"report", "bridge"})
