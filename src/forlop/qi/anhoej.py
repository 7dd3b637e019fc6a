"""The Anhøj rules for non-random variation in a run or control chart.

Rules (Anhøj & Olesen 2014, "Run charts revisited", PLoS ONE 9(11): e113825; the same
formulas as ``runs.analysis()`` in the R package qicharts2, which cites Schilling 2012 and
Chen 2010):

- Useful observations: data points not on the centre line (and not missing).
- Unusually long run: the longest run of useful observations on the same side of the
  centre line is longer than ``round(log2(n_useful)) + 3``.
- Unusually few crossings: the number of times the line crosses the centre line
  (= number of runs - 1) is below the 5 % quantile of Binomial(n_useful - 1, 0.5),
  ``qbinom(0.05, n_useful - 1, 0.5)`` in R, ``scipy.stats.binom.ppf`` here.

Either rule fires the runs signal for the whole chart part.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np


def longest_run_limit(n_useful: int) -> int:
    """Upper limit for the longest run: ``round(log2(n_useful)) + 3`` (Schilling 2012).

    ``log2`` of an integer is never exactly half-way between two integers (except for
    n < 1), so R's round-half-even and Python's ``round`` give the same answer.
    """
    if n_useful < 1:
        raise ValueError("n_useful must be at least 1")
    return round(float(np.log2(n_useful))) + 3


def crossings_limit(n_useful: int) -> int:
    """Lower limit for the number of crossings: the 5 % quantile of Bin(n_useful - 1, 0.5).

    Chen 2010 via Anhøj & Olesen 2014; R: ``qbinom(0.05, max(n_useful - 1, 0), 0.5)``.
    """
    if n_useful < 1:
        raise ValueError("n_useful must be at least 1")
    from scipy.stats import binom  # here, not at the top: scipy.stats takes ~0.5 s to import, and every
    # `forlop` command imports this module (forlop.cli -> forlop.qi.cli -> forlop.qi)

    return int(binom.ppf(0.05, max(n_useful - 1, 0), 0.5))


@dataclass(frozen=True)
class RunsAnalysis:
    """Result of the Anhøj rules on one chart part. Fields are None when n_useful is 0."""

    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    signal: bool

    @property
    def long_run_signal(self) -> bool:
        """True when the longest run is longer than its limit."""
        return (self.longest_run is not None and self.longest_run_max is not None
                and self.longest_run > self.longest_run_max)

    @property
    def few_crossings_signal(self) -> bool:
        """True when there are fewer crossings than their lower limit."""
        return (self.n_crossings is not None and self.n_crossings_min is not None
                and self.n_crossings < self.n_crossings_min)


def run_lengths(sides: np.ndarray) -> list[int]:
    """Lengths of consecutive runs of equal values in ``sides`` (R's ``rle()$lengths``)."""
    if len(sides) == 0:
        return []
    change = np.flatnonzero(np.diff(sides) != 0) + 1
    bounds = np.concatenate([[0], change, [len(sides)]])
    return [int(b - a) for a, b in pairwise(bounds)]


def runs_analysis(y: np.ndarray, cl: np.ndarray) -> RunsAnalysis:
    """Apply the Anhøj rules to values ``y`` around centre line ``cl`` (same length).

    Points on the centre line and missing points are not useful and are dropped before
    runs are counted, so a point on the line neither breaks nor extends a run.
    """
    y = np.asarray(y, dtype=float)
    cl = np.asarray(cl, dtype=float)
    with np.errstate(invalid="ignore"):
        sides = np.sign(y - cl)
    sides = sides[~np.isnan(sides) & (sides != 0)]
    n_useful = len(sides)
    if n_useful == 0:
        return RunsAnalysis(len(y), 0, None, None, None, None, False)
    lengths = run_lengths(sides)
    longest = max(lengths)
    crossings = max(len(lengths) - 1, 0)
    longest_max = longest_run_limit(n_useful)
    crossings_min = crossings_limit(n_useful)
    signal = longest > longest_max or crossings < crossings_min
    return RunsAnalysis(len(y), n_useful, longest, longest_max, crossings, crossings_min, bool(signal))


def longest_run_span(y: np.ndarray, cl: np.ndarray) -> tuple[int, int, int] | None:
    """Where the longest run lies: (first index, last index, side) in the original positions,
    side +1 above and -1 below the centre line; the latest run wins a tie. Points on the line
    and missing points are skipped, as in ``runs_analysis``. None when no point is useful.
    """
    y = np.asarray(y, dtype=float)
    cl = np.asarray(cl, dtype=float)
    with np.errstate(invalid="ignore"):
        sides = np.sign(y - cl)
    useful = np.flatnonzero(~np.isnan(sides) & (sides != 0))
    if len(useful) == 0:
        return None
    best, start = (0, 0, 0, 0), 0  # (length, first, last, side) of the longest run so far
    for k in range(1, len(useful) + 1):
        if k == len(useful) or sides[useful[k]] != sides[useful[start]]:
            length = k - start
            if length >= best[0]:
                best = (length, int(useful[start]), int(useful[k - 1]), int(sides[useful[start]]))
            start = k
    return best[1], best[2], best[3]
