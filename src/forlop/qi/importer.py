"""Read filled team templates into one collaborative dataset.

Rules (the template layout is in ``template.py``):
- A file that is not a readable template (not an .xlsx, no instructions sheet, no team name)
  stops the run with one line (``InputError``).
- Every other problem is a rejected row with its reason, written to
  ``<out>/rejected/qi_import.csv``; every good row is kept:
  wrong month, a count that is not a whole number, a negative count, a numerator above the
  denominator, a missing denominator on a share, the same month twice for a team and
  indicator (every copy is rejected: we cannot tell which one is right), an indicator of the
  team's track with no sheet, a sheet that is not an indicator, a bad start month.
- Rows where nothing was filled in (month only) are months not reported yet: not rows.
- ``row`` (in the output and in ``rejected/``) is the data row's number in its sheet, the
  header not counted (row 1 = the first month, Excel row ``FIRST_DATA_ROW``), the convention of
  ``forlop validate`` (docs/definitions.md); a bad start month has no row (the reason names
  its cell), nor has a missing or unknown sheet.
Output: ``<out>/qi_data.parquet`` (team, track, indicator, month, numerator, denominator,
note, file, row) and ``<out>/teams.parquet`` (team, track, start_month, file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from forlop.errors import InputError
from forlop.i18n import t
from forlop.progress import say
from forlop.qi.catalogue import TRACKS, Indicator, for_track, load_catalogue
from forlop.qi.template import FIRST_DATA_ROW, INSTRUCTIONS_SHEET, KEYWORDS_PREFIX, START_CELL, TEAM_CELL, TRACK_CELL

DATA_FILE = "qi_data.parquet"
TEAMS_FILE = "teams.parquet"
REJECTED_FILE = "qi_import.csv"
REJECTED_COLUMNS = ["file", "team", "sheet", "row", "month", "numerator", "denominator", "reason"]


@dataclass
class ImportResult:
    """Rows kept, rows rejected (with reason) and per-file counts."""

    data: pd.DataFrame
    teams: pd.DataFrame
    rejected: pd.DataFrame
    counts: list[dict] = field(default_factory=list)


def parse_month(value: object) -> pd.Timestamp | None:
    """First day of the month in ``value`` ('YYYY-MM' text or an Excel date), else None."""
    if isinstance(value, (dt.datetime, dt.date)):
        return pd.Timestamp(value.year, value.month, 1)
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            if 1 <= month <= 12 and 1900 <= year <= 2100:
                return pd.Timestamp(year, month, 1)
    return None


def _whole(value: object) -> int | None:
    """The whole number in ``value`` (number or numeric text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    return None


def _count(value: object, column: str, lang: str | None) -> int | str:
    """The count for a whole number >= 0 in ``value``, else the reason to reject the row."""
    number = _whole(value)
    if number is None:
        return t("qi.reject.not_number", lang, column=column, value=value)
    if number < 0:
        return t("qi.reject.negative", lang, column=column, value=number)
    return number


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _workbook(path: Path, lang: str | None = None):
    try:
        return load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise InputError(str(path), t("input.not_found", lang)) from None
    except Exception as error:  # openpyxl raises several types for a file that is not .xlsx
        raise InputError(str(path), t("qi.import.not_xlsx", lang, kind=type(error).__name__)) from None


@dataclass(frozen=True)
class Entry:
    """One month of one indicator that passed the checks of ``check_entry``."""

    month: pd.Timestamp
    numerator: int
    denominator: int | None


@dataclass(frozen=True)
class Rejection:
    """Why a month of one indicator was refused: the field at fault (month, numerator, denominator) and the reason."""

    field: str
    reason: str


def check_entry(
    item: Indicator, month_value: object, numerator_value: object, denominator_value: object, lang: str | None = None
) -> Entry | Rejection:
    """Check one month of ``item`` as a template row is checked (module docstring): a month (YYYY-MM or a date),
    a whole numerator >= 0, and for a share a whole denominator >= 0 not below the numerator.
    The one check of a value, shared by ``read_template`` and the web application's form."""
    month = parse_month(month_value)
    if month is None:
        return Rejection("month", t("qi.reject.month", lang, value=month_value))
    numerator = _count(numerator_value, "numerator", lang)
    if isinstance(numerator, str):
        return Rejection("numerator", numerator)
    if not item.is_proportion:
        return Entry(month, numerator, None)
    if _empty(denominator_value):
        return Rejection("denominator", t("qi.reject.denominator_missing", lang))
    denominator = _count(denominator_value, "denominator", lang)
    if isinstance(denominator, str):
        return Rejection("denominator", denominator)
    if numerator > denominator:
        return Rejection(
            "numerator", t("qi.reject.numerator_above", lang, numerator=numerator, denominator=denominator)
        )
    return Entry(month, numerator, denominator)


def _team_and_track(path: Path, workbook, lang: str | None = None) -> tuple[str, str]:
    if INSTRUCTIONS_SHEET not in workbook.sheetnames:
        raise InputError(str(path), t("qi.import.no_sheet", lang, sheet=INSTRUCTIONS_SHEET))
    info = workbook[INSTRUCTIONS_SHEET]
    team = workbook.properties.subject or info[TEAM_CELL].value
    track = info[TRACK_CELL].value
    keywords = workbook.properties.keywords or ""
    if keywords.startswith(KEYWORDS_PREFIX) and "track=" in keywords:
        track = keywords.split("track=")[1].split(";")[0]
    if _empty(team):
        raise InputError(str(path), t("qi.import.no_team", lang, sheet=INSTRUCTIONS_SHEET, cell=TEAM_CELL))
    if track not in TRACKS:
        raise InputError(
            str(path), t("qi.import.bad_track", lang, track=track, cell=TRACK_CELL, tracks=", ".join(TRACKS))
        )
    return str(team).strip(), track


def read_template(path: Path, lang: str | None = None) -> ImportResult:
    """Read one filled template (see module docstring for the rules)."""
    path = Path(path)
    workbook = _workbook(path, lang)
    team, track = _team_and_track(path, workbook, lang)
    rows, rejected = [], []

    def reject(sheet: str, row: int | None, month: object, numerator: object, denominator: object, reason: str) -> None:
        rejected.append(
            {
                "file": path.name,
                "team": team,
                "sheet": sheet,
                "row": row,
                "month": month,
                "numerator": numerator,
                "denominator": denominator,
                "reason": reason,
            }
        )

    start_value = workbook[INSTRUCTIONS_SHEET][START_CELL].value
    start_month = parse_month(start_value)
    if start_month is None and not _empty(start_value):
        reject(
            INSTRUCTIONS_SHEET,
            None,
            start_value,
            None,
            None,
            t("qi.reject.start_month", lang, value=start_value, cell=START_CELL),
        )
    known = {item.id for item in load_catalogue()}
    for sheet_name in workbook.sheetnames:
        if sheet_name != INSTRUCTIONS_SHEET and sheet_name not in known:
            reject(sheet_name, None, None, None, None, t("qi.reject.unknown_indicator", lang, indicator=sheet_name))
    for item in for_track(track):
        if item.id not in workbook.sheetnames:
            reject(item.id, None, None, None, None, t("qi.reject.missing_indicator", lang, indicator=item.id))
            continue
        sheet = workbook[item.id]
        for number, cells in enumerate(sheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=4, values_only=True), start=1):
            month_value, numerator_value, denominator_value, note = (list(cells) + [None] * 4)[:4]
            if _empty(numerator_value) and _empty(denominator_value):
                continue  # month not reported (yet)
            args = (item.id, number, month_value, numerator_value, denominator_value)
            checked = check_entry(item, month_value, numerator_value, denominator_value, lang)
            if isinstance(checked, Rejection):
                reject(*args, checked.reason)
                continue
            month, numerator, denominator = checked.month, checked.numerator, checked.denominator
            rows.append(
                {
                    "team": team,
                    "track": track,
                    "indicator": item.id,
                    "month": month,
                    "numerator": numerator,
                    "denominator": denominator,
                    "note": None if _empty(note) else str(note),
                    "file": path.name,
                    "row": number,
                    "month_text": month_value,
                }
            )
    data = pd.DataFrame(
        rows,
        columns=[
            "team",
            "track",
            "indicator",
            "month",
            "numerator",
            "denominator",
            "note",
            "file",
            "row",
            "month_text",
        ],
    )
    teams = pd.DataFrame([{"team": team, "track": track, "start_month": start_month, "file": path.name}])
    return ImportResult(data, teams, pd.DataFrame(rejected, columns=REJECTED_COLUMNS))


