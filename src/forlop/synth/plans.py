"""Who uses which service in the year after discharge, how often, and when it starts.

A plan is decided per cohort patient before any event is written, so that the published figures
are met by construction: within each diagnosis group exactly the published number of users
(001 tables 4-11, scaled to the group size at other scales), counts per user with the published
mean and median, and days to the first event with the medians of 001 figure 15 and §6.2.
The events module then writes rows that realise the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forlop.synth.distributions import choose_exact, scaled_count, skewed_values
from forlop.synth.targets import GROUPS, Targets


@dataclass
class ServicePlan:
    """Per-patient plan of one service: users, number of events in days 1-365 and first day."""

    users: np.ndarray
    count: np.ndarray
    first_day: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)


def _empty(n: int) -> ServicePlan:
    return ServicePlan(np.zeros(n, bool), np.zeros(n, np.int64), np.full(n, -1, np.int64))


def _propensity(cohort: pd.DataFrame, params: dict, service: str) -> np.ndarray:
    b = params["propensity"][service]
    return np.exp(b["coercion"] * cohort["coercion"].to_numpy() + b["substance"] * cohort["substance_use"].to_numpy())


def _choose_users(
    rng: np.random.Generator,
    cohort: pd.DataFrame,
    tg: Targets,
    params: dict,
    table: str,
    measure: str,
    service: str,
    pool: np.ndarray | None = None,
) -> np.ndarray:
    """Return a user mask with, per group, the published number of users (scaled to the group size)."""
    group = cohort["group"].to_numpy()
    weights = _propensity(cohort, params, service)
    users = np.zeros(len(cohort), bool)
    for g in GROUPS:
        idx = np.flatnonzero(group == g)
        k = scaled_count(tg.get(table, measure, g), tg.get("1", "patients", g), len(idx))
        if pool is not None:
            idx = idx[pool[idx]]
        users[choose_exact(rng, idx, k, weights[idx])] = True
    return users


def _counts(
    rng: np.random.Generator,
    cohort: pd.DataFrame,
    users: np.ndarray,
    tg: Targets,
    table: str,
    mean_measure: str,
    median_measure: str,
    lo: int = 1,
    hi: int = 3000,
    floor_ratio: float = 0.3,
) -> np.ndarray:
    """Return per-user counts with each group's published mean and median (0 for non-users).

    ``floor_ratio`` times the median is where the lower half of a group's values starts; it sets how
    the groups pool, and so the pooled median of the total row (parameters.yaml, count_floor_ratio).
    """
    group = cohort["group"].to_numpy()
    count = np.zeros(len(cohort), np.int64)
    for g in GROUPS:
        idx = np.flatnonzero((group == g) & users)
        median, mean = tg.get(table, median_measure, g), tg.get(table, mean_measure, g)
        # A ceiling of about 8 times the mean keeps the tail from resting on a few extreme patients.
        ceiling = min(hi, max(8 * mean, 4 * median + 10))
        count[idx] = skewed_values(rng, len(idx), median, mean, lo=lo, hi=ceiling, floor=max(lo, floor_ratio * median))
    return count


def _first_days(
    rng: np.random.Generator, cohort: pd.DataFrame, users: np.ndarray, params: dict, service: str, lo: int = 1
) -> np.ndarray:
    """Return days to the first event among users, with group medians where 001 gives them."""
    base = params["days_to_first"][service]
    by_group = params.get("days_to_first_by_group", {}).get(service, {})
    group = cohort["group"].to_numpy()
    first = np.full(len(cohort), -1, np.int64)
    for g in GROUPS:
        idx = np.flatnonzero((group == g) & users)
        median = by_group.get(g, base["median"])
        mean = base["mean"] * median / base["median"]
        first[idx] = skewed_values(rng, len(idx), median, mean, lo=lo, hi=365)
    return first


def _assign_by_rank(rng: np.random.Generator, values: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Return ``values`` re-ordered so that larger values go with larger (noisy) keys."""
    noisy = key + rng.normal(0.0, max(float(np.std(key)), 1.0) * 0.7, size=len(key))
    out = np.empty_like(values)
    out[np.argsort(noisy)] = np.sort(values)
    return out


