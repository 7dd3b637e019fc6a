"""The fixed regression model of 002 §3.5 for its eleven outcomes, per sector: ``OUT/regressions.csv``.

The models are data (``models.yaml``): outcome, kind (``ols`` or ``logit``), the covariates left out. Each is
fitted with statsmodels (``OLS``, ``Logit``) on the respondents of one sector with every variable of the model
present (listwise deletion; 002 implies it, reading guide §4). The covariates are numeric codings
(definitions.yaml ``covariates``), so the model matrix of the formula ``outcome ~ x1 + x2 + ...`` is the
intercept and the columns as they are: it is given to statsmodels' array API with those names (patsy's formula
machinery took half the time of the 33 fits). Rows: the intercept and every covariate, in 002's order, with
the coefficient (OLS) or odds ratio (logit, ``exp`` of coefficient and interval), 95% Wald interval, p-value,
N and R² (OLS only; 002 prints none for logit). A covariate that is constant in a sector's data (e.g. no one
in an age band) is left out of that fit and gets no row; a model that cannot be fitted (too few rows, perfect
separation) gets no rows and a progress line.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forlop.i18n import t
from forlop.progress import say
from forlop.survey.respondents import SECTORS, models_spec

REGRESSION_COLUMNS = ["model", "sector", "term", "estimate", "ci_low", "ci_high", "p_value", "n", "r2"]
INTERCEPT = "Intercept"


def model_terms(model: str) -> list[str]:
    """The covariates of ``model`` (all of 002 §3.5 minus the model's ``drop``), in 002's order."""
    spec = models_spec()
    drop = set(spec["models"][model].get("drop", []))
    return [c for c in spec["covariates"] if c not in drop]


def fit(data: pd.DataFrame, outcome: str, terms: list[str], kind: str) -> pd.DataFrame | None:
    """Fit one model on ``data`` (listwise deletion); rows of REGRESSION_COLUMNS without model/sector.

    None when fewer rows than parameters remain, or the fit fails (singular matrix, separation).
    """
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    if outcome not in data or any(t not in data for t in terms):
        return None  # another questionnaire without the item the outcome or a covariate is built from
    values = data[[outcome, *terms]].to_numpy(dtype=float)
    values = values[~np.isnan(values).any(axis=1)]  # listwise deletion
    varies = (values != values[:1]).any(axis=0)  # more than one value in the column
    terms = [t for t, keep in zip(terms, varies[1:]) if keep]
    if len(values) <= len(terms) + 1 or not varies[0]:
        return None
    exog = pd.DataFrame(values[:, 1:][:, varies[1:]], columns=terms)
    exog.insert(0, INTERCEPT, 1.0)
    endog = values[:, 0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "logit":
                result = Logit(endog, exog).fit(disp=0, maxiter=100)
            else:
                result = OLS(endog, exog).fit()
    except (np.linalg.LinAlgError, PerfectSeparationError, ValueError):
        return None
    ci = result.conf_int()
    table = pd.DataFrame(
        {
            "term": result.params.index,
            "estimate": result.params.to_numpy(),
            "ci_low": ci[0].to_numpy(),
            "ci_high": ci[1].to_numpy(),
            "p_value": result.pvalues.to_numpy(),
        }
    )
    if kind == "logit":
        with np.errstate(over="ignore"):  # a separated covariate's huge coefficient: an odds ratio of inf
            for column in ("estimate", "ci_low", "ci_high"):
                table[column] = np.exp(table[column])
    table["n"] = int(result.nobs)
    table["r2"] = float(result.rsquared) if kind == "ols" else np.nan
    return table


def regressions(
    respondents: pd.DataFrame, sectors: tuple[str, ...] = SECTORS, progress: bool = True, lang: str | None = None
) -> pd.DataFrame:
    """``OUT/regressions.csv``: every model of ``models.yaml`` per sector (module docstring)."""
    from threadpoolctl import threadpool_limits

    spec = models_spec()
    parts = []
    # One BLAS thread: the design matrices are small (20 000 x 28), and OpenBLAS's worker threads,
    # spinning on 2 cores shared with other processes, made one X'X take 1.0 s instead of 2 ms.
    with threadpool_limits(limits=1, user_api="blas"):
        columns = [c for c in dict.fromkeys([*(m["outcome"] for m in spec["models"].values()), *spec["covariates"]])
                   if c in respondents]  # fmt: skip
        by_sector = {s: respondents.loc[respondents["sector"] == s, columns] for s in sectors}
        for model, model_spec in spec["models"].items():
            terms = model_terms(model)
            for sector in sectors:
                data = by_sector[sector]
                table = fit(data, model_spec["outcome"], terms, model_spec["kind"])
                if table is None:
                    columns = [c for c in (model_spec["outcome"], *terms) if c in data]
                    complete = len(data[columns].dropna())
                    say(t("survey.analyse.no_fit", lang, model=model, sector=sector, n=complete), progress)
                    continue
                parts.append(table.assign(model=model, sector=sector))
    if not parts:
        return pd.DataFrame(columns=REGRESSION_COLUMNS)
    return pd.concat(parts, ignore_index=True)[REGRESSION_COLUMNS]


__all__ = ["INTERCEPT", "REGRESSION_COLUMNS", "fit", "model_terms", "regressions"]
