"""Random draws that hit published summary figures closely at any sample size.

Two tools, both vectorised with NumPy:

* ``skewed_values`` draws n values whose median and mean match given targets. Its quantile function
  has two pieces that meet at the median: below it, values run log-uniformly from ``floor`` (``lo``
  unless given) to the median; above it, from the median to ``hi`` as ``median * (hi/median) ** (v ** b)`` with v in
  [0, 1). The median is exact by construction and the mean rises monotonically as b falls, so b is
  found with ``scipy.optimize.brentq``. Values are drawn at stratified quantile levels (one level per
  1/n of probability, in random order), so the sample median and mean sit on the targets even for a
  few hundred values. (SciPy has many distributions but none parametrised by a median and a mean on a
  bounded range, which is what a published table gives; hence this small construction.)
* ``choose_exact`` picks exactly k of a set of candidates, with optional weights, without
  replacement (``numpy.random.Generator.choice``), so published counts are met exactly.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import optimize

_GRID = (np.arange(2000) + 0.5) / 2000


def _quantiles(levels: np.ndarray, median: float, lo: float, hi: float, b: float) -> np.ndarray:
    """Two-piece quantile function: log-uniform from ``lo`` to the median, log-power above it."""
    out = np.empty_like(levels, dtype=float)
    low = levels < 0.5
    out[low] = lo * (median / lo) ** (levels[low] / 0.5)
    v = (levels[~low] - 0.5) / 0.5
    out[~low] = median * (hi / median) ** (v**b)
    return out


def _finish(values: np.ndarray, levels: np.ndarray, lo: float, hi: float, integer: bool) -> np.ndarray:
    """Clip to [lo, hi]; for whole numbers round the lower piece up and the upper piece down, so
    that both pieces reach the median itself and the sample median is the target."""
    if integer:
        values = np.where(levels < 0.5, np.ceil(values - 1e-9), np.floor(values + 1e-9))
    return np.clip(values, lo, hi)


@lru_cache(maxsize=4096)
def shape_for(median: float, mean: float, lo: float, hi: float, integer: bool) -> float:
    """Return the upper-piece exponent b that gives the target mean (clipped to what is reachable)."""

    def mean_minus_target(log_b: float) -> float:
        values = _finish(_quantiles(_GRID, median, lo, hi, float(np.exp(log_b))), _GRID, lo, hi, integer)
        return float(values.mean() - mean)

    low_end, high_end = -6.0, 8.0  # b from 0.0025 (mean near (median+hi)/2) to ~3000 (mean near median)
    if mean_minus_target(high_end) >= 0:
        return float(np.exp(high_end))
    if mean_minus_target(low_end) <= 0:
        return float(np.exp(low_end))
    return float(np.exp(optimize.brentq(mean_minus_target, low_end, high_end, xtol=1e-4)))


def skewed_values(
    rng: np.random.Generator,
    n: int,
    median: float,
    mean: float,
    lo: float = 1.0,
    hi: float = 365.0,
    integer: bool = True,
    floor: float | None = None,
) -> np.ndarray:
    """Return n values in [lo, hi] whose sample median and mean are close to the targets.

    ``floor`` (between ``lo`` and the median) is where the lower half starts: a higher floor keeps
    values nearer the median, so that pooled groups have a pooled median near their medians.
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64 if integer else float)
    median = float(min(max(median, lo), hi))
    start = float(min(max(floor if floor is not None else lo, lo), median))
    b = shape_for(median, float(mean), start, float(hi), integer)
    levels = (rng.permutation(n) + rng.random(n)) / n
    values = _finish(_quantiles(levels, median, start, hi, b), levels, lo, hi, integer)
    return values.astype(np.int64) if integer else values


def choose_exact(
    rng: np.random.Generator,
    candidates: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Return exactly min(k, len(candidates)) of ``candidates`` without replacement, by weight."""
    k = int(min(max(k, 0), len(candidates)))
    if k == 0:
        return candidates[:0]
    p = None
    if weights is not None:
        p = np.asarray(weights, dtype=float)
        p = p / p.sum()
        # Generator.choice without replacement needs at least k non-zero weights.
        if np.count_nonzero(p) < k:
            p = None
    return rng.choice(candidates, size=k, replace=False, p=p)


def scaled_count(published: float, published_base: float, base: int) -> int:
    """Return the published count scaled from its base (e.g. group size) to a new base, rounded."""
    if published_base == 0:
        return 0
    return round(published * base / published_base)
