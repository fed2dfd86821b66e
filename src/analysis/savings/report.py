"""The savings report the notebook shows: :func:`analyse` loads every snapshot of the year up to
the period into a :class:`SavingsAnalysis`, whose methods give each table, sentence, tile and
chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.config import Council
from analysis.core.display import gbp_m_text
from analysis.core.periods import Period, year_label
from analysis.savings.fields import RAG_ORDER, SavingsSettings, load_settings
from analysis.savings.measures import (
    SOURCE,
    at_risk,
    by_directorate,
    by_type,
    delivery_rates,
    headline,
    mtfp_pressure,
    year_rows,
)
from analysis.savings.movement import MovementSummary, movement, movement_summary, slippage, trend
from analysis.savings.register import load_year


@dataclass
class SavingsAnalysis:
    """Every snapshot of one financial year up to a period, and the measures on them."""

    council: Council
    period: Period
    settings: SavingsSettings
    snapshots: dict[Period, pd.DataFrame] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def year_label(self) -> str:
        return year_label(self.period.year)

    @property
    def current(self) -> pd.DataFrame:
        return self.snapshots[self.period]

    @property
    def previous_period(self) -> Period | None:
        previous = self.period.previous
        return previous if previous in self.snapshots else None

    @property
    def previous(self) -> pd.DataFrame | None:
        return self.snapshots[self.previous_period] if self.previous_period else None

    @property
    def baseline_period(self) -> Period | None:
        earlier = sorted(p for p in self.snapshots if p < self.period)
        return earlier[0] if earlier else None

    @property
    def baseline(self) -> pd.DataFrame | None:
        return self.snapshots[self.baseline_period] if self.baseline_period else None

    # Tables -----------------------------------------------------------------------------------
    def headline(self) -> pd.DataFrame:
        return headline(self.current, self.year)

    def by_directorate(self) -> pd.DataFrame:
        return by_directorate(self.current, self.year, self.council.directorates)

    def by_type(self) -> pd.DataFrame:
        return by_type(self.current, self.year, self.settings.types)

    def at_risk(self) -> pd.DataFrame:
        return at_risk(self.current, self.year)

    def movement(self) -> pd.DataFrame:
        return movement(self.current, self.previous, self.year)

    def movement_summary(self) -> MovementSummary:
        label = self.previous_period.label if self.previous_period else None
        return movement_summary(self.current, self.previous, self.year, label)

    def trend(self) -> pd.DataFrame:
        return trend(self.snapshots, self.year)

    def slippage(self) -> pd.DataFrame:
        return slippage(self.current, self.baseline, self.year)

    def mtfp_pressure(self) -> pd.DataFrame:
        return mtfp_pressure(self.current, self.year, self.council.directorates)

    def delivery_rates(self) -> pd.DataFrame:
        return delivery_rates(
            self.current, self.year, self.council.directorates, self.settings.types
        )

    # Words ------------------------------------------------------------------------------------
    def headline_tiles(self) -> list[tuple[str, str, str]]:
        h = self.headline().iloc[0]
        count = len(year_rows(self.current, self.year))
        return [
            (
                "Savings planned",
                gbp_m_text(h["planned_gbp_m"] * 1000),
                f"{count} savings for {self.year_label}",
            ),
            (
                "Forecast delivery",
                _pct(h["forecast_delivery_rate"]),
                f"of planned value forecast by year end ({gbp_m_text(h['forecast_gbp_m'] * 1000)})",
            ),
            (
                "Value at risk",
                gbp_m_text(h["at_risk_gbp_m"] * 1000),
                "planned value rated amber or red",
            ),
            (
                "Not expected this year",
                gbp_m_text(h["lost_gbp_m"] * 1000),
                "planned minus forecast: the shortfall the budget must cover",
            ),
        ]

    def headline_sentence(self) -> str:
        h = self.headline().iloc[0]
        if h["planned_gbp_m"] == 0:
            return f"The register for {self.period.label} holds no savings planned for {self.year_label}."
        return (
            f"Of {gbp_m_text(h['planned_gbp_m'] * 1000)} of savings planned for {self.year_label}, "
            f"{gbp_m_text(h['delivered_gbp_m'] * 1000)} ({_pct(h['delivery_rate'])}) had been delivered "
            f"by the end of {self.period.label} and {gbp_m_text(h['forecast_gbp_m'] * 1000)} "
            f"({_pct(h['forecast_delivery_rate'])}) is forecast to be delivered by the year end. "
            f"{gbp_m_text(h['at_risk_gbp_m'] * 1000)} is at risk (rated amber or red), and "
            f"{gbp_m_text(h['lost_gbp_m'] * 1000)} (planned minus forecast) is not expected to be "
            "delivered this year."
        )

    def group_sentence(self, table: pd.DataFrame, column: str) -> str:
        risky = table[table["at_risk_gbp_m"] > 0].sort_values(
            "at_risk_gbp_m", ascending=False, kind="mergesort"
        )
        if risky.empty:
            return f"No {column} has savings rated amber or red."
        top = risky.iloc[0]
        if column == "type":
            return (
                f"The largest value at risk is in {str(top[column]).lower()} savings: "
                f"{gbp_m_text(top['at_risk_gbp_m'] * 1000)} of {gbp_m_text(top['planned_gbp_m'] * 1000)} "
                f"planned are rated amber or red, and {_pct(top['forecast_delivery_rate'])} is forecast "
                "to be delivered."
            )
        return (
            f"The largest value at risk is in {top[column]}: {gbp_m_text(top['at_risk_gbp_m'] * 1000)} "
            f"of its {gbp_m_text(top['planned_gbp_m'] * 1000)} planned savings are rated amber or red, "
            f"and it is forecast to deliver {_pct(top['forecast_delivery_rate'])} of them."
        )

    def at_risk_sentence(self) -> str:
        table = self.at_risk()
        if table.empty:
            return "No savings are rated amber or red."
        red = table[table["rag"] == "Red"]
        return (
            f"{len(table)} savings worth {gbp_m_text(table['planned_gbp_k'].sum())} are rated amber or "
            f"red; {len(red)} of them ({gbp_m_text(red['planned_gbp_k'].sum())}) are red. The forecast "
            f"shortfall on these savings is {gbp_m_text(table['shortfall_gbp_k'].sum())}."
        )

    def movement_sentence(self) -> str:
        s = self.movement_summary()
        if not s.available:
            return (
                f"There is no earlier snapshot of the register for {self.year_label} to compare with, "
                f"so movement since last quarter cannot be shown for {self.period.label}."
            )
        change = s.forecast_change_gbp_k
        direction = "risen" if change > 0 else "fallen" if change < 0 else "not changed"
        amount = f" by {gbp_m_text(abs(change))}" if change else ""
        return (
            f"Since {s.previous_label}, {_count(s.worse, 'saving')} got a worse RAG rating "
            f"({gbp_m_text(s.worse_planned_gbp_k)} planned) and {_count(s.better, 'saving')} a better "
            f"one; {_count(s.new, 'saving')} were added, {_count(s.removed, 'saving')} removed and "
            f"{_count(s.moved, 'saving')} moved wholly to a later year. The forecast for the year has "
            f"{direction}{amount}."
        )

    def trend_sentence(self) -> str:
        table = self.trend()
        if len(table) < 2:
            return (
                f"Only one quarter's register is available for {self.year_label}, so there is no trend "
                f"yet: the forecast delivery rate is {_pct(table['forecast_delivery_rate'].iloc[-1])}."
            )
        first, last = table.iloc[0], table.iloc[-1]
        verb = (
            "risen"
            if last["forecast_delivery_rate"] > first["forecast_delivery_rate"]
            else "fallen"
            if last["forecast_delivery_rate"] < first["forecast_delivery_rate"]
            else "stayed"
        )
        return (
            f"The forecast delivery rate has {verb} from {_pct(first['forecast_delivery_rate'])} at "
            f"Q{first['quarter']} to {_pct(last['forecast_delivery_rate'])} at Q{last['quarter']}."
        )

    def slippage_sentence(self) -> str:
        if self.baseline is None:
            return (
                f"There is no earlier snapshot of the register for {self.year_label}, so slippage into "
                "later years cannot be measured yet."
            )
        table = self.slippage()
        if table.empty:
            return f"No savings have moved from {self.year_label} to a later year since {self.baseline_period.label}."
        return (
            f"Since {self.baseline_period.label}, {_count(len(table), 'saving')} worth "
            f"{gbp_m_text(table['slipped_gbp_k'].sum())} have been moved from {self.year_label} into "
            "later years. That money is still planned, but later: this year's budget must find it "
            "elsewhere."
        )

    def pressure_sentence(self) -> str:
        table = self.mtfp_pressure()
        total = table["undelivered_gbp_m"].sum() * 1000
        rates = self.delivery_rates()
        overall = rates.loc[
            rates["directorate"].isna() & rates["type"].isna(), "delivery_rate"
        ].iloc[0]
        if total <= 0:
            lead = f"All the savings planned for {self.year_label} are forecast to be delivered."
        else:
            lead = (
                f"{gbp_m_text(total)} of the savings planned for {self.year_label} are forecast not to be "
                "delivered. Unless they are replaced, the MTFP must carry this as a pressure: on this "
                "year's budget, and on later years' for savings meant to recur."
            )
        return (
            f"{lead} This register forecasts that {_pct(overall)} of this year's planned savings "
            f"will be delivered (by value, at {self.period.label}): a forecast for {self.year_label}, "
            "not a record of past years. The MTFP's pessimistic scenario applies these forecast "
            "rates, by directorate and type, to the savings planned for later years. "
            + pooling_sentence(rates)
        )

    # Charts -----------------------------------------------------------------------------------
    def rag_chart(self, table: pd.DataFrame, column: str):
        """Horizontal stacked bars of planned value by RAG (£m) for each directorate or type."""
        risky = table.sort_values("at_risk_gbp_m", ascending=False, kind="mergesort").iloc[0]
        if risky["at_risk_gbp_m"] > 0:
            title = (
                f"{risky[column]} has the most savings at risk: "
                f"{gbp_m_text(risky['at_risk_gbp_m'] * 1000)} rated amber or red"
            )
        else:
            title = f"No savings are rated amber or red in {self.period.label}"
        from analysis.core import charts  # matplotlib only when a chart is drawn

        fig, ax = charts.new_figure(title, height=max(3.0, 1.0 + 0.6 * len(table)))
        labels = [str(v) for v in table[column]][::-1]
        left = np.zeros(len(table))
        for rag in RAG_ORDER:
            values = table[f"{rag.lower()}_gbp_m"].to_numpy(dtype=float)[::-1]
            # The house RAG style: dark hatching on amber, white on red and green.
            style = {"linewidth": 0.5, **charts.rag_style(rag)}
            ax.barh(labels, values, left=left, label=rag, **style)
            left += values
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        charts.gbp_m_axis(ax, axis="x", label="Planned savings by RAG status, £m")
        ax.legend(title="RAG status", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        charts.add_caption(fig, f"{self.council.display_name} {SOURCE}", self.period.label)
        return fig

    def rag_chart_alt(self, table: pd.DataFrame, column: str) -> str:
        parts = [
            f"{row[column]}: {gbp_m_text(row['planned_gbp_m'] * 1000)} planned, "
            f"{gbp_m_text(row['blue_gbp_m'] * 1000)} blue, {gbp_m_text(row['green_gbp_m'] * 1000)} green, "
            f"{gbp_m_text(row['amber_gbp_m'] * 1000)} amber, {gbp_m_text(row['red_gbp_m'] * 1000)} red"
            for _, row in table.iterrows()
        ]
        chart = f"Stacked bar chart of planned savings by RAG status for each {column}. "
        return chart + "; ".join(parts) + "."

    def trend_chart(self):
        table = self.trend()
        last = table.iloc[-1]
        from analysis.core import charts  # matplotlib only when a chart is drawn

        fig, ax = charts.new_figure(
            f"{_pct(last['forecast_delivery_rate'])} of planned savings forecast to be delivered at "
            f"{self.period.label}"
        )
        styles = charts.series_styles(2)
        x = list(range(len(table)))
        ax.plot(
            x,
            table["forecast_delivery_rate"],
            label="Forecast delivery rate (by year end)",
            **styles[0],
        )
        ax.plot(x, table["delivery_rate"], label="Delivered to date", **styles[1])
        charts.label_years(ax, [f"Q{q}" for q in table["quarter"]])
        ax.set_xlim(-0.5, len(table) - 0.5)
        ax.set_ylim(0, 1.05)
        charts.percent_axis(ax, label="Share of planned savings (by value)")
        ax.set_xlabel(f"Quarter of {self.year_label}")
        ax.legend(loc="lower right")
        charts.add_caption(fig, f"{self.council.display_name} {SOURCE}", self.period.label)
        return fig

    def trend_chart_alt(self) -> str:
        table = self.trend()
        points = "; ".join(
            f"Q{row['quarter']}: forecast {_pct(row['forecast_delivery_rate'])}, delivered to date "
            f"{_pct(row['delivery_rate'])}"
            for _, row in table.iterrows()
        )
        return (
            f"Line chart of the savings delivery rates by quarter of {self.year_label}. {points}."
        )


def pooling_sentence(rates: pd.DataFrame) -> str:
    """Which groups rest on too little evidence and take a wider group's rate, in words."""
    from analysis.savings.measures import (
        POOL_MIN_COUNT,
        POOL_MIN_PLANNED_GBP_K,
        POOLED_DIRECTORATE,
        pooled_groups,
    )

    pooled = pooled_groups(rates)
    if pooled.empty:
        return "Every group rests on enough savings to use its own rate."
    parts = []
    for _i, row in pooled.iterrows():
        name = (
            row["directorate"]
            if pd.isna(row["type"])
            else f"{row['directorate']} {str(row['type']).lower()}"
        )
        wider = (
            f"{row['directorate']}'s {_pct(row['delivery_rate'])}"
            if row["rate_basis"] == POOLED_DIRECTORATE
            else f"the overall {_pct(row['delivery_rate'])}"
        )
        parts.append(
            f"{name} ({_pct(row['own_rate'])} from {_count(int(row['number_of_savings']), 'saving')} "
            f"worth {gbp_m_text(row['planned_gbp_k'])}) uses {wider}"
        )
    return (
        "A rate resting on few or small savings is not evidence enough to drive later years' "
        f"savings, so groups with fewer than {POOL_MIN_COUNT} savings or less than "
        f"{gbp_m_text(POOL_MIN_PLANNED_GBP_K)} planned take their directorate's rate (or the "
        "overall rate): " + "; ".join(parts) + "."
    )


def _pct(value: float) -> str:
    return (
        "n/a"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value * 100:.0f}%"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def analyse(council: Council, period: Period) -> SavingsAnalysis:
    """Load every snapshot of the period's year up to the period (InputError on any problem)."""
    settings = load_settings(council)
    return SavingsAnalysis(council, period, settings, load_year(council, period))


def validate_inputs(
    council: Council, period: Period, scenario: str, public_data: Path | None
) -> str:
    """Load (and so check) every register the savings notebook reads; a one-line summary."""
    analysis = analyse(council, period)
    rows = year_rows(analysis.current, analysis.year)
    earlier = [p for p in sorted(analysis.snapshots) if p != period]
    compared = f"; earlier snapshots: {', '.join(str(p) for p in earlier)}" if earlier else ""
    return (
        f"Savings register {period}: {len(rows)} savings for {analysis.year_label}, "
        f"{gbp_m_text(rows['planned_gbp_k'].sum())} planned{compared}"
    )
