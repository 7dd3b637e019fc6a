"""The fixed sets of values that command-line options take, one place for each.

The commands declare these options with the ``Literal`` types below (each tuple is read off its
type), so Typer refuses any other value with a usage error (one line, exit code 2, via
``forlop.cli:main``) before a file is read; the modules import the tuples for their own use. This
module imports nothing heavy, so the command line can declare its options without loading the
modules that do the work.
"""

from __future__ import annotations

from typing import Literal, get_args

Lang = Literal["nb", "en"]  # forlop.i18n: every text has nb and en
LANGUAGES: tuple[str, ...] = get_args(Lang)
QiLang = Literal["nb", "en", "da"]  # the qi.* texts also have da (the Danish collaborative of 004)
QI_LANGUAGES: tuple[str, ...] = get_args(QiLang)
Engine = Literal["duckdb", "pyspark"]  # forlop.engine (DESIGN.md, "Engine")
ENGINES: tuple[str, ...] = get_args(Engine)
Format = Literal["parquet", "csv"]  # forlop synth --format
FORMATS: tuple[str, ...] = get_args(Format)
ChartType = Literal["run", "i", "mr", "xbar", "s", "t", "p", "c", "u", "g"]  # qicharts2's chart types
CHART_TYPES: tuple[str, ...] = get_args(ChartType)
Track = Literal["adult", "youth"]  # the two tracks of the QI catalogue (004)
TRACKS: tuple[str, ...] = get_args(Track)
By = Literal["municipality", "health_community", "region"]  # coercion rates: area levels
BY: tuple[str, ...] = get_args(By)
Period = Literal["month", "quarter", "year"]  # coercion rates: time units
PERIODS: tuple[str, ...] = get_args(Period)
Outcome = Literal["rate", "share"]  # coercion trial: population = inhabitants or a denominator
OUTCOMES: tuple[str, ...] = get_args(Outcome)
SurveyScale = Literal["national", "small"]  # forlop survey synth --scale
SURVEY_SCALES: tuple[str, ...] = get_args(SurveyScale)


# --encoding takes any encoding Python knows (not a fixed set); the two that matter for Norwegian users:
ENCODING_HELP = (
    "Encoding of the CSV file: utf-8 (default) or cp1252 (what Excel on a Norwegian machine saves as "
    "plain 'CSV'). A header with ';' and no ',' is read as ';'-separated."
)
EXTRACT_ENCODING_HELP = "Encoding of the extract's CSV files: utf-8 (default) or cp1252 (Excel's plain 'CSV')."
