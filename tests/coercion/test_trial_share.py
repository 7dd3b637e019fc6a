"""The share outcome of 000 (referrals confirmed as involuntary): effects in percentage points."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from forlop.coercion.design import read_counts, read_design
from forlop.coercion.trial import evaluate_trial
from tests.coercion.test_trial import DESIGN

# events = confirmed referrals, population = referrals; two one-month periods.
#   A (intervention) 5/10 = 50% -> 2/10 = 20%: -30     C (control) 4/8 = 50% -> 4/8 = 50%: 0
#   B (intervention) 6/12 = 50% -> 3/12 = 25%: -25     D (control) 3/6 = 50% -> 4/8 = 50%: 0
# Mean change: intervention -27.5, control 0: effect = 0 - (-27.5) = 27.5 percentage points.
ROWS = [
    ("A", "2018-01", 5, 10),
    ("A", "2018-02", 2, 10),
    ("B", "2018-01", 6, 12),
    ("B", "2018-02", 3, 12),
    ("C", "2018-01", 4, 8),
    ("C", "2018-02", 4, 8),
    ("D", "2018-01", 3, 6),
    ("D", "2018-02", 4, 8),
    ("D", "2018-03", 0, 0),  # a month without referrals: allowed for a share (outside the periods anyway)
    ("A", "2018-03", 3, 2),  # more confirmed than referrals: rejected
]


@pytest.fixture()
def evaluated(tmp_path):
    design_path = tmp_path / "trial.yaml"
    design_path.write_text(DESIGN, encoding="utf-8")
    counts_path = tmp_path / "counts.csv"
    pd.DataFrame(ROWS, columns=["cluster", "month", "events", "population"]).to_csv(counts_path, index=False)
    design = read_design(design_path)
    counts, rejected = read_counts(counts_path, design, outcome="share")
    return evaluate_trial(counts, design, outcome="share"), rejected


def test_share_effect_in_percentage_points(evaluated):
    result, _ = evaluated
    row = result.effects.iloc[0]
    assert row["estimate"] == pytest.approx(27.5, abs=1e-3)
    assert row["unit"] == "percentage points"
    # permutation: changes -30, -25, 0, 0; only {A,B} and {C,D} reach |27.5|: p = 2/6
    assert row["permutation_p"] == pytest.approx(1 / 3)


def test_arm_share_with_clopper_pearson_interval(evaluated):
    result, _ = evaluated
    arm = result.arm_rates.set_index(["arm", "period"]).loc[("intervention", "baseline")]
    # (5 + 6) / (10 + 12) = 50%; Clopper-Pearson: Beta(0.025; 11, 12) and Beta(0.975; 12, 11)
    assert arm["denominator"] == 22
    assert arm["rate"] == pytest.approx(50.0)
    assert arm["ci_low"] == pytest.approx(stats.beta.ppf(0.025, 11, 12) * 100)
    assert arm["ci_high"] == pytest.approx(stats.beta.ppf(0.975, 12, 11) * 100)


def test_more_events_than_denominator_is_rejected(evaluated):
    _, rejected = evaluated
    assert rejected["reason"].tolist() == ["events exceed the denominator (population column)"]
    assert rejected["row"].tolist() == [10]  # the 10th data row (header not counted, as forlop validate)
