"""The outcome-monitoring report: one offline HTML file (plotly inlined), Norwegian by default; Excel on request.

Sections: access and waiting (by service and referral source), outcomes per service and by step,
start severity, source, sex and age group with 95% CIs, the case-mix adjusted comparison and its
funnel plot, monthly P charts of recovery and reliable improvement (the QI module's engine and
panels), work transitions, data completeness. ``--service`` marks one service's rows and shows its
P charts beside the total.

Privacy (DESIGN.md "Privacy"): every number goes through ``forlop.privacy``: ``outcomes.csv`` through
``publish`` (families: a measure's effect size rests on its mean change, reliable recovery on
recovery, reliable deterioration on reliable improvement), the work table as a crossed breakdown
with its margins, each P chart's months as one table whose total is the series total (a hidden
month is not drawn, nor are its limits, which would show its n). The case-mix row and funnel point
of a service follow its recovery cell. The client chart is never part of this report.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from importlib import resources
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from forlop.citations import cite, references
from forlop.errors import InputError
from forlop.html import ReportResult
from forlop.i18n import default_language, format_number, t
from forlop.outcomes.charts import ALL, chart_html, charts
from forlop.outcomes.definitions import definitions, measures
from forlop.outcomes.indicators import BREAKDOWNS
from forlop.privacy import SYMBOL, publish
from forlop.qi import QicResult
from forlop.stats import funnel_limits

FAMILIES = {
    "reliable_recovery": "recovery",
    "reliable_deterioration": "reliable_improvement",
    **{f"effect_size_{k}": f"mean_change_{k}" for k in measures()},
}
ACCESS = [
    "referrals",
    "assessed",
    "entered_treatment",
    "finished_treatment",
    "median_days_to_first_treatment",
    "seen_within_6_weeks",
    "seen_within_18_weeks",
]
OUTCOMES = (
    ["finished_treatment", "paired", "recovery", "reliable_improvement", "reliable_deterioration", "reliable_recovery"]
    + [f"mean_change_{k}" for k in measures()]
    + [f"effect_size_{k}" for k in measures()]
)
WITH_CI = {
    "recovery",
    "reliable_improvement",
    "reliable_recovery",
    "median_days_to_first_treatment",
    *(f"mean_change_{k}" for k in measures()),
    *(f"effect_size_{k}" for k in measures()),
}


def _read(path: Path, lang: str | None = None) -> pd.DataFrame:
    if not path.exists():
        raise InputError(str(path), t("outcomes.missing_results", lang))
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


class _Numbers:
    """Formats published numbers for the report's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def num(self, value: float | None, decimals: int = 0) -> str:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return SYMBOL
        return format_number(float(value), decimals, self.lang, SYMBOL).replace("-", "−")

    def cell(self, row: pd.Series | None, with_ci: bool) -> str:
        """The text of one published outcomes row: value (CI); the symbol when hidden, empty when absent."""
        if row is None:
            return ""
        if row["hidden"]:
            return SYMBOL
        if row["value"] is None or not math.isfinite(row["value"]):
            return ""  # published but not defined (e.g. a mean over one person has no interval, a share of 0)
        decimals = 0 if row["unit"] in ("count",) else (2 if row["indicator"].startswith("effect_size") else 1)
        text = self.num(row["value"], decimals)
        if with_ci and math.isfinite(row["ci_low"]):
            text += f" ({self.num(row['ci_low'], decimals)}–{self.num(row['ci_high'], decimals)})"
        return text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _label(indicator: str, lang: str) -> str:
    return t(f"outcomes.ind.{indicator}", lang)


def _group_label(breakdown: str, group: str, lang: str) -> str:
    if breakdown in ("step", "source", "sex", "severity") or group in ("unknown", "all"):
        return t(f"outcomes.group.{group}", lang)
    return str(group)


