"""``forlop survey analyse``: validate a survey directory, then write every result file of the contract.

Writes to ``out`` (DESIGN.md, "Survey module (002): input and output contract"):
``validated/`` (clean/, rejected/, validation_summary.csv of :func:`forlop.survey.validate_survey`),
``response.csv`` and ``representativeness.csv`` (response.py), ``frequencies.csv``
(frequencies.py), ``scores.csv`` (scores.py), ``alpha.csv`` (alpha.py), ``regressions.csv``
(models.py) and ``respondents.parquet`` (respondents.py; weight from
``forlop.survey.weights.rake`` when that module exists, else 1.0). ``weighted.csv`` and
``units.csv`` come from ``forlop.survey.weights`` and ``forlop.survey.units`` (another branch).
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forlop.extract.summary import ValidationSummary
from forlop.i18n import t
from forlop.progress import say
from forlop.survey.alpha import alpha_table
from forlop.survey.frequencies import breakdown_groups, diagnosis_groups, frequency_table, long_answers
from forlop.survey.models import regressions
from forlop.survey.questionnaire import Questionnaire, load
from forlop.survey.respondents import SECTORS, build_respondents, definitions, frame_margins
from forlop.survey.response import representativeness, response_table
from forlop.survey.scores import score_table
from forlop.survey.validate import FRAME, POPULATION, RESPONSES, validate_survey

VALIDATED = "validated"
RESPONSE_FILE = "response.csv"
REPRESENTATIVENESS_FILE = "representativeness.csv"
FREQUENCIES_FILE = "frequencies.csv"
SCORES_FILE = "scores.csv"
ALPHA_FILE = "alpha.csv"
REGRESSIONS_FILE = "regressions.csv"
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

    def lines(self, lang: str | None = None) -> list[str]:
        """Lines for people: rows read/used/rejected per table, respondents, files written, time."""
        lines = self.validation.lines(lang)
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


def _weights(respondents: pd.DataFrame, frame: pd.DataFrame, progress: bool, lang: str | None) -> pd.Series:
    """Raked weights from ``forlop.survey.weights.rake`` (survey-weights branch) when present, else 1.0."""
    try:
        weights = importlib.import_module("forlop.survey.weights")
    except ModuleNotFoundError as error:
        if error.name != "forlop.survey.weights":
            raise  # the module exists but something it imports is missing: say so, do not hide it
        say(t("survey.analyse.no_weights", lang), progress)
        return pd.Series(1.0, index=respondents.index)
    return weights.rake(respondents, frame_margins(frame), by_sector=True)


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
    self_groups = diagnosis_groups(respondents["person_id"], responses, questionnaire)
    write(REPRESENTATIVENESS_FILE, representativeness(respondents, population, self_groups))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.frequencies", lang)), progress)
    groups = breakdown_groups(respondents, responses, questionnaire)
    answers = long_answers(responses, questionnaire)
    write(FREQUENCIES_FILE, frequency_table(answers, respondents[["person_id", "sector"]], groups, questionnaire))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.scores", lang)), progress)
    scores = score_columns(questionnaire, respondents)
    write(SCORES_FILE, score_table(respondents, groups, scores, SECTORS))
    write(ALPHA_FILE, alpha_table(respondents, questionnaire))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.regressions", lang)), progress)
    write(REGRESSIONS_FILE, regressions(respondents, SECTORS, progress=progress, lang=lang))

    say(t("survey.analyse.step", lang, step=t("survey.analyse.steps.weights", lang)), progress)
    respondents["weight"] = np.asarray(_weights(respondents, frame, progress, lang), dtype=float)
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
    )


__all__ = ["AnalysisResult", "run_analysis", "score_columns"]
