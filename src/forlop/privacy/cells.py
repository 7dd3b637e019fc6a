"""A table given cell by cell with its additive lines, suppressed part by part (DESIGN.md "Privacy").

:class:`Cells` collects the cells of a published table (value, small by the rule, published
nowhere, published elsewhere) and the lines a reader knows (parts adding up to a total). ``solve``
splits the table into its independent parts (cells linked by no line) and suppresses each on its own
with :func:`~forlop.privacy.suppression.suppress`, which gives the same pattern as one call for the
whole table, faster: the integer programs that choose and audit the pattern grow with the table. A
part with a single line is solved in closed form by :func:`one_line` (the same answer as ``suppress``,
the cheapest complement, checked against it on random lines in tests/privacy/test_cells.py), because
the set-up cost of the integer programs made hundreds of small parts slow (002's report has ~1 000 of
them). When a part admits no
safe pattern (:class:`~forlop.privacy.suppression.SuppressionError`) every cell of it is hidden:
more is withheld, nothing exposed is published.
"""

from __future__ import annotations

import numpy as np

from forlop.privacy.audit import Line
from forlop.privacy.rule import Rule
from forlop.privacy.suppression import SuppressionError, _room, suppress


class Cells:
    """A growing table of cells (values, primary flags, unpublished flags) and the lines between them."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.primary: list[bool] = []
        self.free: list[bool] = []
        self.fixed: list[bool] = []
        self.lines: list[Line] = []

    def add(self, value: float, primary: bool, free: bool = False, fixed: bool = False) -> int:
        """Add a cell; return its position. ``free``: published nowhere; ``fixed``: published elsewhere."""
        self.values.append(float(value) if np.isfinite(value) else 0.0)
        self.primary.append(bool(primary))
        self.free.append(free)
        self.fixed.append(fixed)
        return len(self.values) - 1

    def line(self, parts: list[int], total: int | None, rule: Rule) -> None:
        """``sum(parts) == total``; a shortfall becomes an unpublished rest cell, an excess drops the line."""
        if total is None or not parts:
            return
        rest = self.values[total] - sum(self.values[p] for p in parts)
        if rest < -1e-9:
            return  # not an additive relation after all (e.g. rounded input): the reader cannot use it either
        if rest > 1e-9:
            parts = [*parts, self.add(rest, bool(rule.is_small(rest)), free=True)]
        self.lines.append(Line(tuple(parts), total))

    def solve(self, rule: Rule) -> np.ndarray:
        """Hidden flag per cell: the privacy layer's suppression on each independent part.

        A part with one line is solved in closed form (:func:`one_line`, the same answer as
        :func:`forlop.privacy.suppress`, without its integer programs, whose set-up cost made hundreds
        of small parts slow); a part with several lines goes to :func:`forlop.privacy.suppress`.
        """
        size = len(self.values)
        parent = list(range(size))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for line in self.lines:
            for c in line.components:
                parent[find(c)] = find(line.total)
        values = np.array(self.values, dtype=float)
        primary = np.array(self.primary, dtype=bool)
        free = np.array(self.free, dtype=bool)
        fixed = np.array(self.fixed, dtype=bool)
        hidden = primary | free
        groups: dict[int, list[int]] = {}
        for c in range(size):
            groups.setdefault(find(c), []).append(c)
        lines_of: dict[int, list[Line]] = {}
        for line in self.lines:
            lines_of.setdefault(find(line.total), []).append(line)
        for root, members in groups.items():
            lines = lines_of.get(root, [])
            if not lines or not primary[members].any():
                continue  # nothing small here, or no relation: the primary flags are the answer
            if len(lines) == 1:
                cells = [*lines[0].components, lines[0].total]
                try:
                    hidden[cells] = one_line(values[cells], primary[cells], free[cells], fixed[cells], rule)
                except SuppressionError:
                    hidden[cells] = True
                continue
            try:
                hidden[members] = _suppress_part(values, primary, free, fixed, members, lines, rule)
            except SuppressionError:
                hidden[members] = True
        return hidden


def _suppress_part(
    values: np.ndarray,
    primary: np.ndarray,
    free: np.ndarray,
    fixed: np.ndarray,
    members: list[int],
    lines: list[Line],
    rule: Rule,
) -> np.ndarray:
    local = {c: k for k, c in enumerate(members)}
    local_lines = [Line(tuple(local[c] for c in ln.components), local[ln.total]) for ln in lines]
    result = suppress(
        values[members], local_lines, primary=primary[members], rule=rule, free=free[members], fixed=fixed[members]
    )
    return result.suppressed


def one_line(values: np.ndarray, primary: np.ndarray, free: np.ndarray, fixed: np.ndarray, rule: Rule) -> np.ndarray:
    """Suppression of one line ``values[:-1]`` adding up to ``values[-1]``, in closed form.

    The answer of :func:`forlop.privacy.suppress` without its integer programs. With the total shown,
    the hidden components add up to a known S, so hidden cell i can be anything from its lower bound
    l_i (the rule's smallest small count if it is not zero, else 0) to S minus the others' lower
    bounds: the interval is ``sum(value - l)`` over the hidden components wide for every one of them.
    With the total hidden as well, nothing bounds a hidden component from above (safe), and a hidden
    total needs one hidden component. The complement is the cheapest choice that meets this
    (suppress's cost: no total unless nothing else works, then the smallest sum of values, then the
    position): with counts, where a cell's room ``min(value - l, min_width)`` is 0 or the full width,
    one shown component at most, or the total, which the enumeration below finds.
    When no choice works, :func:`forlop.privacy.suppress` decides (its fallback and its audit), and
    raises ``SuppressionError`` when no cell is left to hide.
    tests/privacy/test_cells.py checks it against ``suppress`` on random lines.
    """
    k = len(values)
    total = k - 1
    hidden = primary | free
    skip = free & ~primary  # unpublished and not small: an unknown, not protected (suppress's rule)
    room = _room(values, rule, skip)
    width = float(rule.min_width)
    if np.any((room > 0) & (room < width)):  # partial rooms (non-integer sums, wide rules): the program
        line = [Line(tuple(range(total)), total)]
        return suppress(values, line, primary=primary, rule=rule, free=free, fixed=fixed).suppressed
    choice = _cheapest_in_line(values, hidden, skip, fixed, room, width)
    if choice is not None:
        return choice
    # No choice of complements works (e.g. the other cells are zeros or published elsewhere): the full
    # path, whose fallback and integer audit decide (a pattern it returns has passed the audit).
    line = [Line(tuple(range(total)), total)]
    return suppress(values, line, primary=primary, rule=rule, free=free, fixed=fixed).suppressed


def _cheapest_in_line(
    values: np.ndarray, hidden: np.ndarray, skip: np.ndarray, fixed: np.ndarray, room: np.ndarray, width: float
) -> np.ndarray | None:
    """The cheapest set of shown cells to hide with ``hidden`` so that the line conditions of
    :func:`forlop.privacy.optimal_pattern` hold (None if no set of at most two components, or the
    total with at most one, does), by enumeration; the cost as there."""
    k = len(values)
    total = k - 1
    if not (hidden & ~skip).any():
        return hidden.copy()
    open_ = [c for c in range(k) if not hidden[c] and not fixed[c] and values[c] > 0]
    parts = [c for c in open_ if c != total]

    def feasible(h: np.ndarray) -> bool:
        guarded = np.flatnonzero(h & ~skip)
        if guarded.size and h.sum() < 2:
            return False
        if h[total]:
            return True
        need = any(c != total and values[c] > 0 and room[c] < width for c in guarded)
        return not need or float(room[:total][h[:total]].sum()) >= width

    def cost(extra: tuple[int, ...]) -> tuple[int, float]:
        return (int(total in extra), sum(float(values[c]) * (k + 1) + c for c in extra))

    def first_feasible(options: list[tuple[int, ...]]) -> tuple[int, ...] | None:
        for extra in sorted(options, key=cost):
            h = hidden.copy()
            h[list(extra)] = True
            if feasible(h):
                return extra
        return None

    # Nothing, one component, two components, then the total (alone or with one): with rooms 0 or the
    # full width, a feasible single component is always cheaper than a feasible pair.
    best = first_feasible([(), *[(c,) for c in parts]])
    if best is None:
        best = first_feasible([(c, d) for i, c in enumerate(parts) for d in parts[i + 1 :]])
    if best is None and total in open_:
        best = first_feasible([(total,), *[(total, c) for c in parts]])
    if best is None:
        return None
    out = hidden.copy()
    out[list(best)] = True
    return out
