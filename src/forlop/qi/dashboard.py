"""Self-contained offline HTML dashboard of a collaborative dataset (``forlop qi import``).

Content:
- an overview of which teams show which signal on which indicator: one symbol per reading
  status of ``reading.py`` (``SYMBOLS``), so a cell shows exactly what the team's panel of
  that indicator shows, plus "no data" (an indicator of the team's track without rows) and
  an empty cell (an indicator of the other track); the legend lists these symbols only;
- per team, small multiples of its indicators (the catalogue's chart type, x = month,
  baseline = months before the team's start month, frozen like qicharts2's ``freeze``) with
  signals highlighted (centre line dashed red on a runs signal, points of an unusually long
  run and points outside the limits in red) and a one-line reading per indicator;
- for the whole collaborative, per track, the monthly sum over the teams that report the
  indicator, with the baseline before ``COLLABORATIVE_START`` (004 §2: the project period
  runs from January 2022).

One HTML file, plotly's JavaScript inlined once, no network request.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from forlop.citations import references
from forlop.errors import InputError
from forlop.html import render
from forlop.i18n import default_language, month_name, t
from forlop.progress import say
from forlop.qi.anhoej import longest_run_span
from forlop.qi.catalogue import Indicator, for_track, indicator, load_catalogue
from forlop.qi.importer import DATA_FILE, TEAMS_FILE
from forlop.qi.plot import LIMIT_COLOUR, LINE_COLOUR, SIGNAL_COLOUR
from forlop.qi.qic import QicResult, qic
from forlop.qi.reading import MIN_POINTS, Reading, read_chart

COLLABORATIVE_START = pd.Timestamp("2022-01-01")
COLUMNS = 3
# One symbol per overview status: the reading statuses (reading.py) plus "none" (an indicator
# of the team's track with no rows) and "other_track" (not measured in the team's track: empty).
SYMBOLS = {
    "improvement": "▲",
    "worsening": "▼",
    "baseline_improvement": "△",
    "baseline_worsening": "▽",
    "undirected": "◆",
    "random": "○",
    "too_few": f"<{MIN_POINTS}",
    "none": "–",
    "other_track": "",
}


def load_dataset(data_dir: Path, lang: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``qi_data.parquet`` and ``teams.parquet`` from ``data_dir`` (InputError if absent)."""
    data_dir = Path(data_dir)
    for name in (DATA_FILE, TEAMS_FILE):
        if not (data_dir / name).exists():
            raise InputError(str(data_dir / name), t("qi.dashboard.missing", lang))
    data = pd.read_parquet(data_dir / DATA_FILE)
    teams = pd.read_parquet(data_dir / TEAMS_FILE)
    for column in ("team", "indicator", "month", "numerator", "denominator"):
        if column not in data.columns:
            raise InputError(str(data_dir / DATA_FILE), t("input.missing_column", lang), column=column)
    return data, teams


def chart_indicator(series: pd.DataFrame, item: Indicator, start: pd.Timestamp | None) -> tuple[QicResult, int | None]:
    """Chart of one indicator series (month, numerator, denominator); returns it and the
    1-based position of the first month of the project period (None if unknown)."""
    series = series.sort_values("month")
    before = int((series["month"] < start).sum()) if start is not None and not pd.isna(start) else 0
    freeze = before if 0 < before < len(series) else None
    n = series["denominator"].astype(float) if item.is_proportion else None
    notes = series["note"] if "note" in series.columns else None
    result = qic(
        series["month"],
        series["numerator"].astype(float),
        n,
        chart=item.chart,
        freeze=freeze,
        notes=notes,
        multiply=100 if item.is_proportion else 1,
    )
    return result, (freeze + 1 if freeze else None)


def _long_run_mask(result: QicResult) -> np.ndarray:
    p = result.points
    mask = np.zeros(len(p), dtype=bool)
    summary = result.summary.iloc[-1]
    if bool(summary["runs_signal"]) and summary["longest_run"] > summary["longest_run_max"]:
        y = np.where(p["include"], p["y"].to_numpy(float), np.nan)
        span = longest_run_span(y, p["cl"].to_numpy(float))
        if span:
            cl = p["cl"].to_numpy(float)
            inside = np.arange(len(p))
            mask = (inside >= span[0]) & (inside <= span[1]) & ~np.isnan(y) & (y != cl)
    return mask


