"""Synthetic trial: deterministic, and the estimate's 95% CI covers the true effect in ~95% of trials."""

from __future__ import annotations

import time

import pandas as pd

from forlop.coercion.design import Period, TrialDesign
from forlop.coercion.trial import evaluate_trial
from forlop.coercion.trial_synth import synthetic_trial, write_synthetic_trial

N_TRIALS = 200


def design_of(raw: dict) -> TrialDesign:
    periods = tuple(
        Period(name, pd.Period(first, freq="M"), pd.Period(last, freq="M"))
        for name, (first, last) in raw["periods"].items()
    )
    return TrialDesign(arms=raw["arms"], periods=periods)


def test_deterministic_and_shaped_like_recon(tmp_path):
    one = write_synthetic_trial(tmp_path / "a", seed=5, effect=6.8)
    two = write_synthetic_trial(tmp_path / "b", seed=5, effect=6.8)
    assert (tmp_path / "a" / "counts.csv").read_bytes() == (tmp_path / "b" / "counts.csv").read_bytes()
    assert one.design == two.design
    # 10 clusters x 36 months, 5 + 5 arms; post effect = 0.45 x 6.8 = 3.06 (trial_synth.yaml)
    assert len(one.counts) == 360
    assert sorted(one.design["arms"].values()).count("intervention") == 5
    assert one.true_effects == {"intervention": 6.8, "post": 0.45 * 6.8}


def test_coverage_of_the_95_ci_over_200_trials():
    start = time.perf_counter()
    covered = {"intervention": 0, "post": 0}
    estimates = []
    for seed in range(N_TRIALS):
        trial = synthetic_trial(seed, effect=6.8)
        effects = evaluate_trial(trial.counts, design_of(trial.design), permutation=False).effects
        for row in effects.itertuples():
            period = row.comparison.split(" -> ")[1]
            covered[period] += row.ci_low <= trial.true_effects[period] <= row.ci_high
        estimates.append(effects["estimate"].to_numpy())
    coverage = {k: v / N_TRIALS for k, v in covered.items()}
    mean_estimate = sum(estimates) / N_TRIALS
    print(f"coverage {coverage}, mean estimates {mean_estimate}, {time.perf_counter() - start:.1f} s")
    for value in coverage.values():
        assert 0.88 <= value <= 0.99
    # The mean estimate over 200 trials is near the truth (SE of the mean about 2.9 / sqrt(200) = 0.2).
    assert abs(mean_estimate[0] - 6.8) < 0.7
    assert abs(mean_estimate[1] - 3.06) < 0.7
