"""Case-mix adjusted comparison of units (health trusts) with the national value of their sector.

Rules (docs/definitions.md, "Unit comparison"; settings in ``units.yaml``):

- per sector (PHV, TSB; AS has no unit), the respondents with the score and every covariate present
  (listwise deletion) are the national sample of the sector. The case-mix model is an OLS regression
  of the score on the patient-mix covariates only, never on the unit (statsmodels formula API;
  non-numeric covariates as treatment-coded categories ``C(...)``): what a respondent would score at
  the average unit of the sector;
- per unit: n respondents, observed O = mean score, expected E = mean of the model's predictions for
  them, adjusted = national mean + (O - E) (indirect standardisation on the score's scale); the
  national mean is the sector's mean score, which is also the mean of all predictions;
- 95 % interval of the adjusted value: national mean + the t interval of the mean of the unit's
  residuals (statsmodels ``DescrStatsW.tconfint_mean``: mean +- t(n - 1) sd / sqrt(n)), E taken as
  fixed as in forlop.outcomes.casemix; flag ``higher`` when the interval lies above the national
  mean, ``lower`` below it, ``as_expected`` when it contains it, ``too_few`` (no estimate) when
  n < ``min_n`` (30);
- funnel (:func:`unit_funnel`): adjusted value against n, limits national mean +- z_p sigma / sqrt(n)
  with sigma the residual standard deviation of the sector's model (sqrt of statsmodels' ``scale``),
  at forlop.stats.funnel's levels (95 %, 99.8 %): Spiegelhalter (2005), normal outcomes.
  forlop.stats.funnel itself has binomial limits for shares only, so the normal limits are here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
import yaml
from statsmodels.stats.weightstats import DescrStatsW

from forlop.errors import DataError
from forlop.stats import funnel_limits_mean
from forlop.stats.funnel import LEVELS

COLUMNS = ["score", "sector", "unit", "n", "observed", "expected", "adjusted", "ci_low", "ci_high", "flag"]
FUNNEL_COLUMNS = ["score", "sector", "n", "target", "sigma", *[f"{s}{k}" for k in LEVELS for s in ("lo", "hi")]]


@cache
def settings() -> dict:
    """``units.yaml`` as a dict (see the file for what each entry means)."""
    with resources.files("forlop.survey").joinpath("units.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass(frozen=True)
class SectorFit:
    """The case-mix model of one sector: the rows it used (with ``expected``), national mean, sigma."""

    sector: str
    rows: pd.DataFrame
    national: float
    sigma: float


def formula(score: str, covariates: list[str], data: pd.DataFrame) -> str:
    """The model formula: the score on the covariates, non-numeric ones as categories."""
    terms = [
        f'Q("{c}")' if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
        else f'C(Q("{c}"))'
        for c in covariates
    ]  # fmt: skip
    return f'Q("{score}") ~ ' + (" + ".join(terms) if terms else "1")


def fit_sectors(respondents: pd.DataFrame, score: str, covariates: list[str]) -> list[SectorFit]:
    """One fitted case-mix model per sector that has units (listwise deletion on score and covariates)."""
    for column in ["sector", "unit", score, *covariates]:
        if column not in respondents.columns:
            raise DataError("survey.weights.column", table="respondents", column=column)
    fits = []
    for sector in sorted(respondents["sector"].dropna().astype(str).unique()):
        rows = respondents.loc[respondents["sector"].astype(str) == sector]
        if rows["unit"].isna().all():
            continue  # AS: no unit
        used = rows.dropna(subset=[score, *covariates]).copy()
        for column in covariates:  # patsy reads a pandas categorical by its codes, an object column value by value
            if not pd.api.types.is_numeric_dtype(used[column]) or pd.api.types.is_bool_dtype(used[column]):
                used[column] = used[column].astype(str).astype("category")
        if used.empty:
            fits.append(SectorFit(sector, used.assign(expected=np.nan), float("nan"), float("nan")))
            continue
        model = smf.ols(formula(score, covariates, used), data=used).fit()
        used["expected"] = np.asarray(model.fittedvalues, dtype=float)
        sigma = float(np.sqrt(model.scale)) if model.df_resid > 0 else float("nan")
        fits.append(SectorFit(sector, used, float(used[score].mean()), sigma))
    return fits


def compare_units(respondents: pd.DataFrame, score: str, covariates: list[str],
                  min_n: int | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per sector and unit: the rows of ``OUT/units.csv`` (``COLUMNS``); rules in the module doc.

    ``respondents``: survey-analyse's respondents frame (sector, unit, the score, the covariates);
    ``min_n``: fewest respondents for an estimate (None: ``units.yaml``, 30). Units are every unit of
    the sector's respondents, also one without a complete row (n = 0, too_few).
    """
    s = settings()
    min_n = int(s["min_n"]) if min_n is None else min_n
    alpha = float(s["alpha"])
    out = []
    for fit in fit_sectors(respondents, score, covariates):
        units = respondents.loc[respondents["sector"].astype(str) == fit.sector, "unit"].dropna().astype(str)
        used = fit.rows.loc[fit.rows["unit"].notna()]
        by_unit = dict(tuple(used.groupby(used["unit"].astype(str))))
        for unit in sorted(units.unique()):
            rows = by_unit.get(unit, used.iloc[:0])
            n = len(rows)
            row = {"score": score, "sector": fit.sector, "unit": unit, "n": n}
            if n < min_n or n == 0:
                out.append({**row, "flag": "too_few"})
                continue
            observed, expected = float(rows[score].mean()), float(rows["expected"].mean())
            adjusted = fit.national + observed - expected
            low = high = float("nan")
            if n > 1:
                residual = rows[score].to_numpy(dtype=float) - rows["expected"].to_numpy(dtype=float)
                low, high = (fit.national + float(v) for v in DescrStatsW(residual).tconfint_mean(alpha=alpha))
            flag = "higher" if low > fit.national else "lower" if high < fit.national else "as_expected"
            out.append({**row, "observed": observed, "expected": expected, "adjusted": adjusted,
                        "ci_low": low, "ci_high": high, "flag": flag})  # fmt: skip
    table = pd.DataFrame(out, columns=COLUMNS)
    table["n"] = table["n"].astype(int)
    return table


def unit_funnel(respondents: pd.DataFrame, score: str, covariates: list[str]) -> pd.DataFrame:
    """Funnel-plot limits per sector for the adjusted values of :func:`compare_units` (``FUNNEL_COLUMNS``):
    on a grid of n from 1 to the largest unit (``funnel_points`` points, geometric as forlop.stats.funnel),
    around the national mean with sigma the residual standard deviation of the sector's case-mix model."""
    points = int(settings()["funnel_points"])
    frames = []
    for fit in fit_sectors(respondents, score, covariates):
        largest = int(fit.rows["unit"].dropna().astype(str).value_counts().max()) if len(fit.rows) else 1
        grid = np.unique(np.round(np.geomspace(1, max(largest, 2), points)).astype(int))
        limits = funnel_limits_mean(fit.national, fit.sigma, grid)
        limits.insert(0, "sigma", fit.sigma)
        limits.insert(0, "target", fit.national)
        limits.insert(0, "sector", fit.sector)
        limits.insert(0, "score", score)
        frames.append(limits)
    if not frames:
        return pd.DataFrame(columns=FUNNEL_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["n"] = table["n"].astype(int)
    return table[FUNNEL_COLUMNS]
