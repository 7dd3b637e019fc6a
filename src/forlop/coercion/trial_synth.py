"""Synthetic cluster-randomised trial data with a known true effect (issue 6; modelled on 000).

Ten mid-sized municipalities with above-average rates of involuntary admission (parameters in
``forlop/coercion/trial_synth.yaml``), allocated 5 + 5 at random (stratified by size) with
``forlop.coercion.allocate``. Cluster c has a baseline rate r_c (log-normal around the mean); in
period k both arms rise by k x trend; each cluster-period gets a normal deviation; the intervention
arm's rate is lowered by the true effect E in the intervention period and by post_effect_share x E
in the post period. Monthly counts are Poisson(rate / 12 x population / 10 000).

So the true value of the estimand (difference between arms in change from baseline, per 10 000 per
year, positive when the intervention arm fell more) is E for the intervention period and
post_effect_share x E for the post period. Deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from forlop.coercion.allocate import allocate
from forlop.datafile import package_yaml


@cache
def parameters() -> dict:
    """Return the parameters of the synthetic trial (trial_synth.yaml)."""
    return package_yaml("forlop.coercion", "trial_synth.yaml")


@dataclass
class SyntheticTrial:
    """Monthly counts, the design as trial.yaml writes it, and the true effect of each later period."""

    counts: pd.DataFrame
    design: dict
    true_effects: dict[str, float]


def synthetic_trial(seed: int, effect: float) -> SyntheticTrial:
    """Draw one synthetic trial with true effect ``effect`` (per 10 000 per year) in the intervention period."""
    par = parameters()
    rng = np.random.default_rng(seed)
    n = int(par["clusters"])
    clusters = [f"K{i:02d}" for i in range(n)]
    population = rng.uniform(par["population_min"], par["population_max"], n)
    size_stratum = np.where(population >= np.median(population), "large", "small")
    arms = allocate(dict(zip(clusters, size_stratum)), seed=int(rng.integers(2**31)))
    base_rate = par["baseline_rate_mean"] * np.exp(
        rng.normal(0.0, par["cluster_log_sd"], n) - par["cluster_log_sd"] ** 2 / 2
    )
    periods = {name: [str(b) for b in bounds] for name, bounds in par["periods"].items()}
    names = list(periods)
    true_effects = {names[1]: effect}
    for name in names[2:]:
        true_effects[name] = par["post_effect_share"] * effect
    first_year = pd.Period(periods[names[0]][0], freq="M").year
    frames = []
    arm_is_intervention = np.array([arms[c] == "intervention" for c in clusters])
    for k, name in enumerate(names):
        months = pd.period_range(periods[name][0], periods[name][1], freq="M")
        rate = base_rate + k * par["trend_per_period"] + rng.normal(0.0, par["cluster_period_sd"], n)
        if k > 0:
            rate = rate - arm_is_intervention * true_effects[name]
        rate = np.maximum(rate, 0.0)
        years = np.array([m.year - first_year for m in months])
        # population[cluster, month], then Poisson counts with mean rate / 12 x population / 10 000
        pop = np.rint(population[:, None] * (1 + par["population_growth_per_year"]) ** years[None, :]).astype(int)
        events = rng.poisson(rate[:, None] / 12 * pop / 10_000)
        frames.append(
            pd.DataFrame(
                {
                    "cluster": np.repeat(clusters, len(months)),
                    "month": np.tile([str(m) for m in months], n),
                    "events": events.ravel(),
                    "population": pop.ravel(),
                }
            )
        )
    counts = pd.concat(frames, ignore_index=True).sort_values(["cluster", "month"], ignore_index=True)
    design = {"arms": arms, "periods": periods}
    return SyntheticTrial(counts=counts, design=design, true_effects=true_effects)


def write_synthetic_trial(out: Path, seed: int, effect: float) -> SyntheticTrial:
    """Write ``counts.csv``, ``trial.yaml`` and ``true_effects.csv`` to ``out``; return the trial."""
    trial = synthetic_trial(seed, effect)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    trial.counts.to_csv(out / "counts.csv", index=False)
    (out / "trial.yaml").write_text(yaml.safe_dump(trial.design, sort_keys=False, allow_unicode=True), encoding="utf-8")
    pd.DataFrame({"period": list(trial.true_effects), "true_effect": list(trial.true_effects.values())}).to_csv(
        out / "true_effects.csv", index=False
    )
    return trial
