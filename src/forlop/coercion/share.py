"""Shares in percent with exact (Clopper-Pearson) 95% confidence intervals.

Used for the secondary outcome of 000, the share of referrals for involuntary admission that were
confirmed as involuntary. Share = events / denominator x 100; the interval is statsmodels'
``proportion_confint`` with method ``beta`` (Clopper-Pearson). A zero denominator gives no share (NaN).
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.proportion import proportion_confint


def share_with_ci(events: np.ndarray, denominator: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, ...]:
    """Return (share, ci_low, ci_high) in percent for arrays of events and denominators."""
    events = np.asarray(events, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    share = np.full(events.shape, np.nan)
    low = np.full(events.shape, np.nan)
    high = np.full(events.shape, np.nan)
    ok = denominator > 0
    share[ok] = events[ok] / denominator[ok] * 100
    lo, hi = proportion_confint(events[ok], denominator[ok], alpha=alpha, method="beta")
    low[ok] = np.asarray(lo) * 100
    high[ok] = np.asarray(hi) * 100
    return share, low, high
