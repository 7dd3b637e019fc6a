"""Trial evaluation on a tiny hand-worked trial (issue 6; 000's estimand)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from forlop.coercion.design import read_counts, read_design
from forlop.stats import poisson_rate
from forlop.coercion.trial import evaluate_trial

# Four clusters, two one-month periods. Population 120 000 gives 120 000 / 12 = 10 000 person-years
# in a month, so each cluster's rate per 10 000 per year equals its count.
#   A (intervention) 20 -> 14: change -6      C (control) 25 -> 27: change +2
#   B (intervention) 30 -> 26: change -4      D (control) 15 -> 15: change  0
# Mean change: intervention -5, control +1, so the effect = 1 - (-5) = 6 (positive: intervention fell more).
DESIGN = """arms:
  A: intervention
  B: intervention
  C: control
  D: control
periods:
  baseline: [2018-01, 2018-01]
  intervention: [2018-02, 2018-02]
"""
COUNTS = {"A": (20, 14), "B": (30, 26), "C": (25, 27), "D": (15, 15)}


def write_trial(folder: Path) -> tuple[Path, Path]:
    design = folder / "trial.yaml"
    design.write_text(DESIGN, encoding="utf-8")
    rows = [
        {"cluster": c, "month": m, "events": e, "population": 120_000}
        for c, (base, later) in COUNTS.items()
        for m, e in (("2018-01", base), ("2018-02", later))
    ]
    counts = folder / "counts.csv"
    pd.DataFrame(rows).to_csv(counts, index=False)
    return counts, design


@pytest.fixture()
def result(tmp_path):
    counts_path, design_path = write_trial(tmp_path)
    design = read_design(design_path)
    counts, rejected = read_counts(counts_path, design)
    assert rejected.empty
    return evaluate_trial(counts, design)


def test_cluster_rates_equal_counts(result):
    rates = result.cluster_rates.set_index(["cluster", "period"])["rate"]
    assert rates[("A", "baseline")] == pytest.approx(20.0)
    assert rates[("C", "intervention")] == pytest.approx(27.0)


def test_arm_rate_pools_events_over_person_years(result):
    arm = result.arm_rates.set_index(["arm", "period"])
    # intervention baseline: (20 + 30) events / 20 000 person-years x 10 000 = 25
    assert arm.loc[("intervention", "baseline"), "rate"] == pytest.approx(25.0)
    assert arm.loc[("intervention", "baseline"), "person_years"] == pytest.approx(20_000)


def test_effect_estimate_ci_and_p(result):
    row = result.effects.iloc[0]
    assert row["comparison"] == "baseline -> intervention"
    assert row["estimate"] == pytest.approx(6.0, abs=1e-4)
    # Within-cluster residual variance: a cluster's change is e2 - e1 with variance 2 s^2; the pooled
    # variance of the changes is ((-6+5)^2 + (-4+5)^2 + (2-1)^2 + (0-1)^2) / 2 = 2, so s^2 = 1 and
    # SE(difference) = sqrt(2 s^2 (1/2 + 1/2)) = sqrt(2). df = 8 rows - 4 clusters - 2 = 2.
    assert row["se"] == pytest.approx(math.sqrt(2), rel=1e-3)
    assert row["df"] == 2
    half = stats.t.ppf(0.975, 2) * math.sqrt(2)  # 4.303 x 1.414 = 6.085
    assert row["ci_low"] == pytest.approx(6 - half, abs=1e-2)
    assert row["ci_high"] == pytest.approx(6 + half, abs=1e-2)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(6 / math.sqrt(2), 2), abs=1e-3)  # 0.0513


def test_permutation_p_enumerates_all_allocations(result):
    row = result.effects.iloc[0]
    # C(4,2) = 6 allocations; statistic = mean control change - mean intervention change:
    # {A,B} 6, {A,C} 0, {A,D} 2, {B,C} -2, {B,D} 0, {C,D} -6 -> |stat| >= 6 in 2 of 6: p = 1/3.
    assert row["permutations"] == 6
    assert row["permutation_p"] == pytest.approx(1 / 3)


def test_effect_size_is_estimate_over_pooled_sd_of_changes(result):
    # Pooled within-arm SD of the changes: sqrt((1 + 1 + 1 + 1) / (1 + 1)) = sqrt(2); 6 / sqrt(2) = 4.243.
    assert result.effects.iloc[0]["effect_size"] == pytest.approx(6 / math.sqrt(2), rel=1e-6)


def test_exact_poisson_interval():
    # 10 events in 20 000 person-years: rate 5 per 10 000; Garwood limits chi2(0.025; 20)/2 = 4.795 and
    # chi2(0.975; 22)/2 = 18.39 events, over 2 (units of 10 000 person-years): 2.398 and 9.195.
    rate, low, high = poisson_rate([10], [20_000])
    assert rate[0] == pytest.approx(5.0)
    assert low[0] == pytest.approx(stats.chi2.ppf(0.025, 20) / 4)
    assert low[0] == pytest.approx(2.3977, abs=1e-4)
    assert high[0] == pytest.approx(9.1952, abs=1e-4)


def test_sign_flips_when_control_falls_more(tmp_path):
    counts_path, design_path = write_trial(tmp_path)
    design_path.write_text(DESIGN.replace("A: intervention\n  B: intervention\n  C: control\n  D: control",
                                          "A: control\n  B: control\n  C: intervention\n  D: intervention"))
    design = read_design(design_path)
    counts, _ = read_counts(counts_path, design)
    assert evaluate_trial(counts, design).effects.iloc[0]["estimate"] == pytest.approx(-6.0, abs=1e-4)
