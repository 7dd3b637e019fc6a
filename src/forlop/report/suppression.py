"""Small-cell suppression of published tables: primary and complementary (DESIGN.md "Privacy").

The rule (DESIGN.md, common.md): a published table never shows a count of 1-4, nor a share, mean
or any figure built on such a count. Zero is shown (it discloses nobody). Complementary cells are
suppressed too, so that no suppressed value can be worked out from totals.

A table is given to :func:`suppress` as a flat vector of non-negative counts plus its *lines*: an
additive relation ``sum(components) == total`` between cells (a column of diagnosis groups and its
"Total" row; a row of diagnosis groups and its "Total" column; the health communities of a region
and the region; the regions and the country). Means are made additive by publishing them as
``sum = mean * n`` for the purpose of suppression, shares by their numerators.

Algorithm (the classic "hypercube-free" heuristic, then a check by attack):

1. Primary: every cell with 1 <= count <= 4 is suppressed.
2. Complementary: while some line has exactly one suppressed cell, suppress in that line the
   smallest *positive* component that is not yet suppressed (zeros are never used as
   complements, see the attacker model); if none is left, the line's total.
3. Audit: :func:`attack` computes, for each suppressed cell, the smallest and largest value the
   published table allows. A cell whose interval is narrower than ``min_width`` is exposed; the
   smallest positive unsuppressed component of one of its lines is then suppressed and steps 2-3
   repeat. The loop ends because each round suppresses at least one more cell.

Attacker model (documented in docs/definitions.md, section Report): the attacker knows every
published number of the table, every line (additive relation) of the table, that counts are
non-negative integers, and the publication rule itself, hence that a suppressed count is >= 1
(zero counts are published; a zero hidden because its *denominator* is 1-4 is given to the
attacker as known to be >= 0 - i.e. the attacker is told which hidden cells are zero, which only
makes the check stricter). The attacker does not know which suppressed cells are primary, and has
no outside knowledge about individuals. A suppressed cell is *safe* when its feasible interval
[min, max] has width >= ``min_width`` (default 1: the published table admits at least two
values). Two-way tables with margins are network matrices (totally unimodular), so the LP bounds
computed with scipy's ``linprog`` are the integer bounds.

Written by hand because no maintained Python library does cell suppression (sdcTable and
tau-Argus are R/Java); the LP that checks it is scipy's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

SMALL_MIN = 1
SMALL_MAX = 4


@dataclass(frozen=True)
class Line:
    """An additive relation between cells of one table: ``sum(cells[components]) == cells[total]``."""

    components: tuple[int, ...]
    total: int


@dataclass
class Suppression:
    """The outcome for one table: which cells are hidden, and why."""

    primary: np.ndarray  # bool per cell: 1-4 (or built on 1-4)
    suppressed: np.ndarray  # bool per cell: primary or complementary

    @property
    def complementary(self) -> np.ndarray:
        return self.suppressed & ~self.primary


def is_small(values: np.ndarray) -> np.ndarray:
    """True where ``SMALL_MIN <= value <= SMALL_MAX`` (counts of 1-4; DESIGN.md "Privacy")."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return (values >= SMALL_MIN) & (values <= SMALL_MAX)


def _system(values: np.ndarray, hidden: np.ndarray, lines: list[Line], free: np.ndarray | None = None):  # noqa: ANN202
    """Equality system ``A x = b`` and bounds over the hidden cells (the attacker's knowledge)."""
    position = {cell: k for k, cell in enumerate(hidden)}
    a_eq: list[np.ndarray] = []
    b_eq: list[float] = []
    for line in lines:
        row = np.zeros(hidden.size)
        rhs = 0.0
        for cell, sign in [(c, 1.0) for c in line.components] + [(line.total, -1.0)]:
            if cell in position:
                row[position[cell]] += sign
            else:
                rhs -= sign * values[cell]
        if np.any(row != 0):
            a_eq.append(row)
            b_eq.append(rhs)
    bounds = [(SMALL_MIN if values[cell] > 0 and (free is None or not free[cell]) else 0, None) for cell in hidden]
    a = np.array(a_eq) if a_eq else None
    b = np.array(b_eq) if b_eq else None
    return a, b, bounds


