"""The survey report: 002's chapters, tables and figures from the OUT files of `forlop survey analyse`.

One offline HTML file (plotly inlined), Norwegian Bokmål by default, English with ``--lang en``;
the same tables in Excel with ``--xlsx``. The report reads only the OUT files of the contract
(DESIGN.md "Survey module"): response.csv, frequencies.csv, scores.csv, alpha.csv, regressions.csv,
weighted.csv, units.csv, and beside them units_funnel.csv, representativeness.csv and frame_profile.csv.
A file that is absent leaves a note where its tables would be. Labels of the derived items of
``forlop survey analyse`` (L7a_L8a) come from ``forlop.survey.frequencies.derived_questionnaire``.

Chapters, their order and wording, the number and caption of every table and figure and which item,
score or model it shows are data (``report.yaml``): 002 chapters 4-12 (response, sample, challenges,
services, video, information and involvement, relationship, continuity, benefit) and, marked
"Tillegg i Forløp", the weighted estimates and the unit comparison with its funnel plots. Option and
item labels come from the questionnaire (``forlop.survey.load``).

Privacy: every published count, share and mean goes through ``forlop.survey.published`` (002's
threshold, ``Rule(max_small=9, symbol="*")``, with complementary cells; see that module). A share
made of several options (e.g. "often or always") is shown only when every option it adds is.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from forlop.citations import cite, cite_text, references
from forlop.datafile import package_yaml
from forlop.errors import InputError
from forlop.html import ReportResult, render
from forlop.i18n import default_language, format_number, t
from forlop.privacy import Cells
from forlop.survey.frequencies import derived_questionnaire
from forlop.survey.published import (
    RULE,
    SECTOR_TOTAL,
    hide_counts,
    hide_frequencies,
    hide_means,
    hide_response,
    hide_units,
)
from forlop.survey.questionnaire import Questionnaire, load

SYMBOL = RULE.symbol
SECTORS = ["PHV", "TSB", "AS"]
#: The OUT files of the contract (DESIGN.md "Survey module") and their columns.
CONTRACT = {
    "response.csv": [
        "sector",
        "unit",
        "frame",
        "unreachable",
        "reached",
        "declined",
        "no_answer",
        "answered",
        "rate_of_frame",
        "rate_of_reached",
    ],
    "frequencies.csv": ["item", "option", "sector", "breakdown", "group", "n", "count", "share", "ci_low", "ci_high"],
    "scores.csv": ["score", "sector", "breakdown", "group", "n", "mean", "sd", "ci_low", "ci_high"],
    "alpha.csv": ["index", "population", "n", "n_items", "alpha"],
    "regressions.csv": ["model", "sector", "term", "estimate", "ci_low", "ci_high", "p_value", "n", "r2"],
    "weighted.csv": ["score", "sector", "design", "estimate", "se", "ci_low", "ci_high", "n"],
    "units.csv": ["score", "sector", "unit", "n", "observed", "expected", "adjusted", "ci_low", "ci_high", "flag"],
    # funnel limits of the unit comparison (forlop.survey.units.unit_funnel; docs/definitions.md, "Unit comparison")
    "units_funnel.csv": ["score", "sector", "n", "target", "sigma", "lo95", "hi95", "lo99.8", "hi99.8"],
    # written by forlop survey analyse beside the contract's files (docs/definitions.md, "Response rates")
    "frame_profile.csv": ["sector", "dimension", "group", "frame", "unreachable", "answered"],
    # written by forlop survey analyse beside the contract's files (docs/definitions.md, "Representativeness")
    "representativeness.csv": [
        *("sector", "period", "dimension", "group", "population", "population_share"),
        *("respondents", "respondent_share"),
    ],
}
#: Which OUT file each kind of block reads.
NEEDS = {
    "response": "response.csv",
    "sector_shares": "response.csv",
    "unit_response": "response.csv",
    "frame_profile": "frame_profile.csv",
    "items_table": "frequencies.csv",
    "item": "frequencies.csv",
    "share_items": "frequencies.csv",
    "share_by": "frequencies.csv",
    "item_by": "frequencies.csv",
    "group_distribution": "frequencies.csv",
    "scores": "scores.csv",
    "scores_grid": "scores.csv",
    "scores_by": "scores.csv",
    "alpha": "alpha.csv",
    "regression": "regressions.csv",
    "weighted": "weighted.csv",
    "units": "units.csv",
    "representativeness": "representativeness.csv",
    "population_by": "representativeness.csv",
}
COLOURS = {"PHV": "#1f4e79", "TSB": "#6a9fcb", "AS": "#f0a030", SECTOR_TOTAL: "#8c8c8c"}
PLOT_CONFIG = {"displaylogo": False, "responsive": True}


@cache
def spec() -> dict[str, Any]:
    """The report as data (``report.yaml`` beside this module)."""
    return package_yaml("forlop.survey", "report.yaml")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() in ("", "nan")


def read_results(results: Path, lang: str) -> dict[str, pd.DataFrame | None]:
    """The OUT files that exist (None for those that do not); a missing column is one line (InputError)."""
    results = Path(results)
    if not results.is_dir():
        raise InputError(str(results), t("survey.report.no_results", lang))
    out: dict[str, pd.DataFrame | None] = {}
    for name, columns in CONTRACT.items():
        path = results / name
        if not path.exists():
            out[name] = None
            continue
        dtypes = {"unit": str, "group": str, "term": str, "item": str, "score": str, "period": str, "by_group": str}
        frame = pd.read_csv(path, dtype=dtypes)
        for column in columns:
            if column not in frame.columns:
                raise InputError(str(path), t("survey.report.missing_column", lang), column=column)
        out[name] = frame
    if all(v is None for v in out.values()):
        raise InputError(str(results), t("survey.report.no_results", lang), example=", ".join(CONTRACT))
    return out


class Page:
    """Texts and numbers in the report's language, and the tables and figures made so far."""

    def __init__(self, lang: str, questionnaire: Questionnaire, unit: str | None) -> None:
        self.lang = lang
        self.q = questionnaire
        self.items = {i.id: i for i in questionnaire.items}
        self.unit = unit
        self.tables: list[dict] = []
        self.figures = 0
        self.ids: set[str] = set()

    def tx(self, entry: dict | str | None) -> str:
        """The text of a {nb, en} entry in this language."""
        if entry is None:
            return ""
        text = entry if isinstance(entry, str) else str(entry.get(self.lang) or entry.get("nb") or "")
        return cite_text(text, self.lang) if "00" in text else text  # "002" -> the publication's name

    def text(self, key: str, **values: object) -> str:
        return self.tx(spec()["texts"][key]).format(**values) if values else self.tx(spec()["texts"][key])

    def num(self, value: float | None, decimals: int = 0) -> str:
        if value is None or not np.isfinite(value):
            return SYMBOL
        if abs(value) >= 1e9:  # e.g. the odds ratio of a model that separates a small sample: 3,29e+191
            text = f"{float(value):.2e}"
            return (text.replace(".", ",") if self.lang == "nb" else text).replace("-", "−")
        text = format_number(float(value), decimals, self.lang, SYMBOL)
        if text.startswith("-") and not any(ch in "123456789" for ch in text):
            text = text[1:]  # -0,000: a small negative number that rounds to zero has no sign
        return text.replace("-", "−")

    def p_value(self, p: float) -> str:
        if not np.isfinite(p):
            return ""
        return "<" + self.num(0.001, 3) if p < 0.001 else self.num(p, 3)

    def sector(self, code: str) -> str:
        return self.tx(spec()["sectors"].get(code, code))

    def item_label(self, item_id: str) -> str:
        item = self.items.get(item_id)
        if item is None:
            return item_id
        return item.row.get(self.lang) if item.row is not None else item.text.get(self.lang)

    def option_label(self, item_id: str, code: object) -> str:
        item = self.items.get(item_id)
        try:
            return item.option(int(float(str(code)))).label.get(self.lang) if item is not None else str(code)
        except (ValueError, StopIteration):
            return str(code)

    def group_label(self, breakdown: str, group: str) -> str:
        entry = spec()["breakdowns"].get(breakdown, {})
        if group == "all":
            return self.text("total")
        named = spec().get("groups", {}).get(entry.get("groups", ""), {})
        if group in named:
            return self.tx(named[group])
        if entry.get("item"):
            return self.option_label(entry["item"], group)
        return str(group)

    def score_label(self, score: str) -> str:
        entry = spec()["scores"].get(score)
        return self.tx(entry) if entry else self.item_label(score)

    def new_id(self, base: str) -> str:
        slug = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-") or "t"
        out, k = slug, 2
        while out in self.ids:
            out, k = f"{slug}-{k}", k + 1
        self.ids.add(out)
        return out

    def caption(self, block: dict, n_text: str | None = None) -> str:
        kind = self.text("figure" if block.get("type") == "figure" else "table")
        if block.get("addition"):
            head = f"{self.text('addition')}: "
        else:
            head = f"{kind} {block['ref']} " if block.get("ref") else f"{kind}: "
        text = head + self.tx(block.get("caption"))
        return text + (f". n={n_text}" if n_text else "")

    def source(self, block: dict) -> str:
        if not block.get("ref"):
            return ""
        part = "figur" if block.get("type") == "figure" else "tabell"
        return cite(f"002 {part} {block['ref']}", self.lang)

    def table(self, block: dict, header: list[str], rows: list[dict], **extra: Any) -> dict:
        tb = {
            "id": self.new_id(f"{block.get('type', 'table')}-{block.get('ref') or block['kind']}"),
            "title": extra.pop("title", None) or self.caption(block),
            "header": header,
            "rows": rows,
            "groups": extra.pop("groups", None),
            "spans": extra.pop("spans", None),
            "foot": extra.pop("foot", []),
            "note": extra.pop("note", ""),
            "hidden": sum(c == SYMBOL for r in rows for c in r["cells"]),
        }
        self.tables.append(tb)
        return tb

    def figure(self, data: list[dict], layout: dict, height: int = 380) -> str:
        """One plotly figure as a div and the call that draws it (plotly.js and the template are in the page).

        The figure is written as plotly's JSON by hand rather than through ``plotly.graph_objects``:
        validating ~70 figures through plotly's classes took most of the report's time (national scale).
        """
        self.figures += 1
        div = f"survey-figure-{self.figures}"
        full = {
            "height": height,
            "margin": {"l": 10, "r": 20, "t": 30, "b": 40},
            "legend": {"orientation": "h", "y": -0.12},
            "font": {"size": 11},
            **layout,
        }
        return (
            f'<div id="{div}" class="plotly-graph-div" style="height:{height}px; width:100%;"></div>'
            f"<script>Plotly.newPlot({_js(div)}, {_js(data)}, Object.assign({{template: FORLOP_TEMPLATE}}, "
            f"{_js(full)}), {_js(PLOT_CONFIG)});</script>"
        )


