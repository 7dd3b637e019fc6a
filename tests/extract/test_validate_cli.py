"""`forlop validate` on the command line: the summary in Norwegian, exit 0; one line and exit 2 when fatal."""

import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from forlop.cli import app, main
from tests.cli import forlop
from tests.extract.conftest import write_extract


def test_validate_prints_the_summary_in_norwegian(tmp_path, tables):
    tables["residence"][2]["person_id"] = "9"  # one unknown person
    data = write_extract(tmp_path / "data", tables, "csv")
    result = CliRunner().invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:8] == [
        "persons: lest 3, brukt 3, avvist 0",
        "residence: lest 3, brukt 2, avvist 1",
        "specialist_episodes: lest 3, brukt 3, avvist 0",
        "coercion_decisions: lest 1, brukt 1, avvist 0",
        "primary_care_claims: lest 2, brukt 2, avvist 0",
        "municipal_services: lest 2, brukt 2, avvist 0",
        "population: lest 4, brukt 4, avvist 0",
        "geography: lest 2, brukt 2, avvist 0",
    ]
    assert lines[8] == f"Avviste rader med årsak: {tmp_path / 'out' / 'rejected'}"
    rejected = (tmp_path / "out" / "rejected" / "residence.csv").read_text(encoding="utf-8").splitlines()
    assert rejected == ["person_id,year,municipality,reason,row", "9,2020,0301,person_id 9 finnes ikke i persons,3"]


def test_validate_in_english_and_with_the_default_output_folder(tmp_path, tables):
    data = write_extract(tmp_path / "data", tables, "parquet")
    result = CliRunner().invoke(app, ["validate", "--data", str(data), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "persons: read 3, used 3, rejected 0"
    # The default output folder is <DATA>_validated beside DATA.
    assert (tmp_path / "data_validated" / "clean" / "persons.parquet").exists()
    assert (tmp_path / "data_validated" / "validation_summary.csv").exists()


def test_a_fatal_problem_is_one_line_and_exit_code_2(tmp_path, tables):
    del tables["persons"]
    data = write_extract(tmp_path / "data", tables, "csv")
    done = forlop("validate", "--data", str(data), "--out", str(tmp_path / "out"))
    assert done.exit_code == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    # Progress lines come first on stderr; the problem is the last line, and only one line.
    assert done.stderr.splitlines()[-1] == (
        f"forlop: {data}/persons.parquet|.csv: tabellen persons mangler (venter persons.parquet eller persons.csv "
        "i mappen)"
    )


def _break(kind, data):
    """Make one fatal problem in the extract in ``data``; return the line forlop prints (in English)."""
    if kind == "missing table":
        (data / "geography.csv").unlink()
        return (
            f"{data}/geography.parquet|.csv: table geography is missing "
            "(expected geography.parquet or geography.csv in the folder)"
        )
    if kind == "missing column":
        (data / "coercion_decisions.csv").write_text("person_id,kind\n1,other\n", encoding="utf-8")
        return (
            f"{data}/coercion_decisions.csv: column 'date': the column is missing "
            "(columns in the file: person_id, kind)"
        )
    if kind == "wrong type":
        (data / "coercion_decisions.csv").write_text("person_id,date,kind\n1,01.03.2020,other\n", encoding="utf-8")
        return (
            f"{data}/coercion_decisions.csv: column 'date': wrong type: no value in the column is a date "
            "(YYYY-MM-DD) (example: row 1: '01.03.2020')"
        )
    if kind == "empty file":
        (data / "population.csv").write_bytes(b"")
        return f"{data}/population.csv: the file is empty (no header row)"
    # wrong encoding: "person_id,date,kind\n" is 20 bytes, "1,2020-03-01,tvang" 18 more, then Latin-1 'å'.
    (data / "coercion_decisions.csv").write_bytes("person_id,date,kind\n1,2020-03-01,tvangå\n".encode("latin-1"))
    return (
        f"{data}/coercion_decisions.csv: the file is not UTF-8: invalid byte 0xe5 at byte 38 (line 2); "
        'save it as "CSV UTF-8" in Excel, or pass --encoding cp1252'
    )


@pytest.mark.parametrize("kind", ["missing table", "missing column", "wrong type", "empty file", "wrong encoding"])
def test_every_fatal_kind_through_main_is_one_line_and_exit_code_2(tmp_path, tables, kind, monkeypatch, capsys):
    data = write_extract(tmp_path / "data", tables, "csv")
    expected = _break(kind, data)
    monkeypatch.setattr(
        sys, "argv", ["forlop", "validate", "--data", str(data), "--out", str(tmp_path / "out"), "--lang", "en"]
    )
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == f"forlop: {expected}"
    assert "Traceback" not in captured.err


def test_validate_reads_an_excel_extract_with_encoding_cp1252(tmp_path, tables, monkeypatch, capsys):
    """The cp1252 extract of test_fatal_input: stops with the fix named, then reads with --encoding cp1252;
    a ';'-separated table stops with one line (the contract keeps ';' for list values)."""
    from tests.extract.test_fatal_input import _as_cp1252
    from tests.test_cli_choices import run_main

    data = _as_cp1252(tables, tmp_path / "data")
    validate = ["validate", "--data", str(data), "--out", str(tmp_path / "o")]
    as_cp1252 = [*validate, "--encoding", "cp1252", "--lang", "en"]
    code, lines = run_main(monkeypatch, capsys, *validate)
    assert code == 2
    assert lines[-1] == (
        f"forlop: {data}/geography.csv: filen er ikke UTF-8: ugyldig byte 0xf8 ved byte 65 (linje 2); "
        "lagre den som «CSV UTF-8» i Excel, eller bruk --encoding cp1252"
    )
    code, lines = run_main(monkeypatch, capsys, *as_cp1252)
    assert code == 0
    geography = pd.read_parquet(tmp_path / "o" / "clean" / "geography.parquet")
    assert geography["health_community"].tolist() == ["Tromsø", "Salten – Bodø"]
    (data / "population.csv").write_text("municipality;year;sex;age;persons\n0301;2020;F;30;100\n", encoding="utf-8")
    code, lines = run_main(monkeypatch, capsys, *as_cp1252)
    assert code == 2
    assert lines[-1].startswith(f"forlop: {data}/population.csv: the file seems to be ';'-separated: ")
