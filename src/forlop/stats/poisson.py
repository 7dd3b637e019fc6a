"""Rates with exact Poisson confidence intervals, from statsmodels' ``confint_poisson``.

Rate = events / exposure x ``per``. The interval is the exact (Garwood, central) Poisson interval
of the count (method ``exact-c``: chi2(alpha/2; 2k)/2 and chi2(1 - alpha/2; 2k + 2)/2), scaled the
same way. Used for patients per 10 000 inhabitants (001 figure 2) and for coercion rates per
10 000 person-years (000). No exposure gives no rate (NaN).
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.rates import confint_poisson

PER = 10_000


def poisson_rate(count: np.ndarray | float, exposure: np.ndarray | float, per: float = PER, alpha: float = 0.05
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rate, ci_low, ci_high) of ``count / exposure * per``; NaN where the exposure is not positive."""
    count = np.atleast_1d(np.asarray(count, dtype=float))
    exposure = np.atleast_1d(np.asarray(exposure, dtype=float))
    rate = np.full(count.shape, np.nan)
    low = np.full(count.shape, np.nan)
    high = np.full(count.shape, np.nan)
    ok = exposure > 0
    if ok.any():
        rate[ok] = count[ok] / exposure[ok] * per
        lo, hi = confint_poisson(count[ok], exposure[ok], method="exact-c", alpha=alpha)
        low[ok], high[ok] = np.asarray(lo) * per, np.asarray(hi) * per
    return rate, low, high
