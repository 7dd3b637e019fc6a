"""The fixed sets of values that command-line options take, one place for each.

The commands declare these options with the ``Literal`` types below, so Typer refuses any other value
with a usage error (one line, exit code 2, via ``forlop.cli:main``) before a file is read; the modules
import the tuples for their own use. This module imports nothing heavy, so the command line can
declare its options without loading the modules that do the work.
"""

from __future__ import annotations

from typing import Literal

LANGUAGES = ("nb", "en")  # forlop.i18n: every text has nb and en
QI_LANGUAGES = ("nb", "en", "da")  # the qi.* texts also have da (the Danish collaborative of 004)
ENGINES = ("duckdb", "pyspark")  # forlop.engine (DESIGN.md, "Engine")
FORMATS = ("parquet", "csv")  # forlop synth --format
CHART_TYPES = ("run", "i", "mr", "xbar", "s", "t", "p", "c", "u", "g")  # qicharts2's chart types
TRACKS = ("adult", "youth")  # the two tracks of the QI catalogue (004)
BY = ("municipality", "health_community", "region")  # coercion rates: area levels
PERIODS = ("month", "quarter", "year")  # coercion rates: time units
OUTCOMES = ("rate", "share")  # coercion trial: population = inhabitants or a denominator

Lang = Literal[LANGUAGES]
QiLang = Literal[QI_LANGUAGES]
Engine = Literal[ENGINES]
Format = Literal[FORMATS]
ChartType = Literal[CHART_TYPES]
Track = Literal[TRACKS]
By = Literal[BY]
Period = Literal[PERIODS]
Outcome = Literal[OUTCOMES]

# --encoding takes any encoding Python knows (not a fixed set); the two that matter for Norwegian users:
ENCODING_HELP = ("Encoding of the CSV file: utf-8 (default) or cp1252 (what Excel on a Norwegian machine saves as "
                 "plain 'CSV'). A header with ';' and no ',' is read as ';'-separated.")
EXTRACT_ENCODING_HELP = "Encoding of the extract's CSV files: utf-8 (default) or cp1252 (Excel's plain 'CSV')."
