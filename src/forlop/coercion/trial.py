"""Evaluation of a cluster-randomised trial on monthly counts (the ReCoN design of 000).

Rules (000; issue 6; written out in docs/definitions.md, "Coercion trial"):

- A cluster's rate in a period = events in the period / person-years x 10 000, where a month with
  population N contributes N/12 person-years (so a 12-month period gives events per 10 000 inhabitants).
  For the share outcome (000's share of referrals confirmed as involuntary) the population column holds
  the denominator and the cluster's value is events / denominator x 100 (effects in percentage points).
- The effect for a later period = (change from baseline in the control arm) - (change in the
  intervention arm), in rates per 10 000; positive when the intervention arm fell more (000).
- It is estimated with a linear mixed model (statsmodels MixedLM, REML) on the cluster-period rates:
  rate ~ period + arm + period:arm with a random intercept per cluster. With 5 + 5 clusters a normal
  (Wald) interval is too narrow, so the 95% CI and p-value use Student's t with the within-cluster
  ("between-within") degrees of freedom: cluster-period rows - clusters - 2 x (periods - 1).
- The small-sample check is an exact cluster-level permutation test: every re-allocation of the
  clusters with the trial's arm sizes (C(10, 5) = 252 for ReCoN; a seeded sample of 20 000 when there
  are more), statistic = difference between arms in mean cluster change, two-sided.
- Effect size = estimate / pooled within-arm standard deviation of the cluster changes (Cohen's d on
  the cluster change scores). 000 reports an effect size beside each estimate without defining it
  (6.8 with ES 2.7); this is our reading, documented in docs/definitions.md.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLM

from forlop.coercion.design import TrialDesign
from forlop.i18n import t
from forlop.stats import poisson_rate, share_percent

MAX_ENUMERATED = 20_000
EFFECT_COLUMNS = [
    "comparison", "baseline", "period", "estimate", "ci_low", "ci_high", "p_value", "permutation_p", "effect_size",
    "se", "df", "clusters", "permutations", "unit",
]
from forlop.choices import OUTCOMES  # noqa: E402  (the --outcome values; one list)
EXPOSURE = {"rate": "person_years", "share": "denominator"}
UNIT = {"rate": "per 10 000 per year", "share": "percentage points"}


@dataclass
class TrialResult:
    """Everything the trial evaluation writes: rates, effects and notes on the fit."""

    cluster_rates: pd.DataFrame
    arm_rates: pd.DataFrame
    effects: pd.DataFrame
    notes: list[str]


def _value_with_ci(table: pd.DataFrame, outcome: str) -> tuple[np.ndarray, ...]:
    """Rate per 10 000 per year (exact Poisson CI) or share in percent (Clopper-Pearson CI)."""
    if outcome == "share":
        return share_percent(table["events"], table["denominator"])
    return poisson_rate(table["events"], table["person_years"])


def cluster_period_rates(counts: pd.DataFrame, design: TrialDesign, outcome: str = "rate") -> pd.DataFrame:
    """Return one row per cluster and period: arm, months, events, exposure, rate, ci_low, ci_high.

    For ``outcome="rate"`` the exposure is ``person_years`` (population / 12 per month) and ``rate`` is
    per 10 000 per year; for ``outcome="share"`` the ``population`` column of counts.csv holds the
    denominator (e.g. referrals), the exposure is ``denominator`` (its sum) and ``rate`` holds the share
    in percent. Months outside every period are left out; a cluster-period without data has no row.
    """
    rows = []
    for period in design.periods:
        # months are text YYYY-MM, which compare in time order
        inside = counts[(counts["month"] >= str(period.first)) & (counts["month"] <= str(period.last))]
        grouped = inside.groupby("cluster").agg(
            months=("month", "nunique"), events=("events", "sum"), population_months=("population", "sum")
        )
        grouped["period"] = period.name
        rows.append(grouped.reset_index())
    table = pd.concat(rows, ignore_index=True)
    table["arm"] = table["cluster"].map(design.arms)
    exposure = EXPOSURE[outcome]
    table[exposure] = table.pop("population_months") / (12.0 if outcome == "rate" else 1.0)
    table["rate"], table["ci_low"], table["ci_high"] = _value_with_ci(table, outcome)
    order = {p.name: i for i, p in enumerate(design.periods)}
    table = table.sort_values(["cluster", "period"], key=lambda s: s.map(order) if s.name == "period" else s)
    return table[["cluster", "arm", "period", "months", "events", exposure, "rate", "ci_low", "ci_high"]]


def arm_period_rates(cluster_rates: pd.DataFrame, design: TrialDesign, outcome: str = "rate") -> pd.DataFrame:
    """Return one row per arm and period: clusters, events, exposure, pooled rate (or share) with exact
    CI, and mean_cluster_rate (the unweighted mean of the cluster values, which the model compares)."""
    exposure = EXPOSURE[outcome]
    table = cluster_rates.groupby(["arm", "period"], sort=False).agg(
        clusters=("cluster", "nunique"), events=("events", "sum"), exposure=(exposure, "sum"),
        mean_cluster_rate=("rate", "mean"),
    ).reset_index().rename(columns={"exposure": exposure})
    table["rate"], table["ci_low"], table["ci_high"] = _value_with_ci(table, outcome)
    order = {p.name: i for i, p in enumerate(design.periods)}
    table["_arm"] = table["arm"].map({"intervention": 0, "control": 1})
    table["_period"] = table["period"].map(order)
    table = table.sort_values(["_arm", "_period"]).drop(columns=["_arm", "_period"])
    return table[["arm", "period", "clusters", "events", exposure, "rate", "ci_low", "ci_high",
                  "mean_cluster_rate"]].reset_index(drop=True)


def cluster_changes(cluster_rates: pd.DataFrame, design: TrialDesign, period: str) -> pd.DataFrame:
    """Return cluster, arm, change (rate in ``period`` - rate at baseline) for clusters with both."""
    wide = cluster_rates.pivot(index="cluster", columns="period", values="rate")
    if period not in wide or design.baseline.name not in wide:
        return pd.DataFrame(columns=["cluster", "arm", "change"])
    change = (wide[period] - wide[design.baseline.name]).dropna()
    return pd.DataFrame({"cluster": change.index, "arm": change.index.map(design.arms), "change": change.values})


def difference_in_change(changes: pd.DataFrame) -> float:
    """Return mean change in the control arm - mean change in the intervention arm."""
    means = changes.groupby("arm")["change"].mean()
    return float(means.get("control", np.nan) - means.get("intervention", np.nan))


def effect_size(changes: pd.DataFrame, estimate: float) -> float:
    """Return estimate / pooled within-arm SD of the cluster changes (NaN if the SD cannot be formed)."""
    groups = [g["change"].to_numpy() for _, g in changes.groupby("arm")]
    dof = sum(len(g) - 1 for g in groups)
    if len(groups) != 2 or dof <= 0:
        return math.nan
    pooled = math.sqrt(sum(((g - g.mean()) ** 2).sum() for g in groups) / dof)
    return estimate / pooled if pooled > 0 else math.nan


def permutation_test(changes: pd.DataFrame, seed: int = 2019) -> tuple[float, int]:
    """Return (two-sided p, number of allocations) of the cluster-level permutation test.

    Every allocation of the clusters to arms with the observed arm sizes is enumerated when there are
    at most 20 000 of them (C(10, 5) = 252), else 20 000 are drawn with ``seed``. The observed
    allocation is among them, so p >= 1 / allocations. Written with numpy: the statistic is a
    difference of means over a small matrix of allocations, no library adds anything here.
    """
    values = changes["change"].to_numpy(dtype=float)
    treated = (changes["arm"] == "intervention").to_numpy()
    n, k = len(values), int(treated.sum())
    if k == 0 or k == n:
        return math.nan, 0
    if math.comb(n, k) <= MAX_ENUMERATED:
        allocations = np.zeros((math.comb(n, k), n), dtype=bool)
        for row, chosen in enumerate(itertools.combinations(range(n), k)):
            allocations[row, list(chosen)] = True
    else:
        rng = np.random.default_rng(seed)
        allocations = np.zeros((MAX_ENUMERATED, n), dtype=bool)
        allocations[0] = treated
        for row in range(1, MAX_ENUMERATED):
            allocations[row, rng.choice(n, k, replace=False)] = True
    stat = (~allocations * values).sum(1) / (n - k) - (allocations * values).sum(1) / k
    observed = values[~treated].mean() - values[treated].mean()
    p = float(np.mean(np.abs(stat) >= abs(observed) - 1e-9))
    return p, len(allocations)


def mixed_model(cluster_rates: pd.DataFrame, design: TrialDesign, lang: str | None = None
                ) -> tuple[pd.DataFrame, list[str]]:
    """Fit rate ~ period + arm + period:arm, random intercept per cluster (MixedLM, REML).

    Return per later period: comparison, estimate (= minus the period:arm coefficient), se, df, ci_low,
    ci_high, p_value (t with the between-within df), and notes on the fit (warnings of the optimiser).
    When no degrees of freedom are left (one cluster per arm) or the model cannot be fitted, the
    estimate is the difference in mean cluster change (what the model estimates in a balanced design)
    without CI or p-value, and a note says so (notes in ``lang``; the optimiser's own warnings as
    statsmodels words them).
    """
    data = cluster_rates.dropna(subset=["rate"]).reset_index(drop=True)
    arm = (data["arm"] == "intervention").astype(float)
    exog = pd.DataFrame({"const": 1.0, "arm": arm})
    for i, period in enumerate(design.later):
        in_period = (data["period"] == period.name).astype(float)
        exog[f"period{i}"] = in_period
        exog[f"arm_period{i}"] = in_period * arm
    notes: list[str] = []
    dof = len(data) - data["cluster"].nunique() - 2 * len(design.later)
    fit = None
    if dof <= 0:
        notes.append(t("coercion.note.no_df", lang))
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = MixedLM(data["rate"].to_numpy(), exog, groups=data["cluster"].to_numpy()).fit(reml=True)
            except (np.linalg.LinAlgError, ValueError) as error:
                notes.append(t("coercion.note.no_fit", lang, error=error))
        for warning in caught:
            text = str(warning.message).splitlines()[0]
            if text not in notes:
                notes.append(text)
    t_crit = stats.t.ppf(0.975, dof) if dof > 0 else math.nan
    rows = []
    for i, period in enumerate(design.later):
        name = f"arm_period{i}"
        if fit is not None:
            estimate = -float(fit.fe_params[name])
            se = float(fit.bse_fe[name])
        else:
            estimate = difference_in_change(cluster_changes(data, design, period.name))
            se = math.nan
        rows.append({
            "comparison": f"{design.baseline.name} -> {period.name}",
            "baseline": design.baseline.name,
            "period": period.name,
            "estimate": estimate,
            "se": se,
            "df": dof,
            "ci_low": estimate - t_crit * se,
            "ci_high": estimate + t_crit * se,
            "p_value": float(2 * stats.t.sf(abs(estimate / se), dof)) if dof > 0 and se > 0 else math.nan,
        })
    return pd.DataFrame(rows), notes


def evaluate_trial(counts: pd.DataFrame, design: TrialDesign, permutation: bool = True, outcome: str = "rate",
                   lang: str | None = None) -> TrialResult:
    """Evaluate the trial: cluster and arm values per period, and one effect row per later period.

    ``outcome`` is ``rate`` (per 10 000 per year) or ``share`` (percent; effects in percentage points).
    Each arm needs a cluster with counts in the baseline and each later period (``coverage``; the
    command line checks it first).
    """
    cluster_rates = cluster_period_rates(counts, design, outcome)
    arm_rates = arm_period_rates(cluster_rates, design, outcome)
    effects, notes = mixed_model(cluster_rates, design, lang)
    extra = []
    for period in design.later:
        changes = cluster_changes(cluster_rates, design, period.name)
        estimate = float(effects.loc[effects["period"] == period.name, "estimate"].iloc[0])
        p_perm, n_perm = permutation_test(changes) if permutation else (math.nan, 0)
        extra.append({
            "period": period.name,
            "permutation_p": p_perm,
            "permutations": n_perm,
            "effect_size": effect_size(changes, estimate),
            "clusters": len(changes),
        })
    effects = effects.merge(pd.DataFrame(extra), on="period")
    effects["unit"] = UNIT[outcome]
    effects = effects[EFFECT_COLUMNS]
    return TrialResult(cluster_rates=cluster_rates, arm_rates=arm_rates, effects=effects, notes=notes)
