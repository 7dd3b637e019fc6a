"""Small-cell suppression of one table: primary and complementary (DESIGN.md "Privacy").

The rule (:mod:`forlop.privacy.rule`): a published table never shows a small count (1-4 by
default), nor a share, mean or any figure built on one. Zero is shown (it discloses nobody).
Complementary cells are suppressed too, so that no suppressed value can be worked out from totals.

A table is given to :func:`suppress` as a flat vector of non-negative counts plus its *lines*: an
additive relation ``sum(components) == total`` between cells (a column of diagnosis groups and its
"Total" row; a row of diagnosis groups and its "Total" column; the health communities of a region
and the region; the regions and the country). Means are made additive by publishing them as
``sum = mean * n`` for the purpose of suppression, shares by their numerators.

Algorithm (complements chosen by optimisation, as tau-Argus and sdcTable do, then a check by attack):

1. Primary: every small cell is suppressed. Cells published nowhere (``free``) are unknowns: they
   count as hidden in their lines, and need protection only when they are small themselves.
2. Complementary (:func:`optimal_pattern`): a small integer program (scipy's ``milp``) chooses which
   further cells to hide. Every hidden cell that needs protection must have, in each of its lines,
   another hidden cell, and when it is a component of a line whose total is shown, the hidden
   components of that line must leave it room: ``sum(min(value - lower, min_width)) >= min_width``
   over them, ``lower`` being what the attacker knows of a hidden cell (``rule.min_small`` if it is
   not zero). A complement must itself be protected the same way. The cost, minimised in this order:
   (i) the number of hidden grand totals (a line's total that is no other line's component, e.g. the
   country, a sector's whole n: hidden only when nothing else works, as it carries the whole table),
   (ii) the sum of the values of the hidden cells (the information lost: tau-Argus's default cost;
   it hides the smallest cells, and no cell that is not needed), with the cells' positions as a fixed
   tie-break: the cost is ``sum(value * (n + 1) + position)`` over the hidden cells, so between patterns
   whose values differ by one the positions of several cells can decide; either way the audit checks it).
   Costing each hidden cell as 1 instead (the fewest cells) hid more numbers in the
   reports: 302 against 298 in the national survey report, 418 against 411 in the 001 demo report.
   Zeros are never complements (see the attacker model), nor are cells another table publishes
   (``fixed``).
3. Audit: :func:`forlop.privacy.audit.exposed_cells` computes, for each suppressed cell, the
   smallest and largest value the published table allows (integer programming). The line conditions
   of step 2 are necessary, not sufficient (several lines together can pin a cell): a cell whose
   interval is narrower than ``rule.min_width`` adds a constraint to step 2 and steps 2-3 repeat, at
   most ``ROUNDS`` times. For the first ``ROTATE`` rounds the constraint asks for a hidden cell in
   the cell's lines that this pattern shows (the program may give up others: a cheaper pattern may
   pass); after that, for more hidden cells in its lines than this pattern has (the pattern must grow,
   so the rounds cannot go round in circles). Both choices, measured on the 001 demo report: 411
   hidden numbers with three free rounds, 427 with none.
4. If step 2 admits no pattern (e.g. only zeros left to hide) or the rounds run out, the former
   heuristic decides, starting again from the primary cells: while some line has exactly one hidden
   cell that needs protection, hide its smallest positive shown component, else its total; audit;
   hide one more cell in a line of every exposed cell; and as a last resort every cell of those
   lines (zeros too). Either the audit proves every hidden cell safe, or no cell is left to hide and
   :class:`SuppressionError` stops the run. A table with an exposed cell is never returned.

Written by hand because no maintained Python library does cell suppression (sdcTable and
tau-Argus are R/Java); the programs that choose and check it are scipy's (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

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
    values: np.ndarray,
    suppressed: np.ndarray,
    lines: list[Line],
    fixed: np.ndarray | None = None,
    skip: np.ndarray | None = None,
) -> None:
    """Step 4: no line may keep exactly one hidden cell that needs protection (it would equal the total
    minus the rest). A ``skip`` cell (published nowhere, not small) needs none: alone in a line it is
    just an unknown the reader can work out, and hiding a partner for it would protect nothing."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = list(line.components) + [line.total]
            hidden = [c for c in cells if suppressed[c]]
            if len(hidden) == 1 and (skip is None or not skip[hidden[0]]):
                extra = _complement_in(line, values, suppressed, fixed)
                if extra is not None:
                    suppressed[extra] = True
                    changed = True


#: Step 3: how many times the optimiser may be told of an exposed cell before the heuristic takes over,
#: and for how many of them it may trade complements around the cell for others (after that it must add).
ROUNDS = 20
ROTATE = 3


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
    start = first.copy()
    if free is not None:
        start |= np.asarray(free, dtype=bool)
    # Unpublished cells need protection only if they are small themselves (a reader could work
    # them out by differencing); otherwise they are just unknowns.
    skip = None if free is None else np.asarray(free, dtype=bool) & ~first
    cuts: list[tuple[int, tuple[int, ...], int]] = []
    for round_ in range(ROUNDS):
        pattern = optimal_pattern(values, lines, start, rule, skip=skip, fixed=fixed, cuts=cuts)
        if pattern is None:
            break
        exposed = exposed_cells(values, pattern, lines, rule, free=skip)
        if not exposed:
            return Suppression(primary=first, suppressed=pattern)
        for cell in exposed:  # a complement around it that this pattern lacks; later, more of them
            mine = [line for line in lines if cell == line.total or cell in line.components]
            near = tuple(sorted({c for line in mine for c in (*line.components, line.total) if not start[c]} - {cell}))
            if round_ < ROTATE:
                cuts.append((cell, tuple(c for c in near if not pattern[c]), 1))
            else:
                cuts.append((cell, near, int(pattern[list(near)].sum()) + 1))
    suppressed = start.copy()
    while True:
        _complete_lines(values, suppressed, lines, fixed, skip)
        exposed = exposed_cells(values, suppressed, lines, rule, free=skip)
        if not exposed:
            return Suppression(primary=first, suppressed=suppressed)
        if not _hide_more(exposed, values, suppressed, lines, fixed):
            raise SuppressionError(exposed)


