"""The report's figures (plotly), built from the spec and the engine's indicators.

Every figure returns the plotly figure *and* a :class:`PublishedTable` of the numbers it draws
(the HTML shows it under "Tall i figuren", Excel gets one sheet per figure). Hidden numbers
(:class:`forlop.report.publish.Publisher`) are not drawn; a figure with nothing left to draw is
returned as None so that the report never shows an empty plot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from forlop.i18n import format_number, t
from forlop.stats import classify, funnel_limits
from forlop.report.publish import Publisher
from forlop.report.spec import geography_order, group_labels, text
from forlop.report.tables import PublishedTable

PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#a5a5a5", "#bf9000",
           "#843c0c", "#385723", "#002060"]
FONT = dict(family="Arial, Helvetica, sans-serif", size=12)


def _layout(fig: go.Figure, y_title: str = "", height: int = 380, **extra: object) -> go.Figure:
    extra.setdefault("legend", dict(orientation="h", yanchor="top", y=-0.12))
    fig.update_layout(template="plotly_white", font=FONT, height=height, margin=dict(l=60, r=20, t=30, b=40),
                      yaxis_title=y_title, colorway=PALETTE, **extra)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _series(item: dict, spec: dict, lang: str) -> list[tuple[str, str, str]]:
    """(breakdown, group, label) of the series of a figure."""
    raw = item.get("series", "selected_groups")
    labels = group_labels(lang)
    if raw == "selected_groups":
        raw = spec["selected_groups"]
    out = []
    for s in raw:
        if isinstance(s, str):
            b = "all" if s == "all" else "diagnosis_group"
            out.append((b, s, labels.get((b, s), s)))
        else:
            out.append((s["breakdown"], s["group"], text(s, lang)))
    return out


def _scale(show: str) -> float:
    return 100.0 if show == "pct" else 1.0


def _data_table(item: dict, lang: str, header: list[str], rows: list[list[float | None]], labels: list[str],
                symbol: str, decimals: int = 0, blank: set[tuple[int, int]] | None = None,
                definition: str = "") -> PublishedTable:
    """The figure's numbers as a table. ``blank``: (row, column) positions the figure does not
    publish by design (left empty, not counted as suppressed); every other missing number is a
    suppressed one and shows ``symbol``."""
    blank = blank or set()
    cells = [[label] + ["" if (i, j) in blank else format_number(v, decimals, lang, symbol) for j, v in enumerate(nums)]
             for i, (label, nums) in enumerate(zip(labels, rows))]
    hidden = sum(v is None and (i, j) not in blank for i, r in enumerate(rows) for j, v in enumerate(r))
    return PublishedTable(
        id=item["id"], title=text(item, lang), source=item["source"], definition=definition,
        headers=[[(h, 1) for h in header]], rows=cells, numbers=rows, kinds=["data"] * len(rows), hidden=hidden)


def _x_items(item: dict, lang: str) -> list[tuple[str, str]]:
    """(indicator, label) of the x positions of a bar figure."""
    out = []
    for x in item["x"]:
        indicator = x.get("indicator") or item["x_indicator"].format(service=x["service"])
        out.append((indicator, text(x, lang)))
    return out


def bars(item: dict, pub: Publisher, spec: dict, lang: str):  # noqa: ANN201
    """Grouped bars: x = services/indicators (or the groups of a breakdown), one bar per series."""
    show = item.get("show", "pct")
    scale = _scale(show)
    fig = go.Figure()
    if "x_breakdown" in item:  # e.g. figure 1: the groups of one breakdown, one series
        b = item["x_breakdown"]
        labels = group_labels(lang)
        groups = [g for g in pub.results.groups(item["indicator"], b) if g != "missing"]
        values = [pub.value(item["indicator"], b, g) for g in groups]
        shown = [None if v is None else v * scale for v in values]
        names = [labels.get((b, g), g) for g in groups]
        fig.add_bar(x=names, y=shown, text=[format_number(v, 0, lang, pub.symbol) for v in shown], textposition="outside",
                    hovertemplate="%{x}: %{y:.1f}<extra></extra>", marker_color=PALETTE[0])
        data = _data_table(item, lang, ["", "%" if show == "pct" else ""], [[v] for v in shown], names, pub.symbol)
        drawn = any(v is not None for v in shown)
        return (_layout(fig, "%" if show == "pct" else "") if drawn else None), data
    xs = _x_items(item, lang)
    series = _series(item, spec, lang)
    table_rows = []
    drawn = False
    for k, (b, g, label) in enumerate(series):
        values = [pub.value(ind, b, g) for ind, _ in xs]
        shown = [None if v is None else v * scale for v in values]
        drawn |= any(v is not None for v in shown)
        table_rows.append(shown)
        fig.add_bar(name=label, x=[x for _, x in xs], y=shown, marker_color=PALETTE[k % len(PALETTE)],
                    text=[format_number(v, 0, lang, pub.symbol) for v in shown], textposition="outside",
                    hovertemplate=f"{label}<br>%{{x}}: %{{y:.1f}}<extra></extra>")
    data = _data_table(item, lang, [""] + [x for _, x in xs], table_rows, [s[2] for s in series], pub.symbol)
    y_title = text(item.get("y_title"), lang) or ("%" if show == "pct" else "")
    return (_layout(fig, y_title, barmode="group") if drawn else None), data


def stack(item: dict, pub: Publisher, spec: dict, lang: str):  # noqa: ANN201
    """Horizontal 100% stacked bars: one bar per series, one segment per category.

    Hidden segments are not drawn one by one: what they add up to (100 minus the segments shown,
    which a reader can work out anyway) is drawn as one grey segment marked with the symbol. The
    rest of a partition with ``other`` (combinations not listed) is drawn only when no segment of
    its bar is hidden and it is not built on 1-4 patients."""
    series = _series(item, spec, lang)
    cats = item["categories"]
    fig = go.Figure()
    matrix = []
    for b, g, _ in series:
        row = []
        for c in cats:
            v = pub.value(c["indicator"], b, g)
            row.append(None if v is None else (1 - v if c.get("complement") else v) * 100)
        matrix.append(row)
    names = [text(c, lang) for c in cats]
    if "other" in item:  # the rest (e.g. first contact with combinations not listed)
        for (b, g, _), row in zip(series, matrix):
            row.append(None if any(v is None for v in row) or _small_rest(item, pub, b, g)
                       else max(0.0, 100 - sum(v for v in row if v is not None)))
        names.append(text(item["other"], lang))
    y = [s[2] for s in series]
    if len(series) == 1:  # one bar of many thin segments does not read: one bar per category
        return _category_bars(item, pub, lang, names, matrix[0], y[0])
    for k, name in enumerate(names):
        col = [row[k] for row in matrix]
        fig.add_bar(name=name, y=y, x=col, orientation="h", marker_color=PALETTE[k % len(PALETTE)],
                    text=[format_number(v, 0, lang, pub.symbol) for v in col], textposition="inside",
                    hovertemplate=f"{name}<br>%{{y}}: %{{x:.1f}} %<extra></extra>")
    hidden_sum = [None if all(v is not None for v in row) else max(0.0, 100 - sum(v for v in row if v is not None))
                  for row in matrix]
    if any(v is not None for v in hidden_sum):
        hidden_name = t("report.hidden_segment", lang, symbol=pub.symbol)
        fig.add_bar(name=hidden_name, y=y, x=hidden_sum, orientation="h",
                    marker=dict(color="#e7e6e6", pattern=dict(shape="/", fgcolor="#a5a5a5")),
                    text=[pub.symbol if v is not None else "" for v in hidden_sum], textposition="inside",
                    hovertemplate=f"{hidden_name}<br>%{{y}}<extra></extra>")
    drawn = any(v is not None for row in matrix for v in row)
    data = _data_table(item, lang, [""] + names, matrix, y, pub.symbol)
    height = max(260, 60 + 45 * len(series))
    return (_layout(fig, "", height=height, barmode="stack", xaxis_title="%",
                    legend=dict(orientation="h", yanchor="bottom", y=1.02, traceorder="normal")) if drawn else None), data


def _category_bars(item: dict, pub: Publisher, lang: str, names: list[str], row: list[float | None],
                   series_label: str):  # noqa: ANN202
    """The categories of a one-series partition as horizontal bars, in the spec's order."""
    fig = go.Figure()
    fig.add_bar(y=names, x=row, orientation="h", marker_color=PALETTE[0], name=series_label,
                text=[format_number(v, 0, lang, pub.symbol) for v in row], textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{x:.1f} %<extra></extra>")
    drawn = any(v is not None for v in row)
    data = _data_table(item, lang, [""] + names, [row], [series_label], pub.symbol)
    fig = _layout(fig, "", height=max(300, 60 + 32 * len(names)), xaxis_title="%", showlegend=False)
    fig.update_yaxes(autorange="reversed")
    return (fig if drawn else None), data


def _small_rest(item: dict, pub: Publisher, b: str, g: str) -> bool:
    """True if the 'other' segment of a partition rests on 1-4 patients (or cannot be counted)."""
    part = item.get("partition")
    if part is None:
        return False
    total_row = pub.results.get(part["indicator"], b, g)
    if total_row is None:
        return True
    counts = [pub.results.get(c["indicator"], b, g) for c in item["categories"]]
    if any(c is None for c in counts):
        return True
    rest = float(getattr(total_row, part.get("field", "numerator"))) - sum(float(c.numerator) for c in counts)
    return bool(1 <= rest <= 4)


def curve(item: dict, pub: Publisher, spec: dict, lang: str):  # noqa: ANN201
    """Lines over days (cumulative share) or months (share per month)."""
    xs = item["x_values"]
    fig = go.Figure()
    rows, labels = [], []
    for k, line in enumerate(item["lines"]):
        b, g = line.get("breakdown", "all"), line.get("group", "all")
        pattern = item["point_indicator"]
        values = []
        for x in xs:
            indicator = pattern.format(service=line.get("service", ""), x=x)
            v = pub.value(indicator, b, g)
            values.append(None if v is None else v * 100)
        label = text(line, lang)
        rows.append(values)
        labels.append(label)
        fig.add_scatter(name=label, x=xs, y=values, mode="lines+markers", line=dict(color=PALETTE[k % len(PALETTE)]),
                        hovertemplate=f"{label}<br>%{{x}}: %{{y:.1f}} %<extra></extra>")
    drawn = any(v is not None for r in rows for v in r)
    data = _data_table(item, lang, [""] + [str(x) for x in xs], rows, labels, pub.symbol)
    fig.update_xaxes(title=text(item.get("x_title"), lang), tickmode="array", tickvals=xs)
    return (_layout(fig, "%", yaxis_range=[0, 100]) if drawn else None), data


def box(item: dict, pub: Publisher, spec: dict, lang: str):  # noqa: ANN201
    """Box plots from quartiles: box = 25th-75th percentile, line = median, whisker to the 95th (001 fig. 16)."""
    prefix = item["prefix"]
    fig = go.Figure()
    rows, labels = [], []
    for k, (b, g, label) in enumerate(_series(item, spec, lang)):
        q = [pub.value(f"{prefix}_{s}", b, g) for s in ("p25", "median", "p75", "p95")]
        rows.append(q)
        labels.append(label)
        if any(v is None for v in q):
            continue
        fig.add_trace(go.Box(name=label, x=[label], q1=[q[0]], median=[q[1]], q3=[q[2]], lowerfence=[q[0]],
                             upperfence=[q[3]],
                             marker_color=PALETTE[k % len(PALETTE)], hoverinfo="y+name"))
    header = ["", "P25", "Median", "P75", "P95"]
    data = _data_table(item, lang, header, rows, labels, pub.symbol)
    drawn = len(fig.data) > 0
    return (_layout(fig, t("report.label.days", lang), showlegend=False) if drawn else None), data


def _geo_units(pub: Publisher, lang: str) -> list[tuple[str, str, str, str]]:
    """(breakdown, group, label, region) of regions then health communities, in 001 order."""
    regions, hcs = geography_order()
    labels = group_labels(lang)
    units = [("region", r, labels.get(("region", r), r), r) for r in regions]
    units += [("health_community", h, h, r) for h, r in hcs]
    return units


def geo(item: dict, pub: Publisher, spec: dict, lang: str, highlight: str | None = None):  # noqa: ANN201
    """Bars per region and health community with the national line (001 chapter 8)."""
    indicator, show = item["indicator"], item.get("show", "pct")
    scale = _scale(show)
    units = _geo_units(pub, lang)
    values = [pub.value(indicator, b, g) for b, g, _, _ in units]
    shown = [None if v is None else v * scale for v in values]
    decimals = item.get("decimals", _decimals_for(pub, indicator, show))
    national = pub.value(indicator, "all", "all")
    national = None if national is None else national * scale
    x = [label for _, _, label, _ in units]
    colors = [("#1f4e79" if b == "region" else "#9dc3e6") for b, _, _, _ in units]
    line_w = [3 if (highlight and g == highlight) else 0 for _, g, _, _ in units]
    fig = go.Figure()
    fig.add_bar(name=t("report.label.all_patients", lang), x=x, y=shown,
                marker=dict(color=colors, line=dict(color="#c00000", width=line_w)),
                customdata=[g for _, g, _, _ in units],
                text=[format_number(v, decimals, lang, pub.symbol) for v in shown], textposition="outside",
                hovertemplate="%{x}: %{y:.1f}<extra></extra>")
    rows = [shown]
    row_labels = [t("report.label.all_patients", lang)]
    if item.get("by_diagnosis"):
        labels = group_labels(lang)
        symbols = ["circle", "diamond", "square", "triangle-up", "x"]
        for k, dx in enumerate([g for g in spec["selected_groups"] if g != "all"]):
            ys = [pub.value(indicator, f"{b}_x_diagnosis_group", f"{g}|{dx}") if b == "region" else None
                  for b, g, _, _ in units]
            ys = [None if v is None else v * scale for v in ys]
            rows.append(ys)
            row_labels.append(labels[("diagnosis_group", dx)])
            if any(v is not None for v in ys):
                fig.add_scatter(name=labels[("diagnosis_group", dx)], x=x, y=ys, mode="markers",
                                marker=dict(symbol=symbols[k % 5], size=9, color=PALETTE[(k + 1) % len(PALETTE)]),
                                hovertemplate=f"{labels[('diagnosis_group', dx)]}<br>%{{x}}: %{{y:.1f}}<extra></extra>")
    if national is not None:
        _national_line(fig, national, t("report.national", lang) + " " + format_number(national, decimals, lang, ""))
    drawn = any(v is not None for v in shown)
    # 001 figures 27-41 show the diagnosis groups per region only; per health community they are
    # not published (empty, not "suppressed").
    blank = {(r, c) for r in range(1, len(rows)) for c, (b, _, _, _) in enumerate(units) if b != "region"}
    data = _data_table(item, lang, [""] + x, rows, row_labels, pub.symbol, decimals, blank=blank,
                       definition=t("report.dx_by_region_only", lang) if blank else "")
    data.headers = [[("", 1)] + [(v, 1) for v in x]]
    y_title = "%" if show == "pct" else ""
    fig = _layout(fig, y_title, height=500, barmode="overlay", legend=dict(orientation="h", yanchor="bottom", y=1.02))
    fig.update_layout(margin=dict(r=90))
    fig.update_xaxes(tickangle=-45)
    return (fig if drawn else None), data


def _decimals_for(pub: Publisher, indicator: str, show: str) -> int:
    """Decimals of a geography figure (docs/definitions.md "Rounding", as 001): rates per 10 000 one
    decimal; shares, means and medians whole numbers (a figure can ask for more: ``decimals`` in the
    spec, e.g. 001 figures 39-40)."""
    row = pub.results.get(indicator, "all", "all")
    return 1 if show != "pct" and row is not None and row.unit == "rate_per_10000" else 0


def _national_line(fig: go.Figure, y: float, label: str) -> None:
    """The national level as a dashed line, labelled to the right of the plot (clear of the bars)."""
    fig.add_hline(y=y, line=dict(color="#c00000", dash="dash"))
    fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=y, yref="y", text=label, showarrow=False,
                       font=dict(color="#c00000"))


