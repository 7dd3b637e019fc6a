"""Funnel-plot control limits for proportions (001 figures with health communities; outcome monitoring per service).

Rule: a health community's share y/n is compared with the national share p0; its control limits
at a given n are the exact binomial quantiles of Bin(n, p0), interpolated as in Spiegelhalter
(2005), "Funnel plots for comparing institutional performance", Stat Med 24:1185-1202, appendix
A.1.1: with ``r_p`` the p-quantile of Bin(n, p0) and
``alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))``, the limit is ``(r_p - alpha) / n``.
Limits at 95% (p = 0.025, 0.975) and 99.8% (p = 0.001, 0.999). The binomial quantiles are
scipy's; only the interpolation, which no library offers, is written out here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = {"95": (0.025, 0.975), "99.8": (0.001, 0.999)}


def binomial_limit(n: np.ndarray | float, p0: float, p: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial limit for probability ``p`` at sample size(s) ``n``."""
    from scipy.stats import binom  # imported where used: scipy.stats costs ~0.6 s at start-up (issue 14)

    n = np.atleast_1d(np.asarray(n, dtype=float))
    r = binom.ppf(p, n, p0)
    f_r = binom.cdf(r, n, p0)
    f_below = binom.cdf(r - 1, n, p0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(f_r > f_below, (f_r - p) / (f_r - f_below), 0.0)
        return np.clip((r - alpha) / n, 0.0, 1.0)


def funnel_limits(p0: float, n_max: int, points: int = 200) -> pd.DataFrame:
    """Limits on a grid of n from 1 to ``n_max``: columns n, lo95, hi95, lo99.8, hi99.8."""
    grid = np.unique(np.round(np.geomspace(1, max(n_max, 2), points)).astype(int))
    out = {"n": grid}
    for name, (lo, hi) in LEVELS.items():
        out[f"lo{name}"] = binomial_limit(grid, p0, lo)
        out[f"hi{name}"] = binomial_limit(grid, p0, hi)
    return pd.DataFrame(out)


def classify(numerator: np.ndarray, denominator: np.ndarray, p0: float) -> list[str]:
    """Where each unit lies: 'above99.8', 'above95', 'inside', 'below95', 'below99.8'."""
    labels = []
    for y, n in zip(np.asarray(numerator, float), np.asarray(denominator, float)):
        if not n > 0:
            labels.append("")
            continue
        share = y / n
        if share > binomial_limit(n, p0, LEVELS["99.8"][1])[0]:
            labels.append("above99.8")
        elif share > binomial_limit(n, p0, LEVELS["95"][1])[0]:
            labels.append("above95")
        elif share < binomial_limit(n, p0, LEVELS["99.8"][0])[0]:
            labels.append("below99.8")
        elif share < binomial_limit(n, p0, LEVELS["95"][0])[0]:
            labels.append("below95")
        else:
            labels.append("inside")
    return labels


def funnel_limits_mean(target: float, sigma: float, n: np.ndarray) -> pd.DataFrame:
    """Normal funnel limits target +- z_p sigma / sqrt(n) at the levels of ``LEVELS`` (columns n, lo95,
    hi95, lo99.8, hi99.8): Spiegelhalter (2005), Stat Med 24:1185-1202, for a mean (the survey's unit
    comparison); :func:`funnel_limits` is the binomial version for shares."""
    from scipy.stats import norm  # imported where used: scipy.stats costs ~0.6 s at start-up (issue 14)

    n = np.asarray(n, dtype=float)
    out: dict[str, np.ndarray] = {"n": n}
    for name, (lo, hi) in LEVELS.items():
        out[f"lo{name}"] = target + norm.ppf(lo) * sigma / np.sqrt(n)
        out[f"hi{name}"] = target + norm.ppf(hi) * sigma / np.sqrt(n)
    return pd.DataFrame(out)
