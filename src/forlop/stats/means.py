"""Means and medians with confidence intervals, and the quantile definition of every median.

Means: statsmodels' ``DescrStatsW(values).tconfint_mean`` (mean +- t(n-1) * sd / sqrt(n)); for many
groups at once :func:`t_interval` takes their n, mean and sd and applies the same formula with scipy's t.
Medians: the distribution-free interval from binomial order statistics (scipy ``quantile_test``).
Quantiles: numpy/pandas "linear" (Hyndman-Fan type 7; the median of an even number of values is
the mean of the two middle ones).
"""

from __future__ import annotations

import numpy as np

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
    from statsmodels.stats.weightstats import DescrStatsW  # imports scipy.stats: only when a mean is asked for

    low, high = DescrStatsW(x).tconfint_mean(alpha=alpha)
    return float(x.mean()), float(low), float(high)


def t_interval(n: np.ndarray, mean: np.ndarray, sd: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """(ci_low, ci_high) of many means at once: mean +- t(n - 1, 1 - alpha/2) * sd / sqrt(n), sd with ddof 1.

    The interval of :func:`mean_ci` (statsmodels ``tconfint_mean``) for groups summarised as n, mean and
    sd, with scipy's t quantile vectorised over the groups (one statsmodels call per group costs ~1 ms);
    NaN where n < 2.
    """
    from scipy.stats import t

    n, mean, sd = (np.asarray(v, dtype=float) for v in (n, mean, sd))
    valid = n >= 2
    half = np.full(n.shape, np.nan)
    half[valid] = t.ppf(1 - alpha / 2, n[valid] - 1) * sd[valid] / np.sqrt(n[valid])
    return mean - half, mean + half


def median_ci(values: np.ndarray, alpha: float = 0.05) -> tuple[float, float, float]:
    """(median, ci_low, ci_high): distribution-free interval from binomial order statistics (scipy
    ``quantile_test``); NaN for no value."""
    from scipy.stats import quantile_test

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    median = float(np.median(x))  # = np.quantile(x, 0.5, method=QUANTILE_METHOD) ("linear")
    ci = quantile_test(x, q=median, p=0.5).confidence_interval(confidence_level=1 - alpha)
    return median, float(ci.low), float(ci.high)
