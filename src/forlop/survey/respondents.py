"""The respondents frame: one row per usable response, with register data, scores and model covariates.

Built from the clean tables of ``forlop survey validate`` (``clean/survey_frame.parquet`` and
``clean/survey_responses.parquet``). Columns (SURVEY_SHARED interface, DESIGN.md "Survey module"):

- register data of the frame: person_id, sector (the register sector: 002 §3.2 keeps it even when
  the respondent answered for the other sector), unit (None for AS), region, sex (F/M), birth_year,
  main_diagnosis, age (= survey year - birth year, ``definitions.yaml`` ``survey_year``), age_group
  (002 Tab 5-1 bands), model_age_group (002 §3.5 bands);
- index scores and scored index items (:mod:`forlop.survey.scores`: STAR, CONTINUITY9, R1..R12,
  C1..C12) and the 1-5 items averaged in 002 (H11, U1, U2, U3; special codes missing);
- the binary outcomes of ``models.yaml`` (needs_more_follow_up, video, tailored, treatment_plan);
- the covariates of the fixed model of 002 §3.5, coded as ``definitions.yaml`` ``covariates`` says
  (docs/definitions.md, "Covariates of the fixed model"): 0/1 (or counts), NaN = missing.

The frame for raking margins (:func:`frame_margins`) has person_id, sector, unit, region, sex,
age_group for every frame row, whatever its status.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from forlop.datafile import package_yaml
from forlop.survey.questionnaire import Questionnaire
from forlop.survey.scores import index_scores

SECTORS = ("PHV", "TSB", "AS")
REGISTER_COLUMNS = ["person_id", "sector", "unit", "region", "sex", "birth_year", "main_diagnosis"]


@cache
def definitions() -> dict[str, Any]:
    """The settings of the analysis (``definitions.yaml`` beside this module)."""
    return package_yaml("forlop.survey", "definitions.yaml")


@cache
def models_spec() -> dict[str, Any]:
    """The eleven models of 002 as data (``models.yaml`` beside this module)."""
    return package_yaml("forlop.survey", "models.yaml")


def band(age: pd.Series, bands: list[list]) -> pd.Series:
    """The label of the band ``[label, min, max]`` with ``min <= age <= max`` (missing outside every band).

    The rule of :func:`forlop.stats.age_group`, over bands given as data (002's own bands live in
    ``definitions.yaml``, not in the 001 code list that function reads).
    """
    values = pd.to_numeric(age, errors="coerce")
    result = pd.Series(None, index=age.index, dtype="object")
    for label, low, high in bands:
        result[(values >= low) & (values <= high)] = label
    return result


def ticked_codes(series: pd.Series) -> pd.Series:
    """A multiple-choice column in long form: one row per ticked code, indexed by the row it comes from.

    Rows whose item is empty (or an empty list) have no entry. The lists go through Arrow (flatten and
    parent indices: 3 ms for 002's 33 458 rows, ``Series.explode`` 47 ms, and the analysis does this 16
    times); values Arrow cannot read as whole numbers (text codes) go through ``Series.explode``.
    """
    try:
        lists = pa.array(series.to_numpy(dtype=object), type=pa.list_(pa.int64()), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        long = series.explode()
        return long[long.notna()].astype("int64")
    parents = pc.list_parent_indices(lists).to_numpy()
    return pd.Series(lists.flatten().to_numpy(), index=series.index[parents], name=series.name, dtype="int64")


def answers(responses: pd.DataFrame, questionnaire: Questionnaire, item_id: str) -> pd.Series:
    """The data column of item ``item_id``; all empty when the questionnaire has no such item.

    The settings name 002's items (L6, K4, ...); with another questionnaire (``--questionnaire``) a
    covariate, outcome or breakdown whose item is absent is missing for everyone, and the models or
    breakdowns that need it are left out, instead of stopping the analysis.
    """
    column = next((i.column for i in questionnaire.items if i.id == item_id), None)
    if column is None or column not in responses:
        return pd.Series(None, index=responses.index, dtype="object")
    return responses[column]


def _answered(series: pd.Series) -> pd.Series:
    """True where a multiple-choice item has a list (even an empty one); False where it is empty."""
    return series.notna()


def _ticked(series: pd.Series, codes: list[int]) -> pd.Series:
    """1.0 when the row ticked one of ``codes``, 0.0 when not, NaN when the item is empty."""
    long = ticked_codes(series)
    hit = long.isin(codes).groupby(level=0).any().reindex(series.index, fill_value=False)
    return hit.astype(float).where(_answered(series))


def _count(series: pd.Series, codes: list[int]) -> pd.Series:
    """How many of ``codes`` the row ticked; NaN when the item is empty."""
    long = ticked_codes(series)
    count = long.isin(codes).groupby(level=0).sum().reindex(series.index, fill_value=0)
    return count.astype(float).where(_answered(series))


def binary(values: pd.Series, one: list[int], zero: list[int]) -> pd.Series:
    """1.0 for a code in ``one``, 0.0 for a code in ``zero``, NaN otherwise (empty or another code)."""
    codes = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    out = np.select([np.isin(codes, one), np.isin(codes, zero)], [1.0, 0.0], np.nan)
    return pd.Series(out, index=values.index)


def harmonised(values: pd.Series, questionnaire: Questionnaire, item_id: str) -> pd.Series:
    """The item's codes with form-only options mapped to their common code (``harmonised``)."""
    item = next((i for i in questionnaire.items if i.id == item_id), None)
    mapping = {o.code: o.harmonised for o in (item.options if item else ()) if o.harmonised is not None}
    codes = pd.to_numeric(values, errors="coerce")
    return codes.replace(mapping) if mapping else codes


