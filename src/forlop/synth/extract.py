"""The synthetic registry extract: everyone a real extract for 2020 would hold, written per the contract.

``write_synthetic_extract`` builds the cohort of 001 (calibrated to tables 1-12 and A), the people
the selection leaves out (001 §4.1), all their specialist, GP, out-of-hours and municipal events
2017-2021, residence, population and geography, and writes one file per table (Parquet by default,
CSV on request). The same seed gives the same extract.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from forlop.errors import InputError
from forlop.i18n import t
from forlop.progress import say
from forlop.synth import coercion, geography, municipal, others, primary_care, specialist
from forlop.synth.cohort import NATIONAL_COHORT, build_cohort
from forlop.synth.events import DAY, LIST_COLUMNS, SCHEMAS, batch, pick
from forlop.synth.plans import plan_services
from forlop.synth.targets import parameters, targets

SCALES = {"national": NATIONAL_COHORT, "demo": 1500}
COERCION_STREAM = 7  # second seed word of the coercion top-up's own random stream


@dataclass
class SynthSummary:
    """What was written: rows per table, persons, events and seconds taken."""

    path: Path
    rows: dict[str, int]
    persons: int
    events: int
    seconds: float


def cohort_size(scale: str | int, lang: str | None = None) -> int:
    """Return the number of cohort patients for a scale: 'national', 'demo' or a positive number."""
    if isinstance(scale, int) or str(scale).isdigit():
        n = int(scale)
        if n < 50:
            raise InputError("--scale", t("synth.scale_small", lang, n=n))
        return n
    if scale not in SCALES:
        raise InputError("--scale", t("synth.scale_unknown", lang, scale=scale))
    return SCALES[scale]


def _add_routes(rng: np.random.Generator, frame: pd.DataFrame, params: dict) -> None:
    """Decide how each patient's substance use and coercion show in the data (parameters.yaml)."""
    n = len(frame)
    routes = params["substance_route"]
    substance_route = pick(rng, list(routes), n, list(routes.values()))
    substance_route[frame["group"].to_numpy() == "substance"] = "diagnosis"
    frame["substance_route"] = np.where(frame["substance_use"], substance_route, "none")
    routes = params["coercion_route"]
    frame["coercion_route"] = np.where(frame["coercion"], pick(rng, list(routes), n, list(routes.values())), "none")


