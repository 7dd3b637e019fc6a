"""The per-referral table of outcome monitoring: first and last scores, treatment, caseness and outcomes.

Rules (docs/definitions.md, "Outcome monitoring (003)"; thresholds from ``definitions.yaml``):

- a questionnaire total counts only when every item is answered; only attended sessions count;
- first / last score per measure: the first / last attended session with a total, sessions ordered by
  date and, on one day, assessment before treatment before follow-up; paired = two different sessions
  with a total (first and last then differ in session);
- finished = ended and at least ``finished_min_treatment_sessions`` attended treatment sessions;
- caseness = first PHQ-9 >= its caseness threshold or first GAD-7 >= its threshold;
- recovered (finished, case, paired on both): every last score below its threshold;
- reliably improved / deteriorated (finished, paired on both): a fall (rise) of at least the reliable
  change on one measure and no rise (fall) of that size on the other; reliably recovered = both.

Outcomes are nullable booleans: missing (NA) means "not in the denominator". The aggregation is pandas,
vectorised (one numpy ``lexsort``, then ``groupby().first()/last()/size()``): at the benchmark's 750 000
sessions the session totals and this table take about 1.1 s of CPU together, against about 3 s for the
DuckDB validation before it, and the whole analysis runs in about 7 s, within the 10 s asked for, so
Ibis/DuckDB here would add a conversion for little gain (benchmarks/outcomes.py measures the whole run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop.outcomes.definitions import definitions, measures, severity_band
from forlop.stats import age_group

KIND_ORDER = {"assessment": 0, "treatment": 1, "follow_up": 2}


def session_totals(sessions: pd.DataFrame) -> pd.DataFrame:
    """Attended sessions in order with a total per measure (``phq``, ``gad``; NaN when an item is missing).

    Sorted by referral, date and kind (numpy ``lexsort``); totals are numpy row sums, NaN as soon as
    one item is missing (no pro-rating).
    """
    rows = np.flatnonzero(sessions["attended"].to_numpy(dtype=bool))
    referral = sessions["referral_id"].to_numpy()[rows]
    day = sessions["session_on"].to_numpy()[rows]
    kind = sessions["kind"].to_numpy()[rows]
    order = np.lexsort((pd.Series(kind).map(KIND_ORDER).to_numpy(), day, referral))
    rows = rows[order]
    out = pd.DataFrame({"referral_id": referral[order], "session_on": day[order], "kind": kind[order]})
    for key, m in measures().items():
        answers = sessions[list(m.items)].to_numpy(dtype="float64", na_value=np.nan)[rows]
        out[key] = answers.sum(axis=1)  # NaN unless every item is answered
    return out


def _scores(totals: pd.DataFrame) -> pd.DataFrame:
    """First, last and number of scored sessions per referral and measure; first/last scored dates."""
    parts = []
    for key in measures():
        scored = totals.loc[totals[key].notna(), ["referral_id", "session_on", key]]
        g = scored.groupby("referral_id", sort=False)
        parts.append(
            pd.DataFrame({f"{key}_first": g[key].first(), f"{key}_last": g[key].last(), f"{key}_paired": g.size() >= 2})
        )
    any_scored = totals.loc[totals[list(measures())].notna().any(axis=1)].groupby("referral_id", sort=False)
    parts.append(
        pd.DataFrame(
            {"first_scored_on": any_scored["session_on"].first(), "last_scored_on": any_scored["session_on"].last()}
        )
    )
    return pd.concat(parts, axis=1)


def build_referrals(
    referrals: pd.DataFrame, sessions: pd.DataFrame, totals: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per referral of ``referrals`` with the columns of DESIGN.md's per-referral table (and breakdowns).

    ``totals``: ``session_totals(sessions)`` if already computed.
    """
    d = definitions()
    ms = measures()
    totals = session_totals(sessions) if totals is None else totals
    r = referrals.set_index("referral_id", drop=False).copy()
    r.index.name = None
    scores = _scores(totals).reindex(r.index)
    r = pd.concat([r, scores], axis=1)
    treatment = totals.loc[totals["kind"] == d["treatment_kind"]].groupby("referral_id")["session_on"]
    r["n_treatment_sessions"] = treatment.size().reindex(r.index).fillna(0).astype("int64")
    first_treatment = treatment.min().reindex(r.index)
    first_assessment = (
        totals.loc[totals["kind"] == d["assessment_kind"]].groupby("referral_id")["session_on"].min().reindex(r.index)
    )
    assessed_on = r["assessed_on"].fillna(first_assessment)
    r["assessed"] = assessed_on.notna()
    r["entered_treatment"] = r["n_treatment_sessions"] > 0
    r["days_to_assessment"] = (assessed_on - r["referred_on"]).dt.days.astype("Int64")
    r["days_to_first_treatment"] = (first_treatment - r["referred_on"]).dt.days.astype("Int64")
    enough = r["n_treatment_sessions"] >= d["finished_min_treatment_sessions"]
    r["finished_treatment"] = r["ended_on"].notna() & enough
    for key in ms:
        r[f"{key}_paired"] = r[f"{key}_paired"].astype("boolean").fillna(False).astype(bool)
    r["paired"] = np.logical_and.reduce([r[f"{key}_paired"] for key in ms])
    has_first = np.logical_or.reduce([r[f"{key}_first"].notna() for key in ms])
    case = np.logical_or.reduce([(r[f"{key}_first"] >= m.caseness).to_numpy() for key, m in ms.items()])
    r["caseness"] = pd.array(np.where(has_first, case, False), dtype="boolean")
    r.loc[~has_first, "caseness"] = pd.NA

    change = {key: r[f"{key}_last"] - r[f"{key}_first"] for key in ms}  # negative = improvement
    fall = {key: change[key] <= -m.reliable_change for key, m in ms.items()}
    rise = {key: change[key] >= m.reliable_change for key, m in ms.items()}
    improved = np.logical_or.reduce([fall[k] for k in ms]) & ~np.logical_or.reduce([rise[k] for k in ms])
    deteriorated = np.logical_or.reduce([rise[k] for k in ms]) & ~np.logical_or.reduce([fall[k] for k in ms])
    below = np.logical_and.reduce([r[f"{key}_last"] < m.caseness for key, m in ms.items()])
    change_base = r["finished_treatment"] & r["paired"]
    recovery_base = change_base & r["caseness"].fillna(False).astype(bool)
    r["recovered"] = _only(below, recovery_base)
    r["reliably_improved"] = _only(improved, change_base)
    r["reliably_deteriorated"] = _only(deteriorated, change_base)
    r["reliably_recovered"] = _only(below & improved, recovery_base)
    for key in ms:
        r[f"{key}_change"] = (r[f"{key}_first"] - r[f"{key}_last"]).where(r["finished_treatment"] & r[f"{key}_paired"])

    age = r["referred_on"].dt.year - r["birth_year"]
    r["age"] = age.astype("Int64")
    r["age_group"] = age_group(age).fillna("unknown").astype(str)
    r["severity"] = severity_band(r["phq_first"])
    r["step"] = r["step"].fillna("none")
    r["end_month"] = r["ended_on"].dt.to_period("M").dt.to_timestamp()
    for key in ms:
        for end in ("first", "last"):
            r[f"{key}_{end}"] = r[f"{key}_{end}"].astype("Int64")
    return r.reset_index(drop=True)


def _only(values: pd.Series | np.ndarray, base: pd.Series) -> pd.Series:
    """``values`` as nullable booleans where ``base`` is true, NA elsewhere (not in the denominator)."""
    out = pd.Series(pd.array(np.asarray(values, dtype=bool), dtype="boolean"), index=base.index)
    out[~base.to_numpy(bool)] = pd.NA
    return out
