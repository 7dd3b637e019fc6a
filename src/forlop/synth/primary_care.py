"""GP (fastlege) and out-of-hours (legevakt) claims of the cohort (001 §3, §5.2.3-5.2.4).

In days 1-365 the claims realise the plans (users, counts, first day); outside the window each
patient has background claims from 2017 to the day before discharge and after day 365.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from forlop.synth.events import DAY, at_time, batch, group_runs, pick, spread_days
from forlop.synth.plans import ServicePlan


def _claims(
    rng: np.random.Generator,
    person_id: np.ndarray,
    dates: np.ndarray,
    owner: np.ndarray,
    out_of_hours: bool,
    fee_codes: np.ndarray,
) -> pa.Table:
    n = len(owner)
    if out_of_hours:
        minutes = rng.integers(0, 24 * 60, size=n)
        practice = rng.choice([65, 66], size=n, p=[0.8, 0.2])
    else:
        minutes = rng.integers(8 * 60, 16 * 60, size=n)
        practice = rng.choice([62, 63, 64], size=n, p=[0.15, 0.8, 0.05])
    return batch(
        "primary_care_claims",
        person_id=person_id[owner],
        at=at_time(dates, minutes),
        practice_type=practice,
        fee_codes=fee_codes,
    )


def _gp_fees(rng: np.random.Generator, n: int, consultation: bool, params: dict) -> np.ndarray:
    if consultation:
        fees = pick(rng, params["gp_consultation_fee_codes"], n)
        extra = rng.random(n) < 0.3
        return np.where(extra, fees.astype(str) + ";2ld", fees).astype(object)
    return pick(rng, params["gp_other_fee_codes"], n)


def window_claims(
    rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray, plans: dict[str, ServicePlan], params: dict
) -> pa.Table:
    """Return GP and out-of-hours claims in days 1-365 as the plans say."""
    day0 = cohort["index_end"].to_numpy().astype("datetime64[D]")
    active = params["still_active_at_end"]
    parts = []
    for service, consultation in (("gp_consultation", True), ("gp_other", False)):
        plan = plans[service]
        patient, day = spread_days(rng, plan.count, plan.first_day, active["gp"])
        parts.append(
            _claims(
                rng,
                person_id,
                day0[patient] + day * DAY,
                patient,
                False,
                _gp_fees(rng, len(patient), consultation, params),
            )
        )
    plan = plans["out_of_hours"]
    patient, day = spread_days(rng, plan.count, plan.first_day, active["out_of_hours"])
    parts.append(
        _claims(
            rng,
            person_id,
            day0[patient] + day * DAY,
            patient,
            True,
            pick(rng, params["out_of_hours_fee_codes"], len(patient)),
        )
    )
    return pa.concat_tables(parts)


def background_claims(
    rng: np.random.Generator, person_id: np.ndarray, first: np.ndarray, last: np.ndarray, params: dict
) -> pa.Table:
    """Return GP and out-of-hours claims spread uniformly over each person's [first, last] dates."""
    span = np.maximum((last - first).astype(int) + 1, 0)
    parts = []
    for out_of_hours, rate in (
        (False, params["background"]["gp_claims_per_year"]),
        (True, params["background"]["out_of_hours_per_year"]),
    ):
        count = rng.poisson(rate * span / 365.0)
        owner, _ = group_runs(count)
        dates = first[owner] + (rng.random(len(owner)) * span[owner]).astype(int) * DAY
        if out_of_hours:
            fees = pick(rng, params["out_of_hours_fee_codes"], len(owner))
        else:
            consult = rng.random(len(owner)) < params["gp_consultation_share_of_claims"]
            fees = np.where(consult, _gp_fees(rng, len(owner), True, params), _gp_fees(rng, len(owner), False, params))
        parts.append(_claims(rng, person_id, dates, owner, out_of_hours, fees))
    return pa.concat_tables(parts)


def cohort_background_claims(
    rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray, params: dict
) -> pa.Table:
    """Return cohort claims before discharge (2017 to day -1) and after day 365 (to the end of 2021)."""
    day0 = cohort["index_end"].to_numpy().astype("datetime64[D]")
    history_start = np.full(len(cohort), np.datetime64(params["history_start"]))
    before = background_claims(rng, person_id, history_start, day0 - DAY, params)
    after_first = day0 + 366 * DAY
    after_last = np.full(len(cohort), np.datetime64(params["history_end"]))
    after = background_claims(rng, person_id, after_first, after_last, params)
    return pa.concat_tables([before, after])
