"""Response rates (002 Tab 4-1), the error population (002 Fig 4-4, 4-5) and representativeness (002
ch. 4): ``OUT/response.csv``, ``OUT/frame_profile.csv``, ``OUT/representativeness.csv``.

Frame profile (002 Fig 4-2, Tab 4-4, §4.2 Fig 4-4 and 4-5: the frame and the "feilmeldingspopulasjon",
those the survey could not reach through Helsenorge, by register sex, age and region): per sector,
dimension (sex, age_group, region) and group, the number in the frame, the number unreachable and the
number who answered. Age group as everywhere (survey year - birth year, 002 Tab 5-1 bands); frame rows
without a group (no birth year or an age outside the bands, no region, no sex) are the group ``unknown``
(002 Tab 4-4's "Ukjent": 23 private specialists' patients without a region). Rows with ``by`` empty give
one dimension; a row with ``by`` (and ``by_group``) gives the cross of two (``PROFILE_CROSSES``: region x
sex, 002 Tab 4-4 splits the private specialists' frame by sex within region).

Response (per sector and unit, per sector, and in total; ``unit`` = ``all`` on the sector rows and
``sector`` = ``all`` on the total row; AS has no unit, so AS has its sector row only):
frame = every frame row; reached = frame - unreachable (002's "mottakspopulasjon": no Helsenorge
match); answered = frame status ``answered``; rate_of_frame = answered / frame and rate_of_reached =
answered / reached, in percent (002 Tab 4-1 prints both: PHV 24 / 26 %).

Representativeness (002 Tab 4-2 ... 4-9, Fig 4-1 ... 4-15: population vs respondents, descriptive
only): per sector, period of the register population and dimension (sex, age_group, unit, region,
diagnosis_group), the count and share (percent of the sector's total over the dimension's groups) in
the register population (``survey_population``) beside the respondents' count and share. The
population rows of a dimension are the rows that give that dimension and leave the others empty
(margins); a population that only has cross-classified rows is summed over the others. Ages in the
population may be single years (banded with 002 Tab 5-1's bands) or band labels (``18-24`` or
``18–24``). The respondents' diagnosis group is the register main diagnosis by 002 Tab 4-7's
crosswalk (``definitions.yaml`` ``diagnosis_groups`` ``icd10``), like for like with the register's
first main condition; ``diagnosis_group_self`` is 002's own comparison, the self-reported groups
(multi-response, so shares add up to more than 100).

Crosses (``REPRESENTATIVENESS_CROSSES``: diagnosis group x sex, 002 Tab 4-8 and 4-9): rows with ``by``
(sex) and ``by_group`` (F/M) give the population and the respondents of a dimension's group within each
``by`` group, from the population rows that give both and leave the others empty (else every row that
gives both, summed); shares are of the sector's total over the cross. One-dimension rows have ``by`` empty.

Periods: the population may give several periods (002 §4.3: Feb-Apr 2023, the survey's; Feb-Apr 2022;
the whole of 2022). The respondents are set beside every period whose population gives the dimension (or
cross); a dimension no period gives (region; the self-reported groups) is set beside the sector's last
period in sorted order (the survey's own period, ``2023-02/2023-04`` after ``2022``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop.codes import normalize_icd10
from forlop.survey.respondents import SECTORS, add_ages, band, definitions

RESPONSE_COLUMNS = [
    *("sector", "unit", "frame", "unreachable", "reached", "declined", "no_answer", "answered"),
    *("rate_of_frame", "rate_of_reached"),
]
REPRESENTATIVENESS_COLUMNS = [
    *("sector", "period", "dimension", "group", "by", "by_group", "population", "population_share"),
    *("respondents", "respondent_share"),
]
FRAME_PROFILE_COLUMNS = ["sector", "dimension", "group", "by", "by_group", "frame", "unreachable", "answered"]
PROFILE_DIMENSIONS = ("sex", "age_group", "region")
#: Two-way frame profiles (dimension, by): 002 Tab 4-4, the private specialists' frame by region and sex.
PROFILE_CROSSES = (("region", "sex"),)
#: Two-way representativeness (dimension, by): 002 Tab 4-8, 4-9, the register population by diagnosis and sex.
REPRESENTATIVENESS_CROSSES = (("diagnosis_group", "sex"),)
STATUSES = ("unreachable", "declined", "no_answer", "answered")
#: The frame profile's group of frame rows without a value (002 Tab 4-4 "Ukjent").
UNKNOWN = "unknown"
ALL = "all"
DIMENSIONS = ("sex", "age_group", "unit", "region", "diagnosis_group")
_POPULATION_DIMENSION = {"sex": "sex", "age_group": "age", "unit": "unit", "diagnosis_group": "diagnosis_group"}


def _rates(counts: pd.DataFrame) -> pd.DataFrame:
    counts = counts.copy()
    counts["frame"] = counts[list(STATUSES)].sum(axis=1)
    counts["reached"] = counts["frame"] - counts["unreachable"]
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["rate_of_frame"] = np.where(counts["frame"] > 0, counts["answered"] / counts["frame"] * 100, np.nan)
        counts["rate_of_reached"] = np.where(
            counts["reached"] > 0, counts["answered"] / counts["reached"] * 100, np.nan
        )
    return counts


def response_table(frame: pd.DataFrame, sectors: tuple[str, ...] = SECTORS) -> pd.DataFrame:
    """``OUT/response.csv`` from the clean frame (person_id, sector, unit, status): 002 Tab 4-1."""
    frame = frame.assign(unit=frame["unit"].where(frame["sector"] != "AS"))
    status = pd.Categorical(frame["status"], categories=list(STATUSES))
    sector = pd.Categorical(frame["sector"], categories=list(sectors))
    units = (
        pd.crosstab([sector, frame["unit"]], status, dropna=False).reset_index()
        if frame["unit"].notna().any()
        else pd.DataFrame()
    )
    if not units.empty:
        units.columns = ["sector", "unit", *units.columns[2:]]
        units = units[units[list(STATUSES)].sum(axis=1) > 0]
    by_sector = pd.crosstab(sector, status, dropna=False).reset_index()
    by_sector.columns = ["sector", *by_sector.columns[1:]]
    by_sector["unit"] = ALL
    total = pd.DataFrame([{**{s: int((frame["status"] == s).sum()) for s in STATUSES}, "sector": ALL, "unit": ALL}])
    parts = []
    for name in sectors:
        if not units.empty:
            parts.append(units[units["sector"] == name].sort_values("unit"))
        parts.append(by_sector[by_sector["sector"] == name])
    parts.append(total)
    table = _rates(pd.concat(parts, ignore_index=True))
    for column in ("frame", "reached", *STATUSES):
        table[column] = table[column].astype("int64")
    table["sector"] = table["sector"].astype(str)
    return table[RESPONSE_COLUMNS]


def frame_profile(frame: pd.DataFrame, sectors: tuple[str, ...] = SECTORS) -> pd.DataFrame:
    """``OUT/frame_profile.csv`` from the clean frame (sector, sex, birth_year, region, status): module docstring."""
    aged = add_ages(frame[["sector", "sex", "birth_year", "region", "status"]])
    aged = aged.assign(
        unreachable=(aged["status"] == "unreachable").astype("int64"),
        answered=(aged["status"] == "answered").astype("int64"),
    )
    for column in PROFILE_DIMENSIONS:
        known = aged[column].notna() & (aged[column].astype(str).str.strip() != "")
        aged[column] = aged[column].astype(object).where(known, UNKNOWN)
    parts = []
    for dimension, by in [*((d, None) for d in PROFILE_DIMENSIONS), *PROFILE_CROSSES]:
        keys = ["sector", dimension] if by is None else ["sector", dimension, by]
        counts = aged.groupby(keys).agg(
            frame=("status", "size"), unreachable=("unreachable", "sum"), answered=("answered", "sum")
        )
        counts = counts.reset_index().rename(columns={dimension: "group"})
        if by is None:
            counts = counts.assign(by="", by_group="")
        else:
            counts = counts.rename(columns={by: "by_group"}).assign(by=by)
        parts.append(counts.assign(dimension=dimension))
    table = pd.concat(parts, ignore_index=True)
    table = table[table["sector"].isin(sectors)]
    table["_s"] = table["sector"].map({s: i for i, s in enumerate(sectors)})
    table["_d"] = table["dimension"].map({d: i for i, d in enumerate(PROFILE_DIMENSIONS)})
    table = table.sort_values(["_s", "by", "_d", "group", "by_group"], kind="stable")
    return table[FRAME_PROFILE_COLUMNS].reset_index(drop=True)


def register_diagnosis_group(main_diagnosis: pd.Series) -> pd.Series:
    """The 002 Tab 4-7 group of each register main diagnosis (longest matching ICD-10 prefix; None if none)."""
    prefixes = sorted(
        ((p, key) for key, spec in definitions()["diagnosis_groups"].items() for p in spec["icd10"]),
        key=lambda pair: -len(pair[0]),
    )

    def one(code: object) -> str | None:
        normal = normalize_icd10(None if code is None or (isinstance(code, float) and np.isnan(code)) else str(code))
        if normal is None:
            return None
        return next((key for prefix, key in prefixes if normal.startswith(prefix)), None)

    unique = main_diagnosis.dropna().unique()
    return main_diagnosis.map({code: one(code) for code in unique})  # each distinct code once


def _age_label(value: object) -> str | None:
    """A population age as a 002 Tab 5-1 band label: a single year is banded, a band label normalised."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return None
    text = str(value).strip().replace("-", "–")
    if text.isdigit():
        return band(pd.Series([int(text)]), definitions()["age_groups"]).iloc[0]
    return text


