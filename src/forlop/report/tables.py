"""The report's tables, built from the spec and the engine's indicators, with suppression applied.

Every table is a :class:`PublishedTable`: the strings a reader sees (hidden cells as the chosen
symbol) and, beside them, the numbers an analyst gets in Excel (None where hidden). Which cells
are hidden is decided per indicator by :class:`forlop.report.publish.Publisher`; a table then
hides a whole *block* (e.g. N, %, mean and median of one service) in a row if any of its cells is
hidden, and re-runs complementary suppression on the table's own columns so that its Total row
cannot give a hidden cell away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forlop.i18n import format_number, t
from forlop.report.publish import Publisher
from forlop.report.spec import diagnosis_order, geography_order, group_labels, text
from forlop.privacy import Line, column_lines, is_small, row_lines, suppress


@dataclass
class PublishedTable:
    """One table as published: title, source, definition, header rows and body."""

    id: str
    title: str
    source: str
    definition: str
    headers: list[list[tuple[str, int]]]  # header rows of (label, colspan)
    rows: list[list[str]]  # first cell = row label
    numbers: list[list[float | None]]  # same shape as rows minus the label; None = hidden/absent
    kinds: list[str] = field(default_factory=list)  # 'data', 'total', 'heading' per row
    hidden: int = 0  # number of hidden cells
    hidden_keys: set = field(default_factory=set)  # (breakdown, group) of hidden counts (table A)



def _cell(pub: Publisher, indicator: str, breakdown: str, group: str, show: str
          ) -> tuple[float | None, bool, float]:
    """(shown number, hidden?, additive base) of one cell."""
    row = pub.results.get(indicator, breakdown, group)
    if row is None:
        return None, True, np.nan
    hidden = pub.hidden(indicator, breakdown, group)
    base = {"count": row.value, "share": row.numerator, "mean": row.numerator,
            "rate_per_10000": row.numerator}.get(row.unit, np.nan)
    if show == "n":
        number = row.value if row.unit == "count" else row.numerator
    elif show == "n_complement":
        number = row.denominator - row.numerator
        base = number
    elif show == "pct":
        number = row.value * 100
    elif show == "pct_complement":
        number = 100 - row.value * 100
    elif show == "denominator":
        number = row.denominator
    else:  # mean, median, value
        number = row.value
    return (None if hidden else float(number)), hidden, float(base) if base is not None else np.nan


def _resuppress(bases: np.ndarray, hidden: np.ndarray, total_row: int | None) -> np.ndarray:
    """Complementary suppression of each additive column against the table's Total row."""
    if total_row is None:
        return hidden
    n_rows, n_cols = bases.shape
    out = hidden.copy()
    for j in range(n_cols):
        column = bases[:, j]
        if not np.isfinite(column).all():
            continue
        lines = column_lines(n_rows, 1, total_row)
        result = suppress(column, lines, primary=hidden[:, j])
        out[:, j] = result.suppressed
    return out


