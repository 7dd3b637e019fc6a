"""``forlop pathways`` end to end: validation, the three output files, and bad input (exit code 2).

The first two tests start the installed console script (``forlop``, beside the Python of the test run)
as a real process: they check the entry point, the exit code of the process and what reaches its stderr.
The others run the command in the test process (tests/cli.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.cli import forlop
from tests.pathways.conftest import write_extract
from tests.pathways.scenario import ROWS

FORLOP = str(Path(sys.executable).with_name("forlop"))


def test_pathways_command_writes_the_outputs(tmp_path):
    data = write_extract(tmp_path / "extract", ROWS)
    done = subprocess.run([FORLOP, "pathways", "--data", str(data), "--out", str(tmp_path / "out"), "--lang", "en"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "3 patients" in done.stderr
    flow = pd.read_csv(tmp_path / "out" / "cohort_flow.csv")
    assert flow.set_index("step").loc["cohort", "persons"] == 3
    patients = pd.read_parquet(tmp_path / "out" / "patients.parquet")
    assert sorted(patients.person_id) == [1, 4, 6]
    assert {"days_to_first_outpatient", "n_outpatient", "bed_days", "municipal_before_discharge"} <= set(patients.columns)
    indicators = pd.read_csv(tmp_path / "out" / "indicators.csv")
    assert list(indicators.columns) == ["indicator", "breakdown", "group", "numerator", "denominator", "value",
                                        "unit", "ci_low", "ci_high"]
    assert (tmp_path / "out" / "validated" / "clean" / "persons.parquet").exists()


def test_missing_table_is_one_line_and_exit_2(tmp_path):
    data = write_extract(tmp_path / "extract", ROWS)
    (data / "persons.parquet").unlink()
    done = subprocess.run([FORLOP, "pathways", "--data", str(data), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "persons" in done.stderr.strip().splitlines()[-1]


def test_unknown_engine_is_exit_2(tmp_path):
    data = write_extract(tmp_path / "extract", ROWS)
    done = forlop("pathways", "--data", str(data), "--out", str(tmp_path / "out"), "--engine", "x")
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == [
        "forlop: --engine: 'x' er ikke en av 'duckdb', 'pyspark'"]
