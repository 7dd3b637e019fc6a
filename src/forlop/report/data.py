"""Read what the report is built from: the pathway engine's aggregate outputs (DESIGN.md output contract).

- ``OUT/indicators.csv``: indicator, breakdown, group, numerator, denominator, value, unit, ci_low, ci_high;
- ``OUT/cohort_flow.csv``: step, persons;
- ``OUT/pathways_run.json``: the cohort year Y (``{"year": Y, ...}``), for the captions ("… i Y")
  and the default population year; outputs written before it existed give Y as the year in which
  the index stays of ``patients.parquet`` end (001 §4.1: the index stay ends in Y);
- ``OUT/patients.parquet``: read only to count patients per health community x age group x sex
  (with the coercion and substance-use flags) for standardisation; ``person_id`` is never read;
- the extract's ``population`` (and ``geography``) table from ``--data DIR``, for the standard
  population; without it the standardised rates are left out (and the report says so). The
  population year is ``--year`` or else the cohort year, so table S1 and figure 2 (whose
  denominator ``forlop pathways`` takes from the cohort year) divide by the same adults; a year
  the extract has no population for is an error naming the years it has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forlop.codes import load
from forlop.errors import InputError, read_user_csv
from forlop.i18n import t, years_text
from forlop.stats import age_group

INDICATOR_COLUMNS = ["indicator", "breakdown", "group", "numerator", "denominator", "value", "unit"]
STRATUM_COLUMNS = ["health_community", "region", "age_group", "sex", "coercion", "substance_use"]


@dataclass
class Results:
    """The engine's aggregates, indexed for look-up by (indicator, breakdown, group)."""

    indicators: pd.DataFrame
    flow: pd.DataFrame
    strata: pd.DataFrame | None = None  # patients per area x age group x sex (+ flags), no ids
    population: pd.DataFrame | None = None  # adults per health community x region x age group x sex
    index: dict = field(default_factory=dict)
    cohort_year: int | None = None  # discharge year Y of the cohort (pathways_run.json)
    population_year: int | None = None  # year of the population table used for the rates

    def __post_init__(self) -> None:
        self.index = {
            (r.indicator, r.breakdown, r.group): r for r in self.indicators.itertuples(index=False)
        }

    def get(self, indicator: str, breakdown: str, group: str):  # noqa: ANN201 - a namedtuple row
        """The row for one number, or None if the engine did not compute it."""
        return self.index.get((indicator, breakdown, str(group)))

    def groups(self, indicator: str, breakdown: str) -> list[str]:
        """Groups present for an indicator and breakdown, in file order."""
        return [g for (i, b, g) in self.index if i == indicator and b == breakdown]


