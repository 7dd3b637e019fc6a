"""A hand-made survey directory: 17 persons in the frame, 16 response rows, each reject reason once.

Response rows (row = data row in survey_responses.csv) and what validation must do with them:

====  ======  ==================================================================  ========
row   person  content                                                             outcome
====  ======  ==================================================================  ========
1     1       PHV_TSB; H10=1, H11=4 (filter met); M1=1, M2=1; K4=14;1, K4b=1       used
2     2       H10=2, H11 empty; L7a=4, L8a empty; B2=1980                          used
3     3       F3=1, F4=2; L7a=2, L8a=4                                             used
4     4       AS form; H5=6 (AS only), H8G=2 (AS only), K4=16 (AS only)            used
5     99      not in the frame                                                     rejected
6     6       H5=9: not a code of H5                                               rejected
7     7       H10=2 but H11=3: filter violation                                    rejected
8     8       M1 empty but M2=1: filter violation                                  rejected
9     1       person 1 again: duplicate of row 1                                   rejected
10    10      frame status declined                                                rejected
11    9       L7a=4 (not relevant) but L8a=2: filter violation                     rejected
12    11      PHV_TSB form with H5=5 (an AS-only code)                             rejected
13    12      PHV_TSB form answers H8G (AS-only item)                              rejected
14    5       K4=1;17: 17 is not a code of K4                                      rejected
15    15      K4=1 (no 14) but K4b=2: filter violation on a multiple-choice item   rejected
16    17      person 17's frame row is rejected (sector XYZ)                       rejected
====  ======  ==================================================================  ========
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forlop.survey import load

FRAME = [
    # person_id, sector, unit, region, sex, birth_year, main_diagnosis, status
    (1, "PHV", "Akershus universitetssykehus HF", "Sør-Øst", "F", 1990, "F32.1", "answered"),
    (2, "PHV", "Helse Bergen HF", "Vest", "M", 1980, "", "answered"),
    (3, "TSB", "Helse Bergen HF", "Vest", "M", 1975, "F10.2", "answered"),
    (4, "AS", "", "Midt-Norge", "F", 1985, "", "answered"),
    (5, "AS", "", "Nord", "F", 1970, "", "answered"),
    (6, "PHV", "St. Olavs hospital HF", "Midt-Norge", "F", 2000, "", "answered"),
    (7, "PHV", "St. Olavs hospital HF", "Midt-Norge", "M", 1995, "", "answered"),
    (8, "TSB", "Vestre Viken HF", "Sør-Øst", "M", 1960, "", "answered"),
    (9, "PHV", "Vestre Viken HF", "Sør-Øst", "F", 1999, "", "answered"),
    (10, "PHV", "Oslo universitetssykehus HF", "Sør-Øst", "F", 2001, "", "declined"),
    (11, "PHV", "Oslo universitetssykehus HF", "Sør-Øst", "M", 1988, "", "answered"),
    (12, "AS", "", "Vest", "F", 1992, "", "answered"),
    (13, "PHV", "Sykehuset Innlandet HF", "Sør-Øst", "F", 1983, "", "no_answer"),
    (14, "PHV", "Sykehuset Innlandet HF", "Sør-Øst", "M", 1979, "", "unreachable"),
    (15, "PHV", "Helse Bergen HF", "Vest", "F", 1994, "", "answered"),
    (16, "TSB", "Akershus universitetssykehus HF", "Sør-Øst", "M", 1966, "", "answered"),
    (17, "XYZ", "Akershus universitetssykehus HF", "Sør-Øst", "M", 1966, "", "answered"),
]

STAR = {f"R{i}": 3 for i in range(1, 13)}
RESPONSES: list[dict[str, object]] = [
    {"person_id": 1, "form": "PHV_TSB", "H10": 1, "H11": 4, "M1": 1, "M2": 1, "K4": "14;1", "K4b": "1", **STAR},
    {"person_id": 2, "form": "PHV_TSB", "H10": 2, "L7a": 4, "B2": 1980, "H4": "Behandler sluttet"},
    {"person_id": 3, "form": "PHV_TSB", "F3": 1, "F4": 2, "L7a": 2, "L8a": 4},
    {"person_id": 4, "form": "AS", "H5": 6, "H8G": 2, "K4": "16"},
    {"person_id": 99, "form": "PHV_TSB", "H10": 2},
    {"person_id": 6, "form": "PHV_TSB", "H5": 9},
    {"person_id": 7, "form": "PHV_TSB", "H10": 2, "H11": 3},
    {"person_id": 8, "form": "PHV_TSB", "M2": 1},
    {"person_id": 1, "form": "PHV_TSB", "H10": 2},
    {"person_id": 10, "form": "PHV_TSB", "H10": 2},
    {"person_id": 9, "form": "PHV_TSB", "L7a": 4, "L8a": 2},
    {"person_id": 11, "form": "PHV_TSB", "H5": 5},
    {"person_id": 12, "form": "PHV_TSB", "H8G": 1},
    {"person_id": 5, "form": "AS", "K4": "1;17"},
    {"person_id": 15, "form": "PHV_TSB", "K4": "1", "K4b": "2"},
    {"person_id": 17, "form": "PHV_TSB", "H10": 1},
]

POPULATION = [
    # sector, period, sex, age, unit, diagnosis_group, count
    ("PHV", "2023-02/2023-04", "F", "18-24", "", "", 120),
    ("PHV", "2023-02/2023-04", "M", "18-24", "", "", -3),
    ("PHV", "2023-02/2023-04", "F", "18-24", "", "", 121),
]


def frame_table() -> pd.DataFrame:
    columns = ["person_id", "sector", "unit", "region", "sex", "birth_year", "main_diagnosis", "status"]
    return pd.DataFrame(FRAME, columns=columns).astype(str)


def responses_table(rows: list[dict[str, object]] | None = None) -> pd.DataFrame:
    """Every item column of the 002 questionnaire; empty where a row gives no value."""
    columns = ["person_id", "form", "answered_on", *(i.column for i in load().items)]
    records = [{"answered_on": "2023-06-12", **row} for row in (rows if rows is not None else RESPONSES)]
    table = pd.DataFrame(records, dtype=object).reindex(columns=columns)
    return table.map(lambda v: "" if pd.isna(v) else str(v))


def write_survey(folder: Path, population: bool = True) -> Path:
    """Write the survey directory as CSV files into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    frame_table().to_csv(folder / "survey_frame.csv", index=False)
    responses_table().to_csv(folder / "survey_responses.csv", index=False)
    if population:
        columns = ["sector", "period", "sex", "age", "unit", "diagnosis_group", "count"]
        pd.DataFrame(POPULATION, columns=columns).to_csv(folder / "survey_population.csv", index=False)
    return folder
