"""Brute force: every integer completion of a published table, for checking the audit on small tables.

Independent of :mod:`forlop.privacy`: a depth-first search over the hidden cells, with a line's last
unknown cell forced by the line, enumerating every non-negative integer assignment (hidden non-zero
cells >= 1, as the attacker knows the rule) that satisfies every line. Feasible only for small
tables (a few hidden cells, counts up to a few dozen).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def feasible_ranges(values: Sequence[float], hidden: Sequence[bool], lines: Sequence[tuple[tuple[int, ...], int]],
                    cap: int) -> dict[int, tuple[int, int]]:
    """(min, max) over every completion for each hidden cell; max == cap means "cap or more"."""
    values = [int(v) for v in values]
    unknown = [i for i, h in enumerate(hidden) if h]
    relations = [(list(parts), total) for parts, total in lines]
    lower = {i: (1 if values[i] > 0 else 0) for i in unknown}
    seen: dict[int, set[int]] = {i: set() for i in unknown}
    assignment: dict[int, int] = {}

    def value(i: int) -> int | None:
        return assignment.get(i) if hidden[i] else values[i]

    def check() -> int | None:
        """-1 if some line is violated; else the index of a cell forced by a line (or None)."""
        for parts, total in relations:
            cells = [*parts, total]
            missing = [c for c in cells if value(c) is None]
            known = sum(value(c) for c in parts if value(c) is not None) - (value(total) or 0)
            if not missing:
                if known != 0:
                    return -1
            elif len(missing) == 1:
                return missing[0]
            elif total not in missing and known > 0:
                return -1  # the known components already exceed the known total
        return None

    def search() -> None:
        status = check()
        if status == -1:
            return
        if status is not None:
            cell = status
            parts, total = next((p, t) for p, t in relations if cell in [*p, t]
                                and [c for c in [*p, t] if value(c) is None] == [cell])
            rest = sum(value(c) for c in parts if c != cell) - (value(total) if total != cell else 0)
            forced = -rest if cell != total else rest
            if forced < lower[cell] or forced > cap:
                return
            assignment[cell] = forced
            search()
            del assignment[cell]
            return
        free = [i for i in unknown if i not in assignment]
        if not free:
            for i in unknown:
                seen[i].add(assignment[i])
            return
        cell = free[0]
        for v in range(lower[cell], cap + 1):
            assignment[cell] = v
            search()
            del assignment[cell]

    search()
    return {i: (min(s), max(s)) for i, s in seen.items() if s}


def two_way(interior: np.ndarray) -> tuple[np.ndarray, list[tuple[tuple[int, ...], int]]]:
    """Row-major cells of ``interior`` with a total column and a total row, and its lines."""
    body = np.hstack([interior, interior.sum(1, keepdims=True)])
    table = np.vstack([body, body.sum(0, keepdims=True)])
    n_rows, n_cols = table.shape
    lines = [(tuple(i * n_cols + j for j in range(n_cols - 1)), i * n_cols + n_cols - 1) for i in range(n_rows)]
    lines += [(tuple(i * n_cols + j for i in range(n_rows - 1)), (n_rows - 1) * n_cols + j) for j in range(n_cols)]
    return table.ravel().astype(float), lines
