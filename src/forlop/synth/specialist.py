"""Specialist-care episodes of the cohort: index stays, readmissions and outpatient contacts.

Rules the rows must respect so that the cohort and its figures come out as planned (001 §3-4,
DESIGN.md "Definitions of the pathway engine"):
* the index stay is the person's first merged PHV inpatient stay ending in the year; earlier stays
  end before the year and at least 30 days before the index stay starts;
* a readmission starts on day 2 or later (a stay starting on day 0 or 1 would be merged with the
  index stay) and consecutive readmissions are at least 2 days apart (else they would merge);
* patients without co-occurring substance use have no F10-F19 code on a PHV episode and no TSB
  episode in the year; patients without coercion have no coercion referral in the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from forlop import codes
from forlop.synth.events import DAY, MISSING, at_time, batch, group_runs, pick, spread_days
from forlop.synth.plans import ServicePlan

QUALIFYING_GROUPS = ("schizophrenia", "bipolar", "severe_depression", "personality")


def _rule_codes(name: str, field: str) -> list[str]:
    """Return the codes of one field of a rule list in codes/ (``collaboration_meeting``, ``ambulant_contact``)."""
    table = codes.load(name)
    return table.loc[table["field"] == field, "code"].tolist()


def discharge_diagnoses(rng: np.random.Generator, group: np.ndarray, params: dict) -> np.ndarray:
    """Return a discharge diagnosis code for each patient from their group's code pool (None if missing)."""
    out = np.full(len(group), None, dtype=object)
    for g, pool in params["diagnosis_codes"].items():
        idx = np.flatnonzero(group == g)
        if pool and len(idx):
            out[idx] = pick(rng, pool, len(idx))
    return out


def _join(*parts: np.ndarray) -> np.ndarray:
    """Join object arrays of codes (None = nothing) into ';'-separated text, None if all are empty."""
    out = np.full(len(parts[0]), None, dtype=object)
    for part in parts:
        has = np.array([p is not None for p in part], dtype=bool)
        both = has & np.array([o is not None for o in out], dtype=bool)
        out = np.where(both, out.astype(str) + ";" + part.astype(str), np.where(has, part, out))
    return out


def index_stays(rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray, params: dict) -> pa.Table:
    """Return the episodes of each patient's index stay (one, or two touching ones for a transfer)."""
    n = len(cohort)
    group = cohort["group"].to_numpy()
    start_day = cohort["index_start"].to_numpy().astype("datetime64[D]")
    end_day = cohort["index_end"].to_numpy().astype("datetime64[D]")
    los = (end_day - start_day).astype(int)
    start_at = at_time(start_day, rng.integers(8 * 60, 22 * 60, size=n))
    end_at = at_time(end_day, cohort["discharge_minute"].to_numpy())
    end_at = np.maximum(end_at, start_at + np.timedelta64(60, "m"))
    transfer = (rng.random(n) < params["index_stay"]["transfer_share"]) & (los >= 3)
    mid_day = start_day + (1 + (rng.random(n) * (los - 2)).astype(int)) * DAY
    second_start_day = mid_day + rng.integers(0, 2, size=n) * DAY  # same or next calendar day: merged
    dx = discharge_diagnoses(rng, group, params)
    substance = cohort["substance_use"].to_numpy()
    route = cohort["substance_route"].to_numpy()
    needs_qualifying = ~np.isin(group, QUALIFYING_GROUPS)
    qualifying = np.where(needs_qualifying, pick(rng, params["qualifying_codes"], n), MISSING)
    substance_dx = np.where(substance & (group != "substance") & np.isin(route, ["diagnosis", "both"]),
                            pick(rng, params["substance_codes"], n), MISSING)
    coercion_route = cohort["coercion_route"].to_numpy()
    referral = np.isin(coercion_route, ["referral", "both"])
    spec = params["specialist"]
    urgency = np.where(rng.random(n) < spec["index_acute_share"], "acute", "planned").astype(object)
    lo, hi = params["index_stay"]["discharge_ready_days_before_end"]
    ready_at = end_at - rng.integers(lo, hi + 1, size=n) * np.timedelta64(1, "D")
    last_start = np.where(transfer, at_time(second_start_day, np.full(n, 12 * 60)), start_at)
    ready_at = np.maximum(ready_at, last_start)
    ready_at = np.where(cohort["discharge_ready"].to_numpy(), ready_at, np.datetime64("NaT"))
    first_end = np.where(transfer, at_time(mid_day, np.full(n, 12 * 60)), end_at)
    first_dx = np.where(transfer & (rng.random(n) < spec["transfer_first_diagnosis_share"]),
                        pick(rng, spec["transfer_first_diagnoses"], n), dx)
    # First (or only) episode: urgency, referral; the last episode carries the discharge diagnosis.
    first = batch(
        "specialist_episodes", person_id=person_id, sector="PHV", care_level=np.full(n, 1), start=start_at,
        end=first_end, main_diagnosis=np.where(transfer, first_dx, dx),
        other_diagnoses=np.where(transfer, MISSING, _join(qualifying, substance_dx)), urgency=urgency,
        coercion_referral=referral, place_of_activity=np.full(n, 1, dtype=float),
        discharge_ready_at=np.where(transfer, np.datetime64("NaT"), ready_at),
    )
    t = np.flatnonzero(transfer)
    second = batch(
        "specialist_episodes", person_id=person_id[t], sector="PHV", care_level=np.full(len(t), 1),
        start=at_time(second_start_day[t], np.full(len(t), 12 * 60)), end=end_at[t], main_diagnosis=dx[t],
        other_diagnoses=_join(qualifying[t], substance_dx[t]), urgency=np.full(len(t), "planned", dtype=object),
        coercion_referral=np.zeros(len(t), bool), place_of_activity=np.full(len(t), 1, dtype=float),
        discharge_ready_at=ready_at[t],
    )
    return pa.concat_tables([first, second])


