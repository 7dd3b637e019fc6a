"""The indicators of outcome monitoring (``outcomes.csv``), with breakdowns and 95% confidence intervals.

One row per indicator x breakdown x group: ``indicator, breakdown, group, numerator, denominator,
value, ci_low, ci_high, unit`` (DESIGN.md, "Outcome monitoring"; ``unit`` as ``forlop.privacy``
expects: ``count``, ``share`` (value and CI in percent), ``mean``, ``median``). The total is
``all``/``all``. Definitions in docs/definitions.md, "Outcome monitoring (003)":

- counts: ``referrals``;
- shares (numerator / denominator, Wilson CI from ``forlop.stats.proportion_ci``): ``assessed``,
  ``entered_treatment``, ``finished_treatment`` (of referrals), ``caseness`` (of referrals with a first
  score), ``paired`` (data completeness: of finished), ``recovery``, ``reliable_recovery`` (of finished
  cases paired on both), ``reliable_improvement``, ``reliable_deterioration`` (of finished paired on
  both), ``seen_within_6_weeks``, ``seen_within_18_weeks`` (of referrals that entered treatment);
- ``median_days_to_first_treatment``: median (pandas "linear", ``forlop.stats.QUANTILE_METHOD``) with
  the distribution-free CI of the median from binomial order statistics (scipy ``quantile_test``);
- ``mean_change_phq``/``mean_change_gad``: first - last among finished referrals paired on the measure,
  t interval (``forlop.stats.mean_ci``); ``effect_size_phq``/``effect_size_gad``: mean change / SD of the
  first scores of the same referrals, CI = the mean change's CI / that SD (approximate: the SD is taken
  as known). numerator = sum of the values, denominator = number of referrals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forlop.outcomes.definitions import definitions, measures
from forlop.stats import mean_ci, median_ci, proportion_ci

BREAKDOWNS = ["service", "step", "source", "sex", "age_group", "severity"]
COLUMNS = ["indicator", "breakdown", "group", "numerator", "denominator", "value", "ci_low", "ci_high", "unit"]
SHARES = [
    "assessed",
    "entered_treatment",
    "finished_treatment",
    "caseness",
    "paired",
    "recovery",
    "reliable_improvement",
    "reliable_deterioration",
    "reliable_recovery",
    "seen_within_6_weeks",
    "seen_within_18_weeks",
]


def share_flags(r: pd.DataFrame) -> pd.DataFrame:
    """Per referral, one nullable boolean per share indicator: NA = not in its denominator."""
    d = definitions()
    finished = r["finished_treatment"].astype(bool)
    entered = r["entered_treatment"].astype(bool)
    days = r["days_to_first_treatment"]
    flags = {
        "assessed": r["assessed"].astype("boolean"),
        "entered_treatment": entered.astype("boolean"),
        "finished_treatment": finished.astype("boolean"),
        "caseness": r["caseness"].astype("boolean"),
        "paired": r["paired"].astype("boolean").where(finished, pd.NA),
        "recovery": r["recovered"],
        "reliable_improvement": r["reliably_improved"],
        "reliable_deterioration": r["reliably_deteriorated"],
        "reliable_recovery": r["reliably_recovered"],
    }
    for name, limit in d["wait_days"].items():
        flags[name] = (days <= limit).astype("boolean").where(entered, pd.NA)
    return pd.DataFrame({k: flags[k].astype("boolean") for k in SHARES}, index=r.index)


def _shares(flags: pd.DataFrame, keys: pd.Series, breakdown: str) -> pd.DataFrame:
    num = flags.fillna(False).astype("int64").groupby(keys, sort=True, observed=True).sum()
    den = flags.notna().astype("int64").groupby(keys, sort=True, observed=True).sum()
    long = pd.DataFrame({"numerator": num.stack(), "denominator": den.stack()}).reset_index()
    long.columns = ["group", "indicator", "numerator", "denominator"]
    long["group"] = long["group"].astype(str)
    long["breakdown"] = breakdown
    low, high = proportion_ci(
        long["numerator"], long["denominator"], method=definitions()["share_ci_method"], alpha=definitions()["alpha"]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        long["value"] = np.where(long["denominator"] > 0, long["numerator"] / long["denominator"] * 100, np.nan)
    long["ci_low"], long["ci_high"], long["unit"] = low * 100, high * 100, "share"
    return long


def _statistics(r: pd.DataFrame, keys: pd.Series, breakdown: str) -> pd.DataFrame:
    """Medians, mean changes and effect sizes per group (a loop over the groups of one breakdown)."""
    alpha = definitions()["alpha"]
    rows = []
    columns = ["days_to_first_treatment"] + [f"{k}_{c}" for k in measures() for c in ("change", "first")]
    for group, part in r[columns].groupby(keys, sort=True, observed=True):  # only the columns used: less copying
        days = part["days_to_first_treatment"].dropna().to_numpy(float)
        median, low, high = median_ci(days, alpha)
        rows.append(("median_days_to_first_treatment", group, np.nan, len(days), median, low, high, "median"))
        for key in measures():
            change = part[f"{key}_change"].dropna()
            mean, low, high = mean_ci(change.to_numpy(float), alpha)
            rows.append((f"mean_change_{key}", group, change.sum(), len(change), mean, low, high, "mean"))
            sd = part.loc[change.index, f"{key}_first"].astype(float).std(ddof=1) if len(change) > 1 else np.nan
            scale = sd if sd and np.isfinite(sd) and sd > 0 else np.nan
            rows.append(
                (f"effect_size_{key}", group, np.nan, len(change), mean / scale, low / scale, high / scale, "mean")
            )
    out = pd.DataFrame(
        rows, columns=["indicator", "group", "numerator", "denominator", "value", "ci_low", "ci_high", "unit"]
    )
    out["breakdown"] = breakdown
    return out


def compute_indicators(r: pd.DataFrame) -> pd.DataFrame:
    """``outcomes.csv`` from the per-referral table ``r`` (see the module docstring)."""
    flags = share_flags(r)
    parts = []
    for breakdown in ["all"] + BREAKDOWNS:
        keys = pd.Series("all", index=r.index) if breakdown == "all" else r[breakdown].astype(str)
        keys = keys.astype("category")  # factorised once for the three groupings below
        count = keys.value_counts().sort_index()
        count = count[count > 0]
        parts.append(
            pd.DataFrame(
                {
                    "indicator": "referrals",
                    "breakdown": breakdown,
                    "group": count.index,
                    "numerator": count.values,
                    "denominator": np.nan,
                    "value": count.values,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "unit": "count",
                }
            )
        )
        parts.append(_shares(flags, keys, breakdown))
        parts.append(_statistics(r, keys, breakdown))
    out = pd.concat(parts, ignore_index=True)[COLUMNS]
    rank_i = out["indicator"].map({name: i for i, name in enumerate(indicator_order())})
    rank_b = out["breakdown"].map({name: i for i, name in enumerate(["all"] + BREAKDOWNS)})
    out = out.assign(_i=rank_i, _b=rank_b).sort_values(["_i", "_b", "group"], kind="stable")
    return out.drop(columns=["_i", "_b"]).reset_index(drop=True)


def indicator_order() -> list[str]:
    """The indicators in the order of the issue (and of the report)."""
    return (
        ["referrals"]
        + SHARES
        + ["median_days_to_first_treatment"]
        + [f"mean_change_{k}" for k in measures()]
        + [f"effect_size_{k}" for k in measures()]
    )


def work_transitions(r: pd.DataFrame) -> pd.DataFrame:
    """Finished referrals with work status recorded at both ends: count of each start -> end pair."""
    done = r.loc[r["finished_treatment"].astype(bool) & r["work_start"].notna() & r["work_end"].notna()]
    table = done.groupby(["work_start", "work_end"]).size().rename("referrals").reset_index()
    return table.sort_values(["work_start", "work_end"]).reset_index(drop=True)
