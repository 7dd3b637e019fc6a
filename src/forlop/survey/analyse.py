"""``forlop survey analyse``: validate a survey directory, then write every result file of the contract.

Writes to ``out`` (DESIGN.md, "Survey module (002): input and output contract"):
``validated/`` (clean/, rejected/, validation_summary.csv of :func:`forlop.survey.validate_survey`),
``response.csv``, ``frame_profile.csv`` and ``representativeness.csv`` (response.py), ``frequencies.csv``
(frequencies.py), ``scores.csv`` (scores.py), ``alpha.csv`` (alpha.py), ``regressions.csv``
(models.py), ``weighted.csv`` (weights.py: raked to the frame's margins per sector, unweighted and
raked means with R survey's standard errors), ``units.csv`` and ``units_funnel.csv`` (units.py:
case-mix adjusted unit comparison and its funnel limits) and ``respondents.parquet``
(respondents.py, with the raked weight). Which scores and case-mix covariates: ``weights.yaml``
``scores``, ``units.yaml`` ``scores`` and ``casemix``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forlop.errors import DataError
from forlop.extract.summary import ValidationSummary
from forlop.i18n import t
from forlop.progress import say
from forlop.survey.alpha import alpha_table
from forlop.survey.frequencies import (
    breakdown_groups,
    diagnosis_groups,
    frequency_table,
    long_answers,
    scored_breakdowns,
    with_derived_items,
)
from forlop.survey.models import regressions
from forlop.survey.questionnaire import Questionnaire, load
from forlop.survey.respondents import SECTORS, build_respondents, definitions, frame_margins
from forlop.survey.response import frame_profile, representativeness, response_table
from forlop.survey.scores import score_table
from forlop.survey.units import compare_units, fit_sectors, unit_funnel
from forlop.survey.units import settings as unit_settings
from forlop.survey.validate import FRAME, POPULATION, RESPONSES, validate_survey
from forlop.survey.weights import rake_design, weighted_estimates
from forlop.survey.weights import settings as weight_settings

VALIDATED = "validated"
RESPONSE_FILE = "response.csv"
REPRESENTATIVENESS_FILE = "representativeness.csv"
FRAME_PROFILE_FILE = "frame_profile.csv"
FREQUENCIES_FILE = "frequencies.csv"
SCORES_FILE = "scores.csv"
ALPHA_FILE = "alpha.csv"
REGRESSIONS_FILE = "regressions.csv"
WEIGHTED_FILE = "weighted.csv"
UNITS_FILE = "units.csv"
UNITS_FUNNEL_FILE = "units_funnel.csv"
RESPONDENTS_FILE = "respondents.parquet"
#: Columns of respondents.parquet before the scores (DESIGN.md contract).
RESPONDENT_COLUMNS = ["person_id", "sector", "unit", "region", "sex", "age_group", "weight"]


@dataclass
class AnalysisResult:
    """What ``run_analysis`` read and wrote."""

    out_dir: Path
    validation: ValidationSummary
    respondents: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    #: Results that could not be computed, each as one line for people (e.g. the raking).
    warnings: list[str] = field(default_factory=list)

    def lines(self, lang: str | None = None) -> list[str]:
        """Lines for people: rows read/used/rejected per table, respondents, files written, time."""
        lines = self.validation.lines(lang)
        lines.extend(self.warnings)
        lines.append(
            t(
                "survey.analyse.done",
                lang,
                respondents=len(self.respondents),
                files=len(self.files),
                path=self.out_dir,
                seconds=self.seconds,
            )
        )
        return lines


def score_columns(questionnaire: Questionnaire, respondents: pd.DataFrame) -> list[str]:
    """The scores of scores.csv: every scored index, then the mean items, then every scored index item."""
    indices = [k for k, i in questionnaire.indices.items() if i.score != "items"]
    items = list(dict.fromkeys(item for i in questionnaire.indices.values() for item in i.items))
    wanted = [*indices, *definitions()["mean_items"], *items]
    return [c for c in dict.fromkeys(wanted) if c in respondents.columns]


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The tables one under the other (their shared columns when there is none)."""
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def run_analysis(
    data_dir: Path,
    out_dir: Path,
    questionnaire: Questionnaire | None = None,
    lang: str | None = None,
    progress: bool = True,
) -> AnalysisResult:
    """Validate ``data_dir`` into ``out_dir/validated`` and write every result file (module docstring)."""
    started = time.perf_counter()
    questionnaire = questionnaire or load(lang=lang)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.validate", lang)), progress)
    validation = validate_survey(data_dir, out_dir / VALIDATED, questionnaire=questionnaire, lang=lang)
    clean = validation.clean_dir
    frame = pd.read_parquet(clean / f"{FRAME}.parquet")
    responses = pd.read_parquet(clean / f"{RESPONSES}.parquet")
    population_file = clean / f"{POPULATION}.parquet"
    population = pd.read_parquet(population_file) if population_file.is_file() else None

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.respondents", lang)), progress)
    respondents = build_respondents(frame, responses, questionnaire)
    responses = responses.reset_index(drop=True)
    files: list[Path] = []

    def write(name: str, table: pd.DataFrame) -> None:
        files.append(out_dir / name)
        table.to_csv(files[-1], index=False)

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.response", lang)), progress)
    write(RESPONSE_FILE, response_table(frame))
    write(FRAME_PROFILE_FILE, frame_profile(frame))
    self_groups = diagnosis_groups(respondents["person_id"], responses, questionnaire)
    write(REPRESENTATIVENESS_FILE, representativeness(respondents, population, self_groups))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.frequencies", lang)), progress)
    derived, extended = with_derived_items(responses, questionnaire)  # L7a_L8a (definitions.yaml derived_items)
    groups = breakdown_groups(respondents, derived, extended)
    answers = long_answers(derived, extended)
    write(FREQUENCIES_FILE, frequency_table(answers, respondents[["person_id", "sector"]], groups, extended))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.scores", lang)), progress)
    scores = score_columns(questionnaire, respondents)
    write(SCORES_FILE, score_table(respondents, scored_breakdowns(groups), scores, SECTORS))
    write(ALPHA_FILE, alpha_table(respondents, questionnaire))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.regressions", lang)), progress)
    write(REGRESSIONS_FILE, regressions(respondents, SECTORS, progress=progress, lang=lang))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.weights", lang)), progress)
    warnings: list[str] = []
    try:
        raking = rake_design(respondents, frame_margins(frame), by_sector=True)
    except DataError as error:  # the other results stand; no weights and no weighted.csv, said in one line
        warnings.append(t("survey.analyse.no_weights", lang, reason=error.text(lang)))
        respondents["weight"] = np.nan
    else:
        respondents["weight"] = raking.weights.to_numpy(dtype=float)
        weighted = [c for c in weight_settings()["scores"] if c in respondents]
        write(WEIGHTED_FILE, weighted_estimates(respondents, raking.weights, weighted, raking=raking))
    unit_spec = unit_settings()
    casemix = [c for c in unit_spec["casemix"] if c in respondents]
    compared = [c for c in unit_spec["scores"] if c in respondents]
    fits = {c: fit_sectors(respondents, c, casemix) for c in compared}  # one case-mix model for both files
    write(UNITS_FILE, _concat([compare_units(respondents, c, casemix, fits=fits[c]) for c in compared]))
    write(UNITS_FUNNEL_FILE, _concat([unit_funnel(respondents, c, casemix, fits=fits[c]) for c in compared]))
    index_scores = [k for k, i in questionnaire.indices.items() if i.score != "items"]
    extra = [c for c in dict.fromkeys([*index_scores, *definitions()["mean_items"]]) if c in respondents]
    files.append(out_dir / RESPONDENTS_FILE)
    respondents[[*RESPONDENT_COLUMNS, *extra]].to_parquet(files[-1], index=False)
    return AnalysisResult(
        out_dir=out_dir,
        validation=validation,
        respondents=respondents,
        files=files,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )


__all__ = ["AnalysisResult", "run_analysis", "score_columns"]
