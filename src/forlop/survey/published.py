"""Which numbers of the survey results may be published: 002's threshold through ``forlop.privacy``.

Rule (002 §4, tables 4-2, 4-3, 4-8, 4-9: counts under 10 are shown as ``*``; DESIGN.md "Privacy"):
``RULE = Rule(max_small=9, symbol="*")``. A share is hidden when its count, its base n or the rest
(n - count) is 1-9 (:func:`forlop.privacy.base_and_primary`, unit ``share``): no share rests on fewer
than 10 answers and "98 of 100" does not tell about the other 2. A mean is hidden when its n is 1-9.

Complementary cells: the counts of one table are given to :func:`forlop.privacy.suppress` with the
additive relations a reader knows, so that a hidden count cannot be worked out from n and the other
options:

- the options of a single-choice item add up to its n (per sector and group); the options of a
  multiple-choice item do not (a respondent ticks several);
- the groups of a *partition* breakdown (each respondent in one group: age group, severity; not the
  multi-response diagnosis groups) add up to the sector's whole; respondents outside every group
  (unknown age) make an unpublished rest cell, which is protected when it is small itself;
- sectors add up to ``all`` when the results have it;
- in OUT/response.csv: unreachable + reached = frame, declined + no answer + answered = reached, the
  units of a sector add up to the sector, the sectors to the total.

The cells and lines are collected in :class:`forlop.privacy.Cells`, which suppresses each
independent part of the table on its own (rules there).
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from forlop.privacy import Cells, Rule, base_and_primary

#: 002's publication rule: counts of 1-9 are shown as "*".
RULE = Rule(max_small=9, symbol="*")
SECTOR_TOTAL = "all"
#: What a report shows besides the whole sectors: (item or score, breakdown, group), group None = every group.
Shown = set[tuple[str, str, str | None]]


def shown_rows(names: pd.Series, breakdowns: pd.Series, groups: pd.Series, published: Shown) -> pd.Series:
    """True for the rows a reader sees: every ``all`` row, and the (name, breakdown, group) in ``published``.

    A group left out of ``published`` (a figure shows one group of a breakdown) takes no part in the
    lines: with the other groups of its breakdown it falls into the line's unpublished rest, which
    :class:`forlop.privacy.Cells` protects when it is small.
    """
    keys = zip(names.astype(str), breakdowns.astype(str), groups.astype(str))
    shown = [b == "all" or (i, b, None) in published or (i, b, g) in published for i, b, g in keys]
    return pd.Series(shown, index=names.index)


def hide_frequencies(
    freq: pd.DataFrame,
    multiple: set[str],
    partitions: set[str],
    rule: Rule = RULE,
    published: Shown | None = None,
) -> pd.DataFrame:
    """OUT/frequencies.csv with ``hidden`` (the share of the row) and ``n_hidden`` (its n).

    ``multiple``: items whose options do not add up to n; ``partitions``: breakdowns whose groups do.
    A share is also hidden when its n is (a published share and count would give the hidden n).
    ``published``: what a reader sees besides every item's ``all`` rows (:func:`shown_rows`; None: all);
    the other rows are not published, so they are hidden and take no part in the lines.
    """
    out = freq.copy()
    if published is not None:
        shown = shown_rows(out["item"], out["breakdown"], out["group"], published)
        rest = out[~shown].assign(hidden=True, n_hidden=True)
        return pd.concat([hide_frequencies(out[shown], multiple, partitions, rule), rest]).loc[freq.index]
    cells = Cells()
    row_cells: list[tuple[int, int, int]] = []  # (row index, count cell, n cell)
    for item, rows in out.groupby("item", sort=False):
        count_cell: dict[tuple[str, ...], int] = {}
        n_cell: dict[tuple[str, ...], int] = {}
        for idx, r in zip(rows.index, rows.itertuples(index=False)):
            key: tuple[str, ...] = (str(r.sector), str(r.breakdown), str(r.group))
            if key not in n_cell:
                n_cell[key] = cells.add(r.n, bool(np.isfinite(r.n) and rule.is_small(r.n)))
            count = float(r.count)
            first = base_and_primary("share", count, float(r.n), np.nan, rule)[1]
            c = cells.add(count, first)
            count_cell[(*key, str(r.option))] = c
            row_cells.append((idx, c, n_cell[key]))
        options = sorted({k[3] for k in count_cell})
        if str(item) not in multiple:
            for key, n in n_cell.items():
                cells.line([count_cell[(*key, o)] for o in options if (*key, o) in count_cell], n, rule)
        sectors = sorted({k[0] for k in n_cell})
        breakdowns = sorted({k[1] for k in n_cell})
        for sector in sectors:
            for bd in breakdowns:
                if bd not in partitions:
                    continue
                groups = sorted({k[2] for k in n_cell if k[0] == sector and k[1] == bd})
                whole = n_cell.get((sector, "all", "all"))
                cells.line([n_cell[(sector, bd, g)] for g in groups], whole, rule)
                for o in options:
                    parts = [count_cell[(sector, bd, g, o)] for g in groups if (sector, bd, g, o) in count_cell]
                    cells.line(parts, count_cell.get((sector, "all", "all", o)), rule)
        if SECTOR_TOTAL in sectors:
            parts_of = [s for s in sectors if s != SECTOR_TOTAL]
            for key, n in n_cell.items():
                if key[0] != SECTOR_TOTAL:
                    continue
                rest = key[1:]
                cells.line([n_cell[(s, *rest)] for s in parts_of if (s, *rest) in n_cell], n, rule)
                for o in options:
                    parts = [count_cell[(s, *rest, o)] for s in parts_of if (s, *rest, o) in count_cell]
                    cells.line(parts, count_cell.get((*key, o)), rule)
    hidden = cells.solve(rule)
    positions = [out.index.get_loc(idx) for idx, _, _ in row_cells]
    n_hidden = np.ones(len(out), dtype=bool)
    share_hidden = np.ones(len(out), dtype=bool)
    n_hidden[positions] = hidden[[n for _, _, n in row_cells]]
    share_hidden[positions] = hidden[[c for _, c, _ in row_cells]] | n_hidden[positions]
    out["hidden"] = share_hidden
    out["n_hidden"] = n_hidden
    return out


def hide_means(
    scores: pd.DataFrame, partitions: set[str], rule: Rule = RULE, published: Shown | None = None
) -> pd.DataFrame:
    """OUT/scores.csv with ``hidden``: a mean (with its n, sd and CI) rests on fewer than 10 answers,
    or its n could be worked out from the other groups' n and the whole. ``published`` as for
    :func:`hide_frequencies` (score, breakdown, group)."""
    out = scores.copy()
    if published is not None:
        shown = shown_rows(out["score"], out["breakdown"], out["group"], published)
        rest = out[~shown].assign(hidden=True)
        return pd.concat([hide_means(out[shown], partitions, rule), rest]).loc[scores.index]
    cells = Cells()
    row_cell: dict[Hashable, int] = {}
    for _, rows in out.groupby("score", sort=False):
        cell: dict[tuple, int] = {}
        for idx, r in zip(rows.index, rows.itertuples(index=False)):
            n = float(r.n)
            cell[(str(r.sector), str(r.breakdown), str(r.group))] = cells.add(n, bool(rule.is_small(n)))
            cell[("row", idx)] = cell[(str(r.sector), str(r.breakdown), str(r.group))]
        keys = [k for k in cell if k[0] != "row"]
        for sector in sorted({k[0] for k in keys}):
            for bd in sorted({k[1] for k in keys if k[0] == sector} & partitions):
                groups = [k for k in keys if k[0] == sector and k[1] == bd]
                cells.line([cell[g] for g in groups], cell.get((sector, "all", "all")), rule)
        if any(k[0] == SECTOR_TOTAL for k in keys):
            for k in keys:
                if k[0] == SECTOR_TOTAL:
                    parts = [
                        cell[(s, k[1], k[2])] for s in {j[0] for j in keys} - {SECTOR_TOTAL} if (s, k[1], k[2]) in cell
                    ]
                    cells.line(parts, cell[k], rule)
        row_cell.update({idx: cell[("row", idx)] for idx in rows.index})
    hidden = cells.solve(rule)
    out["hidden"] = [bool(hidden[row_cell[idx]]) for idx in out.index]
    return out


RESPONSE_COUNTS = ["frame", "unreachable", "reached", "declined", "no_answer", "answered"]


def hide_response(
    response: pd.DataFrame, rule: Rule = RULE, unit_columns: tuple[str, ...] = ("frame", "answered")
) -> pd.DataFrame:
    """The response table (one row per sector, unit rows of a sector, a total row) with ``<count>_hidden``.

    Expects a ``level`` column: ``unit``, ``sector`` or ``total`` (the report adds it), and ``sector``.
    ``unit_columns``: the counts published per unit (002 tables 4-2, 4-3). A unit's other counts are
    published nowhere and are left out (hidden): no published number and no line pins them down,
    since each of them is linked to the published ones only through another unpublished count.
    """
    out = response.reset_index(drop=True).copy()
    cells = Cells()
    cell: dict[tuple[int, str], int] = {}
    for i, r in out.iterrows():
        columns = unit_columns if r["level"] == "unit" else RESPONSE_COUNTS
        for col in columns:
            v = float(r[col])
            cell[(i, col)] = cells.add(v, bool(np.isfinite(v) and rule.is_small(v)))
        if r["level"] != "unit":
            cells.line([cell[(i, "unreachable")], cell[(i, "reached")]], cell[(i, "frame")], rule)
            cells.line([cell[(i, c)] for c in ("declined", "no_answer", "answered")], cell[(i, "reached")], rule)
    total = out.index[out["level"] == "total"]
    sectors = out.index[out["level"] == "sector"]
    for col in RESPONSE_COUNTS:
        if len(total):
            cells.line([cell[(i, col)] for i in sectors], cell[(total[0], col)], rule)
        if col not in unit_columns:
            continue
        for s in sectors:
            units = out.index[(out["level"] == "unit") & (out["sector"] == out.at[s, "sector"])]
            cells.line([cell[(i, col)] for i in units], cell[(s, col)], rule)
    hidden = cells.solve(rule)
    for col in RESPONSE_COUNTS:
        out[f"{col}_hidden"] = [bool(hidden[cell[(i, col)]]) if (i, col) in cell else True for i in out.index]
    return out


def hide_counts(values: np.ndarray, rule: Rule = RULE) -> np.ndarray:
    """Hidden flags of ``values`` (groups that split a whole) and of their sum (the last flag)."""
    cells = Cells()
    parts = [cells.add(float(v), bool(rule.is_small(float(v)))) for v in values]
    cells.line(parts, cells.add(float(np.sum(values)), bool(rule.is_small(float(np.sum(values))))), rule)
    return cells.solve(rule)


def hide_units(units: pd.DataFrame, totals: dict[tuple[str, str], float], rule: Rule = RULE) -> pd.DataFrame:
    """OUT/units.csv with ``hidden``: a unit's n is 1-9, or could be worked out from the sector's n
    (``totals``: (score, sector) -> n published in the score tables) and the other units."""
    out = units.copy()
    out["hidden"] = True
    for (score, sector), rows in out.groupby(["score", "sector"], sort=False):
        cells = Cells()
        parts = [cells.add(float(n), bool(rule.is_small(float(n)))) for n in rows["n"]]
        whole = totals.get((str(score), str(sector)))
        if whole is not None and np.isfinite(whole):
            cells.line(parts, cells.add(whole, False, fixed=True), rule)
        hidden = cells.solve(rule)
        out.loc[rows.index, "hidden"] = hidden[: len(parts)]
    return out
