"""Question 2, savings delivery: of the savings the budget depends on, how much is delivered, at
risk or lost, by directorate and type.

- :mod:`.register` loads a quarter's savings register (with :mod:`.sheets` for reading cells and
  finding the header row, and :mod:`.fields` for the column names and how a cell is read);
- :mod:`.measures` gives the delivery measures by value, and :mod:`.movement` what changed since
  earlier quarters;
- :mod:`.report` is what the notebook shows (``savings.analyse(council, period)``).
"""

from analysis.savings.measures import (
    AT_RISK_COLUMNS,
    HEADERS,
    HEADLINE_COLUMNS,
    POOL_MIN_COUNT,
    POOL_MIN_PLANNED_GBP_K,
    PRESSURE_COLUMNS,
    RATE_COLUMNS,
    SUMMARY_COLUMNS,
    at_risk,
    by_directorate,
    by_type,
    delivery_rates,
    headline,
    historical_delivery_rates,
    mtfp_pressure,
    pooled_groups,
    register_forecast,
)
from analysis.savings.movement import (
    MOVEMENT_COLUMNS,
    SLIPPAGE_COLUMNS,
    movement,
    movement_summary,
    slippage,
    trend,
)
from analysis.savings.report import SavingsAnalysis, analyse, validate_inputs

__all__ = [
    "AT_RISK_COLUMNS",
    "HEADERS",
    "HEADLINE_COLUMNS",
    "MOVEMENT_COLUMNS",
    "POOL_MIN_COUNT",
    "POOL_MIN_PLANNED_GBP_K",
    "PRESSURE_COLUMNS",
    "RATE_COLUMNS",
    "SLIPPAGE_COLUMNS",
    "SUMMARY_COLUMNS",
    "SavingsAnalysis",
    "analyse",
    "at_risk",
    "by_directorate",
    "by_type",
    "delivery_rates",
    "headline",
    "historical_delivery_rates",
    "movement",
    "movement_summary",
    "mtfp_pressure",
    "pooled_groups",
    "register_forecast",
    "slippage",
    "trend",
    "validate_inputs",
]
