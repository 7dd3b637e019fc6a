"""People in the extract whom the cohort selection of 001 §4.1 must leave out.

* the rest of the severe-mental-illness population of the year (adults with a qualifying PHV
  diagnosis) who had no completed inpatient stay in the year: some with a stay still open at the
  end of the year, some with a stay that ended the year before;
* children (under 18 in the year) with a qualifying diagnosis and a completed stay;
* adults in PHV with only non-qualifying diagnoses, some with a completed stay.
(Patients who die within 365 days of discharge are built like cohort patients; see ``extract``.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from forlop.synth.events import DAY, MISSING, at_time, batch, group_runs, pick


@dataclass
class OtherPersons:
    """Attributes of one kind of left-out persons, and their specialist episodes."""

    kind: str
    birth_year: np.ndarray
    sex: np.ndarray
    health_community: np.ndarray
    episodes: pa.Table
    first_seen: np.ndarray  # first date of background claims
    last_seen: np.ndarray


def _adult_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(18 + rng.gamma(2.0, 13.0, size=n).astype(int), 18, 99)


def _places(rng: np.random.Generator, n: int, params: dict) -> np.ndarray:
    pops = params["adult_population_thousands"]
    names = np.array(list(pops), dtype=object)
    weights = np.array(list(pops.values()), dtype=float)
    return names[rng.choice(len(names), size=n, p=weights / weights.sum())]


def _persons(
    rng: np.random.Generator,
    kind: str,
    birth_year: np.ndarray,
    sex_shares: list[float],
    parts: list[pa.Table],
    params: dict,
) -> OtherPersons:
    """Persons of one ``kind`` born in ``birth_year``: sex F/M drawn with ``sex_shares``, health community by adult
    population, the episodes of ``parts``; background claims from 1 January of the year to ``history_end``."""
    n = len(birth_year)
    return OtherPersons(
        kind,
        birth_year,
        pick(rng, ["F", "M"], n, sex_shares),
        _places(rng, n, params),
        pa.concat_tables(parts),
        np.full(n, np.datetime64(f"{int(params['year'])}-01-01")),
        np.full(n, np.datetime64(params["history_end"])),
    )


def _contacts(
    rng: np.random.Generator,
    person_id: np.ndarray,
    count: np.ndarray,
    first: np.datetime64,
    last: np.datetime64,
    dx: np.ndarray,
) -> pa.Table:
    """Outpatient PHV contacts spread over [first, last]; each person's first contact carries ``dx``."""
    owner, position = group_runs(count)
    span = int((last - first).astype(int)) + 1
    day = first + (rng.random(len(owner)) * span).astype(int) * DAY
    start = at_time(day, rng.integers(8 * 60, 16 * 60, size=len(owner)))
    main = np.where(position == 0, dx[owner], MISSING)
    return batch(
        "specialist_episodes",
        person_id=person_id[owner],
        sector="PHV",
        care_level=np.full(len(owner), 3),
        start=start,
        end=start + np.timedelta64(45, "m"),
        main_diagnosis=main,
        coercion_referral=np.zeros(len(owner), bool),
    )


def _stays(
    rng: np.random.Generator,
    person_id: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    dx: np.ndarray,
    open_end: np.ndarray | None = None,
) -> pa.Table:
    """Inpatient PHV stays; ``open_end`` marks stays still ongoing (empty end)."""
    n = len(person_id)
    start_at = at_time(start, rng.integers(8 * 60, 22 * 60, size=n))
    end_at = at_time(end, rng.integers(9 * 60, 15 * 60, size=n))
    if open_end is not None:
        end_at = np.where(open_end, np.datetime64("NaT"), end_at)
    return batch(
        "specialist_episodes",
        person_id=person_id,
        sector="PHV",
        care_level=np.full(n, 1),
        start=start_at,
        end=end_at,
        main_diagnosis=dx,
        urgency=pick(rng, ["acute", "planned"], n),
        coercion_referral=rng.random(n) < 0.2,
    )


def smi_without_stay(rng: np.random.Generator, person_id: np.ndarray, n_ongoing: int, params: dict) -> OtherPersons:
    """Adults with a qualifying diagnosis in the year but no completed stay in it (left out at step 2)."""
    n = len(person_id)
    year = int(params["year"])
    y0, y1 = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year}-12-31")
    dx = pick(rng, params["qualifying_codes"], n)
    parts = [
        _contacts(rng, person_id, 1 + rng.poisson(7, size=n), y0, y1, dx),
        _contacts(rng, person_id, rng.poisson(4, size=n), y1 + DAY, np.datetime64(params["history_end"]), dx),
    ]
    ongoing = np.arange(min(n_ongoing, n))
    start = np.datetime64(f"{year}-12-01") + rng.integers(0, 28, size=len(ongoing)) * DAY
    end = y1 + rng.integers(1, 90, size=len(ongoing)) * DAY  # ends next year: not completed in the year
    open_at_end = rng.random(len(ongoing)) < 0.2
    parts.append(_stays(rng, person_id[ongoing], start, end, dx[ongoing], open_end=open_at_end))
    earlier = np.arange(len(ongoing), min(len(ongoing) + n // 20, n))
    start = np.datetime64(f"{year - 1}-03-01") + rng.integers(0, 200, size=len(earlier)) * DAY
    parts.append(
        _stays(rng, person_id[earlier], start, start + rng.integers(5, 60, size=len(earlier)) * DAY, dx[earlier])
    )
    return _persons(rng, "smi_without_stay", year - _adult_ages(rng, n), [0.55, 0.45], parts, params)


def children_with_stay(rng: np.random.Generator, person_id: np.ndarray, params: dict) -> OtherPersons:
    """Under-18s with a qualifying diagnosis and a completed stay in the year (left out at step 1)."""
    n = len(person_id)
    year = int(params["year"])
    y0 = np.datetime64(f"{year}-01-01")
    ages = rng.integers(12, 18, size=n)
    dx = pick(rng, params["qualifying_codes"], n)
    start = y0 + rng.integers(0, 300, size=n) * DAY
    parts = [
        _stays(rng, person_id, start, start + rng.integers(3, 60, size=n) * DAY, dx),
        _contacts(rng, person_id, 1 + rng.poisson(5, size=n), y0, np.datetime64(f"{year}-12-31"), dx),
    ]
    return _persons(rng, "children", year - ages, [0.6, 0.4], parts, params)


def non_qualifying(rng: np.random.Generator, person_id: np.ndarray, n_with_stay: int, params: dict) -> OtherPersons:
    """Adults in PHV in the year with other diagnoses only (left out at the diagnosis step)."""
    n = len(person_id)
    year = int(params["year"])
    y0, y1 = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year}-12-31")
    dx = pick(rng, params["non_qualifying_codes"], n)
    parts = [_contacts(rng, person_id, 1 + rng.poisson(5, size=n), y0, y1, dx)]
    stay = np.arange(min(n_with_stay, n))
    start = y0 + rng.integers(0, 330, size=len(stay)) * DAY
    parts.append(_stays(rng, person_id[stay], start, start + rng.integers(2, 30, size=len(stay)) * DAY, dx[stay]))
    return _persons(rng, "non_qualifying", year - _adult_ages(rng, n), [0.5, 0.5], parts, params)
