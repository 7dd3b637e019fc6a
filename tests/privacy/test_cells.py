"""forlop.privacy.Cells and its closed form for one line give the pattern of forlop.privacy.suppress."""

from __future__ import annotations

import numpy as np
import pytest

from forlop.privacy import Cells, Line, Rule, SuppressionError, attack, one_line, suppress

SURVEY_RULE = Rule(max_small=9, symbol="*")  # 002's threshold
DEFAULT = Rule()


@pytest.mark.parametrize("rule", [SURVEY_RULE, DEFAULT], ids=["1-9", "1-4"])
def test_one_line_in_closed_form_is_suppress(rule: Rule) -> None:
    """300 random lines (some cells unpublished, some totals published elsewhere): the same pattern."""
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(300):
        k = int(rng.integers(2, 7))
        parts = rng.choice([0, 1, 2, 3, 5, 9, 10, 12, 30, 80], size=k).astype(float)
        values = np.append(parts, parts.sum())
        primary = rule.is_small(values)
        free = np.zeros(k + 1, dtype=bool)
        if rng.random() < 0.3:
            free[int(rng.integers(0, k))] = True
        fixed = np.zeros(k + 1, dtype=bool)
        fixed[-1] = rng.random() < 0.3
        try:
            expected = suppress(values, [Line(tuple(range(k)), k)], primary=primary, rule=rule, free=free, fixed=fixed)
        except SuppressionError:  # no safe pattern: both must say so
            with pytest.raises(SuppressionError):
                one_line(values, primary.copy(), free, fixed, rule)
            continue
        assert one_line(values, primary.copy(), free, fixed, rule).tolist() == expected.suppressed.tolist(), values
        checked += 1
    assert checked > 250


def test_cells_hides_a_complement_and_the_attack_cannot_pin_it() -> None:
    """002's M1 in PHV by hand: 40 / 55 / 5 of 100. 5 is small (1-9): hidden; its complement is the
    smallest other option, 40; then the hidden 5 lies anywhere in [1, 44] (45 - 1 .. 45 - 1)."""
    cells = Cells()
    options = [cells.add(v, SURVEY_RULE.is_small(v)) for v in (40.0, 55.0, 5.0)]
    total = cells.add(100.0, False)
    cells.line(options, total, SURVEY_RULE)
    hidden = cells.solve(SURVEY_RULE)
    assert hidden.tolist() == [True, False, True, False]
    low, high = attack(np.array([40.0, 55.0, 5.0, 100.0]), hidden, [Line((0, 1, 2), 3)], SURVEY_RULE)
    assert (low[2], high[2]) == (1.0, 44.0)


def test_cells_solves_independent_parts_separately() -> None:
    """Two unrelated lines: a small cell in the first hides only cells of the first."""
    cells = Cells()
    a = [cells.add(v, SURVEY_RULE.is_small(v)) for v in (3.0, 20.0, 30.0)]
    cells.line(a, cells.add(53.0, False), SURVEY_RULE)
    b = [cells.add(v, SURVEY_RULE.is_small(v)) for v in (12.0, 40.0)]
    cells.line(b, cells.add(52.0, False), SURVEY_RULE)
    assert cells.solve(SURVEY_RULE).tolist() == [True, True, False, False, False, False, False]
