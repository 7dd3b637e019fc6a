"""Coercion rates per 10 000 adult inhabitants by area and period, crude and age-sex standardised.

Rules (issue 6; docs/definitions.md "Coercion"):

- Events come from ``events.py``. Each event is placed in the municipality where the person lived in
  the event's calendar year (``residence``; with several rows for a person and year, the highest
  municipality number), and in an age group (001 figure 1, ``codes/age_groups.csv``; age = event year -
  birth year) and sex (``persons``). Events of persons under 18 are outside the measure; events without
  residence, without population in their stratum, or (for health communities and regions) in a
  municipality missing from ``geography`` are counted in ``excluded.csv`` with the reason. A stratum
  (area, period, age group, sex) has no population when ``population`` has no row for it or only
  rows with count 0: its events cannot enter a rate and are listed as "no population in stratum"
  (an area with no adult population at all in a period has no row in rates.csv for that period).
- Persons admitted involuntarily count each person once per area and period.
- Denominator: adult population (``population``, age >= 18) of the event year, as person-years: a
  month counts population / 12, a quarter population / 4, a year population. So every rate is per
  10 000 adult inhabitants per year, and the monthly and quarterly rates are annualised.
- Crude rate with the exact Poisson 95% CI, and the directly age-sex standardised rate with the
  Fay-Feuer gamma CI, both from ``forlop.stats.standardise`` (standard: the adult population of all
  areas in the extract for that period).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from forlop.coercion.events import coercion_events, definitions
from forlop.stats import age_group_expr, standardised_rates

from forlop.choices import BY, PERIODS  # (the --by and --period values; one list each)
_SHARE = {"month": 12, "quarter": 4, "year": 1}



def _period_key(date: ir.DateValue, period: str) -> ir.StringValue:
    """'YYYY-MM' (month), 'YYYYQn' (quarter) or 'YYYY' (year)."""
    if period == "month":
        return date.strftime("%Y-%m")
    if period == "quarter":
        return date.year().cast("string") + "Q" + date.quarter().cast("string")
    return date.year().cast("string")


def _periods_of_year(year: int, period: str) -> list[str]:
    if period == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    if period == "quarter":
        return [f"{year}Q{q}" for q in range(1, 5)]
    return [str(year)]


def event_counts(tables: dict[str, ir.Table], by: str, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (counts, excluded).

    counts: measure, area, period, year, age_group, sex, events (adults only). excluded: measure, reason,
    events. Runs in the Ibis backend of ``tables``; only aggregated rows come back to pandas.
    """
    ev = coercion_events(tables["specialist_episodes"], tables["coercion_decisions"])
    persons = tables["persons"].select("person_id", "birth_year", "sex")
    res = tables["residence"]
    res = res.group_by(["person_id", "year"]).aggregate(municipality=res.municipality.max())
    ev = ev.mutate(year=ev.date.year())
    ev = ev.left_join(persons, "person_id").drop("person_id_right")
    ev = ev.left_join(res, [ev.person_id == res.person_id, ev.year == res.year]).drop(
        "person_id_right", "year_right"
    )
    if by != "municipality":
        geo = tables["geography"].select("municipality", area=tables["geography"][by])
        ev = ev.left_join(geo, "municipality").drop("municipality_right")
    else:
        ev = ev.mutate(area=ev.municipality)
    age = ev.year - ev.birth_year
    ev = ev.mutate(age_group=age_group_expr(age), adult=age >= definitions()["adult_age"], period=_period_key(ev.date, period))
    reason = ibis.cases(
        (ev.birth_year.isnull(), "unknown person"),
        (~ev.adult, "under 18"),
        (ev.municipality.isnull(), "no residence in the event year"),
        (ev.area.isnull(), "municipality not in geography"),
        else_="",
    )
    ev = ev.mutate(reason=reason)
    dropped = ev.filter(ev.reason != "")
    excluded = dropped.group_by(["measure", "reason"]).aggregate(events=dropped.count()).to_pandas()
    used = ev.filter(ev.reason == "")
    keys = ["measure", "area", "period", "year", "age_group", "sex"]
    plain = used.filter(used.measure != "persons_admitted")
    counts = plain.group_by(keys).aggregate(events=plain.count()).to_pandas()
    persons_rows = used.filter(used.measure == "persons_admitted")
    persons_rows = persons_rows.select(*keys, "person_id").distinct()
    persons_counts = persons_rows.group_by(keys).aggregate(events=persons_rows.count()).to_pandas()
    counts = pd.concat([counts, persons_counts], ignore_index=True)
    excluded = excluded[excluded["reason"] != "under 18"].reset_index(drop=True)
    return counts, excluded


