"""Direct age- and sex-standardised rates per 10 000 adults with 95% CIs (issue 4 item 3).

Rule: the rate of an area is the weighted mean of its stratum rates (age group of 001 figure 1 x
sex), the weights being each stratum's share of the *national* adult population (age >= 18) of
the same year: ``DSR = sum_i w_i d_i / n_i``, ``var = sum_i w_i^2 d_i / n_i^2``.

The 95% interval is the gamma method of Fay & Feuer (1997), "Confidence intervals for directly
standardized rates: a method based on the gamma distribution", Stat Med 16:791-801 (the method of
R's ``epitools::ageadjust.direct`` and of most public-health observatories):
``lower = Gamma^-1(alpha/2; shape = DSR^2/var, scale = var/DSR)`` and
``upper = Gamma^-1(1-alpha/2; shape = (DSR+w_M)^2/(var+w_M^2), scale = (var+w_M^2)/(DSR+w_M))``
with ``w_M = max_i w_i / n_i``. With one stratum it is the exact (Garwood) Poisson interval.
Written here on top of ``scipy.stats.gamma`` because no maintained Python package implements it
(statsmodels has crude Poisson intervals only; those are used for the crude rates).

Strata where an area has no population are skipped in both the numerator and the weights of that
area (documented in docs/definitions.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import gamma
from statsmodels.stats.rates import confint_poisson

PER = 10_000


def fay_feuer(events: np.ndarray, population: np.ndarray, weights: np.ndarray, alpha: float = 0.05
              ) -> tuple[float, float, float]:
    """Directly standardised rate (per person) and its Fay-Feuer gamma interval.

    ``weights`` are the standard population's shares; they are renormalised over the strata where
    ``population > 0``.
    """
    events = np.asarray(events, dtype=float)
    population = np.asarray(population, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = population > 0
    events, population, weights = events[keep], population[keep], weights[keep]
    if population.size == 0:
        return float("nan"), float("nan"), float("nan")
    weights = weights / weights.sum()
    rate = float(np.sum(weights * events / population))
    var = float(np.sum(weights**2 * events / population**2))
    w_max = float(np.max(weights / population))
    lower = 0.0 if rate == 0 else float(gamma.ppf(alpha / 2, rate**2 / var, scale=var / rate))
    upper = float(gamma.ppf(1 - alpha / 2, (rate + w_max) ** 2 / (var + w_max**2),
                            scale=(var + w_max**2) / (rate + w_max)))
    return rate, lower, upper


def standardised_rates(events: pd.DataFrame, population: pd.DataFrame, area: str, per: int = PER
                       ) -> pd.DataFrame:
    """Crude and directly standardised rates per ``per`` adults for every area.

    ``events``: columns ``area, age_group, sex, events`` (patients counted per stratum);
    ``population``: columns ``area, age_group, sex, population`` (adults). The standard is the sum
    of ``population`` over all areas. Returns one row per area: events, population, crude,
    crude_low, crude_high (exact Poisson, statsmodels), rate, rate_low, rate_high (Fay-Feuer).
    """
    keys = ["age_group", "sex"]
    standard = population.groupby(keys, as_index=False)["population"].sum()
    standard["weight"] = standard["population"] / standard["population"].sum()
    merged = population.merge(events, on=[area, *keys], how="left").fillna({"events": 0})
    merged = merged.merge(standard[[*keys, "weight"]], on=keys, how="left")
    rows = []
    for name, part in merged.groupby(area, sort=False):
        d = float(part["events"].sum())
        n = float(part["population"].sum())
        crude_low, crude_high = confint_poisson(d, n, method="exact-c") if n > 0 else (np.nan, np.nan)
        rate, low, high = fay_feuer(part["events"].to_numpy(), part["population"].to_numpy(),
                                    part["weight"].to_numpy())
        rows.append({area: name, "events": d, "population": n,
                     "crude": d / n * per if n else np.nan,
                     "crude_low": float(crude_low) * per, "crude_high": float(crude_high) * per,
                     "rate": rate * per, "rate_low": low * per, "rate_high": high * per})
    return pd.DataFrame(rows)