def _shares(counts: pd.DataFrame, value: str, share: str) -> pd.DataFrame:
    totals = counts.groupby(["sector", "period", "dimension", "by"])[value].transform("sum")
    counts[share] = np.where(totals > 0, counts[value] / totals.where(totals > 0, 1) * 100, np.nan)
    return counts


_CUTS: list[tuple[str, str]] = [
    *((d, "") for d in (*DIMENSIONS, "diagnosis_group_self")),
    *REPRESENTATIVENESS_CROSSES,
]


def _population_counts(population: pd.DataFrame) -> pd.DataFrame:
    """The population's count per sector, period and group of each dimension and cross (module docstring)."""
    pop = population.copy()
    pop["age"] = pop["age"].map(_age_label)
    present = {
        d: (pop[c].notna() & (pop[c].astype(str).str.strip() != "")).to_numpy()
        for d, c in _POPULATION_DIMENSION.items()
    }
    rows = []
    for dimension, by in _CUTS:
        wanted = [d for d in (dimension, by) if d]
        if not all(d in _POPULATION_DIMENSION for d in wanted):
            continue
        given = np.logical_and.reduce([present[d] for d in wanted])
        others = [present[d] for d in _POPULATION_DIMENSION if d not in wanted]
        margin = given & ~np.logical_or.reduce(others)
        # per sector and period: the exact margin where that period has one, else every row giving it
        has_margin = pd.Series(margin, index=pop.index).groupby([pop["sector"], pop["period"]]).transform("any")
        use = pop[np.where(has_margin.to_numpy(dtype=bool), margin, given)]
        columns = [_POPULATION_DIMENSION[d] for d in wanted]
        summed = use.groupby(["sector", "period", *columns])["count"].sum().rename("population").reset_index()
        summed = summed.rename(columns={_POPULATION_DIMENSION[dimension]: "group"})
        if by:
            summed = summed.rename(columns={_POPULATION_DIMENSION[by]: "by_group"})
        else:
            summed["by_group"] = ""
        rows.append(summed.assign(dimension=dimension, by=by))
    if not rows:
        return pd.DataFrame(columns=["sector", "period", "group", "by_group", "population", "dimension", "by"])
    return pd.concat(rows, ignore_index=True)


