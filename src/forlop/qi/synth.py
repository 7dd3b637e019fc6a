"""A synthetic LKT Tvang collaborative: 10 teams, monthly 2018-01..2023-12, filled templates.

Shape taken from 004: five regions with an adult and a youth track each (10 teams); the
baseline runs from 2018, teams start between late 2021 and autumn 2022 (004 §1, §2.1); the
mandatory indicators are reported, the voluntary ones (V3, V4, BU2-BU4) by few teams (004 §2:
none had delivered them), F3/F4 by some (004 §2: "Få teams"). Levels follow the medians 004
reports (R1/R2 about 2 a month, F1 about 4.5-9, F2 about 11-17, F3/F4 0-3).

Real improvement: half of the teams (chosen by the seed) lower their coercion rates
(R1, R2, F1, F2) by ``EFFECT_COUNTS`` and raise their plan shares (V1, BU1) from
``SHARE_BEFORE`` to ``SHARE_AFTER``, starting ``RAMP_MONTHS`` after their start month.
The truth is written to ``truth.csv``. Counts are Poisson, shares binomial (numpy's
generator, deterministic for a seed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from forlop.i18n import t
from forlop.progress import say
from forlop.qi.catalogue import for_track
from forlop.qi.importer import import_templates
from forlop.qi.template import FIRST_DATA_ROW, months, write_template

FIRST_MONTH, LAST_MONTH = "2018-01", "2023-12"
REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
TRACK_NAMES = {"adult": "voksen", "youth": "børn og unge"}
BASE_RATE = {"R1": 2.0, "R2": 2.5, "F1": 6.0, "F2": 14.0, "F3": 1.0, "F4": 2.0}
EFFECT_COUNTS = 0.55
SHARE_BEFORE, SHARE_AFTER = 0.15, 0.45
SHARE_BASE = {"V2": 0.6, "V3": 0.3, "V4": 0.3, "BU2": 0.3, "BU3": 0.3, "BU4": 0.2}
RAMP_MONTHS = 3
IMPROVED = {"R1", "R2", "F1", "F2", "V1", "BU1"}


def _teams(rng: np.random.Generator) -> pd.DataFrame:
    starts = pd.period_range("2021-10", "2022-08", freq="M")
    rows = []
    improving = set(rng.choice(10, size=5, replace=False).tolist())
    for number in range(10):
        region, track = REGIONS[number // 2], ("adult", "youth")[number % 2]
        rows.append(
            {
                "team": f"{region} – {TRACK_NAMES[track]}",
                "track": track,
                "start_month": starts[int(rng.integers(len(starts)))].strftime("%Y-%m"),
                "improves": number in improving,
                "size": float(rng.uniform(0.6, 1.6)),
                "reports_f34": bool(rng.random() < 0.4),
                "reports_voluntary": bool(rng.random() < 0.2),
            }
        )
    return pd.DataFrame(rows)


def _series(
    rng: np.random.Generator, team: pd.Series, indicator_id: str, proportion: bool, month_list: list[str]
) -> list[tuple]:
    """(month, numerator, denominator) for one team and indicator."""
    position = np.arange(len(month_list))
    start = month_list.index(team["start_month"])
    effect = team["improves"] and indicator_id in IMPROVED
    after = position >= start + RAMP_MONTHS
    if proportion:
        denominator = rng.poisson(18 * team["size"], len(position)) + 2
        base = SHARE_BASE.get(indicator_id, SHARE_BEFORE)
        share = np.where(after & effect, SHARE_AFTER, base)
        numerator = rng.binomial(denominator, share)
        return list(zip(month_list, numerator.tolist(), denominator.tolist()))
    rate = np.full(len(position), BASE_RATE[indicator_id] * team["size"])
    rate = np.where(after & effect, rate * EFFECT_COUNTS, rate)
    numerator = rng.poisson(rate)
    return [(m, n, None) for m, n in zip(month_list, numerator.tolist())]


def _fill(path: Path, values: dict[str, list[tuple]]) -> None:
    workbook = load_workbook(path)
    for sheet_name, rows in values.items():
        sheet = workbook[sheet_name]
        for offset, (month, numerator, denominator) in enumerate(rows):
            row = FIRST_DATA_ROW + offset
            assert sheet.cell(row=row, column=1).value == month
            sheet.cell(row=row, column=2, value=numerator)
            if denominator is not None:
                sheet.cell(row=row, column=3, value=denominator)
    workbook.save(path)


def write_collaborative(out: Path, seed: int = 2022, lang: str | None = None, progress: bool = False) -> dict:
    """Write filled templates to ``out/templates``, import them into ``out``, write ``truth.csv``."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    (out / "templates").mkdir(parents=True, exist_ok=True)
    teams = _teams(rng)
    month_list = months(FIRST_MONTH, LAST_MONTH)
    paths, truth = [], []
    for number, team in teams.iterrows():
        path = out / "templates" / f"team_{number + 1:02d}.xlsx"
        write_template(
            path, team["team"], team["track"], FIRST_MONTH, LAST_MONTH, start_month=team["start_month"], lang=lang
        )
        values = {}
        for item in for_track(team["track"]):
            if item.id in ("F3", "F4") and not team["reports_f34"]:
                continue
            if not item.mandatory and not team["reports_voluntary"]:
                continue
            values[item.id] = _series(rng, team, item.id, item.is_proportion, month_list)
            truth.append(
                {
                    "team": team["team"],
                    "indicator": item.id,
                    "start_month": team["start_month"],
                    "real_improvement": bool(team["improves"] and item.id in IMPROVED),
                }
            )
        _fill(path, values)
        paths.append(path)
        if progress:
            say(t("qi.synth.progress", lang, file=path.name, team=team["team"]))
    result = import_templates(paths, out, lang=lang)
    pd.DataFrame(truth).to_csv(out / "truth.csv", index=False)
    summary = {"teams": len(teams), "rows": len(result.data), "files": len(paths), "rejected": len(result.rejected)}
    if progress:
        say(t("qi.synth.written", lang, path=out, teams=summary["teams"], rows=summary["rows"], files=summary["files"]))
    return summary
