"""Figure of the trial: each cluster's rate per quarter, coloured by arm, with the periods marked (plotly).

Quarterly rates are annualised like the period rates (events / person-years x 10 000). A quarter whose
count is 1-4 is suppressed (not drawn) so that the figure can be published (DESIGN.md, Privacy).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from forlop.coercion.design import TrialDesign
from forlop.stats import PER
from forlop.i18n import t

COLOURS = {"intervention": "#c0392b", "control": "#2c7fb8"}


def quarterly_cluster_rates(counts: pd.DataFrame, design: TrialDesign, outcome: str = "rate") -> pd.DataFrame:
    """Return cluster, arm, quarter (text YYYYQn), events, exposure, rate, suppressed (1-4 events).

    For ``outcome="share"`` the rate is events / denominator x 100 (no value when the denominator is 0).
    """
    first, last = str(design.periods[0].first), str(design.periods[-1].last)
    data = counts[(counts["month"] >= first) & (counts["month"] <= last)].copy()
    data["quarter"] = pd.PeriodIndex(data["month"], freq="M").asfreq("Q").astype(str)
    table = data.groupby(["cluster", "quarter"], as_index=False).agg(
        events=("events", "sum"), population_months=("population", "sum")
    )
    if outcome == "share":
        table["denominator"] = table.pop("population_months")
        table["rate"] = table["events"] / table["denominator"].where(table["denominator"] > 0) * 100
    else:
        table["person_years"] = table.pop("population_months") / 12.0
        table["rate"] = table["events"] / table["person_years"] * PER
    table["suppressed"] = table["events"].between(1, 4)
    table["arm"] = table["cluster"].map(design.arms)
    return table


def trial_figure(counts: pd.DataFrame, design: TrialDesign, lang: str | None = None, outcome: str = "rate"
                 ) -> go.Figure:
    """Return the figure: one line per cluster (quarterly rate), periods shaded and named."""
    table = quarterly_cluster_rates(counts, design, outcome)
    figure = go.Figure()
    shown: set[str] = set()
    for cluster, rows in table.groupby("cluster"):
        arm = design.arms[cluster]
        rates = rows["rate"].where(~rows["suppressed"])
        figure.add_trace(go.Scatter(
            x=rows["quarter"], y=rates, mode="lines+markers", name=t(f"coercion.arm.{arm}", lang),
            legendgroup=arm, showlegend=arm not in shown, line={"color": COLOURS[arm], "width": 1.5},
            hovertemplate=f"{cluster}: %{{x}} %{{y:.1f}}<extra></extra>",
        ))
        shown.add(arm)
    for i, period in enumerate(design.periods):
        x0 = str(pd.Period(period.first, freq="Q"))
        x1 = str(pd.Period(period.last, freq="Q"))
        figure.add_vrect(x0=x0, x1=x1, fillcolor="#888888", opacity=0.06 if i % 2 == 0 else 0.12, line_width=0,
                         annotation_text=period.name, annotation_position="top left")
    figure.update_layout(
        template="simple_white", height=420, margin={"l": 60, "r": 20, "t": 30, "b": 50},
        yaxis_title=t(f"coercion.axis.{outcome}", lang), xaxis_title=t("coercion.axis.quarter", lang),
        legend={"orientation": "h", "y": -0.2},
    )
    return figure