def _js(value: object) -> str:
    """JSON for a script element: NaN as null, and no '<' (so no text can close the script)."""
    return json.dumps(_clean(value), ensure_ascii=False).replace("<", "\\u003c")


def _clean(value: object) -> object:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return [_clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


# --- frequencies -------------------------------------------------------------------------------------


def published(field: str) -> set[tuple[str, str, str | None]]:
    """The (item, breakdown, group) or (score, breakdown, group) the report shows besides the whole sectors.

    group None: every group of the breakdown; a block with ``group`` or ``groups`` (e.g. 002 Fig 6-13,
    those who recently finished treatment) shows only those, and the other groups are published nowhere.
    """
    out: set[tuple[str, str, str | None]] = set()
    for chapter in spec()["chapters"]:
        for block in chapter["blocks"]:
            if "breakdown" not in block:
                continue
            groups = block.get("groups", [block["group"]] if "group" in block else [])
            shown: list[str | None] = [str(g) for g in groups] or [None]
            if field == "item" and "item" in block:
                out |= {(block["item"], block["breakdown"], g) for g in shown}
            if field == "scores":
                out |= {(score, block["breakdown"], g) for score in block.get("scores", []) for g in shown}
    return out


def published_totals() -> set[tuple[str, str]]:
    """The (item, breakdown) pairs the report shows for the three sectors together (a block with
    ``sectors: [all]``), with the item's whole (item, ``all``) that such a block shows as its total row."""
    out = set()
    for chapter in spec()["chapters"]:
        for block in chapter["blocks"]:
            if "item" in block and SECTOR_TOTAL in block.get("sectors", []):
                out |= {(block["item"], block.get("breakdown", "all")), (block["item"], "all")}
    return out


class Frequencies:
    """OUT/frequencies.csv after the privacy layer, indexed for the tables.

    The rows of sector ``all`` are kept for the (item, breakdown) pairs the report shows for the whole
    sample (:func:`published_totals`) and go through the privacy layer with the line "the sectors add up to
    all"; the others are published nowhere, so they are left out rather than hidden.
    """

    def __init__(self, freq: pd.DataFrame, page: Page) -> None:
        totals = published_totals()
        pairs = pd.Series(list(zip(freq["item"].astype(str), freq["breakdown"].astype(str))), index=freq.index)
        freq = freq[(freq["sector"].astype(str) != SECTOR_TOTAL) | pairs.isin(totals)].copy()
        freq["item"] = freq["item"].astype(str)
        freq["option"] = [_code(o) for o in freq["option"]]
        freq["sector"] = freq["sector"].astype(str)
        freq["breakdown"] = freq["breakdown"].astype(str)
        freq["group"] = freq["group"].astype(str)
        multiple = {i.id for i in page.q.items if i.type == "multiple"}
        partitions = {k for k, v in spec()["breakdowns"].items() if v.get("partition")}
        self.pub = hide_frequencies(freq, multiple, partitions, RULE, published=published("item"))
        self.cell: dict[tuple, tuple[float, float, bool]] = {}
        self.n: dict[tuple, tuple[float, bool]] = {}
        for r in self.pub.itertuples(index=False):
            key = (r.item, r.sector, r.breakdown, r.group)
            self.cell[(*key, r.option)] = (float(r.count), float(r.n), bool(r.hidden))
            self.n[key] = (float(r.n), bool(r.n_hidden))
        self.items = set(self.pub["item"])
        self.present = set(self.pub["sector"])
        self.sectors = [s for s in SECTORS if s in self.present]

    def sectors_of(self, block: dict) -> list[str]:
        """The sector columns of ``block``: its ``sectors`` (e.g. ``[all]``, the whole sample), else PHV, TSB, AS."""
        wanted = block.get("sectors")
        return self.sectors if wanted is None else [s for s in wanted if s in self.present]

    def options(self, item: str, page: Page) -> list[str]:
        present = {k[4] for k in self.cell if k[0] == item}
        known = page.items.get(item)
        order = [str(o.code) for o in known.options] if known is not None else []
        return [o for o in order if o in present] + sorted(present - set(order), key=_order)

    def groups(self, item: str, breakdown: str) -> list[str]:
        return sorted({k[3] for k in self.n if k[0] == item and k[2] == breakdown and k[3] != "all"}, key=_order)

    def share(
        self, item: str, sector: str, codes: list[str], breakdown: str = "all", group: str = "all"
    ) -> float | None:
        """Percent answering one of ``codes``: None if hidden, NaN if nobody in the group answered the item
        (an option nobody chose has no row in frequencies.csv: 0)."""
        n_entry = self.n.get((item, sector, breakdown, group))
        if n_entry is None:
            return math.nan
        n, n_hidden = n_entry
        if n_hidden:
            return None
        total = self.count(item, sector, codes, breakdown, group)
        if total is None:
            return None
        return 100.0 * total / n if n > 0 else math.nan

    def count(
        self, item: str, sector: str, codes: list[str], breakdown: str = "all", group: str = "all"
    ) -> float | None:
        """How many answered one of ``codes`` (0 for an option nobody chose): None if one of the counts is hidden."""
        total = 0.0
        for code in codes:
            entry = self.cell.get((item, sector, breakdown, group, code))
            if entry is None:
                continue
            if entry[2]:
                return None
            total += entry[0]
        return total

    def n_text(self, item: str, page: Page, breakdown: str = "all", group: str = "all") -> str:
        """n of the caption: the total's n, or the sum of the sectors' n when every one is published."""
        whole = self.n.get((item, SECTOR_TOTAL, breakdown, group))
        if whole is not None:
            return SYMBOL if whole[1] else page.num(whole[0])
        parts = [p for p in (self.n.get((item, s, breakdown, group)) for s in SECTORS) if p is not None]
        if not parts or any(hidden for _, hidden in parts):
            return SYMBOL
        return page.num(sum(n for n, _ in parts))

    def n_cell(self, item: str, sector: str, page: Page, breakdown: str = "all", group: str = "all") -> str:
        entry = self.n.get((item, sector, breakdown, group))
        if entry is None:
            return ""
        return SYMBOL if entry[1] else page.num(entry[0])


def _code(value: object) -> str:
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return str(int(number)) if number.is_integer() else str(value)


def _order(value: str) -> tuple:
    match = re.match(r"\s*(\d+)", str(value))
    return (0, int(match.group(1)), str(value)) if match else (1, 0, str(value))


def _pct(page: Page, value: float | None) -> str:
    return _cell(page, value, 0)


def _cell(page: Page, value: float | None, decimals: int) -> str:
    """A published number: the symbol when hidden (None), empty when there is none (NaN)."""
    if value is None:
        return SYMBOL
    return "" if not np.isfinite(value) else page.num(value, decimals)


def _bar_figure(page: Page, labels: list[str], series: dict[str, list[float | None]], x_title: str) -> str:
    """Horizontal bars, one trace per sector (hidden numbers drawn as no bar, labelled *)."""
    data = []
    for name, values in series.items():
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": labels[::-1],
                "x": [0 if v is None else v for v in values][::-1],  # a hidden number: no bar, its * beside 0
                "name": page.sector(name) if name in COLOURS else name,
                "marker": {"color": COLOURS[name]} if name in COLOURS else {},
                "text": [_cell(page, v, 0 if "%" in x_title else 2) for v in values][::-1],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{text}<extra>%{fullData.name}</extra>",
            }
        )
    height = max(260, 60 + 22 * len(labels) * max(1, len(series)))
    layout = {"barmode": "group", "xaxis": {"title": {"text": x_title}}, "yaxis": {"automargin": True}}
    return page.figure(data, layout, height=min(height, 1400))