def readmission_stays(rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray, plan: ServicePlan,
                      params: dict) -> pa.Table:
    """Return readmission episodes: k stays per user, total nights = planned bed days, first on the planned day."""
    idx = np.flatnonzero(plan.users)
    k = plan.count[idx].copy()
    beds = plan.extra["bed_days"][idx].copy()
    d1 = plan.first_day[idx].copy()
    k = np.minimum(k, beds)
    d1 = np.minimum(d1, np.maximum(2, 365 - beds - 2 * (k - 1)))
    beds = np.minimum(beds, 365 - d1 - 2 * (k - 1))
    k = np.maximum(np.minimum(k, beds), 1)
    beds = np.maximum(beds, k)
    owner, position = group_runs(k)
    # Nights per stay: one each plus the rest shared at random (exponential weights, per owner).
    w = rng.exponential(size=len(owner))
    w_sum = np.bincount(owner, weights=w)
    nights = 1 + np.floor(w / w_sum[owner] * (beds - k)[owner]).astype(np.int64)
    shortfall = beds - np.bincount(owner, weights=nights).astype(np.int64)
    nights[position == 0] += shortfall
    # Gaps before stays 2..k: at least 2 days, plus a share of the slack left in the year.
    slack = np.maximum(365 - d1 - beds - 2 * (k - 1), 0)
    g = rng.exponential(size=len(owner))
    g_sum = np.bincount(owner, weights=g) + rng.exponential(size=len(k))
    gap = np.where(position == 0, 0, 2 + np.floor(g / g_sum[owner] * slack[owner]).astype(np.int64))
    step = nights + gap
    cum = np.cumsum(step)
    run_start = np.cumsum(k) - k
    before = cum - step - np.repeat((cum - step)[run_start], k)  # days used by earlier stays of this owner
    start_day = d1[owner] + before + gap
    end_day = start_day + nights
    patient = idx[owner]
    day0 = cohort["index_end"].to_numpy().astype("datetime64[D]")[patient]
    n = len(owner)
    coercion = cohort["coercion"].to_numpy()[patient]
    substance = cohort["substance_use"].to_numpy()[patient]
    group = cohort["group"].to_numpy()[patient]
    acute_cfg = params["acute_share"]
    base = np.array([acute_cfg.get(g, acute_cfg["default"]) for g in group])
    logit = (np.log(base / (1 - base)) + acute_cfg["log_odds_coercion"] * (coercion - cohort["coercion"].mean())
             + acute_cfg["log_odds_substance"] * (substance - cohort["substance_use"].mean()))
    acute = rng.random(n) < 1 / (1 + np.exp(-logit))
    start_at = at_time(day0 + start_day * DAY, rng.integers(0, 24 * 60, size=n))
    end_at = at_time(day0 + end_day * DAY, rng.integers(9 * 60, 16 * 60, size=n))
    end_at = np.maximum(end_at, start_at + np.timedelta64(60, "m"))
    spec = params["specialist"]
    in_year = (day0 + start_day * DAY) < np.datetime64(f"{int(params['year']) + 1}-01-01")
    referral = np.where(in_year, coercion & (rng.random(n) < spec["readmission_referral_share_coercion"]),
                        rng.random(n) < spec["readmission_referral_share_after"])
    dx = discharge_diagnoses(rng, group, params)
    return batch("specialist_episodes", person_id=person_id[patient], sector="PHV", care_level=np.full(n, 1),
                 start=start_at, end=end_at, main_diagnosis=dx,
                 urgency=np.where(acute, "acute", "planned").astype(object), coercion_referral=referral,
                 place_of_activity=np.full(n, 1, dtype=float))


