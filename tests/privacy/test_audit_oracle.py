"""The audit against brute force: no hidden cell may be pinned to a width below the rule.

``oracle.feasible_ranges`` enumerates every integer completion of a published table; it shares no
code with :mod:`forlop.privacy`.
"""

from __future__ import annotations

import numpy as np
import pytest

from forlop.privacy import Line, SuppressionError, attack, suppress
from tests.privacy.oracle import feasible_ranges, two_way

# A system whose constraint matrix is not totally unimodular (an odd cycle a-b, b-c, a-c):
#   a + b + e = 4,  b + c = 3,  a + c = 3,  with a = 1, b = 1, c = 2, e = 2 hidden.
# From the last two lines a - b = 0, so a = (4 - e) / 2: e must be even. With every hidden non-zero
# count >= 1 the LP relaxation allows e anywhere in [1, 2] (width 1: "safe" to an LP audit), but the
# only integer completion is e = 2: the hidden 2 is disclosed.
ODD_VALUES = np.array([1, 1, 2, 2, 4, 3, 3], dtype=float)  # a, b, c, e, T1, T2, T3
ODD_LINES = [Line((0, 1, 3), 4), Line((1, 2), 5), Line((0, 2), 6)]
ODD_HIDDEN = np.array([True, True, True, True, False, False, False])


def test_oracle_agrees_that_the_odd_cycle_pins_e() -> None:
    ranges = feasible_ranges(ODD_VALUES, ODD_HIDDEN, [(line.components, line.total) for line in ODD_LINES], cap=20)
    assert ranges == {0: (1, 1), 1: (1, 1), 2: (2, 2), 3: (2, 2)}


def test_integer_audit_sees_what_the_lp_bound_misses() -> None:
    low, high = attack(ODD_VALUES, ODD_HIDDEN, ODD_LINES)
    assert (low[3], high[3]) == (2, 2)  # an LP audit gives [1, 2] and calls e safe


def test_suppression_protects_the_odd_cycle_or_stops() -> None:
    primary = ODD_HIDDEN.copy()
    result = suppress(ODD_VALUES, ODD_LINES, primary=primary)
    lines = [(line.components, line.total) for line in ODD_LINES]
    ranges = feasible_ranges(ODD_VALUES, result.suppressed, lines, cap=40)
    assert all(b - a >= 1 or ODD_VALUES[c] == 0 for c, (a, b) in ranges.items())
    assert result.suppressed[4]  # the line total of e is hidden too
    # With the totals published elsewhere (fixed), no pattern can protect e: a clear error, not a table.
    fixed = ~ODD_HIDDEN
    with pytest.raises(SuppressionError):
        suppress(ODD_VALUES, ODD_LINES, primary=primary, fixed=fixed)


@pytest.mark.parametrize("seed", range(6))
def test_random_small_tables_leave_no_hidden_cell_pinned(seed: int) -> None:
    """Random 2x2 to 3x3 tables with margins (up to 4x4 cells), many small counts: after suppression
    every hidden non-zero cell takes at least two values over all integer completions, and the
    audit's bounds are exactly the brute-force bounds."""
    rng = np.random.default_rng(seed)
    checked = 0
    for _ in range(12):
        shape = (int(rng.integers(2, 4)), int(rng.integers(2, 4)))
        values, raw_lines = two_way(rng.integers(0, 7, size=shape).astype(float))
        lines = [Line(p, t) for p, t in raw_lines]
        result = suppress(values, lines)
        hidden = result.suppressed
        if hidden.sum() > 8:  # keep the enumeration small
            continue
        cap = 2 * int(values.max()) + 2  # room beyond every total: an unbounded cell goes past them
        ranges = feasible_ranges(values, hidden, raw_lines, cap=cap)
        low, high = attack(values, hidden, lines)
        for c, (a, b) in ranges.items():
            checked += 1
            assert b - a >= 1 or values[c] == 0, f"cell {c} pinned to {a}"
            assert low[c] == a and (high[c] == b if np.isfinite(high[c]) else b > values.max())
        assert not ((values >= 1) & (values <= 4) & ~hidden).any()
    assert checked > 10