def _act_fact(rng: np.random.Generator, users: np.ndarray, params: dict) -> ServicePlan:
    """ACT/FACT: one TS01 episode per 30-day month from the first month on (001 §3, §6.2.3)."""
    n = len(users)
    plan = _empty(n)
    idx = np.flatnonzero(users)
    first_month = np.where(
        rng.random(len(idx)) < params["days_to_first"]["act_fact_first_month_share"],
        1,
        rng.integers(2, 13, size=len(idx)),
    )
    stays = rng.random(len(idx)) < params["act_fact_stay_share"]
    last_month = np.where(stays, 12, first_month + (rng.random(len(idx)) * (13 - first_month)).astype(int))
    last_month = np.clip(last_month, first_month, 12)
    plan.users = users.copy()
    plan.count[idx] = last_month - first_month + 1
    plan.extra["first_month"] = np.zeros(n, np.int64)
    plan.extra["first_month"][idx] = first_month
    plan.first_day[idx] = np.maximum(30 * (first_month - 1), 1)
    return plan


def _readmissions(
    rng: np.random.Generator, cohort: pd.DataFrame, users: np.ndarray, tg: Targets, params: dict
) -> ServicePlan:
    """Number of new stays (001 figure 4), total bed days (table 6) and first admission day."""
    n = len(cohort)
    plan = _empty(n)
    plan.users = users.copy()
    group = cohort["group"].to_numpy()
    dist = params["readmission_count"]
    for g in GROUPS:
        idx = np.flatnonzero((group == g) & users)
        d = dist.get(g, dist["default"])
        u = rng.random(len(idx))
        k = np.where(
            u < d["p1"], 1, np.where(u < d["p1"] + d["p2"], 2, np.where(u < d["p1"] + d["p2"] + d["p3"], 3, 0))
        )
        tail = k == 0
        k[tail] = 4 + rng.geometric(1.0 / (1.0 + d["tail_mean"]), size=tail.sum()) - 1
        plan.count[idx] = k
    plan.extra["bed_days"] = _counts(rng, cohort, users, tg, "6", "bed_days_mean", "bed_days_median", lo=1, hi=330)
    plan.first_day = _first_days(rng, cohort, users, params, "readmission", lo=2)
    return plan


def _municipal(rng: np.random.Generator, cohort: pd.DataFrame, tg: Targets, params: dict) -> ServicePlan:
    """Municipal users per group (table 9) with the discharge-ready split and start timing of table 12."""
    n = len(cohort)
    plan = _empty(n)
    group = cohort["group"].to_numpy()
    ready = cohort["discharge_ready"].to_numpy()
    weights = _propensity(cohort, params, "municipal")
    ready_user_share = tg.get("12", "municipal_users", "discharge_ready") / tg.get("11", "discharge_ready", "total")
    users = np.zeros(n, bool)
    for g in GROUPS:
        idx = np.flatnonzero(group == g)
        k = scaled_count(tg.get("9", "municipal_users", g), tg.get("1", "patients", g), len(idx))
        ready_idx, other_idx = idx[ready[idx]], idx[~ready[idx]]
        k_ready = int(np.clip(round(ready_user_share * len(ready_idx)), k - len(other_idx), min(k, len(ready_idx))))
        users[choose_exact(rng, ready_idx, k_ready, weights[ready_idx])] = True
        users[choose_exact(rng, other_idx, k - k_ready, weights[other_idx])] = True
    plan.users = users
    before = np.zeros(n, bool)
    after_days = np.full(n, -1, np.int64)
    for status, column in ((True, "discharge_ready"), (False, "not_discharge_ready")):
        idx = np.flatnonzero(users & (ready == status))
        share = tg.get("12", "municipal_before", column) / tg.get("12", "municipal_users", column)
        chosen = choose_exact(rng, idx, round(share * len(idx)))
        before[chosen] = True
        rest = np.setdiff1d(idx, chosen)
        median = tg.get("12", "municipal_days_to_start_median", column)
        after_days[rest] = skewed_values(
            rng,
            len(rest),
            median,
            tg.get("12", "municipal_days_to_start_mean", column),
            lo=1,
            hi=365,
            floor=max(1, params["count_floor_ratio"]["default"] * median),
        )
    plan.extra["before"] = before
    plan.first_day = np.where(before, 0, after_days)
    return plan


