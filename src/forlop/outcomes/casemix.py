"""Case-mix adjusted recovery per service: observed vs expected from a logistic model, and the funnel.

Rules (docs/definitions.md, "Outcome monitoring (003)"):

- model: logistic regression (statsmodels ``Logit``, maximum likelihood) of ``recovered`` on the
  first PHQ-9 and GAD-7, age, sex, work status at the start (missing as its own level) and referral
  source, fitted on every referral in the recovery denominator (finished, case, paired on both) of
  all services. Service is not in the model: expected = what the service's clients would have had at
  the average service;
- per service: observed O (recovered), expected E (sum of fitted probabilities), n (denominator);
  O/E with a 95% CI from the Wilson interval of O/n divided by E/n (E taken as fixed); adjusted rate
  = O/E x the overall rate p0 (indirect standardisation), CI likewise;
- funnel: the adjusted rate against n, limits from ``forlop.stats.funnel_limits`` around p0 and the
  position from ``forlop.stats.classify`` (the adjusted count O/E x p0 x n on Bin(n, p0));
- services with fewer than ``min_finished_cases`` (20) cases in the denominator: ``too_few``, no ratio;
  when no service has that many, or the model separates perfectly, expected = the overall rate.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import Logit
from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning
from statsmodels.tools.tools import add_constant

from forlop.outcomes.definitions import definitions
from forlop.stats import classify, proportion_ci

FORMULA = "recovered ~ phq_first + gad_first + age + C(sex) + C(work) + C(source)"
COLUMNS = [
    "service",
    "cases",
    "observed",
    "expected",
    "crude_rate",
    "ratio",
    "ratio_low",
    "ratio_high",
    "adjusted_rate",
    "adjusted_low",
    "adjusted_high",
    "funnel",
    "too_few",
]


def model_frame(r: pd.DataFrame) -> pd.DataFrame:
    """The referrals of the recovery denominator with the model's variables."""
    base = r.loc[r["recovered"].notna()].copy()
    base["recovered"] = base["recovered"].astype(int)
    base["work"] = base["work_start"].fillna("unknown").astype(str)
    for column in ("phq_first", "gad_first", "age"):
        base[column] = base[column].astype(float)
    return base


def design(base: pd.DataFrame) -> pd.DataFrame:
    """The model's design matrix (``FORMULA``): constant, the three numbers, treatment-coded categories.

    Built with ``pandas.get_dummies`` instead of a patsy formula: the same matrix, several times faster at
    the benchmark's size.
    """
    categories = pd.get_dummies(base[["sex", "work", "source"]].astype(str), drop_first=True, dtype=float)
    return add_constant(pd.concat([base[["phq_first", "gad_first", "age"]], categories], axis=1), has_constant="add")


def fit_model(base: pd.DataFrame) -> Logit:
    """The fitted logistic model (statsmodels ``Logit``, Newton's method: the same maximum-likelihood fit as
    a binomial GLM, with a small Hessian per step instead of a least-squares solve over all rows)."""
    return Logit(base["recovered"], design(base)).fit(disp=0)


def casemix(r: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """(one row per service: ``COLUMNS``, the overall recovery rate p0) from the per-referral table ``r``."""
    d = definitions()
    base = model_frame(r)
    services = sorted(r["service"].astype(str).unique())
    if base.empty:
        empty = pd.DataFrame({"service": services}).reindex(columns=COLUMNS)
        empty["cases"], empty["too_few"] = 0, True
        return empty, float("nan")
    p0 = float(base["recovered"].mean())
    counts = base["service"].astype(str).value_counts()
    base["expected"] = p0  # no adjustment unless the model can be fitted (below)
    if (counts >= d["min_finished_cases"]).any():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PerfectSeparationWarning)
                model = fit_model(base)
                base["expected"] = model.predict()  # the fitted probabilities of these rows
        except (ValueError, np.linalg.LinAlgError, PerfectSeparationWarning, PerfectSeparationError):
            base["expected"] = p0  # a level without variation, or perfect separation
    g = base.groupby(base["service"].astype(str))
    out = pd.DataFrame({"cases": g.size(), "observed": g["recovered"].sum(), "expected": g["expected"].sum()})
    out = out.reindex(services).fillna({"cases": 0, "observed": 0, "expected": 0})
    out.index.name = "service"
    out = out.reset_index()
    out["cases"] = out["cases"].astype(int)
    out["observed"] = out["observed"].astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["crude_rate"] = out["observed"] / out["cases"]
        low, high = proportion_ci(out["observed"], out["cases"], method=d["share_ci_method"], alpha=d["alpha"])
        expected_rate = out["expected"] / out["cases"]
        out["ratio"] = out["crude_rate"] / expected_rate
        out["ratio_low"], out["ratio_high"] = low / expected_rate, high / expected_rate
    out["adjusted_rate"] = out["ratio"] * p0
    out["adjusted_low"], out["adjusted_high"] = out["ratio_low"] * p0, out["ratio_high"] * p0
    out["too_few"] = out["cases"] < d["min_finished_cases"]
    out["funnel"] = classify((out["adjusted_rate"] * out["cases"]).fillna(0).to_numpy(), out["cases"].to_numpy(), p0)
    few = out["too_few"]
    out.loc[few, ["ratio", "ratio_low", "ratio_high", "adjusted_rate", "adjusted_low", "adjusted_high"]] = np.nan
    out.loc[few, "funnel"] = "too_few"
    return out[COLUMNS], p0