def _panel(result: QicResult, axis: int, start: pd.Timestamp | None) -> tuple[list[dict], list[dict]]:
    """The traces (plotly trace dicts) and the start-month line (a layout shape) of one panel, on subplot axis
    number ``axis``."""
    p = result.points
    runs = bool(p["runs_signal"].any())
    highlight = _long_run_mask(result) | p["sigma_signal"].to_numpy()
    suffix = "" if axis == 1 else str(axis)
    axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "type": "scatter", "showlegend": False}
    x = p["x"].tolist()
    traces = [
        {
            **axes,
            "x": x,
            "y": p["y"].tolist(),
            "mode": "lines+markers",
            "line": {"color": LINE_COLOUR, "width": 1.5},
            "marker": {"size": 4, "color": np.where(highlight, SIGNAL_COLOUR, LINE_COLOUR).tolist()},
            "text": p["notes"].fillna("").tolist(),
            "hovertemplate": "%{x|%Y-%m}: %{y:.3~f} %{text}<extra></extra>",
        },
        {
            **axes,
            "x": x,
            "y": p["cl"].tolist(),
            "mode": "lines",
            "hoverinfo": "skip",
            "line": {
                "color": SIGNAL_COLOUR if runs else LIMIT_COLOUR,
                "width": 1.5,
                "dash": "dash" if runs else "solid",
            },
        },
    ]
    if p["ucl"].notna().any():
        for column in ("lcl", "ucl"):
            traces.append(
                {
                    **axes,
                    "x": x,
                    "y": p[column].tolist(),
                    "mode": "lines",
                    "hoverinfo": "skip",
                    "line": {"color": LIMIT_COLOUR, "width": 1},
                }
            )
    shapes = []
    if start is not None and not pd.isna(start) and p["x"].min() < start <= p["x"].max():
        shapes.append(
            {
                "type": "line",
                "x0": start,
                "x1": start,
                "xref": f"x{suffix}",
                "y0": 0,
                "y1": 1,
                "yref": f"y{suffix} domain",
                "line": {"dash": "dot", "color": "#444", "width": 1},
            }
        )
    return traces, shapes


@lru_cache(maxsize=32)
def _grid(rows: int) -> dict:
    """The layout of a grid of ``rows`` x ``COLUMNS`` subplots (axis domains from plotly's ``make_subplots``)."""
    fig = make_subplots(rows=rows, cols=COLUMNS, vertical_spacing=min(0.12, 0.5 / rows), horizontal_spacing=0.06)
    fig.update_layout(height=230 * rows + 40, template="simple_white", margin={"l": 40, "r": 10, "t": 40, "b": 30})
    return fig.to_plotly_json()["layout"]


def _figure(panels: list[tuple[str, QicResult]], starts: list[pd.Timestamp | None]) -> str:
    """Small multiples, ``COLUMNS`` per row, written as plotly's JSON without building figure objects: plotly
    validates a figure object on every change, which took most of a team's second; the traces and layout here
    are those plotly's objects would hold (grid and template from ``make_subplots``, titles as annotations)."""
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    layout = copy.deepcopy(_grid(rows))
    traces: list[dict] = []
    shapes: list[dict] = []
    annotations = []
    for index, ((title, result), start) in enumerate(zip(panels, starts)):
        panel_traces, panel_shapes = _panel(result, index + 1, start)
        traces += panel_traces
        shapes += panel_shapes
        suffix = "" if index == 0 else str(index + 1)
        x_domain, y_domain = layout[f"xaxis{suffix}"]["domain"], layout[f"yaxis{suffix}"]["domain"]
        annotations.append(
            {
                "text": title,
                "x": (x_domain[0] + x_domain[1]) / 2,
                "y": y_domain[1],
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11},
            }
        )
    layout["shapes"] = shapes
    layout["annotations"] = annotations
    return pio.to_html(
        {"data": traces, "layout": layout},
        full_html=False,
        include_plotlyjs=False,
        validate=False,
        config={"displaylogo": False, "responsive": True},
    )