def geo_stack(item: dict, pub: Publisher, spec: dict, lang: str):  # noqa: ANN201
    """001 figure 24: the diagnosis mix per region and health community (stacked shares)."""
    units = _geo_units(pub, lang)
    labels = group_labels(lang)
    dxs = [g for g in spec["selected_groups"] if g != "all"]
    x = [u[2] for u in units]
    fig = go.Figure()
    rows, names = [], []
    for k, dx in enumerate(dxs):
        ys = [pub.value("patients_share", f"{b}_x_diagnosis_group", f"{g}|{dx}") for b, g, _, _ in units]
        ys = [None if v is None else v * 100 for v in ys]
        rows.append(ys)
        names.append(labels[("diagnosis_group", dx)])
        fig.add_bar(name=names[-1], x=x, y=ys, marker_color=PALETTE[k % len(PALETTE)],
                    customdata=[g for _, g, _, _ in units],
                    hovertemplate=f"{names[-1]}<br>%{{x}}: %{{y:.1f}} %<extra></extra>")
    rest = [None if any(r[i] is None for r in rows) else max(0.0, 100 - sum(v for r in rows if (v := r[i]) is not None))
            for i in range(len(x))]
    rows.append(rest)
    names.append(t("report.label.other_diagnoses", lang))
    fig.add_bar(name=names[-1], x=x, y=rest, marker_color="#d9d9d9", hovertemplate="%{x}: %{y:.1f} %<extra></extra>")
    drawn = any(v is not None for r in rows for v in r)
    data = _data_table(item, lang, [""] + x, rows, names, pub.symbol)
    fig = _layout(fig, "%", height=520, barmode="stack", legend=dict(orientation="h", yanchor="bottom", y=1.02))
    fig.update_xaxes(tickangle=-45)
    return (fig if drawn else None), data