def build_tables(
    scale: str | int = "demo", seed: int = 2020, progress: bool = False, lang: str | None = None
) -> dict[str, pa.Table]:
    """Return the tables of a synthetic extract (contract columns; list columns as ';'-joined text)."""
    n_cohort = cohort_size(scale, lang)
    factor = n_cohort / NATIONAL_COHORT
    rng = np.random.default_rng(seed)
    tg, params = targets(), parameters()
    pop = params["population"]
    year = int(params["year"])

    say(t("synth.step", lang, step=t("synth.part.cohort", lang)), progress)
    cohort = build_cohort(rng, tg, params, n_cohort)
    _add_routes(rng, cohort, params)
    deaths = build_cohort(rng, tg, params, max(1, round(pop["died_within_365"] * factor)))
    _add_routes(rng, deaths, params)
    sizes = {
        "smi": round((pop["smi_population"] - pop["with_completed_stay"]) * factor),
        "children": round(pop["children_with_stay"] * factor),
        "nonq": round(pop["non_qualifying_adults"] * factor),
    }
    total = len(cohort) + len(deaths) + sum(sizes.values())
    ids = rng.permutation(total).astype(np.int64) + 1_000_001
    cohort_ids, rest = ids[: len(cohort)], ids[len(cohort) :]
    death_ids, rest = rest[: len(deaths)], rest[len(deaths) :]
    smi_ids, rest = rest[: sizes["smi"]], rest[sizes["smi"] :]
    child_ids, nonq_ids = rest[: sizes["children"]], rest[sizes["children"] :]

    say(t("synth.step", lang, step=t("synth.part.plans", lang)), progress)
    plans = plan_services(rng, cohort, tg, params)

    say(t("synth.step", lang, step="specialist_episodes"), progress)
    episodes = [
        specialist.index_stays(rng, cohort, cohort_ids, params),
        specialist.readmission_stays(rng, cohort, cohort_ids, plans["readmission"], params),
        specialist.outpatient_contacts(rng, cohort, cohort_ids, plans, params),
        specialist.history(rng, cohort, cohort_ids, params),
        specialist.index_stays(rng, deaths, death_ids, params),
    ]
    groups = [
        others.smi_without_stay(rng, smi_ids, round(pop["ongoing_stay_at_year_end"] * factor), params),
        others.children_with_stay(rng, child_ids, params),
        others.non_qualifying(rng, nonq_ids, round(pop["non_qualifying_with_stay"] * factor), params),
    ]
    episodes += [g.episodes for g in groups]

    say(t("synth.step", lang, step="coercion_decisions"), progress)
    decisions = [
        specialist.coercion_decisions(rng, cohort, cohort_ids, params),
        specialist.coercion_decisions(rng, deaths, death_ids, params),
    ]

    say(t("synth.step", lang, step="primary_care_claims"), progress)
    death_day0 = deaths["index_end"].to_numpy().astype("datetime64[D]")
    death_day = rng.integers(1, 366, size=len(deaths))
    claims = [
        primary_care.window_claims(rng, cohort, cohort_ids, plans, params),
        primary_care.cohort_background_claims(rng, cohort, cohort_ids, params),
        primary_care.background_claims(
            rng,
            death_ids,
            np.full(len(deaths), np.datetime64(params["history_start"])),
            death_day0 + (death_day - 1) * DAY,
            params,
        ),
    ]
    claims += [
        primary_care.background_claims(rng, ids_, g.first_seen, g.last_seen, params)
        for ids_, g in zip((smi_ids, child_ids, nonq_ids), groups)
    ]

    say(t("synth.step", lang, step="municipal_services"), progress)
    municipal_rows = [municipal.municipal_decisions(rng, cohort, cohort_ids, plans["municipal"], params)]

    say(t("synth.step", lang, step="persons, residence, population"), progress)
    weights = geography.municipality_weights(rng, params)
    day0 = cohort["index_end"].to_numpy().astype("datetime64[D]")
    cohort_death = np.full(len(cohort), np.datetime64("NaT"), dtype="datetime64[D]")
    late = rng.choice(len(cohort), size=round(pop["cohort_deaths_after_window"] * factor), replace=False)
    cohort_death[late] = day0[late] + rng.integers(366, 700, size=len(late)) * DAY
    cohort_death[cohort_death > np.datetime64(params["history_end"])] = np.datetime64("NaT")
    persons = [
        batch(
            "persons",
            person_id=cohort_ids,
            birth_year=cohort["birth_year"].to_numpy(),
            sex=cohort["sex"].to_numpy().astype(object),
            death_date=cohort_death,
        ),
        batch(
            "persons",
            person_id=death_ids,
            birth_year=deaths["birth_year"].to_numpy(),
            sex=deaths["sex"].to_numpy().astype(object),
            death_date=death_day0 + death_day * DAY,
        ),
    ]
    persons += [
        batch("persons", person_id=ids_, birth_year=g.birth_year, sex=g.sex)
        for ids_, g in zip((smi_ids, child_ids, nonq_ids), groups)
    ]
    place = np.concatenate(
        [cohort["health_community"].to_numpy(), deaths["health_community"].to_numpy()]
        + [g.health_community for g in groups]
    )
    residence = _residence(rng, ids, place, weights, year)
    population = pa.Table.from_pandas(
        geography.population_table(rng, params, weights, [year - 1, year, year + 1]),
        schema=SCHEMAS["population"],
        preserve_index=False,
    )
    geo = pa.Table.from_pandas(geography.geography_table(), schema=SCHEMAS["geography"], preserve_index=False)

    # Coercion measures beyond the cohort (synth/coercion.py), on their own random stream so that
    # nothing above changes: top-up persons to the national level, and confirming decisions.
    say(t("synth.step", lang, step=t("synth.part.coercion", lang)), progress)
    crng = np.random.default_rng([seed, COERCION_STREAM])
    all_episodes = pa.concat_tables(episodes)
    existing = coercion.admissions_by_year(all_episodes, pa.concat_tables(persons))
    extra = coercion.top_up_persons(
        crng, int(ids.max()) + 1, existing, coercion.adults_by_year(population), year, params
    )
    episodes.append(extra.episodes)
    persons.append(batch("persons", person_id=extra.person_id, birth_year=extra.birth_year, sex=extra.sex))
    residence = pa.concat_tables([residence, _residence(crng, extra.person_id, extra.health_community, weights, year)])
    protected = np.concatenate([cohort_ids[~cohort["coercion"].to_numpy()], death_ids[~deaths["coercion"].to_numpy()]])
    decisions.append(
        coercion.confirming_decisions(crng, pa.concat_tables([all_episodes, extra.episodes]), protected, year, params)
    )

    tables = {
        "persons": pa.concat_tables(persons),
        "residence": residence,
        "specialist_episodes": _with_ids(pa.concat_tables(episodes), "episode_id"),
        "coercion_decisions": pa.concat_tables(decisions),
        "primary_care_claims": _with_ids(pa.concat_tables(claims), "claim_id"),
        "municipal_services": pa.concat_tables(municipal_rows),
        "population": population,
        "geography": geo,
    }
    return tables


