"""Reading and validating a survey directory: each reject reason once, each fatal case one line.

The hand-made survey is described row by row in ``fixture.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forlop.errors import InputError
from forlop.survey import validate_survey
from tests.cli import forlop
from tests.survey.fixture import RESPONSES, frame_table, responses_table, write_survey

REASONS = {
    5: "person_id 99 is not in survey_frame",
    6: "H5: '9' is not one of 1, 2, 3, 4, 5, 6, 7",
    7: "H11: answered, but the filter shows it only when H10 is 1 (H10: 2)",
    8: "M2: answered, but the filter shows it only when M1 is 1 (M1: empty)",
    9: "duplicate: person_id = 1 already in row 1",
    10: "person_id 10: status in survey_frame is 'declined', not 'answered'",
    11: "L8a: answered, but the filter shows it only when L7a is 1, 2, 3 (L7a: 4)",
    12: "H5: code 5 is not an option on the PHV_TSB form",
    13: "H8G: answered, but the item is not on the PHV_TSB form",
    14: "K4: '17' is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16",
    15: "K4b: answered, but the filter shows it only when K4 is 14 (K4: 1)",
    16: "person_id 17 was rejected in survey_frame",
}


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("survey")
    result = forlop("survey", "validate", "--data", str(write_survey(base / "data")), "--out", str(base / "out"),
                    "--lang", "en")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "survey_responses: read 16, used 4, rejected 12" in result.stdout
    assert "9 persons have status 'answered' in survey_frame but no usable row" in result.stdout
    return base / "out"


def test_each_reason_with_its_row(validated: Path) -> None:
    rejected = pd.read_csv(validated / "rejected" / "survey_responses.csv", dtype=str, keep_default_na=False)
    assert dict(zip(rejected["row"].astype(int), rejected["reason"])) == REASONS
    assert rejected["person_id"].tolist() == [str(RESPONSES[row - 1]["person_id"]) for row in REASONS]
    frame = pd.read_csv(validated / "rejected" / "survey_frame.csv", dtype=str)
    assert frame[["person_id", "reason", "row"]].values.tolist() == [
        ["17", "sector: 'XYZ' is not one of PHV, TSB, AS", "17"]
    ]
    population = pd.read_csv(validated / "rejected" / "survey_population.csv", dtype=str)
    assert population["row"].tolist() == ["2", "3"]
    assert population["reason"].iloc[0] == "count -3 is negative"
    assert population["reason"].iloc[1].startswith("duplicate: sector, period, sex, age, unit, diagnosis_group")


def test_summary_read_is_used_plus_rejected(validated: Path) -> None:
    summary = pd.read_csv(validated / "validation_summary.csv")
    assert summary.values.tolist() == [
        ["survey_frame", 17, 16, 1],
        ["survey_responses", 16, 4, 12],
        ["survey_population", 3, 1, 2],
    ]


def test_clean_responses(validated: Path) -> None:
    clean = pd.read_parquet(validated / "clean" / "survey_responses.parquet")
    assert clean["person_id"].tolist() == [1, 2, 3, 4]
    assert str(clean["H5"].dtype) == "float64" and clean["H5"].tolist()[3] == 6  # int64 with gaps in pandas
    assert [None if v is None else list(v) for v in clean["K4"]] == [[1, 14], None, None, [16]]  # sorted codes
    assert clean["H4"].tolist()[1] == "Behandler sluttet"
    assert len(pd.read_parquet(validated / "clean" / "survey_frame.parquet")) == 16


def test_without_population_and_in_norwegian(tmp_path: Path) -> None:
    data = write_survey(tmp_path / "data", population=False)
    summary = validate_survey(data, tmp_path / "out", lang="nb")
    assert list(summary.tables) == ["survey_frame", "survey_responses"]
    rejected = pd.read_csv(tmp_path / "out" / "rejected" / "survey_responses.csv", dtype=str)
    assert rejected["reason"].iloc[2] == "H11: besvart, men filteret viser spørsmålet bare når H10 er 1 (H10: 2)"


def test_parquet_directory(tmp_path: Path) -> None:
    """The same survey as Parquet with integer item columns (pandas' nullable Int64) and a list column."""
    data = tmp_path / "data"
    data.mkdir()
    frame_table().to_parquet(data / "survey_frame.parquet")
    responses = responses_table()
    for column in ("person_id", "H5", "H10", "H11", "M1", "M2"):
        responses[column] = pd.to_numeric(responses[column].replace("", None)).astype("Int64")
    responses["K4"] = [[int(c) for c in v.split(";")] if v else None for v in responses["K4"]]
    responses.to_parquet(data / "survey_responses.parquet")
    summary = validate_survey(data, tmp_path / "out", lang="en")
    assert (summary.tables["survey_responses"].rows_used, summary.tables["survey_responses"].rows_rejected) == (4, 12)


def _fatal(tmp_path: Path, change) -> str:
    data = write_survey(tmp_path / "data", population=False)
    change(data)
    result = forlop("survey", "validate", "--data", str(data), "--out", str(tmp_path / "out"), "--lang", "en")
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "validation_summary.csv").exists()
    return result.stderr


