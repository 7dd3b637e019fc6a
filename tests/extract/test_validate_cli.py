"""`forlop validate` on the command line: the summary in Norwegian, exit 0; one line and exit 2 when fatal."""

import subprocess
import sys

from typer.testing import CliRunner

from forlop.cli import app
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
    done = subprocess.run(
        [sys.executable, "-c", "from forlop.cli import main; main()", "validate", "--data", str(data),
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    # Progress lines come first on stderr; the problem is the last line, and only one line.
    assert done.stderr.splitlines()[-1] == (
        f"forlop: {data}/persons.parquet|.csv: tabellen persons mangler (venter persons.parquet eller persons.csv "
        "i mappen)")