def breakdown_table(
    pub: pd.DataFrame,
    indicators: list[str],
    breakdown: str,
    lang: str,
    highlight: str | None,
    table_id: str,
    title: str,
) -> dict:
    """One table: groups of ``breakdown`` (and the total) as rows, ``indicators`` as columns."""
    n = _Numbers(lang)
    index = pub.set_index(["indicator", "breakdown", "group"])
    groups = sorted(pub.loc[(pub["breakdown"] == breakdown), "group"].astype(str).unique())
    rows = []
    for breakdown_, group in [(breakdown, g) for g in groups] + [("all", "all")]:
        cells = []
        for ind in indicators:
            key = (ind, breakdown_, group)
            row = index.loc[key] if key in index.index else None
            if ind == "finished_treatment" and row is not None and not row["hidden"]:  # shown as a count here
                cells.append(n.num(row["numerator"]))
            else:
                cells.append(n.cell(_with_name(row, ind), ind in WITH_CI))
        css = "total" if breakdown_ == "all" else ("hl" if highlight is not None and group == highlight else "")
        rows.append({"label": _group_label(breakdown_, group, lang), "cells": cells, "css": css})
    header = [t(f"outcomes.breakdown.{breakdown}", lang)] + [
        t("outcomes.col.finished_n", lang) if i == "finished_treatment" else _label(i, lang) for i in indicators
    ]
    hidden = sum(c == SYMBOL for r in rows for c in r["cells"])
    return {"id": table_id, "title": title, "header": header, "rows": rows, "hidden": hidden}


def _with_name(row: pd.Series | None, indicator: str) -> pd.Series | None:
    if row is None:
        return None
    out = row.copy()
    out["indicator"] = indicator
    return out


def _published_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    table = outcomes.copy()
    table["group"] = table["group"].astype(str)
    return publish(table, families=FAMILIES)


def casemix_table(
    casemix: pd.DataFrame, pub: pd.DataFrame, lang: str, highlight: str | None
) -> tuple[dict, pd.DataFrame]:
    """The observed/expected table; a row follows the publication of its service's recovery cell."""
    n = _Numbers(lang)
    rec = pub[(pub["indicator"] == "recovery") & (pub["breakdown"] == "service")].set_index("group")
    rows, shown = [], []
    for r in casemix.itertuples(index=False):
        hidden = bool(rec.loc[str(r.service), "hidden"]) if str(r.service) in rec.index else True
        if hidden:
            cells = [SYMBOL] * 6
        elif r.too_few:
            cells = (
                [n.num(r.cases), n.num(r.observed), n.num(r.expected, 1)]
                + [t("outcomes.too_few", lang)] * 2
                + [t("outcomes.funnel.too_few", lang)]
            )
        else:
            cells = [
                n.num(r.cases),
                n.num(r.observed),
                n.num(r.expected, 1),
                f"{n.num(r.ratio, 2)} ({n.num(r.ratio_low, 2)}–{n.num(r.ratio_high, 2)})",
                (
                    f"{n.num(100 * r.adjusted_rate, 1)} ({n.num(100 * r.adjusted_low, 1)}–"
                    f"{n.num(100 * r.adjusted_high, 1)})"
                ),
                t(f"outcomes.funnel.{r.funnel}", lang),
            ]
            shown.append(r)
        rows.append(
            {
                "label": str(r.service),
                "cells": cells,
                "css": "hl" if highlight is not None and str(r.service) == highlight else "",
            }
        )
    header = [t("outcomes.breakdown.service", lang)] + [
        t(f"outcomes.col.{c}", lang) for c in ("cases", "observed", "expected", "ratio", "adjusted", "funnel")
    ]
    table = {
        "id": "casemix",
        "title": t("outcomes.report.casemix_table", lang),
        "header": header,
        "rows": rows,
        "hidden": sum(c == SYMBOL for r in rows for c in r["cells"]),
    }
    return table, pd.DataFrame(shown)


