"""Templates round-trip through the importer; every kind of bad row is reported with its reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from forlop.errors import InputError
from forlop.qi.importer import import_templates, parse_month
from forlop.qi.template import FIRST_DATA_ROW, HEADER_ROW, INSTRUCTIONS_SHEET, START_CELL, write_template


def test_template_layout_and_validation(tmp_path: Path) -> None:
    path = write_template(tmp_path / "a.xlsx", "Team A", "adult", "2022-01", "2022-12")
    workbook = load_workbook(path)
    # Instructions + the 10 adult indicators (R1, R2, F1-F4, V1-V4).
    assert workbook.sheetnames == [INSTRUCTIONS_SHEET, "R1", "R2", "F1", "F2", "F3", "F4", "V1", "V2", "V3", "V4"]
    sheet = workbook["V1"]
    assert sheet.cell(HEADER_ROW, 1).value == "Måned"
    assert [sheet.cell(FIRST_DATA_ROW + k, 1).value for k in (0, 11)] == ["2022-01", "2022-12"]
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules[f"B{FIRST_DATA_ROW}:B{FIRST_DATA_ROW + 11}"].type == "custom"  # numerator <= denominator
    assert "B6<=C6" in rules[f"B{FIRST_DATA_ROW}:B{FIRST_DATA_ROW + 11}"].formula1
    counts = {str(v.sqref): v for v in workbook["R1"].data_validations.dataValidation}
    assert counts[f"B{FIRST_DATA_ROW}:B{FIRST_DATA_ROW + 11}"].type == "whole"
    assert workbook.properties.subject == "Team A"


def test_round_trip(tmp_path: Path) -> None:
    # Two teams, two tracks: the values written come back unchanged in one dataset.
    a = write_template(tmp_path / "a.xlsx", "Team A", "adult", "2022-01", "2022-03", start_month="2022-02")
    b = write_template(tmp_path / "b.xlsx", "Team B", "youth", "2022-01", "2022-03")
    wa, wb = load_workbook(a), load_workbook(b)
    for k, value in enumerate([3, 0, 5]):
        wa["R1"].cell(FIRST_DATA_ROW + k, 2, value)
    wa["V1"].cell(FIRST_DATA_ROW, 2, 4)
    wa["V1"].cell(FIRST_DATA_ROW, 3, 10)
    wb["BU1"].cell(FIRST_DATA_ROW + 2, 2, 1)
    wb["BU1"].cell(FIRST_DATA_ROW + 2, 3, 1)
    wb[INSTRUCTIONS_SHEET]["B5"] = "2022-03"
    wa.save(a)
    wb.save(b)
    result = import_templates([a, b], tmp_path / "out")
    data = pd.read_parquet(tmp_path / "out" / "qi_data.parquet")
    assert len(data) == 5 and result.rejected.empty
    r1 = data[(data.team == "Team A") & (data.indicator == "R1")]
    assert r1["numerator"].tolist() == [3, 0, 5]
    assert r1["month"].dt.strftime("%Y-%m").tolist() == ["2022-01", "2022-02", "2022-03"]
    v1 = data[data.indicator == "V1"].iloc[0]
    assert (v1["numerator"], v1["denominator"]) == (4, 10)
    teams = pd.read_parquet(tmp_path / "out" / "teams.parquet").set_index("team")
    assert teams.loc["Team A", "start_month"] == pd.Timestamp("2022-02-01")
    assert teams.loc["Team B", "track"] == "youth" and teams.loc["Team B", "start_month"] == pd.Timestamp("2022-03-01")
    assert result.counts == [{"file": "a.xlsx", "read": 4, "used": 4, "rejected": 0},
                             {"file": "b.xlsx", "read": 1, "used": 1, "rejected": 0}]


def test_bad_rows_are_kept_out_with_reason(tmp_path: Path) -> None:
    path = write_template(tmp_path / "a.xlsx", "Team A", "adult", "2022-01", "2022-04")
    workbook = load_workbook(path)
    r1, v1 = workbook["R1"], workbook["V1"]
    r1.cell(FIRST_DATA_ROW, 2, 2)              # good
    r1.cell(FIRST_DATA_ROW + 1, 2, -1)         # negative count
    r1.cell(FIRST_DATA_ROW + 2, 1, "2022-13")  # wrong month
    r1.cell(FIRST_DATA_ROW + 2, 2, 1)
    r1.cell(FIRST_DATA_ROW + 3, 2, 1.5)        # not a whole number
    v1.cell(FIRST_DATA_ROW, 2, 5)              # numerator above denominator
    v1.cell(FIRST_DATA_ROW, 3, 4)
    v1.cell(FIRST_DATA_ROW + 1, 2, 2)          # denominator missing
    v1.cell(FIRST_DATA_ROW + 2, 2, 1)          # duplicate month (2022-03 twice): both copies out
    v1.cell(FIRST_DATA_ROW + 2, 3, 3)
    v1.append(["2022-03", 2, 3, None])
    v1.cell(FIRST_DATA_ROW + 3, 2, 1)          # good
    v1.cell(FIRST_DATA_ROW + 3, 3, 2)
    del workbook["F4"]                         # missing indicator
    workbook.save(path)
    result = import_templates([path], tmp_path / "out", lang="en")
    assert result.data[["indicator", "numerator"]].values.tolist() == [["R1", 2], ["V1", 1]]
    rejected = pd.read_csv(tmp_path / "out" / "rejected" / "qi_import.csv")
    # row = the data row in the sheet, header not counted (as forlop validate): Excel row
    # FIRST_DATA_ROW (6) is row 1, so Excel row 7 is row 2; the appended row (Excel 10) is row 5.
    reasons = rejected.set_index(["sheet", "row"])["reason"]
    assert reasons[("R1", 2)] == "numerator is negative (-1)"
    assert reasons[("R1", 3)] == "invalid month '2022-13' (expected YYYY-MM)"
    assert reasons[("R1", 4)] == "numerator is not a whole number: '1.5'"
    assert reasons[("V1", 1)] == "numerator (5) is larger than the denominator (4)"
    assert reasons[("V1", 2)] == "denominator missing (the indicator is a proportion)"
    assert reasons[("V1", 3)] == reasons[("V1", 5)] == "month 2022-03 occurs more than once for V1"
    assert rejected[rejected.sheet == "F4"]["reason"].iloc[0] == "indicator F4 is missing from the template (no such sheet)"
    # read = used + rejected: 2 good rows + 8 rejected rows (7 rows + 1 missing sheet).
    assert result.counts[0] == {"file": "a.xlsx", "read": 10, "used": 2, "rejected": 8}
    # Kept rows carry the same numbering: R1's first month is row 1, V1's 2022-04 row 4.
    assert result.data[["indicator", "row"]].values.tolist() == [["R1", 1], ["V1", 4]]


def test_bad_start_month_names_its_cell_in_danish(tmp_path: Path) -> None:
    path = write_template(tmp_path / "a.xlsx", "Team A", "adult", "2022-01", "2022-02")
    workbook = load_workbook(path)
    workbook[INSTRUCTIONS_SHEET][START_CELL] = "jan 22"
    workbook.save(path)
    import_templates([path], tmp_path / "out", lang="da")
    rejected = pd.read_csv(tmp_path / "out" / "rejected" / "qi_import.csv")
    assert rejected[["sheet", "reason"]].values.tolist() == [
        [INSTRUCTIONS_SHEET, "ugyldig startmåned 'jan 22' i celle B5 (skal være ÅÅÅÅ-MM)"]]
    assert rejected["row"].isna().all()


def test_unusable_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_text("not excel")
    with pytest.raises(InputError, match="not an Excel template"):
        import_templates([tmp_path / "x.xlsx"], tmp_path / "out", lang="en")
    with pytest.raises(InputError, match="ikke en Excel-mal"):
        import_templates([tmp_path / "x.xlsx"], tmp_path / "out", lang="nb")
    with pytest.raises(InputError, match="file not found"):
        import_templates([tmp_path / "missing.xlsx"], tmp_path / "out", lang="en")


def test_parse_month() -> None:
    import datetime as dt

    assert parse_month("2022-04") == pd.Timestamp("2022-04-01")
    assert parse_month(dt.datetime(2022, 4, 17)) == pd.Timestamp("2022-04-01")  # Excel turned it into a date
    assert parse_month("2022-4") is None and parse_month("april") is None and parse_month("2022-00") is None
