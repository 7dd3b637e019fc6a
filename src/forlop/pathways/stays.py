"""Inpatient stays: PHV episodes with care level 1, merged when they overlap or touch (001 §3, DESIGN.md).

Two episodes of one person belong to the same stay when the later one starts on or before the
calendar day after the latest end so far (transfers the same or the next day). An episode without
end is open: it absorbs every later episode, and the stay has no end. The numbering itself is
``forlop.engine.stays.number_stays``, shared with the coercion rates, so a stay means the same there.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from forlop.engine.stays import number_stays


def merge_stays(episodes: ir.Table) -> ir.Table:
    """Return one row per merged stay.

    Columns: person_id, stay_no, start, end (null = ongoing), start_date, end_date, urgency
    (of the first episode, by start then episode_id), discharge_main_diagnosis (of the episode that
    ends last; a tie goes to the one that starts last, then the higher episode_id) and
    discharge_ready (discharge_ready_at set on any episode of the stay).
    """
    # only the columns used below, so the window steps do not carry the list columns along
    needed = [
        "episode_id",
        "person_id",
        "sector",
        "care_level",
        "start",
        "end",
        "main_diagnosis",
        "urgency",
        "discharge_ready_at",
    ]
    ep = number_stays(episodes.select(needed), sector="PHV")

    key = [ep.person_id, ep.stay_no]
    first = ibis.window(group_by=key, order_by=[ep.start, ep.episode_id])
    last = ibis.window(
        group_by=key, order_by=[ep.open_end.desc(), ep.end.desc(), ep.start.desc(), ep.episode_id.desc()]
    )
    ep = ep.mutate(first_rank=ibis.row_number().over(first), last_rank=ibis.row_number().over(last))
    firsts = ep.filter(ep.first_rank == 0).select("person_id", "stay_no", "urgency")
    lasts = ep.filter(ep.last_rank == 0).select("person_id", "stay_no", discharge_main_diagnosis=ep.main_diagnosis)
    agg = ep.group_by(["person_id", "stay_no"]).aggregate(
        start=ep.start.min(),
        end_max=ep.end.max(),
        any_open=ep.end.isnull().cast("int64").max(),
        discharge_ready=ep.discharge_ready_at.notnull().cast("int64").max(),
    )
    agg = agg.mutate(end=ibis.ifelse(agg.any_open == 1, ibis.null("timestamp"), agg.end_max))
    agg = agg.mutate(start_date=agg.start.date(), end_date=agg.end.date(), discharge_ready=agg.discharge_ready == 1)
    agg = agg.drop("end_max", "any_open")
    return agg.join(firsts, ["person_id", "stay_no"]).join(lasts, ["person_id", "stay_no"])
