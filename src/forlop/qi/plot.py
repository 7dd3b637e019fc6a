"""Plotly figure of a computed chart (``QicResult.plot()``).

Conventions of qicharts2's plots: the data line with dots, the centre line (dashed and
coloured when the Anhøj rules signal non-random variation in that part), grey control
limits, a dotted target line, dots outside the limits coloured, excluded points hollow,
a dotted vertical line after the baseline, one line segment per part, notes as labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from forlop.i18n import t

if TYPE_CHECKING:
    from forlop.qi.qic import QicResult

LINE_COLOUR = "#5DA5DA"
SIGNAL_COLOUR = "#F15854"
LIMIT_COLOUR = "#8C8C8C"
TARGET_COLOUR = "#059748"


def qic_figure(
    result: QicResult,
    title: str | None = None,
    ylab: str | None = None,
    lang: str | None = None,
    height: int = 380,
    show_legend: bool = True,
) -> go.Figure:
    """Build the figure for ``result``: one trace group per part."""
    p = result.points
    fig = go.Figure()
    for number, part in p.groupby("part", sort=True):
        first = bool(number == p["part"].min())
        runs = bool(part["runs_signal"].iloc[0])
        fig.add_trace(
            go.Scatter(
                x=part["x"],
                y=part["y"],
                mode="lines+markers",
                name=t("qi.plot.data", lang),
                line={"color": LINE_COLOUR, "width": 2},
                showlegend=show_legend and first,
                legendgroup="data",
                marker={
                    "color": np.where(part["sigma_signal"], SIGNAL_COLOUR, LINE_COLOUR).tolist(),
                    "size": 7,
                    "symbol": np.where(part["include"], "circle", "circle-open").tolist(),
                },
                hovertemplate="%{x}: %{y:.3~f}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=part["x"],
                y=part["cl"],
                mode="lines",
                name=t("qi.plot.centre", lang),
                line={"color": SIGNAL_COLOUR if runs else LIMIT_COLOUR, "dash": "dash" if runs else "solid"},
                showlegend=show_legend and first,
                legendgroup="cl",
                hoverinfo="skip",
            )
        )
        if part["ucl"].notna().any():
            for column in ("lcl", "ucl"):
                fig.add_trace(
                    go.Scatter(
                        x=part["x"],
                        y=part[column],
                        mode="lines",
                        name=t("qi.plot.limits", lang),
                        line={"color": LIMIT_COLOUR, "width": 1, "shape": "hvh"},
                        showlegend=show_legend and first and column == "ucl",
                        legendgroup="limits",
                        hoverinfo="skip",
                    )
                )
    if p["target"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=p["x"],
                y=p["target"],
                mode="lines",
                name=t("qi.plot.target", lang),
                line={"color": TARGET_COLOUR, "dash": "dot"},
                showlegend=show_legend,
                hoverinfo="skip",
            )
        )
    if result.freeze is not None and result.freeze < len(p):
        fig.add_vline(x=_between(p["x"], result.freeze), line={"dash": "dot", "color": "#444", "width": 1})
    for _, row in p[p["notes"].notna()].iterrows():
        fig.add_annotation(
            x=row["x"], y=row["y"], text=str(row["notes"]), showarrow=True, arrowhead=1, font={"size": 10}
        )
    fig.update_layout(
        title=title,
        yaxis_title=ylab,
        height=height,
        template="simple_white",
        margin={"l": 50, "r": 20, "t": 50 if title else 20, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def _between(x: Any, position: int) -> Any:
    """x half-way between the subgroup at ``position`` (1-based) and the next one."""
    a, b = x.iloc[position - 1], x.iloc[position]
    try:
        return a + (b - a) / 2
    except TypeError:
        return a
