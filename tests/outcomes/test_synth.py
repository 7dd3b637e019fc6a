"""The synthetic RPH data meets its targets (003), counted independently (tests/outcomes/counter.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from forlop.outcomes.analyse import run_analysis
from forlop.outcomes.definitions import pilot_services
from forlop.outcomes.synth import write_synthetic
from tests.outcomes import counter


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_synthetic(tmp_path_factory.mktemp("synth") / "data", seed=2013)


def test_overall_targets(data):
    total = counter.count(data)[0]
    assert 5000 <= total["referrals"] <= 7000  # a few thousand a year, two years
    assert total["self_share"] == pytest.approx(0.5, abs=0.03)
    recovery = total["recovered"] / total["recovery_den"]
    improvement = total["improved"] / total["change_den"]
    assert recovery == pytest.approx(0.45, abs=0.03)  # 003: "45% er blitt frisk"
    assert improvement == pytest.approx(0.65, abs=0.03)  # 003: "65% opplever vesentlig forbedring"


def test_real_differences_between_the_17_services(data):
    rows = pd.DataFrame(counter.count(data, by_service=True))
    assert sorted(rows["grp"]) == sorted(pilot_services()["name"])
    table = [rows["recovered"], rows["recovery_den"] - rows["recovered"]]
    assert chi2_contingency(table)[1] < 0.001  # not one common rate
    rate = rows["recovered"] / rows["recovery_den"]
    assert rate.max() - rate.min() > 0.15


def test_analysis_agrees_with_the_counter(data, tmp_path):
    result = run_analysis(data, tmp_path / "out")
    outcomes = pd.read_csv(tmp_path / "out" / "outcomes.csv").set_index(["indicator", "breakdown", "group"])
    total = counter.count(data)[0]
    assert tuple(outcomes.loc[("recovery", "all", "all"), ["numerator", "denominator"]]) == (
        total["recovered"],
        total["recovery_den"],
    )
    assert tuple(outcomes.loc[("reliable_improvement", "all", "all"), ["numerator", "denominator"]]) == (
        total["improved"],
        total["change_den"],
    )
    assert len(result.referrals) == total["referrals"]
    assert sum(c.rows_rejected for c in result.validated.counts.values()) == 0
