"""Suppression across indicators: figures whose categories split a published total.

:class:`forlop.report.publish.Publisher` suppresses one indicator (family) at a time, over its own
lines (groups add up to the total). Some figures add a line *between* indicators: the categories of
001 figure 4 (1, 2, 3, more than 3 readmissions) add up to the patients with a readmission (001
table 6), those of figure 14 (first contact) and figure 19 (type of contact) to the cohort, those of
figure 18 (collaboration meetings) to the patients with a meeting (figure 17). With one segment of
such a bar hidden, the reader gets it back as total minus the others. This module treats each such
figure as a two-way table and runs the same suppression (:func:`forlop.privacy.suppress`)
on it:

- rows: every group of the series' breakdown (all diagnosis groups, also those the figure does not
  show) and ``all``. Cells of groups the figure does not show are unknowns to the reader
  (``free``), protected only if they are 1-4 themselves (they could be worked out by differencing);
- columns: the categories, the rest (only if the spec has ``other``: combinations not listed,
  drawn as one segment when nothing in its bar is hidden; taken as known, hidden if 1-4) and the
  row total (``partition`` in the spec: the indicator and field
  that hold it; always treated as known, which is the stricter assumption);
- lines: each row's categories (+ rest) add up to its total; each column's groups add up to ``all``.

Cells it hides beyond what the publisher already hides are handed back per indicator; the caller
forces them on the publisher (:meth:`Publisher.force`) and repeats until nothing changes
(:func:`settle`), so one number is hidden the same way everywhere in the report.

Written here, not taken from a library, for the reason given in :mod:`forlop.privacy.suppression`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from forlop.report.publish import Publisher
from forlop.privacy import Line, is_small, suppress

Key = tuple[str, str]


def _rows(item: dict, spec: dict, pub: Publisher) -> tuple[list[Key], set[Key]]:
    """(all rows of the two-way table, rows the figure shows)."""
    raw = item.get("series", "selected_groups")
    if raw == "selected_groups":
        raw = spec["selected_groups"]
    shown: set[Key] = set()
    breakdowns: set[str] = set()
    for s in raw:
        if isinstance(s, str):
            key = ("all", "all") if s == "all" else ("diagnosis_group", s)
        else:
            key = (s["breakdown"], str(s["group"]))
        shown.add(key)
        if key[0] != "all":
            breakdowns.add(key[0])
    first = item["categories"][0]["indicator"]
    rows = [("all", "all")]
    for b in sorted(breakdowns):
        rows += [(b, g) for g in pub.results.groups(first, b)]
    return rows, shown


def partition_extra(item: dict, spec: dict, pub: Publisher) -> dict[str, set[Key]]:
    """Cells (per indicator) that must be hidden so no hidden segment of ``item`` can be recovered."""
    cats = [c["indicator"] for c in item["categories"] if not c.get("complement")]
    total_ind = item["partition"]["indicator"]
    total_field = item["partition"].get("field", "numerator")
    rows, shown = _rows(item, spec, pub)
    has_rest = "other" in item
    n_cols = len(cats) + (1 if has_rest else 0) + 1
    values = np.zeros((len(rows), n_cols))
    primary = np.zeros_like(values, dtype=bool)
    free = np.zeros_like(values, dtype=bool)
    res = pub.results
    for i, (b, g) in enumerate(rows):
        total_row = res.get(total_ind, b, g)
        total = float(getattr(total_row, total_field)) if total_row is not None else 0.0
        for j, ind in enumerate(cats):
            row = res.get(ind, b, g)
            values[i, j] = float(row.numerator) if row is not None else 0.0
            primary[i, j] = pub.hidden(ind, b, g) if (b, g) in shown else bool(is_small(values[i, j:j + 1])[0])
            free[i, j] = (b, g) not in shown
        if has_rest:
            rest = max(0.0, total - values[i, :len(cats)].sum())
            values[i, len(cats)] = rest
            primary[i, len(cats)] = bool(is_small(np.array([rest]))[0])
            free[i, len(cats)] = (b, g) not in shown
        values[i, -1] = total
    flat = values.ravel()
    lines = [Line(tuple(i * n_cols + j for j in range(n_cols - 1)), i * n_cols + n_cols - 1) for i in range(len(rows))]
    by_breakdown: dict[str, list[int]] = {}
    for i, (b, _) in enumerate(rows):
        if b != "all":
            by_breakdown.setdefault(b, []).append(i)
    for members in by_breakdown.values():
        for j in range(n_cols):
            lines.append(Line(tuple(i * n_cols + j for i in members), j))  # row 0 is ("all", "all")
    result = suppress(flat, lines, primary=primary.ravel(), free=free.ravel())
    hidden = result.suppressed.reshape(values.shape)
    extra: dict[str, set[Key]] = {}
    for i, key in enumerate(rows):
        if key not in shown:
            continue
        for j, ind in enumerate(cats):
            if hidden[i, j] and not primary[i, j]:
                extra.setdefault(ind, set()).add(key)
        if hidden[i, -1]:
            extra.setdefault(total_ind, set()).add(key)
    return extra


def settle(pub: Publisher, sources: list[Callable[[], dict[str, set[Key]]]], limit: int = 20) -> int:
    """Force the extra hidden cells of every source on ``pub`` until no source asks for more.

    Each round only adds hidden cells, so the loop ends; ``limit`` guards against a bug. Returns
    the number of rounds."""
    for rounds in range(1, limit + 1):
        changed = False
        for source in sources:
            for indicator, keys in source().items():
                new = {k for k in keys if not pub.hidden(indicator, *k)}
                if new:
                    pub.force(indicator, new)
                    changed = True
        if not changed:
            return rounds
    raise RuntimeError("report suppression did not settle")
