"""The Excel data template of one team: one sheet of monthly rows per indicator.

004 §2 reports that teams struggled to build comparable monthly series from 2018 on; the
template fixes the layout so that ``forlop qi import`` can read it back:

- sheet ``INSTRUCTIONS_SHEET``: what to fill in, the team, its track and its start month
  (the first month of the project period; cell ``START_CELL``, filled in by the team);
- one sheet per indicator of the track (sheet name = indicator id): title and definitions in
  rows 1-3, column headers in row ``HEADER_ROW``, one row per month below it with the month
  pre-filled (``YYYY-MM``), then numerator, denominator (shares only) and a note.

Input checks are Excel data validations: whole numbers >= 0, numerator not above the
denominator, month as ``YYYY-MM``. The team and track are also stored in the workbook's
document properties (subject and keywords) so the import does not depend on cell layout.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from forlop.i18n import t
from forlop.qi.catalogue import Indicator, for_track

INSTRUCTIONS_SHEET = "Instruks"
TEAM_CELL = "B3"
TRACK_CELL = "B4"
START_CELL = "B5"
HEADER_ROW = 5
FIRST_DATA_ROW = HEADER_ROW + 1
COLUMNS = ("month", "numerator", "denominator", "note")
KEYWORDS_PREFIX = "forlop-qi-template"
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")

# Texts of the template (messages.yaml, keys qi.template.<label> and qi.template.instruction_<n>).
LABEL_KEYS = ('title', 'team', 'track', 'start', 'month', 'numerator', 'denominator', 'note', 'count', 'def_num', 'def_den', 'indicators', 'share', 'direction_down', 'direction_up')
N_INSTRUCTIONS = 6


def months(start: str, end: str) -> list[str]:
    """Months from ``start`` to ``end`` inclusive as ``YYYY-MM`` strings."""
    return [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]


def _validations(sheet, first: int, last: int, proportion: bool) -> None:
    """Excel data validation on the input cells of one indicator sheet."""
    month = DataValidation(
        type="custom", formula1=f'AND(LEN(A{first})=7,MID(A{first},5,1)="-",ISNUMBER(--LEFT(A{first},4)),'
                                f'ISNUMBER(--RIGHT(A{first},2)),--RIGHT(A{first},2)>=1,--RIGHT(A{first},2)<=12)',
        showErrorMessage=True, errorTitle="Måned / month", error="ÅÅÅÅ-MM / YYYY-MM",
    )
    month.add(f"A{first}:A{last}")
    if proportion:
        numerator = DataValidation(
            type="custom", formula1=f'AND(ISNUMBER(B{first}),B{first}>=0,B{first}=INT(B{first}),OR(C{first}="",B{first}<=C{first}))',
            showErrorMessage=True, errorTitle="Teller / numerator",
            error="Helt tall >= 0, ikke større enn nevneren / whole number >= 0, not above the denominator",
        )
        denominator = DataValidation(
            type="custom", formula1=f'AND(ISNUMBER(C{first}),C{first}>=0,C{first}=INT(C{first}),OR(B{first}="",C{first}>=B{first}))',
            showErrorMessage=True, errorTitle="Nevner / denominator",
            error="Helt tall >= 0, ikke mindre enn telleren / whole number >= 0, not below the numerator",
        )
        denominator.add(f"C{first}:C{last}")
        sheet.add_data_validation(denominator)
    else:
        numerator = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True,
            errorTitle="Antall / count", error="Helt tall >= 0 / whole number >= 0",
        )
    numerator.add(f"B{first}:B{last}")
    sheet.add_data_validation(month)
    sheet.add_data_validation(numerator)


def _indicator_sheet(workbook: Workbook, item: Indicator, month_list: list[str], labels: dict[str, str]) -> None:
    sheet = workbook.create_sheet(item.id)
    sheet["A1"] = f"{item.id} – {item.name_da} ({item.name_en})"
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = f"{labels['def_num']}: {item.numerator}"
    if item.is_proportion:
        sheet["A3"] = f"{labels['def_den']}: {item.denominator}"
    headers = [labels["month"], labels["numerator"] if item.is_proportion else labels["count"],
               labels["denominator"] if item.is_proportion else "", labels["note"]]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header or None)
        cell.font = Font(bold=True)
    for offset, month in enumerate(month_list):
        row = FIRST_DATA_ROW + offset
        sheet.cell(row=row, column=1, value=month)
        sheet.cell(row=row, column=2).fill = INPUT_FILL
        if item.is_proportion:
            sheet.cell(row=row, column=3).fill = INPUT_FILL
    last = FIRST_DATA_ROW + len(month_list) - 1
    _validations(sheet, FIRST_DATA_ROW, last, item.is_proportion)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    for letter, width in zip("ABCD", (12, 14, 14, 40)):
        sheet.column_dimensions[letter].width = width


def write_template(path: Path, team: str, track: str = "adult", start: str = "2018-01", end: str = "2023-12",
                   start_month: str | None = None, lang: str | None = None) -> Path:
    """Write the template of ``team`` for ``track`` with months ``start``..``end`` to ``path``.

    ``start_month`` pre-fills the team's start in the project (normally the team writes it).
    """
    language = "en" if lang == "en" else "nb"
    labels = {key: t(f"qi.template.{key}", language) for key in LABEL_KEYS}
    instructions = [t(f"qi.template.instruction_{i}", language) for i in range(1, N_INSTRUCTIONS + 1)]
    indicators = for_track(track)
    month_list = months(start, end)
    workbook = Workbook()
    info = workbook.active
    info.title = INSTRUCTIONS_SHEET
    info["A1"] = labels["title"]
    info["A1"].font = Font(bold=True, size=14)
    for cell, label, value in ((TEAM_CELL, labels["team"], team), (TRACK_CELL, labels["track"], track),
                               (START_CELL, labels["start"], start_month)):
        info[f"A{cell[1:]}"] = label
        info[cell] = value
    info[START_CELL].fill = INPUT_FILL
    start_check = DataValidation(type="custom", formula1=f'AND(LEN({START_CELL})=7,MID({START_CELL},5,1)="-")',
                                 showErrorMessage=True, error="ÅÅÅÅ-MM / YYYY-MM")
    start_check.add(START_CELL)
    info.add_data_validation(start_check)
    for offset, line in enumerate(instructions):
        info.cell(row=7 + offset, column=1, value=f"{offset + 1}. {line}")
    row = 8 + len(instructions)
    info.cell(row=row, column=1, value=labels["indicators"]).font = Font(bold=True)
    for offset, item in enumerate(indicators, start=1):
        kind = labels["share"] if item.is_proportion else labels["count"].lower()
        direction = labels[f"direction_{item.direction}"]
        info.cell(row=row + offset, column=1, value=item.id)
        info.cell(row=row + offset, column=2, value=f"{item.name_da} ({kind}; {direction})")
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 90
    for row_cells in info.iter_rows(min_row=7, max_row=7 + len(instructions)):
        row_cells[0].alignment = Alignment(wrap_text=False)
    for item in indicators:
        _indicator_sheet(workbook, item, month_list, labels)
    workbook.properties.subject = team
    workbook.properties.keywords = f"{KEYWORDS_PREFIX};track={track}"
    workbook.properties.title = labels["title"]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