def covariates(
    responses: pd.DataFrame, people: pd.DataFrame, questionnaire: Questionnaire, scores: pd.DataFrame
) -> pd.DataFrame:
    """The covariates of 002 §3.5 per respondent (``definitions.yaml`` ``covariates``; module docstring).

    ``responses`` and ``people`` (register columns with ``model_age_group``) share one row per respondent.
    """
    spec = definitions()["covariates"]
    out = pd.DataFrame(index=responses.index)
    out["female"] = (people["sex"] == "F").astype(float).where(people["sex"].isin(["F", "M"]))
    model_age = people["model_age_group"]
    for label, _, _ in spec["model_age_groups"][1:]:
        name = "age_" + label.replace("–", "_").replace("+", "")
        out[name] = (model_age == label).astype(float).where(model_age.notna())
    for name in ("higher_education", "own_income", "lives_alone"):
        item = spec[name]["item"]
        codes = pd.to_numeric(answers(responses, questionnaire, item), errors="coerce")
        out[name] = codes.isin(spec[name]["one"]).astype(float).where(codes.notna())
    five = spec["over_five_years"]
    codes = pd.to_numeric(answers(responses, questionnaire, five["item"]), errors="coerce")
    value = codes.isin(five["one"]).astype(float).where(codes.notna())
    gate = pd.to_numeric(answers(responses, questionnaire, five["zero_when"]["item"]), errors="coerce")
    out["over_five_years"] = value.mask(gate.isin(five["zero_when"]["in"]), 0.0)
    severe = spec["severe"]
    out["severe"] = binary(answers(responses, questionnaire, severe["item"]), severe["one"], severe["zero"])
    diag = spec["diagnoses"]
    l6 = answers(responses, questionnaire, diag["item"])
    merged = {code: group[0] for group in diag["merge"] for code in group}
    long = ticked_codes(l6).replace(merged)
    long = long[~long.isin(diag["ignore"])]
    count = long.groupby(level=0).nunique().reindex(l6.index, fill_value=0).astype(float).where(_answered(l6))
    out["diagnoses_2"] = (count == 2).astype(float).where(count.notna())
    out["diagnoses_3"] = (count == 3).astype(float).where(count.notna())
    out["diagnoses_4"] = (count > 3).astype(float).where(count.notna())
    k4 = answers(responses, questionnaire, spec["municipal_services"]["item"])
    out["municipal_services"] = _count(k4, spec["municipal_services"]["codes"])
    for name in ("outreach_team", "day_centre", "work_scheme", "admission"):
        out[name] = _ticked(k4, spec[name]["codes"])
    coord = spec["coordination"]
    items = pd.DataFrame(
        {i: pd.to_numeric(answers(responses, questionnaire, i), errors="coerce") for i in coord["items"]}
    )
    out["coordination"] = items.isin(coord["one"]).any(axis=1).astype(float).where(items.notna().any(axis=1))
    fin = spec["finished"]
    finished = pd.Series(np.nan, index=responses.index)
    for sector, rows in fin["rows"].items():
        mine = people["sector"] == sector
        for item in reversed(rows):  # the first row wins: it is written last
            value = binary(answers(responses, questionnaire, item), fin["one"], fin["zero"])
            finished = finished.mask(mine & value.notna(), value)
    out["finished"] = finished
    dur = spec["duration"]
    duration = pd.Series(np.nan, index=responses.index)
    for item in reversed(dur["items"]):
        value = harmonised(answers(responses, questionnaire, item), questionnaire, item)
        duration = duration.mask(value.notna(), value)
    known = duration.isin(dur["under_2"] + dur["three_to_six"] + dur["over_6"])
    out["duration_under_2"] = duration.isin(dur["under_2"]).astype(float).where(known)
    out["duration_3_6"] = duration.isin(dur["three_to_six"]).astype(float).where(known)
    out["star"] = scores.get("STAR", np.nan)
    region = people["region"].map(spec["regions"])
    for key in dict.fromkeys(k for k in spec["regions"].values() if k != spec["region_reference"]):
        out[f"region_{key}"] = (region == key).astype(float).where(region.notna())
    return out


