"""The closed-form Wilson and exact Poisson intervals of forlop.stats equal statsmodels' own.

forlop.stats writes these two out on scipy.special (to keep scipy.stats out of a small run's
start-up, issue 14); these tests hold them to the library they replace, over a grid that includes
0, 1, n and large counts, and to hand-worked values.
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from forlop.stats import mean_ci, poisson_rate, proportion_ci, ratio_ci, t_interval, wilson


def test_wilson_equals_statsmodels_over_a_grid() -> None:
    den = np.array([1, 2, 3, 7, 10, 50, 169, 1000, 48_211] * 4, dtype=float)
    frac = np.repeat([0.0, 0.3, 0.77, 1.0], 9)
    num = np.round(den * frac)
    low, high = wilson(num, den)
    sm_low, sm_high = proportion_confint(num, den, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, sm_low, rtol=0, atol=1e-12)
    np.testing.assert_allclose(high, sm_high, rtol=0, atol=1e-12)


def test_wilson_by_hand() -> None:
    # 3 of 10, z = 1.959964: centre = (0.3 + 0.192073) / 1.384146 = 0.355507;
    # half = 1.959964 / 1.384146 * sqrt(0.021 + 0.0096037) = 0.247708 -> [0.1078, 0.6032].
    low, high = wilson(np.array([3.0]), np.array([10.0]))
    assert low[0] == pytest.approx(0.10779, abs=1e-5)
    assert high[0] == pytest.approx(0.60322, abs=1e-5)


def test_wilson_zero_denominator_is_nan() -> None:
    low, high = proportion_ci(np.array([0.0, 1.0]), np.array([0.0, 2.0]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert 0 < low[1] < 0.5 < high[1] < 1


def test_exact_method_is_clopper_pearson() -> None:
    # 0 of 10: Clopper-Pearson upper = 1 - 0.025^(1/10) = 0.30850.
    low, high = proportion_ci(np.array([0.0]), np.array([10.0]), method="exact")
    assert low[0] == 0.0
    assert high[0] == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-9)


def test_poisson_equals_statsmodels_exact_c() -> None:
    counts = np.array([1, 2, 5, 10, 37, 250, 10_000], dtype=float)
    exposure = np.array([100, 1e4, 3e4, 1e4, 5e5, 2e6, 4e7])
    rate, low, high = poisson_rate(counts, exposure)
    sm_low, sm_high = confint_poisson(counts, exposure, method="exact-c", alpha=0.05)
    np.testing.assert_allclose(rate, counts / exposure * 1e4)
    np.testing.assert_allclose(low, np.asarray(sm_low) * 1e4, rtol=1e-10)
    np.testing.assert_allclose(high, np.asarray(sm_high) * 1e4, rtol=1e-10)


def test_poisson_zero_and_ten_by_hand() -> None:
    # 0 events: lower 0, upper chi2(0.975; 2)/2 = -ln(0.025) = 3.6889 events.
    # 10 events: Garwood limits from Poisson tables 4.7954 and 18.3904.
    rate, low, high = poisson_rate(np.array([0.0, 10.0, 3.0]), np.array([10_000.0, 10_000.0, 0.0]))
    assert low[0] == 0.0 and high[0] == pytest.approx(-np.log(0.025), abs=1e-9)
    assert low[1] == pytest.approx(4.7954, abs=1e-4) and high[1] == pytest.approx(18.3904, abs=1e-4)
    assert np.isnan(rate[2]) and np.isnan(low[2]) and np.isnan(high[2])


def test_ratio_uses_the_normal_quantile() -> None:
    # Two patients with x = 1, y = 1 and 0: R = 0.5, residuals 0.5 and -0.5, var = 2 * 0.5 / 4 = 0.25,
    # SE 0.5, half-width 1.959964 * 0.5 = 0.979982 -> [0, 1] after clipping; unclipped as a rate.
    *_, low, high = ratio_ci(np.array([1.0, 0.0]), np.array([1.0, 1.0]), np.array([0, 0]), 1, share=False)
    assert low[0] == pytest.approx(0.5 - 0.9799820, abs=1e-6)
    assert high[0] == pytest.approx(0.5 + 0.9799820, abs=1e-6)


def test_t_interval_by_hand_and_equal_to_mean_ci() -> None:
    # 1, 2, 3, 4: mean 2.5, sd 1.290994, t(3, 0.975) = 3.182446 -> 2.5 -+ 3.182446 * 1.290994 / 2 = 2.054260
    low, high = t_interval(np.array([4, 1, 0]), np.array([2.5, 7.0, np.nan]), np.array([1.290994449, np.nan, np.nan]))
    assert low[0] == pytest.approx(0.445740, abs=1e-6) and high[0] == pytest.approx(4.554260, abs=1e-6)
    assert np.isnan(low[1:]).all() and np.isnan(high[1:]).all()  # one value or none: no interval
    rng = np.random.default_rng(3)
    for size in (2, 7, 250):
        x = rng.normal(3, 2, size)
        _, ci_low, ci_high = mean_ci(x, alpha=0.1)
        many = t_interval(np.array([size]), np.array([x.mean()]), np.array([x.std(ddof=1)]), alpha=0.1)
        assert many[0][0] == pytest.approx(ci_low, abs=1e-12) and many[1][0] == pytest.approx(ci_high, abs=1e-12)