def item_block(page: Page, freq: Frequencies, block: dict) -> dict:
    """One item per sector; with ``breakdown`` and ``group`` only the respondents of that group (e.g. 002
    Fig 6-12 / 6-13: those in treatment / those who recently finished)."""
    item = block["item"]
    breakdown, group = block.get("breakdown", "all"), str(block.get("group", "all"))
    sectors = freq.sectors_of(block)
    if item not in freq.items or not any((item, s, breakdown, group) in freq.n for s in sectors):
        return _absent(page, block, item if breakdown == "all" else f"{item} × {breakdown} {group}")
    options = freq.options(item, page)
    rows: list[dict] = []
    series: dict[str, list[float | None]] = {s: [] for s in sectors}
    for o in options:
        cells = []
        for s in sectors:
            v = freq.share(item, s, [o], breakdown, group)
            series[s].append(v)
            cells.append(_pct(page, v))
        rows.append({"label": page.option_label(item, o), "cells": cells, "css": ""})
    n_cells = [freq.n_cell(item, s, page, breakdown, group) for s in sectors]
    rows.append({"label": page.text("n"), "cells": n_cells, "css": "total"})
    header = [page.text("option")] + [f"{page.sector(s)} (%)" for s in sectors]
    n_text = freq.n_text(item, page, breakdown, group)
    tb = page.table(block, header, rows, title=page.caption(block, n_text))
    figure = _bar_figure(page, [page.option_label(item, o) for o in options], series, "%")
    return {"caption": tb["title"], "source": page.source(block), "figure": figure, "table": tb}


def items_table_block(page: Page, freq: Frequencies, block: dict) -> dict:
    sectors = freq.sectors
    rows = []
    for item in block["items"]:
        if item not in freq.items:
            continue
        rows.append({"label": page.item_label(item), "cells": ["" for _ in sectors], "css": "head"})
        for o in freq.options(item, page):
            rows.append(
                {
                    "label": page.option_label(item, o),
                    "cells": [_pct(page, freq.share(item, s, [o])) for s in sectors],
                    "css": "",
                }
            )
        rows.append({"label": page.text("n"), "cells": [freq.n_cell(item, s, page) for s in sectors], "css": "n"})
    if not rows:
        return _absent(page, block, ", ".join(block["items"]))
    header = [page.text("variable")] + [f"{page.sector(s)} (%)" for s in sectors]
    tb = page.table(block, header, rows)
    return {"caption": tb["title"], "source": page.source(block), "figure": "", "table": tb}


def share_items_block(page: Page, freq: Frequencies, block: dict) -> dict:
    """The share answering ``codes`` for several items (or ticking each option of a multiple-choice item)."""
    sectors = freq.sectors
    codes = [str(c) for c in block.get("codes", [1])]
    entries = [(i, codes, page.item_label(i)) for i in block["items"] if i in freq.items]
    if not entries:
        return _absent(page, block, ", ".join(block["items"]))
    rows: list[dict] = []
    series: dict[str, list[float | None]] = {s: [] for s in sectors}
    for item, cds, label in entries:
        cells = []
        for s in sectors:
            v = freq.share(item, s, cds)
            series[s].append(v)
            cells.append(_pct(page, v))
        rows.append({"label": label, "cells": cells + [freq.n_text(item, page)], "css": ""})
    header = [page.text("item")] + [f"{page.sector(s)} (%)" for s in sectors] + [page.text("n")]
    tb = page.table(block, header, rows)
    labels = [_short(e[2]) for e in entries]
    return {
        "caption": tb["title"],
        "source": page.source(block),
        "figure": _bar_figure(page, labels, series, "%"),
        "table": tb,
    }


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def share_by_block(page: Page, freq: Frequencies, block: dict) -> dict:
    item, breakdown = block["item"], block["breakdown"]
    codes = [str(c) for c in block.get("codes", [1])]
    groups = freq.groups(item, breakdown)
    sectors = freq.sectors_of(block)
    if not groups or not sectors:
        return _absent(page, block, f"{item} × {breakdown}")
    rows: list[dict] = []
    series: dict[str, list[float | None]] = {s: [] for s in sectors}
    for g in groups:
        cells = []
        for s in sectors:
            v = freq.share(item, s, codes, breakdown, g)
            series[s].append(v)
            cells.append(_pct(page, v))
        rows.append({"label": page.group_label(breakdown, g), "cells": cells, "css": ""})
    rows.append(
        {
            "label": page.text("total"),
            "cells": [_pct(page, freq.share(item, s, codes)) for s in sectors],
            "css": "total",
        }
    )
    header = [page.tx(spec()["breakdowns"][breakdown])] + [f"{page.sector(s)} (%)" for s in sectors]
    tb = page.table(block, header, rows, title=page.caption(block, freq.n_text(item, page)))
    labels = [page.group_label(breakdown, g) for g in groups]
    if block.get("sort") == "share" and len(sectors) == 1:  # 002 Fig 6-10, 6-14, 8-2: largest share first
        order = sorted(range(len(groups)), key=lambda k: -(series[sectors[0]][k] or -1.0))
        labels = [labels[k] for k in order]
        series = {s: [v[k] for k in order] for s, v in series.items()}
    return {
        "caption": tb["title"],
        "source": page.source(block),
        "figure": _bar_figure(page, labels, series, "%"),
        "table": tb,
    }


def item_by_block(page: Page, freq: Frequencies, block: dict) -> dict:
    item, breakdown, sector = block["item"], block["breakdown"], block["sector"]
    groups = [g for g in freq.groups(item, breakdown) if (item, sector, breakdown, g) in freq.n]
    if "groups" in block:  # e.g. 002 Fig 7-2: only "store i mer enn 5 år" and "lettere/moderate i under 5 år"
        groups = [g for g in groups if g in {str(x) for x in block["groups"]}]
    if not groups:
        return _absent(page, block, f"{item} × {breakdown}, {sector}")
    options = freq.options(item, page)
    rows = []
    series: dict[str, list[float | None]] = {page.group_label(breakdown, g): [] for g in groups}
    for o in options:
        cells = []
        for g in groups:
            v = freq.share(item, sector, [o], breakdown, g)
            series[page.group_label(breakdown, g)].append(v)
            cells.append(_pct(page, v))
        rows.append({"label": page.option_label(item, o), "cells": cells, "css": ""})
    rows.append(
        {
            "label": page.text("n"),
            "cells": [freq.n_cell(item, sector, page, breakdown, g) for g in groups],
            "css": "total",
        }
    )
    header = [page.text("option")] + [f"{page.group_label(breakdown, g)} (%)" for g in groups]
    tb = page.table(block, header, rows, title=page.caption(block, freq.n_cell(item, sector, page)))
    figure = _bar_figure(page, [_short(page.option_label(item, o)) for o in options], series, "%")
    return {"caption": tb["title"], "source": page.source(block), "figure": figure, "table": tb}


def group_distribution_block(page: Page, freq: Frequencies, block: dict) -> dict:
    """How those answering ``codes`` of ``item`` are spread over the groups of ``breakdown``, % per sector
    (002 Fig 6-9: those with severe problems for over five years by age group, adding up to 100 in a sector).

    A share is count(group) / count(whole sector), both answering ``codes``; it is hidden when a count it
    uses is hidden, or when the rest (whole - group) is 1-9 (as a share of an option is, privacy layer).
    """
    item, breakdown = block["item"], block["breakdown"]
    codes = [str(c) for c in block["codes"]]
    groups = freq.groups(item, breakdown)
    sectors = freq.sectors_of(block)
    if not groups or not sectors:
        return _absent(page, block, f"{item} × {breakdown}")

    rows: list[dict] = []
    series: dict[str, list[float | None]] = {s: [] for s in sectors}
    wholes = {s: freq.count(item, s, codes) for s in sectors}
    for g in groups:
        cells = []
        for s in sectors:
            part, whole = freq.count(item, s, codes, breakdown, g), wholes[s]
            if part is None or whole is None:
                v: float | None = None
            elif not whole > 0:
                v = math.nan
            else:
                v = None if RULE.is_small(whole - part) else 100.0 * part / whole
            series[s].append(v)
            cells.append(_pct(page, v))
        rows.append({"label": page.group_label(breakdown, g), "cells": cells, "css": ""})
    n_cells = [SYMBOL if w is None else ("" if not w > 0 else page.num(w)) for w in wholes.values()]
    rows.append({"label": page.text("n"), "cells": n_cells, "css": "total"})
    header = [page.tx(spec()["breakdowns"][breakdown])] + [f"{page.sector(s)} (%)" for s in sectors]
    tb = page.table(block, header, rows)
    labels = [page.group_label(breakdown, g) for g in groups]
    return {
        "caption": tb["title"],
        "source": page.source(block),
        "figure": _bar_figure(page, labels, series, "%"),
        "table": tb,
    }