def reject_duplicates(data: pd.DataFrame, lang: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reject every copy of a (team, indicator, month) that occurs more than once."""
    duplicated = data.duplicated(["team", "indicator", "month"], keep=False)
    bad = data[duplicated]
    rejected = pd.DataFrame(
        {
            "file": bad["file"],
            "team": bad["team"],
            "sheet": bad["indicator"],
            "row": bad["row"],
            "month": bad["month_text"],
            "numerator": bad["numerator"],
            "denominator": bad["denominator"],
            "reason": [
                t("qi.reject.duplicate", lang, month=m.strftime("%Y-%m"), indicator=i)
                for m, i in zip(bad["month"], bad["indicator"])
            ],
        },
        columns=REJECTED_COLUMNS,
    )
    return data[~duplicated], rejected


def import_templates(paths: Sequence[Path], out: Path, lang: str | None = None, progress: bool = False) -> ImportResult:
    """Read ``paths`` into ``out`` (see module docstring); returns what was written."""
    results = [read_template(Path(p), lang) for p in paths]
    frames = [r.data for r in results if len(r.data)]
    data = pd.concat(frames, ignore_index=True) if frames else results[0].data
    data, duplicates = reject_duplicates(data, lang)
    rejected_frames = [r.rejected for r in results if len(r.rejected)] + ([duplicates] if len(duplicates) else [])
    rejected = (
        pd.concat(rejected_frames, ignore_index=True) if rejected_frames else pd.DataFrame(columns=REJECTED_COLUMNS)
    )
    rejected["row"] = pd.to_numeric(rejected["row"]).astype("Int64")
    teams = pd.concat([r.teams for r in results], ignore_index=True).drop_duplicates("team", keep="last")
    data = data.drop(columns=["month_text"]).sort_values(["team", "indicator", "month"]).reset_index(drop=True)
    data["numerator"] = data["numerator"].astype("int64")
    data["denominator"] = pd.to_numeric(data["denominator"]).astype("Int64")
    out = Path(out)
    (out / "rejected").mkdir(parents=True, exist_ok=True)
    data.to_parquet(out / DATA_FILE, index=False)
    teams.to_parquet(out / TEAMS_FILE, index=False)
    rejected.to_csv(out / "rejected" / REJECTED_FILE, index=False)
    counts = []
    for path in paths:
        name = Path(path).name
        used = int((data["file"] == name).sum())
        dropped = int((rejected["file"] == name).sum())
        counts.append({"file": name, "read": used + dropped, "used": used, "rejected": dropped})
        if progress:
            say(t("qi.import.file", lang, file=name, read=used + dropped, used=used, rejected=dropped))
    return ImportResult(data, teams, rejected, counts)
