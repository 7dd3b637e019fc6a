"""The cohort of 001 §4: adults with a severe mental illness discharged from inpatient PHV care in year Y.

Selection steps (001 §4.1, DESIGN.md "Definitions of the pathway engine"):

1. ``smi_population``: age Y - birth_year >= 18 and at least one PHV episode in Y (starts on or
   before 31 December and ends on or after 1 January, or is open) with F20, F25, F30-F33 or
   F60-F69 as main or other diagnosis (codes/cohort_diagnoses.csv);
2. ``with_completed_stay``: of those, persons with a merged inpatient stay that ends in Y;
   the index stay is the first such stay by end (ties: earlier start, lower stay number), and day 0
   is its discharge date;
3. ``died_within_365``: persons who die on or before day 365 are removed (001 §4.1), unless
   ``keep_deaths`` (then they stay in and death is a competing event, issue 3 item 4);
4. ``cohort``.

Attributes: discharge diagnosis group (last episode of the index stay, 001 table 1),
co-occurring substance use (001 §4.4), coercion (001 §4.5), discharge-ready (001 §6.1), sex,
age and age group (001 figure 1), residence in Y with health community and region (001 §4.7),
and PHV contact in each of the three years before Y (001 §4.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from forlop import codes
from forlop.engine.backend import materialize
from forlop.pathways.codes import diagnosis_group, normalized_icd10, starts_with_any


@dataclass
class Cohort:
    """The cohort table (one row per patient, Ibis) and the selection flow (step, persons)."""

    patients: ir.Table
    flow: list[tuple[str, int]]


def _episodes_in_year(episodes: ir.Table, year: int) -> ir.Table:
    """Episodes that start on or before 31 December and end on or after 1 January of ``year`` (or are open).

    Compared as timestamps (start before 1 January of the next year, end at or after midnight on
    1 January), which is the same test on the calendar dates without a cast of every row.
    """
    first, after = ibis.literal(dt.datetime(year, 1, 1)), ibis.literal(dt.datetime(year + 1, 1, 1))
    return episodes.filter((episodes.start < after) & (episodes.end.isnull() | (episodes.end >= first)))


#: Years before Y whose mental health contact 001 §4.2 reports (2017-2019 for 2020).
YEARS_BEFORE = (1, 2, 3)


def prior_phv_contact(episodes: ir.Table, persons: ir.Table, year: int) -> ir.Table:
    """(person_id, phv_contact_y_minus_1, _2, _3): a PHV episode (any care level) in year Y - k (001 §4.2).

    "In year Y - k" is the test of step 1 (starts on or before 31 December, ends on or after
    1 January, or is open). Only persons with such an episode in one of the three years get a row.
    """
    earliest = ibis.literal(dt.datetime(year - max(YEARS_BEFORE), 1, 1))
    before_y = ibis.literal(dt.datetime(year, 1, 1))
    e = episodes.filter(
        (episodes.sector == "PHV")
        & episodes.person_id.isin(persons.person_id)
        & (episodes.start < before_y)
        & (episodes.end.isnull() | (episodes.end >= earliest))
    )
    flags = {}
    for k in YEARS_BEFORE:
        first, after = ibis.literal(dt.datetime(year - k, 1, 1)), ibis.literal(dt.datetime(year - k + 1, 1, 1))
        in_year = (e.start < after) & (e.end.isnull() | (e.end >= first))
        flags[f"phv_contact_y_minus_{k}"] = in_year.cast("int64").max() > 0
    return e.group_by("person_id").aggregate(**flags)


def _diagnoses_long(episodes: ir.Table) -> ir.Table:
    """(person_id, code) for every main and other diagnosis, codes normalized."""
    main = episodes.select("person_id", code=normalized_icd10(episodes.main_diagnosis))
    other = episodes.select("person_id", raw=episodes.other_diagnoses.unnest())
    other = other.select("person_id", code=normalized_icd10(other.raw))
    both = main.union(other, distinct=False)
    return both.filter(both.code.notnull() & (both.code != ""))


@dataclass
class IndexStays:
    """Selection steps 1-3: one row per selected person (index stay, person and day 0), the flow so
    far, and the episodes in Y (for the attributes)."""

    index: ir.Table
    flow: list[tuple[str, int]]
    in_year: ir.Table


def select_index_stays(
    tables: dict[str, ir.Table], stays: ir.Table, year: int, keep_deaths: bool = False
) -> IndexStays:
    """Selection steps 1-3 of the module docstring: index stay, day 0 and days_to_death (cached).

    The counts of the flow are read from cached tables, so no step is computed twice.
    """
    persons, episodes = tables["persons"], tables["specialist_episodes"]
    in_year = _episodes_in_year(episodes, year)
    phv_year = in_year.filter(in_year.sector == "PHV")
    diagnoses = _diagnoses_long(phv_year)

    qualifying = diagnoses.filter(starts_with_any(diagnoses.code, codes.codes("cohort_diagnoses")))
    qualifying = qualifying.select("person_id").distinct()
    adults = persons.filter((year - persons.birth_year) >= 18)
    smi = materialize(adults.join(qualifying, "person_id").select(adults), "forlop_smi")

    ended = stays.filter(stays.end_date.notnull() & (stays.end_date.year() == year))
    ended = ended.join(smi.select("person_id"), "person_id")
    first = ibis.window(group_by=ended.person_id, order_by=[ended.end, ended.start, ended.stay_no])
    ended = ended.mutate(rank=ibis.row_number().over(first))
    index = ended.filter(ended.rank == 0).drop("rank")
    index = index.join(smi, "person_id")
    index = index.mutate(day0=index.end_date, day0_n=index.end_date.epoch_days())
    days_to_death = index.death_date.epoch_days() - index.day0_n
    index = index.mutate(days_to_death=ibis.ifelse(days_to_death <= 365, days_to_death, ibis.null("int64")))
    index = materialize(index, "forlop_index_stays")

    counts = (
        index.aggregate(discharged=index.count(), died=index.count(where=index.days_to_death.notnull()))
        .to_pyarrow()
        .to_pylist()[0]
    )
    flow = [
        ("persons_in_extract", persons.count().to_pyarrow().as_py()),
        ("smi_population", smi.count().to_pyarrow().as_py()),
        ("with_completed_stay", counts["discharged"]),
        ("died_within_365", counts["died"]),
    ]
    if not keep_deaths:
        index = index.filter(index.days_to_death.isnull())
    return IndexStays(index=index, flow=flow, in_year=in_year)


def build_cohort(tables: dict[str, ir.Table], stays: ir.Table, year: int, keep_deaths: bool = False) -> Cohort:
    """Select the cohort for ``year`` and attach the patient attributes (see the module docstring).

    The returned patients table is cached: reading it (count, to_pandas, joins) does not recompute it.
    """
    selected = select_index_stays(tables, stays, year, keep_deaths=keep_deaths)
    index = selected.index
    # the attributes are only needed for the selected persons: their rows are the only ones read on
    in_year = selected.in_year.filter(selected.in_year.person_id.isin(index.person_id))
    diagnoses = _diagnoses_long(in_year.filter(in_year.sector == "PHV"))

    substance_codes = codes.codes("substance_use")
    phv_substance = diagnoses.filter(starts_with_any(diagnoses.code, substance_codes)).select("person_id")
    tsb = in_year.filter(in_year.sector == "TSB").select("person_id")
    substance = phv_substance.union(tsb).distinct().mutate(substance_use=ibis.literal(True))

    referred = in_year.filter(in_year.coercion_referral.fill_null(False)).select("person_id")
    decisions = tables["coercion_decisions"]
    decided = decisions.filter((decisions.date.year() == year) & decisions.person_id.isin(index.person_id))
    decided = decided.select("person_id")
    coercion = referred.union(decided).distinct().mutate(coercion=ibis.literal(True))

    residence = tables["residence"]
    res = residence.filter((residence.year == year) & residence.person_id.isin(index.person_id))
    res = res.group_by("person_id").aggregate(municipality=res.municipality.max())
    geography = tables["geography"].select("municipality", "health_community", "region")
    res = res.join(geography, "municipality", how="left").select(
        "person_id", "municipality", "health_community", "region"
    )

    patients = index.select(
        "person_id",
        index_start=index.start,
        index_end=index.end,
        day0=index.day0,
        day0_n=index.day0_n,
        diagnosis_group=diagnosis_group(normalized_icd10(index.discharge_main_diagnosis)),
        discharge_ready=index.discharge_ready,
        sex=index.sex,
        age=(year - index.birth_year).cast("int64"),
        days_to_death=index.days_to_death,
    )
    patients = patients.join(substance, "person_id", how="left").select(patients, "substance_use")
    patients = patients.join(coercion, "person_id", how="left").select(patients, "coercion")
    patients = patients.join(res, "person_id", how="left").select(
        patients, "municipality", "health_community", "region"
    )
    prior = prior_phv_contact(tables["specialist_episodes"], index, year)
    prior_columns = [f"phv_contact_y_minus_{k}" for k in YEARS_BEFORE]
    patients = patients.join(prior, "person_id", how="left").select(patients, *prior_columns)
    patients = patients.mutate(
        substance_use=patients.substance_use.fill_null(False),
        coercion=patients.coercion.fill_null(False),
        **{c: patients[c].fill_null(False) for c in prior_columns},
    )
    patients = materialize(patients, "forlop_cohort")
    flow = [*selected.flow, ("cohort", patients.count().to_pyarrow().as_py())]
    return Cohort(patients=patients, flow=flow)