# --- scores ------------------------------------------------------------------------------------------


class Scores:
    """OUT/scores.csv after the privacy layer."""

    def __init__(self, scores: pd.DataFrame) -> None:
        scores = scores.copy()
        for c in ("score", "sector", "breakdown", "group"):
            scores[c] = scores[c].astype(str)
        partitions = {k for k, v in spec()["breakdowns"].items() if v.get("partition")}
        self.pub = hide_means(scores, partitions, RULE, published=published("scores"))
        self.row = {(r.score, r.sector, r.breakdown, r.group): r for r in self.pub.itertuples(index=False)}
        self.sectors = [s for s in [*SECTORS, SECTOR_TOTAL] if s in set(self.pub["sector"])]

    def mean(self, score: str, sector: str, breakdown: str = "all", group: str = "all") -> float | None:
        """The mean: None if hidden, NaN if the results have none."""
        r = self.row.get((score, sector, breakdown, group))
        if r is None:
            return math.nan
        return None if r.hidden else float(r.mean)

    def n(self, score: str, sector: str, page: Page, breakdown: str = "all", group: str = "all") -> str:
        r = self.row.get((score, sector, breakdown, group))
        return "" if r is None else (SYMBOL if r.hidden else page.num(r.n))

    def groups(self, score: str, breakdown: str) -> list[str]:
        return sorted({k[3] for k in self.row if k[0] == score and k[2] == breakdown and k[3] != "all"}, key=_order)


def scores_block(page: Page, scores: Scores, block: dict) -> dict:
    present = [s for s in block["scores"] if any(k[0] == s for k in scores.row)]
    if not present:
        return _absent(page, block, ", ".join(block["scores"]))
    sectors = scores.sectors
    rows: list[dict] = []
    series: dict[str, list[float | None]] = {s: [] for s in sectors}
    for sc in present:
        cells = []
        for s in sectors:
            v = scores.mean(sc, s)
            series[s].append(v)
            cells += [_cell(page, v, 2), scores.n(sc, s, page)]
        rows.append({"label": f"{sc}: {_short(page.score_label(sc), 70)}", "cells": cells, "css": ""})
    header = [page.text("score")] + [x for s in sectors for x in (f"{page.sector(s)}", page.text("n"))]
    tb = page.table(block, header, rows)
    figure = _bar_figure(page, present, series, page.text("mean"))
    return {"caption": tb["title"], "source": page.source(block), "figure": figure, "table": tb}


def scores_by_block(page: Page, scores: Scores, block: dict) -> dict:
    breakdown = block["breakdown"]
    present = [s for s in block["scores"] if scores.groups(s, breakdown)]
    if not present:
        return _absent(page, block, f"{', '.join(block['scores'])} × {breakdown}")
    groups = sorted({g for s in present for g in scores.groups(s, breakdown)}, key=_order)
    sectors = scores.sectors
    rows = []
    for g in [*groups, "all"]:
        bd = breakdown if g != "all" else "all"
        cells = [_cell(page, scores.mean(sc, s, bd, g), 2) for sc in present for s in sectors]
        rows.append({"label": page.group_label(breakdown, g), "cells": cells, "css": "total" if g == "all" else ""})
    header = [page.tx(spec()["breakdowns"][breakdown])] + [page.sector(s) for _ in present for s in sectors]
    col_groups = [(page.score_label(sc), len(sectors)) for sc in present] if len(present) > 1 else None
    tb = page.table(block, header, rows, groups=col_groups)
    fig_series = {s: [scores.mean(present[0], s, breakdown, g) for g in groups] for s in sectors}
    figure = _bar_figure(page, [page.group_label(breakdown, g) for g in groups], fig_series, page.text("mean"))
    return {"caption": tb["title"], "source": page.source(block), "figure": figure, "table": tb}


def scores_grid_block(page: Page, scores: Scores, block: dict) -> dict:
    """Many scores by the groups of ``breakdown`` in one ``sector`` (002 Fig 11-3: C1-C12 by diagnosis):
    a heat map (groups as rows, scores as columns, the mean in each cell) and the same numbers as a
    compact table, the whole sector in the last row. Hidden means are blank cells marked *."""
    breakdown, sector = block["breakdown"], block["sector"]
    present = [sc for sc in block["scores"] if scores.groups(sc, breakdown)]
    if not present:
        return _absent(page, block, f"{', '.join(block['scores'])} × {breakdown}, {sector}")
    groups = sorted({g for sc in present for g in scores.groups(sc, breakdown)}, key=_order)
    groups = [g for g in groups if any((sc, sector, breakdown, g) in scores.row for sc in present)]
    if not groups:
        return _absent(page, block, f"{', '.join(block['scores'])} × {breakdown}, {sector}")
    rows, z, text = [], [], []
    for g in [*groups, "all"]:
        bd = breakdown if g != "all" else "all"
        means = [scores.mean(sc, sector, bd, g) for sc in present]
        cells = [_cell(page, v, 2) for v in means]
        rows.append({"label": page.group_label(breakdown, g), "cells": cells, "css": "total" if g == "all" else ""})
        z.append([None if v is None or not np.isfinite(v) else v for v in means])
        text.append(cells)
    header = [page.tx(spec()["breakdowns"][breakdown])] + present
    title = f"{page.caption(block)}. {page.sector(sector)}"
    tb = page.table(block, header, rows, title=title)
    labels = [page.group_label(breakdown, g) for g in [*groups, "all"]]
    data = [
        {
            "type": "heatmap",
            "z": z[::-1],
            "x": present,
            "y": labels[::-1],
            "text": text[::-1],
            "texttemplate": "%{text}",
            "colorscale": "Blues",
            "hovertemplate": "%{y}, %{x}: %{text}<extra></extra>",
            "colorbar": {"title": {"text": page.text("mean")}},
        }
    ]
    layout = {"xaxis": {"side": "top"}, "yaxis": {"automargin": True}}
    figure = page.figure(data, layout, height=max(300, 60 + 26 * len(labels)))
    return {"caption": title, "source": page.source(block), "figure": figure, "table": tb}


def alpha_block(page: Page, alpha: pd.DataFrame, block: dict) -> dict:
    rows = []
    for r in alpha[alpha["index"].astype(str).isin(block["indices"])].itertuples(index=False):
        small = bool(RULE.is_small(float(r.n)))
        rows.append(
            {
                "label": page.score_label(str(r.index)),
                "cells": [
                    page.tx(spec()["populations"].get(str(r.population), str(r.population))),
                    SYMBOL if small else page.num(r.n),
                    page.num(r.n_items),
                    SYMBOL if small else page.num(r.alpha, 2),
                ],
                "css": "",
            }
        )
    if not rows:
        return _absent(page, block, ", ".join(block["indices"]))
    header = [page.text("index"), page.text("population"), page.text("n"), page.text("n_items"), page.text("alpha")]
    tb = page.table(block, header, rows)
    return {"caption": tb["title"], "source": "", "figure": "", "table": tb}


# --- regressions -------------------------------------------------------------------------------------


