"""Coercion events of the synthetic extract beyond the 001 cohort's own (the measures of 000 and issue 6).

The cohort of 001 carries coercion referrals on stays around its discharge year only, and its
decisions are not dated to confirm a referral, so on its own the extract has involuntary admissions
in 2020 and almost none in 2019 and 2021, no referral without an admission and hardly any confirmed
referral. This module adds, with its own random stream (so every other table, and every 001
calibration figure, stays exactly as it was), parameters in ``parameters.yaml`` ``coercion_levels``:

- Top-up persons: for each year with population, adults whose involuntary admissions bring the
  extract's level to ``admissions_per_10000`` per 10 000 adult inhabitants (the population table of
  the extract, whatever its scale). Each has 1 + Poisson(``extra_referrals_mean``) referrals for
  involuntary admission in that one calendar year, one per equal slot of the year; a referral leads to
  an inpatient stay (PHV care level 1, flag on the episode) with probability ``admitted_share``, else it
  is an assessment without admission (PHV care level 3 with the flag).
- Top-up persons stay out of the 001 cohort and its SMI population (001 §4.1): in the cohort year
  their diagnoses do not qualify, and in other years every episode ends inside its year.
- Confirmation: each involuntary admission of the whole extract (a PHV care level 1 episode with the
  flag) gets, with probability ``confirmed_share``, a decision of compulsory observation or compulsory
  care on its start date or the next day (the second assessment within 24 hours; 000). No decision is
  dated in the cohort year for a cohort patient who is not under coercion (001 §4.5 must not change).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from forlop.synth.events import DAY, MISSING, at_time, batch, group_runs, pick

PER = 10_000


@dataclass
class TopUp:
    """The top-up persons and their rows."""

    person_id: np.ndarray
    birth_year: np.ndarray
    sex: np.ndarray
    health_community: np.ndarray
    episodes: pa.Table


def admissions_by_year(episodes: pa.Table, persons: pa.Table) -> dict[int, int]:
    """Return adult involuntary admissions (PHV care level 1 episodes with the flag) by start year."""
    ep = episodes.filter(pc.and_(pc.and_(pc.equal(episodes["sector"], "PHV"), pc.equal(episodes["care_level"], 1)),
                                 pc.fill_null(episodes["coercion_referral"], False)))
    people = persons.select(["person_id", "birth_year"]).to_pandas().set_index("person_id")["birth_year"]
    frame = ep.select(["person_id", "start"]).to_pandas()
    frame["year"] = frame["start"].dt.year
    frame = frame[frame["year"] - frame["person_id"].map(people) >= 18]
    return {int(y): int(n) for y, n in frame.groupby("year").size().items()}


def adults_by_year(population: pa.Table) -> dict[int, float]:
    """Return the adult (18+) population of the extract by year."""
    pop = population.to_pandas()
    return {int(y): float(n) for y, n in pop[pop["age"] >= 18].groupby("year")["count"].sum().items()}


def top_up_persons(rng: np.random.Generator, first_id: int, existing: dict[int, int], adults: dict[int, float],
                   cohort_year: int, params: dict) -> TopUp:
    """Return the top-up persons of every population year and their episodes (see the module docstring)."""
    cfg = params["coercion_levels"]
    per_person = (1 + cfg["extra_referrals_mean"]) * cfg["admitted_share"]  # expected admissions per person
    pops = params["adult_population_thousands"]
    places = np.array(list(pops), dtype=object)
    weights = np.array(list(pops.values()), dtype=float)
    ids, births, sexes, homes, parts = [], [], [], [], []
    next_id = first_id
    for year in sorted(adults):
        gap = cfg["admissions_per_10000"] * adults[year] / PER - existing.get(year, 0)
        n = max(round(gap / per_person), 0)
        if n == 0:
            continue
        person = np.arange(next_id, next_id + n, dtype=np.int64)
        next_id += n
        ids.append(person)
        births.append(year - np.clip(18 + rng.gamma(2.0, 12.0, size=n).astype(int), 18, 99))
        sexes.append(pick(rng, ["M", "F"], n, [cfg["male_share"], 1 - cfg["male_share"]]))
        homes.append(places[rng.choice(len(places), size=n, p=weights / weights.sum())])
        codes = cfg["diagnosis_codes_cohort_year"] if year == cohort_year else cfg["diagnosis_codes"]
        parts.append(_referrals(rng, person, year, pick(rng, codes, n), cfg))
    if not ids:
        empty = np.array([], dtype=np.int64)
        return TopUp(empty, empty, np.array([], dtype=object), np.array([], dtype=object),
                     batch("specialist_episodes", person_id=empty))
    return TopUp(np.concatenate(ids), np.concatenate(births), np.concatenate(sexes), np.concatenate(homes),
                 pa.concat_tables(parts))


def _referrals(rng: np.random.Generator, person: np.ndarray, year: int, dx: np.ndarray, cfg: dict) -> pa.Table:
    """Each person's referrals in ``year``, one per equal slot of the year: a stay or an assessment."""
    count = 1 + rng.poisson(cfg["extra_referrals_mean"], size=len(person))
    owner, position = group_runs(count)
    jan1 = np.datetime64(f"{year}-01-01")
    year_days = int((np.datetime64(f"{year + 1}-01-01") - jan1).astype(int))
    slot = year_days // count[owner]
    start_day = position * slot + (rng.random(len(owner)) * slot // 2).astype(int)
    # stays end at least 2 days before the next slot (never merged) and inside the year
    room = np.maximum(slot - (start_day - position * slot) - 2, 1)
    nights = np.minimum(np.maximum(np.rint(rng.lognormal(np.log(cfg["stay_days_median"]),
                                                         cfg["stay_days_sigma"], len(owner))), 1), room)
    start = at_time(jan1 + start_day * DAY, rng.integers(0, 24 * 60, size=len(owner)))
    admitted = rng.random(len(owner)) < cfg["admitted_share"]
    end_stay = at_time(jan1 + (start_day + nights.astype(int)) * DAY, rng.integers(9 * 60, 16 * 60, size=len(owner)))
    end = np.where(admitted, np.maximum(end_stay, start + np.timedelta64(60, "m")), start + np.timedelta64(90, "m"))
    return batch("specialist_episodes", person_id=person[owner], sector="PHV",
                 care_level=np.where(admitted, 1, 3), start=start, end=end, main_diagnosis=dx[owner],
                 urgency=np.where(admitted, "acute", MISSING).astype(object), coercion_referral=np.ones(len(owner), bool),
                 place_of_activity=np.full(len(owner), 1.0))


def confirming_decisions(rng: np.random.Generator, episodes: pa.Table, protected: np.ndarray, cohort_year: int,
                         params: dict) -> pa.Table:
    """Return confirming decisions for a share of the involuntary admissions of ``episodes``.

    ``protected``: person ids (cohort patients without coercion) who get no decision in ``cohort_year``.
    """
    cfg = params["coercion_levels"]
    ep = episodes.filter(pc.and_(pc.and_(pc.equal(episodes["sector"], "PHV"), pc.equal(episodes["care_level"], 1)),
                                 pc.fill_null(episodes["coercion_referral"], False)))
    person = ep["person_id"].to_numpy()
    day = ep["start"].to_numpy().astype("datetime64[D]")
    confirmed = rng.random(len(person)) < cfg["confirmed_share"]
    date = day + rng.integers(0, 2, size=len(person)) * DAY
    in_year = (date >= np.datetime64(f"{cohort_year}-01-01")) & (date <= np.datetime64(f"{cohort_year}-12-31"))
    keep = confirmed & ~(in_year & np.isin(person, protected))
    kinds = cfg["confirm_kinds"]
    kind = pick(rng, list(kinds), len(person), list(kinds.values()))
    return batch("coercion_decisions", person_id=person[keep], date=date[keep], kind=kind[keep])
