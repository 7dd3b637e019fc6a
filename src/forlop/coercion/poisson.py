"""Rates per 10 000 inhabitants per year with exact Poisson 95% confidence intervals.

Rate = events / person-years x 10 000. The interval is the exact (Garwood) Poisson interval for the
count, scaled the same way; it comes from statsmodels (``confint_poisson``, method ``exact-c``), whose
limits are the chi-square quantiles chi2(0.025; 2k)/2 and chi2(0.975; 2k + 2)/2.
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.rates import confint_poisson

PER = 10_000


def rate_with_ci(events: np.ndarray, person_years: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, ...]:
    """Return (rate, ci_low, ci_high) per 10 000 person-years for arrays of counts and person-years."""
    events = np.asarray(events, dtype=float)
    person_years = np.asarray(person_years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = events / person_years * PER
        low, high = confint_poisson(events, person_years / PER, method="exact-c", alpha=alpha)
    return rate, np.asarray(low, dtype=float), np.asarray(high, dtype=float)