def funnel_figure(points: pd.DataFrame, p0: float, lang: str, highlight: str | None) -> str:
    """Funnel plot: adjusted recovery (%) against cases, 95% and 99.8% limits around the overall rate."""
    fig = go.Figure()
    n_max = int(points["cases"].max() * 1.1) if not points.empty else 100
    limits = funnel_limits(p0, max(n_max, 50))
    for level, dash in (("95", "dash"), ("99.8", "dot")):
        for side in ("lo", "hi"):
            fig.add_trace(
                go.Scatter(
                    x=limits["n"],
                    y=100 * limits[f"{side}{level}"],
                    mode="lines",
                    line={"color": "#8C8C8C", "dash": dash, "width": 1},
                    name=t("outcomes.funnel.limit", lang, level=level.replace(".", ",") if lang == "nb" else level),
                    showlegend=side == "hi",
                    hoverinfo="skip",
                )
            )
    fig.add_hline(y=100 * p0, line={"color": "#1f4e79", "width": 1})
    if not points.empty:
        colour = ["#F15854" if highlight is not None and str(s) == highlight else "#1f4e79" for s in points["service"]]
        fig.add_trace(
            go.Scatter(
                x=points["cases"],
                y=100 * points["adjusted_rate"],
                mode="markers+text",
                text=points["service"].astype(str),
                textposition="top center",
                marker={"color": colour, "size": 9},
                name=t("outcomes.funnel.services", lang),
                hovertemplate="%{text}: %{y:.1f} % (n = %{x})<extra></extra>",
            )
        )
    fig.update_layout(
        height=480,
        template="simple_white",
        xaxis_title=t("outcomes.col.cases", lang),
        yaxis_title=t("outcomes.funnel.y", lang),
        margin={"l": 50, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "y": -0.18},
    )
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})


def _hide_months(result: QicResult, series: pd.DataFrame) -> tuple[QicResult, int]:
    """A copy of ``result`` without the months the privacy layer hides (y and limits blanked)."""
    total = pd.DataFrame(
        [
            {
                "indicator": "month_series",
                "breakdown": "all",
                "group": "all",
                "numerator": series["numerator"].sum(),
                "denominator": series["denominator"].sum(),
                "value": np.nan,
                "unit": "share",
            }
        ]
    )
    months = pd.DataFrame(
        {
            "indicator": "month_series",
            "breakdown": "month",
            "group": pd.to_datetime(series["month"]).dt.strftime("%Y-%m").to_numpy(),
            "numerator": series["numerator"].to_numpy(float),
            "denominator": series["denominator"].to_numpy(float),
            "value": np.nan,
            "unit": "share",
        }
    )
    published = publish(pd.concat([total, months], ignore_index=True))
    hidden = set(published.loc[(published["breakdown"] == "month") & published["hidden"], "group"])
    points = result.points.copy()
    mask = pd.to_datetime(points["x"]).dt.strftime("%Y-%m").isin(hidden).to_numpy()
    points.loc[mask, ["y", "lcl", "ucl"]] = np.nan
    copy = QicResult(
        chart=result.chart,
        points=points,
        summary=result.summary,
        multiply=result.multiply,
        freeze=result.freeze,
        title=result.title,
        ylab=result.ylab,
        meta=result.meta,
    )
    return copy, int(mask.sum())


def chart_sections(months: pd.DataFrame, lang: str, service: str | None) -> tuple[list[dict], int]:
    """Per charted indicator: the small multiples (published months only) and the readings."""
    sections, hidden = [], 0
    for indicator, items in charts(months, lang).items():
        panels, readings = [], []
        for name, result, reading in items:
            if service is not None and name not in (ALL, service):
                continue
            rows = months[(months["indicator"] == indicator) & (months["service"] == name)].sort_values("month")
            shown, n_hidden = _hide_months(result, rows)
            hidden += n_hidden
            title = t("outcomes.group.all", lang) if name == ALL else name
            panels.append((title, shown))
            readings.append(
                {
                    "service": title,
                    "status": reading.status,
                    "text": reading.text,
                    "css": "hl" if service is not None and name == service else "",
                }
            )
        sections.append(
            {
                "title": _label(indicator, lang),
                "figure": chart_html(panels, lang) if panels else "",
                "readings": readings,
                "panels": len(panels),
            }
        )
    return sections, hidden