def funnel(indicator: str, label: str, item: dict, pub: Publisher, lang: str, k: int,
           highlight: str | None = None):  # noqa: ANN201
    """Funnel plot of one share indicator over health communities (Spiegelhalter 2005)."""
    national = pub.results.get(indicator, "all", "all")
    if national is None or not national.denominator:
        return None, None
    p0 = float(national.numerator) / float(national.denominator)
    _, hcs = geography_order()
    pts = []
    for hc, _region in hcs:
        row = pub.results.get(indicator, "health_community", hc)
        # The point's x is its denominator: left out where that count may not be published.
        if (row is None or pub.hidden(indicator, "health_community", hc)
                or pub.denominator_hidden(indicator, "health_community", hc)):
            continue
        pts.append((hc, float(row.numerator), float(row.denominator)))
    title = text(item, lang).replace("{k}", str(k)).replace("{label}", label)
    sub = dict(item, id=f"funnel_{indicator}", nb=title, en=title)
    if not pts:
        return None, _data_table(sub, lang, ["", "n", "%"], [], [], pub.symbol)
    frame = pd.DataFrame(pts, columns=["hc", "y", "n"])
    frame["where"] = classify(frame["y"], frame["n"], p0)
    limits = funnel_limits(p0, int(frame["n"].max() * 1.2) + 5)
    fig = go.Figure()
    for name, dash, decimals in (("95", "dash", 0), ("99.8", "dot", 1)):
        for side in ("lo", "hi"):
            fig.add_scatter(x=limits["n"], y=limits[f"{side}{name}"] * 100, mode="lines", hoverinfo="skip",
                            line=dict(color="#7f7f7f", dash=dash, width=1), showlegend=side == "lo",
                            name=t("report.label.funnel_limit", lang, limit=format_number(float(name), decimals, lang, "")))
    _national_line(fig, p0 * 100, t("report.national", lang) + " " + format_number(p0 * 100, 0, lang, ""))
    colors = {"inside": "#1f4e79", "above95": "#c55a11", "below95": "#c55a11", "above99.8": "#c00000", "below99.8": "#c00000"}
    fig.add_scatter(x=frame["n"], y=frame["y"] / frame["n"] * 100, mode="markers", name=t("report.label.health_community", lang),
                    marker=dict(size=[14 if h == highlight else 9 for h in frame["hc"]],
                                color=[colors.get(w, "#1f4e79") for w in frame["where"]],
                                line=dict(color="#000", width=[2 if h == highlight else 0 for h in frame["hc"]])),
                    customdata=frame["hc"], text=frame["hc"],
                    hovertemplate="%{text}<br>n = %{x}<br>%{y:.1f} %<extra></extra>")
    fig = _layout(fig, "%", xaxis_title=t("report.label.funnel_denominator", lang))
    fig.update_layout(margin=dict(r=90))
    where_label = {"inside": t("report.label.funnel_inside", lang),
                   "above95": t("report.label.funnel_above_95", lang), "below95": t("report.label.funnel_below_95", lang),
                   "above99.8": t("report.label.funnel_above_99_8", lang),
                   "below99.8": t("report.label.funnel_below_99_8", lang)}
    rows = [[r.n, r.y / r.n * 100] for r in frame.itertuples()]
    data = _data_table(sub, lang, ["", "n", "%"], rows, [f"{r.hc} ({where_label[r.where]})" for r in frame.itertuples()],
                       pub.symbol)
    return fig, data


