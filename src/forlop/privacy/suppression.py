"""Small-cell suppression of one table: primary and complementary (DESIGN.md "Privacy").

The rule (:mod:`forlop.privacy.rule`): a published table never shows a small count (1-4 by
default), nor a share, mean or any figure built on one. Zero is shown (it discloses nobody).
Complementary cells are suppressed too, so that no suppressed value can be worked out from totals.

A table is given to :func:`suppress` as a flat vector of non-negative counts plus its *lines*: an
additive relation ``sum(components) == total`` between cells (a column of diagnosis groups and its
"Total" row; a row of diagnosis groups and its "Total" column; the health communities of a region
and the region; the regions and the country). Means are made additive by publishing them as
``sum = mean * n`` for the purpose of suppression, shares by their numerators.

Algorithm (the classic "hypercube-free" heuristic, then a check by attack):

1. Primary: every small cell is suppressed.
2. Complementary: while some line has exactly one suppressed cell, suppress in that line the
   smallest *positive* component that is not yet suppressed (zeros are never used as
   complements, see the attacker model); if none is left, the line's total.
3. Audit: :func:`forlop.privacy.audit.exposed_cells` computes, for each suppressed cell, the
   smallest and largest value the published table allows (integer programming). A cell whose
   interval is narrower than ``rule.min_width`` is exposed; the smallest positive unsuppressed
   component of one of its lines is then suppressed and steps 2-3 repeat. Each round suppresses at
   least one more cell, so the loop ends: either the audit proves every hidden cell safe, or no
   cell is left to hide, and then :class:`SuppressionError` stops the run. A table with an exposed
   cell is never returned.

Written by hand because no maintained Python library does cell suppression (sdcTable and
tau-Argus are R/Java); the programs that check it are scipy's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forlop.errors import SuppressionError
from forlop.privacy.audit import Line, exposed_cells
from forlop.privacy.rule import DEFAULT_RULE, Rule


@dataclass
class Suppression:
    """The outcome for one table: which cells are hidden, and why."""

    primary: np.ndarray  # bool per cell: small (or built on a small count)
    suppressed: np.ndarray  # bool per cell: primary or complementary

    @property
    def complementary(self) -> np.ndarray:
        return self.suppressed & ~self.primary


def is_small(values: np.ndarray | float, rule: Rule = DEFAULT_RULE) -> np.ndarray:
    """True where a count is small under ``rule`` (1-4 by default; DESIGN.md "Privacy")."""
    return rule.is_small(values)


def _complement_in(
    line: Line, values: np.ndarray, suppressed: np.ndarray, fixed: np.ndarray | None = None
) -> int | None:
    """The cell to suppress next in ``line``: smallest positive unsuppressed component, else total.

    ``fixed`` cells are published elsewhere (hiding them here would protect nothing) and never chosen."""

    def open_(c: int) -> bool:
        return not suppressed[c] and values[c] > 0 and (fixed is None or not fixed[c])

    candidates = [c for c in line.components if open_(c)]
    if candidates:
        return min(candidates, key=lambda c: (values[c], c))
    if open_(line.total):
        return line.total
    return None


def _complete_lines(
    values: np.ndarray, suppressed: np.ndarray, lines: list[Line], fixed: np.ndarray | None = None
) -> None:
    """Step 2: no line may keep exactly one suppressed cell (it would equal total minus the rest)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = list(line.components) + [line.total]
            if sum(bool(suppressed[c]) for c in cells) == 1:
                extra = _complement_in(line, values, suppressed, fixed)
                if extra is not None:
                    suppressed[extra] = True
                    changed = True


def suppress(
    values: np.ndarray,
    lines: list[Line],
    primary: np.ndarray | None = None,
    rule: Rule = DEFAULT_RULE,
    free: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> Suppression:
    """Suppress the cells of one table (see the module docstring for the rule and the attacker).

    ``primary`` overrides step 1 (e.g. a share whose numerator or complement is small); by default
    it is :func:`is_small` of ``values``. ``free`` marks cells that are not published at all
    (unknown to the attacker, >= 0): they count as hidden in their lines but need no protection
    unless they are small themselves. ``fixed`` marks cells another table publishes (e.g. the
    cohort of the flow table, which table 1 shows): never chosen as complements, known to the
    attacker. Raises :class:`SuppressionError` rather than return a pattern the audit cannot prove
    safe.
    """
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    first = is_small(values, rule) if primary is None else np.asarray(primary, dtype=bool).copy()
    suppressed = first.copy()
    if free is not None:
        suppressed |= np.asarray(free, dtype=bool)
    # Unpublished cells need protection only if they are small themselves (a reader could work
    # them out by differencing); otherwise they are just unknowns.
    skip = None if free is None else np.asarray(free, dtype=bool) & ~first
    while True:
        _complete_lines(values, suppressed, lines, fixed)
        exposed = exposed_cells(values, suppressed, lines, rule, free=skip)
        if not exposed:
            return Suppression(primary=first, suppressed=suppressed)
        if not _hide_more(exposed, values, suppressed, lines, fixed):
            raise SuppressionError(exposed)


def _hide_more(
    exposed: list[int], values: np.ndarray, suppressed: np.ndarray, lines: list[Line], fixed: np.ndarray | None = None
) -> bool:
    """Hide at least one more cell in a line of each exposed cell; False if there is none left to hide."""
    added = False
    touched: set[Line] = set()
    for cell in exposed:  # one more complement in a line of every exposed cell
        mine = [line for line in lines if cell == line.total or cell in line.components]
        if touched.intersection(mine):
            continue  # a line of this cell already gained a cell in this round
        for line in mine:
            extra = _complement_in(line, values, suppressed, fixed)
            if extra is not None:
                suppressed[extra] = True
                touched.add(line)
                added = True
                break
    if added:
        return True
    for cell in exposed:  # nothing positive left in its lines: hide every cell of those lines (zeros too)
        for line in lines:
            if cell == line.total or cell in line.components:
                for c in list(line.components) + [line.total]:
                    if not suppressed[c] and (fixed is None or not fixed[c]):
                        suppressed[c] = True
                        added = True
    return added


def column_lines(n_rows: int, n_cols: int, total_row: int) -> list[Line]:
    """Lines of a table stored row-major whose row ``total_row`` is the sum of the other rows."""
    lines = []
    for j in range(n_cols):
        parts = tuple(i * n_cols + j for i in range(n_rows) if i != total_row)
        lines.append(Line(components=parts, total=total_row * n_cols + j))
    return lines


def row_lines(n_rows: int, n_cols: int, total_col: int) -> list[Line]:
    """Lines of a table stored row-major whose column ``total_col`` is the sum of the other columns."""
    lines = []
    for i in range(n_rows):
        parts = tuple(i * n_cols + j for j in range(n_cols) if j != total_col)
        lines.append(Line(components=parts, total=i * n_cols + total_col))
    return lines
