"""Input that cannot be used at all stops with one line naming the file, the column and an example.

Each test checks the exact line (``str(InputError)``, as ``forlop.cli:main`` prints it) in English,
and that nothing was written to the output folder.
"""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from forlop.errors import InputError
from forlop.extract.validate import validate_extract
from tests.extract.conftest import write_extract


def fatal(tmp_path, data) -> str:
    with pytest.raises(InputError) as caught:
        validate_extract(data, tmp_path / "out", lang="en")
    out = tmp_path / "out"
    assert not (out / "validation_summary.csv").exists()
    assert not (out / "clean").exists() or not any((out / "clean").iterdir())
    assert "\n" not in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_missing_table(tmp_path, tables, fmt):
    del tables["geography"]
    data = write_extract(tmp_path / "data", tables, fmt)
    assert fatal(tmp_path, data) == (
        f"{data}/geography.parquet|.csv: table geography is missing "
        "(expected geography.parquet or geography.csv in the folder)")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_missing_column(tmp_path, tables, fmt):
    for row in tables["persons"]:
        del row["sex"]
    data = write_extract(tmp_path / "data", tables, fmt)
    assert fatal(tmp_path, data) == (
        f"{data}/persons.{fmt}: column 'sex': the column is missing "
        "(columns in the file: person_id, birth_year, death_date)")


def test_wrong_type_of_a_whole_column_in_csv(tmp_path, tables):
    for row, year in zip(tables["persons"], ["nineteen eighty", "1975?", "2001a"]):
        row["birth_year"] = year
    data = write_extract(tmp_path / "data", tables, "csv")
    assert fatal(tmp_path, data) == (
        f"{data}/persons.csv: column 'birth_year': wrong type: no value in the column is a whole number "
        "(example: row 1: 'nineteen eighty')")


def test_wrong_type_of_a_whole_column_in_parquet(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "parquet")
    # Dates written the Norwegian way, as text: not one of them is ISO.
    pq.write_table(pa.table({"person_id": [1], "date": ["01.03.2020"], "kind": ["compulsory_observation"]}),
                   data / "coercion_decisions.parquet")
    assert fatal(tmp_path, data) == (
        f"{data}/coercion_decisions.parquet: column 'date': wrong type: no value in the column is a date "
        "(YYYY-MM-DD) (example: row 1: '01.03.2020')")


def test_an_enum_column_where_no_value_is_allowed_is_a_wrong_type(tmp_path, tables):
    for row, sex in zip(tables["persons"], ["2", "1", "2"]):
        row["sex"] = sex
    data = write_extract(tmp_path / "data", tables, "csv")
    assert fatal(tmp_path, data) == (
        f"{data}/persons.csv: column 'sex': wrong type: no value in the column is one of F, M (example: row 1: '2')")


def test_a_required_column_without_values(tmp_path, tables):
    for row in tables["specialist_episodes"]:
        row["start"] = ""
    data = write_extract(tmp_path / "data", tables, "csv")
    assert fatal(tmp_path, data) == (
        f"{data}/specialist_episodes.csv: column 'start': the column has no values, but must have them")