def _contacts(rng: np.random.Generator, person_id: np.ndarray, day0: np.ndarray, patient: np.ndarray,
              day: np.ndarray, dx: np.ndarray, sector: np.ndarray | str = "PHV", **extra: object) -> pa.Table:
    n = len(patient)
    start = at_time(day0[patient] + day * DAY, rng.integers(8 * 60, 16 * 60, size=n))
    return batch("specialist_episodes", person_id=person_id[patient], sector=sector, care_level=np.full(n, 3),
                 start=start, end=start + np.timedelta64(45, "m"), main_diagnosis=dx[patient],
                 coercion_referral=np.zeros(n, bool), **extra)


def _collaboration_codes(rng: np.random.Generator, n: int, params: dict) -> dict[str, np.ndarray]:
    """Mark contacts as collaboration meetings by one of the three routes of 001 footnote 9.

    The codes are those of the rule list ``codes/collaboration_meeting.csv``; the route mix and the
    shares are ``parameters.yaml`` ``specialist``.
    """
    spec = params["specialist"]
    route_share = spec["collaboration_route"]
    route = rng.choice(3, size=n, p=[route_share[k] for k in ("special_code", "procedure", "indirect_activity")])
    special = np.where(route == 0, pick(rng, _rule_codes("collaboration_meeting", "special_codes"), n), None)
    b0015 = ";" + _rule_codes("ambulant_contact", "special_codes")[0]
    special = np.where((route == 0) & (rng.random(n) < spec["collaboration_extra_b0015_share"]),
                       special.astype(str) + b0015, special)
    procedure = np.where(route == 1, pick(rng, _rule_codes("collaboration_meeting", "procedure_codes"), n), None)
    indirect_codes = [int(c) for c in _rule_codes("collaboration_meeting", "indirect_activity")]
    indirect = np.where(route == 2, rng.choice(indirect_codes, size=n), np.nan)
    # An ambulant place does not make it ambulant.
    place = np.where(rng.random(n) < spec["collaboration_ambulant_place_share"], 2.0, 1.0)
    return {"special_codes": special, "procedure_codes": procedure, "indirect_activity": indirect,
            "place_of_activity": place}


