"""Ratio of event counts over patients: the interval treats the patient as the sampled unit."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from forlop.stats import ratio_ci, wilson

# Four patients' outpatient contacts (x) and ambulant contacts among them (y): A has most of them.
X = np.array([10.0, 1.0, 1.0, 2.0])
Y = np.array([9.0, 0.0, 0.0, 1.0])


def test_hand_worked_ratio_interval() -> None:
    # R = 10 / 14 = 5/7. Residuals y - R x: A 9 - 50/7 = 13/7; B, C -5/7; D 1 - 10/7 = -3/7.
    # Sum of squares (169 + 25 + 25 + 9) / 49 = 228/49. Var = 4/3 * (228/49) / 14^2 = 0.0316535,
    # SE = 0.1779142; 1.959964 * SE = 0.3487055. Interval 0.7142857 +- 0.3487055
    # = [0.3655802, 1.0629912], clipped to [0.3655802, 1].
    sum_y, sum_x, ratio, low, high = ratio_ci(Y, X, np.zeros(4, dtype=int), 1)
    assert sum_y[0] == 10 and sum_x[0] == 14
    assert ratio[0] == pytest.approx(0.714286, abs=1e-6)
    assert low[0] == pytest.approx(0.3655802, abs=1e-7)
    assert high[0] == 1.0
    # Contacts taken as independent (the old Wilson interval on 10 of 14) is far narrower.
    w_low, w_high = wilson(np.array([10]), np.array([14]))
    assert w_low[0] == pytest.approx(0.4535, abs=1e-3) and w_high[0] == pytest.approx(0.8828, abs=1e-3)
    assert w_high[0] - w_low[0] < 0.65 * (1.0629912 - 0.3655802)  # 0.429 against 0.697


def test_equals_statsmodels_wls_with_patient_robust_errors() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(1, 30, size=40).astype(float)
    y = rng.binomial(x.astype(int), rng.uniform(0.1, 0.9, size=40)).astype(float)
    fit = sm.WLS(y, x, weights=1 / x).fit(cov_type="HC1")
    _, _, ratio, low, high = ratio_ci(y, x, np.zeros(40, dtype=int), 1, share=False)
    assert ratio[0] == pytest.approx(fit.params[0], rel=1e-12)
    ci = fit.conf_int(alpha=0.05)[0]
    assert low[0] == pytest.approx(ci[0], rel=1e-9) and high[0] == pytest.approx(ci[1], rel=1e-9)


def test_groups_patients_without_events_and_single_patients() -> None:
    x = np.array([10.0, 1.0, 1.0, 2.0, 0.0, 5.0])
    y = np.array([9.0, 0.0, 0.0, 1.0, 0.0, 2.0])
    groups = np.array([0, 0, 0, 0, 0, 1])  # patient 5 (no contact) leaves group 0 unchanged
    _sum_y, sum_x, ratio, low, high = ratio_ci(y, x, groups, 3)
    assert low[0] == pytest.approx(0.3655802, abs=1e-7) and high[0] == 1.0
    assert ratio[1] == 0.4 and np.isnan(low[1]) and np.isnan(high[1])  # one patient: no interval
    assert sum_x[2] == 0 and np.isnan(ratio[2])  # empty group: no ratio
