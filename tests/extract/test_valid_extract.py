"""A valid extract: every row is used, in the canonical types, the same from CSV and from Parquet."""

import csv
import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from forlop.extract.validate import validate_extract
from tests.extract.conftest import write_extract

# Rows in the minimal extract (conftest.MINIMAL), counted by hand.
MINIMAL_ROWS = {
    "persons": 3,
    "residence": 3,
    "specialist_episodes": 3,
    "coercion_decisions": 1,
    "primary_care_claims": 2,
    "municipal_services": 2,
    "population": 4,
    "geography": 2,
}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_row_of_a_valid_extract_is_used(tmp_path, tables, fmt):
    data = write_extract(tmp_path / "data", tables, fmt)
    summary = validate_extract(data, tmp_path / "out", lang="en")
    assert {name: (c.rows_read, c.rows_used, c.rows_rejected) for name, c in summary.tables.items()} == {
        name: (n, n, 0) for name, n in MINIMAL_ROWS.items()
    }
    assert summary.warnings == []
    assert summary.id_types == {"person_id": "int64", "episode_id": "int64", "claim_id": "int64"}
    assert not any((tmp_path / "out" / "rejected").iterdir())
    with (tmp_path / "out" / "validation_summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["table", "rows_read", "rows_used", "rows_rejected"]
    assert rows[1:] == [[name, str(n), str(n), "0"] for name, n in MINIMAL_ROWS.items()]
    for name, n in MINIMAL_ROWS.items():
        assert pq.read_metadata(tmp_path / "out" / "clean" / f"{name}.parquet").num_rows == n


def test_clean_tables_have_the_canonical_types_and_values(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    validate_extract(data, tmp_path / "out")
    episodes = pq.read_table(tmp_path / "out" / "clean" / "specialist_episodes.parquet")
    schema = {f.name: f.type for f in episodes.schema}
    assert schema["episode_id"] == pa.int64() and schema["person_id"] == pa.int64()
    assert schema["care_level"] == pa.int64()
    assert schema["start"] == pa.timestamp("us") and schema["discharge_ready_at"] == pa.timestamp("us")
    assert schema["coercion_referral"] == pa.bool_()
    assert pa.types.is_list(schema["other_diagnoses"]) and schema["other_diagnoses"].value_type == pa.string()
    rows = sorted(episodes.to_pylist(), key=lambda r: r["episode_id"])
    # "2020-03-01T10:00" has no seconds; "2020-05-01" is a bare date and so midnight.
    assert rows[0]["start"] == dt.datetime(2020, 3, 1, 10, 0)
    assert rows[2]["start"] == dt.datetime(2020, 5, 1, 0, 0) and rows[2]["end"] is None
    assert [r["other_diagnoses"] for r in rows] == [["F10.2", "Z59"], None, None]
    assert [r["special_codes"] for r in rows] == [None, ["B0015"], None]
    assert [r["main_diagnosis"] for r in rows] == ["F20.0", "F200", "F10.2"]  # kept as given
    assert [r["coercion_referral"] for r in rows] == [True, False, None]
    persons = pq.read_table(tmp_path / "out" / "clean" / "persons.parquet")
    assert persons.schema.field("death_date").type == pa.date32()
    services = pq.read_table(tmp_path / "out" / "clean" / "municipal_services.parquet")
    assert services.schema.field("start").type == pa.date32()


def test_csv_and_parquet_give_the_same_clean_tables(tmp_path, tables):
    validate_extract(write_extract(tmp_path / "csv", tables, "csv"), tmp_path / "out_csv")
    validate_extract(write_extract(tmp_path / "parquet", tables, "parquet"), tmp_path / "out_parquet")
    for name in MINIMAL_ROWS:
        from_csv = pq.read_table(tmp_path / "out_csv" / "clean" / f"{name}.parquet")
        from_parquet = pq.read_table(tmp_path / "out_parquet" / "clean" / f"{name}.parquet")
        assert from_csv.schema == from_parquet.schema, name
        key = from_csv.column_names[0]
        assert from_csv.sort_by(key).to_pylist() == from_parquet.sort_by(key).to_pylist(), name


def test_a_municipality_that_lost_its_leading_zero_is_padded(tmp_path, tables):
    tables["residence"][0]["municipality"] = "301"  # Oslo written as a number
    summary = validate_extract(write_extract(tmp_path / "data", tables, "csv"), tmp_path / "out")
    assert summary.tables["residence"].rows_rejected == 0
    residence = pq.read_table(tmp_path / "out" / "clean" / "residence.parquet").to_pylist()
    assert sorted(r["municipality"] for r in residence) == ["0301", "0301", "4601"]
    # The same from a Parquet file where municipality is an integer column.
    path = tmp_path / "pq"
    write_extract(path, tables, "parquet")
    pq.write_table(
        pa.table({"person_id": [1, 2, 3], "year": [2020, 2020, 2020], "municipality": [301, 4601, 301]}),
        path / "residence.parquet",
    )
    validate_extract(path, tmp_path / "out_pq")
    residence = pq.read_table(tmp_path / "out_pq" / "clean" / "residence.parquet").to_pylist()
    assert sorted(r["municipality"] for r in residence) == ["0301", "0301", "4601"]


def test_text_person_ids_are_text_in_every_table(tmp_path, tables):
    for rows in tables.values():
        for row in rows:
            if "person_id" in row:
                row["person_id"] = "P" + row["person_id"]
    summary = validate_extract(write_extract(tmp_path / "data", tables, "csv"), tmp_path / "out")
    assert summary.id_types == {"person_id": "string", "episode_id": "int64", "claim_id": "int64"}
    assert summary.rows_rejected == 0
    episodes = pq.read_table(tmp_path / "out" / "clean" / "specialist_episodes.parquet")
    assert episodes.schema.field("person_id").type == pa.string()
    assert episodes.schema.field("episode_id").type == pa.int64()  # decided in its own table
    assert sorted(episodes.column("person_id").to_pylist()) == ["P1", "P1", "P2"]
    residence = pq.read_table(tmp_path / "out" / "clean" / "residence.parquet")
    assert residence.schema.field("person_id").type == pa.string()


def test_a_text_person_id_among_whole_number_ids_is_rejected(tmp_path, tables):
    # persons has whole-number ids, so person_id is int64 everywhere and "P9" cannot be a person.
    tables["residence"][2]["person_id"] = "P9"
    summary = validate_extract(write_extract(tmp_path / "data", tables, "csv"), tmp_path / "out", lang="en")
    assert summary.id_types["person_id"] == "int64"
    c = summary.tables["residence"]
    assert (c.rows_read, c.rows_used, c.rows_rejected) == (3, 2, 1)
    text = (tmp_path / "out" / "rejected" / "residence.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1] == "P9,2020,0301,person_id: 'P9' is not a whole number,3"


def test_excel_style_csv_with_byte_order_mark_and_crlf(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    text = (data / "persons.csv").read_text(encoding="utf-8").replace("\n", "\r\n")
    (data / "persons.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    summary = validate_extract(data, tmp_path / "out")
    assert summary.rows_rejected == 0
    persons = pq.read_table(tmp_path / "out" / "clean" / "persons.parquet").to_pylist()
    assert sorted((p["person_id"], p["sex"]) for p in persons) == [(1, "F"), (2, "M"), (3, "F")]


def test_parquet_timestamps_with_a_time_zone_become_norwegian_local_time(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "parquet")
    claims = pq.read_table(data / "primary_care_claims.parquet")
    utc = pa.array([dt.datetime(2020, 3, 20, 7, 30), dt.datetime(2020, 6, 1, 20, 0)], pa.timestamp("us", tz="UTC"))
    pq.write_table(claims.set_column(2, "at", utc), data / "primary_care_claims.parquet")
    validate_extract(data, tmp_path / "out")
    at = pq.read_table(tmp_path / "out" / "clean" / "primary_care_claims.parquet").sort_by("claim_id").column("at")
    # 07:30 UTC in March is 08:30 in Oslo (UTC+1); 20:00 UTC in June is 22:00 (summer time, UTC+2).
    assert at.type == pa.timestamp("us")
    assert at.to_pylist() == [dt.datetime(2020, 3, 20, 8, 30), dt.datetime(2020, 6, 1, 22, 0)]


def test_bool_and_whole_number_spellings_are_accepted(tmp_path, tables):
    episodes = tables["specialist_episodes"]
    episodes[0]["coercion_referral"], episodes[1]["coercion_referral"] = "TRUE", "0"
    episodes[0]["place_of_activity"] = "1.0"  # a whole number written by a spreadsheet
    tables["persons"][0]["birth_year"] = " 1980 "
    validate_extract(write_extract(tmp_path / "data", tables, "csv"), tmp_path / "out")
    rows = sorted(
        pq.read_table(tmp_path / "out" / "clean" / "specialist_episodes.parquet").to_pylist(),
        key=lambda r: r["episode_id"],
    )
    assert [r["coercion_referral"] for r in rows] == [True, False, None]
    assert rows[0]["place_of_activity"] == 1
    persons = pq.read_table(tmp_path / "out" / "clean" / "persons.parquet").to_pylist()
    assert sorted(p["birth_year"] for p in persons) == [1975, 1980, 2001]


def test_column_names_are_matched_without_case_and_extra_columns_are_ignored(tmp_path, tables):
    tables["persons"] = [
        {
            " Person_ID ": r["person_id"],
            "BIRTH_YEAR": r["birth_year"],
            "sex": r["sex"],
            "death_date": r["death_date"],
            "kommune": "0301",
        }
        for r in tables["persons"]
    ]
    summary = validate_extract(write_extract(tmp_path / "data", tables, "csv"), tmp_path / "out", lang="en")
    assert summary.warnings == ["persons: columns outside the contract are not used: kommune"]
    persons = pq.read_table(tmp_path / "out" / "clean" / "persons.parquet")
    assert persons.column_names == ["person_id", "birth_year", "sex", "death_date"]
    assert summary.tables["persons"].rows_used == 3
