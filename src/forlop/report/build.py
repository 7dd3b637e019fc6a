"""``forlop report``: from the pathway engine's outputs to one self-contained HTML file (+ Excel).

Order and wording follow the report spec (report_spec.yaml = 001 chapters 4-8 and table A). The
HTML inlines plotly.js once and makes no network request (DESIGN.md, common.md); every table and
figure passes through the same small-cell suppression (:mod:`forlop.report.publish`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from forlop.citations import cite, cite_text, references
from forlop.html import ReportResult as PageResult
from forlop.html import render
from forlop.i18n import format_number, t
from forlop.pathways import catalogue
from forlop.progress import say
from forlop.report import figures
from forlop.report.community import check_community, community_section
from forlop.report.data import read_results
from forlop.report.excel import write_workbook
from forlop.report.geography import rates_table
from forlop.report.joint import Key, partition_extra, settle
from forlop.report.publish import Publisher
from forlop.report.spec import geography_order, load_spec, text, with_citations, with_years
from forlop.report.tables import PublishedTable, build_compare, build_flow, build_geo_table, build_table
from forlop.report.usage import published_breakdowns

PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


@dataclass
class ReportResult(PageResult):
    """What was written, and which 001 tables and figures are in it."""

    included: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)


def _figure_html(fig: go.Figure, div_id: str) -> str:
    height = int(fig.layout.height or 400)  # the plot's div is "plot-<id>"; "<id>" is its <figure>
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"plot-{div_id}",
        config=PLOT_CONFIG,
        default_height=f"{height}px",
        default_width="100%",
    )


def build_report(
    results: Path,
    html: Path,
    xlsx: Path | None = None,
    lang: str = "nb",
    health_community: str | None = None,
    data: Path | None = None,
    symbol: str = "–",
    year: int | None = None,
    progress: bool = False,
    encoding: str = "utf-8",
) -> ReportResult:
    """Write the report of ``results`` (a ``forlop pathways --out`` directory) to ``html`` (and ``xlsx``).

    ``year`` is the population year of the rates (default: the cohort year); the captions' years
    are the cohort year of ``results`` (:func:`forlop.report.spec.with_years`); ``encoding``: of the
    extract's CSV files in ``data``.
    """
    started = time.perf_counter()
    if health_community:
        check_community(health_community, lang)
    say(t("report.reading", lang, path=results), progress)
    res = read_results(Path(results), Path(data) if data else None, year, lang=lang, encoding=encoding)
    if res.cohort_year is None:  # pragma: no cover - read_results always reads it (pathways_run.json)
        raise RuntimeError(f"{results}: no cohort year")
    spec = with_years(load_spec(), res.cohort_year, res.population_year)
    # Sources: the subtitle names the publication in full (first mention), every other citation in the
    # short form; the page ends with the list of the sources cited (forlop.citations).
    cited: set[str] = set()
    subtitle = cite_text(text(spec["subtitle"], lang), lang, full=True, used=cited)
    spec = with_citations(spec, lang, cited)
    pub = Publisher(res, symbol=symbol, published=published_breakdowns(spec))
    pub.selected = {g for g in spec["selected_groups"] if g != "all"}
    say(t("report.suppressing", lang), progress)
    _joint_suppression(spec, pub, lang)
    out = ReportResult(html=Path(html), xlsx=Path(xlsx) if xlsx else None)
    sections = []
    published: list[PublishedTable] = []

    if health_community:
        table, fig, fig_title = community_section(health_community, spec, pub, lang)
        blocks = [{"kind": "table", "id": "community", "table": table}]
        published.append(table)
        out.tables += 1
        out.hidden_cells += table.hidden
        if fig is not None:
            out.figures += 1
            blocks.append(
                {
                    "kind": "figure",
                    "id": "community_fig",
                    "title": fig_title,
                    "source": cite("001 kapittel 8", lang),
                    "html": _figure_html(fig, "community_fig"),
                    "data": None,
                }
            )
        sections.append({"id": "community-section", "title": health_community, "intro": "", "blocks": blocks})

    for section in spec["sections"]:
        say(t("report.section", lang, section=text(section, lang)), progress)
        blocks = []
        for item in section["items"]:
            block = _build_item(item, spec, pub, lang, health_community)
            for b in block:
                if b["kind"] == "table":
                    published.append(b["table"])
                    out.tables += 1
                    out.hidden_cells += b["table"].hidden
                elif b["kind"] == "figure":
                    out.figures += 1
                    if b.get("data") is not None:
                        published.append(b["data"])
                        out.hidden_cells += b["data"].hidden
                else:
                    out.missing.append((b["title"], b["reason"]))
                if b["kind"] in ("table", "figure"):
                    out.included.append(b["label"])
            blocks.extend(block)
        sections.append(
            {
                "id": section["id"],
                "title": text(section, lang),
                "intro": text(section.get("intro"), lang),
                "blocks": blocks,
            }
        )

    excluded = [{"what": text(x["what"], lang), "why": text(x["why"], lang)} for x in spec.get("not_included", [])]
    excluded += [{"what": what, "why": why} for what, why in out.missing]
    closing = {
        "title": t("report.closing_title", lang),
        "included_label": t("report.closing_included", lang),
        "excluded_label": t("report.closing_excluded", lang),
        "included": out.included,
        "excluded": excluded,
        "sources_label": t("report.closing_sources", lang),
        "sources": references(cited, lang),
    }
    _, hcs = geography_order()
    title = text(spec["title"], lang) + (f" – {health_community}" if health_community else "")
    page = render(
        "forlop.report",
        "templates/report.html.j2",
        lang=lang,
        title=title,
        subtitle=subtitle,
        meta=t("report.meta", lang, date=date.today().isoformat(), patients=_patients(pub, lang)),
        suppression_note=text(spec["suppression_note"], lang).replace("{symbol}", symbol),
        filter_label=t("report.filter", lang),
        toc_label=t("report.toc", lang),
        source_label=t("report.source", lang),
        data_label=t("report.figure_data", lang),
        communities=[h for h, _ in hcs],
        highlight=health_community or "",
        sections=sections,
        closing=closing,
        plotly_js=get_plotlyjs(),
    )
    out.html.parent.mkdir(parents=True, exist_ok=True)
    out.html.write_text(page, encoding="utf-8")
    if out.xlsx is not None:
        say(t("report.excel", lang, path=out.xlsx), progress)
        write_workbook(
            published,
            out.xlsx,
            text(spec["source"], lang),
            text(spec["suppression_note"], lang).replace("{symbol}", symbol),
            symbol,
            lang,
            sources=references(cited, lang),
        )
    out.seconds = time.perf_counter() - started
    return out


def _joint_suppression(spec: dict, pub: Publisher, lang: str) -> None:
    """Suppression across indicators, until it settles (:mod:`forlop.report.joint`).

    Table A is suppressed as a two-way table (its extra hidden cells hold for figure 24 and the
    rest of the report too); figures whose categories split a published total (``partition`` in
    the spec: 001 figures 4, 14, 18, 19) get the same treatment per bar."""
    items = [i for s in spec["sections"] for i in s["items"]]

    def geo_keys(item: dict) -> dict[str, set[Key]]:
        return {"patients": build_geo_table(item, pub, lang).hidden_keys}

    sources: list[Callable[[], dict[str, set[Key]]]] = [
        partial(geo_keys, item) for item in items if item["kind"] == "geo_table"
    ]
    sources += [partial(partition_extra, item, spec, pub) for item in items if "partition" in item]
    settle(pub, sources)


def _patients(pub: Publisher, lang: str) -> str:

    return format_number(pub.value("patients", "all", "all"), 0, lang, pub.symbol)


def _build_item(item: dict, spec: dict, pub: Publisher, lang: str, highlight: str | None) -> list[dict]:
    """The blocks (table, figure or a 'not available' note) of one spec item."""
    kind = item["kind"]
    caption = text(item, lang)
    short = caption if len(caption) <= 110 else caption[:110].rsplit(" ", 1)[0] + " …"
    label = short if short.startswith(("Tabell", "Figur", "Table", "Figure")) else f"{item['source']}: {short}"
    missing_reason = t("report.no_numbers", lang)
    if kind in ("table", "compare", "flow", "geo_table"):
        if kind == "table":
            table = build_table(item, pub, lang)
        elif kind == "compare":
            table = build_compare(item, pub, lang)
        elif kind == "flow":
            table = build_flow(item, pub, lang, spec["flow_steps"])
        else:
            table = build_geo_table(item, pub, lang)
        if not table.rows or all(v is None for r in table.numbers for v in r):
            return [{"kind": "missing", "id": item["id"], "title": text(item, lang), "reason": missing_reason}]
        return [{"kind": "table", "id": item["id"], "table": table, "label": label}]
    if kind == "rates":
        rates, frames = rates_table(item, pub, lang)
        if rates is None:
            return [
                {
                    "kind": "missing",
                    "id": item["id"],
                    "title": text(item, lang),
                    "reason": t("report.no_population", lang),
                }
            ]
        blocks = [{"kind": "table", "id": item["id"], "table": rates, "label": label}]
        first_name, first = next(iter(frames.items()))
        fig = figures.rate_figure(first, lang)
        if fig is not None:
            title = t("report.rate_figure", lang, measure=first_name, year=pub.results.population_year)
            blocks.append(
                {
                    "kind": "figure",
                    "id": f"{item['id']}_fig",
                    "title": title,
                    "source": item["source"],
                    "html": _figure_html(fig, f"{item['id']}_fig"),
                    "data": None,
                    "label": title,
                }
            )
        return blocks
    if kind == "funnel":
        blocks = []
        catalogue_labels = _catalogue_labels(lang)
        for k, indicator in enumerate(item["indicators"], start=1):
            fig, data = figures.funnel(
                indicator, catalogue_labels.get(indicator, indicator), item, pub, lang, k, highlight
            )
            title = (
                text(item, lang).replace("{k}", str(k)).replace("{label}", catalogue_labels.get(indicator, indicator))
            )
            if fig is None:
                blocks.append(
                    {"kind": "missing", "id": f"funnel_{indicator}", "title": title, "reason": missing_reason}
                )
                continue
            blocks.append(
                {
                    "kind": "figure",
                    "id": f"funnel_{indicator}",
                    "title": title,
                    "source": item["source"],
                    "html": _figure_html(fig, f"funnel_{indicator}"),
                    "data": data,
                    "label": title,
                }
            )
        return blocks
    builder = {
        "bars": figures.bars,
        "stack": figures.stack,
        "curve": figures.curve,
        "box": figures.box,
        "geo_stack": figures.geo_stack,
    }.get(kind)
    if kind == "geo":
        fig, data = figures.geo(item, pub, spec, lang, highlight)
    elif builder is not None:
        fig, data = builder(item, pub, spec, lang)
    else:
        raise ValueError(f"report_spec.yaml: unknown kind {kind!r} in item {item['id']}")
    if fig is None:
        return [{"kind": "missing", "id": item["id"], "title": text(item, lang), "reason": missing_reason}]
    return [
        {
            "kind": "figure",
            "id": item["id"],
            "title": text(item, lang),
            "source": item["source"],
            "html": _figure_html(fig, item["id"]),
            "data": data,
            "label": label,
        }
    ]


def _catalogue_labels(lang: str) -> dict[str, str]:
    return {i["id"]: i.get(f"label_{lang}") or i["label_nb"] for i in catalogue()["indicators"]}