def regression_block(page: Page, reg: pd.DataFrame, block: dict) -> dict:
    """002's layout: terms as rows; per sector estimate, P, 95 % CI (low, high); N and R² in the foot."""
    rows_of = reg[reg["model"].astype(str) == block["model"]]
    if rows_of.empty:
        return _absent(page, block, block["model"])
    hidden_terms = set(spec()["hidden_terms"])
    sectors = [
        s
        for s in [*SECTORS, *sorted(set(rows_of["sector"].astype(str)) - set(SECTORS))]
        if s in set(rows_of["sector"].astype(str))
    ]
    terms = [x for x in dict.fromkeys(rows_of["term"].astype(str)) if x not in hidden_terms]
    logistic = rows_of["r2"].isna().all()
    by = {(str(r.sector), str(r.term)): r for r in rows_of.itertuples(index=False)}
    n_of = {s: float(rows_of.loc[rows_of["sector"].astype(str) == s, "n"].max()) for s in sectors}
    shown = {s: not RULE.is_small(n_of[s]) and n_of[s] > 0 for s in sectors}
    rows = []
    for term in terms:
        cells = []
        for s in sectors:
            r = by.get((s, term))
            if not shown[s]:
                cells += [SYMBOL] * 4
            elif r is None:
                cells += [""] * 4
            else:
                cells += [
                    page.num(r.estimate, 3),
                    page.p_value(float(r.p_value)),
                    page.num(r.ci_low, 3),
                    page.num(r.ci_high, 3),
                ]
        label = page.tx(spec()["terms"].get(term)) or term
        rows.append({"label": label, "cells": cells, "css": ""})
    estimate = page.text("odds_ratio" if logistic else "coefficient")
    header = [page.text("variable")] + [x for _ in sectors for x in (estimate, page.text("p"), page.text("ci"), "")]
    foot = [
        {
            "label": "N",
            "cells": [x for s in sectors for x in ((f"N={page.num(n_of[s])}" if shown[s] else SYMBOL), "", "", "")],
        }
    ]
    if not logistic:
        r2 = {s: rows_of.loc[rows_of["sector"].astype(str) == s, "r2"].dropna() for s in sectors}
        foot.append(
            {
                "label": page.text("r2"),
                "cells": [
                    x
                    for s in sectors
                    for x in ((page.num(float(r2[s].iloc[0]), 2) if shown[s] and len(r2[s]) else ""), "", "", "")
                ],
            }
        )
    tb = page.table(
        block,
        header,
        rows,
        groups=[(page.sector(s), 4) for s in sectors],
        spans=[1] + [x for _ in sectors for x in (1, 1, 2, 0)],
        foot=foot,
        note=page.text("reference_notes") + (" " + page.text("model_too_small") if not all(shown.values()) else ""),
    )
    tb["regression"] = True
    return {"caption": tb["title"], "source": page.source(block), "figure": "", "table": tb}


# --- response ----------------------------------------------------------------------------------------


def response_frame(response: pd.DataFrame) -> pd.DataFrame:
    """Unit rows, a row per sector (the file's, or the sum of its units) and a total row, with ``level``."""
    counts = ["frame", "unreachable", "reached", "declined", "no_answer", "answered"]
    r = response.copy()
    r["sector"] = r["sector"].astype(str)
    no_unit = r["unit"].map(_blank) | r["unit"].astype(str).str.lower().isin(["all", "total"])
    is_total = r["sector"].str.lower().isin(["all", "total"])
    units = r[~no_unit & ~is_total].assign(level="unit")
    sectors = r[no_unit & ~is_total].assign(level="sector", unit="")
    missing = sorted(set(units["sector"]) - set(sectors["sector"]))
    if missing:
        summed = units[units["sector"].isin(missing)].groupby("sector", as_index=False)[counts].sum()
        sectors = pd.concat([sectors, summed.assign(level="sector", unit="")], ignore_index=True)
    sectors = sectors.sort_values("sector", key=lambda s: s.map(lambda x: SECTORS.index(x) if x in SECTORS else 9))
    total = r[is_total].head(1).assign(level="total", unit="", sector=SECTOR_TOTAL)
    if total.empty:
        total = pd.DataFrame(
            [{**sectors[counts].sum().to_dict(), "sector": SECTOR_TOTAL, "unit": "", "level": "total"}]
        )
    return pd.concat([units, sectors, total], ignore_index=True)[["sector", "unit", "level", *counts]]


def _rate(page: Page, row: pd.Series, num: str, den: str) -> str:
    if row[f"{num}_hidden"] or row[f"{den}_hidden"] or not row[den] > 0:
        return SYMBOL
    rest = row[den] - row[num]
    if RULE.is_small(rest):
        return SYMBOL
    return page.num(100 * row[num] / row[den], 0)


def response_block(page: Page, resp: pd.DataFrame, block: dict) -> dict:
    rows = []
    for _, r in resp[resp["level"] != "unit"].iterrows():
        cells = [
            SYMBOL if r[f"{c}_hidden"] else page.num(r[c])
            for c in ("frame", "reached", "unreachable", "declined", "no_answer", "answered")
        ]
        cells += [_rate(page, r, "answered", "frame"), _rate(page, r, "answered", "reached")]
        label = page.sector(r["sector"])
        rows.append({"label": label, "cells": cells, "css": "total" if r["level"] == "total" else ""})
    header = [page.text("sector")] + [
        page.text(c)
        for c in (
            "frame",
            "reached",
            "unreachable",
            "declined",
            "no_answer",
            "answered",
            "rate_of_frame",
            "rate_of_reached",
        )
    ]
    tb = page.table(block, header, rows)
    return {"caption": tb["title"], "source": page.source(block), "figure": "", "table": tb}


def sector_shares_block(page: Page, resp: pd.DataFrame, block: dict) -> dict:
    total = resp[resp["level"] == "total"].iloc[0]
    sectors = resp[resp["level"] == "sector"]
    columns = block.get("columns", ["frame", "reached", "answered"])  # 002 Fig 4-3: frame and unreachable
    series: dict[str, list[float | None]] = {}
    rows = []
    for _, r in sectors.iterrows():
        values = [
            None if r[f"{c}_hidden"] or total[f"{c}_hidden"] or not total[c] > 0 else 100 * r[c] / total[c]
            for c in columns
        ]
        series[r["sector"]] = values
        rows.append({"label": page.sector(r["sector"]), "cells": [_pct(page, v) for v in values], "css": ""})
    header = [page.text("sector")] + [f"{page.text(c)} (%)" for c in columns]
    tb = page.table(block, header, rows)
    figure = _bar_figure(page, [page.text(c) for c in columns], series, "%")
    return {"caption": tb["title"], "source": page.source(block), "figure": figure, "table": tb}


def unit_response_block(page: Page, resp: pd.DataFrame, block: dict) -> dict:
    sector = block["sector"]
    units = resp[(resp["level"] == "unit") & (resp["sector"] == sector)].sort_values("unit")
    whole = resp[(resp["level"] == "sector") & (resp["sector"] == sector)]
    if units.empty or whole.empty:
        return _absent(page, block, f"{page.sector(sector)}, {page.text('unit').lower()}")
    w = whole.iloc[0]
    rows = []
    for _, r in [*units.iterrows(), *whole.iterrows()]:
        cells = []
        for c in ("frame", "answered"):
            hidden = r[f"{c}_hidden"] or w[f"{c}_hidden"]
            cells += [
                SYMBOL if r[f"{c}_hidden"] else page.num(r[c]),
                SYMBOL if hidden or not w[c] > 0 else page.num(100 * r[c] / w[c], 1),
            ]
        is_sector = r["level"] == "sector"
        css = "total" if is_sector else ("hl" if page.unit is not None and r["unit"] == page.unit else "")
        rows.append({"label": page.text("total") if is_sector else str(r["unit"]), "cells": cells, "css": css})
    header = [
        page.text("unit"),
        page.text("frame"),
        page.text("share_frame"),
        page.text("answered"),
        page.text("share_answered"),
    ]
    tb = page.table(block, header, rows)
    return {"caption": tb["title"], "source": page.source(block), "figure": "", "table": tb}


def representativeness_block(page: Page, rep: pd.DataFrame, block: dict) -> list[dict]:
    """Population (register) against respondents for one ``dimension``, per sector (002 ch. 4).

    Counts under 10 are hidden with their complements (the groups add up to the sector's total row,
    in the population and among the respondents); a share is hidden with its count.
    """
    dimension = block["dimension"]
    rows_of = _one_way(rep)
    rows_of = rows_of[rows_of["dimension"].astype(str) == dimension].copy()
    if "period" in block:  # one period of the register population (002 Fig 4-13 ... 4-15: Feb-Apr 2023)
        rows_of = rows_of[rows_of["period"].astype(str) == _period(rep, block["period"])]
    if "sectors" in block:  # 002 Fig 4-7 ... 4-15: one figure per sector
        rows_of = rows_of[rows_of["sector"].astype(str).isin(block["sectors"])]
    if rows_of.empty:
        return [_absent(page, block, dimension)]
    rows_of["group"] = rows_of["group"].astype(str)
    rows_of["sector"] = rows_of["sector"].astype(str)
    out = []
    for period, by_period in rows_of.groupby("period", sort=True):
        sectors = [s for s in SECTORS if s in set(by_period["sector"])]
        groups = sorted(set(by_period["group"]), key=_order)
        shown: dict[tuple[str, str, str], float | None] = {}
        absent: set[tuple[str, str]] = set()  # (sector, column) the file has no numbers for (no register population)
        for sector in sectors:
            part = by_period[by_period["sector"] == sector].set_index("group")
            for column in ("population", "respondents"):
                values = [float(part[column].get(g, 0.0)) if g in part.index else 0.0 for g in groups]
                if not np.isfinite(values).all() or part[column].isna().all():
                    absent.add((sector, column))
                    continue
                hidden = hide_counts(np.array(values), RULE)
                for g, v, h in zip([*groups, "all"], [*values, sum(values)], hidden):
                    shown[(sector, column, g)] = None if h else v
        rows = []
        for g in [*groups, "all"]:
            cells = []
            for sector in sectors:
                for column in ("population", "respondents"):
                    if (sector, column) in absent:
                        cells += ["", ""]
                        continue
                    value, whole = shown.get((sector, column, g)), shown.get((sector, column, "all"))
                    cells += [
                        SYMBOL if value is None else page.num(value),
                        SYMBOL if value is None or whole is None or not whole > 0 else page.num(100 * value / whole, 1),
                    ]
            breakdown = _DIMENSION_BREAKDOWN.get(dimension, dimension)
            label = page.text("total") if g == "all" else page.group_label(breakdown, g)
            rows.append({"label": label, "cells": cells, "css": "total" if g == "all" else ""})
        header = [page.tx(spec()["dimensions"].get(dimension, dimension))] + [
            x for _ in sectors for x in (page.text("population_n"), "%", page.text("sample_n"), "%")
        ]
        title = page.caption(block) + (f" ({period})" if rows_of["period"].nunique() > 1 else "")
        tb = page.table(block, header, rows, title=title, groups=[(page.sector(s), 4) for s in sectors])
        figure = ""
        if block.get("type") == "figure":
            series: dict[str, list[float | None]] = {}
            for sector in sectors:
                for column, name in (("population", "population_n"), ("respondents", "sample_n")):
                    base = shown.get((sector, column, "all"))
                    if (sector, column) in absent or base is None or not base > 0:
                        continue
                    points = [shown.get((sector, column, g)) for g in groups]
                    series[f"{page.sector(sector)}: {page.text(name).lower()}"] = [
                        None if x is None else 100 * x / base for x in points
                    ]
            labels = [page.group_label(_DIMENSION_BREAKDOWN.get(dimension, dimension), g) for g in groups]
            figure = _bar_figure(page, labels, series, "%") if series else ""
        out.append({"caption": title, "source": page.source(block), "figure": figure, "table": tb})
    return out