@lru_cache(maxsize=1)
def _single() -> dict:
    """The layout of one panel on its own (axes and template from plotly's ``make_subplots``)."""
    fig = make_subplots(rows=1, cols=1)
    fig.update_layout(height=260, template="simple_white", margin={"l": 40, "r": 10, "t": 40, "b": 30})
    return fig.to_plotly_json()["layout"]


def indicator_part(series: pd.DataFrame, item: Indicator, start: pd.Timestamp | None, lang: str | None) -> dict:
    """One indicator's chart and reading on their own, for a page that assembles a team's indicators part by
    part (the web application keeps each part until the indicator's own rows change): ``figure`` is one
    plotly figure (the panel of ``team_section``'s small multiples, with its title above), ``reading`` the row
    of ``team_section``'s ``readings`` and ``cell`` the Reading. ``series``: the indicator's rows (month,
    numerator, denominator, note), not empty."""
    result, start_position = chart_indicator(series, item, start)
    reading = read_chart(result, item.direction, start_position, lang)
    unit = " (%)" if item.is_proportion else ""
    layout = copy.deepcopy(_single())
    traces, shapes = _panel(result, 1, start)
    layout["shapes"] = shapes
    layout["title"] = {"text": f"{item.id} {item.name(lang)}{unit}"[:60], "font": {"size": 11}, "x": 0.5}
    figure = pio.to_html(
        {"data": traces, "layout": layout},
        full_html=False,
        include_plotlyjs=False,
        validate=False,
        config={"displaylogo": False, "responsive": True},
    )
    return {
        "id": item.id,
        "figure": figure,
        "cell": reading,
        "reading": {
            "id": item.id,
            "name": item.name(lang),
            "text": reading.text,
            "status": reading.status,
            "symbol": SYMBOLS[reading.status],
        },
    }


def _anchor(text: str) -> str:
    return "team-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def team_section(team: str, series: pd.DataFrame, track: str, start: pd.Timestamp | None, lang: str | None) -> dict:
    """Charts and readings of one team; ``cells`` maps indicator id -> Reading."""
    panels, starts, readings, cells = [], [], [], {}
    for item in for_track(track):
        rows = series[series["indicator"] == item.id]
        if rows.empty:
            continue
        result, start_position = chart_indicator(rows, item, start)
        reading = read_chart(result, item.direction, start_position, lang)
        cells[item.id] = reading
        unit = " (%)" if item.is_proportion else ""
        panels.append((f"{item.id} {item.name(lang)}{unit}"[:60], result))
        starts.append(start)
        readings.append(
            {
                "id": item.id,
                "name": item.name(lang),
                "text": reading.text,
                "status": reading.status,
                "symbol": SYMBOLS[reading.status],
            }
        )
    start_text = month_name(start, lang) if start is not None and not pd.isna(start) else "?"
    return {
        "title": team,
        "anchor": _anchor(team),
        "track": track,
        "subtitle": t("qi.dashboard.start", lang, month=start_text),
        "figure": _figure(panels, starts) if panels else "",
        "readings": readings,
        "cells": cells,
        "charts": len(panels),
    }


def collaborative_sections(data: pd.DataFrame, teams: pd.DataFrame, lang: str | None) -> list[dict]:
    """One section per track: monthly sums over the teams reporting each indicator."""
    sections = []
    for track in ("adult", "youth"):
        names = set(teams.loc[teams["track"] == track, "team"])
        rows = data[data["team"].isin(names)]
        if rows.empty:
            continue
        summed = rows.groupby(["indicator", "month"], as_index=False)[["numerator", "denominator"]].sum(min_count=1)
        section = team_section(t(f"qi.dashboard.collaborative_{track}", lang), summed, track, COLLABORATIVE_START, lang)
        section["subtitle"] = t(
            "qi.dashboard.collaborative_note", lang, teams=len(names), month=month_name(COLLABORATIVE_START, lang)
        )
        sections.append(section)
    return sections