def build_table(item: dict, pub: Publisher, lang: str) -> PublishedTable:
    """001 tables 1-11: rows are the groups of a breakdown plus Total, columns are indicators."""
    breakdown = item["rows"]
    columns = item["columns"]
    order = diagnosis_order() if breakdown == "diagnosis_group" else pub.results.groups(columns[0]["indicator"], breakdown)
    labels = group_labels(lang)
    groups = [g for g in order if pub.results.get(columns[0]["indicator"], breakdown, g) is not None]
    keys = [(breakdown, g) for g in groups] + [("all", "all")]
    n_rows, n_cols = len(keys), len(columns)
    numbers = np.full((n_rows, n_cols), np.nan)
    hidden = np.zeros((n_rows, n_cols), dtype=bool)
    bases = np.full((n_rows, n_cols), np.nan)
    for i, (b, g) in enumerate(keys):
        for j, col in enumerate(columns):
            number, is_hidden, base = _cell(pub, col["indicator"], b, g, col["show"])
            if col.get("total_pct") is not None and b == "all":
                number, is_hidden, base = float(col["total_pct"]), False, np.nan
            numbers[i, j] = np.nan if number is None else number
            hidden[i, j] = is_hidden
            if col["show"] in ("n", "mean"):
                bases[i, j] = base
    blocks: dict[str, list[int]] = {}
    for j, col in enumerate(columns):
        blocks.setdefault(col.get("block", str(j)), []).append(j)
    additive = [j for j, c in enumerate(columns) if c["show"] in ("n", "mean")]
    while True:  # block union, then complementary suppression on the table's own Total row
        before = hidden.copy()
        for cols in blocks.values():
            hidden[:, cols] = hidden[:, cols].any(axis=1, keepdims=True)
        if additive:
            sub = _resuppress(bases[:, additive], hidden[:, additive], n_rows - 1)
            hidden[:, additive] = sub
        if (hidden == before).all():
            break
    symbol = pub.symbol
    row_labels = item.get("row_labels", {})
    rows, out_numbers, kinds = [], [], []
    for i, (b, g) in enumerate(keys):
        label = text(row_labels.get(g), lang) if g in row_labels else (
            t("report.label.total", lang) if b == "all" else labels.get((b, g), g))
        cells, nums = [label], []
        for j in range(len(columns)):
            value = None if hidden[i, j] or not np.isfinite(numbers[i, j]) else float(numbers[i, j])
            # Not hidden but undefined (a share of 0 patients): empty, not the suppression symbol.
            undefined = value is None and not hidden[i, j]
            cells.append("" if undefined else format_number(value, 0, lang, symbol))
            nums.append(value)
        rows.append(cells)
        out_numbers.append(nums)
        kinds.append("total" if b == "all" else "data")
    headers = []
    if any("group_nb" in c for c in columns):
        top: list[tuple[str, int]] = [("", 1)]
        for col in columns:
            if "group_nb" in col:
                top.append((col["group_" + lang] if ("group_" + lang) in col else col["group_nb"], 1))
            else:
                label, span = top[-1]
                top[-1] = (label, span + 1)
        headers.append(top)
    headers.append([(item.get("row_label_" + lang, ""), 1)] + [(text(c, lang), 1) for c in columns])
    return PublishedTable(id=item["id"], title=text(item, lang), source=item["source"],
                          definition=text(item.get("definition"), lang), headers=headers, rows=rows,
                          numbers=out_numbers, kinds=kinds, hidden=int(hidden.sum()))


def build_compare(item: dict, pub: Publisher, lang: str) -> PublishedTable:
    """001 tables 12-14: rows are indicators, columns are groups (with and without ...)."""
    columns = item["columns"]
    symbol = pub.symbol
    header = [("", 1)]
    for col in columns:
        n = pub.value("patients", col["breakdown"], col["group"])
        header.append((text(col, lang).replace("{n}", format_number(n, 0, lang, symbol)), 1))
    rows, kinds = [], []
    numbers: list[list[float | None]] = []
    n_hidden = 0
    for spec_row in item["rows"]:
        if "heading" in spec_row:
            rows.append([text(spec_row["heading"], lang)] + [""] * len(columns))
            numbers.append([None] * len(columns))
            kinds.append("heading")
            continue
        cells = [text(spec_row, lang)]
        nums: list[float | None] = []
        for col in columns:
            b, g = col["breakdown"], col["group"]
            value, hidden, _ = _cell(pub, spec_row["indicator"], b, g, spec_row["show"].replace("mean_median", "mean"))
            if spec_row["show"] == "mean_median":
                median, hidden_m, _ = _cell(pub, spec_row["median"], b, g, "median")
                if hidden or hidden_m or value is None or median is None:
                    cells.append(symbol)
                    nums.append(None)
                    n_hidden += 1
                else:
                    cells.append(f"{format_number(value, 0, lang, symbol)} ({format_number(median, 0, lang, symbol)})")
                    nums.append(value)
                continue
            n_hidden += int(hidden)
            cells.append(format_number(value, 0, lang, symbol))
            nums.append(value)
        rows.append(cells)
        numbers.append(nums)
        kinds.append("data")
    return PublishedTable(id=item["id"], title=text(item, lang), source=item["source"],
                          definition=text(item.get("definition"), lang), headers=[header], rows=rows,
                          numbers=numbers, kinds=kinds, hidden=n_hidden)