def outpatient_contacts(rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray,
                        plans: dict[str, ServicePlan], params: dict) -> pa.Table:
    """Return outpatient episodes in days 1-365 (ordinary, ambulant, collaboration, ACT/FACT) and day 0."""
    day0 = cohort["index_end"].to_numpy().astype("datetime64[D]")
    n = len(cohort)
    group = cohort["group"].to_numpy()
    dx = discharge_diagnoses(rng, group, params)
    dx = np.where(dx == None, pick(rng, params["qualifying_codes"], n), dx)  # noqa: E711 (object array)
    substance = cohort["substance_use"].to_numpy()
    active = params["still_active_at_end"]["outpatient"]
    spec = params["specialist"]
    parts = []

    plan = plans["outpatient"]
    patient, day = spread_days(rng, plan.count, plan.first_day, active)
    tsb = substance[patient] & (rng.random(len(patient)) < spec["outpatient_tsb_share"])
    known = rng.random(len(patient)) < spec["outpatient_place_known_share"]
    parts.append(_contacts(rng, person_id, day0, patient, day, dx, sector=np.where(tsb, "TSB", "PHV").astype(object),
                           place_of_activity=np.where(known, 1.0, np.nan)))

    plan = plans["ambulant"]
    patient, day = spread_days(rng, plan.count, plan.first_day, active)
    m = len(patient)
    by_code = rng.random(m) < spec["ambulant_by_code_share"]
    places = [int(c) for c in _rule_codes("ambulant_contact", "place_of_activity")]
    parts.append(_contacts(rng, person_id, day0, patient, day, dx,
                           special_codes=np.where(by_code, _rule_codes("ambulant_contact", "special_codes")[0],
                                                  None).astype(object),
                           place_of_activity=np.where(by_code, 1.0, rng.choice(places, size=m)).astype(float)))

    plan = plans["collaboration"]
    patient, day = spread_days(rng, plan.count, plan.first_day, active)
    parts.append(_contacts(rng, person_id, day0, patient, day, dx, **_collaboration_codes(rng, len(patient), params)))

    plan = plans["act_fact"]
    owner, position = group_runs(plan.count)
    month = plan.extra["first_month"][owner] + position
    day = np.where(month == 12, 330 + rng.integers(0, 36, size=len(owner)),
                   30 * (month - 1) + rng.integers(0, 30, size=len(owner)))
    parts.append(_contacts(rng, person_id, day0, owner, np.maximum(day, 1), dx, service_group="TS01",
                           place_of_activity=np.full(len(owner), 1.0)))

    # Contacts on the day of discharge (001 §6.3): not counted in chapter 5, some before discharge time.
    cfg = params["day0"]
    on_day0 = np.flatnonzero(rng.random(n) < cfg["patients_share"])
    count = 1 + rng.poisson(cfg["contacts_per_patient"] - 1, size=len(on_day0))
    owner, _ = group_runs(count)
    patient = on_day0[owner]
    k = len(patient)
    discharge = at_time(day0[patient], cohort["discharge_minute"].to_numpy()[patient])
    start = discharge + rng.integers(-180, 120, size=k) * np.timedelta64(1, "m")
    start = np.maximum(start, day0[patient].astype("datetime64[m]"))
    collab = rng.random(k) < cfg["collaboration_patients_share"] / cfg["patients_share"]
    meeting = _collaboration_codes(rng, k, params)
    parts.append(batch("specialist_episodes", person_id=person_id[patient], sector="PHV", care_level=np.full(k, 3),
                       start=start, end=start + np.timedelta64(45, "m"), main_diagnosis=dx[patient],
                       coercion_referral=np.zeros(k, bool),
                       special_codes=np.where(collab, meeting["special_codes"], None).astype(object),
                       procedure_codes=np.where(collab, meeting["procedure_codes"], None).astype(object),
                       indirect_activity=np.where(collab, meeting["indirect_activity"], np.nan),
                       place_of_activity=np.full(k, 1.0)))
    return pa.concat_tables(parts)


def prior_contact_years(rng: np.random.Generator, n: int, patterns: list[dict]) -> np.ndarray:
    """Return an (n, 3) bool array: column j is a PHV contact in year Y - 1 - j (Y-1, Y-2, Y-3).

    Each patient gets one pattern of contact years, drawn with the pattern's share (parameters.yaml
    ``prior_phv_years``, calibrated to 001 §4.2: 53 % in Y-3, 42 % in all three, 21 % in none).
    """
    shares = np.array([p["share"] for p in patterns], dtype=float)
    if abs(shares.sum() - 1) > 1e-9:
        raise ValueError(f"prior_phv_years shares sum to {shares.sum()}, not 1")
    table = np.zeros((len(patterns), 3), dtype=bool)
    for i, p in enumerate(patterns):
        for before in p["years_before"]:
            table[i, before - 1] = True
    return table[rng.choice(len(patterns), size=n, p=shares)]