def overview_cell(section: dict, indicator_id: str, lang: str | None) -> dict:
    """The overview cell of one indicator in one team (or collaborative) section: status,
    symbol (``SYMBOLS``) and the reading as a tooltip."""
    reading: Reading | None = section["cells"].get(indicator_id)
    if reading is not None:
        return {"status": reading.status, "symbol": SYMBOLS[reading.status], "text": reading.text}
    status = "none" if indicator(indicator_id).in_track(section["track"]) else "other_track"
    return {"status": status, "symbol": SYMBOLS[status], "text": t(f"qi.dashboard.legend.{status}", lang)}


def legend(indicator_ids: list[str], lang: str | None) -> dict:
    """The overview's legend: every symbol of ``SYMBOLS`` with its meaning, and what a signal is
    (3-sigma limits are mentioned only if one of the charted indicators is a control chart)."""
    items = [
        {"status": status, "symbol": symbol, "text": t(f"qi.dashboard.legend.{status}", lang)}
        for status, symbol in SYMBOLS.items()
    ]
    control = any(indicator(i).chart != "run" for i in indicator_ids)
    signal = t("qi.dashboard.legend.signal", lang)
    if control:
        signal += " " + t("qi.dashboard.legend.signal_sigma", lang)
    return {"items": items, "signal": signal}


def build_dashboard(data_dir: Path, out: Path, lang: str | None = None, progress: bool = False) -> dict:
    """Write the dashboard of the dataset in ``data_dir`` to ``out``; returns counts."""
    data, teams = load_dataset(data_dir, lang)
    return write_dashboard(data, teams, out, lang, progress)


def write_dashboard(
    data: pd.DataFrame, teams: pd.DataFrame, out: Path, lang: str | None = None, progress: bool = False
) -> dict:
    """Write the dashboard of ``data`` (columns of ``qi_data.parquet``) and ``teams`` (of ``teams.parquet``)
    to ``out``; returns counts. ``build_dashboard`` reads them from a directory, ``forlop qi dashboard --db``
    from the web application's database."""
    data = data.copy()
    data["month"] = pd.to_datetime(data["month"])
    starts = dict(zip(teams["team"], pd.to_datetime(teams["start_month"])))
    tracks = dict(zip(teams["team"], teams["track"]))
    sections = collaborative_sections(data, teams, lang)
    for team in teams["team"]:
        if progress:
            say(t("qi.dashboard.progress", lang, team=team))
        sections.append(team_section(team, data[data["team"] == team], tracks[team], starts.get(team), lang))
    indicator_ids = [item.id for item in load_catalogue() if any(item.id in s["cells"] for s in sections)]
    overview = [
        {
            "team": section["title"],
            "anchor": section["anchor"],
            "cells": [overview_cell(section, indicator_id, lang) for indicator_id in indicator_ids],
        }
        for section in sections
    ]
    html = render(
        "forlop.qi",
        "dashboard.html.j2",
        html_lang=lang or default_language(),
        title=t("qi.dashboard.title", lang),
        generated=t("qi.dashboard.generated", lang, date=dt.date.today().isoformat()),
        overview_title=t("qi.dashboard.overview", lang),
        team_label=t("qi.dashboard.team", lang),
        legend=legend(indicator_ids, lang),
        indicator_ids=indicator_ids,
        overview=overview,
        sections=sections,
        plotly_js=get_plotlyjs(),
        # The catalogue, the baseline rule and the data template follow the LKT Tvang status report (004).
        sources_label=t("report.closing_sources", lang),
        sources=references(["004"], lang or default_language()),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    charts = sum(s["charts"] for s in sections)
    improvements = sum(c["status"] == "improvement" for row in overview for c in row["cells"])
    if progress:
        say(t("qi.dashboard.written", lang, path=out, teams=len(teams), charts=charts))
    return {
        "teams": len(teams),
        "charts": charts,
        "improvements": improvements,
        "overview": overview,
        "indicator_ids": indicator_ids,
    }