def _with_ids(table: pa.Table, column: str) -> pa.Table:
    """Return the table with its id column filled 1..n in the order of the person id and time."""
    ids = pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64))
    return table.set_column(table.schema.get_field_index(column), column, ids)


def _residence(
    rng: np.random.Generator, ids: np.ndarray, place: np.ndarray, weights: pd.DataFrame, year: int
) -> pa.Table:
    """Return residence rows for the year before, the year and the year after (001 §3: last in the year).

    Persons without a place have no row for the year; half of them have one for the year before.
    Three per cent lived in another municipality the year before.
    """
    municipality = geography.assign_municipalities(rng, place, weights)
    has = municipality != ""
    all_municipalities = weights["municipality"].to_numpy()
    moved = np.where(rng.random(len(ids)) < 0.03, pick(rng, list(all_municipalities), len(ids)), municipality)
    before = has | (rng.random(len(ids)) < 0.5)
    before_place = np.where(has, moved, pick(rng, list(all_municipalities), len(ids)))
    parts = [
        batch(
            "residence", person_id=ids[before], year=np.full(before.sum(), year - 1), municipality=before_place[before]
        ),
        batch("residence", person_id=ids[has], year=np.full(has.sum(), year), municipality=municipality[has]),
        batch("residence", person_id=ids[has], year=np.full(has.sum(), year + 1), municipality=municipality[has]),
    ]
    return pa.concat_tables(parts)


def _as_lists(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """Return the table with ';'-joined text columns turned into list<string> columns."""
    for name in columns:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pc.split_pattern(table.column(name), ";"))
    return table


def _as_csv_text(table: pa.Table) -> pa.Table:
    """Return the table with timestamps as ISO text (YYYY-MM-DDTHH:MM:SS), as the contract wants in CSV."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(index, field.name, pc.strftime(table.column(index), format="%Y-%m-%dT%H:%M:%S"))
    return table


def write_tables(tables: dict[str, pa.Table], out: Path, fmt: str = "parquet") -> dict[str, int]:
    """Write each table as ``<out>/<table>.parquet`` (or ``.csv``) and return rows per table."""
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, table in tables.items():
        for stale in (out / f"{name}.parquet", out / f"{name}.csv"):
            stale.unlink(missing_ok=True)
        if fmt == "parquet":
            pq.write_table(_as_lists(table, LIST_COLUMNS.get(name, ())), out / f"{name}.parquet")
        else:
            pacsv.write_csv(_as_csv_text(table), out / f"{name}.csv")
        rows[name] = table.num_rows
    return rows


def write_synthetic_extract(
    out: Path,
    scale: str | int = "demo",
    seed: int = 2020,
    fmt: str = "parquet",
    lang: str | None = None,
    progress: bool = False,
) -> SynthSummary:
    """Build and write a synthetic extract; return what was written."""
    started = time.perf_counter()
    tables = build_tables(scale, seed, progress=progress, lang=lang)
    say(t("synth.step", lang, step=t("synth.files", lang, path=out)), progress)
    rows = write_tables(tables, Path(out), fmt)
    events = sum(
        rows[k] for k in ("specialist_episodes", "primary_care_claims", "municipal_services", "coercion_decisions")
    )
    summary = SynthSummary(Path(out), rows, rows["persons"], events, time.perf_counter() - started)
    if progress:
        say(t("synth.done", lang, path=out, persons=summary.persons, events=events, seconds=summary.seconds))
    return summary