def frame_profile_block(page: Page, profile: pd.DataFrame, block: dict) -> dict:
    """The total population (frame), the error population (unreachable) or those who answered by
    ``dimension`` (sex, age group, region; OUT/frame_profile.csv), % within each sector and population
    (002 Fig 4-2, 4-4, 4-5); ``columns`` chooses the populations, ``sectors`` the sectors, and
    ``counts: true`` shows the counts beside the shares with a total row (002 Tab 4-4).

    The groups' counts add up to the sector's count, which table 4-1 publishes: small counts and their
    complements are hidden (:func:`forlop.survey.published.hide_counts`), and every share of a
    population whose total is small.
    """
    dimension = block["dimension"]
    columns = block.get("columns", ["frame", "unreachable"])
    rows_of = _one_way(profile)
    rows_of = rows_of[rows_of["dimension"].astype(str) == dimension].copy()
    rows_of["sector"] = rows_of["sector"].astype(str)
    if "sectors" in block:
        rows_of = rows_of[rows_of["sector"].isin(block["sectors"])]
    if rows_of.empty:
        return _absent(page, block, dimension)
    rows_of["group"] = rows_of["group"].astype(str)
    sectors = [s for s in SECTORS if s in set(rows_of["sector"])]
    groups = sorted(set(rows_of["group"]), key=_order)
    share: dict[tuple[str, str, str], float | None] = {}
    count: dict[tuple[str, str, str], float | None] = {}
    for sector in sectors:
        part = rows_of[rows_of["sector"] == sector].set_index("group")
        for column in columns:
            values = np.array([float(part[column].get(g, 0.0)) for g in groups])
            hidden = hide_counts(values, RULE)
            total = float(values.sum())
            for g, v, h in zip([*groups, "all"], [*values, total], hidden):
                count[(sector, column, g)] = None if h else v
                share[(sector, column, g)] = None if h or hidden[-1] or not total > 0 else 100 * v / total
    counts = bool(block.get("counts"))
    breakdown = _DIMENSION_BREAKDOWN.get(dimension, dimension)
    rows = []
    for g in [*groups, "all"] if counts else groups:
        if counts:
            cells = [
                x
                for s in sectors
                for c in columns
                for x in (_cell(page, count[(s, c, g)], 0), _cell(page, share[(s, c, g)], 1))
            ]
        else:
            cells = [_pct(page, share[(s, c, g)]) for s in sectors for c in columns]
        label = page.text("total") if g == "all" else page.group_label(breakdown, g)
        rows.append({"label": label, "cells": cells, "css": "total" if g == "all" else ""})
    series: dict[str, list[float | None]] = {}
    for s in sectors:
        for c in columns:
            name = f"{page.sector(s)}: {page.text(c).lower()}" if len(columns) > 1 else s
            series[name] = [share[(s, c, g)] for g in groups]
    per = [x for c in columns for x in ((page.text(c), "%") if counts else (f"{page.text(c)} (%)",))]
    header = [page.tx(spec()["dimensions"].get(dimension, dimension))] + [x for _ in sectors for x in per]
    tb = page.table(block, header, rows, groups=[(page.sector(s), len(per)) for s in sectors])
    labels = [page.group_label(breakdown, g) for g in groups]
    figure = _bar_figure(page, labels, series, "%") if block.get("type") == "figure" else ""
    return {"caption": tb["title"], "source": page.source(block), "figure": figure, "table": tb}


_DIMENSION_BREAKDOWN = {"diagnosis_group": "diagnosis", "diagnosis_group_self": "diagnosis"}