def _room(values: np.ndarray, rule: Rule, skip: np.ndarray | None) -> np.ndarray:
    """How far each cell, hidden, can move down before it meets what the attacker knows of it, capped
    at ``rule.min_width``: ``min(value - lower, min_width)``, ``lower`` as in the audit."""
    unknown = np.zeros(values.size, dtype=bool) if skip is None else skip
    lower = np.where((values > 0) & ~unknown, float(rule.min_small), 0.0)
    return np.clip(values - lower, 0.0, rule.min_width)


def optimal_pattern(
    values: np.ndarray,
    lines: list[Line],
    hidden: np.ndarray,
    rule: Rule = DEFAULT_RULE,
    skip: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    cuts: list[tuple[int, tuple[int, ...], int]] | None = None,
) -> np.ndarray | None:
    """Step 2: the cheapest pattern containing ``hidden`` that meets every line condition, or None.

    Binary y per cell (1: hidden); ``hidden`` cells are 1, shown zeros and ``fixed`` cells 0. For every
    line and every cell c in it that may be hidden and needs protection (not ``skip``): another cell of
    the line is hidden if c is (``sum(y_other) >= y_c``); if c is a positive component and the total is
    not already hidden, ``min_width * y_total + sum(room_d * y_d over components) >= min_width * y_c``
    (:func:`_room`). ``cuts`` (cell, cells, k): if cell is hidden, at least k of cells are too (step 3).
    Minimised
    in two programs: hidden grand totals (:func:`top_totals`) first, then ``sum(value * (n + 1) +
    position)`` (the values, the positions as a tie-break; module docstring, step 2).
    """
    n = values.size
    hidden = np.asarray(hidden, dtype=bool)
    skip_ = np.zeros(n, dtype=bool) if skip is None else np.asarray(skip, dtype=bool)
    fixed_ = np.zeros(n, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    open_ = ~hidden & ~fixed_ & (values > 0)
    guard = (hidden & ~skip_) | open_  # cells that, hidden, need protection
    if not (hidden & ~skip_).any():
        return hidden.copy()
    room = _room(values, rule, skip_)
    width = float(rule.min_width)
    rows: list[dict[int, float]] = []
    for line in lines:
        cells = [*line.components, line.total]
        for c in cells:
            if not guard[c]:
                continue
            row = {d: 1.0 for d in cells if d != c and (hidden[d] or open_[d])}
            row[c] = row.get(c, 0.0) - 1.0
            rows.append(row)
            if c == line.total or values[c] <= 0 or room[c] >= width or hidden[line.total]:
                continue
            row = {d: float(room[d]) for d in line.components if (hidden[d] or open_[d]) and room[d] > 0}
            if open_[line.total]:
                row[line.total] = width
            row[c] = row.get(c, 0.0) - width
            rows.append(row)
    for cell, near, k in cuts or []:
        row = {d: 1.0 for d in near if open_[d]}
        row[cell] = row.get(cell, 0.0) - float(k)
        rows.append(row)
    if rows:
        a = sparse.lil_matrix((len(rows), n))
        for i, row in enumerate(rows):
            for d, coef in row.items():
                a[i, d] = coef
        constraints = [LinearConstraint(a.tocsr(), 0.0, np.inf)]
    else:
        constraints = []
    integrality = np.ones(n)
    grand = open_ & top_totals(n, lines)
    cost = np.where(open_, values * (n + 1) + np.arange(n), 0.0)
    # (i) first: a pattern without any grand total, if there is one (the usual case: one program) ...
    res = milp(
        cost, integrality=integrality, bounds=_bounds(hidden, open_ & ~grand), constraints=constraints, options=_EXACT
    )
    if res.status != 0 and grand.any():
        # ... else the fewest grand totals, and the cheapest pattern with that many.
        bounds = _bounds(hidden, open_)
        res = milp(grand.astype(float), integrality=integrality, bounds=bounds, constraints=constraints, options=_EXACT)
        if res.status == 0:
            fewest = LinearConstraint(grand.astype(float).reshape(1, -1), -np.inf, float(np.round(res.fun)) + 0.5)
            res = milp(cost, integrality=integrality, bounds=bounds, constraints=[*constraints, fewest], options=_EXACT)
    if res.status != 0 or res.x is None:
        return None
    return np.asarray(np.round(res.x), dtype=bool) | hidden


#: HiGHS settings for the pattern programs: prove optimality (the default 1e-4 relative gap could
#: settle for a costlier pattern).
_EXACT = {"mip_rel_gap": 0.0}


def _bounds(hidden: np.ndarray, open_: np.ndarray) -> Bounds:
    """y = 1 for hidden cells, 0 or 1 for the cells that may be complements, 0 for the others."""
    return Bounds(hidden.astype(float), (hidden | open_).astype(float))


def top_totals(n: int, lines: list[Line]) -> np.ndarray:
    """Cells that are the total of a line and a component of none: the table's grand totals (the
    country, a sector's whole n), which the pattern hides only when nothing else works. A total that
    is itself a part of a coarser one (a region, a group's n) is costed as any cell."""
    totals = np.zeros(n, dtype=bool)
    totals[[line.total for line in lines]] = True
    for line in lines:
        totals[list(line.components)] = False
    return totals


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
