"""Bad trial input: one line and exit code 2, or rejected rows with their reason (common.md)."""

from __future__ import annotations


import pandas as pd
import pytest

from forlop.coercion.design import read_counts, read_design
from forlop.errors import InputError
from tests.cli import forlop as run_cli
from tests.coercion.test_trial import DESIGN, write_trial


def test_missing_column_is_one_line_exit_2(tmp_path):
    counts, design = write_trial(tmp_path)
    pd.read_csv(counts).drop(columns="population").to_csv(counts, index=False)
    done = run_cli("coercion", "trial", "--counts", str(counts), "--design", str(design), "--out", str(tmp_path / "o"))
    assert done.exit_code == 2
    assert "Traceback" not in done.stderr
    assert "column 'population': kolonnen mangler" in done.stderr
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
        read_design(path, "en")


def test_bad_rows_are_rejected_with_reason_and_line(tmp_path):
    counts, design_path = write_trial(tmp_path)
    table = pd.read_csv(counts, dtype=str)
    extra = pd.DataFrame([
        {"cluster": "A", "month": "2018-1", "events": "3", "population": "100"},   # data row 9 (header not counted, as forlop validate)
        {"cluster": "Z", "month": "2018-01", "events": "3", "population": "100"},  # row 10
        {"cluster": "B", "month": "2018-03", "events": "-1", "population": "100"},  # row 11
        {"cluster": "A", "month": "2018-01", "events": "7", "population": "100"},  # row 12: duplicate
    ])
    pd.concat([table, extra]).to_csv(counts, index=False)
    used, rejected = read_counts(counts, read_design(design_path))
    assert len(used) == 8
    assert rejected[["row", "reason"]].values.tolist() == [
        [9, "month is not YYYY-MM"],
        [10, "cluster is not in the trial design"],
        [11, "events is not a whole number >= 0"],
        [12, "second row for the same cluster and month"],
    ]
    done = run_cli("coercion", "trial", "--counts", str(counts), "--design", str(design_path),
                   "--out", str(tmp_path / "o"))
    assert done.exit_code == 0, done.stderr
    written = pd.read_csv(tmp_path / "o" / "rejected" / "counts.csv")
    assert list(written.columns) == ["cluster", "month", "events", "population", "reason", "row"]  # as validate
    assert written["row"].tolist() == [9, 10, 11, 12]
    # 8 usable + 4 rejected rows were read; stderr says how many and where
    assert f"4 av 12 rader avvist; årsakene står i {tmp_path / 'o' / 'rejected' / 'counts.csv'}" in done.stderr


def _counts(path, rows):
    pd.DataFrame(rows, columns=["cluster", "month", "events", "population"]).to_csv(path, index=False)


def test_arm_without_comparable_cluster_stops_with_one_line(tmp_path):
    _, design = write_trial(tmp_path)
    counts = tmp_path / "few.csv"
    # A has both months; C has the baseline only; B and D have no rows; one row names an unknown cluster.
    _counts(counts, [("A", "2018-01", 20, 120_000), ("A", "2018-02", 14, 120_000), ("C", "2018-01", 25, 120_000),
                     ("Z", "2018-01", 1, 120_000)])
    done = run_cli("coercion", "trial", "--counts", str(counts), "--design", str(design), "--out", str(tmp_path / "o"))
    assert done.exit_code == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    # the rejected row (data row 4) is reported first, then the one error line, nothing is evaluated
    assert lines[0] == f"1 av 4 rader avvist; årsakene står i {tmp_path / 'o' / 'rejected' / 'counts.csv'}"
    assert lines[1] == (f"forlop: {counts}: armen Kontroll har ingen klynge med tall både i baseline og i intervention "
                        "(uten tall der: C, D); 2 av 4 klynger i designet har ingen tall i noen periode: B, D")
    assert len(lines) == 2
    assert not (tmp_path / "o" / "effects.csv").exists()
    assert pd.read_csv(tmp_path / "o" / "rejected" / "counts.csv")["row"].tolist() == [4]


def test_missing_clusters_are_named_when_the_trial_can_run(tmp_path):
    _, design = write_trial(tmp_path)
    counts = tmp_path / "gaps.csv"
    # D has the baseline only: control is C alone in the comparison, so 3 clusters have a change.
    _counts(counts, [("A", "2018-01", 20, 120_000), ("A", "2018-02", 14, 120_000), ("B", "2018-01", 30, 120_000),
                     ("B", "2018-02", 26, 120_000), ("C", "2018-01", 25, 120_000), ("C", "2018-02", 27, 120_000),
                     ("D", "2018-01", 15, 120_000)])
    out = tmp_path / "o"
    done = run_cli("coercion", "trial", "--counts", str(counts), "--design", str(design), "--out", str(out),
                   "--lang", "en")
    assert done.exit_code == 0, done.stderr
    assert "No rows rejected (7 rows used)" in done.stderr
    assert "Control: 1 of 2 clusters have counts in every period; missing counts in at least one period: D" in done.stderr
    assert "Intervention:" not in done.stderr  # both intervention clusters are complete
    assert "Computing the mixed model and the permutation test" in done.stderr
    effects = pd.read_csv(out / "effects.csv")
    # changes: A -6, B -4 (intervention), C +2 (control): 3 clusters in the comparison and in the permutation
    # test, which has C(3, 2) = 3 allocations.
    assert effects.loc[0, "clusters"] == 3
    assert effects.loc[0, "permutations"] == 3
    assert effects.loc[0, ["baseline", "period"]].tolist() == ["baseline", "intervention"]
