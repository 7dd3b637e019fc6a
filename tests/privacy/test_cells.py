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
        if rng.random() < 0.2:  # a caller's own primary (e.g. a share whose rest is small)
            primary[int(rng.integers(0, k))] = True
        free = np.zeros(k + 1, dtype=bool)
        if rng.random() < 0.3:
            free[int(rng.integers(0, k))] = True
        fixed = np.zeros(k + 1, dtype=bool)
        fixed[-1] = rng.random() < 0.3
        if rng.random() < 0.2:  # a component published by another table
            fixed[int(rng.integers(0, k))] = True
        try:
            expected = suppress(values, [Line(tuple(range(k)), k)], primary=primary, rule=rule, free=free, fixed=fixed)
        except SuppressionError:  # no safe pattern: both must say so
            with pytest.raises(SuppressionError):
                one_line(values, primary.copy(), free, fixed, rule)
            continue
        assert one_line(values, primary.copy(), free, fixed, rule).tolist() == expected.suppressed.tolist(), values
        checked += 1
    assert checked > 250


def test_one_line_never_returns_a_pinned_cell_when_no_complement_is_left() -> None:
    """Found in review: with the other cells zero or published elsewhere, the closed form's own check
    took a lone hidden component's range as wide. By hand: 8 + 0 = 8 with the total published
    elsewhere: hiding the 8 alone pins it (8 - 0); the zero must go too, and then the 8 lies in [1, 8].
    3 + 10 = 13 with the 10 and the 13 published elsewhere: nothing can protect the 3, so an error."""
    values = np.array([8.0, 0.0, 8.0])
    primary, fixed = np.array([True, False, False]), np.array([False, False, True])
    hidden = one_line(values, primary, np.zeros(3, bool), fixed, DEFAULT)
    assert hidden.tolist() == [True, True, False]
    low, high = attack(values, hidden, [Line((0, 1), 2)], DEFAULT)
    assert (low[0], high[0]) == (1.0, 8.0)
    with pytest.raises(SuppressionError):
        one_line(
            np.array([3.0, 10.0, 13.0]), np.array([True, False, False]), np.zeros(3, bool),
            np.array([False, True, True]), SURVEY_RULE,
        )  # fmt: skip


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


def test_a_line_of_539_hides_the_five_and_the_24_only() -> None:
    """539 = 300 + 150 + 60 + 24 + 5, the total shown, 002's rule (1-9 small). The 5 is primary; one
    more hidden component is enough, and the cheapest is the smallest, 24 (the 539 stays: hiding the
    total is the last resort). An attacker then knows 5 + 24 = 539 - 300 - 150 - 60 = 29 with both
    >= 1: the 5 lies in [1, 28], and so does the 24. Closed form (Cells) and program (suppress) agree."""
    values = np.array([300.0, 150.0, 60.0, 24.0, 5.0, 539.0])
    line = [Line((0, 1, 2, 3, 4), 5)]
    cells = Cells()
    parts = [cells.add(v, SURVEY_RULE.is_small(v)) for v in values[:5]]
    cells.line(parts, cells.add(539.0, False), SURVEY_RULE)
    hidden = cells.solve(SURVEY_RULE)
    assert hidden.tolist() == [False, False, False, True, True, False]
    assert suppress(values, line, rule=SURVEY_RULE).suppressed.tolist() == hidden.tolist()
    low, high = attack(values, hidden, line, SURVEY_RULE)
    assert (low[4], high[4]) == (1.0, 28.0)
    assert (low[3], high[3]) == (1.0, 28.0)


def test_an_unpublished_rest_that_is_not_small_asks_for_no_partner() -> None:
    """Figure 6-13's case in small (002 rule): a sector's n = 100 splits into group 1 (n 50), group 2
    (n 38) and 12 respondents in no group, published nowhere (an unpublished rest cell, not small).
    Group 2 answered yes 33, no 5: the 5 is hidden, and its complement is the 33 (the cheapest, and
    the only other option). The rest is then alone as a hidden cell in the line 50 + 38 + rest = 100:
    a reader works out 12, which is no small count, so it needs no partner. The former heuristic gave
    it one anyway, the group's n = 38, and with it hid every share of group 2's row. The 5 lies in
    [1, 37] (5 + 33 = 38 with both >= 1)."""
    cells = Cells()
    whole, n1, n2 = (cells.add(v, False) for v in (100.0, 50.0, 38.0))
    yes, no = (cells.add(v, SURVEY_RULE.is_small(v)) for v in (33.0, 5.0))
    cells.line([n1, n2], whole, SURVEY_RULE)  # adds the rest cell, 12, unpublished
    cells.line([yes, no], n2, SURVEY_RULE)
    hidden = cells.solve(SURVEY_RULE)
    assert hidden.tolist() == [False, False, False, True, True, True]  # the last: the rest, published nowhere
    values = np.array(cells.values)
    low, high = attack(values, hidden, cells.lines, SURVEY_RULE, free=np.array(cells.free) & ~np.array(cells.primary))
    assert (low[no], high[no]) == (1.0, 37.0)


def test_the_total_is_hidden_only_when_no_component_can_be() -> None:
    """3 + 20 = 23 (1-4 small) with the 20 published in another table (fixed): no component is left,
    so the total is the complement; the 3 is then bounded below only (3 = 23 - 20, 23 unknown)."""
    values = np.array([3.0, 20.0, 23.0])
    fixed = np.array([False, True, False])
    primary = DEFAULT.is_small(values)
    hidden = one_line(values, primary.copy(), np.zeros(3, dtype=bool), fixed, DEFAULT)
    assert hidden.tolist() == [True, False, True]
    line = [Line((0, 1), 2)]
    assert suppress(values, line, fixed=fixed).suppressed.tolist() == hidden.tolist()
    low, high = attack(values, hidden, line)
    assert low[0] == 1.0 and high[0] == np.inf
