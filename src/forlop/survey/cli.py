"""`forlop survey ...`: patient-experience surveys (002, the national outpatient survey).

``validate``: read and validate a survey directory (frame, responses, optional population) against
the questionnaire (002's, or ``--questionnaire FILE``): usable rows to clean/, bad rows with their
reason to rejected/, validation_summary.csv.
``analyse``: validate, then the result files of DESIGN.md's survey contract (forlop.survey.analyse).
``report``: the report of 002's chapters from the results of ``forlop survey analyse`` (offline HTML,
optionally Excel).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forlop.choices import SurveyScale
from forlop.cli_options import (
    LangOption,
    MessagesLangOption,
    ReportHtmlOption,
    ReportXlsxOption,
    SeedOption,
    echo_report,
)
from forlop.i18n import default_language, t

SurveyDataOption = Annotated[
    Path,
    typer.Option(
        "--data",
        help="Folder with survey_frame, survey_responses and optionally survey_population (.parquet or .csv).",
    ),
]
QuestionnaireOption = Annotated[
    Path | None,
    typer.Option(
        "--questionnaire",
        help="Questionnaire YAML shaped as forlop/survey/questionnaire.yaml (default: SINTEF's national survey 2024).",
    ),
]

survey_app = typer.Typer(
    help=(
        "Patient-experience surveys (SINTEF's national outpatient survey, 2024): synthetic survey, "
        "validation, analysis, report."
    ),
    no_args_is_help=True,
)


@survey_app.command()
def validate(
    data: SurveyDataOption,
    out: Path = typer.Option(..., "--out", help="Folder for clean/, rejected/ and validation_summary.csv."),
    questionnaire: QuestionnaireOption = None,
    lang: MessagesLangOption = None,
) -> None:
    """Read and validate a survey: usable rows to clean/, bad rows with their reason to rejected/."""
    from forlop.survey import load, validate_survey

    summary = validate_survey(data, out, questionnaire=load(questionnaire, lang=lang), lang=lang)
    for line in summary.lines(lang):
        typer.echo(line)


@survey_app.command()
def report(
    results: Annotated[Path, typer.Option("--results", help="Output folder of `forlop survey analyse`.")],
    html: ReportHtmlOption,
    xlsx: ReportXlsxOption = None,
    lang: LangOption = None,
    unit: str = typer.Option(
        None, "--unit", help="Highlight this unit (health trust) in the unit tables and funnel plots."
    ),
) -> None:
    """The survey report: SINTEF's national survey 2024 chapter by chapter, plus weights and unit comparison."""
    from forlop.survey.report import build_report

    language = lang or default_language()
    result = build_report(results, html, xlsx, lang=language, unit=unit)
    echo_report(result, "survey.report", language)


@survey_app.command()
def analyse(
    data: SurveyDataOption,
    out: Path = typer.Option(
        ..., "--out", help="Folder for validated/, response.csv, frequencies.csv, scores.csv and the rest."
    ),
    questionnaire: QuestionnaireOption = None,
    lang: MessagesLangOption = None,
) -> None:
    """Validate a survey, then write response rates, frequencies, scores, alpha, the eleven models, respondents."""
    from forlop.survey import load
    from forlop.survey.analyse import run_analysis

    result = run_analysis(data, out, questionnaire=load(questionnaire, lang=lang), lang=lang)
    for line in result.lines(lang):
        typer.echo(line)


@survey_app.command()
def synth(
    out: Path = typer.Option(
        ..., "--out", help="Folder to write survey_frame, survey_responses, survey_population to."
    ),
    seed: SeedOption = 2023,
    scale: SurveyScale = typer.Option(
        "national", "--scale", help="national (130 908 in the frame, 33 458 answers) or small (a few thousand)."
    ),
    lang: MessagesLangOption = None,
) -> None:
    """Write a synthetic survey shaped as SINTEF's national survey 2024 (deterministic for a seed)."""
    from forlop.survey.synth import write_synthetic

    folder = write_synthetic(out, seed=seed, scale=scale)
    typer.echo(t("survey.synth.done", lang, path=folder), err=True)
