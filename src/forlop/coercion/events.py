"""Coercion events from a clean extract, as Ibis expressions (DuckDB by default; DESIGN.md "Engine").

Rules (issue 6, DESIGN.md, 000; parameters in ``definitions.yaml``; docs/definitions.md "Coercion"):

- Inpatient stays: PHV episodes with care level 1, merged per person when they overlap or the next
  starts on the same or the next calendar day as the latest end so far (DESIGN.md; an episode without
  end absorbs every later one). A stay is an involuntary admission when any of its episodes has
  coercion_referral true (the flag may sit on the receiving unit's episode of a transfer; the stay is
  counted once). Its date is the stay's start date.
- Referrals for involuntary admission: involuntary admissions (each merged stay once) plus PHV episodes
  of care level 2 or 3 with coercion_referral true (referrals that did not lead to an inpatient stay),
  each dated by its start date.
- Confirmed referral: a referral with a coercion decision of a kind in ``confirm_kinds`` for the same
  person dated from the referral's start date to ``confirm_days`` days later.
- Persons admitted involuntarily: distinct persons with an involuntary admission (counted per area and
  period in ``rates.py``).
"""

from __future__ import annotations

from functools import cache

import ibis
import ibis.expr.types as ir

from forlop.datafile import package_yaml
from forlop.engine.stays import number_stays


@cache
def definitions() -> dict:
    """Return the parameters of the coercion definitions (definitions.yaml)."""
    return package_yaml("forlop.coercion", "definitions.yaml")


def involuntary_stays(episodes: ir.Table) -> ir.Table:
    """Return one row per merged PHV inpatient stay with a coercion referral: person_id, date."""
    ep = number_stays(episodes, definitions()["sector"])
    ep = ep.mutate(referral=ep.coercion_referral.fill_null(False).cast("int64"))
    stays = ep.group_by(["person_id", "stay_no"]).aggregate(date=ep.start_date.min(), referral=ep.referral.max())
    return stays.filter(stays.referral == 1).select("person_id", "date")


def other_referrals(episodes: ir.Table) -> ir.Table:
    """Return PHV episodes of care level 2 or 3 with a coercion referral: person_id, date."""
    sector = definitions()["sector"]
    ep = episodes.filter(
        (episodes.sector == sector) & (episodes.care_level != 1) & episodes.coercion_referral.fill_null(False)
    )
    return ep.select("person_id", date=ep.start.date())


def confirmed(referrals: ir.Table, decisions: ir.Table) -> ir.Table:
    """Return the referrals (person_id, date) with a confirming decision in the window (one row each)."""
    rules = definitions()
    kinds = decisions.filter(decisions.kind.isin(rules["confirm_kinds"]))
    kinds = kinds.select(d_person=kinds.person_id, d_day=kinds.date.epoch_days())
    ref = referrals.mutate(ref_no=ibis.row_number(), day=referrals.date.epoch_days())
    joined = ref.join(
        kinds,
        (ref.person_id == kinds.d_person) & (kinds.d_day >= ref.day) & (kinds.d_day <= ref.day + rules["confirm_days"]),
    )
    return joined.select("ref_no", "person_id", "date").distinct().select("person_id", "date")


def coercion_events(episodes: ir.Table, decisions: ir.Table) -> ir.Table:
    """Return all events in one table: measure, person_id, date (persons_admitted = the admissions)."""
    admissions = involuntary_stays(episodes)
    referrals = admissions.union(other_referrals(episodes), distinct=False)
    parts = [
        admissions.mutate(measure=ibis.literal("involuntary_admissions")),
        admissions.mutate(measure=ibis.literal("persons_admitted")),
        referrals.mutate(measure=ibis.literal("referrals")),
        confirmed(referrals, decisions).mutate(measure=ibis.literal("confirmed_referrals")),
    ]
    return ibis.union(*parts, distinct=False).select("measure", "person_id", "date")
