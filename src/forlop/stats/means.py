"""Means with t-based confidence intervals, and the quantile definition of every median.

Means: statsmodels' ``DescrStatsW(values).tconfint_mean`` (mean +- t(n-1) * sd / sqrt(n)).
Quantiles: numpy/pandas "linear" (Hyndman-Fan type 7; the median of an even number of values is
the mean of the two middle ones).
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.weightstats import DescrStatsW

#: Quantile definition for every median and percentile Forløp publishes.
QUANTILE_METHOD = "linear"


def mean_ci(values: np.ndarray, alpha: float = 0.05) -> tuple[float, float, float]:
    """(mean, ci_low, ci_high) of the finite values; NaN for no value, no interval for one."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    if x.size == 1:
        return float(x[0]), float("nan"), float("nan")
    low, high = DescrStatsW(x).tconfint_mean(alpha=alpha)
    return float(x.mean()), float(low), float(high)
