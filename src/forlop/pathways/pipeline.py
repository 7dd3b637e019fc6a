"""``build_pathways``: from a validated extract (canonical Parquet) to the pathway table and indicators."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forlop.engine import connect, read_tables
from forlop.engine.backend import materialize
from forlop.errors import InputError
from forlop.i18n import t, years_text
from forlop.pathways.cohort import build_cohort
from forlop.pathways.events import municipal_periods, point_events, readmissions, service_summary
from forlop.pathways.patients import assemble
from forlop.pathways.stays import merge_stays
from forlop.progress import say

TABLES = [
    "persons",
    "residence",
    "specialist_episodes",
    "coercion_decisions",
    "primary_care_claims",
    "municipal_services",
    "population",
    "geography",
]


@dataclass
class PathwayResult:
    """Everything ``forlop pathways`` writes: the pathway table, the cohort flow and the indicators."""

    patients: pd.DataFrame
    flow: pd.DataFrame
    indicators: pd.DataFrame
    population: pd.DataFrame
    events: int
    seconds: float
    year: int | None = None  # the discharge year Y of the cohort (written to pathways_run.json)
    keep_deaths: bool = False


def adult_population(tables: dict, year: int) -> pd.DataFrame:
    """Inhabitants aged 18+ in ``year`` per health community and region (denominator of 001 figure 2)."""
    pop = tables["population"]
    pop = pop.filter((pop.year == year) & (pop.age >= 18))
    geo = tables["geography"].select("municipality", "health_community", "region")
    pop = pop.join(geo, "municipality", how="left")
    return pop.group_by(["health_community", "region"]).aggregate(population=pop["count"].sum()).to_pandas()


def check_year(stays, year: int, clean_dir: Path, lang: str | None = None) -> None:  # noqa: ANN001 - Ibis table
    """Refuse a cohort year in which no inpatient stay of the extract ends (001 §4.1 step 2 would be empty).

    Without this check ``--year 2030`` wrote empty outputs and exit code 0, and the report then
    showed nothing but "not shown"; now it is one line naming the years that do have discharges.
    """
    ended = stays.filter(stays.end_date.notnull())
    years = [int(y) for y in ended.select(y=ended.end_date.year()).distinct().to_pandas()["y"]]
    if year in years:
        return
    where = str(Path(clean_dir) / "specialist_episodes.parquet")
    if not years:
        raise InputError(where, t("pathways.no_stays", lang))
    raise InputError(where, t("pathways.no_stays_in_year", lang, year=year, years=years_text(years)))


def build_pathways(
    clean_dir: Path,
    year: int = 2020,
    backend: str = "duckdb",
    keep_deaths: bool = False,
    progress: bool = False,
    lang: str | None = None,
) -> PathwayResult:
    """Build the cohort, the per-patient pathway table and every indicator of 001 chapters 4-8.

    ``clean_dir`` holds the canonical Parquet tables written by ``validate_extract``. The event
    work runs as Ibis expressions on ``backend`` (DuckDB or PySpark); quantiles, confidence
    intervals and cumulative incidence are computed once, on the per-patient table, so both
    backends give identical indicators.
    """
    from forlop.pathways.indicators import compute_indicators

    started = time.perf_counter()
    con = connect(backend)
    tables = read_tables(con, Path(clean_dir), TABLES, lang)
    say(t("pathways.step.stays", lang), progress)
    stays = materialize(merge_stays(tables["specialist_episodes"]), "forlop_stays")
    check_year(stays, year, clean_dir, lang)
    say(t("pathways.step.cohort", lang), progress)
    cohort = build_cohort(tables, stays, year, keep_deaths=keep_deaths)
    cohort_df = cohort.patients.to_pandas()
    cohort_t = cohort.patients.select("person_id", "day0_n", "index_end")
    say(t("pathways.step.events", lang), progress)
    points = point_events(tables, cohort_t)
    summary = service_summary(points, readmissions(stays, cohort_t), municipal_periods(tables, cohort_t))
    summary_df = summary.to_pandas()
    n_events = int(summary_df["n"].sum() + summary_df["n_day0"].sum())
    patients = assemble(cohort_df, summary_df)
    population = adult_population(tables, year)
    flow = pd.DataFrame(cohort.flow, columns=["step", "persons"])
    say(t("pathways.step.indicators", lang), progress)
    indicators = compute_indicators(patients, population)
    return PathwayResult(
        patients=patients,
        flow=flow,
        indicators=indicators,
        population=population,
        events=n_events,
        seconds=time.perf_counter() - started,
        year=year,
        keep_deaths=keep_deaths,
    )


#: Internal columns of the cohort table that are not part of patients.parquet.
_INTERNAL = ["day0", "day0_n"]


def write_outputs(result: PathwayResult, out_dir: Path) -> dict[str, Path]:
    """Write ``patients.parquet``, ``cohort_flow.csv`` and ``indicators.csv`` (DESIGN.md output contract),
    and ``pathways_run.json`` ({"year": Y, "keep_deaths": ...}): the report reads the cohort year there
    for its captions and the default population year."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "patients": out_dir / "patients.parquet",
        "cohort_flow": out_dir / "cohort_flow.csv",
        "indicators": out_dir / "indicators.csv",
        "run": out_dir / "pathways_run.json",
    }
    result.patients.drop(columns=[c for c in _INTERNAL if c in result.patients.columns]).to_parquet(
        paths["patients"], index=False
    )
    result.flow.to_csv(paths["cohort_flow"], index=False)
    result.indicators.to_csv(paths["indicators"], index=False, float_format="%.10g")
    run = {"year": result.year, "keep_deaths": result.keep_deaths}
    paths["run"].write_text(json.dumps(run) + "\n", encoding="utf-8")
    return paths


def run_pathways(
    data_dir: Path,
    out_dir: Path,
    year: int = 2020,
    backend: str = "duckdb",
    keep_deaths: bool = False,
    lang: str | None = None,
    progress: bool = True,
    encoding: str = "utf-8",
) -> PathwayResult:
    """``forlop pathways``: validate the extract into ``out_dir/validated``, then build and write the pathways.

    The validation of an earlier run is used again when the extract, the options and Forløp are
    unchanged (``forlop.extract.reuse``); its summary is printed as it was, after one line saying so.
    """
    from forlop.extract import reuse
    from forlop.extract.validate import validate_extract

    out_dir = Path(out_dir)
    validated = out_dir / "validated"
    with reuse.taking_turns(validated):
        fingerprint = reuse.fingerprint(Path(data_dir), encoding, lang)
        summary = reuse.reusable(validated, fingerprint)
        if summary is None:
            (validated / reuse.RECORD).unlink(missing_ok=True)
            summary = validate_extract(Path(data_dir), validated, lang=lang, progress=progress, encoding=encoding)
            reuse.remember(summary, fingerprint)
        else:
            say(t("pathways.validation_reused", lang, path=validated / reuse.RECORD))
    for line in summary.lines(lang):
        say(line)
    result = build_pathways(
        out_dir / "validated" / "clean", year, backend=backend, keep_deaths=keep_deaths, progress=progress, lang=lang
    )
    write_outputs(result, out_dir)
    cohort = int(result.flow.loc[result.flow.step == "cohort", "persons"].iloc[0])
    say(
        t(
            "pathways.done",
            lang,
            path=out_dir,
            patients=cohort,
            indicators=len(result.indicators),
            seconds=result.seconds,
        )
    )
    return result