def outcomes(responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """The binary model outcomes of ``models.yaml`` ``outcomes`` (1 / 0 / NaN)."""
    out = pd.DataFrame(index=responses.index)
    for name, spec in models_spec()["outcomes"].items():
        out[name] = binary(answers(responses, questionnaire, spec["item"]), spec["one"], spec["zero"])
    return out


def mean_items(responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """The items averaged in 002 (``definitions.yaml`` ``mean_items``): the code, special options missing."""
    out = pd.DataFrame(index=responses.index)
    for item_id in definitions()["mean_items"]:
        item = next((i for i in questionnaire.items if i.id == item_id), None)
        if item is None:
            continue
        valid = [o.code for o in item.options if o.special is None]
        codes = pd.to_numeric(responses[item.column], errors="coerce")
        out[item_id] = codes.where(codes.isin(valid)).astype(float)
    return out


def add_ages(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with age (survey year - birth_year), age_group and model_age_group."""
    spec = definitions()
    frame = frame.copy()
    frame["age"] = spec["survey_year"] - pd.to_numeric(frame["birth_year"], errors="coerce")
    frame["age_group"] = band(frame["age"], spec["age_groups"])
    frame["model_age_group"] = band(frame["age"], spec["covariates"]["model_age_groups"])
    return frame


def min_items_setting(questionnaire: Questionnaire) -> dict[str, int]:
    """``definitions.yaml`` ``min_items`` (index -> answered items needed), checked against the questionnaire.

    Empty by default: the rule is each index's ``min_items`` in the questionnaire. An override names an
    index of the questionnaire and a whole number from 1 to its number of items; otherwise one
    ``InputError`` line.
    """
    from forlop.errors import InputError
    from forlop.i18n import t

    overrides = definitions().get("min_items") or {}
    for key, value in overrides.items():
        index = questionnaire.indices.get(key)
        if index is None or isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= len(index.items):
            raise InputError("survey/definitions.yaml", t("survey.analyse.min_items", index=key, value=value))
    return dict(overrides)


def frame_margins(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame for raking: person_id, sector, unit, region, sex, age_group of every frame row."""
    return add_ages(frame)[["person_id", "sector", "unit", "region", "sex", "age_group"]]


def build_respondents(frame: pd.DataFrame, responses: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """One row per usable response (module docstring), in the order of ``responses``.

    ``frame`` and ``responses`` are the clean tables of ``validate_survey``; every response person
    is in the frame (validation rejects the others).
    """
    people = add_ages(frame[REGISTER_COLUMNS])
    responses = responses.reset_index(drop=True)
    people = responses[["person_id"]].merge(people, on="person_id", how="left", validate="one_to_one")
    people["unit"] = people["unit"].where(people["sector"] != "AS")
    scores = index_scores(responses, questionnaire, min_items_setting(questionnaire))
    parts = [
        people,
        scores,
        mean_items(responses, questionnaire),
        outcomes(responses, questionnaire),
        covariates(responses, people, questionnaire, scores),
    ]
    return pd.concat(parts, axis=1)


__all__ = [
    "REGISTER_COLUMNS",
    "SECTORS",
    "add_ages",
    "answers",
    "band",
    "binary",
    "build_respondents",
    "covariates",
    "definitions",
    "frame_margins",
    "models_spec",
    "outcomes",
    "ticked_codes",
]