def population_person_years(tables: dict[str, ir.Table], by: str, period: str, years: list[int]) -> pd.DataFrame:
    """Return area, period, year, age_group, sex, population (adults), person_years for ``years``."""
    pop = tables["population"]
    pop = pop.filter((pop.age >= definitions()["adult_age"]) & pop.year.isin(years))
    if by != "municipality":
        geo = tables["geography"].select("municipality", area=tables["geography"][by])
        pop = pop.join(geo, "municipality")
    else:
        pop = pop.mutate(area=pop.municipality)
    pop = pop.mutate(age_group=age_group_expr(pop.age))
    pop = pop.group_by(["area", "year", "age_group", "sex"]).aggregate(population=pop["count"].sum()).to_pandas()
    pop["period"] = pop["year"].map(lambda y: _periods_of_year(int(y), period))
    pop = pop.explode("period", ignore_index=True)
    pop["person_years"] = pop["population"] / _SHARE[period]
    return pop


def coercion_rates(tables: dict[str, ir.Table], by: str = "municipality", period: str = "year"
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (rates, strata, excluded).

    rates: measure, area, period, events, population (adults), person_years, crude, crude_low,
    crude_high, rate, rate_low, rate_high (per 10 000 per year). strata: the counts per stratum behind
    them. Periods run over the calendar years that have events and population.
    """
    counts, excluded = event_counts(tables, by, period)
    years = sorted(int(y) for y in counts["year"].unique()) if len(counts) else []
    pop = population_person_years(tables, by, period, years)
    keys = ["area", "period", "age_group", "sex"]
    # Strata with count 0 have no population either: their events would give a rate of n / 0.
    pop = pop[pop["person_years"] > 0]
    joined = counts.merge(pop[keys].assign(has_pop=True), on=keys, how="left")
    no_pop = joined[joined["has_pop"].isna()]
    if len(no_pop):
        extra = no_pop.groupby("measure", as_index=False)["events"].sum().assign(reason="no population in stratum")
        excluded = pd.concat([excluded, extra[["measure", "reason", "events"]]], ignore_index=True)
        counts = joined[joined["has_pop"].notna()].drop(columns="has_pop")
    rows = []
    measures = definitions()["measures"]
    for measure in measures:
        part = counts[counts["measure"] == measure]
        for key, pop_part in pop.groupby("period", sort=True):
            ev = part[part["period"] == key][keys + ["events"]]
            ev = ev.groupby(keys, as_index=False)["events"].sum()
            rates = standardised_rates(
                ev.drop(columns="period"),
                pop_part[keys + ["person_years"]].drop(columns="period").rename(columns={"person_years": "population"}),
                area="area",
            )
            rates = rates.rename(columns={"population": "person_years"})
            people = pop_part.groupby("area", as_index=False)["population"].sum()
            rates = rates.merge(people, on="area")
            rates.insert(0, "period", key)
            rates.insert(0, "measure", measure)
            rows.append(rates)
    columns = ["measure", "area", "period", "events", "population", "person_years", "crude", "crude_low",
               "crude_high", "rate", "rate_low", "rate_high"]
    result = pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)
    result["events"] = result["events"].astype("int64")
    result["measure"] = pd.Categorical(result["measure"], measures, ordered=True)
    result = result.sort_values(["measure", "area", "period"]).reset_index(drop=True)
    result["measure"] = result["measure"].astype(str)
    return result, counts, excluded.groupby(["measure", "reason"], as_index=False)["events"].sum()