def _read_table(path: Path, lang: str | None = None, encoding: str = "utf-8") -> pd.DataFrame:
    """A table of the extract (population, geography) as given: Parquet, or CSV read by ``read_user_csv``."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return read_user_csv(path, encoding=encoding, lang=lang, dtype={"municipality": str}, keep_default_na=False,
                         na_values=[""])


def _find(directory: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        if (directory / f"{name}{suffix}").exists():
            return directory / f"{name}{suffix}"
    return None


def read_results(results: Path, data: Path | None = None, year: int | None = None,
                 lang: str | None = None, encoding: str = "utf-8") -> Results:
    """Read the engine's outputs in ``results`` (and the population of ``year`` in the extract ``data``).

    ``year`` is the population year; by default the cohort year (see the module docstring);
    ``encoding``: of the extract's CSV files.
    """
    results = Path(results)
    path = results / "indicators.csv"
    if not path.exists():
        raise InputError(str(path), t("report.no_results", lang))
    indicators = read_user_csv(path, lang=lang, dtype={"group": str, "breakdown": str, "indicator": str},
                               keep_default_na=False, na_values=[""])
    for column in INDICATOR_COLUMNS:
        if column not in indicators.columns:
            raise InputError(str(path), t("input.missing_column", lang), column=column,
                             example=",".join(indicators.columns[:5]))
    for column in ["numerator", "denominator", "value"]:
        converted = pd.to_numeric(indicators[column], errors="coerce")
        bad = converted.isna() & indicators[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(str(path), t("report.not_number", lang, row=row + 2), column=column,
                             example=str(indicators[column].iloc[row]))
        indicators[column] = converted
    flow_path = results / "cohort_flow.csv"
    flow = pd.read_csv(flow_path) if flow_path.exists() else pd.DataFrame(columns=["step", "persons"])
    strata = _patient_strata(results / "patients.parquet")
    cohort_year = read_cohort_year(results, lang)
    population_year = year if year is not None else cohort_year
    population = None
    if data is not None:
        population, population_year = _population(Path(data), population_year, lang, encoding)
    return Results(indicators=indicators, flow=flow, strata=strata, population=population,
                   cohort_year=cohort_year, population_year=population_year)


def read_cohort_year(results: Path, lang: str | None = None) -> int:
    """The cohort year Y: ``pathways_run.json``, else the year the index stays of ``patients.parquet`` end.

    Every index stay ends in Y (001 §4.1 step 2), so the second is exact for outputs written before
    ``pathways_run.json`` existed. Neither present is an :class:`InputError`: a report must not
    print a year it does not know.
    """
    path = Path(results) / "pathways_run.json"
    if path.exists():
        try:
            return int(json.loads(path.read_text(encoding="utf-8"))["year"])
        except (ValueError, KeyError, TypeError):
            raise InputError(str(path), t("report.bad_run_file", lang), column="year") from None
    patients = Path(results) / "patients.parquet"
    if patients.exists():
        import pyarrow.parquet as pq

        if "index_end" in pq.read_schema(patients).names:
            ends = pd.read_parquet(patients, columns=["index_end"])["index_end"].dropna()
            if not ends.empty:
                return int(pd.to_datetime(ends).dt.year.mode().iloc[0])
    raise InputError(str(path), t("report.no_cohort_year", lang))


def _patient_strata(path: Path) -> pd.DataFrame | None:
    """Patients per health community x region x age group x sex x flags: aggregates only, no ids."""
    if not path.exists():
        return None
    import pyarrow.parquet as pq

    available = set(pq.read_schema(path).names)
    columns = [c for c in STRATUM_COLUMNS if c in available]
    if not {"health_community", "age_group", "sex"} <= set(columns):
        return None
    patients = pd.read_parquet(path, columns=columns)  # person_id is deliberately not read
    for flag in ("coercion", "substance_use"):
        if flag not in patients:
            patients[flag] = False
    keys = [c for c in ("health_community", "region", "age_group", "sex") if c in patients]
    grouped = patients.groupby(keys, dropna=False).agg(
        patients=("sex", "size"), coercion=("coercion", "sum"), substance_use=("substance_use", "sum"))
    return grouped.reset_index()


def _population(data: Path, year: int | None, lang: str | None = None, encoding: str = "utf-8"
                ) -> tuple[pd.DataFrame, int]:
    """Adults (18+) per health community, region, age group of 001 figure 1 and sex in ``year``, and the year.

    ``year`` None (no cohort year known) takes the latest year of the table; a year the table does
    not have is an :class:`InputError` naming the years it has.
    """
    path = _find(data, "population")
    if path is None:
        raise InputError(str(data / "population.parquet"), t("report.no_extract", lang))
    pop = _read_table(path, lang, encoding)
    for column in ["year", "municipality", "sex", "age", "count"]:
        if column not in pop.columns:
            raise InputError(str(path), t("input.missing_column", lang), column=column)
    geo_path = _find(data, "geography")
    geo = _read_table(geo_path, lang, encoding) if geo_path is not None else load("geography_2020")
    geo = geo[["municipality", "health_community", "region"]].astype(str)
    pop["municipality"] = pop["municipality"].astype(str).str.zfill(4)
    geo["municipality"] = geo["municipality"].str.zfill(4)
    years = sorted({int(y) for y in pd.to_numeric(pop["year"], errors="coerce").dropna()})
    if year is None and years:
        year = years[-1]
    if year not in years:
        raise InputError(str(path), t("report.no_population_year", lang, year=year, years=years_text(years) or "–"),
                         column="year")
    pop = pop[(pd.to_numeric(pop["year"], errors="coerce") == year) & (pop["age"] >= 18)]
    pop = pop.assign(age_group=age_group(pop["age"]))
    pop = pop.merge(geo, on="municipality", how="left")
    pop[["health_community", "region"]] = pop[["health_community", "region"]].fillna("missing")
    return (pop.groupby(["health_community", "region", "age_group", "sex"], as_index=False)["count"].sum()
            .rename(columns={"count": "population"})), int(year)