def build_flow(item: dict, pub: Publisher, lang: str, steps: dict) -> PublishedTable:
    """The cohort flow of 001 §4.1 (OUT/cohort_flow.csv), with small-cell suppression.

    Persons of 1-4 are hidden, and the one additive relation of the flow is protected: those who
    died within 365 days plus the cohort are the persons with a completed stay. The cohort is
    table 1's total (published there unless the patients' total is hidden), so a hidden death
    count is protected by hiding the persons with a completed stay, never the cohort."""
    flow = pub.results.flow
    steps_in = [str(s) for s in flow["step"]]
    values = flow["persons"].to_numpy(dtype=float)
    lines = []
    if {"with_completed_stay", "died_within_365", "cohort"} <= set(steps_in):
        at = steps_in.index
        lines.append(Line((at("died_within_365"), at("cohort")), at("with_completed_stay")))
    primary = is_small(values)
    fixed = np.zeros(values.size, dtype=bool)
    if "cohort" in steps_in:
        cohort = steps_in.index("cohort")
        primary[cohort] |= pub.hidden("patients", "all", "all")
        fixed[cohort] = not primary[cohort]
    hidden = suppress(values, lines, primary=primary, fixed=fixed).suppressed
    rows, numbers = [], []
    for i, r in enumerate(flow.itertuples(index=False)):
        number = None if hidden[i] else float(values[i])
        rows.append([text(steps.get(r.step), lang) or r.step, format_number(number, 0, lang, pub.symbol)])
        numbers.append([number])
    header = [(t("report.label.selection_step", lang), 1), (t("report.label.persons", lang), 1)]
    return PublishedTable(id=item["id"], title=text(item, lang), source=item["source"], definition="",
                          headers=[header], rows=rows, numbers=numbers, kinds=["data"] * len(rows),
                          hidden=int(hidden.sum()))


