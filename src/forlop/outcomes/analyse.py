"""``forlop outcomes analyse``: validate, then write the per-referral table and the indicators.

Writes to ``out``: ``validated/`` (clean, rejected, validation_summary.csv: reading.py),
``referrals.parquet`` (one row per usable referral, referrals.py), ``outcomes.csv`` (indicators with
breakdowns and 95% CIs, indicators.py), ``work_transitions.csv``, ``casemix.csv`` (observed vs
expected recovery per service), ``monthly.csv`` (numerators and denominators per service and month
for the P charts) and ``expected_course.csv`` (percentiles of the scores by start band and session
number, for the client chart).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forlop.i18n import t
from forlop.outcomes.casemix import casemix
from forlop.outcomes.charts import monthly
from forlop.outcomes.client import expected_course, off_track, scored_sessions
from forlop.outcomes.indicators import compute_indicators, work_transitions
from forlop.outcomes.reading import Validated, read_tables
from forlop.outcomes.referrals import build_referrals, session_totals

REFERRALS_FILE = "referrals.parquet"
OUTCOMES_FILE = "outcomes.csv"
WORK_FILE = "work_transitions.csv"
CASEMIX_FILE = "casemix.csv"
MONTHLY_FILE = "monthly.csv"
COURSE_FILE = "expected_course.csv"


@dataclass
class AnalysisResult:
    """What ``run_analysis`` read and wrote."""

    out_dir: Path
    validated: Validated
    referrals: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self, lang: str | None = None) -> list[str]:
        """Lines for people: rows read/used/rejected per table, files written, time."""
        lines = self.validated.lines(lang)
        lines.append(
            t("outcomes.analyse.done", lang, referrals=len(self.referrals), path=self.out_dir, seconds=self.seconds)
        )
        return lines


def run_analysis(data_dir: Path, out_dir: Path, lang: str | None = None) -> AnalysisResult:
    """Validate ``data_dir`` into ``out_dir/validated`` and write every result file (module docstring)."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    validated = read_tables(data_dir, out_dir / "validated", lang=lang)
    totals = session_totals(validated.sessions)
    referrals = build_referrals(validated.referrals, validated.sessions, totals=totals)
    scored = scored_sessions(totals)
    course = expected_course(scored)
    flags = off_track(scored, course)
    referrals["off_track"] = referrals["referral_id"].map(flags).astype("boolean").fillna(False).astype(bool)
    files = [out_dir / REFERRALS_FILE, out_dir / OUTCOMES_FILE, out_dir / WORK_FILE]
    referrals.to_parquet(files[0], index=False)
    compute_indicators(referrals).to_csv(files[1], index=False)
    work_transitions(referrals).to_csv(files[2], index=False)
    table, p0 = casemix(referrals)
    files.append(out_dir / CASEMIX_FILE)
    table.assign(overall_rate=p0).to_csv(files[-1], index=False)
    files.append(out_dir / MONTHLY_FILE)
    monthly(referrals).to_csv(files[-1], index=False)
    files.append(out_dir / COURSE_FILE)
    course.to_csv(files[-1], index=False)
    return AnalysisResult(
        out_dir=out_dir, validated=validated, referrals=referrals, files=files, seconds=time.perf_counter() - started
    )