def work_table(work: pd.DataFrame, lang: str) -> dict:
    """Work status at the start (rows) by the end (columns), with margins, through ``forlop.privacy``."""
    n = _Numbers(lang)
    starts = sorted(work["work_start"].unique())
    ends = sorted(work["work_end"].unique())
    rows = [{"indicator": "work", "breakdown": "all", "group": "all", "value": work["referrals"].sum()}]
    for s in starts:
        rows.append(
            {
                "indicator": "work",
                "breakdown": "work_start",
                "group": s,
                "value": work.loc[work["work_start"] == s, "referrals"].sum(),
            }
        )
    for e in ends:
        rows.append(
            {
                "indicator": "work",
                "breakdown": "work_end",
                "group": e,
                "value": work.loc[work["work_end"] == e, "referrals"].sum(),
            }
        )
    cells = {(a, b): 0 for a in starts for b in ends}
    cells.update({(r.work_start, r.work_end): r.referrals for r in work.itertuples(index=False)})
    if ("working", "working") not in cells:
        cells[("working", "working")] = 0
    for (a, b), v in cells.items():
        rows.append({"indicator": "work", "breakdown": "work_start_x_work_end", "group": f"{a}|{b}", "value": v})
    long = pd.DataFrame(rows).assign(numerator=lambda f: f["value"], denominator=np.nan, unit="count")
    pub = publish(long).set_index(["breakdown", "group"])

    def show(breakdown: str, group: str) -> str:
        r = pub.loc[(breakdown, group)]
        return SYMBOL if r["hidden"] else n.num(r["value"])

    def number(breakdown: str, group: str) -> float | None:
        key = (breakdown, group)
        return None if key not in pub.index or pub.loc[key, "hidden"] else float(pub.loc[key, "value"])

    parts = [
        number("work_end", "working"),
        number("work_start_x_work_end", "working|working"),
        number("all", "all"),
        number("work_start", "working") if "working" in starts else 0.0,
    ]
    into = None if parts[0] is None or parts[1] is None else parts[0] - (parts[1] or 0)
    base = None if parts[2] is None or parts[3] is None else parts[2] - parts[3]
    into_text = t("outcomes.report.into_work", lang, into=n.num(into), base=n.num(base))
    body = [
        {
            "label": t(f"outcomes.work.{s}", lang),
            "css": "",
            "cells": [show("work_start_x_work_end", f"{s}|{e}") for e in ends] + [show("work_start", s)],
        }
        for s in starts
    ]
    body.append(
        {
            "label": t("outcomes.group.all", lang),
            "css": "total",
            "cells": [show("work_end", e) for e in ends] + [show("all", "all")],
        }
    )
    header = (
        [t("outcomes.work.start_end", lang)]
        + [t(f"outcomes.work.{e}", lang) for e in ends]
        + [t("outcomes.group.all", lang)]
    )
    return {
        "id": "work",
        "title": t("outcomes.report.work_table", lang),
        "header": header,
        "rows": body,
        "hidden": sum(c == SYMBOL for r in body for c in r["cells"]),
        "into_work": into_text,
    }