def history(rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray, params: dict) -> pa.Table:
    """Return cohort patients' episodes outside the follow-up: history_start to the index stay, after day 365.

    Before the index stay: outpatient contacts in the years Y-3 to Y-1 by a drawn pattern of contact
    years (001 §4.2; 1 + Poisson(outpatient_per_year - 1) contacts in each contact year, uniform over
    it; some of a substance user's contacts in TSB, never the first of a year), contacts in Y before
    the index stay (Poisson, same rate), a prior inpatient stay for some patients with contact before
    Y (inside one of their contact years, so it adds none), and the TSB contact of the substance-use
    route. No other PHV episode of a cohort patient falls in Y-3 to Y-1 (the index stay lies inside
    Y). After day 365 to ``history_end``: a few more contacts. Shares: ``parameters.yaml`` ``specialist``.
    """
    n = len(cohort)
    group = cohort["group"].to_numpy()
    substance = cohort["substance_use"].to_numpy()
    index_start = cohort["index_start"].to_numpy().astype("datetime64[D]")
    day0 = cohort["index_end"].to_numpy().astype("datetime64[D]")
    history_end = np.datetime64(params["history_end"])
    dx = discharge_diagnoses(rng, group, params)
    dx = np.where(dx == None, pick(rng, params["qualifying_codes"], n), dx)  # noqa: E711
    year = int(params["year"])
    year_start = np.datetime64(f"{year}-01-01")
    spec = params["specialist"]
    parts = []
    # Outpatient contacts in the years before Y, by a drawn pattern of contact years (001 §4.2).
    years = prior_contact_years(rng, n, params["prior_phv_years"])
    rate = params["background"]["outpatient_per_year"]
    jan1 = np.array([f"{year - 1 - j}-01-01" for j in range(3)], dtype="datetime64[D]")  # Y-1, Y-2, Y-3
    year_days = (np.array([f"{year - j}-01-01" for j in range(3)], dtype="datetime64[D]") - jan1).astype(int)
    patient, k = np.nonzero(years)
    count = 1 + rng.poisson(rate - 1, size=len(patient))  # at least one contact in a contact year
    run, position = group_runs(count)
    owner = patient[run]
    day = jan1[k[run]] + (rng.random(len(run)) * year_days[k[run]]).astype(int) * DAY
    # Contacts in Y before the index stay (all patients, at the same rate).
    span = np.maximum((index_start - year_start).astype(int) - 1, 0)
    count = rng.poisson(rate * span / 365.0)
    in_year_owner, _ = group_runs(count)
    owner = np.concatenate([owner, in_year_owner])
    in_year_day = year_start + (rng.random(len(in_year_owner)) * span[in_year_owner]).astype(int) * DAY
    day = np.concatenate([day, in_year_day])
    first_of_year = np.concatenate([position == 0, np.zeros(len(in_year_owner), bool)])
    in_year = day >= year_start
    # Substance users: some contacts before Y in TSB, never the first of a contact year (it stays PHV).
    tsb = substance[owner] & ~in_year & ~first_of_year & (rng.random(len(owner)) < spec["history_tsb_share"])
    start = at_time(day, rng.integers(8 * 60, 16 * 60, size=len(owner)))
    parts.append(batch("specialist_episodes", person_id=person_id[owner],
                       sector=np.where(tsb, "TSB", "PHV").astype(object), care_level=np.full(len(owner), 3),
                       start=start, end=start + np.timedelta64(45, "m"), main_diagnosis=dx[owner],
                       coercion_referral=np.zeros(len(owner), bool)))
    # The TSB route of co-occurring substance use: a TSB contact in the year before the index stay.
    route = cohort["substance_route"].to_numpy()
    tsb_idx = np.flatnonzero(np.isin(route, ["tsb", "both"]))
    room = (index_start[tsb_idx] - year_start).astype(int)
    day = year_start + (rng.random(len(tsb_idx)) * room).astype(int) * DAY
    start = at_time(day, rng.integers(8 * 60, 15 * 60, size=len(tsb_idx)))
    parts.append(batch("specialist_episodes", person_id=person_id[tsb_idx], sector="TSB",
                       care_level=np.full(len(tsb_idx), 3), start=start, end=start + np.timedelta64(60, "m"),
                       main_diagnosis=pick(rng, params["substance_codes"], len(tsb_idx)),
                       coercion_referral=np.zeros(len(tsb_idx), bool)))
    # A prior inpatient stay for some patients with contact before Y: inside one of their contact
    # years (so it adds no contact year), and ending 30+ days before the index stay.
    has_history = years.any(axis=1)
    chance = params["background"]["prior_stay_share"] / has_history.mean() if has_history.any() else 0.0
    prior = np.flatnonzero(has_history & (rng.random(n) < chance))
    k = np.argmax(np.where(years[prior], rng.random((len(prior), 3)), -1.0), axis=1)  # one of their years
    latest_end = np.minimum(jan1[k] + (year_days[k] - 1) * DAY, index_start[prior] - 30 * DAY)
    nights = rng.integers(*spec["prior_stay_nights"], size=len(prior))
    room = (latest_end - jan1[k]).astype(int) - nights
    end = latest_end - (rng.random(len(prior)) * (room + 1)).astype(int) * DAY
    start = end - nights * DAY
    parts.append(batch("specialist_episodes", person_id=person_id[prior], sector="PHV",
                       care_level=np.full(len(prior), 1), start=at_time(start, np.full(len(prior), 14 * 60)),
                       end=at_time(end, np.full(len(prior), 11 * 60)), main_diagnosis=dx[prior],
                       urgency=pick(rng, ["acute", "planned"], len(prior)),
                       coercion_referral=rng.random(len(prior)) < spec["prior_stay_referral_share"]))
    # After the window: contacts from day 366 to the end of the history (history_end).
    after = np.flatnonzero(rng.random(n) < spec["after_window_share"])
    room = (history_end - (day0[after] + 366 * DAY)).astype(int)
    after = after[room > 0]
    room = room[room > 0]
    count = 1 + rng.poisson(spec["after_window_contacts_extra"], size=len(after))
    owner, _ = group_runs(count)
    day = day0[after][owner] + 366 * DAY + (rng.random(len(owner)) * room[owner]).astype(int) * DAY
    start = at_time(day, rng.integers(8 * 60, 16 * 60, size=len(owner)))
    parts.append(batch("specialist_episodes", person_id=person_id[after][owner], sector="PHV",
                       care_level=np.full(len(owner), 3), start=start, end=start + np.timedelta64(45, "m"),
                       main_diagnosis=dx[after][owner], coercion_referral=np.zeros(len(owner), bool)))
    return pa.concat_tables(parts)


