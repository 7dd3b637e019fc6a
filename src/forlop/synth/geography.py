"""Geography and population of the synthetic extract.

The geography table is the 2020 code list (``forlop.codes`` ``geography_2020``). The population
(year, municipality, sex, age, count) gives each health community the adult population of
``parameters.yaml`` (chosen so that the patient rates of 001 §4.7 come out), split over its
municipalities with the first-listed (main) municipality weighted most, and over ages by the
assumed national age profile. Every municipality of the geography gets at least
``min_municipality_adults`` adults, so that every municipality a person can live in (and have
events in) has a population to be a rate's denominator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop import codes


def geography_table() -> pd.DataFrame:
    """Return the geography table of the extract contract (municipality -> health community, region)."""
    return codes.load("geography_2020")[["municipality", "municipality_name", "health_community", "region"]].copy()


def municipality_weights(rng: np.random.Generator, params: dict) -> pd.DataFrame:
    """Return municipality, health_community and weight (share of the health community's people).

    Weights are gamma draws, the first-listed municipality's raised; a municipality whose share would
    give it fewer than ``min_municipality_adults`` adults (parameters.yaml) is raised to that many and
    the others of its health community scaled down to keep the sum 1. The floor draws no random
    numbers, so the stream (and every draw after it) is the same as without it.
    """
    geo = geography_table()
    weights = []
    for hc, part in geo.groupby("health_community", sort=False):
        w = rng.gamma(1.5, 1.0, size=len(part))
        w[0] += w.sum() * 1.5  # the main town of the area holds the largest share
        w = w / w.sum()
        floor = params["min_municipality_adults"] / (params["adult_population_thousands"][hc] * 1000)
        low = w < floor
        if low.any():
            w = np.where(low, floor, w * (1 - floor * low.sum()) / w[~low].sum())
        weights.append(pd.Series(w, index=part.index))
    geo["weight"] = pd.concat(weights)
    return geo


def population_table(rng: np.random.Generator, params: dict, weights: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Return population counts by year, municipality, sex and single year of age (0-100)."""
    shares = params["population_age_shares"]
    ages = np.arange(0, 101)
    age_share = np.zeros(len(ages))
    for band, share in shares.items():
        lo, hi = map(int, band.split("-"))
        age_share[lo : hi + 1] = share / (hi - lo + 1)
    adult_share = age_share[18:].sum()
    female = float(params["population_female_share"])
    frames = []
    for year in years:
        growth = 1.0 + 0.007 * (year - int(params["year"]))  # about 0.7% a year around the cohort year
        for row in weights.itertuples(index=False):
            adults = params["adult_population_thousands"][row.health_community] * 1000 * row.weight * growth
            total = adults / adult_share
            for sex, sex_share in (("F", female), ("M", 1.0 - female)):
                counts = np.round(total * sex_share * age_share).astype(np.int64)
                frames.append(
                    pd.DataFrame(
                        {"year": year, "municipality": row.municipality, "sex": sex, "age": ages, "count": counts}
                    )
                )
    return pd.concat(frames, ignore_index=True)


def assign_municipalities(rng: np.random.Generator, health_community: np.ndarray, weights: pd.DataFrame) -> np.ndarray:
    """Return a municipality for each person from their health community ('' stays '')."""
    out = np.full(len(health_community), "", dtype=object)
    for hc, part in weights.groupby("health_community", sort=False):
        idx = np.flatnonzero(health_community == hc)
        if len(idx):
            out[idx] = rng.choice(part["municipality"].to_numpy(), size=len(idx), p=part["weight"].to_numpy())
    return out