def _responses(data: Path, change) -> None:
    table = responses_table()
    change(table)
    table.to_csv(data / "survey_responses.csv", index=False)


def test_missing_table(tmp_path: Path) -> None:
    message = _fatal(tmp_path, lambda data: (data / "survey_responses.csv").unlink())
    assert "survey_responses.parquet|.csv" in message and "survey_responses" in message


def test_missing_item_column(tmp_path: Path) -> None:
    message = _fatal(tmp_path, lambda data: _responses(data, lambda t: t.drop(columns="H11", inplace=True)))
    assert "survey_responses.csv: column 'H11':" in message


def test_missing_frame_column(tmp_path: Path) -> None:
    message = _fatal(tmp_path, lambda data: frame_table().drop(columns="status").to_csv(data / "survey_frame.csv"))
    assert "survey_frame.csv: column 'status':" in message


def test_wrong_type_single_choice(tmp_path: Path) -> None:
    def labels(table: pd.DataFrame) -> None:
        table["H10"] = table["H10"].replace({"1": "Ja", "2": "Nei"})

    message = _fatal(tmp_path, lambda data: _responses(data, labels))
    assert "column 'H10':" in message and "(example: row 1: 'Ja')" in message


def test_wrong_type_multiple_choice(tmp_path: Path) -> None:
    def labels(table: pd.DataFrame) -> None:
        table["K4"] = table["K4"].map(lambda v: "Fastlege;Psykolog i kommunen" if v else "")

    message = _fatal(tmp_path, lambda data: _responses(data, labels))
    assert "column 'K4':" in message and "option codes" in message and "row 1" in message


def test_a_bad_questionnaire_option(tmp_path: Path) -> None:
    bad = tmp_path / "q.yaml"
    bad.write_text("forms: [A]\nitems:\n  - {id: Q1, section: Q, type: single, text: {nb: a, en: a}}\n", "utf-8")
    result = forlop("survey", "validate", "--data", str(tmp_path), "--out", str(tmp_path / "out"),
                    "--questionnaire", str(bad), "--lang", "en")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == f"forlop: {bad}: item Q1: has no options (options or scale)\n"


def test_an_item_named_like_a_fixed_column(tmp_path: Path) -> None:
    from forlop.survey.questionnaire import parse

    raw = {"forms": ["A"], "items": [{"id": "form", "section": "Q", "type": "text", "text": {"nb": "a", "en": "a"}}]}
    with pytest.raises(InputError, match="item form: the data column 'form' is a fixed column"):
        validate_survey(tmp_path, tmp_path / "out", questionnaire=parse(raw, "q.yaml"), lang="en")


def test_missing_frame_and_a_table_without_rows(tmp_path: Path) -> None:
    message = _fatal(tmp_path / "a", lambda data: (data / "survey_frame.csv").unlink())
    assert "survey_frame.parquet|.csv" in message
    message = _fatal(tmp_path / "b", lambda data: _responses(data, lambda t: t.drop(index=t.index, inplace=True)))
    assert "survey_responses.csv:" in message and "no rows" in message
