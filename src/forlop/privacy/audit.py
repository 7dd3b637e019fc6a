"""The attacker: how far a published table pins down each hidden cell (DESIGN.md "Privacy").

Attacker model (docs/definitions.md, "Report"): the attacker knows every published number of the
table, every *line* (additive relation ``sum(components) == total``) between its cells, that counts
are non-negative integers, and the publication rule itself, hence that a hidden non-zero count is
at least ``rule.min_small`` (a zero hidden because its *denominator* is small is given to the
attacker as known to be >= 0, which only makes the check stricter). Cells that are not published at
all (``free``) are unknowns >= 0. The attacker does not know which hidden cells are primary and
has no outside knowledge about individuals.

A hidden cell is *safe* when the smallest and largest value the published table allows for it are
at least ``rule.min_width`` apart, or when the table pins it to 0 (a zero discloses nobody and the
rule publishes zeros; a structural zero, such as unknown residence where every health community
is known, cannot be hidden by any pattern). Those bounds are computed by integer programming (scipy's
``milp``, HiGHS): for a two-way table with margins the constraint matrix is totally unimodular and
the LP bounds would already be integer, but the report also relies on hierarchical tables (health
communities within regions within the country) and on lines across indicators, where that
argument does not hold and an LP bound can be wider than any integer completion allows. When the
published values are not all whole numbers (a mean's sum over patients of a non-integer column) the
integer model would be wrong and the LP bounds are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from forlop.privacy.rule import DEFAULT_RULE, Rule


@dataclass(frozen=True)
class Line:
    """An additive relation between cells of one table: ``sum(cells[components]) == cells[total]``."""

    components: tuple[int, ...]
    total: int


@dataclass
class System:
    """The attacker's knowledge about the hidden cells: ``a @ x == b``, ``lower <= x``, x integer or not."""

    a: np.ndarray
    b: np.ndarray
    lower: np.ndarray
    integer: bool

    def minimise(self, objective: np.ndarray) -> tuple[float | None, np.ndarray | None]:
        """(minimum of ``objective @ x``, a point where it is reached); -inf if unbounded, None if infeasible."""
        relaxed = linprog(objective, A_eq=self.a if self.a.size else None, b_eq=self.b if self.a.size else None,
                          bounds=[(lo, None) for lo in self.lower], method="highs")
        if relaxed.status == 3:  # unbounded (milp reports this only as "unbounded or infeasible")
            return -np.inf, None
        if relaxed.status != 0:
            return None, None
        if not self.integer:
            return float(relaxed.fun), np.asarray(relaxed.x)
        constraints = [LinearConstraint(self.a, self.b, self.b)] if self.a.size else []
        res = milp(objective, integrality=np.ones(self.lower.size), bounds=Bounds(self.lower, np.inf),
                   constraints=constraints)
        if res.status != 0:
            return None, None
        return float(res.fun), np.asarray(res.x)


def system(values: np.ndarray, hidden: np.ndarray, lines: list[Line], free: np.ndarray | None = None,
           rule: Rule = DEFAULT_RULE) -> System:
    """The equality system over the hidden cells ``hidden`` (indices), given the published rest."""
    position = {int(cell): k for k, cell in enumerate(hidden)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for line in lines:
        row = np.zeros(hidden.size)
        right = 0.0
        for cell, sign in [(c, 1.0) for c in line.components] + [(line.total, -1.0)]:
            if cell in position:
                row[position[cell]] += sign
            else:
                right -= sign * values[cell]
        if np.any(row != 0):
            rows.append(row)
            rhs.append(right)
    lower = np.array([rule.min_small if values[c] > 0 and (free is None or not free[c]) else 0 for c in hidden],
                     dtype=float)
    integer = bool(np.all(np.isclose(values, np.round(values))))
    a = np.array(rows) if rows else np.zeros((0, hidden.size))
    return System(a=a, b=np.array(rhs), lower=lower, integer=integer)


def interval(k: int, sys_: System) -> tuple[float, float]:
    """Smallest and largest value of hidden cell ``k`` the published table allows."""
    objective = np.zeros(sys_.lower.size)
    objective[k] = 1.0
    low, _ = sys_.minimise(objective)
    high, _ = sys_.minimise(-objective)
    if low is None or high is None:
        raise ValueError("suppression audit: the published table admits no completion (inconsistent lines)")
    return low, -high


def exposed_cells(values: np.ndarray, suppressed: np.ndarray, lines: list[Line], rule: Rule = DEFAULT_RULE,
                  probes: int = 8, seed: int = 0, free: np.ndarray | None = None) -> list[int]:
    """Hidden cells whose feasible interval is narrower than ``rule.min_width`` (``free`` cells excepted).

    Same answer as :func:`attack`, faster: a few programs with random objectives give feasible
    (integer) completions; a cell that takes values ``min_width`` apart in two of them is proven
    safe. Only the cells left undecided get their exact minimum and maximum.
    """
    values = np.asarray(values, dtype=float)
    hidden = np.flatnonzero(np.asarray(suppressed, dtype=bool))
    if hidden.size == 0:
        return []
    sys_ = system(values, hidden, lines, free, rule)
    rng = np.random.default_rng(seed)
    points = []
    for _ in range(probes):
        _, point = sys_.minimise(rng.normal(size=hidden.size))
        if point is not None:
            points.append(point)
    spread = np.ptp(np.array(points), axis=0) if points else np.zeros(hidden.size)
    exposed = []
    for k, cell in enumerate(hidden):
        if spread[k] >= rule.min_width or (free is not None and free[cell]):
            continue
        low, high = interval(k, sys_)
        if high - low < rule.min_width and high > 0:  # pinned to 0: a zero, which the rule publishes anyway
            exposed.append(int(cell))
    return exposed


def attack(values: np.ndarray, suppressed: np.ndarray, lines: list[Line], rule: Rule = DEFAULT_RULE,
           free: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(low, high): the feasible interval of every cell given the published table.

    Published cells get their own value as both bounds; an unbounded maximum is ``inf``.
    """
    values = np.asarray(values, dtype=float)
    suppressed = np.asarray(suppressed, dtype=bool)
    low = values.copy()
    high = values.copy()
    hidden = np.flatnonzero(suppressed)
    if hidden.size == 0:
        return low, high
    sys_ = system(values, hidden, lines, free, rule)
    for k, cell in enumerate(hidden):
        low[cell], high[cell] = interval(k, sys_)
    return low, high
