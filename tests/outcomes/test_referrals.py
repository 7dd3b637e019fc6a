"""The per-referral table on the hand-made fixture: every outcome of 13 referrals worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from forlop.outcomes.reading import read_tables
from forlop.outcomes.referrals import build_referrals, session_totals
from tests.outcomes import fixture


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fixture")
    v = read_tables(fixture.write(folder / "data", "csv"), folder / "out")
    return build_referrals(v.referrals, v.sessions).set_index("referral_id")


def _value(x):
    return None if pd.isna(x) else (bool(x) if isinstance(x, (bool,)) or str(type(x)).endswith("bool_'>") else int(x))


@pytest.mark.parametrize("rid", sorted(fixture.EXPECTED))
def test_every_outcome_as_worked_out_by_hand(table, rid):
    row = table.loc[rid]
    got = tuple(_value(row[c]) for c in fixture.EXPECTED_COLUMNS)
    assert got == fixture.EXPECTED[rid]


def test_missing_item_gives_no_total(tmp_path):
    v = read_tables(fixture.write(tmp_path / "data", "csv"), tmp_path / "out")
    totals = session_totals(v.sessions)
    third = totals[(totals["referral_id"] == 3)].reset_index(drop=True)
    assert third["phq"].tolist()[:2] == [14, 11] and pd.isna(third["phq"].iloc[2])
    assert third["gad"].tolist() == [9, 7, 4]
    # the unattended follow-up of referral 11 (PHQ 20, GAD 18) is not a session with scores
    assert totals.loc[totals["referral_id"] == 11, "phq"].tolist() == [7, 6, 4]


def test_pairing_severity_and_changes(table):
    assert table.loc[4, "phq_paired"] == False and table.loc[4, "paired"] == False  # noqa: E712
    assert table.loc[13, "phq_paired"] == True and table.loc[13, "gad_paired"] == False  # noqa: E712
    assert table.loc[13, "phq_change"] == 6 and pd.isna(table.loc[13, "gad_change"])
    assert table.loc[6, "phq_change"] == -7 and table.loc[6, "gad_change"] == 6
    assert pd.isna(table.loc[8, "phq_change"])  # not finished
    assert table.loc[[1, 2, 5, 9, 11], "severity"].tolist() == [
        "moderately_severe",
        "moderately_severe",
        "mild",
        "severe",
        "mild",
    ]
    assert table.loc[10, "severity"] == "unknown"
    assert table.loc[[1, 6, 4], "age_group"].tolist() == ["30-39", "60-69", "18-29"]  # 2024-1990, -1960, -2000
    assert table.loc[10, "step"] == "none" and table.loc[10, "assessed"] == False  # noqa: E712
    assert str(table.loc[1, "first_scored_on"].date()) == "2024-01-08"
    assert str(table.loc[3, "last_scored_on"].date()) == "2024-04-10"  # GAD-7 complete that day