def _interval(k: int, a, b, bounds) -> tuple[float, float]:  # noqa: ANN001
    """Min and max of hidden cell ``k`` over the attacker's system (two LPs, scipy HiGHS)."""
    objective = np.zeros(len(bounds))
    objective[k] = 1.0
    lo = linprog(objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    hi = linprog(-objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    return (lo.fun if lo.status == 0 else -np.inf), (-hi.fun if hi.status == 0 else np.inf)


def exposed_cells(values: np.ndarray, suppressed: np.ndarray, lines: list[Line], min_width: float = 1.0,
                  probes: int = 8, seed: int = 0, free: np.ndarray | None = None) -> list[int]:
    """Hidden cells whose feasible interval is narrower than ``min_width``.

    Same answer as :func:`attack`, faster: a few LPs with random objectives give feasible points;
    a cell that takes values ``min_width`` apart in two of them is proven safe. Only the cells
    left undecided get their exact min and max LPs.
    """
    values = np.asarray(values, dtype=float)
    hidden = np.flatnonzero(np.asarray(suppressed, dtype=bool))
    if hidden.size == 0:
        return []
    a, b, bounds = _system(values, hidden, lines, free)
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(probes):
        res = linprog(rng.normal(size=hidden.size), A_eq=a, b_eq=b, bounds=bounds, method="highs")
        if res.status == 0:
            points.append(res.x)
    spread = np.ptp(np.array(points), axis=0) if points else np.zeros(hidden.size)
    exposed = []
    for k, cell in enumerate(hidden):
        if spread[k] >= min_width or (free is not None and free[cell]):
            continue
        low, high = _interval(k, a, b, bounds)
        if high - low < min_width:
            exposed.append(int(cell))
    return exposed


def attack(values: np.ndarray, suppressed: np.ndarray, lines: list[Line]) -> tuple[np.ndarray, np.ndarray]:
    """Return (low, high): the feasible interval of every cell given the published table.

    Published cells get their own value as both bounds. For each suppressed cell two LPs are
    solved (min and max) subject to every line and to ``cell >= 1`` for suppressed non-zero cells
    (the attacker model above). An unbounded maximum is returned as ``inf``.
    """
    values = np.asarray(values, dtype=float)
    suppressed = np.asarray(suppressed, dtype=bool)
    low = values.copy()
    high = values.copy()
    hidden = np.flatnonzero(suppressed)
    if hidden.size == 0:
        return low, high
    a, b, bounds = _system(values, hidden, lines)
    for k, cell in enumerate(hidden):
        low[cell], high[cell] = _interval(k, a, b, bounds)
    return low, high


def _complement_in(line: Line, values: np.ndarray, suppressed: np.ndarray) -> int | None:
    """The cell to suppress next in ``line``: smallest positive unsuppressed component, else total."""
    candidates = [c for c in line.components if not suppressed[c] and values[c] > 0]
    if candidates:
        return min(candidates, key=lambda c: (values[c], c))
    if not suppressed[line.total] and values[line.total] > 0:
        return line.total
    return None


def _complete_lines(values: np.ndarray, suppressed: np.ndarray, lines: list[Line]) -> None:
    """Step 2: no line may keep exactly one suppressed cell (it would equal total minus the rest)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = list(line.components) + [line.total]
            if sum(bool(suppressed[c]) for c in cells) == 1:
                extra = _complement_in(line, values, suppressed)
                if extra is not None:
                    suppressed[extra] = True
                    changed = True


def suppress(
    values: np.ndarray,
    lines: list[Line],
    primary: np.ndarray | None = None,
    min_width: float = 1.0,
    free: np.ndarray | None = None,
) -> Suppression:
    """Suppress the cells of one table (see the module docstring for the rule and the attacker).

    ``primary`` overrides step 1 (e.g. a share whose numerator or complement is 1-4); by default
    it is :func:`is_small` of ``values``. ``free`` marks cells that are not published at all
    (unknown to the attacker, >= 0): they count as hidden in their lines but need no protection.
    Returns a :class:`Suppression` with boolean masks.
    """
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    first = is_small(values) if primary is None else np.asarray(primary, dtype=bool).copy()
    suppressed = first.copy()
    if free is not None:
        suppressed |= np.asarray(free, dtype=bool)
    while True:
        _complete_lines(values, suppressed, lines)
        # Unpublished cells need protection only if they are small themselves (a reader could
        # work them out by differencing); otherwise they are just unknowns.
        skip = None if free is None else np.asarray(free, dtype=bool) & ~first
        exposed = exposed_cells(values, suppressed, lines, min_width, free=skip)
        if not exposed:
            return Suppression(primary=first, suppressed=suppressed)
        added = False
        touched: set[Line] = set()
        for cell in exposed:  # one more complement in a line of every exposed cell
            mine = [line for line in lines if cell == line.total or cell in line.components]
            if touched.intersection(mine):
                continue  # a line of this cell already gained a cell in this round
            for line in mine:
                extra = _complement_in(line, values, suppressed)
                if extra is not None:
                    suppressed[extra] = True
                    touched.add(line)
                    added = True
                    break
        if not added:  # nothing left to hide in its lines: hide every cell of those lines
            for cell in exposed:
                for line in lines:
                    if cell == line.total or cell in line.components:
                        for c in list(line.components) + [line.total]:
                            if not suppressed[c]:
                                suppressed[c] = True
                                added = True
            if not added:
                return Suppression(primary=first, suppressed=suppressed)


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