def _one_way(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of one dimension: ``by`` empty (results written before the two-way rows have no ``by``)."""
    if "by" not in table.columns:
        return table
    return table[[_blank(b) for b in table["by"]]]


def _two_way(table: pd.DataFrame, dimension: str, by: str) -> pd.DataFrame:
    """The rows of ``dimension`` within the groups of ``by`` (columns group, by_group as text)."""
    if "by" not in table.columns:
        return table.iloc[0:0]
    rows = table[(table["dimension"].astype(str) == dimension) & (table["by"].astype(str) == by)].copy()
    for column in ("sector", "group", "by_group"):
        rows[column] = rows[column].astype(str)
    return rows


def _period(rep: pd.DataFrame, wanted: object) -> str:
    """A block's ``period``: a period label as in the population, or ``last``, the last in sorted order (the
    survey's own period: ``2023-02/2023-04`` after ``2022``, as forlop.survey.response sets the sample)."""
    if str(wanted) != "last":
        return str(wanted)
    periods = sorted({str(p) for p in rep["period"] if not _blank(p)})
    return periods[-1] if periods else ""


def _hide_grid(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Hidden flags of a two-way table of counts (rows x columns), of its row totals, its column totals and
    its grand total: each row adds up to its total, each column to its total, and both sets of totals to
    the grand total (002 Tab 4-4, 4-8, 4-9 print them all). Counts of 1-9 and enough complements to keep
    them from being worked out are hidden (:class:`forlop.privacy.Cells`)."""
    cells = Cells()

    def add(value: float) -> int:
        return cells.add(float(value), bool(RULE.is_small(float(value))))

    grid = [[add(v) for v in row] for row in values]
    row_totals = [add(v) for v in values.sum(axis=1)]
    column_totals = [add(v) for v in values.sum(axis=0)]
    grand = add(values.sum())
    for i, row in enumerate(grid):
        cells.line(row, row_totals[i], RULE)
    for j, column in enumerate(zip(*grid)):
        cells.line(list(column), column_totals[j], RULE)
    cells.line(row_totals, grand, RULE)
    cells.line(column_totals, grand, RULE)
    hidden = cells.solve(RULE)
    shape = values.shape
    return (
        np.array([[hidden[k] for k in row] for row in grid], dtype=bool).reshape(shape),
        np.array([hidden[k] for k in row_totals], dtype=bool),
        np.array([hidden[k] for k in column_totals], dtype=bool),
        bool(hidden[grand]),
    )


def _ordered(groups: set[str], block: dict) -> list[str]:
    """``groups`` in the block's ``order`` (002's row order), the others after them in the usual order."""
    first = [str(g) for g in block.get("order", []) if str(g) in groups]
    return first + sorted(groups - set(first), key=_order)


def _grid_axes(rows_of: pd.DataFrame, block: dict) -> tuple[list[str], list[str], list[str]]:
    """The sectors, the row groups (in the block's ``order``) and the ``by`` groups (in ``by_order``, then
    the others) of a two-way block (Tab 4-4, 4-8, 4-9)."""
    sectors = [s for s in SECTORS if s in set(rows_of["sector"])]
    groups = _ordered(set(rows_of["group"]), block)
    splits = [str(g) for g in block.get("by_order", [])] or sorted(set(rows_of["by_group"]), key=_order)
    splits += sorted(set(rows_of["by_group"]) - set(splits), key=_order)
    return sectors, groups, splits


def _grid(part: pd.DataFrame, value: str, groups: list[str], splits: list[str]) -> np.ndarray:
    """The counts ``value`` of one sector as a groups x splits array (0 where a combination has no row)."""
    grid = part.pivot_table(index="group", columns="by_group", values=value, aggfunc="sum")
    return grid.reindex(index=groups, columns=splits).fillna(0).to_numpy(dtype=float)


def _grid_cells(
    page: Page, values: np.ndarray, hiding: tuple[np.ndarray, np.ndarray, np.ndarray, bool]
) -> list[list[str]]:
    """The count cells of one sector's two-way table ``values`` (groups x splits) with the flags of
    :func:`_hide_grid`: one row per group, then the sum row; each row ends in its total."""
    hidden, row_hidden, column_hidden, grand_hidden = hiding
    rows = [[*values[i], values[i].sum()] for i in range(len(values))] + [[*values.sum(axis=0), values.sum()]]
    flags = [[*hidden[i], row_hidden[i]] for i in range(len(values))] + [[*column_hidden, grand_hidden]]
    return [[_cell(page, None if h else float(v), 0) for v, h in zip(r, f)] for r, f in zip(rows, flags)]


def _grid_rows(
    page: Page, dimension: str, groups: list[str], sectors: list[str], cells: dict[str, list[list[str]]]
) -> list[dict]:
    """The rows of a two-way block's table: one per group of ``dimension``, then the total row; in each, the
    sectors' ``cells`` side by side."""
    breakdown = _DIMENSION_BREAKDOWN.get(dimension, dimension)
    return [
        {
            "label": page.text("total") if g == "all" else page.group_label(breakdown, g),
            "cells": [c for s in sectors for c in cells[s][i]],
            "css": "total" if g == "all" else "",
        }
        for i, g in enumerate([*groups, "all"])
    ]


def frame_by_block(page: Page, profile: pd.DataFrame, block: dict) -> dict:
    """002 Tab 4-4: the frame split by ``by`` (sex) within each group of ``dimension`` (region) with its total
    and share of the sector's frame, then the other ``columns`` (those who answered) as count and share;
    one group of columns per sector, a total row (OUT/frame_profile.csv, the rows with ``by``).

    The split is a two-way table whose rows, columns and totals a reader can add up (:func:`_hide_grid`);
    a further column is a line of its own (its groups add up to its total). A share is hidden with its count.
    """
    dimension, by = block["dimension"], block["by"]
    columns = block.get("columns", ["frame", "answered"])
    rows_of = _two_way(profile, dimension, by)
    if "sectors" in block:
        rows_of = rows_of[rows_of["sector"].isin(block["sectors"])]
    if rows_of.empty:
        return _absent(page, block, f"{dimension} × {by}")
    sectors, groups, splits = _grid_axes(rows_of, block)
    cells: dict[str, list[list[str]]] = {}
    for sector in sectors:
        part = rows_of[rows_of["sector"] == sector]
        values = _grid(part, columns[0], groups, splits)
        hiding = _hide_grid(values)
        out = _grid_cells(page, values, hiding)
        grand, grand_hidden = float(values.sum()), hiding[3]
        wholes = [*values.sum(axis=1), grand]
        for row, whole, whole_hidden in zip(out, wholes, [*hiding[1], grand_hidden]):
            share = None if whole_hidden or grand_hidden or not grand > 0 else 100 * float(whole) / grand
            row.append(_cell(page, share, 1))
        for column in columns[1:]:
            counts = part.groupby("group")[column].sum().reindex(groups).fillna(0).to_numpy(dtype=float)
            flags = hide_counts(counts, RULE)
            whole = float(counts.sum())
            for i, (v, h) in enumerate(zip([*counts, whole], flags)):
                share = None if h or flags[-1] or not whole > 0 else 100 * float(v) / whole
                out[i] += [_cell(page, None if h else float(v), 0), _cell(page, share, 1)]
        cells[sector] = out
    rows = _grid_rows(page, dimension, groups, sectors, cells)
    per = [page.group_label(by, g) for g in splits] + [page.text("frame_total"), page.text("share_frame")]
    for column in columns[1:]:
        per += [page.text(f"{column}_n"), page.text(f"share_{column}")]
    header = [page.tx(spec()["dimensions"].get(dimension, dimension))] + [x for _ in sectors for x in per]
    tb = page.table(block, header, rows, groups=[(page.sector(s), len(per)) for s in sectors])
    return {"caption": tb["title"], "source": page.source(block), "figure": "", "table": tb}


def population_by_block(page: Page, rep: pd.DataFrame, block: dict) -> dict:
    """002 Tab 4-8 and 4-9: the register population of one ``period`` by ``dimension`` (diagnosis group)
    and ``by`` (sex), per sector the ``by`` groups and their total, a sum row (OUT/representativeness.csv,
    the rows with ``by``). Each sector's table is a two-way table of counts (:func:`_hide_grid`)."""
    dimension, by = block["dimension"], block["by"]
    period = _period(rep, block["period"])
    rows_of = _two_way(rep, dimension, by)
    rows_of = rows_of[(rows_of["period"].astype(str) == period) & rows_of["population"].notna()]
    if "sectors" in block:
        rows_of = rows_of[rows_of["sector"].isin(block["sectors"])]
    if rows_of.empty:
        return _absent(page, block, f"{dimension} × {by}, {period}")
    sectors, groups, splits = _grid_axes(rows_of, block)
    cells: dict[str, list[list[str]]] = {}
    for sector in sectors:
        part = rows_of[rows_of["sector"] == sector]
        values = _grid(part, "population", groups, splits)
        cells[sector] = _grid_cells(page, values, _hide_grid(values))
    rows = _grid_rows(page, dimension, groups, sectors, cells)
    per = [page.group_label(by, g) for g in splits] + [page.text("total")]
    header = [page.tx(spec()["dimensions"].get(dimension, dimension))] + [x for _ in sectors for x in per]
    tb = page.table(block, header, rows, groups=[(page.sector(s), len(per)) for s in sectors])
    return {"caption": tb["title"], "source": page.source(block), "figure": "", "table": tb}


# --- additions ---------------------------------------------------------------------------------------


def weighted_block(page: Page, weighted: pd.DataFrame, block: dict) -> dict:
    rows = []
    w = weighted.copy()
    w["score"] = w["score"].astype(str)
    w["sector"] = w["sector"].astype(str)
    for (score, sector), g in w.groupby(["score", "sector"], sort=False):
        cells = []
        by = {str(r.design): r for r in g.itertuples(index=False)}
        n = float(g["n"].max())
        small = bool(RULE.is_small(n))
        cells.append(SYMBOL if small else page.num(n))
        for design in ("unweighted", "raked"):
            r = by.get(design)
            if r is None:
                cells += ["", "", ""]
            elif small:
                cells += [SYMBOL] * 3
            else:
                cells += [
                    page.num(r.estimate, 2),
                    page.num(r.se, 3),
                    f"{page.num(r.ci_low, 2)}–{page.num(r.ci_high, 2)}",
                ]
        rows.append({"label": f"{score}, {page.sector(sector)}", "cells": cells, "css": ""})
    header = [page.text("score"), page.text("n")] + [
        x for d in ("unweighted", "raked") for x in (page.text("estimate"), page.text("se"), page.text("ci95"))
    ]
    tb = page.table(
        block,
        header,
        rows,
        groups=[("", 1), (page.text("unweighted"), 3), (page.text("raked"), 3)],
    )
    return {"caption": tb["title"], "source": "", "figure": "", "table": tb}


def units_block(
    page: Page, units: pd.DataFrame, funnel: pd.DataFrame | None, scores: Scores | None, block: dict
) -> list[dict]:
    """Per score and sector: the unit table (hidden cells as the rule says) and its funnel plot."""
    u = units.copy()
    for c in ("score", "sector", "unit", "flag"):
        u[c] = u[c].astype(str)
    totals = {}
    if scores is not None:
        for score, sector in set(zip(u["score"], u["sector"])):
            r = scores.row.get((score, sector, "all", "all"))
            if r is not None and not r.hidden:
                totals[(score, sector)] = float(r.n)
    pub = hide_units(u, totals, RULE)
    out = []
    for (score, sector), g in pub.groupby(["score", "sector"], sort=False):
        g = g.sort_values("unit")
        rows, points = [], []
        for r in g.itertuples(index=False):
            if r.hidden:
                cells = [SYMBOL] * 5
            elif r.flag == "too_few":
                cells = [page.num(r.n), "", "", "", page.text("flag_too_few")]
            else:
                cells = [
                    page.num(r.n),
                    page.num(r.observed, 2),
                    page.num(r.expected, 2),
                    f"{page.num(r.adjusted, 2)} ({page.num(r.ci_low, 2)}–{page.num(r.ci_high, 2)})",
                    page.text(f"flag_{r.flag}") if f"flag_{r.flag}" in spec()["texts"] else r.flag,
                ]
                points.append(r)
            css = "hl" if page.unit is not None and r.unit == page.unit else ""
            rows.append({"label": r.unit, "cells": cells, "css": css})
        header = [
            page.text("unit"),
            page.text("n"),
            page.text("observed"),
            page.text("expected"),
            page.text("adjusted"),
            page.text("flag"),
        ]
        title = f"{page.caption(block)}: {page.score_label(score)}, {page.sector(sector)}"
        tb = page.table(block, header, rows, title=title)
        limits = None if funnel is None else funnel[(funnel["score"] == score) & (funnel["sector"] == sector)]
        figure = ""
        if points and limits is not None and not limits.empty:
            figure = funnel_figure(page, pd.DataFrame(points), limits, score, sector)
        out.append({"caption": title, "source": "", "figure": figure, "table": tb})
    return out


def funnel_figure(page: Page, points: pd.DataFrame, limits: pd.DataFrame, score: str, sector: str) -> str:
    """Adjusted score against n, with the 95 % and 99.8 % limits around the sector's national mean.

    The limits are those of ``units_funnel.csv`` (``forlop.survey.units.unit_funnel``: national mean
    +- z sigma / sqrt(n), sigma the residual SD of the case-mix model; docs/definitions.md, "Unit
    comparison"); the report only draws them.
    """
    limits = limits.sort_values("n")
    grid = limits["n"].to_numpy(dtype=float)
    mean = float(limits["target"].iloc[0])
    data = []
    for level, dash in (("95", "dash"), ("99.8", "dot")):
        shown = level.replace(".", ",") if page.lang == "nb" else level
        for side in ("lo", "hi"):
            data.append(
                {
                    "type": "scatter",
                    "x": grid,
                    "y": limits[f"{side}{level}"].to_numpy(dtype=float),
                    "mode": "lines",
                    "line": {"color": "#8c8c8c", "dash": dash, "width": 1},
                    "name": page.text("funnel_limit", level=shown),
                    "showlegend": side == "hi",
                    "hoverinfo": "skip",
                }
            )
    data.append(
        {
            "type": "scatter",
            "x": [float(grid[0]), float(grid[-1])],
            "y": [mean, mean],
            "mode": "lines",
            "line": {"color": "#1f4e79", "width": 1},
            "name": page.text("funnel_national"),
            "hoverinfo": "skip",
        }
    )
    marked = [page.unit is not None and u == page.unit for u in points["unit"]]
    data.append(
        {
            "type": "scatter",
            "x": points["n"],
            "y": points["adjusted"],
            "mode": "markers",
            "text": list(points["unit"]),
            "marker": {
                "color": ["#F15854" if m else "#1f4e79" for m in marked],
                "size": [13 if m else 8 for m in marked],
            },
            "name": page.text("funnel_units"),
            "hovertemplate": "%{text}: %{y:.2f} (n = %{x})<extra></extra>",
        }
    )
    layout = {
        "title": {
            "text": page.text("funnel_title", score=page.score_label(score), sector=page.sector(sector)),
            "font": {"size": 12},
        },
        "xaxis": {"title": {"text": page.text("funnel_x")}, "type": "log"},
        "yaxis": {"title": {"text": page.text("funnel_y")}},
    }
    return page.figure(data, layout, height=420)


def _absent(page: Page, block: dict, what: str) -> dict:
    return {
        "caption": page.caption(block),
        "source": page.source(block),
        "figure": "",
        "table": None,
        "note": page.text("missing_rows", what=what),
    }


# --- the page ----------------------------------------------------------------------------------------


def build_report(
    results: Path,
    html: Path,
    xlsx: Path | None = None,
    lang: str | None = None,
    unit: str | None = None,
    questionnaire: Questionnaire | None = None,
) -> ReportResult:
    """Write the report of the analysis folder ``results`` to ``html`` (and its tables to ``xlsx``)."""
    started = time.perf_counter()
    lang = lang or default_language()
    data = read_results(Path(results), lang)
    if unit is not None:
        known = set()
        for name in ("units.csv", "response.csv"):
            frame = data[name]
            if frame is not None:
                known |= {str(u) for u in frame["unit"] if not _blank(u)}
        if unit not in known:
            raise InputError("--unit", t("survey.report.unknown_unit", lang), example=", ".join(sorted(known)[:5]))
    page = Page(lang, derived_questionnaire(questionnaire or load(lang=lang)), unit)  # + L7a_L8a (analyse)
    freq = Frequencies(data["frequencies.csv"], page) if data["frequencies.csv"] is not None else None
    scores = Scores(data["scores.csv"]) if data["scores.csv"] is not None else None
    resp = hide_response(response_frame(data["response.csv"])) if data["response.csv"] is not None else None
    chapters = []
    for chapter in spec()["chapters"]:
        blocks = []
        for block in chapter["blocks"]:
            needed = NEEDS[block["kind"]]
            if data[needed] is None:
                blocks.append(
                    {
                        "caption": page.caption(block),
                        "source": page.source(block),
                        "figure": "",
                        "table": None,
                        "note": page.text("missing_file", file=needed),
                    }
                )
                continue
            blocks += [{"note": "", **b} for b in _render_block(page, block, data, freq, scores, resp)]
        chapters.append(
            {
                "id": chapter["id"],
                "title": (f"{chapter['number']} " if chapter.get("number") else "") + page.tx(chapter["title"]),
                "text": page.tx(chapter.get("text")),
                "addition": bool(chapter.get("addition")),
                "blocks": blocks,
            }
        )
    text = render(
        "forlop.survey",
        "report.html.j2",
        lang=lang,
        text=page.text,
        plotly_js=get_plotlyjs(),
        template=_js(pio.templates["simple_white"].to_plotly_json()),
        symbol=SYMBOL,
        chapters=chapters,
        choices=[page.tx(c) for c in spec()["choices"]],
        unit=unit,
        source=cite("002", lang, full=True),
        generated=dt.date.today().isoformat(),
        references=references({"002"}, lang),
    )
    html = Path(html)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(text, encoding="utf-8")
    out_xlsx = write_excel(Path(xlsx), page.tables) if xlsx is not None else None
    return ReportResult(
        html=html,
        xlsx=out_xlsx,
        tables=len(page.tables),
        figures=page.figures,
        hidden_cells=sum(tb["hidden"] for tb in page.tables),
        seconds=time.perf_counter() - started,
    )


def _render_block(
    page: Page,
    block: dict,
    data: dict[str, pd.DataFrame | None],
    freq: Frequencies | None,
    scores: Scores | None,
    resp: pd.DataFrame | None,
) -> list[dict]:
    kind = block["kind"]
    maker: dict[str, Callable[..., dict]]
    if kind in ("response", "sector_shares", "unit_response"):
        maker = {"response": response_block, "sector_shares": sector_shares_block, "unit_response": unit_response_block}
        return [maker[kind](page, resp, block)]
    if kind in ("items_table", "item", "share_items", "share_by", "item_by", "group_distribution"):
        maker = {
            "items_table": items_table_block,
            "item": item_block,
            "share_items": share_items_block,
            "share_by": share_by_block,
            "item_by": item_by_block,
            "group_distribution": group_distribution_block,
        }
        return [maker[kind](page, freq, block)]
    if kind in ("scores", "scores_by", "scores_grid"):
        assert scores is not None  # build_report renders these blocks only when scores.csv exists
        maker = {"scores": scores_block, "scores_by": scores_by_block, "scores_grid": scores_grid_block}
        return [maker[kind](page, scores, block)]
    if kind == "alpha":
        return [alpha_block(page, data["alpha.csv"], block)]
    if kind == "regression":
        return [regression_block(page, data["regressions.csv"], block)]
    if kind == "weighted":
        return [weighted_block(page, data["weighted.csv"], block)]
    if kind == "units":
        return units_block(page, data["units.csv"], data["units_funnel.csv"], scores, block)
    if kind == "frame_profile":
        profile = data["frame_profile.csv"]
        return [frame_by_block(page, profile, block) if "by" in block else frame_profile_block(page, profile, block)]
    if kind == "representativeness":
        return representativeness_block(page, data["representativeness.csv"], block)
    if kind == "population_by":
        return [population_by_block(page, data["representativeness.csv"], block)]
    raise ValueError(f"report.yaml: unknown block kind {kind!r}")


def write_excel(path: Path, tables: list[dict]) -> Path:
    """The report's tables, one sheet each (the title in the first row; hidden numbers as *)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        names: set[str] = set()
        for table in tables:
            name, k = table["id"][:31], 2
            while name in names:
                name, k = f"{table['id'][:28]}-{k}", k + 1
            names.add(name)
            header = _unique(table["header"])
            body = [[r["label"], *r["cells"]] for r in table["rows"]] + [
                [f["label"], *f["cells"]] for f in table.get("foot", [])
            ]
            frame = pd.DataFrame(body, columns=header)
            frame.to_excel(writer, sheet_name=name, index=False, startrow=1)
            writer.sheets[name].cell(row=1, column=1, value=table["title"])
    return path


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out