def plan_services(rng: np.random.Generator, cohort: pd.DataFrame, tg: Targets, params: dict) -> dict[str, ServicePlan]:
    """Return the service plans of all cohort patients (001 tables 4-12)."""
    n = len(cohort)
    plans: dict[str, ServicePlan] = {}

    outpatient_users = _choose_users(rng, cohort, tg, params, "4", "outpatient_users", "outpatient")
    for service, table, measure in (("ambulant", "5", "ambulant_users"), ("collaboration", "5", "collaboration_users")):
        users = _choose_users(rng, cohort, tg, params, table, measure, service, pool=outpatient_users)
        count = _counts(
            rng,
            cohort,
            users,
            tg,
            table,
            f"{service}_mean",
            f"{service}_median",
            floor_ratio=params["count_floor_ratio"].get(service, params["count_floor_ratio"]["default"]),
        )
        plans[service] = ServicePlan(users, count, _first_days(rng, cohort, users, params, service))
    act_users = _choose_users(rng, cohort, tg, params, "10", "act_fact_users", "act_fact", pool=outpatient_users)
    plans["act_fact"] = _act_fact(rng, act_users, params)

    # All outpatient contacts: the published total per user, larger totals going to patients with many
    # ambulant, collaboration and ACT/FACT contacts; ordinary contacts make up the difference.
    total = _counts(rng, cohort, outpatient_users, tg, "4", "outpatient_mean", "outpatient_median")
    special = plans["ambulant"].count + plans["collaboration"].count + plans["act_fact"].count
    group = cohort["group"].to_numpy()
    for g in GROUPS:
        idx = np.flatnonzero(outpatient_users & (group == g))
        total[idx] = _assign_by_rank(rng, total[idx], special[idx].astype(float))
    ordinary = np.where(outpatient_users, np.maximum(total - special, 0), 0)
    ordinary_users = ordinary > 0
    plans["outpatient"] = ServicePlan(
        outpatient_users, ordinary, _first_days(rng, cohort, ordinary_users, params, "outpatient")
    )

    readmitted = _choose_users(rng, cohort, tg, params, "6", "readmission_users", "readmission")
    plans["readmission"] = _readmissions(rng, cohort, readmitted, tg, params)

    gp_users = _choose_users(rng, cohort, tg, params, "7", "gp_contact_users", "gp_contact")
    consult_users = _choose_users(
        rng, cohort, tg, params, "7", "gp_consultation_users", "gp_consultation", pool=gp_users
    )
    consult = _counts(rng, cohort, consult_users, tg, "7", "gp_consultation_mean", "gp_consultation_median")
    plans["gp_consultation"] = ServicePlan(
        consult_users, consult, _first_days(rng, cohort, consult_users, params, "gp_consultation")
    )
    # Other GP claims: consultations are 36% of all GP claims (001 §5.2.3).
    share = params["gp_consultation_share_of_claims"]
    other_mean = consult.sum() * (1 - share) / share / max(gp_users.sum(), 1)
    other = np.zeros(n, np.int64)
    other[gp_users] = skewed_values(rng, int(gp_users.sum()), max(other_mean * 0.6, 1), other_mean, lo=1, hi=3000)
    plans["gp_other"] = ServicePlan(gp_users, other, _first_days(rng, cohort, gp_users, params, "gp_contact"))

    ooh_users = _choose_users(rng, cohort, tg, params, "8", "out_of_hours_users", "out_of_hours")
    ooh = _counts(rng, cohort, ooh_users, tg, "8", "out_of_hours_mean", "out_of_hours_median")
    plans["out_of_hours"] = ServicePlan(ooh_users, ooh, _first_days(rng, cohort, ooh_users, params, "out_of_hours"))

    plans["municipal"] = _municipal(rng, cohort, tg, params)
    return plans
