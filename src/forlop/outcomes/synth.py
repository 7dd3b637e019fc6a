"""Synthetic data for outcome monitoring: the 17 RPH pilot services of 003, two years of referrals.

Parameters in ``synth.yaml`` (with where each comes from). Per referral: service, source (about half
self-referred), sex, age, work status; a latent start PHQ-9 and GAD-7 (correlated, shifted per service:
different case mix); assessment after a gamma-distributed wait; a step chosen by start severity (mixed
care, 003); planned treatment sessions by step, dropouts, unattended sessions; scores falling along
``start + (end - start)(1 - exp(-t/tau))`` with per-session noise, where the end is the start times one
minus an improvement fraction whose logit has a service effect (real differences between services).
Item answers: each item Binomial(3, total / (3 x items)), so the total follows the latent score;
some questionnaires missing and some with one empty item; work status at the end improves with the
outcome. Calibrated (tests/outcomes/test_synth.py, an independent pandas counter) so that overall
recovery is about 45 % and reliable improvement about 65 % (003's IAPT figures).

Everything is vectorised numpy (the benchmark writes 100 000 referrals and ~800 000 sessions).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from forlop.datafile import package_yaml
from forlop.outcomes.definitions import measures, pilot_services


@cache
def parameters() -> dict:
    """The parameters of ``synth.yaml``."""
    return package_yaml("forlop.outcomes", "synth.yaml")


def _choice(rng: np.random.Generator, probabilities: dict[str, float], size: int) -> np.ndarray:
    keys = list(probabilities)
    p = np.array([probabilities[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _gamma_days(rng: np.random.Generator, means: np.ndarray, shape: float) -> np.ndarray:
    return np.round(rng.gamma(shape, means / shape)).astype(int)


def synth_tables(seed: int = 2013, referrals: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (rph_referrals, rph_sessions); ``referrals``: total number (default: per year x 2 years)."""
    p = parameters()
    rng = np.random.default_rng(seed)
    services = pilot_services()
    n_services = len(services)
    first, last = pd.Timestamp(p["first_day"]), pd.Timestamp(p["last_day"])
    days = (last - first).days + 1
    n = int(referrals if referrals is not None else round(p["referrals_per_year"] * days / 365.25))

    size = np.array(p["service_size"], dtype=float)
    service_effect = rng.normal(0, p["service_effect_sd"], n_services)
    service_severity = rng.normal(0, p["service_severity_sd"], n_services)
    mean_assess = rng.uniform(p["days_to_assessment"]["min_mean"], p["days_to_assessment"]["max_mean"], n_services)
    mean_treat = rng.uniform(
        p["days_assessment_to_treatment"]["min_mean"], p["days_assessment_to_treatment"]["max_mean"], n_services
    )
    service = rng.choice(n_services, size=n, p=size / size.sum())
    referred = first + pd.to_timedelta(np.sort(rng.integers(0, days, n)), unit="D")
    referred = referred.to_numpy()
    age = np.clip(np.round(rng.normal(p["age"]["mean"], p["age"]["sd"], n)), p["age"]["min"], p["age"]["max"])
    birth_year = pd.DatetimeIndex(referred).year.to_numpy() - age.astype(int)
    sex = np.where(rng.random(n) < p["female"], "F", "M")
    source = _choice(rng, p["source"], n)
    work_start = _choice(rng, p["work_start"], n)
    work_start[rng.random(n) < p["work_missing"]] = None

    # latent start scores, correlated, shifted by service (case mix)
    z1, z2 = rng.standard_normal(n), rng.standard_normal(n)
    rho = p["gad_start"]["correlation"]
    phq0 = p["phq_start"]["mean"] + service_severity[service] + p["phq_start"]["sd"] * z1
    gad0 = (
        p["gad_start"]["mean"]
        + 0.8 * service_severity[service]
        + p["gad_start"]["sd"] * (rho * z1 + np.sqrt(1 - rho**2) * z2)
    )
    phq0, gad0 = np.clip(phq0, 0, 27), np.clip(gad0, 0, 21)

    assessed = rng.random(n) >= p["never_assessed"]
    wait_assess = _gamma_days(rng, mean_assess[service], p["days_to_assessment"]["shape"])
    band = np.digitize(phq0, [10, 15])
    step_p = np.array(p["step_probabilities"], dtype=float)
    cumulative = step_p.cumsum(axis=1)[band]
    step_index = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    step = np.array(p["steps"], dtype=object)[step_index]
    planned_mean = np.array([p["planned_sessions"].get(s, 0) for s in p["steps"]], dtype=float)[step_index]
    treated = assessed & (planned_mean > 0)
    planned = np.where(treated, np.maximum(2, rng.poisson(planned_mean)), 0)
    drop = treated & (rng.random(n) < p["dropout"])
    n_treat = np.where(drop, rng.integers(0, np.maximum(planned, 1)), planned)  # 0 .. planned-1 when dropping

    # improvement fraction with a service effect; older and on sick leave slightly less
    logit = (
        p["improvement_logit"]["mean"]
        + service_effect[service]
        - 0.01 * (age - 36)
        - 0.25 * (work_start == "sick_leave")
        + p["improvement_logit"]["sd"] * rng.standard_normal(n)
    )
    fraction = 1 / (1 + np.exp(-logit))
    phq_end, gad_end = phq0 * (1 - fraction), gad0 * (1 - fraction)

    # sessions: 1 assessment (if assessed) + n_treat treatment sessions + unattended extras + follow-up
    follow = treated & ~drop & (rng.random(n) < p["follow_up"])
    n_booked = np.where(assessed, 1, 0) + n_treat
    rid = np.repeat(np.arange(n), n_booked)
    start_of = np.repeat(np.cumsum(n_booked) - n_booked, n_booked)
    number = np.arange(len(rid)) - start_of  # 0 = assessment, 1.. = treatment session number
    kind = np.where(number == 0, "assessment", "treatment").astype(object)
    gaps = np.maximum(p["days_between_sessions"]["min"], rng.poisson(p["days_between_sessions"]["mean"], len(rid)))
    first_gap = _gamma_days(rng, mean_treat[service[rid]], p["days_assessment_to_treatment"]["shape"])
    gap = np.where(number == 0, wait_assess[rid], np.where(number == 1, np.maximum(first_gap, 1), gaps))
    offset = _grouped_cumsum(gap, n_booked)
    attended = (number == 0) | (rng.random(len(rid)) >= p["not_attended"])
    # follow-up sessions: one per chosen referral, 30-60 days after the last booked session
    f_rid = np.flatnonzero(follow & (n_booked > 0))
    last_offset = np.zeros(n, dtype=int)
    ends = np.cumsum(n_booked) - 1
    last_offset[n_booked > 0] = offset[ends[n_booked > 0]]
    f_offset = last_offset[f_rid] + rng.integers(30, 61, len(f_rid))
    rid = np.concatenate([rid, f_rid])
    number = np.concatenate([number, n_treat[f_rid] + 1])
    kind = np.concatenate([kind, np.full(len(f_rid), "follow_up", dtype=object)])
    offset = np.concatenate([offset, f_offset])
    attended = np.concatenate([attended, np.ones(len(f_rid), dtype=bool)])

    tau = p["tau_sessions"]
    t_eff = np.minimum(number, n_treat[rid])
    progress = 1 - np.exp(-t_eff / tau)
    noise = p["session_noise_sd"]
    score = {
        "phq": np.clip(phq0[rid] + (phq_end[rid] - phq0[rid]) * progress + rng.normal(0, noise, len(rid)), 0, 27),
        "gad": np.clip(gad0[rid] + (gad_end[rid] - gad0[rid]) * progress + rng.normal(0, noise, len(rid)), 0, 21),
    }
    skip = rng.uniform(p["no_questionnaire"]["min"], p["no_questionnaire"]["max"], n_services)
    unrecorded_rate = rng.uniform(p["unrecorded_client"]["min"], p["unrecorded_client"]["max"], n_services)
    unrecorded = rng.random(n) < unrecorded_rate[service]
    answered = attended & (rng.random(len(rid)) >= skip[service[rid]]) & ~(unrecorded[rid] & (number > 0))
    session_on = referred[rid] + offset.astype("timedelta64[D]")
    sessions = pd.DataFrame(
        {
            "referral_id": rid + 1,
            "session_on": session_on,
            "kind": kind,
            "mode": _choice(
                rng, {"in_person": 0.55, "phone": 0.15, "video": 0.1, "group": 0.12, "internet": 0.08}, len(rid)
            ),
            "attended": attended,
        }
    )
    for key, m in measures().items():
        k = len(m.items)
        prob = np.clip(score[key] / (3 * k), 0, 1)
        answers = rng.binomial(3, np.repeat(prob[:, None], k, axis=1)).astype("float64")
        answers[~answered] = np.nan
        hole = answered & (rng.random(len(rid)) < p["missing_item"])
        answers[np.flatnonzero(hole), rng.integers(0, k, hole.sum())] = np.nan
        for j, item in enumerate(m.items):
            sessions[item] = pd.array(answers[:, j], dtype="Int64")
    sessions = sessions.loc[sessions["session_on"] <= last].sort_values(["session_on", "referral_id"], kind="stable")

    # end of the referral: a week after the last session (or the assessment), open after the cut-off
    last_session = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    all_last = pd.Series(referred[rid] + offset.astype("timedelta64[D]")).groupby(rid).max()
    last_session[all_last.index.to_numpy()] = all_last.to_numpy()
    ended = np.where(
        n_booked > 0,
        last_session + np.timedelta64(7, "D"),
        referred + np.timedelta64(21, "D").astype("timedelta64[ns]"),
    )
    open_ = ended > np.datetime64(last)
    end_reason = np.select(
        [~assessed, step == "referred_on", step == "none", drop],
        ["declined", "referred_on", "not_suitable", "dropped_out"],
        "completed",
    ).astype(object)
    improved_work = rng.random(n) < 0.35 * fraction + 0.1
    can_work = np.isin(work_start.astype(str), ["sick_leave", "work_assessment", "unemployed"])
    work_end = np.where(can_work & improved_work, "working", work_start).astype(object)
    work_end[open_ | ~treated | (rng.random(n) < 0.05)] = None
    refs = pd.DataFrame(
        {
            "referral_id": np.arange(1, n + 1),
            "person_id": rng.permutation(n) + 100001,
            "service": services["name"].to_numpy()[service],
            "birth_year": birth_year,
            "sex": sex,
            "referred_on": referred,
            "source": source,
            "assessed_on": np.where(assessed, referred + wait_assess.astype("timedelta64[D]"), np.datetime64("NaT")),
            "step": np.where(assessed, step, np.array(None, dtype=object)),
            "ended_on": np.where(open_, np.datetime64("NaT"), ended),
            "end_reason": np.where(open_, np.array(None, dtype=object), end_reason),
            "work_start": work_start,
            "work_end": work_end,
        }
    )
    refs.loc[refs["assessed_on"] > last, ["assessed_on", "step"]] = [pd.NaT, None]
    for column in ("referred_on", "assessed_on", "ended_on"):
        refs[column] = pd.to_datetime(refs[column]).dt.date
    sessions["session_on"] = pd.to_datetime(sessions["session_on"]).dt.date
    return refs, sessions.reset_index(drop=True)


def _grouped_cumsum(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each group (consecutive groups of ``sizes``)."""
    total = np.cumsum(values)
    starts = np.cumsum(sizes) - sizes
    before = np.where(
        sizes > 0, total[np.minimum(starts, len(values) - 1)] - values[np.minimum(starts, len(values) - 1)], 0
    )
    return total - np.repeat(before, sizes)


def write_synthetic(out: Path, seed: int = 2013, referrals: int | None = None, fmt: str = "parquet") -> Path:
    """Write ``rph_referrals`` and ``rph_sessions`` to ``out`` (Parquet or CSV); deterministic for a seed."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    refs, sessions = synth_tables(seed, referrals)
    for name, frame in (("rph_referrals", refs), ("rph_sessions", sessions)):
        for other in ("parquet", "csv"):
            (out / f"{name}.{other}").unlink(missing_ok=True)
        if fmt == "csv":
            frame.to_csv(out / f"{name}.csv", index=False)
        else:
            frame.to_parquet(out / f"{name}.parquet", index=False)
    return out
