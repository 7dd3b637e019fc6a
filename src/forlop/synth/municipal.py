"""Municipal service decisions of the cohort (KPR; 001 §3, §5.2.5, §6.2.2, table 12).

A user has one or more service types (001 figures 6-7). Their first period either started before
discharge and is still open at day 0 ("started before discharge"), or starts on the planned day
after discharge. Some periods are registered as two decisions a few days apart (<= 7 days, merged
into one period by the engine); some patients have old periods that ended well before discharge.
Non-users have no period that touches days 0-365.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from forlop.synth.events import DAY, batch
from forlop.synth.plans import ServicePlan

EARLIEST = np.datetime64("2015-01-01")


def _types(rng: np.random.Generator, cohort: pd.DataFrame, users: np.ndarray, params: dict) -> tuple[list, np.ndarray]:
    """Return (type keys, users x types matrix); the first chosen type of a user is their main one."""
    cfg = params["municipal_types"]
    keys = list(cfg["default"])
    group = cohort["group"].to_numpy()
    p = np.array([[cfg.get(g, cfg["default"])[k] for k in keys] for g in group])
    has = (rng.random(p.shape) < p) & users[:, None]
    none = users & ~has.any(axis=1)
    has[none, 0] = True  # at least one service: home health care, the most common (001 figure 6)
    return keys, has


def _decisions(
    rng: np.random.Generator, person: np.ndarray, service: str, start: np.ndarray, end: np.ndarray, split_share: float
) -> pa.Table:
    """Return decision rows for periods; a share of periods is split into two decisions 1-7 days apart."""
    n = len(person)
    length = np.where(np.isnat(end), 400, (end - start).astype("timedelta64[D]").astype(int))
    split = (rng.random(n) < split_share) & (length > 20)
    cut = start + (5 + (rng.random(n) * np.maximum(length - 15, 1)).astype(int)) * DAY
    gap = rng.integers(1, 8, size=n) * DAY
    first_end = np.where(split, cut, end)
    s = np.flatnonzero(split)
    whole = batch("municipal_services", person_id=person, service=service, start=start, end=first_end)
    second = batch("municipal_services", person_id=person[s], service=service, start=cut[s] + gap[s], end=end[s])
    return pa.concat_tables([whole, second])


def municipal_decisions(
    rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray, plan: ServicePlan, params: dict
) -> pa.Table:
    """Return municipal service decisions that realise the plan (users, before/after, first start day)."""
    n = len(cohort)
    day0 = cohort["index_end"].to_numpy().astype("datetime64[D]")
    users = plan.users
    before = plan.extra["before"]
    keys, has = _types(rng, cohort, users, params)
    main = np.argmax(has, axis=1)
    split_share = params["municipal_split_decisions_share"]
    nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    parts = []
    for j, key in enumerate(keys):
        rows = np.flatnonzero(has[:, j])
        is_main = main[rows] == j
        # Start: the main period follows the plan; for patients whose services started before discharge,
        # other types start before it half the time; for the others every type starts after discharge.
        starts_before = np.where(is_main, before[rows], before[rows] & (rng.random(len(rows)) < 0.5))
        after_day = np.where(
            is_main & ~before[rows],
            plan.first_day[rows],
            np.maximum(plan.first_day[rows], 1)
            + (rng.random(len(rows)) * (365 - np.maximum(plan.first_day[rows], 1))).astype(int),
        )
        start = np.where(
            starts_before, day0[rows] - rng.integers(10, 1500, size=len(rows)) * DAY, day0[rows] + after_day * DAY
        )
        start = np.maximum(start, EARLIEST)
        open_ended = rng.random(len(rows)) < np.where(starts_before, 0.6, 0.5)
        end_before = day0[rows] + rng.integers(1, 700, size=len(rows)) * DAY
        end_after = start + rng.integers(14, 400, size=len(rows)) * DAY
        end = np.where(open_ended, nat[rows], np.where(starts_before, end_before, end_after))
        parts.append(_decisions(rng, person_id[rows], key, start, end, split_share))
    # Old periods that ended at least 10 days before discharge (users after discharge and non-users).
    old = np.flatnonzero(~before & (rng.random(n) < np.where(users, 0.2, 0.1)))
    end = day0[old] - rng.integers(10, 150, size=len(old)) * DAY
    start = np.maximum(end - rng.integers(30, 800, size=len(old)) * DAY, EARLIEST)
    parts.append(batch("municipal_services", person_id=person_id[old], service="home_health", start=start, end=end))
    # Periods that start after the window (non-users only).
    late = np.flatnonzero(~users & (rng.random(n) < 0.05))
    start = day0[late] + rng.integers(376, 500, size=len(late)) * DAY
    parts.append(
        batch(
            "municipal_services", person_id=person_id[late], service="practical_assistance", start=start, end=nat[late]
        )
    )
    return pa.concat_tables(parts)