def representativeness(
    respondents: pd.DataFrame, population: pd.DataFrame | None, self_groups: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``OUT/representativeness.csv`` (module docstring); respondents only when there is no population.

    ``respondents``: sector, sex, age_group, unit, region, main_diagnosis (and person_id when
    ``self_groups``, person_id/group of the self-reported diagnosis groups, is given).
    """
    resp = respondents.assign(diagnosis_group=register_diagnosis_group(respondents["main_diagnosis"]))
    parts = []
    for dimension, by in _CUTS:
        if dimension == "diagnosis_group_self":
            continue
        keys = ["sector", dimension, *([by] if by else [])]
        counts = resp.groupby(keys).size().rename("respondents").reset_index()
        counts = counts.rename(columns={dimension: "group", **({by: "by_group"} if by else {})})
        parts.append(counts.assign(dimension=dimension, by=by, **({} if by else {"by_group": ""})))
    if self_groups is not None and len(self_groups):
        joined = self_groups.merge(resp[["person_id", "sector"]], on="person_id")
        counts = joined.groupby(["sector", "group"]).size().rename("respondents").reset_index()
        parts.append(counts.assign(dimension="diagnosis_group_self", by="", by_group=""))
    mine = pd.concat(parts, ignore_index=True)
    mine["group"] = mine["group"].astype(str)
    mine["by_group"] = mine["by_group"].astype(str)
    totals = resp.groupby("sector").size()
    mine["respondent_share"] = mine["respondents"] / mine["sector"].map(totals) * 100
    if population is None or population.empty:
        mine["period"] = ""
        mine["population"] = np.nan
        mine["population_share"] = np.nan
        return _order(mine)
    theirs = _population_counts(population)
    theirs["group"] = theirs["group"].astype(str)
    theirs["by_group"] = theirs["by_group"].astype(str)
    theirs = _shares(theirs, "population", "population_share")
    # the respondents beside every period giving the cut; a cut no period gives: the sector's last period
    given = theirs[["sector", "period", "dimension", "by"]].drop_duplicates()
    last = population.groupby("sector")["period"].max().rename("period").reset_index()
    placed = mine.merge(given, on=["sector", "dimension", "by"], how="left")
    alone = placed["period"].isna()
    placed = pd.concat(
        [placed[~alone], placed[alone].drop(columns="period").merge(last, on="sector", how="left")], ignore_index=True
    )
    placed["period"] = placed["period"].fillna("")
    merged = theirs.merge(placed, on=["sector", "period", "dimension", "group", "by", "by_group"], how="outer")
    merged["respondents"] = merged["respondents"].fillna(0).astype("int64")
    self_rows = merged["dimension"] == "diagnosis_group_self"
    merged.loc[~self_rows, "respondent_share"] = merged.loc[~self_rows, "respondent_share"].fillna(0.0)
    return _order(merged)


def _order(table: pd.DataFrame) -> pd.DataFrame:
    sector = {s: i for i, s in enumerate(SECTORS)}
    dimension = {d: i for i, d in enumerate((*DIMENSIONS, "diagnosis_group_self"))}
    table = table.assign(_s=table["sector"].map(sector), _d=table["dimension"].map(dimension))
    table = table.sort_values(["_s", "period", "by", "_d", "group", "by_group"], kind="stable")
    return table[REPRESENTATIVENESS_COLUMNS].reset_index(drop=True)


__all__ = [
    "FRAME_PROFILE_COLUMNS",
    "REPRESENTATIVENESS_COLUMNS",
    "RESPONSE_COLUMNS",
    "frame_profile",
    "register_diagnosis_group",
    "representativeness",
    "response_table",
]
