"""Direct standardisation (Fay-Feuer) and funnel limits, against hand-worked answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forlop.stats.funnel import binomial_limit, classify, funnel_limits
from forlop.stats import fay_feuer, standardised_rates


def test_one_stratum_is_the_exact_poisson_interval() -> None:
    # 10 events in 10 000 persons: 10 per 10 000; the Garwood interval from Poisson tables is
    # chi2(0.025; 20)/2 = 4.795 to chi2(0.975; 22)/2 = 18.390 events, i.e. per 10 000 the same.
    rate, low, high = fay_feuer(np.array([10]), np.array([10_000]), np.array([1.0]))
    assert rate * 1e4 == pytest.approx(10.0)
    assert low * 1e4 == pytest.approx(4.7954, abs=1e-3)
    assert high * 1e4 == pytest.approx(18.3904, abs=1e-3)


def test_two_strata_by_hand() -> None:
    # Area A: 2 events in 1000 young, 8 in 2000 old (stratum rates 0.002 and 0.004). Area B: 600
    # young, 400 old, no events. The standard (national) population is A + B: 1600 young and 2400
    # old, weights 0.4 and 0.6. DSR(A) = 0.4*0.002 + 0.6*0.004 = 0.0032 = 32 per 10 000;
    # var = 0.16*2/1000^2 + 0.36*8/2000^2 = 1.04e-6; w_M = max(0.4/1000, 0.6/2000) = 4e-4.
    from scipy.stats import chi2

    events = pd.DataFrame({"hc": ["A", "A"], "age_group": ["y", "o"], "sex": ["F", "F"], "events": [2, 8]})
    pop = pd.DataFrame({"hc": ["A", "A", "B", "B"], "age_group": ["y", "o", "y", "o"], "sex": ["F"] * 4,
                        "population": [1000, 2000, 600, 400]})
    out = standardised_rates(events, pop, "hc").set_index("hc")
    w_y, w_o = 1600 / 4000, 2400 / 4000
    dsr = w_y * 2 / 1000 + w_o * 8 / 2000  # 0.4*0.002 + 0.6*0.004 = 0.0032
    var = w_y**2 * 2 / 1000**2 + w_o**2 * 8 / 2000**2  # 0.32e-6 + 0.72e-6 = 1.04e-6
    assert out.loc["A", "rate"] == pytest.approx(32.0)
    assert dsr == pytest.approx(0.0032) and var == pytest.approx(1.04e-6)
    # The paper's chi-square form of the lower limit: var/(2 DSR) * chi2(0.025; 2 DSR^2/var).
    lower = var / (2 * dsr) * chi2.ppf(0.025, 2 * dsr**2 / var)
    w_m = max(w_y / 1000, w_o / 2000)
    upper = (var + w_m**2) / (2 * (dsr + w_m)) * chi2.ppf(0.975, 2 * (dsr + w_m) ** 2 / (var + w_m**2))
    assert out.loc["A", "rate_low"] == pytest.approx(lower * 1e4)
    assert out.loc["A", "rate_high"] == pytest.approx(upper * 1e4)
    assert 14 < out.loc["A", "rate_low"] < 32 < out.loc["A", "rate_high"] < 62
    # Crude: 10 events / 3000 persons = 33.33 per 10 000. B has no events: rate 0, lower 0.
    assert out.loc["A", "crude"] == pytest.approx(10 / 3000 * 1e4)
    assert out.loc["B", "rate"] == 0 and out.loc["B", "rate_low"] == 0 and out.loc["B", "rate_high"] > 0


def test_binomial_funnel_limits_by_hand() -> None:
    # n = 100, p0 = 0.5. Upper 95%: r = 60 (F(60) = 0.98240, F(59) = 0.97156),
    # alpha = (0.98240 - 0.975) / (0.98240 - 0.97156) = 0.6824, limit = (60 - 0.6824)/100 = 0.5932.
    # Lower 95%: r = 40 (F(40) = 0.02844, F(39) = 0.01760), alpha = 0.3176, limit = 0.3968.
    # (The normal approximation would give 0.5 +- 0.098.)
    assert binomial_limit(100, 0.5, 0.975)[0] == pytest.approx(0.59318, abs=1e-4)
    assert binomial_limit(100, 0.5, 0.025)[0] == pytest.approx(0.39682, abs=1e-4)
    limits = funnel_limits(0.5, 1000)
    assert (limits["hi99.8"] >= limits["hi95"]).all() and (limits["lo99.8"] <= limits["lo95"]).all()
    # 70/100 is above the 99.8% limit (F^-1(0.999) is about 0.65); 58/100 is inside; 5/10 inside.
    assert classify([70, 58, 5, 30], [100, 100, 10, 100], 0.5) == ["above99.8", "inside", "inside", "below99.8"]
