"""The cohort patients of the synthetic extract and their fixed attributes.

One row per patient who will meet the 001 cohort definition (§4.1): diagnosis group (001 table 1),
place of residence (table A), sex and age (§4.6, figure 1), co-occurring substance use (table 2),
coercion (table 3), discharge-ready on the index stay (table 11), and the index stay's dates.
Counts per group are exact at national scale: the published count is drawn without replacement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop import codes
from forlop.synth.distributions import choose_exact, scaled_count, skewed_values
from forlop.synth.targets import GROUPS, Targets

NATIONAL_COHORT = 15587
TABLE_A_COLUMNS = ("schizophrenia", "bipolar", "severe_depression", "personality", "substance")


def national_group_and_place(rng: np.random.Generator, tg: Targets) -> tuple[np.ndarray, np.ndarray]:
    """Return (diagnosis group, health community or '') for the 15 587 patients of 001.

    Table A gives patients with residence by health community for five groups and the rest; the
    rest column is filled from the other groups' national counts (table 1) in random order, and the
    patients without residence are what table 1 has beyond table A (42 in all).
    """
    hcs = codes.load("health_communities")["health_community"].tolist()
    group_parts: list[np.ndarray] = []
    place_parts: list[np.ndarray] = []
    national = {g: int(tg.get("1", "patients", g)) for g in GROUPS}
    rest_pool = np.concatenate([np.repeat(g, national[g]) for g in GROUPS if g not in TABLE_A_COLUMNS]).astype(object)
    rest_pool = rng.permutation(rest_pool)
    used_rest = 0
    for hc in hcs:
        for g in TABLE_A_COLUMNS:
            n = int(tg.get("A", f"patients_{g}", hc))
            group_parts.append(np.repeat(g, n).astype(object))
            place_parts.append(np.repeat(hc, n).astype(object))
        n_rest = int(tg.get("A", "patients_rest", hc))
        group_parts.append(rest_pool[used_rest : used_rest + n_rest])
        place_parts.append(np.repeat(hc, n_rest).astype(object))
        used_rest += n_rest
    # Without residence: the table 1 count beyond table A, per table A column, and the rest left over.
    for g in TABLE_A_COLUMNS:
        n = national[g] - int(tg.get("A", f"patients_{g}", "Hele landet"))
        group_parts.append(np.repeat(g, n).astype(object))
        place_parts.append(np.repeat("", n).astype(object))
    leftover = rest_pool[used_rest:]
    group_parts.append(leftover)
    place_parts.append(np.repeat("", len(leftover)).astype(object))
    return np.concatenate(group_parts), np.concatenate(place_parts)


def _age_bands(rng: np.random.Generator, n: int, shares: dict[str, float]) -> np.ndarray:
    """Return n ages with band counts by largest remainder (001 figure 1) and uniform within a band."""
    bands = list(shares)
    raw = np.array([shares[b] for b in bands]) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts))[: n - counts.sum()]] += 1
    ages = []
    for band, count in zip(bands, counts):
        lo, hi = (90, 99) if band == "90+" else map(int, band.split("-"))
        ages.append(rng.integers(lo, hi + 1, size=count))
    return rng.permutation(np.concatenate(ages))


def build_cohort(rng: np.random.Generator, tg: Targets, params: dict, n_patients: int) -> pd.DataFrame:
    """Return one row per cohort patient with the attributes the tables of 001 chapter 4 describe."""
    group, place = national_group_and_place(rng, tg)
    if n_patients != len(group):
        pick = np.sort(rng.choice(len(group), size=n_patients, replace=n_patients > len(group)))
        group, place = group[pick], place[pick]
    n = len(group)
    frame = pd.DataFrame({"group": group, "health_community": place})
    frame["sex"] = "M"
    frame["substance_use"] = False
    frame["coercion"] = False
    frame["discharge_ready"] = False
    for g in GROUPS:
        idx = np.flatnonzero(group == g)
        n_g = len(idx)
        national_g = tg.get("1", "patients", g)
        female = choose_exact(rng, idx, round(params["female_share"][g] * n_g))
        frame.loc[female, "sex"] = "F"
        substance = choose_exact(rng, idx, scaled_count(tg.get("2", "substance_use", g), national_g, n_g))
        frame.loc[substance, "substance_use"] = True
        coercion = choose_exact(rng, idx, scaled_count(tg.get("3", "coercion", g), national_g, n_g))
        frame.loc[coercion, "coercion"] = True
        weights = np.exp(0.5 * frame.loc[idx, "coercion"].to_numpy())
        ready = choose_exact(rng, idx, scaled_count(tg.get("11", "discharge_ready", g), national_g, n_g), weights)
        frame.loc[ready, "discharge_ready"] = True
    year = int(params["year"])
    frame["age"] = _age_bands(rng, n, params["age_bands"])
    frame["birth_year"] = year - frame["age"]
    # Index stay: length of stay, discharge date in the year with the whole stay inside the year.
    stay = params["index_stay"]
    los = skewed_values(rng, n, stay["los_median"], stay["los_mean"], lo=1, hi=200)
    year_start = np.datetime64(f"{year}-01-01")
    days_in_year = int((np.datetime64(f"{year + 1}-01-01") - year_start).astype(int))
    los = np.minimum(los, days_in_year - 30)
    end_offset = los + (rng.random(n) * (days_in_year - los)).astype(int)
    frame["index_end"] = year_start + end_offset.astype("timedelta64[D]")
    frame["index_start"] = frame["index_end"].to_numpy() - los.astype("timedelta64[D]")
    frame["discharge_minute"] = rng.integers(9 * 60, 15 * 60, size=n)
    frame["region"] = (
        frame["health_community"]
        .map(dict(codes.load("health_communities")[["health_community", "region"]].itertuples(index=False)))
        .fillna("")
    )
    return frame
