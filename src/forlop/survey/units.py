"""Case-mix adjusted comparison of units (health trusts) with the national value of their sector.

Rules (docs/definitions.md, "Unit comparison"; settings in ``units.yaml``):

- per sector (PHV, TSB; AS has no unit), the respondents with the score and every covariate present
  (listwise deletion) are the national sample of the sector. The case-mix model is an OLS regression
  of the score on the patient-mix covariates only, never on the unit (statsmodels OLS on the matrix of
  :func:`design`; non-numeric covariates as treatment-coded categories, as the formula ``C(...)``):
  what a respondent would score at the average unit of the sector;
- per unit: n respondents, observed O = mean score, expected E = mean of the model's predictions for
  them, adjusted = national mean + (O - E) (indirect standardisation on the score's scale); the
  national mean is the sector's mean score, which is also the mean of all predictions;
- 95 % interval of the adjusted value: national mean + the t interval of the mean of the unit's residuals
  (mean +- t(n - 1) sd / sqrt(n), statsmodels' ``tconfint_mean`` as forlop.stats.t_interval computes it for
  all units at once), E taken as fixed as in forlop.outcomes.casemix; flag ``higher`` when the interval lies
  above the national mean, ``lower`` below it, ``as_expected`` when it contains it, ``too_few`` (no estimate)
  when n < ``min_n`` (30);
- funnel (:func:`unit_funnel`): adjusted value against n, limits national mean +- z_p sigma / sqrt(n)
  with sigma the residual standard deviation of the sector's model (sqrt of statsmodels' ``scale``),
  at forlop.stats.funnel's levels (95 %, 99.8 %): Spiegelhalter (2005), normal outcomes.
  forlop.stats.funnel itself has binomial limits for shares only, so the normal limits are here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS

from forlop.datafile import package_yaml
from forlop.errors import DataError
from forlop.stats import funnel_limits_mean, t_interval
from forlop.stats.funnel import LEVELS

COLUMNS = ["score", "sector", "unit", "n", "observed", "expected", "adjusted", "ci_low", "ci_high", "flag"]
FUNNEL_COLUMNS = ["score", "sector", "n", "target", "sigma", *[f"{s}{k}" for k in LEVELS for s in ("lo", "hi")]]


@cache
def settings() -> dict:
    """``units.yaml`` as a dict (see the file for what each entry means)."""
    return package_yaml("forlop.survey", "units.yaml")


@dataclass(frozen=True)
class SectorFit:
    """The case-mix model of one sector: the rows it used (unit, score, covariates, ``expected``), national
    mean, sigma."""

    sector: str
    rows: pd.DataFrame
    national: float
    sigma: float


def design(used: pd.DataFrame, covariates: list[str]) -> np.ndarray:
    """The model matrix: an intercept, then each covariate; a non-numeric (or bool) one as treatment-coded
    dummies of its values as text, sorted, the first left out (the coding of the formula ``C(...)``).

    Built here rather than by patsy from a formula: patsy's formula machinery cost more than the fits
    themselves (the same matrix, so the same statsmodels fit)."""
    columns = [np.ones(len(used))]
    for column in covariates:
        values = used[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            columns.append(values.to_numpy(dtype=float))
            continue
        levels = pd.Categorical(values.astype(str))
        columns.extend((levels.codes == k).astype(float) for k in range(1, len(levels.categories)))
    return np.column_stack(columns)


def fit_sectors(respondents: pd.DataFrame, score: str, covariates: list[str]) -> list[SectorFit]:
    """One fitted case-mix model per sector that has units (listwise deletion on score and covariates):
    statsmodels OLS of the score on :func:`design`, with one BLAS thread: OpenBLAS's worker threads,
    spinning on 2 cores shared with other processes, burned up to 2 s of CPU time for 0.2 s of work
    (as in forlop.survey.models)."""
    from threadpoolctl import threadpool_limits

    for column in ["sector", "unit", score, *covariates]:
        if column not in respondents.columns:
            raise DataError("survey.weights.column", table="respondents", column=column)
    fits = []
    with threadpool_limits(limits=1, user_api="blas"):
        for sector in sorted(respondents["sector"].dropna().astype(str).unique()):
            rows = respondents.loc[respondents["sector"].astype(str) == sector]
            if rows["unit"].isna().all():
                continue  # AS: no unit
            fits.append(_fit_sector(sector, rows, score, covariates))
    return fits


def _fit_sector(sector: str, rows: pd.DataFrame, score: str, covariates: list[str]) -> SectorFit:
    """The case-mix model of one sector's ``rows`` (:func:`fit_sectors`)."""
    used = rows.dropna(subset=[score, *covariates])[list(dict.fromkeys(["unit", score, *covariates]))].copy()
    if used.empty:
        return SectorFit(sector, used.assign(expected=np.nan), float("nan"), float("nan"))
    model = OLS(used[score].to_numpy(dtype=float), design(used, covariates)).fit()
    used["expected"] = np.asarray(model.fittedvalues, dtype=float)
    sigma = float(np.sqrt(model.scale)) if model.df_resid > 0 else float("nan")
    return SectorFit(sector, used, float(used[score].mean()), sigma)