def coercion_decisions(rng: np.random.Generator, cohort: pd.DataFrame, person_id: np.ndarray,
                       params: dict) -> pa.Table:
    """Return coercion decisions: in the year for the decision route, and a few before the year for others."""
    route = cohort["coercion_route"].to_numpy()
    start = cohort["index_start"].to_numpy().astype("datetime64[D]")
    end = cohort["index_end"].to_numpy().astype("datetime64[D]")
    idx = np.flatnonzero(np.isin(route, ["decision", "both"]))
    span = (end[idx] - start[idx]).astype(int)
    date = start[idx] + (rng.random(len(idx)) * (span + 1)).astype(int) * DAY
    spec = params["specialist"]
    kinds = spec["decision_kinds"]
    in_year = batch("coercion_decisions", person_id=person_id[idx], date=date, kind=pick(rng, kinds, len(idx)))
    # Decisions before the year do not make a patient "under coercion in the year" (001 §4.5).
    old = np.flatnonzero(~cohort["coercion"].to_numpy() & (rng.random(len(cohort)) < spec["old_decision_share"]))
    year_start = np.datetime64(f"{int(params['year'])}-01-01")
    date = year_start - rng.integers(1, spec["old_decision_days_before"], size=len(old)) * DAY
    earlier = batch("coercion_decisions", person_id=person_id[old], date=date, kind=pick(rng, kinds, len(old)))
    return pa.concat_tables([in_year, earlier])
