"""Bad trial input: one line and exit code 2, or rejected rows with their reason (common.md)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from forlop.coercion.design import read_counts, read_design
from forlop.errors import InputError
from tests.coercion.test_trial import DESIGN, write_trial


def run_cli(*args: str) -> subprocess.CompletedProcess:
    code = "from forlop.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)


def test_missing_column_is_one_line_exit_2(tmp_path):
    counts, design = write_trial(tmp_path)
    pd.read_csv(counts).drop(columns="population").to_csv(counts, index=False)
    done = run_cli("coercion", "trial", "--counts", str(counts), "--design", str(design), "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "column 'population': missing column" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("arms:\n  A: intervention\nperiods:\n  baseline: [2018-01, 2018-01]\n  later: [2018-02, 2018-02]\n",
         "no cluster in the control arm"),
        (DESIGN.replace("2018-02, 2018-02", "2018-02, 2018-13"), "month must be YYYY-MM"),
        (DESIGN.replace("A: intervention", "A: treated"), "must be intervention or control"),
        (DESIGN.replace("intervention: [2018-02, 2018-02]", "intervention: [2017-12, 2018-02]"),
         "starts before baseline ends"),
    ],
)
def test_bad_design(tmp_path, text, message):
    path = tmp_path / "trial.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_design(path)


def test_bad_rows_are_rejected_with_reason_and_line(tmp_path):
    counts, design_path = write_trial(tmp_path)
    table = pd.read_csv(counts, dtype=str)
    extra = pd.DataFrame([
        {"cluster": "A", "month": "2018-1", "events": "3", "population": "100"},   # line 10
        {"cluster": "Z", "month": "2018-01", "events": "3", "population": "100"},  # line 11
        {"cluster": "B", "month": "2018-03", "events": "-1", "population": "100"},  # line 12
        {"cluster": "A", "month": "2018-01", "events": "7", "population": "100"},  # line 13: duplicate
    ])
    pd.concat([table, extra]).to_csv(counts, index=False)
    used, rejected = read_counts(counts, read_design(design_path))
    assert len(used) == 8
    assert rejected[["row", "reason"]].values.tolist() == [
        [10, "month is not YYYY-MM"],
        [11, "cluster is not in the trial design"],
        [12, "events is not a whole number >= 0"],
        [13, "second row for the same cluster and month"],
    ]
    done = run_cli("coercion", "trial", "--counts", str(counts), "--design", str(design_path),
                   "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(tmp_path / "o" / "rejected" / "counts.csv")) == 4