def _unit_rows(fit: SectorFit, score: str, units: list[str], min_n: int, alpha: float) -> pd.DataFrame:
    """The ``COLUMNS`` rows of one sector's ``units`` (module docstring): n, O, E and the residuals' mean
    and sd per unit in one group-by, their t interval by :func:`forlop.stats.t_interval`."""
    used = fit.rows.loc[fit.rows["unit"].notna()]
    observed = used[score].to_numpy(dtype=float)
    expected = used["expected"].to_numpy(dtype=float)
    per_unit = (
        pd.DataFrame({"observed": observed, "expected": expected, "residual": observed - expected})
        .groupby(used["unit"].astype(str).to_numpy())
        .agg(n=("observed", "size"), observed=("observed", "mean"), expected=("expected", "mean"),
             residual=("residual", "mean"), sd=("residual", "std"))
        .reindex(units)
    )  # fmt: skip
    n = per_unit["n"].fillna(0).astype(int).to_numpy()
    low, high = t_interval(n, per_unit["residual"], per_unit["sd"], alpha)
    table = pd.DataFrame({"score": score, "sector": fit.sector, "unit": units, "n": n})
    table["observed"], table["expected"] = per_unit["observed"].to_numpy(), per_unit["expected"].to_numpy()
    table["adjusted"] = fit.national + table["observed"] - table["expected"]
    table["ci_low"], table["ci_high"] = fit.national + low, fit.national + high
    table["flag"] = np.select(
        [table["ci_low"] > fit.national, table["ci_high"] < fit.national], ["higher", "lower"], "as_expected"
    )
    few = (n < min_n) | (n == 0)
    table.loc[few, ["observed", "expected", "adjusted", "ci_low", "ci_high"]] = np.nan
    table.loc[few, "flag"] = "too_few"
    return table


def compare_units(respondents: pd.DataFrame, score: str, covariates: list[str], min_n: int | None = None,
                  fits: list[SectorFit] | None = None) -> pd.DataFrame:  # fmt: skip
    """One row per sector and unit: the rows of ``OUT/units.csv`` (``COLUMNS``); rules in the module doc.

    ``respondents``: survey-analyse's respondents frame (sector, unit, the score, the covariates);
    ``min_n``: fewest respondents for an estimate (None: ``units.yaml``, 30). Units are every unit of
    the sector's respondents, also one without a complete row (n = 0, too_few). ``fits``: the
    sectors' models when already fitted (:func:`fit_sectors` of the same arguments).
    """
    s = settings()
    min_n = int(s["min_n"]) if min_n is None else min_n
    tables = []
    for fit in fit_sectors(respondents, score, covariates) if fits is None else fits:
        units = respondents.loc[respondents["sector"].astype(str) == fit.sector, "unit"].dropna().astype(str)
        tables.append(_unit_rows(fit, score, sorted(units.unique()), min_n, float(s["alpha"])))
    if not tables:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(tables, ignore_index=True)[COLUMNS]
    table["n"] = table["n"].astype(int)
    return table


def unit_funnel(respondents: pd.DataFrame, score: str, covariates: list[str],
                fits: list[SectorFit] | None = None) -> pd.DataFrame:  # fmt: skip
    """Funnel-plot limits per sector for the adjusted values of :func:`compare_units` (``FUNNEL_COLUMNS``):
    on a grid of n from 1 to the largest unit (``funnel_points`` points, geometric as forlop.stats.funnel),
    around the national mean with sigma the residual standard deviation of the sector's case-mix model.
    ``fits``: the sectors' models when already fitted (:func:`fit_sectors` of the same arguments)."""
    points = int(settings()["funnel_points"])
    frames = []
    for fit in fit_sectors(respondents, score, covariates) if fits is None else fits:
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
