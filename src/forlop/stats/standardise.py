"""Direct age- and sex-standardised rates per 10 000 adults with 95% CIs (001 figure 2 and 000's rates, standardised).

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

from forlop.stats.poisson import PER, poisson_rate


def _gamma_limits(rate: np.ndarray, var: np.ndarray, w_max: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Fay-Feuer lower and upper limits for arrays of (rate, var, w_M); lower is 0 where rate is 0."""
    from scipy.stats import gamma  # imported where used: scipy.stats costs ~0.6 s at start-up (issue 14)

    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(rate > 0, gamma.ppf(alpha / 2, rate**2 / var, scale=var / rate), 0.0)
        upper = gamma.ppf(
            1 - alpha / 2, (rate + w_max) ** 2 / (var + w_max**2), scale=(var + w_max**2) / (rate + w_max)
        )
    nan = ~np.isfinite(rate)
    return np.where(nan, np.nan, lower), np.where(nan, np.nan, upper)


def fay_feuer(
    events: np.ndarray, population: np.ndarray, weights: np.ndarray, alpha: float = 0.05
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
    rate = np.array([np.sum(weights * events / population)])
    var = np.array([np.sum(weights**2 * events / population**2)])
    w_max = np.array([np.max(weights / population)])
    lower, upper = _gamma_limits(rate, var, w_max, alpha)
    return float(rate[0]), float(lower[0]), float(upper[0])


def standardised_rates(events: pd.DataFrame, population: pd.DataFrame, area: str, per: int = PER) -> pd.DataFrame:
    """Crude and directly standardised rates per ``per`` adults for every area.

    ``events``: columns ``area, age_group, sex, events`` (patients counted per stratum);
    ``population``: columns ``area, age_group, sex, population`` (adults). The standard is the sum
    of ``population`` over all areas. Returns one row per area (in order of first appearance in
    ``population``): events, population, crude, crude_low, crude_high (exact Poisson,
    statsmodels), rate, rate_low, rate_high (Fay-Feuer; the same sums as :func:`fay_feuer`, taken
    for all areas at once with a group-by).
    """
    keys = ["age_group", "sex"]
    standard = population.groupby(keys, as_index=False)["population"].sum()
    standard["weight"] = standard["population"] / standard["population"].sum()
    merged = population.merge(events, on=[area, *keys], how="left").fillna({"events": 0})
    merged = merged.merge(standard[[*keys, "weight"]], on=keys, how="left")
    d = merged["events"].to_numpy(dtype=float)
    n = merged["population"].to_numpy(dtype=float)
    w = np.where(n > 0, merged["weight"].to_numpy(dtype=float), 0.0)  # strata without people: left out
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = pd.DataFrame(
            {
                area: merged[area],
                "d": d,
                "n": n,
                "w": w,
                "s1": np.where(n > 0, w * d / n, 0.0),
                "s2": np.where(n > 0, w**2 * d / n**2, 0.0),
                "wn": np.where(n > 0, w / n, 0.0),
            }
        )
    sums = terms.groupby(area, sort=False).agg(
        d=("d", "sum"), n=("n", "sum"), w=("w", "sum"), s1=("s1", "sum"), s2=("s2", "sum"), wn=("wn", "max")
    )
    total_w = sums["w"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(total_w > 0, sums["s1"].to_numpy() / total_w, np.nan)
        var = sums["s2"].to_numpy() / total_w**2
        w_max = sums["wn"].to_numpy() / total_w
    low, high = _gamma_limits(rate, var, w_max, 0.05)
    events_sum, people = sums["d"].to_numpy(), sums["n"].to_numpy()
    crude, crude_low, crude_high = poisson_rate(events_sum, people, per=per)
    return pd.DataFrame(
        {
            area: sums.index.to_numpy(),
            "events": events_sum,
            "population": people,
            "crude": crude,
            "crude_low": crude_low,
            "crude_high": crude_high,
            "rate": rate * per,
            "rate_low": low * per,
            "rate_high": high * per,
        }
    )
