"""Confidence intervals of proportions (shares), from statsmodels' ``proportion_confint``.

- ``wilson``: the Wilson score interval, the default for every share Forløp publishes (001 shares,
  outcome monitoring): good coverage down to small n and never outside [0, 1];
- ``exact``: the Clopper-Pearson (beta) interval, used where a source document asks for an exact
  interval (the confirmed share of referrals in the ReCoN trial of 000).

A zero denominator gives no share and no interval (NaN), never an error.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from statsmodels.stats.proportion import proportion_confint

Method = Literal["wilson", "exact"]
_STATSMODELS = {"wilson": "wilson", "exact": "beta"}


def proportion_ci(numerator: np.ndarray | float, denominator: np.ndarray | float, method: Method = "wilson",
                  alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of ``numerator / denominator`` on the 0-1 scale; NaN where the denominator is 0."""
    num = np.atleast_1d(np.asarray(numerator, dtype=float))
    den = np.atleast_1d(np.asarray(denominator, dtype=float))
    low = np.full(num.shape, np.nan)
    high = np.full(num.shape, np.nan)
    ok = den > 0
    if ok.any():
        lo, hi = proportion_confint(num[ok], den[ok], alpha=alpha, method=_STATSMODELS[method])
        low[ok], high[ok] = lo, hi
    return low, high


def wilson(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of numerator/denominator (see :func:`proportion_ci`)."""
    return proportion_ci(numerator, denominator, "wilson")


def share_percent(events: np.ndarray, denominator: np.ndarray, method: Method = "exact", alpha: float = 0.05
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(share, ci_low, ci_high) in percent; NaN where the denominator is 0 (000's confirmed share)."""
    events = np.atleast_1d(np.asarray(events, dtype=float))
    denominator = np.atleast_1d(np.asarray(denominator, dtype=float))
    share = np.full(events.shape, np.nan)
    ok = denominator > 0
    share[ok] = events[ok] / denominator[ok] * 100
    low, high = proportion_ci(events, denominator, method, alpha)
    return share, low * 100, high * 100
