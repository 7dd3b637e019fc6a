"""Reading and validating the outcome tables: fatal input (exit 2, one line) and rejected rows with reasons."""

from __future__ import annotations

import copy
import subprocess
import sys

import pandas as pd
import pytest

from forlop.errors import InputError
from forlop.outcomes.reading import read_tables
from tests.outcomes import fixture


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_clean_fixture_reads_every_row(tmp_path, fmt):
    data = fixture.write(tmp_path / "data", fmt)
    v = read_tables(data, tmp_path / "out", lang="en")
    assert len(v.referrals) == 13 and len(v.sessions) == len(fixture.SESSIONS)
    assert {c.table: (c.rows_read, c.rows_used, c.rows_rejected) for c in v.counts.values()} == {
        "rph_referrals": (13, 13, 0),
        "rph_sessions": (39, 39, 0),
    }
    assert not (tmp_path / "out" / "rejected" / "rph_sessions.csv").exists()
    summary = pd.read_csv(tmp_path / "out" / "validation_summary.csv")
    assert summary["rows_read"].tolist() == [13, 39]


def test_bad_rows_go_to_rejected_with_reason_and_row(tmp_path):
    referrals = copy.deepcopy(fixture.REFERRALS)
    sessions = copy.deepcopy(fixture.SESSIONS)
    referrals.append(
        dict(referrals[0], referral_id=14, referred_on="2024-05-01", assessed_on=None, ended_on="2024-04-01")
    )  # row 14
    referrals.append(dict(referrals[0]))  # row 15: referral_id 1 again
    referrals.append(dict(referrals[0], referral_id=16, assessed_on="2023-12-01"))  # row 16
    sessions[1]["phq3"] = 4  # row 2: an item outside 0-3
    sessions.append(dict(sessions[0], referral_id=99))  # row 40: unknown referral
    sessions.append(dict(sessions[0], session_on="2023-12-31"))  # row 41: before referral 1 (2024-01-01)
    sessions.append(dict(sessions[0], referral_id=14))  # row 42: its referral was rejected
    data = fixture.write(tmp_path / "data", "csv", referrals, sessions)
    v = read_tables(data, tmp_path / "out", lang="en")
    rej_r = pd.read_csv(tmp_path / "out" / "rejected" / "rph_referrals.csv", dtype=str)
    assert rej_r[["row", "reason"]].values.tolist() == [
        ["14", "ended_on 2024-04-01 is before referred_on 2024-05-01"],
        ["15", "duplicate: referral_id = 1 already in row 1"],
        ["16", "assessed_on 2023-12-01 is before referred_on 2024-01-01"],
    ]
    rej_s = pd.read_csv(tmp_path / "out" / "rejected" / "rph_sessions.csv", dtype=str)
    assert rej_s[["row", "reason"]].values.tolist() == [
        ["2", "phq3: '4' is not one of 0, 1, 2, 3"],
        ["40", "referral_id 99 is not in rph_referrals"],
        ["41", "session_on 2023-12-31 is before the referral's referred_on 2024-01-01"],
        ["42", "referral_id 14 was rejected in rph_referrals"],
    ]
    assert rej_s.loc[0, "phq3"] == "4"  # the row as it was in the file
    counts = {c.table: (c.rows_read, c.rows_used, c.rows_rejected) for c in v.counts.values()}
    assert counts == {"rph_referrals": (16, 13, 3), "rph_sessions": (42, 38, 4)}
    assert len(v.sessions) == 38


def test_missing_table_is_fatal(tmp_path):
    data = fixture.write(tmp_path / "data", "csv")
    (data / "rph_sessions.csv").unlink()
    with pytest.raises(InputError, match="rph_sessions"):
        read_tables(data, tmp_path / "out")
    assert not (tmp_path / "out" / "clean").exists()


def test_missing_column_exits_2_with_one_line(tmp_path):
    data = fixture.write(tmp_path / "data", "csv")
    frame = pd.read_csv(data / "rph_sessions.csv", dtype=str).drop(columns=["gad4"])
    frame.to_csv(data / "rph_sessions.csv", index=False)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "forlop.cli",
            "outcomes",
            "analyse",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "out"),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"forlop: {data / 'rph_sessions.csv'}: column 'gad4': ")
    assert "Traceback" not in run.stderr


def test_item_outside_0_to_3_in_parquet_is_a_rejected_row(tmp_path):
    sessions = copy.deepcopy(fixture.SESSIONS)
    sessions[4]["gad7"] = 7  # row 5
    data = fixture.write(tmp_path / "data", "parquet", sessions=sessions)
    v = read_tables(data, tmp_path / "out", lang="nb")
    rejected = pd.read_csv(tmp_path / "out" / "rejected" / "rph_sessions.csv", dtype=str)
    # the fixture's item columns are float in Parquet (they have empty answers): 7.0 is read as 7, not 0-3
    assert rejected[["row", "reason"]].values.tolist() == [["5", "gad7: '7.0' er ikke en av 0, 1, 2, 3"]]
    assert v.counts["rph_sessions"].rows_used == 38


def test_missing_column_message(tmp_path):
    data = fixture.write(tmp_path / "data", "csv")
    frame = pd.read_csv(data / "rph_sessions.csv", dtype=str).drop(columns=["gad4"])
    frame.to_csv(data / "rph_sessions.csv", index=False)
    with pytest.raises(InputError) as error:
        read_tables(data, tmp_path / "out", lang="en")
    assert str(error.value).startswith(f"{data / 'rph_sessions.csv'}: column 'gad4': ")
    assert "\n" not in str(error.value)