def build_geo_table(item: dict, pub: Publisher, lang: str) -> PublishedTable:
    """001 table A: patients by residence (regions, unknown residence, country, health communities)
    and diagnosis.

    Its own two-way suppression: every row adds up over the diagnosis columns (selected groups +
    'other diagnoses' = total); health communities add up to their region; regions and unknown
    residence add up to the country, which is the whole cohort of 001 table 1. Unlike 001 (whose
    'Hele landet' leaves out unknown residence and so, beside table 1, gives away how many of those
    few patients have each diagnosis), the patients with unknown residence are a row of their own,
    suppressed like any other.
    """
    regions, hcs = geography_order()
    groups = item["groups"]
    res = pub.results
    has_unknown = res.get("patients", "region", "missing") is not None
    row_keys: list[tuple[str, str]] = [("region", r) for r in regions] + \
        ([("region", "missing")] if has_unknown else []) + [("country", "")] + \
        [("health_community", h) for h, _ in hcs]
    n_parts = len(regions) + (1 if has_unknown else 0)  # rows that add up to the country
    country = n_parts
    n_cols = len(groups) + 2  # total, groups..., other
    values = np.zeros((len(row_keys), n_cols))
    absent = np.zeros(values.shape, dtype=bool)  # not in indicators.csv: unknown to a reader, not shown
    for i, (kind, name) in enumerate(row_keys):
        keys = [("all", "all") if kind == "country" else (kind, name)]
        keys += [("diagnosis_group", g) if kind == "country" else (f"{kind}_x_diagnosis_group", f"{name}|{g}")
                 for g in groups]
        for j, key in enumerate(keys):
            row = res.get("patients", *key)
            values[i, j] = float(row.value) if row is not None else 0.0
            absent[i, j] = row is None
    values[:, -1] = values[:, 0] - values[:, 1:-1].sum(axis=1)
    absent[:, -1] = absent[:, :-1].any(axis=1)  # 'other diagnoses' is known only if the rest of its row is
    flat = values.ravel()
    lines = []
    for i in range(len(row_keys)):  # row: groups + other = total
        lines.append(Line(tuple(i * n_cols + j for j in range(1, n_cols)), i * n_cols))
    for j in range(n_cols):
        lines.append(Line(tuple(i * n_cols + j for i in range(n_parts)), country * n_cols + j))
        for r_index, region in enumerate(regions):
            parts = tuple((n_parts + 1 + k) * n_cols + j for k, (_, reg) in enumerate(hcs) if reg == region)
            lines.append(Line(parts, r_index * n_cols + j))
    primary = np.zeros(flat.size, dtype=bool)
    for i, (kind, name) in enumerate(row_keys):  # consistency with the rest of the report
        if kind == "country":
            primary[i * n_cols] |= pub.hidden("patients", "all", "all")
            for j, g in enumerate(groups):
                primary[i * n_cols + 1 + j] |= pub.hidden("patients", "diagnosis_group", g)
            continue
        primary[i * n_cols] |= pub.hidden("patients", kind, name)
        for j, g in enumerate(groups):
            primary[i * n_cols + 1 + j] |= pub.hidden("patients", f"{kind}_x_diagnosis_group", f"{name}|{g}")
    primary |= is_small(flat) & ~absent.ravel()
    result = suppress(flat, lines, primary=primary, free=absent.ravel())
    hidden = result.suppressed.reshape(values.shape)
    labels = group_labels(lang)
    rows, numbers, kinds = [], [], []
    for i, (kind, name) in enumerate(row_keys):
        if kind == "country":
            label = t("report.label.whole_country", lang)
        elif name == "missing":
            label = t("report.label.residence_unknown", lang)
        else:
            label = labels.get((kind, name), name)
        nums = [None if hidden[i, j] else float(values[i, j]) for j in range(n_cols)]
        rows.append([label] + ["" if absent[i, j] else format_number(v, 0, lang, pub.symbol) for j, v in enumerate(nums)])
        numbers.append(nums)
        kinds.append("total" if kind in ("country", "region") and name != "missing" else "data")
    header = [(t("report.label.region_health_community", lang), 1),
              (text(item["total"], lang), 1)] + [(labels[("diagnosis_group", g)], 1) for g in groups] + \
        [(text(item["other"], lang), 1)]
    note = t("report.label.geo_table_note", lang)
    hidden_keys: set[tuple[str, str]] = set()
    for i, (kind, name) in enumerate(row_keys):
        if kind == "country":
            if hidden[i, 0]:
                hidden_keys.add(("all", "all"))
            hidden_keys.update(("diagnosis_group", g) for j, g in enumerate(groups) if hidden[i, 1 + j])
            continue
        if hidden[i, 0] and not absent[i, 0]:
            hidden_keys.add((kind, name))
        for j, g in enumerate(groups):
            if hidden[i, 1 + j] and not absent[i, 1 + j]:
                hidden_keys.add((f"{kind}_x_diagnosis_group", f"{name}|{g}"))
    return PublishedTable(id=item["id"], title=text(item, lang), source=item["source"], definition=note,
                          headers=[header], rows=rows, numbers=numbers, kinds=kinds, hidden=int((hidden & ~absent).sum()),
                          hidden_keys=hidden_keys)



__all__ = ["PublishedTable", "build_compare", "build_flow", "build_geo_table", "build_table", "row_lines"]
