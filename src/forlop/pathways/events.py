"""Events in the 365 days after discharge, per patient and service (001 chapters 5-6, DESIGN.md).

Day d of an event = its calendar date - day 0. An event counts when 0 <= d <= 365 and it does
not start before the discharge timestamp. Outpatient-type contacts (outpatient, ambulant,
collaboration meeting, ACT/FACT) on day 0 are kept apart (001 §6.3: not in the chapter 5 and
6.2 analyses; ``n_day0``), and enter only the "day 0 included" collaboration-meeting figures.

Every function returns an Ibis expression; nothing here touches pandas.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from forlop import codes
from forlop.pathways.codes import field_codes, list_has_any

#: Services whose day-0 contacts are left out of the follow-up (001 §6.3).
OUTPATIENT_TYPES = ("outpatient", "ambulant", "collaboration_meeting", "act_fact")
#: Municipal service keys of codes/municipal_services.csv -> service names (``other`` is ambiguous).
MUNICIPAL_NAMES = {"other": "other_municipal"}
WINDOW = 365


def municipal_service_name(key: str) -> str:
    """Service name of a municipal service key (``other`` -> ``other_municipal``)."""
    return MUNICIPAL_NAMES.get(key, key)


def _in_window(table: ir.Table, cohort: ir.Table, date: ir.DateValue, at: ir.TimestampValue | None) -> ir.Table:
    """Join events to the cohort, add d, keep 0 <= d <= 365 and (if ``at``) not before discharge."""
    joined = table.join(cohort, "person_id")
    joined = joined.mutate(d=(date.epoch_days() - cohort.day0_n).cast("int64"))
    keep = (joined.d >= 0) & (joined.d <= WINDOW)
    if at is not None:
        keep = keep & (at >= cohort.index_end)
    return joined.filter(keep)


#: Point-event services of ``point_events``, by the table they come from.
EPISODE_SERVICES = ("outpatient", "ambulant", "collaboration_meeting", "act_fact", "tsb_inpatient")
CLAIM_SERVICES = ("gp_contact", "gp_consultation", "out_of_hours")


def point_events(tables: dict[str, ir.Table], cohort: ir.Table, services: tuple[str, ...] | None = None) -> ir.Table:
    """(person_id, service, d, d_end, before) for every contact or claim in the window.

    One row per service it counts for.

    ``services`` restricts the result to some of EPISODE_SERVICES + CLAIM_SERVICES (default: all);
    a table none of whose services is asked for is not read at all.
    """
    wanted = set(EPISODE_SERVICES + CLAIM_SERVICES if services is None else services)
    unknown = wanted - set(EPISODE_SERVICES + CLAIM_SERVICES)
    if unknown:
        raise ValueError(f"unknown point-event services: {sorted(unknown)}")
    cohort = cohort.select("person_id", "day0_n", "index_end")
    parts = []
    if wanted & set(EPISODE_SERVICES):
        ep = tables["specialist_episodes"]
        ep = _in_window(ep, cohort, ep.start.date(), ep.start)
        collab = (
            list_has_any(ep.special_codes, field_codes("collaboration_meeting", "special_codes"))
            | list_has_any(ep.procedure_codes, field_codes("collaboration_meeting", "procedure_codes"))
            | ep.indirect_activity.isin([int(c) for c in field_codes("collaboration_meeting", "indirect_activity")]).fill_null(False)
        )
        ambulant = (
            list_has_any(ep.special_codes, field_codes("ambulant_contact", "special_codes"))
            | ep.place_of_activity.isin([int(c) for c in field_codes("ambulant_contact", "place_of_activity")]).fill_null(False)
        ) & ~collab
        act = ep.service_group.isin(codes.codes("act_fact", "service_group")).fill_null(False)
        outpatient = ep.care_level == 3
        conditions = {
            "outpatient": outpatient,
            "ambulant": outpatient & ambulant,
            "collaboration_meeting": outpatient & collab,
            "act_fact": act,
            "tsb_inpatient": (ep.sector == "TSB") & (ep.care_level == 1),
        }
        parts += [
            ep.filter(condition).select("person_id", "d", service=ibis.literal(name))
            for name, condition in conditions.items() if name in wanted
        ]
    if wanted & set(CLAIM_SERVICES):
        claims = tables["primary_care_claims"]
        claims = _in_window(claims, cohort, claims.at.date(), claims.at)
        practice = codes.load("practice_types")
        gp_types = [int(p) for p in practice.loc[practice.kind == "gp", "practice_type"]]
        ooh_types = [int(p) for p in practice.loc[practice.kind == "out_of_hours", "practice_type"]]
        gp = claims.practice_type.isin(gp_types)
        consultation = gp & list_has_any(claims.fee_codes, codes.codes("gp_consultation_fees", "fee_code"))
        conditions = {"gp_contact": gp, "gp_consultation": consultation, "out_of_hours": claims.practice_type.isin(ooh_types)}
        parts += [
            claims.filter(condition).select("person_id", "d", service=ibis.literal(name))
            for name, condition in conditions.items() if name in wanted
        ]
    events = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    return events.mutate(d_end=events.d, before=ibis.literal(False))


def readmissions(stays: ir.Table, cohort: ir.Table) -> ir.Table:
    """Merged PHV stays that start in the window: d, d_end (last day in the window), nights, acute.

    Bed days (001 table 6, footnote 10): nights from the start date to the earlier of the end date
    and day 365; an ongoing stay runs to day 365.
    """
    cohort = cohort.select("person_id", "day0_n", "index_end")
    s = _in_window(stays, cohort, stays.start_date, stays.start)
    last = (s.end_date.epoch_days() - s.day0_n).fill_null(WINDOW)
    last = ibis.ifelse(last > WINDOW, WINDOW, last).cast("int64")
    return s.select(
        "person_id",
        "d",
        d_end=last,
        nights=(last - s.d).cast("int64"),
        acute=(s.urgency == "acute").fill_null(False),
    )


def municipal_periods(tables: dict[str, ir.Table], cohort: ir.Table) -> ir.Table:
    """Merged municipal service periods that overlap the window (001 §3, DESIGN.md).

    Decisions of one service for one person are merged when the next starts at most 7 days after
    the latest end so far (an open decision absorbs all later ones). A period counts when it starts
    on or before day 365 and has not ended before day 0; one that started before day 0 counts from
    day 0 (d = 0) and is "started before discharge" (``before``).
    """
    cohort = cohort.select("person_id", "day0_n")
    m = tables["municipal_services"].join(cohort.select("person_id"), "person_id")
    m = m.mutate(
        start_n=m.start.epoch_days().cast("int64"),
        end_n=m.end.epoch_days().fill_null(10_000_000).cast("int64"),
    )
    key = [m.person_id, m.service]
    before = ibis.window(group_by=key, order_by=[m.start_n, m.end_n], rows=(None, -1))
    m = m.mutate(prev_end=m.end_n.max().over(before))
    m = m.mutate(new=(m.prev_end.isnull() | (m.start_n - m.prev_end > 7)).cast("int64"))
    upto = ibis.window(group_by=[m.person_id, m.service], order_by=[m.start_n, m.end_n], rows=(None, 0))
    m = m.mutate(period=m.new.sum().over(upto))
    p = m.group_by(["person_id", "service", "period"]).aggregate(start_n=m.start_n.min(), end_n=m.end_n.max())
    p = p.join(cohort, "person_id")
    p = p.mutate(rel_start=p.start_n - p.day0_n, rel_end=p.end_n - p.day0_n)
    p = p.filter((p.rel_start <= WINDOW) & (p.rel_end >= 0))
    d = ibis.ifelse(p.rel_start < 0, 0, p.rel_start).cast("int64")
    d_end = ibis.ifelse(p.rel_end > WINDOW, WINDOW, p.rel_end).cast("int64")
    cases = [(p.service == key, municipal_service_name(key)) for key in codes.codes("municipal_services", "key")]
    return p.select(
        "person_id",
        service=ibis.cases(*cases, else_=p.service),
        d=d,
        d_end=d_end,
        before=p.rel_start < 0,
    )


def _month_bounds(month: int) -> tuple[int, int]:
    """First and last day of 30-day month ``month`` (1-12) of the window.

    Month 12 runs to day 365 (001 figures 9-11).
    """
    return 30 * (month - 1), WINDOW if month == 12 else 30 * month - 1


def service_summary(points: ir.Table, stays: ir.Table, periods: ir.Table) -> ir.Table:
    """Per (person_id, service): first_d, n, n_day0, n_30, n_30_incl_day0, before, bed_days, n_acute, months.

    For outpatient-type services first_d, n and n_30 leave out day 0 (001 §6.3); n_day0 and
    n_30_incl_day0 keep it. ``municipal`` is every municipal period whatever its type.

    ``months`` is a 12-bit mask of the 30-day months with the service (001 figures 9-11): month k
    (1-12) is days 30(k-1) ... 30k-1, month 12 runs to day 365, bit k-1 is month k. A point event
    falls in one month; a stay or municipal period counts in every month it overlaps; day-0
    outpatient-type contacts do not count. Each bit is the maximum over the rows of "a counted row
    overlaps month k", so the mask comes out of the same single aggregation as the counts.
    """
    stay_rows = stays.select(
        "person_id", "d", "d_end", "nights", "acute", service=ibis.literal("readmission"), before=ibis.literal(False)
    )
    period_rows = periods.mutate(nights=ibis.literal(0, "int64"), acute=ibis.literal(False))
    all_municipal = period_rows.mutate(service=ibis.literal("municipal"))
    point_rows = points.mutate(nights=ibis.literal(0, "int64"), acute=ibis.literal(False))
    columns = ["person_id", "service", "d", "d_end", "nights", "acute", "before"]
    rows = ibis.union(
        point_rows.select(columns), stay_rows.select(columns), period_rows.select(columns),
        all_municipal.select(columns), distinct=False,
    )
    counted = ~(rows.service.isin(list(OUTPATIENT_TYPES)) & (rows.d == 0))
    rows = rows.mutate(counted=counted)
    bits = {}
    for month in range(1, 13):
        low, high = _month_bounds(month)
        hit = rows.counted & (rows.d <= high) & (rows.d_end >= low)
        bits[f"month_{month}"] = hit.cast("int64").max()
    summary = rows.group_by(["person_id", "service"]).aggregate(
        first_d=rows.d.min(where=rows.counted),
        n=rows.count(where=rows.counted),
        n_day0=rows.count(where=rows.d == 0),
        n_30=rows.count(where=rows.counted & (rows.d <= 30)),
        n_30_incl_day0=rows.count(where=rows.d <= 30),
        before=rows.before.cast("int64").max(),
        bed_days=rows.nights.sum(),
        n_acute=rows.acute.cast("int64").sum(),
        **bits,
    )
    months = sum(summary[f"month_{k}"] * (1 << (k - 1)) for k in range(1, 13))
    return summary.mutate(months=months.cast("int64")).drop(*bits)
