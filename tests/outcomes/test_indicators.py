"""outcomes.csv on the hand-made fixture: totals worked out by hand from fixture.EXPECTED."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from forlop.outcomes.indicators import compute_indicators, work_transitions
from forlop.outcomes.reading import read_tables
from forlop.outcomes.referrals import build_referrals
from tests.outcomes import fixture


@pytest.fixture(scope="module")
def referrals(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fixture")
    v = read_tables(fixture.write(folder / "data", "csv"), folder / "out")
    return build_referrals(v.referrals, v.sessions)


@pytest.fixture(scope="module")
def table(referrals):
    return compute_indicators(referrals).set_index(["indicator", "breakdown", "group"])


# (numerator, denominator) by hand: 13 referrals; R10 never assessed or treated; finished: 1-7, 11-13 but not
# 8 (one treatment session) or 9 (open) -> 10; first score: all but R10 -> 12, cases all but R5 -> 11; paired on
# both among finished: 1, 2, 3, 5, 6, 7, 11, 12 -> 8 (4 single session, 13 no GAD); recovery base = those 8
# minus R5 (not a case) -> 7, recovered 1, 11, 12; reliably improved 1, 2, 3, 5, 11; deteriorated 7; reliably
# recovered 1, 11; waits of the 12 treated: only R12 (152 days) beyond 42 and 126 days.
SHARES = {
    "assessed": (12, 13),
    "entered_treatment": (12, 13),
    "finished_treatment": (10, 13),
    "caseness": (11, 12),
    "paired": (8, 10),
    "recovery": (3, 7),
    "reliable_improvement": (5, 8),
    "reliable_deterioration": (1, 8),
    "reliable_recovery": (2, 7),
    "seen_within_6_weeks": (11, 12),
    "seen_within_18_weeks": (11, 12),
}


@pytest.mark.parametrize("name", sorted(SHARES))
def test_total_shares(table, name):
    row = table.loc[(name, "all", "all")]
    assert (row["numerator"], row["denominator"]) == SHARES[name]
    assert row["value"] == pytest.approx(100 * SHARES[name][0] / SHARES[name][1])
    assert row["unit"] == "share"


def test_wilson_interval_of_recovery(table):
    # Wilson 95% for 3/7: centre (3 + z²/2)/(7 + z²), half-width z/(7 + z²)·sqrt(3·4/7 + z²/4)
    z = 1.959963984540054
    centre = (3 + z * z / 2) / (7 + z * z)
    half = z / (7 + z * z) * math.sqrt(3 * 4 / 7 + z * z / 4)
    row = table.loc[("recovery", "all", "all")]
    assert row["ci_low"] == pytest.approx(100 * (centre - half))
    assert row["ci_high"] == pytest.approx(100 * (centre + half))


def test_waiting_median_and_mean_changes(table):
    # days to first treatment: 16 16 18 18 19 19 | 21 24 26 26 33 152 -> median (19 + 21) / 2
    assert table.loc[("median_days_to_first_treatment", "all", "all"), "value"] == 20
    # PHQ-9 first - last of finished referrals paired on PHQ: 9 6 3 5 -7 -7 3 3 6 (R1-3, 5-7, 11-13)
    phq = table.loc[("mean_change_phq", "all", "all")]
    assert (phq["numerator"], phq["denominator"]) == (21, 9) and phq["value"] == pytest.approx(21 / 9)
    # their first PHQ-9: 15 18 14 8 12 10 7 11 13: mean 12, sum of squares 96, SD sqrt(12)
    assert table.loc[("effect_size_phq", "all", "all"), "value"] == pytest.approx(21 / 9 / math.sqrt(12))
    gad = table.loc[("mean_change_gad", "all", "all")]
    assert (gad["numerator"], gad["denominator"], gad["value"]) == (32, 8, 4)


def test_breakdowns(table):
    # service A: 1 2 3 4 9 11 13; recovery base 1 2 3 11 -> recovered 1, 11
    assert tuple(table.loc[("recovery", "service", "A"), ["numerator", "denominator"]]) == (2, 4)
    assert tuple(table.loc[("recovery", "service", "B"), ["numerator", "denominator"]]) == (1, 3)
    assert table.loc[("referrals", "source", "self"), "numerator"] == 9  # 1 3 4 5 7 9 10 11 13
    assert table.loc[("referrals", "source", "gp"), "numerator"] == 3  # 2, 6, 12
    assert table.loc[("referrals", "source", "other"), "numerator"] == 1  # 8
    assert tuple(table.loc[("reliable_improvement", "severity", "mild"), ["numerator", "denominator"]]) == (2, 2)
    breakdowns = set(table.index.get_level_values("breakdown"))
    assert breakdowns == {"all", "service", "step", "source", "sex", "age_group", "severity"}
    # every breakdown's referral counts add up to the total
    counts = table.xs("referrals")["numerator"]
    for breakdown in breakdowns:
        assert counts.xs(breakdown).sum() == 13


def test_work_transitions(referrals):
    got = work_transitions(referrals)
    assert got.values.tolist() == [
        ["sick_leave", "sick_leave", 1],
        ["sick_leave", "working", 1],
        ["unemployed", "working", 1],
        ["working", "working", 1],
    ]
    assert isinstance(got, pd.DataFrame)
