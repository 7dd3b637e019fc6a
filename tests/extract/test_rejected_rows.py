"""Bad rows go to rejected/<table>.csv with their reason and row number; read = used + rejected.

Each test changes the minimal extract (conftest.MINIMAL) in one way and checks the exact outcome.
Reasons are in English (lang="en"); the row is the 1-based data row of the source file.
"""

import csv

import pyarrow.parquet as pq
import pytest

from forlop.extract.validate import validate_extract
from tests.extract.conftest import write_extract


def run(tmp_path, tables, fmt="csv"):
    data = write_extract(tmp_path / "data", tables, fmt)
    return validate_extract(data, tmp_path / "out", lang="en")


def rejected(tmp_path, table):
    with (tmp_path / "out" / "rejected" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def counts(summary, table):
    c = summary.tables[table]
    assert c.rows_read == c.rows_used + c.rows_rejected
    return c.rows_read, c.rows_used, c.rows_rejected


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_end_before_start_is_rejected(tmp_path, tables, fmt):
    tables["specialist_episodes"][1]["end"] = "2020-03-14T10:00:00"  # starts 2020-03-15T09:00
    tables["municipal_services"][1]["end"] = "2019-12-31"  # starts 2020-01-01
    summary = run(tmp_path, tables, fmt)
    assert counts(summary, "specialist_episodes") == (3, 2, 1)
    assert counts(summary, "municipal_services") == (2, 1, 1)
    [row] = rejected(tmp_path, "specialist_episodes")
    assert row["reason"] == "end 2020-03-14 10:00:00 is before start 2020-03-15 09:00:00"
    assert row["row"] == "2" and row["episode_id"] == "2"
    [row] = rejected(tmp_path, "municipal_services")
    assert (row["reason"], row["row"]) == ("end 2019-12-31 is before start 2020-01-01", "2")
    used = pq.read_table(tmp_path / "out" / "clean" / "specialist_episodes.parquet").column("episode_id")
    assert sorted(used.to_pylist()) == [1, 3]


def test_an_end_equal_to_start_is_kept(tmp_path, tables):
    tables["municipal_services"][1]["end"] = "2020-01-01"
    assert counts(run(tmp_path, tables), "municipal_services") == (2, 2, 0)


def test_unknown_person_is_rejected(tmp_path, tables):
    tables["residence"][2]["person_id"] = "9"
    tables["primary_care_claims"][0]["person_id"] = "10"
    summary = run(tmp_path, tables)
    assert counts(summary, "residence") == (3, 2, 1)
    assert counts(summary, "primary_care_claims") == (2, 1, 1)
    assert [(r["person_id"], r["reason"], r["row"]) for r in rejected(tmp_path, "residence")] == [
        ("9", "person_id 9 is not in persons", "3")]
    assert [(r["claim_id"], r["reason"], r["row"]) for r in rejected(tmp_path, "primary_care_claims")] == [
        ("1", "person_id 10 is not in persons", "1")]


def test_events_of_a_rejected_person_are_rejected_with_that_reason(tmp_path, tables):
    tables["persons"][1]["sex"] = "K"  # person 2: not F or M
    summary = run(tmp_path, tables)
    assert counts(summary, "persons") == (3, 2, 1)
    assert rejected(tmp_path, "persons")[0]["reason"] == "sex: 'K' is not one of F, M"
    # Person 2 has one residence row, one episode (row 3), one claim (row 2), one municipal service (row 2).
    assert counts(summary, "residence") == (3, 2, 1)
    assert counts(summary, "specialist_episodes") == (3, 2, 1)
    assert [(r["reason"], r["row"]) for r in rejected(tmp_path, "specialist_episodes")] == [
        ("person_id 2 was rejected in persons", "3")]


def test_duplicate_ids_keep_the_first_and_reject_the_rest(tmp_path, tables):
    tables["specialist_episodes"].append(dict(tables["specialist_episodes"][1]))  # episode 2 again, row 4
    tables["persons"].append(dict(tables["persons"][0], birth_year="1981"))  # person 1 again, row 4
    tables["geography"].append(dict(tables["geography"][0]))  # 0301 again, row 3
    tables["primary_care_claims"][1]["claim_id"] = "1"
    summary = run(tmp_path, tables)
    assert counts(summary, "specialist_episodes") == (4, 3, 1)
    assert counts(summary, "persons") == (4, 3, 1)
    assert counts(summary, "geography") == (3, 2, 1)
    assert counts(summary, "primary_care_claims") == (2, 1, 1)
    assert [(r["reason"], r["row"]) for r in rejected(tmp_path, "specialist_episodes")] == [
        ("duplicate: episode_id = 2 already in row 2", "4")]
    assert [(r["reason"], r["row"], r["birth_year"]) for r in rejected(tmp_path, "persons")] == [
        ("duplicate: person_id = 1 already in row 1", "4", "1981")]
    assert [(r["reason"], r["row"]) for r in rejected(tmp_path, "geography")] == [
        ("duplicate: municipality = 0301 already in row 1", "3")]
    # Person 1 is still known (its first row is used), so none of its events are rejected.
    assert counts(summary, "residence") == (3, 3, 0)


def test_duplicate_population_cells_and_residence_years_are_rejected(tmp_path, tables):
    tables["population"].append(dict(tables["population"][0], count="10"))  # 2020/0301/F/30 again, row 5
    tables["residence"].append({"person_id": "1", "year": "2020", "municipality": "4601"})  # row 4
    summary = run(tmp_path, tables)
    assert counts(summary, "population") == (5, 4, 1)
    assert rejected(tmp_path, "population")[0]["reason"] == (
        "duplicate: year, municipality, sex, age = 2020, 0301, F, 30 already in row 1")
    assert rejected(tmp_path, "residence")[0]["reason"] == "duplicate: person_id, year = 1, 2020 already in row 1"
    # Rates use the first cell: 4100 + 4200 + 2100 + 2050 = 12 450 persons (not + 10).
    population = pq.read_table(tmp_path / "out" / "clean" / "population.parquet")
    assert sum(population.column("count").to_pylist()) == 12450


def test_unknown_codes_are_rejected(tmp_path, tables):
    episodes = tables["specialist_episodes"]
    episodes[2]["sector"] = "XYZ"
    episodes[0]["main_diagnosis"] = "XYZ"
    episodes[1]["other_diagnoses"] = "F10.2;banana"
    tables["municipal_services"][0]["service"] = "meals"
    tables["residence"][1]["municipality"] = "5001"  # Trondheim: not in this geography
    tables["population"][3]["municipality"] = "99999"  # five digits
    summary = run(tmp_path, tables)
    assert counts(summary, "specialist_episodes") == (3, 0, 3)
    assert [(r["row"], r["reason"]) for r in rejected(tmp_path, "specialist_episodes")] == [
        ("1", "main_diagnosis: 'XYZ' is not an ICD-10 code (like F20.0 or F200)"),
        ("2", "other_diagnoses: 'BANANA' is not an ICD-10 code (like F20.0 or F200)"),
        ("3", "sector: 'XYZ' is not one of PHV, TSB"),
    ]
    assert rejected(tmp_path, "municipal_services")[0]["reason"] == (
        "service: 'meals' is not one of home_health, practical_assistance, municipal_housing, support_contact, "
        "short_term_institution, long_term_institution, day_activity, other")
    assert rejected(tmp_path, "residence")[0]["reason"] == "municipality 5001 is not in geography"
    assert rejected(tmp_path, "population")[0]["reason"] == (
        "municipality: '99999' is not a municipality number (up to four digits)")
    assert counts(summary, "population") == (4, 3, 1)


def test_unparseable_values_are_rejected_with_every_reason_of_the_row(tmp_path, tables):
    tables["coercion_decisions"].append({"person_id": "2", "date": "2020-13-01", "kind": "compulsory_care"})
    episodes = tables["specialist_episodes"]
    episodes[0]["care_level"] = "7"
    episodes[0]["coercion_referral"] = "yes"
    episodes[1]["start"] = "15.03.2020"
    tables["persons"][2]["birth_year"] = ""
    summary = run(tmp_path, tables)
    assert counts(summary, "coercion_decisions") == (2, 1, 1)
    assert rejected(tmp_path, "coercion_decisions")[0]["reason"] == "date: '2020-13-01' is not a date (YYYY-MM-DD)"
    assert [(r["row"], r["reason"]) for r in rejected(tmp_path, "specialist_episodes")] == [
        ("1", "care_level: '7' is not one of 1, 2, 3; coercion_referral: 'yes' is not true/false/1/0"),
        ("2", "start: '15.03.2020' is not a timestamp (YYYY-MM-DDTHH:MM[:SS])"),
    ]
    assert rejected(tmp_path, "persons")[0]["reason"] == "birth_year: value missing"


def test_rejected_rows_from_parquet_show_the_original_values_as_text(tmp_path, tables):
    tables["specialist_episodes"][0]["sector"] = "XYZ"
    run(tmp_path, tables, "parquet")
    [row] = rejected(tmp_path, "specialist_episodes")
    assert row["row"] == "1" and row["start"] == "2020-03-01 10:00:00" and row["other_diagnoses"] == "F10.2;Z59"
    assert list(row)[-2:] == ["reason", "row"]


def test_practice_types_outside_the_code_list_are_kept_with_a_warning(tmp_path, tables):
    tables["primary_care_claims"][1]["practice_type"] = "99"
    summary = run(tmp_path, tables)
    assert counts(summary, "primary_care_claims") == (2, 2, 0)
    assert summary.warnings == [
        ("primary_care_claims: 1 rows have a practice_type outside the code list practice_types (e.g. 99); "
        "they are kept but count as none of its codes")]


def test_a_table_with_most_rows_rejected_gets_a_warning(tmp_path, tables):
    for row in tables["residence"][:2]:
        row["person_id"] = "9"
    summary = run(tmp_path, tables)
    assert counts(summary, "residence") == (3, 1, 2)
    assert summary.warnings == [
        "residence: 2 of 3 rows were rejected; look at the reasons before using the numbers"]


def test_row_numbers_count_records_not_lines(tmp_path, tables):
    # Row 1's name holds a line break inside quotes; the bad municipality is still on data row 2.
    tables["geography"][0]["municipality_name"] = "Oslo\nkommune"
    tables["geography"][1]["municipality"] = "46O1"  # letter O, not zero
    summary = run(tmp_path, tables)
    assert counts(summary, "geography") == (2, 1, 1)
    assert [(r["row"], r["reason"]) for r in rejected(tmp_path, "geography")] == [
        ("2", "municipality: '46O1' is not a municipality number (up to four digits)")]
    # Bergen's residence and population rows now point at a rejected geography row.
    assert counts(summary, "residence") == (3, 2, 1)
    assert rejected(tmp_path, "residence")[0]["reason"] == "municipality 4601 is not in geography"
    assert counts(summary, "population") == (4, 2, 2)


def test_rows_in_a_municipality_whose_geography_row_was_rejected(tmp_path, tables):
    tables["geography"][1]["region"] = ""  # Bergen's row lacks its region
    summary = run(tmp_path, tables)
    assert rejected(tmp_path, "geography")[0]["reason"] == "region: value missing"
    assert rejected(tmp_path, "residence")[0]["reason"] == "municipality 4601 was rejected in geography"
    assert counts(summary, "population") == (4, 2, 2)
