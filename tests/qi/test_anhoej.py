"""Hand-worked checks of the Anhøj rules (Anhøj & Olesen 2014)."""

from __future__ import annotations

import numpy as np
import pytest

from forlop.qi.anhoej import crossings_limit, longest_run_limit, run_lengths, runs_analysis


@pytest.mark.parametrize(
    ("n_useful", "longest_max", "crossings_min"),
    [
        # log2(10) = 3.32 -> 3 + 3 = 6; Bin(9, .5): P(X<=1) = 10/512 = .020, P(X<=2) = 46/512 = .090 -> 2
        (10, 6, 2),
        # log2(12) = 3.58 -> 4 + 3 = 7; Bin(11, .5): P(X<=2) = 67/2048 = .033, P(X<=3) = 299/2048 = .146 -> 3
        (12, 7, 3),
        # log2(24) = 4.58 -> 5 + 3 = 8; Bin(23, .5): P(X<=7) = .047, P(X<=8) = .105 -> 8
        (24, 8, 8),
        # log2(36) = 5.17 -> 5 + 3 = 8; Bin(35, .5) 5 % quantile = 13 (Anhøj & Olesen 2014, table 1)
        (36, 8, 13),
        # one useful point: log2(1) = 0 -> 3; Bin(0, .5) is always 0 -> 0
        (1, 3, 0),
    ],
)
def test_limits(n_useful: int, longest_max: int, crossings_min: int) -> None:
    assert longest_run_limit(n_useful) == longest_max
    assert crossings_limit(n_useful) == crossings_min


def test_shift_is_a_signal() -> None:
    # 1..12 around the median 6.5: six points below then six above -> runs [6, 6],
    # longest 6 <= 7 but crossings 1 < 3, so the rules signal (few crossings).
    y = np.arange(1, 13, dtype=float)
    result = runs_analysis(y, np.full(12, 6.5))
    assert (result.n_useful, result.longest_run, result.n_crossings) == (12, 6, 1)
    assert (result.longest_run_max, result.n_crossings_min) == (7, 3)
    assert result.signal and result.few_crossings_signal and not result.long_run_signal


def test_points_on_the_line_are_not_useful() -> None:
    # 1, 5, 5, 9 around 5: the two 5s are on the line and dropped; 1 (below) then 9 (above)
    # -> 2 useful, 2 runs of 1, 1 crossing.
    result = runs_analysis(np.array([1.0, 5, 5, 9]), np.full(4, 5.0))
    assert (result.n_useful, result.longest_run, result.n_crossings) == (2, 1, 1)


def test_alternating_series_has_no_signal() -> None:
    # 0, 2, 0, 2, ... (12 points) around 1: 12 runs of 1, 11 crossings >= 3, longest 1 <= 7.
    y = np.tile([0.0, 2.0], 6)
    result = runs_analysis(y, np.ones(12))
    assert (result.longest_run, result.n_crossings, result.signal) == (1, 11, False)


def test_missing_values_and_empty() -> None:
    assert run_lengths(np.array([1, 1, -1, 1])) == [2, 1, 1]
    empty = runs_analysis(np.array([np.nan, 3.0]), np.array([3.0, 3.0]))
    assert empty.n_useful == 0 and empty.longest_run is None and not empty.signal