def rate_figure(table: pd.DataFrame, lang: str):  # noqa: ANN201
    """Standardised rates with 95% CIs per health community, national rate as a line."""
    hcs = table[table["level"] == "health_community"]
    hcs = hcs[hcs["rate"].notna()]
    order = {h: k for k, (h, _) in enumerate(geography_order()[1])}  # 001 order, as in figure 2
    hcs = hcs.sort_values("name", key=lambda names: names.map(order))
    if hcs.empty:
        return None
    fig = go.Figure()
    fig.add_scatter(x=hcs["name"], y=hcs["rate"], mode="markers", name=t("report.label.standardised_rate", lang),
                    error_y=dict(type="data", symmetric=False, array=hcs["rate_high"] - hcs["rate"],
                                 arrayminus=hcs["rate"] - hcs["rate_low"]),
                    customdata=hcs["name"], marker=dict(size=9, color="#1f4e79"),
                    hovertemplate="%{x}: %{y:.1f}<extra></extra>")
    fig.add_scatter(x=hcs["name"], y=hcs["crude"], mode="markers", name=t("report.label.crude_rate", lang),
                    marker=dict(symbol="x", size=8, color="#c55a11"), hovertemplate="%{x}: %{y:.1f}<extra></extra>")
    national = table[table["level"] == "all"]
    if not national.empty and np.isfinite(national["crude"].iloc[0]):
        crude = float(national["crude"].iloc[0])
        _national_line(fig, crude, t("report.national", lang) + " " + format_number(crude, 1, lang, ""))
    fig = _layout(fig, "Per 10 000", height=440, legend=dict(orientation="h", yanchor="bottom", y=1.02))
    fig.update_layout(margin=dict(r=90))
    fig.update_xaxes(tickangle=-45)
    return fig
