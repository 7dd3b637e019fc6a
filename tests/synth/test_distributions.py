"""Calibrated draws: exact medians and means by construction, exact counts by choice."""

import numpy as np

from forlop.synth.distributions import choose_exact, scaled_count, skewed_values


def test_skewed_values_hit_median_and_mean_of_published_counts():
    # 001 table 4, schizophrenia: 2953 users, mean 45 and median 34 outpatient contacts.
    values = skewed_values(np.random.default_rng(1), 2953, median=34, mean=45, lo=1, hi=360)
    assert np.median(values) == 34
    assert abs(values.mean() - 45) < 0.5
    assert values.min() >= 1 and values.max() <= 360


def test_skewed_values_small_group_whole_numbers():
    # 001 table 8, severe depression: 691 users, mean 3, median 2 out-of-hours contacts.
    values = skewed_values(np.random.default_rng(2), 691, median=2, mean=3, lo=1, hi=26)
    assert values.dtype.kind == "i"
    assert np.median(values) == 2
    assert abs(values.mean() - 3) < 0.15


def test_skewed_values_days_truncated_to_the_year():
    # Days to first outpatient contact: median 7 (001 figure 15), values between day 1 and day 365.
    values = skewed_values(np.random.default_rng(3), 13507, median=7, mean=29, lo=1, hi=365)
    assert np.median(values) == 7
    assert values.max() <= 365 and values.min() >= 1
    # Half the users before day 7 and some more on day 7 itself (whole days put a bump at the median):
    # 0.5-0.62 of users is 44-54% of a cohort with 87% users, around the 45% of 001 figure 8.
    assert (values < 7).mean() < 0.5 <= (values <= 7).mean() <= 0.62


def test_choose_exact_takes_exactly_k_by_weight():
    rng = np.random.default_rng(4)
    candidates = np.arange(100)
    weights = np.where(candidates < 50, 10.0, 1.0)
    chosen = choose_exact(rng, candidates, 30, weights)
    assert len(chosen) == 30 and len(set(chosen)) == 30
    # Unweighted, 15 of the 30 would come from the first half on average (sd about 2.3); with weights
    # 10:1 about 25 do. 20 or more is far out of reach of an unweighted draw.
    assert (chosen < 50).sum() >= 20


def test_scaled_count_rounds_to_the_new_base():
    # 952 of 3289 schizophrenia patients have substance use (001 table 2); in a group of 329: 95.2 -> 95.
    assert scaled_count(952, 3289, 329) == 95
    assert scaled_count(952, 3289, 3289) == 952
