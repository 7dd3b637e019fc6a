"""Confidence intervals of proportions (shares).

- ``wilson``: the Wilson score interval, the default for every share Forløp publishes (001 shares,
  outcome monitoring): good coverage down to small n and never outside [0, 1];
- ``exact``: the Clopper-Pearson (beta) interval, used where a source document asks for an exact
  interval (the confirmed share of referrals in the ReCoN trial of 000), from statsmodels'
  ``proportion_confint(method="beta")``.

The Wilson interval is the closed form (Wilson 1927; statsmodels ``proportion_confint(method=
"wilson")`` computes the same expression, and ``tests/stats/test_intervals.py`` checks the two agree
to 1e-12) with the normal quantile from ``scipy.special.ndtri``. It is written out because importing
statsmodels' proportion module pulls in ``scipy.stats``, about 0.6 s of start-up that made up a
third of a small ``forlop pathways`` run (issue 14, "Speed of small runs").

A zero denominator gives no share and no interval (NaN), never an error.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.special import ndtri

Method = Literal["wilson", "exact"]


def _wilson(num: np.ndarray, den: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), den > 0."""
    z = ndtri(1 - alpha / 2)
    p = num / den
    z2n = z * z / den
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(p * (1 - p) / den + z2n / (4 * den))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def proportion_ci(
    numerator: np.ndarray | float, denominator: np.ndarray | float, method: Method = "wilson", alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of ``numerator / denominator`` on the 0-1 scale; NaN where the denominator is 0."""
    num = np.atleast_1d(np.asarray(numerator, dtype=float))
    den = np.atleast_1d(np.asarray(denominator, dtype=float))
    low = np.full(num.shape, np.nan)
    high = np.full(num.shape, np.nan)
    ok = den > 0
    if ok.any() and method == "wilson":
        low[ok], high[ok] = _wilson(num[ok], den[ok], alpha)
    elif ok.any():
        from statsmodels.stats.proportion import proportion_confint  # imports scipy.stats: only when asked for

        low[ok], high[ok] = proportion_confint(num[ok], den[ok], alpha=alpha, method="beta")
    return low, high


def wilson(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of numerator/denominator (see :func:`proportion_ci`)."""
    return proportion_ci(numerator, denominator, "wilson")


def share_percent(
    events: np.ndarray, denominator: np.ndarray, method: Method = "exact", alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(share, ci_low, ci_high) in percent; NaN where the denominator is 0 (000's confirmed share)."""
    events = np.atleast_1d(np.asarray(events, dtype=float))
    denominator = np.atleast_1d(np.asarray(denominator, dtype=float))
    share = np.full(events.shape, np.nan)
    ok = denominator > 0
    share[ok] = events[ok] / denominator[ok] * 100
    low, high = proportion_ci(events, denominator, method, alpha)
    return share, low * 100, high * 100
