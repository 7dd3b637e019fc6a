"""A health community's own report page (issue 4 item 2): its numbers beside its region and Norway.

The indicators are those of 001 chapter 8 (the ``geo`` items of the report spec); each is shown
for the health community, its region and the country, with the same suppression as everywhere
else in the report.
"""

from __future__ import annotations

import plotly.graph_objects as go

from forlop.citations import cite
from forlop.errors import InputError
from forlop.i18n import format_number, t
from forlop.report.figures import PALETTE, _layout
from forlop.report.publish import QUANTILE_UNITS, Publisher, region_of
from forlop.report.spec import group_labels, text
from forlop.report.tables import PublishedTable


def check_community(name: str, lang: str | None = None) -> str:
    """The region of health community ``name``; an unknown name is an InputError listing the names."""
    regions = region_of()
    if name not in regions:
        raise InputError("--health-community", t("report.unknown_community", lang, name=name),
                         example=", ".join(sorted(regions)))
    return regions[name]


def community_section(name: str, spec: dict, pub: Publisher, lang: str):  # noqa: ANN201
    """(table, share figure, figure data) comparing ``name`` with its region and the country."""
    region = check_community(name, lang)
    labels = group_labels(lang)
    region_label = labels.get(("region", region), region)
    country = t("report.label.whole_country", lang)
    geo_items = [i for s in spec["sections"] for i in s["items"] if i["kind"] == "geo"]
    rows, numbers, kinds = [], [], []
    shares: list[tuple[str, list[float | None]]] = []
    for item in geo_items:
        show = item.get("show", "pct")
        scale = 100.0 if show == "pct" else 1.0
        keys = [("health_community", name), ("region", region), ("all", "all")]
        values = [pub.value(item["indicator"], b, g) for b, g in keys]
        values = [None if v is None else v * scale for v in values]
        label = text(item, lang).split(". ", 1)[-1].split(" etter utskrivning")[0].split(" after discharge")[0]
        label = f"{label} ({item['source'].split()[-1]})"
        national = pub.results.get(item["indicator"], "all", "all")
        whole_days = national is not None and national.unit in QUANTILE_UNITS  # medians of days: whole numbers
        decimals = 0 if show == "pct" or whole_days else 1
        rows.append([label] + [format_number(v, decimals, lang, pub.symbol) for v in values])
        numbers.append(values)
        kinds.append("data")
        if show == "pct":
            shares.append((label, values))
    title = t("report.label.community_table", lang, name=name, region=region_label)
    table = PublishedTable(id="community", title=title, source=cite("001 kapittel 8", lang), definition="",
                           headers=[[("", 1), (name, 1), (region_label, 1), (country, 1)]],
                           rows=rows, numbers=numbers, kinds=kinds,
                           hidden=sum(v is None for r in numbers for v in r))
    fig = go.Figure()
    for k, who in enumerate([name, region_label, country]):
        fig.add_bar(name=who, y=[label for label, _ in shares], x=[vals[k] for _, vals in shares], orientation="h",
                    marker_color=PALETTE[k], hovertemplate=f"{who}<br>%{{y}}: %{{x:.1f}} %<extra></extra>")
    drawn = any(v is not None for _, vals in shares for v in vals)
    fig = _layout(fig, "", height=120 + 60 * len(shares), barmode="group", xaxis_title="%")
    fig.update_yaxes(autorange="reversed")
    figure_title = t("report.label.community_figure", lang, name=name, region=region_label)
    return table, (fig if drawn else None), figure_title
