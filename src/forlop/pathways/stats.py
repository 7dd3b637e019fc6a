"""Estimates on the per-patient table: confidence intervals, quantiles, cumulative incidence.

All from well-kept libraries (statsmodels, numpy, lifelines); nothing is estimated by hand.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from lifelines import AalenJohansenFitter
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

#: Quantile definition for every median and percentile: numpy/pandas "linear" (Hyndman-Fan type 7;
#: the median of an even number of values is the mean of the two middle ones).
QUANTILE_METHOD = "linear"


def wilson(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of numerator/denominator (statsmodels ``proportion_confint``)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    low = np.full(num.shape, np.nan)
    high = np.full(num.shape, np.nan)
    ok = den > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(num[ok], den[ok], alpha=0.05, method="wilson")
    return low, high


def poisson_rate(count: np.ndarray, exposure: np.ndarray, per: float = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """95% exact (Garwood, central) Poisson interval of count/exposure*per (statsmodels ``confint_poisson``)."""
    count = np.asarray(count, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    low = np.full(count.shape, np.nan)
    high = np.full(count.shape, np.nan)
    ok = exposure > 0
    if ok.any():
        lo, hi = confint_poisson(count[ok], exposure[ok], method="exact-c")
        low[ok], high[ok] = np.asarray(lo) * per, np.asarray(hi) * per
    return low, high


def cumulative_incidence(
    days_to_event: pd.Series, days_to_death: pd.Series, at_days: list[int], horizon: int = 365
) -> dict[int, float]:
    """Aalen-Johansen cumulative incidence of the first event with death as competing risk (lifelines).

    A patient with the event at day d has (d, 1); one who died first at day t has (t, 2); everyone
    else is censored at the end of follow-up (horizon + 0.5, after all events). The estimate is read
    at X + 0.5 so that the tiny jitter lifelines adds to ties between event types cannot move an
    event across a whole day. With no deaths it equals the plain share with the event by day X.
    """
    event = days_to_event.astype("float64")
    death = days_to_death.astype("float64")
    durations = np.where(event.notna(), event, np.where(death.notna(), death, horizon + 0.5))
    kinds = np.where(event.notna(), 1, np.where(death.notna(), 2, 0))
    if len(durations) == 0:
        return {x: float("nan") for x in at_days}
    if not (kinds == 1).any():
        return {x: 0.0 for x in at_days}
    fitter = AalenJohansenFitter(calculate_variance=False, seed=2020)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(durations + 1.0, kinds, event_of_interest=1)  # +1: lifelines needs positive times
    curve = fitter.cumulative_density_.iloc[:, 0]
    result = {}
    for x in at_days:
        upto = curve[curve.index <= x + 1.5]
        result[x] = float(upto.iloc[-1]) if len(upto) else 0.0
    return result
