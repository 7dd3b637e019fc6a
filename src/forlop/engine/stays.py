"""Stay numbering shared by every module that counts inpatient stays (DESIGN.md "Definitions", 001 §3).

Two inpatient episodes of one person belong to the same stay when the later one starts on or before
the calendar day after the latest end so far (overlap, or a transfer the same or the next day). An
episode without end is open: it absorbs every later episode. The pathway engine
(``forlop.pathways.stays``) and the coercion rates (``forlop.coercion.events``) both build on this,
so a stay means the same thing in both.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

FAR_FUTURE = ibis.date(9999, 12, 31)


def number_stays(episodes: ir.Table, sector: str = "PHV") -> ir.Table:
    """Return the inpatient episodes (care level 1) of ``sector`` with ``stay_no`` (1, 2, ... per person).

    Added columns: ``start_date``, ``open_end`` (end date, or 9999-12-31 when open) and ``stay_no``.
    Episodes are taken in order of start, then episode id.
    """
    ep = episodes.filter((episodes.sector == sector) & (episodes.care_level == 1))
    ep = ep.mutate(start_date=ep.start.date(), open_end=ep.end.date().fill_null(FAR_FUTURE))
    order = [ep.start, ep.episode_id]
    before = ibis.window(group_by=ep.person_id, order_by=order, rows=(None, -1))
    ep = ep.mutate(prev_end=ep.open_end.max().over(before))
    new_stay = ep.prev_end.isnull() | (ep.start_date.epoch_days() > ep.prev_end.epoch_days() + 1)
    ep = ep.mutate(new_stay=new_stay.cast("int64"))
    upto = ibis.window(group_by=ep.person_id, order_by=[ep.start, ep.episode_id], rows=(None, 0))
    ep = ep.mutate(stay_no=ep.new_stay.sum().over(upto))
    return ep.drop("prev_end", "new_stay")