def build_report(
    results: Path, html: Path, xlsx: Path | None = None, lang: str | None = None, service: str | None = None
) -> ReportResult:
    """Write the report of the analysis folder ``results`` to ``html`` (and the tables to ``xlsx``)."""
    started = time.perf_counter()
    lang = lang or default_language()
    results = Path(results)
    outcomes = _read(results / "outcomes.csv", lang)
    casemix = _read(results / "casemix.csv", lang)
    work = _read(results / "work_transitions.csv", lang)
    months = _read(results / "monthly.csv", lang)
    referrals = _read(results / "referrals.parquet", lang)
    services = sorted(referrals["service"].astype(str).unique())
    if service is not None and service not in services:
        raise InputError("--service", t("outcomes.report.unknown_service", lang), example=", ".join(services[:5]))
    pub = _published_outcomes(outcomes)
    tables = [
        breakdown_table(
            pub, ACCESS, "service", lang, service, "access-service", t("outcomes.report.access_service", lang)
        ),
        breakdown_table(pub, ACCESS, "source", lang, None, "access-source", t("outcomes.report.access_source", lang)),
        breakdown_table(
            pub, OUTCOMES, "service", lang, service, "outcomes-service", t("outcomes.report.outcomes_service", lang)
        ),
    ]
    by = [
        breakdown_table(
            pub,
            OUTCOMES,
            b,
            lang,
            None,
            f"outcomes-{b}",
            t("outcomes.report.outcomes_by", lang, by=_lower_first(t(f"outcomes.breakdown.{b}", lang))),
        )
        for b in BREAKDOWNS
        if b != "service"
    ]
    p0 = float(casemix["overall_rate"].iloc[0]) if len(casemix) else float("nan")
    cm_table, points = casemix_table(casemix, pub, lang, service)
    funnel = funnel_figure(points, p0, lang, service) if math.isfinite(p0) else ""
    months["month"] = pd.to_datetime(months["month"])
    sections, hidden_months = chart_sections(months, lang, service)
    work_tab = work_table(work, lang) if not work.empty else None
    completeness = breakdown_table(
        pub,
        ["finished_treatment", "paired"],
        "service",
        lang,
        service,
        "completeness",
        t("outcomes.report.completeness_table", lang),
    )
    n = _Numbers(lang)
    total = pub.set_index(["indicator", "breakdown", "group"])
    headline = {
        k: n.cell(_with_name(total.loc[(k, "all", "all")], k), True)
        for k in ("recovery", "reliable_improvement", "paired", "seen_within_6_weeks")
    }
    first = pd.to_datetime(referrals["referred_on"]).min()
    last = pd.to_datetime(referrals["referred_on"]).max()
    all_tables = tables + by + [cm_table, completeness] + ([work_tab] if work_tab else [])
    template = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
        resources.files("forlop.outcomes").joinpath("report.html.j2").read_text(encoding="utf-8")
    )
    figures = (1 if funnel else 0) + sum(s["panels"] for s in sections)
    page = template.render(
        lang=lang,
        t=lambda key, **v: t(key, lang, **v),
        plotly_js=get_plotlyjs(),
        symbol=SYMBOL,
        period=t(
            "outcomes.report.period",
            lang,
            first=first.date().isoformat(),
            last=last.date().isoformat(),
            services=len(services),
        ),
        generated=dt.date.today().isoformat(),
        service=service,
        headline=headline,
        access=tables[:2],
        outcomes=tables[2],
        by=by,
        casemix=cm_table,
        funnel=funnel,
        charts=sections,
        hidden_months=hidden_months,
        work=work_tab,
        completeness=completeness,
        min_cases=definitions()["min_finished_cases"],
        source=cite("003", lang),
        references=references({"003"}, lang),
    )
    html = Path(html)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(page, encoding="utf-8")
    hidden = sum(tb["hidden"] for tb in all_tables)
    out_xlsx = None
    if xlsx is not None:
        out_xlsx = write_excel(Path(xlsx), all_tables, pub)
    return ReportResult(
        html=html,
        xlsx=out_xlsx,
        tables=len(all_tables),
        figures=figures,
        hidden_cells=hidden,
        seconds=time.perf_counter() - started,
    )


def write_excel(path: Path, tables: list[dict], pub: pd.DataFrame) -> Path:
    """The report's tables, one sheet each, plus the published long table (hidden numbers blank)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for table in tables:
            frame = pd.DataFrame([[r["label"], *r["cells"]] for r in table["rows"]], columns=table["header"])
            frame.to_excel(writer, sheet_name=table["id"][:31], index=False)
        pub.drop(
            columns=[
                c
                for c in pub.columns
                if c
                not in [
                    "indicator",
                    "breakdown",
                    "group",
                    "numerator",
                    "denominator",
                    "value",
                    "ci_low",
                    "ci_high",
                    "unit",
                    "hidden",
                ]
            ]
        ).to_excel(writer, sheet_name="outcomes", index=False)
    return path