def test_empty_file(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    (data / "persons.csv").write_bytes(b"")
    assert fatal(tmp_path, data) == f"{data}/persons.csv: the file is empty (no header row)"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_required_table_with_a_header_and_no_rows(tmp_path, tables, fmt):
    tables["persons"] = []
    data = write_extract(tmp_path / "data", tables, fmt)
    assert fatal(tmp_path, data) == f"{data}/persons.{fmt}: the file has no rows"


def test_an_event_table_with_no_rows_is_a_warning(tmp_path, tables):
    tables["coercion_decisions"] = []
    data = write_extract(tmp_path / "data", tables, "csv")
    summary = validate_extract(data, tmp_path / "out", lang="en")
    c = summary.tables["coercion_decisions"]
    assert (c.rows_read, c.rows_used, c.rows_rejected) == (0, 0, 0)
    assert summary.warnings == ["coercion_decisions: the table has no rows"]


def test_a_file_in_the_wrong_encoding(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    text = "municipality,municipality_name,health_community,region\n0301,Oslo,Oslo,Helse Sør-Øst\n"
    (data / "geography.csv").write_bytes(text.encode("latin-1"))
    # The header line is 54 characters + newline = 55 bytes; "0301,Oslo,Oslo,Helse S" is 22 more,
    # so the Latin-1 'ø' (0xf8) is byte 77 (counting from 0), on line 2.
    assert fatal(tmp_path, data) == (
        f"{data}/geography.csv: the file is not UTF-8: invalid byte 0xf8 at byte 77 (line 2); "
        "save it as \"CSV UTF-8\" in Excel, or pass --encoding cp1252")


def test_a_row_with_too_many_fields_makes_the_csv_unreadable(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    with (data / "residence.csv").open("a", encoding="utf-8") as handle:
        handle.write("1,2021,0301,extra\n")
    line = fatal(tmp_path, data)
    assert line.startswith(f"{data}/residence.csv: the file cannot be read: CSV Error on Line: 5 | ")
    assert "Expected Number of Columns: 3 Found: 4" in line


def test_a_csv_separated_by_semicolons(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    (data / "geography.csv").write_text("municipality;municipality_name;health_community;region\n"
                                        "0301;Oslo;Oslo;Helse Sør-Øst\n", encoding="utf-8")
    assert fatal(tmp_path, data) == (
        f"{data}/geography.csv: the file seems to be ';'-separated: columns must be separated by ',' (';' only "
        "separates the values inside a list column); save it with ',' between fields (in Excel: set the list "
        "separator to ',' in Windows' region settings before \"Save as CSV UTF-8\") "
        "(example: municipality;municipality_name;health_community;region)")


def test_a_table_given_both_as_csv_and_parquet(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    write_extract(tmp_path / "data", {"persons": tables["persons"]}, "parquet")
    assert fatal(tmp_path, data) == (
        f"{data}/persons.csv: the table is there both as persons.parquet and as this file; keep one of them")


def test_a_parquet_file_that_is_not_parquet(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "parquet")
    (data / "population.parquet").write_bytes(b"this is not a parquet file at all")
    assert fatal(tmp_path, data).startswith(f"{data}/population.parquet: the file cannot be read: ")


def test_a_fatal_problem_removes_the_results_of_an_earlier_run(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    validate_extract(data, tmp_path / "out")
    assert (tmp_path / "out" / "clean" / "persons.parquet").exists()
    (data / "persons.csv").write_bytes(b"")
    fatal(tmp_path, data)  # also asserts that no clean file or summary is left behind


def test_a_parquet_text_column_in_the_wrong_encoding(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "parquet")
    geography = pq.read_table(data / "geography.parquet")
    latin1 = pa.array(["Oslo".encode("latin-1"), "Bjørnafjorden".encode("latin-1")], pa.binary())
    pq.write_table(geography.set_column(1, "municipality_name", latin1), data / "geography.parquet")
    assert fatal(tmp_path, data) == (
        f"{data}/geography.parquet: the file cannot be read: Conversion Error: Failure in decode: could not convert "
        "blob to UTF8 string, the blob contained invalid UTF8 characters.")


def test_a_bad_byte_cut_by_the_16_mb_read_border_is_found_exactly(tmp_path, monkeypatch, tables):
    import forlop.extract.sources as sources

    monkeypatch.setattr(sources, "_CHUNK", 8)  # read 8 bytes at a time
    data = write_extract(tmp_path / "data", tables, "csv")
    # "ab\n" + "cdef" = 7 bytes, then 'ø' in UTF-8 is c3 b8: c3 is byte 7 (the last of the first
    # chunk), b8 byte 8. Then a lone continuation byte 0xb8 at byte 9 (line 2) is the error.
    (data / "geography.csv").write_bytes(b"ab\ncdef\xc3\xb8\xb8\n")
    assert fatal(tmp_path, data) == (
        f"{data}/geography.csv: the file is not UTF-8: invalid byte 0xb8 at byte 9 (line 2); "
        "save it as \"CSV UTF-8\" in Excel, or pass --encoding cp1252")


def test_a_utf8_character_cut_off_at_the_end_of_the_file(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    (data / "geography.csv").write_bytes(b"municipality\n0301\xc3")  # 13 + 4 bytes, then half an 'ø'
    assert fatal(tmp_path, data) == (
        f"{data}/geography.csv: the file is not UTF-8: invalid byte 0xc3 at byte 17 (line 2); "
        "save it as \"CSV UTF-8\" in Excel, or pass --encoding cp1252")


def _as_cp1252(tables, data_dir):
    """The minimal extract as Excel on a Norwegian machine saves plain "CSV": Windows-1252 (Tromsø, Bodø: 'ø' is
    byte 0xF8; the en dash of "Salten – Bodø" is 0x96, a byte Latin-1 has no letter for)."""
    tables["geography"][0].update(municipality_name="Tromsø", health_community="Tromsø")
    tables["geography"][1].update(municipality_name="Bodø", health_community="Salten – Bodø")
    data = write_extract(data_dir, tables, "csv")
    for path in data.glob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    return data


def test_a_windows_1252_extract_needs_encoding_cp1252(tmp_path, tables):
    data = _as_cp1252(tables, tmp_path / "data")
    # persons.csv is plain ASCII, so geography.csv is the first file that fails; its header is 55 bytes,
    # "0301,Troms" 10 more: the 'ø' (0xf8) is byte 65, on line 2.
    assert fatal(tmp_path, data) == (
        f"{data}/geography.csv: the file is not UTF-8: invalid byte 0xf8 at byte 65 (line 2); save it as "
        "\"CSV UTF-8\" in Excel, or pass --encoding cp1252")
    summary = validate_extract(data, tmp_path / "out", lang="en", encoding="cp1252")
    assert summary.tables["geography"].rows_used == 2
    geography = pq.read_table(tmp_path / "out" / "clean" / "geography.parquet").to_pydict()
    assert geography["municipality_name"] == ["Tromsø", "Bodø"]
    assert geography["health_community"] == ["Tromsø", "Salten – Bodø"]
    assert sorted(p.name for p in data.iterdir()) == sorted(f"{t}.csv" for t in tables)  # no copy left beside
    assert not (tmp_path / "out" / ".forlop-validate-tmp").exists()


def test_a_byte_that_is_not_windows_1252(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "csv")
    (data / "geography.csv").write_bytes(b"municipality\n0301\x81\n")  # 0x81: no character in Windows-1252
    with pytest.raises(InputError) as caught:
        validate_extract(data, tmp_path / "out", lang="en", encoding="cp1252")
    assert str(caught.value) == (f"{data}/geography.csv: the file cannot be read as cp1252: invalid byte 0x81 at "
                                 "byte 17 (line 2); try --encoding utf-8 or cp1252")
    with pytest.raises(InputError) as caught:
        validate_extract(data, tmp_path / "out", lang="en", encoding="klingon")
    assert str(caught.value) == "--encoding: unknown encoding 'klingon' (example: utf-8, cp1252)"
