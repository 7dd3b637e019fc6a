"""Monthly recovery and reliable improvement per service as P charts, through the QI module's engine.

Per service and month of ``ended_on``: recovered / recovery denominator and reliably improved / its
denominator (months without anyone in the denominator are left out). The chart is
``forlop.qi.qic.qic(..., chart="p", multiply=100)`` (qicharts2's P chart: centre line and 3-sigma
limits per point from the binomial, Anhøj runs rules), read by ``forlop.qi.reading.read_chart`` with
improvement = up; fewer than 12 months is too few to judge (the QI module's rule). Each chart is drawn by
the QI module's own plot (``QicResult.plot()``: centre line dashed red on a runs signal, points outside
the limits red), laid out three to a row; no plotting code of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # the QI engine (and plotly) are imported where charts are drawn, not by `analyse`
    from forlop.qi import QicResult, Reading

CHARTED = {"recovery": "recovered", "reliable_improvement": "reliably_improved"}
ALL = "all"


def monthly(r: pd.DataFrame) -> pd.DataFrame:
    """service (and ``all``), indicator, month, numerator, denominator for the charted indicators."""
    parts = []
    for indicator, column in CHARTED.items():
        base = r.loc[r[column].notna(), ["service", "end_month", column]]
        for service, frame in [(ALL, base)] + list(base.groupby(base["service"].astype(str), sort=True)):
            g = frame.groupby("end_month")[column]
            parts.append(
                pd.DataFrame(
                    {
                        "service": service,
                        "indicator": indicator,
                        "month": g.size().index,
                        "numerator": g.sum().astype(int).to_numpy(),
                        "denominator": g.size().to_numpy(),
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["service", "indicator", "month", "numerator", "denominator"])
    return pd.concat(parts, ignore_index=True)


def p_chart(series: pd.DataFrame) -> QicResult:
    """The P chart (percent) of one service's monthly series of one indicator."""
    from forlop.qi import qic

    series = series.sort_values("month")
    return qic(
        pd.to_datetime(series["month"]),
        series["numerator"].astype(float),
        series["denominator"].astype(float),
        chart="p",
        multiply=100,
    )


def charts(months: pd.DataFrame, lang: str | None = None) -> dict[str, list[tuple[str, QicResult, Reading]]]:
    """Per indicator, the list of (service, chart, reading): the total first, then the services."""
    from forlop.qi import read_chart

    out: dict[str, list[tuple[str, QicResult, Reading]]] = {}
    for indicator in CHARTED:
        rows = months[months["indicator"] == indicator]
        services = [ALL] + sorted(s for s in rows["service"].unique() if s != ALL)
        out[indicator] = []
        for service in services:
            series = rows[rows["service"] == service]
            if series.empty:
                continue
            result = p_chart(series)
            out[indicator].append((service, result, read_chart(result, "up", None, lang)))
    return out


def chart_html(panels: list[tuple[str, QicResult]], lang: str | None = None, height: int = 260) -> str:
    """``panels`` (title, chart) as an HTML grid of the QI module's figures (plotly.js not included)."""
    cells = []
    for title, result in panels:
        fig = result.plot(title=title, lang=lang)
        fig.update_layout(
            height=height, showlegend=False, margin={"l": 40, "r": 10, "t": 40, "b": 30}, title={"font": {"size": 12}}
        )
        cells.append(
            '<div class="panel">'
            + fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})
            + "</div>"
        )
    return '<div class="panels">' + "".join(cells) + "</div>"


__all__ = ["ALL", "CHARTED", "chart_html", "charts", "monthly", "p_chart"]
